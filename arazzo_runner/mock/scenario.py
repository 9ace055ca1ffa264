"""Mock scenarios: which responses a mock API gives, in which order.

A scenario is a YAML (or JSON) file; docs/mock-scenarios.md describes the
format. Loading checks its shape and reports problems with file, line and
column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from arazzo_runner.document.reader import ParsedDocument, read_path
from arazzo_runner.errors import DocumentError

_ROUTE = re.compile(r"^(?P<method>[A-Za-z]+)\s+(?P<path>/\S*)$")
_METHODS = {
    "GET",
    "PUT",
    "POST",
    "DELETE",
    "OPTIONS",
    "HEAD",
    "PATCH",
    "TRACE",
    "QUERY",
}


@dataclass(frozen=True, slots=True)
class MockResponse:
    """One scripted response; ``body`` may hold placeholders."""

    status: int
    headers: dict[str, str]
    body: Any
    has_body: bool


@dataclass(frozen=True, slots=True)
class Route:
    """A method and path template with its response sequence.

    ``sequence_by`` names the path parameter that keeps a separate position
    in the sequence per value; without it the route has one sequence.
    ``creates`` names a resource kind whose new id ``{{id}}`` stands for;
    ``known`` names a path parameter whose value must be such an id (404
    otherwise).
    """

    method: str
    path: str
    pattern: re.Pattern[str]
    responses: tuple[MockResponse, ...]
    sequence_by: str | None
    creates: str | None
    known: str | None
    require_headers: dict[str, str] | None
    validate_body: bool


@dataclass(frozen=True, slots=True)
class Scenario:
    """A loaded scenario."""

    name: str
    routes: tuple[Route, ...]
    require_headers: dict[str, str] = field(default_factory=dict)
    validate_body: bool = True

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """Return the route for ``method path`` and its path parameters."""
        for route in self.routes:
            if route.method != method:
                continue
            found = route.pattern.match(path)
            if found:
                return route, found.groupdict()
        return None


def load_scenario(path: Path) -> Scenario:
    """Read and check a scenario file.

    Raises:
        DocumentError: the file cannot be read or its shape is wrong; the
            error names the file, the location and a fix.
    """
    parsed = read_path(path)
    return _Loader(parsed, path.stem).scenario()


class _Loader:
    def __init__(self, parsed: ParsedDocument, name: str) -> None:
        self.parsed = parsed
        self.name = name

    def fail(
        self, pointer: str, message: str, hint: str | None = None
    ) -> DocumentError:
        return DocumentError(message, location=self.parsed.location(pointer), hint=hint)

    def scenario(self) -> Scenario:
        data = self.parsed.data
        if not isinstance(data, dict):
            raise self.fail("", "a scenario must be an object", "start with 'routes:'")
        unknown = set(data) - {
            "description",
            "require",
            "validateRequestBodies",
            "routes",
        }
        if unknown:
            raise self.fail(
                f"/{sorted(unknown)[0]}",
                f"unknown scenario field {sorted(unknown)[0]!r}",
                "use description, require, validateRequestBodies and routes",
            )
        routes = data.get("routes")
        if not isinstance(routes, list) or not routes:
            raise self.fail(
                "/routes" if "routes" in data else "",
                "'routes' must be a non-empty list",
            )
        validate = data.get("validateRequestBodies", True)
        if not isinstance(validate, bool):
            raise self.fail(
                "/validateRequestBodies",
                "'validateRequestBodies' must be true or false",
            )
        return Scenario(
            name=self.name,
            routes=tuple(
                self.route(item, f"/routes/{i}") for i, item in enumerate(routes)
            ),
            require_headers=self.require(data.get("require"), "/require") or {},
            validate_body=validate,
        )

    def require(self, value: Any, pointer: str) -> dict[str, str] | None:
        if value is None:
            return None
        if not isinstance(value, dict) or set(value) - {"headers"}:
            raise self.fail(pointer, "'require' must be an object with 'headers'")
        headers = value.get("headers", {})
        if not isinstance(headers, dict) or not all(
            isinstance(v, str) for v in headers.values()
        ):
            raise self.fail(
                f"{pointer}/headers", "'headers' must map header names to strings"
            )
        return {str(k): v for k, v in headers.items()}

    def route(self, item: Any, pointer: str) -> Route:
        if not isinstance(item, dict):
            raise self.fail(pointer, "a route must be an object")
        allowed = {
            "request",
            "responses",
            "sequenceBy",
            "creates",
            "known",
            "require",
            "validateRequestBody",
        }
        unknown = set(item) - allowed
        if unknown:
            raise self.fail(
                f"{pointer}/{sorted(unknown)[0]}",
                f"unknown route field {sorted(unknown)[0]!r}",
                "use " + ", ".join(sorted(allowed)),
            )
        request = item.get("request")
        match = _ROUTE.match(request) if isinstance(request, str) else None
        if match is None or match.group("method").upper() not in _METHODS:
            raise self.fail(
                f"{pointer}/request",
                f"'request' must be a method and a path, not {request!r}",
                "write it like 'GET /trainings/{training_id}'",
            )
        path = match.group("path")
        parameters = re.findall(r"\{([^}/]+)\}", path)
        for key in ("sequenceBy", "known"):
            value = item.get(key)
            if value is not None and value not in parameters:
                raise self.fail(
                    f"{pointer}/{key}",
                    f"{key} {value!r} is not a parameter of {path!r}",
                    "name one of: " + (", ".join(parameters) or "(none)"),
                )
        responses = item.get("responses")
        if not isinstance(responses, list) or not responses:
            raise self.fail(
                f"{pointer}/responses", "'responses' must be a non-empty list"
            )
        creates = item.get("creates")
        if creates is not None and not isinstance(creates, str):
            raise self.fail(f"{pointer}/creates", "'creates' must be a resource name")
        validate = item.get("validateRequestBody", True)
        return Route(
            method=match.group("method").upper(),
            path=path,
            pattern=_path_pattern(path),
            responses=tuple(
                self.response(r, f"{pointer}/responses/{i}")
                for i, r in enumerate(responses)
            ),
            sequence_by=item.get("sequenceBy"),
            creates=creates,
            known=item.get("known"),
            require_headers=self.require(item.get("require"), f"{pointer}/require"),
            validate_body=bool(validate),
        )

    def response(self, item: Any, pointer: str) -> MockResponse:
        if not isinstance(item, dict) or set(item) - {"status", "headers", "body"}:
            raise self.fail(
                pointer, "a response is an object with status, headers and body"
            )
        status = item.get("status", 200)
        if (
            isinstance(status, bool)
            or not isinstance(status, int)
            or not 100 <= status <= 599
        ):
            raise self.fail(
                f"{pointer}/status",
                f"status must be an HTTP status code, not {status!r}",
            )
        headers = item.get("headers", {})
        if not isinstance(headers, dict):
            raise self.fail(f"{pointer}/headers", "'headers' must map names to values")
        return MockResponse(
            status=status,
            headers={str(k): str(v) for k, v in headers.items()},
            body=item.get("body"),
            has_body="body" in item,
        )


def _path_pattern(path: str) -> re.Pattern[str]:
    pattern = ""
    position = 0
    for found in re.finditer(r"\{([^}/]+)\}", path):
        pattern += re.escape(path[position : found.start()])
        pattern += f"(?P<{_group_name(found.group(1))}>[^/]+)"
        position = found.end()
    pattern += re.escape(path[position:])
    return re.compile(f"^{pattern}/?$")


def _group_name(name: str) -> str:
    # Regex group names must be identifiers; path parameter names usually are.
    if not name.isidentifier():
        raise DocumentError(
            f"path parameter {name!r} must be a plain name in a mock route",
            hint="use letters, digits and underscores",
        )
    return name
