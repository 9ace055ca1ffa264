"""Mask the credentials a request to the mock carries before it is logged.

A credential is the value of one of these:

- a credential header (Authorization, Cookie and the others in
  :data:`~arazzo_runner.redaction.SECRET_HEADERS`);
- a header whose name marks it as one (``X-API-Key``, ``X-Auth-Token``);
- a header, query or cookie parameter that an ``apiKey`` security scheme of
  the OpenAPI description names.

Each value found is then masked wherever else it appears in the entry: the
query string, the path and the body.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from http.cookies import CookieError, SimpleCookie
from typing import Any

from arazzo_runner.openapi.operations import api_key_names
from arazzo_runner.redaction import MASK, SECRET_HEADERS, Redactor

_SECRET_HEADER_NAME = re.compile(
    r"token|secret|password|api[-_]?key|credential|auth", re.IGNORECASE
)


class RequestMasker:
    """Masks the credentials of logged requests, for one OpenAPI description."""

    def __init__(self, openapi: Mapping[str, Any]) -> None:
        self._api_keys = api_key_names(dict(openapi))

    def mask(self, entry: dict[str, Any]) -> dict[str, Any]:
        """Return a copy of a log entry with every credential masked.

        ``entry`` contains ``headers`` (a name to value map), ``query`` (a name
        to list of values map) and any other JSON-like members.
        """
        secrets: list[str] = []
        headers: dict[str, str] = {}
        for name, value in entry.get("headers", {}).items():
            if self._is_secret_header(name):
                secrets.append(value)
                headers[name] = MASK
            else:
                headers[name] = value
        query: dict[str, list[str]] = {}
        for name, values in entry.get("query", {}).items():
            if name in self._api_keys["query"]:
                secrets.extend(values)
                query[name] = [MASK for _ in values]
            else:
                query[name] = values
        for name, value in _cookies(entry.get("headers", {})):
            if name in self._api_keys["cookie"]:
                secrets.append(value)
        redactor = Redactor(secrets)
        masked = {
            key: redactor.data(value)
            for key, value in entry.items()
            if key not in ("headers", "query")
        }
        masked["headers"] = headers
        masked["query"] = query
        return masked

    def _is_secret_header(self, name: str) -> bool:
        lowered = name.lower()
        return (
            lowered in SECRET_HEADERS
            or lowered in self._api_keys["header"]
            or _SECRET_HEADER_NAME.search(name) is not None
        )


def _cookies(headers: Mapping[str, str]) -> list[tuple[str, str]]:
    """Return the name and value of each cookie the request sent."""
    pairs: list[tuple[str, str]] = []
    for name, value in headers.items():
        if name.lower() != "cookie":
            continue
        cookie: SimpleCookie = SimpleCookie()
        try:
            cookie.load(value)
        except CookieError:
            continue
        pairs.extend((key, morsel.value) for key, morsel in cookie.items())
    return pairs
