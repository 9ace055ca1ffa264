"""Decode response bodies for runtime expressions.

JSON and ``+json`` bodies are parsed. XML, ``text/*`` and other text types
become strings, decoded by their ``charset`` (UTF-8 by default). Anything
else stays bytes, and an empty body is ``None``. Checking a response against
the description is :mod:`arazzo_runner.openapi.validation`.
"""

from __future__ import annotations

import codecs
from typing import Any

from arazzo_runner.openapi.bodies import (
    is_json_media_type,
    is_xml_media_type,
    media_essence,
)
from arazzo_runner.openapi.serialize import parse_json

_TEXT_TYPES = frozenset(
    {
        "application/x-www-form-urlencoded",
        "application/javascript",
        "application/ecmascript",
        "application/yaml",
        "application/x-yaml",
        "application/graphql",
    }
)


def decode_body(content: bytes, content_type: str | None) -> Any:
    """Return the body as parsed JSON, text or bytes; ``None`` when empty.

    Without a ``Content-Type``, a body that parses as JSON is taken as JSON
    and one that is UTF-8 text as text. A JSON body that does not parse, or
    nests too deep for the parser, stays text, so that criteria can still
    read it.
    """
    if not content:
        return None
    essence = media_essence(content_type or "")
    charset = _charset(content_type)
    if not essence or is_json_media_type(essence):
        try:
            # A byte order mark is not JSON, but some servers send one.
            return parse_json(content.decode(charset or "utf-8").lstrip("\ufeff"))
        except (ValueError, LookupError, RecursionError):
            pass
        return _text(content, charset)
    if is_text_media_type(essence):
        return _text(content, charset)
    return content


def is_text_media_type(essence: str) -> bool:
    """Return whether a body of this media type is read as text: ``text/*``,
    XML, ``+yaml`` and a few ``application`` types such as forms."""
    return (
        essence.startswith("text/")
        or is_xml_media_type(essence)
        or essence.endswith("+yaml")
        or essence in _TEXT_TYPES
    )


def _charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    for parameter in content_type.split(";")[1:]:
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "charset":
            name = value.strip().strip('"')
            try:
                return codecs.lookup(name).name
            except LookupError:
                return None
    return None


def _text(content: bytes, charset: str | None) -> str | bytes:
    try:
        return content.decode(charset or "utf-8")
    except UnicodeDecodeError:
        return content


def body_length(value: Any) -> int | None:
    """Return the byte length of a binary body, or ``None`` for other bodies."""
    return len(value) if isinstance(value, (bytes, bytearray)) else None
