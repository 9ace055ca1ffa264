"""Build an HTTP request from an operation and evaluated parameter values.

Serialization by ``style`` and ``explode`` lives in
:mod:`arazzo_runner.openapi.serialize`; body encoding in
:mod:`arazzo_runner.openapi.bodies`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from arazzo_runner.errors import RequestBuildError
from arazzo_runner.openapi.operations import Operation
from arazzo_runner.openapi.serialize import (
    serialize_cookie,
    serialize_header,
    serialize_path,
    serialize_query,
)

# OpenAPI ignores header parameters with these names: the request body, the
# content negotiation and the security schemes set them.
IGNORED_HEADER_PARAMETERS = frozenset({"accept", "content-type", "authorization"})
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")


@dataclass(slots=True)
class HttpRequest:
    """A request ready to send.

    ``query`` contains encoded name and value pairs in order, and
    ``headers`` and ``cookies`` contain plain pairs. ``path_values`` and
    ``query_values`` keep the evaluated values for ``$request.path`` and
    ``$request.query``.
    """

    method: str
    url: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    query: list[tuple[str, str]] = field(default_factory=list)
    cookies: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | None = None
    path_values: dict[str, Any] = field(default_factory=dict)
    query_values: dict[str, Any] = field(default_factory=dict)

    def full_url(self) -> str:
        """Return the URL with its query string."""
        if not self.query:
            return self.url
        separator = "&" if "?" in self.url else "?"
        return self.url + separator + "&".join(f"{k}={v}" for k, v in self.query)

    def header(self, name: str) -> str | None:
        """Return the first value of a header (case-insensitive), or ``None``."""
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)

    def set_header(self, name: str, value: str) -> None:
        """Replace every value of a header with ``value``."""
        lowered = name.lower()
        self.headers = [(k, v) for k, v in self.headers if k.lower() != lowered]
        self.headers.append((name, value))


def add_parameter(
    request: HttpRequest, operation: Operation, name: str, in_: str, value: Any
) -> str | None:
    """Serialize one parameter into ``request`` as the operation declares it.

    Path values are kept for :func:`expand_path`. Returns a warning when the
    operation does not declare the parameter; it is sent all the same.

    Raises:
        RequestBuildError: the value cannot be serialized that way.
    """
    declared = operation.declared(name, in_)
    warning = None
    if (
        declared is None
        and not (in_ == "header" and name.lower() in IGNORED_HEADER_PARAMETERS)
        and not operation.is_api_key(name, in_)
    ):
        warning = (
            f"{in_} parameter {name!r} is not declared by {operation.label}; "
            "it is sent anyway"
        )
    if in_ == "path":
        if declared is None and "{" + name + "}" not in operation.path:
            warning = (
                f"path parameter {name!r} matches no placeholder of "
                f"{operation.path!r}; it is not sent"
            )
        request.path_values[name] = value
    elif in_ == "query":
        request.query_values[name] = value
        request.query.extend(serialize_query(name, value, declared))
    elif in_ == "header":
        _check_token(name, "header")
        request.headers.append((name, serialize_header(name, value, declared)))
    elif in_ == "cookie":
        _check_token(name, "cookie")
        request.cookies.extend(serialize_cookie(name, value, declared))
    else:
        raise RequestBuildError(
            f"parameter {name!r} has 'in' {in_!r}",
            hint="use path, query, header or cookie",
        )
    return warning


def _check_token(name: str, in_: str) -> None:
    """Raise unless ``name`` can be a header or cookie name (an RFC 9110 token)."""
    if not _TOKEN.match(name):
        raise RequestBuildError(
            f"{in_} parameter name {name!r} is not a valid {in_} name",
            hint="use letters, digits and !#$%&'*+-.^_`|~ only",
        )


def expand_path(operation: Operation, base: str, values: dict[str, Any]) -> str:
    """Fill the path template and join it to ``base``.

    Raises:
        RequestBuildError: a placeholder has no value.
    """
    path = operation.path
    result = []
    position = 0
    while True:
        start = path.find("{", position)
        end = path.find("}", start) if start >= 0 else -1
        if start < 0 or end < 0:
            result.append(path[position:])
            break
        result.append(path[position:start])
        name = path[start + 1 : end]
        if name not in values:
            raise RequestBuildError(
                f"path parameter {name!r} of {operation.label} has no value",
                hint=f"add a parameter with name: {name} and in: path to the step",
            )
        declared = operation.declared(name, "path")
        result.append(serialize_path(name, values[name], declared))
        position = end + 1
    return base + "".join(result)
