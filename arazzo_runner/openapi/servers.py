"""Choose the base URL of an operation: overrides, then the OpenAPI servers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from arazzo_runner.document.sources import is_remote, resolve_uri
from arazzo_runner.errors import DocumentError, Location
from arazzo_runner.openapi.operations import Operation


def base_url(operation: Operation, overrides: Mapping[str, str]) -> str:
    """Return the base URL for ``operation``, without a trailing slash.

    An override for the operation's source replaces every server of that
    source, base path included. Otherwise the operation's servers win over
    the path item's, which win over the document's; server variables take
    their defaults, and a relative server URL is resolved against the
    description's own URL.

    Raises:
        DocumentError: no usable server is declared and none is given.
    """
    source = operation.source
    override = overrides.get(source.name)
    if override:
        return override.rstrip("/")
    for servers in (
        operation.data.get("servers"),
        operation.path_item.get("servers"),
        source.data.get("servers"),
    ):
        if isinstance(servers, list) and servers and isinstance(servers[0], dict):
            url = _substitute_variables(servers[0])
            if is_remote(url):
                return url.rstrip("/")
            if is_remote(source.uri):
                return resolve_uri(source.uri, url).rstrip("/")
            raise DocumentError(
                f"the server URL {url!r} of source {source.name!r} is relative, "
                "and the description is a local file",
                location=Location(source.uri, "/servers/0/url"),
                hint=f"give the API's address with --server {source.name}=URL",
            )
    raise DocumentError(
        f"source {source.name!r} declares no server for {operation.label}",
        location=Location(source.uri, "/servers"),
        hint=f"give the API's address with --server {source.name}=URL",
    )


def _substitute_variables(server: dict[str, Any]) -> str:
    url = str(server.get("url", ""))
    variables = server.get("variables")
    if isinstance(variables, dict):
        for name, spec in variables.items():
            if isinstance(spec, dict) and "default" in spec:
                url = url.replace("{" + name + "}", str(spec["default"]))
    return url
