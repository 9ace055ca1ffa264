"""Check responses against the operation's declared responses, with openapi-core.

Bodies are parsed for the check the way :func:`decode_body` reads them: JSON
and every ``+json`` type as JSON, text types as text. XML bodies are not
checked against their schema, because openapi-core 0.23.1 validates the
parsed element tree as if it were JSON data, so that a valid document fails
``type: object``. The status code and headers of an XML response are
still checked.

References are resolved from the documents the runner loaded, through its
:class:`DocumentCache`, so that openapi-core never fetches a file itself.
"""

from __future__ import annotations

import codecs
import json
import logging
import os
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

from arazzo_runner.document.sources import DocumentCache, is_remote
from arazzo_runner.errors import ArazzoError
from arazzo_runner.openapi.bodies import (
    is_json_media_type,
    is_xml_media_type,
    media_essence,
)
from arazzo_runner.openapi.operations import Operation
from arazzo_runner.openapi.responses import is_text_media_type

logger = logging.getLogger(__name__)

# Validation messages list at most this many schema errors per response.
_MAX_SCHEMA_ERRORS = 5
# The media type of the response being checked. openapi-core picks a body
# parser by the declared key, which is a range such as `application/*` when
# one matches, so the parser for a range is chosen by this actual type.
_RESPONSE_ESSENCE: ContextVar[str] = ContextVar("response_essence", default="")


def validate_response(
    operation: Operation,
    status_code: int,
    headers: list[tuple[str, str]],
    content: bytes,
    content_type: str | None,
) -> list[str]:
    """Check a response against the operation's response declaration.

    Returns one message per problem: an undeclared status code, a body that
    does not match the media type's schema, a missing or invalid header. An
    operation that declares no responses (they are optional in OpenAPI 3.1)
    has nothing to check.
    """
    responses = operation.data.get("responses")
    if not isinstance(responses, dict) or not responses:
        return []
    essence = media_essence(content_type or "")
    token = _RESPONSE_ESSENCE.set(essence)
    try:
        errors = list(_iter_errors(operation, status_code, headers, content, essence))
    except Exception as exc:  # openapi-core raises many unrelated types.
        logger.debug("response validation of %s failed", operation.label, exc_info=True)
        return [f"the response could not be validated: {_describe_failure(exc)}"]
    finally:
        _RESPONSE_ESSENCE.reset(token)
    return [_describe_error(error, status_code, operation) for error in errors]


def _iter_errors(
    operation: Operation,
    status_code: int,
    headers: list[tuple[str, str]],
    content: bytes,
    essence: str,
) -> Iterator[Exception]:
    validator, spec = _validator(operation)
    operation_path = spec
    for token in operation.pointer[1:].split("/"):
        operation_path = operation_path / token.replace("~1", "/").replace("~0", "~")
    header_map = _Headers(headers)
    # NOTE: _iter_errors and _iter_headers_errors are openapi-core's internal
    # entry points (0.19 to 0.23) that take the operation directly. The public
    # one finds the operation from the request URL and the declared servers,
    # which fails when --server replaces them and for the 'query' method.
    if is_xml_media_type(essence):
        logger.debug("the XML body of %s is not checked", operation.label)
        return validator._iter_headers_errors(  # type: ignore[no-any-return]
            status_code, header_map, operation_path
        )
    return validator._iter_errors(  # type: ignore[no-any-return]
        status_code, content, header_map, essence, operation_path
    )


def _describe_error(error: Exception, status_code: int, operation: Operation) -> str:
    from openapi_core.templating.responses.exceptions import ResponseNotFound

    if isinstance(error, ResponseNotFound):
        return f"status {status_code} is not a declared response of {operation.label}"
    return _describe(error)


def _describe(error: Exception) -> str:
    """Return one line per schema error: where in the body, and what is wrong."""
    cause = error.__cause__
    schema_errors = list(getattr(cause, "schema_errors", None) or [])
    if schema_errors:
        details = []
        for schema_error in schema_errors[:_MAX_SCHEMA_ERRORS]:
            where = "/".join(str(part) for part in schema_error.absolute_path)
            details.append(f"{'/' + where if where else '/'}: {schema_error.message}")
        if len(schema_errors) > _MAX_SCHEMA_ERRORS:
            details.append(f"{len(schema_errors) - _MAX_SCHEMA_ERRORS} more")
        subject = "header" if "header" in type(error).__name__.lower() else "body"
        return f"the {subject} does not match its schema: " + "; ".join(details)
    cause_text = _safe_str(cause) if cause is not None else ""
    if cause_text:
        return f"{_safe_str(error)}: {cause_text}"
    return _safe_str(error) or type(error).__name__


def _safe_str(error: BaseException) -> str:
    """Return the text of a library exception, which may itself fail: the
    text of openapi-core's MediaTypeDeserializeError decodes the body as UTF-8."""
    try:
        return str(error)
    except Exception:
        if type(error).__name__ == "MediaTypeDeserializeError":
            return "the body cannot be read as its declared media type"
        return type(error).__name__


