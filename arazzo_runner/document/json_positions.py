"""Find the line and column of every value in JSON text.

The reader parses JSON with the standard library, which keeps no positions,
so validation recovers them here when a JSON document has findings, and the
reader when it reports where a duplicate key sits. The positions follow the
reader's YAML convention: an object member sits where its key starts, and
any other value where the value starts (1-based).
"""

from __future__ import annotations

import contextlib
import json
import re
from bisect import bisect_left
from collections.abc import Iterator

from arazzo_runner.document.reader import escape_pointer_segment

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+', re.DOTALL)


def json_positions(text: str) -> dict[str, tuple[int, int]]:
    """Return a map from JSON Pointer to (line, column) for valid JSON ``text``.

    Text that is not valid JSON gives the positions found before the problem.
    """
    return _scan(text).positions


def first_duplicate_key(text: str) -> tuple[str, tuple[int, int]] | None:
    """Return the pointer and position of the first repeated object key.

    The position is that of the second occurrence. ``None`` means that the
    text repeats no key before its end or its first syntax error.
    """
    duplicates = _scan(text).duplicates
    return duplicates[0] if duplicates else None


def _scan(text: str) -> _Scanner:
    newlines = [match.start() for match in re.finditer("\n", text)]
    scanner = _Scanner(_TOKEN.finditer(text), newlines)
    with contextlib.suppress(StopIteration, ValueError, RecursionError):
        scanner.value("")
    return scanner


class _Scanner:
    def __init__(self, tokens: Iterator[re.Match[str]], newlines: list[int]) -> None:
        self.tokens = tokens
        self.newlines = newlines
        self.positions: dict[str, tuple[int, int]] = {}
        self.duplicates: list[tuple[str, tuple[int, int]]] = []

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect_left(self.newlines, offset)
        start = self.newlines[line - 1] + 1 if line else 0
        return line + 1, offset - start + 1

    def value(self, pointer: str, token: re.Match[str] | None = None) -> None:
        token = token or next(self.tokens)
        self.positions.setdefault(pointer, self.position(token.start()))
        text = token.group()
        if text == "{":
            self.members(pointer)
        elif text == "[":
            self.items(pointer)

    def members(self, pointer: str) -> None:
        token = next(self.tokens)
        keys: set[str] = set()
        while token.group() != "}":
            key = json.loads(token.group())
            child = f"{pointer}/{escape_pointer_segment(key)}"
            self.positions[child] = self.position(token.start())
            if key in keys:
                self.duplicates.append((child, self.positions[child]))
            keys.add(key)
            if next(self.tokens).group() != ":":
                raise ValueError("expected ':'")
            self.value(child)
            token = next(self.tokens)
            if token.group() == ",":
                token = next(self.tokens)

    def items(self, pointer: str) -> None:
        token = next(self.tokens)
        index = 0
        while token.group() != "]":
            self.value(f"{pointer}/{index}", token)
            index += 1
            token = next(self.tokens)
            if token.group() == ",":
                token = next(self.tokens)
