"""Placeholders in scripted responses: ``{{path.training_id}}``, ``{{id}}``...

A string that is exactly one placeholder takes the value's own type (an
object stays an object); a placeholder inside longer text is replaced by the
value's text. Placeholders are looked up, never executed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from arazzo_runner.document.sources import resolve_pointer
from arazzo_runner.errors import DocumentError

_OPEN, _CLOSE = "{{", "}}"


class RequestValues:
    """What placeholders can read about the request being answered."""

    def __init__(
        self,
        *,
        path: Mapping[str, str],
        query: Mapping[str, str],
        headers: Mapping[str, str],
        body: Any,
        generated_id: str | None,
        now: str,
        base_url: str,
    ) -> None:
        self.path = path
        self.query = query
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.body = body
        self.generated_id = generated_id
        self.now = now
        self.base_url = base_url

    def lookup(self, name: str) -> Any:
        """Return the value of placeholder ``name`` (``None`` when absent).

        Raises:
            DocumentError: ``name`` is not a known placeholder.
        """
        if name == "id":
            return self.generated_id
        if name == "now":
            return self.now
        if name == "baseUrl":
            return self.base_url
        if name == "body":
            return self.body
        if name.startswith("body#"):
            try:
                return resolve_pointer(self.body, name[len("body#") :])
            except KeyError:
                return None
        source, _, key = name.partition(".")
        if source == "path" and key:
            return self.path.get(key)
        if source == "query" and key:
            return self.query.get(key)
        if source == "header" and key:
            return self.headers.get(key.lower())
        raise DocumentError(
            f"unknown placeholder {{{{{name}}}}}",
            hint="use id, now, baseUrl, body, body#/pointer, path.NAME, "
            "query.NAME or header.NAME",
        )


def fill(template: Any, values: RequestValues) -> Any:
    """Return ``template`` with every placeholder replaced, recursively."""
    if isinstance(template, str):
        return _fill_text(template, values)
    if isinstance(template, dict):
        return {key: fill(item, values) for key, item in template.items()}
    if isinstance(template, list):
        return [fill(item, values) for item in template]
    return template


def _fill_text(text: str, values: RequestValues) -> Any:
    stripped = text.strip()
    if (
        stripped.startswith(_OPEN)
        and stripped.endswith(_CLOSE)
        and stripped.count(_OPEN) == 1
    ):
        return values.lookup(stripped[2:-2].strip())
    parts: list[str] = []
    position = 0
    while True:
        start = text.find(_OPEN, position)
        end = text.find(_CLOSE, start + 2) if start >= 0 else -1
        if start < 0 or end < 0:
            parts.append(text[position:])
            return "".join(parts)
        parts.append(text[position:start])
        value = values.lookup(text[start + 2 : end].strip())
        parts.append(value if isinstance(value, str) else json.dumps(value))
        position = end + 2


def placeholder_names(template: Any) -> list[str]:
    """Return every placeholder name used in ``template`` (for load checks)."""
    found: list[str] = []
    if isinstance(template, str):
        position = 0
        while (start := template.find(_OPEN, position)) >= 0:
            end = template.find(_CLOSE, start + 2)
            if end < 0:
                break
            found.append(template[start + 2 : end].strip())
            position = end + 2
    elif isinstance(template, dict):
        for item in template.values():
            found.extend(placeholder_names(item))
    elif isinstance(template, list):
        for item in template:
            found.extend(placeholder_names(item))
    return found
