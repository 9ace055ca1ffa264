"""Placeholders in scripted responses, such as ``{{path.training_id}}``.

A string that is exactly one placeholder takes the value's own type, so an
object stays an object. A placeholder inside longer text is replaced by the
value's text. Placeholders are parsed here and looked up, never executed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from arazzo_runner.document.sources import resolve_pointer
from arazzo_runner.errors import DocumentError

OPEN, CLOSE = "{{", "}}"
# Names without a key. The other placeholders take one: path.NAME,
# query.NAME, header.NAME and body#/pointer.
_SIMPLE_NAMES = frozenset({"id", "now", "baseUrl", "body"})
_KEYED_SOURCES = frozenset({"path", "query", "header"})
_HINT = (
    "use {{id}}, {{now}}, {{baseUrl}}, {{body}}, {{body#/pointer}}, "
    "{{path.NAME}}, {{query.NAME}} or {{header.NAME}}"
)


@dataclass(frozen=True, slots=True)
class Placeholder:
    """One ``{{name}}`` in a template string, with the name stripped."""

    name: str

    @property
    def source(self) -> str:
        """The part before the key: ``path``, ``query``, ``header``, ``body``..."""
        if self.name.startswith("body#"):
            return "body"
        return self.name.partition(".")[0]

    @property
    def key(self) -> str:
        """The key after the source: a parameter name, a header or a pointer."""
        if self.name.startswith("body#"):
            return self.name[len("body#") :]
        return self.name.partition(".")[2]


def parse_text(text: str) -> list[str | Placeholder]:
    """Split ``text`` into literal parts and placeholders.

    Raises:
        DocumentError: a ``{{`` is never closed, or a name is empty or unknown.
    """
    parts: list[str | Placeholder] = []
    position = 0
    while (start := text.find(OPEN, position)) >= 0:
        end = text.find(CLOSE, start + len(OPEN))
        if end < 0:
            raise DocumentError(
                f"placeholder in {text!r} is not closed with '}}}}'",
                hint="write placeholders as {{NAME}}; '{{' always opens one",
            )
        if start > position:
            parts.append(text[position:start])
        parts.append(_placeholder(text[start + len(OPEN) : end].strip()))
        position = end + len(CLOSE)
    if position < len(text):
        parts.append(text[position:])
    return parts


def _placeholder(name: str) -> Placeholder:
    placeholder = Placeholder(name)
    if name in _SIMPLE_NAMES:
        return placeholder
    if placeholder.source == "body" and placeholder.key.startswith("/"):
        return placeholder
    if placeholder.source in _KEYED_SOURCES and placeholder.key:
        return placeholder
    raise DocumentError(f"unknown placeholder {{{{{name}}}}}", hint=_HINT)


def iter_strings(
    template: Any, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Yield every string inside ``template`` with its path of keys and indexes."""
    if isinstance(template, str):
        yield path, template
    elif isinstance(template, dict):
        for key, item in template.items():
            yield from iter_strings(item, (*path, key))
    elif isinstance(template, list):
        for index, item in enumerate(template):
            yield from iter_strings(item, (*path, index))


class RequestValues:
    """The parts of the request being handled that placeholders can read."""

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
        self.headers = {name.lower(): value for name, value in headers.items()}
        self.body = body
        self.generated_id = generated_id
        self.now = now
        self.base_url = base_url

    def lookup(self, placeholder: Placeholder) -> Any:
        """Return the value of ``placeholder``; ``None`` when the request lacks it."""
        simple = {
            "id": self.generated_id,
            "now": self.now,
            "baseUrl": self.base_url,
            "body": self.body,
        }
        if placeholder.name in simple:
            return simple[placeholder.name]
        source, key = placeholder.source, placeholder.key
        if source == "body":
            try:
                return resolve_pointer(self.body, key)
            except KeyError:
                return None
        if source == "path":
            return self.path.get(key)
        if source == "query":
            return self.query.get(key)
        return self.headers.get(key.lower())


def fill(template: Any, values: RequestValues) -> Any:
    """Return ``template`` with every placeholder replaced, recursively.

    ``template`` must have passed :func:`parse_text` at load time, so that no
    string in it raises here.
    """
    if isinstance(template, str):
        return _fill_text(template, values)
    if isinstance(template, dict):
        return {key: fill(item, values) for key, item in template.items()}
    if isinstance(template, list):
        return [fill(item, values) for item in template]
    return template


def _fill_text(text: str, values: RequestValues) -> Any:
    parts = parse_text(text)
    if len(parts) == 1 and isinstance(parts[0], Placeholder):
        return values.lookup(parts[0])

    pieces: list[str] = []
    for part in parts:
        if isinstance(part, str):
            pieces.append(part)
            continue
        value = values.lookup(part)
        pieces.append(value if isinstance(value, str) else json.dumps(value))
    return "".join(pieces)
