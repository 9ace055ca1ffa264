"""Mock scenarios: which responses a mock API returns, in which order.

A scenario is a YAML or JSON file whose shape ``scenario.schema.json`` (next
to this module) defines and docs/mock-scenarios.md explains. Loading checks
the shape against that schema, then the rules a schema cannot state: path
parameters named by ``sequenceBy``, ``known`` and placeholders must exist in
the route's path. Every problem is reported with file, line and column.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
from jsonschema.exceptions import best_match, by_relevance

from arazzo_runner.document.reader import (
    ParsedDocument,
    escape_pointer_segment,
    read_path,
)
from arazzo_runner.errors import DocumentError
from arazzo_runner.mock.placeholders import iter_strings, parse_text

# NOTE: a wheel carries this file only if pyproject.toml's package-data lists
# "mock/*.json"; an editable install reads it from the source tree.
SCHEMA_PATH = Path(__file__).with_name("scenario.schema.json")
_PARAMETER = re.compile(r"\{([^{}/]+)\}")
# Hints for schema violations, by the name of the member that is wrong.
_HINTS = {
    "request": "write an upper-case method and a path, like "
    "'GET /trainings/{training_id}'",
    "status": "use an HTTP status code from 100 to 599",
    "routes": "list at least one route, each with 'request' and 'responses'",
    "responses": "list at least one response, such as '- status: 200'",
    "sequenceBy": "name a path parameter of the route's request",
    "known": "name a path parameter of the route's request",
}


@dataclass(frozen=True, slots=True)
class MockResponse:
    """One scripted response; ``headers`` and ``body`` may hold placeholders.

    ``has_body`` is false when the scenario gives no ``body``, which sends an
    empty response rather than a JSON ``null``. ``raw_body`` is text sent as
    it is, with ``content_type`` as its ``Content-Type``. ``close`` drops the
    connection without any response, so the client sees a transport error.
    ``header_lists`` holds the headers given as lists, sent one line per item.
    """

    status: int
    headers: dict[str, str]
    body: Any
    has_body: bool
    raw_body: str | None = None
    content_type: str | None = None
    close: bool = False
    header_lists: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Route:
    """A method and path template with its response sequence.

    ``sequence_by`` names the path parameter whose every value keeps its own
    position in ``responses``; without it the route has one position.
    ``creates`` names a resource kind: each request generates a new id of
    that kind, which ``{{id}}`` returns. ``known`` names a path parameter
    whose value must be an id this mock generated (404 otherwise).
    ``require_headers`` is ``None`` when the scenario-wide check applies.
    """

    index: int
    method: str
    path: str
    parameters: tuple[str, ...]
    pattern: re.Pattern[str]
    responses: tuple[MockResponse, ...]
    sequence_by: str | None
    creates: str | None
    known: str | None
    require_headers: dict[str, str] | None
    validate_body: bool

    def match(self, method: str, path: str) -> dict[str, str] | None:
        """Return the path parameters when ``method path`` is this route's."""
        if method != self.method:
            return None
        found = self.pattern.match(path)
        if found is None:
            return None
        return {name: unquote(value) for name, value in found.groupdict().items()}


@dataclass(frozen=True, slots=True)
class Scenario:
    """A loaded scenario: routes tried in order, and checks for every route."""

    name: str
    routes: tuple[Route, ...]
    require_headers: dict[str, str] = field(default_factory=dict)
    validate_body: bool = True

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """Return the first route for ``method path`` and its path parameters."""
        for route in self.routes:
            parameters = route.match(method, path)
            if parameters is not None:
                return route, parameters
        return None


def load_scenario(path: Path) -> Scenario:
    """Read and check a scenario file.

    Args:
        path: A YAML or JSON scenario file.

    Returns:
        The scenario, named after the file's stem.

    Raises:
        DocumentError: The file cannot be read or parsed, or breaks a rule of
            the format. The error's location names the file, a JSON Pointer
            to the wrong member and its line and column, and its hint
            describes the fix.
    """
    parsed = read_path(path)
    _check_schema(parsed)
    return _build_scenario(parsed, path.stem)


@cache
def scenario_schema() -> dict[str, Any]:
    """Return the JSON Schema of scenario files."""
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


