"""Tokens and the token stream shared by the condition parsers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from arazzo_runner.errors import ExpressionSyntaxError

# Token kinds that are not operators.
STRING = "string"
NUMBER = "number"
KEYWORD = "keyword"  # true, false, null
OPERAND = "operand"  # a runtime expression or a JSONPath query, already parsed
NAME = "name"  # a property name after '.'
END = "end"

OPERATORS = ("==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "(", ")", "[", "]", ".")
"""Operator spellings, longest first so that ``<=`` wins over ``<``."""

KEYWORDS: dict[str, Any] = {"true": True, "false": False, "null": None}

# The JSON number grammar (RFC 8259 section 6), negatives included.
NUMBER_PATTERN = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
WORD_PATTERN = re.compile(r"[^\W\d][\w\-]*")
WHITESPACE = " \t\r\n"


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its kind, its value, and where it sits in the source text.

    For operators ``kind`` is the operator itself. ``value`` is the decoded
    value for literals, the parsed node for operands, and the text otherwise.
    """

    kind: str
    value: Any
    start: int
    end: int


def number_value(text: str) -> int | float:
    """Return the Python number for JSON number ``text``."""
    if any(character in text for character in ".eE"):
        return float(text)
    return int(text)


def describe(token: Token, source: str) -> str:
    """Return the token as an error message quotes it."""
    if token.kind == END:
        return "end of condition"
    return repr(source[token.start : token.end])


class TokenStream:
    """A list of tokens with one token of look-ahead."""

    def __init__(self, tokens: list[Token], source: str) -> None:
        self.tokens = tokens
        self.source = source
        self.position = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.position]

    def peek(self) -> Token:
        """Return the token after the current one (the end token at the end)."""
        return self.tokens[min(self.position + 1, len(self.tokens) - 1)]

    def next(self) -> Token:
        """Consume and return the current token."""
        token = self.tokens[self.position]
        if token.kind != END:
            self.position += 1
        return token

    def expect(self, kind: str) -> Token:
        """Consume the current token if it has ``kind``, else raise."""
        token = self.current
        if token.kind != kind:
            raise self.error(
                f"expected {kind!r}, found {describe(token, self.source)}", token
            )
        return self.next()

    def error(self, message: str, token: Token) -> ExpressionSyntaxError:
        return ExpressionSyntaxError(message, text=self.source, index=token.start)
