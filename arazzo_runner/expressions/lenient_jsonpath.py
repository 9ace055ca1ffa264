"""``jsonpath`` criteria written as comparisons, such as ``$.status == "failed"``.

Such a condition is not an RFC 9535 query, but many real documents use it.
It is read as comparisons of JSONPath queries, runtime expressions and
literals (strings in double or single quotes, numbers, ``true``, ``false``,
``null``) joined by ``&&``, ``||``, ``!`` and parentheses, with the precedence
and loose comparison rules of simple conditions. Each query must select at
most one node, and a query that selects none gives null.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from arazzo_runner.errors import ExpressionSyntaxError
from arazzo_runner.expressions import _tokens
from arazzo_runner.expressions._tokens import match_operator, read_keyword, read_number
from arazzo_runner.expressions.conditions import (
    Binary,
    ConditionNode,
    ConditionParser,
    EvaluationContext,
    Index,
    Member,
    Not,
    read_expression,
)
from arazzo_runner.expressions.jsonpath import JsonPathDialect
from arazzo_runner.expressions.leniency import Leniency
from arazzo_runner.expressions.pointer import JsonPointer, format_pointer
from arazzo_runner.expressions.runtime import (
    InputExpression,
    MessageExpression,
    OutputExpression,
    RuntimeExpression,
    StepOutputExpression,
    WorkflowExpression,
)
from arazzo_runner.expressions.scope import MISSING

_OPERATORS = frozenset(("==", "!=", "<", "<=", ">", ">=", "!", "&&", "||"))
# Characters that end a query at bracket depth 0, besides whitespace.
_QUERY_TERMINATORS = frozenset("=!<>&|")
_ESCAPES = {
    '"': '"',
    "'": "'",
    "\\": "\\",
    "/": "/",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
}
# `$.a.b`, `$['a']`, `$[0]`: queries that a JSON Pointer can express.
_SIMPLE_SEGMENT = re.compile(
    r"\.(?P<name>[A-Za-z_][A-Za-z0-9_\-]*)"
    r"|\[(?P<index>0|[1-9][0-9]*)\]"
    r"|\['(?P<single>[^'\\]*)'\]"
    r'|\["(?P<double>[^"\\]*)"\]'
)


class TooManyNodesError(Exception):
    """A query in a comparison selected more than one node."""

    def __init__(self, query: str, count: int) -> None:
        super().__init__(
            f"query {query!r} selects {count} nodes; a comparison needs at most one"
        )
        self.query = query
        self.count = count


@dataclass(frozen=True, slots=True)
class QueryOperand(ConditionNode):
    """A JSONPath query used as a value: its single node, or null for none."""

    text: str
    compiled: Any = field(compare=False, repr=False)
    dialect: JsonPathDialect = field(compare=False, repr=False)

    def evaluate(self, context: EvaluationContext) -> Any:
        values = self.dialect.find(self.compiled, context.document)
        if len(values) > 1:
            raise TooManyNodesError(self.text, len(values))
        return values[0] if values else None

    def __str__(self) -> str:
        return self.text


def parse_jsonpath_comparison(
    text: str, dialect: JsonPathDialect
) -> tuple[ConditionNode, tuple[Leniency, ...]]:
    """Parse a comparison-style ``jsonpath`` condition.

    A runtime expression such as ``$inputs.id`` may stand where a query
    could, since a JSONPath query never has a letter right after ``$``.
    Returns the condition tree and the leniencies found in those expressions.

    Raises:
        ExpressionSyntaxError: ``text`` is not such a comparison, or it
            contains no query, or one of its queries is invalid in ``dialect``.
    """
    found: list[Leniency] = []
    tokens = _tokenize(text, dialect, found)
    if not any(token.kind == _tokens.OPERAND for token in tokens):
        raise ExpressionSyntaxError(
            "a jsonpath condition needs at least one query starting with '$'",
            text=text,
            index=0,
        )
    # A lone query is either a valid query or invalid; reading it as a
    # comparison would change its meaning from "selects a node" to truthiness.
    if not any(token.kind in _OPERATORS for token in tokens):
        raise ExpressionSyntaxError(
            "a jsonpath comparison needs an operator", text=text, index=0
        )
    node = ConditionParser(_tokens.TokenStream(tokens, text)).parse()
    return node, tuple(found)


def _tokenize(
    text: str, dialect: JsonPathDialect, found: list[Leniency]
) -> list[_tokens.Token]:
    tokens: list[_tokens.Token] = []
    index = 0
    end = len(text)
    while index < end:
        character = text[index]
        if character in _tokens.WHITESPACE:
            index += 1
            continue
        if character == "$" and text[index + 1 : index + 2].isalpha():
            token = read_expression(text, index, end)
            expression = token.value.expression
            found.extend(item.shifted(index) for item in expression.leniencies)
        elif character == "$":
            token = _read_query(text, index, dialect)
        elif character in "'\"":
            token = _read_string(text, index)
        elif character == "-" or character.isdigit():
            token = read_number(text, index, end)
        elif character.isalpha() or character == "_":
            token = read_keyword(text, index, end)
        else:
            operator = match_operator(text, index, end)
            if operator in ("[", "]", "."):
                raise ExpressionSyntaxError(
                    f"unexpected {operator!r} outside a query",
                    text=text,
                    index=index,
                )
            token = _tokens.Token(operator, operator, index, index + len(operator))
        tokens.append(token)
        index = token.end
    tokens.append(_tokens.Token(_tokens.END, None, end, end))
    return tokens


def _read_query(text: str, start: int, dialect: JsonPathDialect) -> _tokens.Token:
    """Read a query: up to whitespace or an operator outside brackets and strings."""
    depth = 0
    quote: str | None = None
    index = start
    while index < len(text):
        character = text[index]
        if quote is not None:
            if character == "\\":
                index += 1
            elif character == quote:
                quote = None
        elif character in "'\"" and depth > 0:
            quote = character
        elif character in "[(":
            depth += 1
        elif character in "])":
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and (
            character in _tokens.WHITESPACE or character in _QUERY_TERMINATORS
        ):
            break
        index += 1
    index = min(index, len(text))
    query = text[start:index]
    compiled = dialect.compile(query, source=text, offset=start)
    operand = QueryOperand(query, compiled, dialect)
    return _tokens.Token(_tokens.OPERAND, operand, start, index)


def _read_string(text: str, start: int) -> _tokens.Token:
    """Read a string in single or double quotes with JSON backslash escapes."""
    quote = text[start]
    parts: list[str] = []
    index = start + 1
    while index < len(text):
        character = text[index]
        if character == quote:
            return _tokens.Token(_tokens.STRING, "".join(parts), start, index + 1)
        if character != "\\":
            parts.append(character)
            index += 1
            continue
        escape = text[index + 1 : index + 2]
        if escape in _ESCAPES:
            parts.append(_ESCAPES[escape])
            index += 2
        elif escape == "u" and re.fullmatch(
            r"[0-9A-Fa-f]{4}", text[index + 2 : index + 6]
        ):
            parts.append(chr(int(text[index + 2 : index + 6], 16)))
            index += 6
        else:
            raise ExpressionSyntaxError(
                f"invalid escape '\\{escape}' in string", text=text, index=index
            )
    raise ExpressionSyntaxError(
        f"unterminated string {text[start:]!r}: add the closing quote",
        text=text,
        index=start,
    )


# Suggesting the standard form


def suggest_simple_form(node: ConditionNode, context: RuntimeExpression | None) -> str:
    """Return the ``simple`` condition equivalent to a comparison-style condition.

    Each query must be a plain path (``$.a.b``, ``$['a']``, ``$[0]``), and the
    context an expression that takes a JSON Pointer. Otherwise the result is
    a general hint with an example.
    """
    generic = (
        "a simple condition with JSON Pointers into the context, such as"
        f" {context or '$response.body'}#/status == 'succeeded'"
    )
    if context is None or _with_pointer(context, ()) is None:
        return generic
    rewritten = _rewrite(node, context)
    return generic if rewritten is None else str(rewritten)


@dataclass(frozen=True, slots=True)
class _PointerOperand(ConditionNode):
    """A runtime expression written out as text, for suggestions only."""

    text: str

    def evaluate(self, context: EvaluationContext) -> Any:
        return MISSING

    def __str__(self) -> str:
        return self.text


def _rewrite(node: ConditionNode, context: RuntimeExpression) -> ConditionNode | None:
    if isinstance(node, QueryOperand):
        tokens = _simple_path(node.text)
        if tokens is None:
            return None
        expression = _with_pointer(context, tokens)
        return None if expression is None else _PointerOperand(expression)
    if isinstance(node, Binary):
        left = _rewrite(node.left, context)
        right = _rewrite(node.right, context)
        if left is None or right is None:
            return None
        return Binary(node.operator, left, right)
    if isinstance(node, Not):
        operand = _rewrite(node.operand, context)
        return None if operand is None else Not(operand)
    if isinstance(node, (Index, Member)):
        target = _rewrite(node.target, context)
        return None if target is None else replace(node, target=target)
    return node


def _simple_path(query: str) -> tuple[str, ...] | None:
    tokens: list[str] = []
    index = 1
    while index < len(query):
        match = _SIMPLE_SEGMENT.match(query, index)
        if match is None:
            return None
        tokens.append(next(group for group in match.groups() if group is not None))
        index = match.end()
    return tuple(tokens)


def _with_pointer(context: RuntimeExpression, tokens: tuple[str, ...]) -> str | None:
    """Return ``context`` with ``tokens`` added to its pointer, or ``None``."""
    pointed = (
        InputExpression,
        OutputExpression,
        StepOutputExpression,
        WorkflowExpression,
    )
    if isinstance(context, MessageExpression):
        if context.source != "body":
            return None
        base = context.path
    elif isinstance(context, pointed):
        base = ()
    else:
        return None
    existing = context.pointer.tokens if context.pointer is not None else ()
    combined = (*base, *existing, *tokens)
    if not combined:
        return str(context)
    text = format_pointer(combined)
    pointer = JsonPointer(text=text, tokens=combined)
    if isinstance(context, MessageExpression):
        return str(replace(context, pointer=pointer, path=()))
    return str(replace(context, pointer=pointer))
