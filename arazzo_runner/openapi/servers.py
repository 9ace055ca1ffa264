"""Choose the base URL of an operation: overrides, then the OpenAPI servers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from arazzo_runner.document.sources import is_remote, resolve_uri
from arazzo_runner.errors import DocumentError, Location
from arazzo_runner.openapi.operations import Operation

_VARIABLE = re.compile(r"\{([^{}]+)\}")


def base_url(operation: Operation, overrides: Mapping[str, str]) -> str:
    """Return the base URL for ``operation``, without a trailing slash.

    An override for the operation's source replaces every server of that
    source, base path included. Otherwise the first server of the operation
    wins over the path item's, which wins over the document's (an empty list
    counts as absent). Server variables take their defaults, and a relative
    server URL is resolved against the description's own URL. A description
    without servers means the server ``/``, as OpenAPI specifies.

    Raises:
        DocumentError: no absolute server URL can be formed and none is given.
    """
    source = operation.source
    override = overrides.get(source.name)
    if override:
        if not _is_valid_url(override):
            raise DocumentError(
                f"the server {override!r} given for source {source.name!r} is not "
                "a valid http(s) URL",
                hint=f"write --server {source.name}=http://HOST:PORT/BASE_PATH",
            )
        parts = urlsplit(override)
        if parts.query or parts.fragment or override.endswith(("?", "#")):
            # Paths are appended to the server URL, so a query or fragment
            # would end up in the middle of every request URL.
            raise DocumentError(
                f"the server {override!r} given for source {source.name!r} has a "
                "query string or fragment",
                hint="give the base URL only; put query parameters in the steps",
            )
        return override.rstrip("/")
    hint = f"give the API's address with --server {source.name}=URL"
    for pointer, servers in (
        (f"{operation.pointer}/servers", operation.data.get("servers")),
        (
            f"{operation.pointer.rsplit('/', 1)[0]}/servers",
            operation.path_item.get("servers"),
        ),
        ("/servers", source.data.get("servers")),
    ):
        if isinstance(servers, list) and servers and isinstance(servers[0], dict):
            location = Location(source.uri, f"{pointer}/0/url")
            url = substitute_variables(servers[0], location)
            return _absolute(url, source.uri, source.name, location, hint)
    # OpenAPI: without servers, the default is a server with url "/".
    return _absolute(
        "/", source.uri, source.name, Location(source.uri, "/servers"), hint
    )


def _is_valid_url(url: str) -> bool:
    """Return whether ``url`` is an http(s) URL with a host and a valid port."""
    if not is_remote(url):
        return False
    try:
        parts = urlsplit(url)
        port = parts.port  # Raises ValueError when out of range.
    except ValueError:
        return False
    return bool(parts.hostname) and port != 0


def _absolute(
    url: str, description_uri: str, name: str, location: Location, hint: str
) -> str:
    if is_remote(url):
        if not _is_valid_url(url):
            raise DocumentError(
                f"the server URL {url!r} of source {name!r} is not a valid URL",
                location=location,
                hint=hint,
            )
        return url.rstrip("/")
    if url.startswith("//") and is_remote(description_uri):
        scheme = description_uri.split(":", 1)[0]
        return f"{scheme}:{url}".rstrip("/")
    if is_remote(description_uri):
        return resolve_uri(description_uri, url).rstrip("/")
    if url == "/":
        raise DocumentError(
            f"source {name!r} declares no server, and its description is a local "
            "file, so there is no address to send requests to",
            location=location,
            hint=hint,
        )
    raise DocumentError(
        f"the server URL {url!r} of source {name!r} is relative, and the "
        "description is a local file, so there is no address to resolve it against",
        location=location,
        hint=hint,
    )


def substitute_variables(server: dict[str, Any], location: Location) -> str:
    """Return the server URL with each ``{variable}`` replaced by its default.

    Raises:
        DocumentError: a variable is not declared, has no default, or its
            default is not one of its ``enum`` values.
    """
    url = str(server.get("url", ""))
    variables = server.get("variables")
    variables = variables if isinstance(variables, dict) else {}

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        spec = variables.get(name)
        if not isinstance(spec, dict) or "default" not in spec:
            raise DocumentError(
                f"server URL {url!r} uses variable {name!r}, which has no default",
                location=location,
                hint=f"declare variables.{name}.default, or give the address "
                "with --server",
            )
        default = str(spec["default"])
        enum = spec.get("enum")
        if isinstance(enum, list) and enum and default not in [str(e) for e in enum]:
            raise DocumentError(
                f"server variable {name!r} has default {default!r}, which is not "
                f"one of its enum values {enum!r}",
                location=location,
                hint="make the default one of the enum values",
            )
        return default

    return _VARIABLE.sub(replace, url)