def _describe_failure(exc: Exception) -> str:
    """Say why openapi-core could not check a response, in the description's
    terms where the exception allows it."""
    from referencing.exceptions import PointerToNowhere, Unresolvable

    # These are described from their attributes, because the text of a
    # PointerToNowhere contains the whole document it searched.
    if isinstance(exc, PointerToNowhere):
        return f"the JSON Pointer {exc.ref!r} of a reference points to nothing"
    if isinstance(exc, Unresolvable):
        message = f"the reference {exc.ref!r} cannot be resolved"
        reason = _document_error(exc)
        return f"{message}: {reason.message}" if reason is not None else message
    if isinstance(exc, KeyError) and exc.args:
        return (
            f"openapi-core {_openapi_core_version()} expected a member "
            f"{exc.args[0]!r} that the description does not have"
        )
    return f"openapi-core {_openapi_core_version()} failed: {type(exc).__name__}: {exc}"


def _document_error(exc: BaseException) -> ArazzoError | None:
    """Return the runner's error in the ``__cause__`` chain of ``exc``, if any."""
    current: BaseException | None = exc
    while current is not None:
        if isinstance(current, ArazzoError):
            return current
        current = current.__cause__
    return None


@cache
def _openapi_core_version() -> str:
    from importlib.metadata import version

    return version("openapi-core")


class _Headers(dict[str, str]):
    """Response headers with case-insensitive lookup, first value kept."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        super().__init__()
        for name, value in pairs:
            self.setdefault(name.lower(), value)

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)


def _validator(operation: Operation) -> tuple[Any, Any]:
    """Return the openapi-core response validator of the operation's source.

    Built on first use and kept on the source, because building the schema
    path of a large description takes a while.
    """
    source = operation.source
    if source.response_validator is None:
        from jsonschema_path import SchemaPath
        from openapi_core.validation.response import validators

        base_uri = (
            source.uri
            if is_remote(source.uri)
            else Path(os.path.abspath(source.uri)).as_uri()
        )
        documents = (
            source.resolver.cache if source.resolver is not None else DocumentCache()
        )
        spec = SchemaPath.from_dict(
            source.data, base_uri=base_uri, handlers=_CachedHandlers(documents)
        )
        version = source.version
        if version.startswith("3.0"):
            cls: Any = validators.V30ResponseValidator
        elif version.startswith("3.2"):
            cls = validators.V32ResponseValidator
        else:
            cls = validators.V31ResponseValidator
        validator = cls(spec, extra_media_type_deserializers=_BodyParsers())
        source.response_validator = (validator, spec)
    validator, spec = source.response_validator
    return validator, spec


class _CachedHandlers(Mapping[str, Callable[[str], Any]]):
    """jsonschema-path retrieval handlers that read every document, whatever
    its URL scheme, from the runner's :class:`DocumentCache`.

    Without them, jsonschema-path fetches each referenced file again with its
    own HTTP client, outside the runner's timeout and cache.
    """

    def __init__(self, cache: DocumentCache) -> None:
        self._cache = cache

    def __getitem__(self, scheme: str) -> Callable[[str], Any]:
        return self._retrieve

    def __contains__(self, scheme: object) -> bool:
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(("file", "http", "https"))

    def __len__(self) -> int:
        return 3

    def _retrieve(self, url: str) -> Any:
        return self._cache.get_url(url.partition("#")[0]).data


class _BodyParsers(dict[str, Callable[..., Any]]):
    """openapi-core media type deserializers that parse bodies as
    :func:`decode_body` does: JSON and ``+json`` as JSON, text as text.

    openapi-core 0.23.1 parses only ``application/json`` and
    ``application/vnd.api+json`` as JSON and passes other types on as bytes,
    which then fail ``type: object``. Forms, multipart and other types keep
    openapi-core's own parsers.
    """

    def __contains__(self, mimetype: object) -> bool:
        return isinstance(mimetype, str)

    def __getitem__(self, mimetype: str) -> Callable[..., Any]:
        from openapi_core.deserializing.media_types import media_type_deserializers

        essence = mimetype
        if "*" in essence:
            essence = _RESPONSE_ESSENCE.get() or essence
        if is_json_media_type(essence):
            return _parse_json
        if essence not in media_type_deserializers and is_text_media_type(essence):
            return _parse_text
        return media_type_deserializers[essence]


def _parse_json(value: bytes, **parameters: str) -> Any:
    # json.loads detects UTF-8, UTF-16 and UTF-32 from the bytes themselves.
    return json.loads(value)


def _parse_text(value: bytes, **parameters: str) -> str:
    charset = parameters.get("charset", "utf-8")
    try:
        codecs.lookup(charset)
    except LookupError:
        charset = "utf-8"
    return value.decode(charset)
