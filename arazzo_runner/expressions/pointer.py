"""JSON Pointers (RFC 6901) as they appear after ``#`` in runtime expressions.

The text after ``#`` is a URI fragment (RFC 6901 section 6), so it is
percent-decoded first and then split into reference tokens, in which ``~1``
stands for ``/`` and ``~0`` for ``~``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from arazzo_runner.errors import ExpressionSyntaxError
from arazzo_runner.expressions.scope import MISSING

_ARRAY_INDEX = re.compile(r"0|[1-9][0-9]*")
_BAD_ESCAPE = re.compile(r"~(?![01])")
_FRAGMENT_UNSAFE = re.compile(r"[\s%#{}=!<>&|()\[\],'\"]")


@dataclass(frozen=True, slots=True)
class JsonPointer:
    """A parsed JSON Pointer; ``text`` is its source form without the ``#``."""

    text: str
    tokens: tuple[str, ...]

    def __str__(self) -> str:
        return self.text

    def resolve(self, document: Any) -> Any:
        """Return the value the pointer selects in ``document``, or ``MISSING``."""
        return resolve_tokens(document, self.tokens)


def parse_pointer(
    text: str, *, source: str | None = None, offset: int = 0
) -> JsonPointer:
    """Parse the fragment form of a JSON Pointer, such as ``/items/0/id``.

    Args:
        text: The pointer text after ``#``; empty for the whole document.
        source: The whole text the pointer sits in, for error positions.
        offset: Where ``text`` starts inside ``source``.

    Raises:
        ExpressionSyntaxError: The pointer does not start with ``/``, contains a
            ``~`` not followed by ``0`` or ``1``, or percent-decodes to invalid UTF-8.
    """
    where = text if source is None else source
    if text and not text.startswith("/"):
        raise ExpressionSyntaxError(
            f"json pointer {text!r} must start with '/'", text=where, index=offset
        )
    try:
        decoded = unquote(text, errors="strict")
    except UnicodeDecodeError:
        raise ExpressionSyntaxError(
            f"json pointer {text!r} percent-decodes to invalid utf-8",
            text=where,
            index=offset,
        ) from None
    bad_escape = _BAD_ESCAPE.search(decoded)
    if bad_escape is not None:
        escape = decoded[bad_escape.start() : bad_escape.start() + 2]
        # The position in the raw text differs when the '~' was percent-encoded.
        raw_escape = _BAD_ESCAPE.search(text)
        index = offset + (raw_escape.start() if raw_escape else 0)
        raise ExpressionSyntaxError(
            f"invalid escape {escape!r} in json pointer {text!r}: use '~0' for '~'"
            " and '~1' for '/'",
            text=where,
            index=index,
        )
    tokens = tuple(unescape_token(token) for token in decoded.split("/")[1:])
    return JsonPointer(text=text, tokens=tokens)


def unescape_token(token: str) -> str:
    """Turn ``~1`` into ``/`` and then ``~0`` into ``~``, in that order (RFC 6901)."""
    return token.replace("~1", "/").replace("~0", "~")


def escape_token(token: str) -> str:
    """Turn ``~`` into ``~0`` and ``/`` into ``~1``, the inverse of `unescape_token`."""
    return token.replace("~", "~0").replace("/", "~1")


def format_pointer(tokens: Sequence[str]) -> str:
    """Return the fragment text for ``tokens``, such as ``/a~1b/0``.

    Characters that would end an expression inside a template or a condition,
    and ``%`` itself, are percent-encoded, so the text is usable after ``#``
    anywhere and `parse_pointer` gives back the same tokens.
    """
    return "".join(
        "/" + _FRAGMENT_UNSAFE.sub(_percent_encode, escape_token(token))
        for token in tokens
    )


def _percent_encode(match: re.Match[str]) -> str:
    return "".join(f"%{byte:02X}" for byte in match.group().encode("utf-8"))


def resolve_tokens(document: Any, tokens: Sequence[str]) -> Any:
    """Walk ``tokens`` into ``document``; return ``MISSING`` where nothing is there.

    An array index must be ``0`` or a decimal without leading zeros. The ``-``
    token names the element after the last one, which never exists on read.
    """
    value = document
    for token in tokens:
        if isinstance(value, Mapping):
            value = value.get(token, MISSING)
        elif isinstance(value, list):
            if _ARRAY_INDEX.fullmatch(token) is None or int(token) >= len(value):
                return MISSING
            value = value[int(token)]
        else:
            return MISSING
        if value is MISSING:
            return MISSING
    return value