def _check_schema(parsed: ParsedDocument) -> None:
    validator = jsonschema.Draft202012Validator(scenario_schema())
    # An unknown field is most often a misspelt one, which also causes a
    # "required" error; reporting the spelling first points at the cause.
    relevance = by_relevance(strong=frozenset({"additionalProperties"}))
    error = best_match(validator.iter_errors(parsed.data), key=relevance)
    if error is None:
        return

    segments = [str(segment) for segment in error.absolute_path]
    message = f"invalid scenario: {error.message}"
    hint = _HINTS.get(segments[-1]) if segments else None
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = error.schema.get("properties", {})
        unknown = sorted(set(error.instance) - set(allowed))
        segments.append(unknown[0])
        message = f"unknown field {unknown[0]!r}"
        hint = "use " + ", ".join(allowed)
    elif error.validator == "pattern":
        message = f"invalid scenario: {error.instance!r} has the wrong form"
    elif not segments:
        hint = "a scenario is a mapping with at least 'routes'"
    if hint is None:
        hint = "docs/mock-scenarios.md describes each field"
    pointer = "".join("/" + escape_pointer_segment(segment) for segment in segments)
    raise DocumentError(message, location=parsed.location(pointer), hint=hint)


def _build_scenario(parsed: ParsedDocument, name: str) -> Scenario:
    data: dict[str, Any] = parsed.data
    routes = tuple(
        _build_route(parsed, index, item) for index, item in enumerate(data["routes"])
    )
    return Scenario(
        name=name,
        routes=routes,
        require_headers=dict(data.get("require", {}).get("headers", {})),
        validate_body=data.get("validateRequestBodies", True),
    )


def _build_route(parsed: ParsedDocument, index: int, item: dict[str, Any]) -> Route:
    pointer = f"/routes/{index}"
    method, _, path = item["request"].partition(" ")
    path = path.strip()
    parameters = tuple(_PARAMETER.findall(path))
    for name in parameters:
        if not name.isidentifier() or parameters.count(name) > 1:
            raise DocumentError(
                f"path parameter {name!r} must be a unique name of letters, "
                "digits and underscores",
                location=parsed.location(f"{pointer}/request"),
                hint="rename the parameter in the route; the mock matches the "
                "path by position, so the name need not equal the description's",
            )

    for key in ("sequenceBy", "known"):
        value = item.get(key)
        if value is not None and value not in parameters:
            raise DocumentError(
                f"{key} {value!r} is not a parameter of {path!r}",
                location=parsed.location(f"{pointer}/{key}"),
                hint="name one of: " + (", ".join(parameters) or "(none)"),
            )

    responses = tuple(
        _build_response(parsed, f"{pointer}/responses/{number}", response, parameters)
        for number, response in enumerate(item["responses"])
    )
    require = item.get("require")
    return Route(
        index=index,
        method=method,
        path=path,
        parameters=parameters,
        pattern=_path_pattern(path),
        responses=responses,
        sequence_by=item.get("sequenceBy"),
        creates=item.get("creates"),
        known=item.get("known"),
        require_headers=None if require is None else dict(require.get("headers", {})),
        validate_body=item.get("validateRequestBody", True),
    )


def _build_response(
    parsed: ParsedDocument,
    pointer: str,
    item: dict[str, Any],
    parameters: tuple[str, ...],
) -> MockResponse:
    headers: dict[str, str] = {}
    header_lists: dict[str, tuple[str, ...]] = {}
    for name, value in item.get("headers", {}).items():
        if isinstance(value, list):
            header_lists[str(name)] = tuple(str(part) for part in value)
        else:
            headers[str(name)] = str(value)
    for member in ("headers", "body", "rawBody"):
        _check_placeholders(parsed, f"{pointer}/{member}", item.get(member), parameters)
    return MockResponse(
        status=item.get("status", 200),
        headers=headers,
        body=item.get("body"),
        has_body="body" in item,
        raw_body=item.get("rawBody"),
        content_type=item.get("contentType"),
        close=item.get("close", False),
        header_lists=header_lists,
    )


def _check_placeholders(
    parsed: ParsedDocument, pointer: str, template: Any, parameters: tuple[str, ...]
) -> None:
    for path, text in iter_strings(template):
        where = parsed.location(
            pointer + "".join("/" + escape_pointer_segment(p) for p in path)
        )
        try:
            parts = parse_text(text)
        except DocumentError as exc:
            raise DocumentError(exc.message, location=where, hint=exc.hint) from None
        for part in parts:
            if isinstance(part, str) or part.source != "path":
                continue
            if part.key not in parameters:
                raise DocumentError(
                    f"placeholder {{{{{part.name}}}}} names no path parameter",
                    location=where,
                    hint="the route's path parameters are: "
                    + (", ".join(parameters) or "(none)"),
                )


def _path_pattern(path: str) -> re.Pattern[str]:
    pattern = ""
    position = 0
    for found in _PARAMETER.finditer(path):
        pattern += re.escape(path[position : found.start()])
        pattern += f"(?P<{found.group(1)}>[^/]+)"
        position = found.end()
    pattern += re.escape(path[position:])
    # A trailing slash is tolerated, as many servers do.
    return re.compile(f"^{pattern}/?$")
