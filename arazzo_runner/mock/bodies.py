"""Check request bodies against the request-body schemas of an OpenAPI description."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import jsonschema

from arazzo_runner.document.sources import DocumentCache
from arazzo_runner.mock.scenario import Route
from arazzo_runner.openapi.refs import RefResolver

logger = logging.getLogger(__name__)

_PARAMETER = re.compile(r"\{[^{}/]+\}")
_URI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True, slots=True)
class _BodyRule:
    required: bool
    validator: jsonschema.protocols.Validator | None


def _format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker()

    # jsonschema 4.26 checks "uri" only when the optional rfc3987 or
    # rfc3986-validator package is installed. This lighter check requires the
    # scheme that RFC 3986 section 3 requires of every URI, and no whitespace.
    @checker.checks("uri")
    def is_uri(value: object) -> bool:
        if not isinstance(value, str):
            return True
        return bool(_URI_SCHEME.match(value)) and not any(c.isspace() for c in value)

    return checker


class BodyChecker:
    """Request-body rules of the operations a scenario's routes reach.

    A route reaches the operation whose path template has the same literal
    segments, so parameter names may differ between scenario and description.
    The rules are built when the mock starts, so that no request waits for
    ``$ref`` resolution or schema compilation.
    """

    def __init__(
        self,
        openapi: dict[str, Any],
        uri: str,
        cache: DocumentCache,
        routes: Iterable[Route],
    ) -> None:
        self._openapi = openapi
        self._uri = uri
        self._resolver = RefResolver(cache)
        self._checker = _format_checker()
        self._rules: dict[int, _BodyRule | None] = {}
        paths = openapi.get("paths")
        self._paths = {
            _shape(template): template
            for template in (paths if isinstance(paths, dict) else {})
        }
        for route in routes:
            self._rules[route.index] = self._rule(route)

    def check(self, route: Route, body: Any, *, has_body: bool) -> str | None:
        """Return every violation of the route's body rule, or ``None``."""
        rule = self._rules.get(route.index)
        if rule is None:
            return None
        if not has_body:
            return "a request body is required" if rule.required else None
        if rule.validator is None:
            return None

        errors = sorted(
            rule.validator.iter_errors(body), key=lambda e: list(e.absolute_path)
        )
        return "; ".join(_describe(error) for error in errors) or None

    def _rule(self, route: Route) -> _BodyRule | None:
        template = self._paths.get(_shape(route.path))
        if template is None:
            logger.warning(
                "mock route %s %s matches no path of the description, so its "
                "request bodies are not checked",
                route.method,
                route.path,
            )
            return None

        item, uri = self._resolver.deref(self._openapi["paths"][template], self._uri)
        operation = item.get(route.method.lower()) if isinstance(item, dict) else None
        if not isinstance(operation, dict) or "requestBody" not in operation:
            return None
        request_body, uri = self._resolver.deref(operation["requestBody"], uri)
        if not isinstance(request_body, dict):
            return None

        required = request_body.get("required") is True
        content = request_body.get("content")
        media = _json_media(content) if isinstance(content, dict) else None
        if not isinstance(media, dict) or "schema" not in media:
            return _BodyRule(required, None)
        schema = self._resolver.expand(media["schema"], uri)
        if str(self._openapi.get("openapi", "")).startswith("3.0"):
            schema = _nullable_to_type(schema)
        validator = jsonschema.Draft202012Validator(
            schema, format_checker=self._checker
        )
        return _BodyRule(required, validator)


def _shape(template: str) -> str:
    """Return a path template with every parameter name removed."""
    path = urlsplit(template).path.rstrip("/") or "/"
    return _PARAMETER.sub("{}", path)


def _json_media(content: dict[str, Any]) -> Any:
    for media_type, media in content.items():
        base = media_type.split(";")[0].strip().lower()
        if base == "application/json" or base.endswith("+json"):
            return media
    return None


def _describe(error: jsonschema.ValidationError) -> str:
    """Return ``POINTER: message``, where ``/`` is the whole body.

    The pointer escapes ``~`` and ``/`` in member names as RFC 6901 section 3
    requires. A missing member is reported at the object that lacks it.
    """
    pointer = "".join(
        "/" + str(segment).replace("~", "~0").replace("/", "~1")
        for segment in error.absolute_path
    )
    return f"{pointer or '/'}: {error.message}"


def _nullable_to_type(schema: Any) -> Any:
    """Turn OpenAPI 3.0 ``nullable: true`` into a ``"null"`` type.

    NOTE: a property that is itself named ``nullable`` is dropped too.
    """
    if isinstance(schema, dict):
        result = {k: _nullable_to_type(v) for k, v in schema.items() if k != "nullable"}
        if schema.get("nullable") is True and isinstance(result.get("type"), str):
            result["type"] = [result["type"], "null"]
        return result
    if isinstance(schema, list):
        return [_nullable_to_type(item) for item in schema]
    return schema
