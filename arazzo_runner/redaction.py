"""Keep secrets out of logs, reports and results.

Secret values are the values of credential headers (Authorization,
Proxy-Authorization, Cookie, Set-Cookie) and of inputs whose schema marks them
(``format: password`` or ``writeOnly: true``) or whose name says they hold a
credential. A :class:`Redactor` stores the secret values of one run and
replaces them wherever they appear, inside longer text too.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "***"
SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie"}
)
_SECRET_NAME = re.compile(
    r"token|secret|password|apikey|api_key|credential", re.IGNORECASE
)
# Values this short would mask ordinary words, so they are not searched for.
_MIN_SECRET_LENGTH = 4
_SCHEMES = frozenset({"bearer", "basic", "token", "digest"})


def is_secret_input(name: str, schema: Mapping[str, Any] | None) -> bool:
    """Return whether an input contains a secret, by its schema or its name."""
    if schema and (
        schema.get("format") == "password" or schema.get("writeOnly") is True
    ):
        return True
    return _SECRET_NAME.search(name) is not None


class Redactor:
    """Replaces known secret values in text and data."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        """Add secret values; a scheme word such as ``Bearer`` stays visible.

        Each value is also masked in its encoded forms in a URL, a form body
        or a JSON string. So a token with ``/``, ``+`` or ``"`` stays hidden
        after it was sent in a query or a body.
        """
        for secret in secrets:
            scheme, separator, rest = secret.partition(" ")
            if separator and scheme.lower() in _SCHEMES and rest.strip():
                secret = rest.strip()
            if len(secret) >= _MIN_SECRET_LENGTH:
                self._secrets.update(_encoded_forms(secret))
        if self._secrets:
            ordered = sorted(self._secrets, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(s) for s in ordered))

    def text(self, value: str) -> str:
        """Return ``value`` with every known secret masked."""
        if self._pattern is None:
            return value
        return self._pattern.sub(MASK, value)

    def data(self, value: Any) -> Any:
        """Return a copy of JSON-like data with every known secret masked."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {key: self.data(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.data(item) for item in value]
        return value

    def headers(self, headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """Return headers with credential headers masked whole."""
        return [
            (name, MASK if name.lower() in SECRET_HEADERS else self.text(value))
            for name, value in headers
        ]


def _encoded_forms(secret: str) -> set[str]:
    """Return ``secret`` and its percent-encoded and JSON-escaped forms."""
    forms = {
        secret,
        quote(secret, safe=""),
        quote(secret, safe="/"),
        quote_plus(secret),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
    }
    # Percent-encoding may use lower-case hex digits (RFC 3986 allows both).
    forms |= {
        re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), form) for form in forms
    }
    return forms


class RedactingFilter(logging.Filter):
    """Masks a redactor's secrets in the log records it filters.

    The runner puts one on the ``httpx`` logger for the length of a run,
    because httpx logs each request URL, query string included.
    """

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = self.redactor.text(message)
        if masked != message:
            record.msg = masked
            record.args = None
        return True
