"""Tokens, the token stream and the literal readers shared by the condition parsers."""

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


def read_quoted(text: str, start: int, end: int) -> Token:
    """Read a single-quoted string in which ``''`` stands for one quote."""
    parts: list[str] = []
    index = start + 1
    while index < end:
        quote = text.find("'", index, end)
        if quote < 0:
            break
        parts.append(text[index:quote])
        if quote + 1 < end and text[quote + 1] == "'":
            parts.append("'")
            index = quote + 2
            continue
        return Token(STRING, "".join(parts), start, quote + 1)
    raise ExpressionSyntaxError(
        f"unterminated string {text[start:end]!r}: add the closing quote",
        text=text,
        index=start,
    )


def read_number(text: str, start: int, end: int) -> Token:
    """Read a JSON number, such as ``-1``, ``200`` or ``2.5e3``."""
    match = NUMBER_PATTERN.match(text, start, end)
    stop = match.end() if match else start
    if match is None or (stop < end and (text[stop].isalnum() or text[stop] == "_")):
        word = re.compile(r"[-\w.+]+").match(text, start, end)
        invalid = word.group() if word else text[start]
        raise ExpressionSyntaxError(
            f"invalid number {invalid!r}", text=text, index=start
        )
    return Token(NUMBER, number_value(match.group()), start, stop)


def read_keyword(text: str, start: int, end: int) -> Token:
    """Read ``true``, ``false`` or ``null``; any other bare word is an error."""
    match = WORD_PATTERN.match(text, start, end)
    if match is None:
        raise ExpressionSyntaxError(
            f"unexpected character {text[start]!r}", text=text, index=start
        )
    word = match.group()
    if word not in KEYWORDS:
        raise ExpressionSyntaxError(
            f"unexpected word {word!r}: strings are single-quoted, as in '{word}',"
            " and runtime expressions start with '$'",
            text=text,
            index=start,
        )
    return Token(KEYWORD, KEYWORDS[word], start, match.end())


def match_operator(text: str, start: int, end: int) -> str:
    """Return the operator at ``start``, the longest spelling first."""
    for operator in OPERATORS:
        if text.startswith(operator, start) and start + len(operator) <= end:
            return operator
    character = text[start]
    message = f"unexpected character {character!r}"
    if character == "=":
        message += ": use '==' to compare"
    elif character in "&|":
        message += f": use '{character * 2}'"
    elif character in "{}":
        message += ": write runtime expressions in conditions without braces"
    raise ExpressionSyntaxError(message, text=text, index=start)
