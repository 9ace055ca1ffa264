"""Decode response bodies into the values runtime expressions read."""

from __future__ import annotations

import json
from typing import Any

from arazzo_runner.openapi.requests import is_json_media_type

_TEXT_TYPES = (
    "application/xml",
    "application/x-www-form-urlencoded",
    "application/javascript",
    "application/yaml",
)


def decode_body(content: bytes, content_type: str | None) -> Any:
    """Return the body as parsed JSON, text or bytes; ``None`` when empty.

    JSON and ``+json`` media types are parsed. Without a ``Content-Type``, a
    body that parses as JSON is taken as JSON. Other text types (``text/*``,
    XML, ``+xml``) stay text, and anything else stays bytes.
    """
    if not content:
        return None
    essence = (content_type or "").split(";", 1)[0].strip().lower()
    if not essence or is_json_media_type(essence):
        try:
            return json.loads(content)
        except ValueError:
            if essence:
                return _text(content)
    if (
        not essence
        or essence.startswith("text/")
        or essence.endswith("+xml")
        or essence in _TEXT_TYPES
    ):
        return _text(content)
    return content


def _text(content: bytes) -> str | bytes:
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content
