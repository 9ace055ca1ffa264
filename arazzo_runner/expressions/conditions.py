"""``simple`` conditions (Arazzo 1.0.1, Criterion Object): parsing and evaluation.

The specification lists the literals and operators but gives no grammar or
precedence. This parser uses C-like precedence, from tightest to loosest::

    postfix  x[0]  x.name
    unary    !
    order    <  <=  >  >=       (no chaining: a < b < c is a syntax error)
    equality ==  !=             (no chaining)
    and      &&                 (left-associative)
    or       ||                 (left-associative)

Strings are single-quoted, with ``''`` standing for one quote. A runtime
expression operand starts at ``$`` and ends at whitespace or at one of
``=!<>&|()[],'"{}``, so header names that contain such characters cannot be
used in conditions. Values compare by the loose rules of `loose_equals` and
`loose_compare`, and a reference that reaches no value is null.
"""

from __future__ import annotations

import json
import math
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from arazzo_runner.errors import ExpressionSyntaxError
from arazzo_runner.expressions import _tokens, leniency
from arazzo_runner.expressions._tokens import (
    Token,
    TokenStream,
    match_operator,
    read_keyword,
    read_number,
    read_quoted,
)
from arazzo_runner.expressions.leniency import Leniency
from arazzo_runner.expressions.loose import is_truthy, loose_compare, loose_equals
from arazzo_runner.expressions.runtime import RuntimeExpression, parse_expression_at
from arazzo_runner.expressions.scope import MISSING, Scope

__all__ = [
    "Binary",
    "Condition",
    "ConditionNode",
    "ConditionParser",
    "EvaluationContext",
    "ExpressionOperand",
    "Index",
    "Literal",
    "Member",
    "Not",
    "is_truthy",
    "loose_compare",
    "loose_equals",
    "parse_condition",
    "read_expression",
    "tokenize_condition",
]

# Characters that end a runtime expression inside a condition, besides whitespace.
EXPRESSION_TERMINATORS = frozenset("=!<>&|()[],'\"{}")
_PROPERTY_NAME = re.compile(r"[^\s=!<>&|()\[\],'\".{}#]+")

# Binding strength of each binary operator; higher binds tighter.
_PRECEDENCE = {"||": 1, "&&": 2, "==": 3, "!=": 3, "<": 4, "<=": 4, ">": 4, ">=": 4}
_UNARY_PRECEDENCE = 5
_POSTFIX_PRECEDENCE = 6
_ORDER_OPERATORS = ("<", "<=", ">", ">=")
_EQUALITY_OPERATORS = ("==", "!=")

# Limits that keep the recursive parser, printer and evaluator well inside
# Python's default recursion limit of 1,000 frames. One level of parentheses
# takes nine parser frames, and each binary operator adds a level to the tree.
MAX_NESTING = 32
MAX_OPERATORS = 100


# Syntax tree


@dataclass(slots=True)
class EvaluationContext:
    """The input of condition nodes: the scope, and a document for JSONPath operands."""

    scope: Scope
    document: Any = MISSING


class ConditionNode(ABC):
    """Base of the condition syntax tree."""

    __slots__ = ()

    @property
    def precedence(self) -> int:
        """Binding strength for printing; operands and literals bind tightest."""
        return 9

    @abstractmethod
    def evaluate(self, context: EvaluationContext) -> Any:
        """Return this node's value; a reference that reaches no value gives null."""

    def children(self) -> tuple[ConditionNode, ...]:
        return ()

    def walk(self) -> Iterator[ConditionNode]:
        """Yield this node and every node below it, depth first."""
        yield self
        for child in self.children():
            yield from child.walk()


@dataclass(frozen=True, slots=True, eq=False)
class Literal(ConditionNode):
    """A string, number, ``true``, ``false`` or ``null``."""

    value: Any

    # Python's `True == 1` must not make `true` and `1` equal literals.
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Literal):
            return NotImplemented
        return type(self.value) is type(other.value) and self.value == other.value

    def __hash__(self) -> int:
        return hash((type(self.value), self.value))

    def evaluate(self, context: EvaluationContext) -> Any:
        return self.value

    def __str__(self) -> str:
        if isinstance(self.value, str):
            return "'" + self.value.replace("'", "''") + "'"
        if isinstance(self.value, float) and math.isinf(self.value):
            # A literal such as 1e400 overflows to infinity, which JSON cannot
            # write. 1e999 is a number literal that overflows to it again.
            return "1e999" if self.value > 0 else "-1e999"
        return json.dumps(self.value)


@dataclass(frozen=True, slots=True)
class ExpressionOperand(ConditionNode):
    """A runtime expression used as a value."""

    expression: RuntimeExpression

    def evaluate(self, context: EvaluationContext) -> Any:
        value = self.expression.evaluate(context.scope)
        return None if value is MISSING else value

    def __str__(self) -> str:
        return str(self.expression)


@dataclass(frozen=True, slots=True)
class Not(ConditionNode):
    """``!operand``: true when the operand is not truthy."""

    operand: ConditionNode

    @property
    def precedence(self) -> int:
        return _UNARY_PRECEDENCE

    def evaluate(self, context: EvaluationContext) -> Any:
        return not is_truthy(self.operand.evaluate(context))

    def children(self) -> tuple[ConditionNode, ...]:
        return (self.operand,)

    def __str__(self) -> str:
        return "!" + _wrap(self.operand, self.precedence, parenthesize_equal=False)


@dataclass(frozen=True, slots=True)
class Binary(ConditionNode):
    """A comparison, or ``&&`` / ``||`` (which short-circuit and give a boolean)."""

    operator: str
    left: ConditionNode
    right: ConditionNode

    @property
    def precedence(self) -> int:
        return _PRECEDENCE[self.operator]

    def evaluate(self, context: EvaluationContext) -> Any:
        if self.operator == "&&":
            return is_truthy(self.left.evaluate(context)) and is_truthy(
                self.right.evaluate(context)
            )
        if self.operator == "||":
            return is_truthy(self.left.evaluate(context)) or is_truthy(
                self.right.evaluate(context)
            )
        left = self.left.evaluate(context)
        right = self.right.evaluate(context)
        return loose_compare(self.operator, left, right)

    def children(self) -> tuple[ConditionNode, ...]:
        return (self.left, self.right)

    def __str__(self) -> str:
        # `&&` and `||` are left-associative; comparisons do not chain at all.
        chains = self.operator in ("&&", "||")
        left = _wrap(self.left, self.precedence, parenthesize_equal=not chains)
        right = _wrap(self.right, self.precedence, parenthesize_equal=True)
        return f"{left} {self.operator} {right}"


@dataclass(frozen=True, slots=True)
class Index(ConditionNode):
    """``target[n]``: the n-th element of an array, null when there is none."""

    target: ConditionNode
    index: int

    @property
    def precedence(self) -> int:
        return _POSTFIX_PRECEDENCE

    def evaluate(self, context: EvaluationContext) -> Any:
        value = self.target.evaluate(context)
        if isinstance(value, list) and self.index < len(value):
            return value[self.index]
        return None

    def children(self) -> tuple[ConditionNode, ...]:
        return (self.target,)

    def __str__(self) -> str:
        target = _wrap(self.target, self.precedence, parenthesize_equal=False)
        return f"{target}[{self.index}]"


@dataclass(frozen=True, slots=True)
class Member(ConditionNode):
    """``target.name``: a property of an object, null when there is none."""

    target: ConditionNode
    name: str

    @property
    def precedence(self) -> int:
        return _POSTFIX_PRECEDENCE

    def evaluate(self, context: EvaluationContext) -> Any:
        value = self.target.evaluate(context)
        if isinstance(value, Mapping):
            return value.get(self.name)
        return None

    def children(self) -> tuple[ConditionNode, ...]:
        return (self.target,)

    def __str__(self) -> str:
        target = _wrap(self.target, self.precedence, parenthesize_equal=False)
        # A following '.name' would extend a number or a runtime expression.
        if isinstance(self.target, (Literal, ExpressionOperand)):
            target = f"({target})"
        return f"{target}.{self.name}"


def _wrap(node: ConditionNode, parent: int, *, parenthesize_equal: bool) -> str:
    text = str(node)
    if node.precedence < parent or (parenthesize_equal and node.precedence == parent):
        return f"({text})"
    return text


@dataclass(frozen=True, slots=True)
class Condition:
    """A parsed ``simple`` condition.

    ``leniencies`` lists the non-standard forms accepted while parsing, with
    indexes into the original text; it takes no part in equality.
    """

    node: ConditionNode
    leniencies: tuple[Leniency, ...] = field(default=(), compare=False)

    def evaluate(self, scope: Scope) -> Any:
        """Return the condition's value; `is_truthy` of it decides a criterion."""
        return self.node.evaluate(EvaluationContext(scope))

    def expressions(self) -> tuple[RuntimeExpression, ...]:
        """Return every runtime expression in the condition, left to right."""
        return tuple(
            node.expression
            for node in self.node.walk()
            if isinstance(node, ExpressionOperand)
        )

    def __str__(self) -> str:
        return str(self.node)


# Parsing


def parse_condition(text: str) -> Condition:
    """Parse a ``simple`` condition such as ``$statusCode == 200``.

    A condition wrapped in one pair of braces, ``{$statusCode == 200}``, is
    accepted with the braces removed and reported as a leniency.

    Raises:
        ExpressionSyntaxError: ``text`` is not a valid condition; the error's
            ``index`` points into ``text``.
    """
    start, end = _strip_whitespace(text, 0, len(text))
    found: list[Leniency] = []
    if end - start >= 2 and text[start] == "{" and text[end - 1] == "}":
        inner = text[start + 1 : end - 1].strip()
        found.append(
            Leniency(
                code=leniency.BRACED_CONDITION,
                message="condition wrapped in braces",
                suggestion=inner,
                index=start,
            )
        )
        start, end = _strip_whitespace(text, start + 1, end - 1)
    tokens = tokenize_condition(text, start, end, found)
    node = ConditionParser(TokenStream(tokens, text)).parse()
    return Condition(node, tuple(found))


def _strip_whitespace(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _tokens.WHITESPACE:
        start += 1
    while end > start and text[end - 1] in _tokens.WHITESPACE:
        end -= 1
    return start, end


def tokenize_condition(
    text: str, start: int, end: int, leniencies: list[Leniency]
) -> list[Token]:
    """Split ``text[start:end]`` into condition tokens, ending with an end token.

    Leniencies found in runtime expressions are appended to ``leniencies``.
    """
    tokens: list[Token] = []
    index = start
    while index < end:
        character = text[index]
        if character in _tokens.WHITESPACE:
            index += 1
        elif character == "$":
            token = read_expression(text, index, end)
            shifted = (
                item.shifted(index) for item in token.value.expression.leniencies
            )
            leniencies.extend(shifted)
            tokens.append(token)
            index = token.end
        elif character == "'":
            token = read_quoted(text, index, end)
            tokens.append(token)
            index = token.end
        elif character == '"':
            raise _double_quote_error(text, index, end)
        elif character == "-" or character.isdigit():
            token = read_number(text, index, end)
            tokens.append(token)
            index = token.end
        elif character.isalpha() or character == "_":
            token = read_keyword(text, index, end)
            tokens.append(token)
            index = token.end
        else:
            operator = match_operator(text, index, end)
            tokens.append(Token(operator, operator, index, index + len(operator)))
            index += len(operator)
            if operator == ".":
                name = _PROPERTY_NAME.match(text, index, end)
                if name is not None:
                    tokens.append(Token(_tokens.NAME, name.group(), index, name.end()))
                    index = name.end()
    tokens.append(Token(_tokens.END, None, end, end))
    return tokens


def read_expression(text: str, start: int, end: int) -> Token:
    """Read a runtime expression operand, which ends at whitespace or an operator."""
    stop = start
    while (
        stop < end
        and text[stop] not in _tokens.WHITESPACE
        and text[stop] not in EXPRESSION_TERMINATORS
    ):
        stop += 1
    expression = parse_expression_at(text, start, stop)
    return Token(_tokens.OPERAND, ExpressionOperand(expression), start, stop)


def _double_quote_error(text: str, start: int, end: int) -> ExpressionSyntaxError:
    close = text.find('"', start + 1, end)
    quoted = text[start : close + 1] if close >= 0 else text[start:end]
    content = quoted.strip('"').replace("'", "''")
    return ExpressionSyntaxError(
        f"double-quoted string {quoted}: strings in conditions use single quotes,"
        f" as in '{content}'",
        text=text,
        index=start,
    )


class ConditionParser:
    """Recursive-descent parser from tokens to a condition tree.

    One method per precedence level. Operand tokens arrive already parsed, so
    the same parser serves simple conditions and comparison-style JSONPath.
    """

    def __init__(self, stream: TokenStream) -> None:
        self.stream = stream
        self.nesting = 0
        self.operators = 0

    def parse(self) -> ConditionNode:
        if self.stream.current.kind == _tokens.END:
            raise self.stream.error("empty condition", self.stream.current)
        node = self.parse_or()
        token = self.stream.current
        if token.kind != _tokens.END:
            raise self.stream.error(
                f"unexpected {_tokens.describe(token, self.stream.source)}:"
                " expected an operator or end of condition",
                token,
            )
        return node

    def parse_or(self) -> ConditionNode:
        node = self.parse_and()
        while self.stream.current.kind == "||":
            self._next_operator()
            node = Binary("||", node, self.parse_and())
        return node

    def parse_and(self) -> ConditionNode:
        node = self.parse_equality()
        while self.stream.current.kind == "&&":
            self._next_operator()
            node = Binary("&&", node, self.parse_equality())
        return node

    def parse_equality(self) -> ConditionNode:
        return self._parse_comparison(_EQUALITY_OPERATORS, self.parse_order)

    def parse_order(self) -> ConditionNode:
        return self._parse_comparison(_ORDER_OPERATORS, self.parse_unary)

    def _parse_comparison(
        self, operators: tuple[str, ...], parse_operand: Callable[[], ConditionNode]
    ) -> ConditionNode:
        node = parse_operand()
        if self.stream.current.kind not in operators:
            return node
        operator = self._next_operator().kind
        node = Binary(operator, node, parse_operand())
        token = self.stream.current
        if token.kind in operators:
            raise self.stream.error(
                f"comparisons cannot be chained: {token.kind!r} follows"
                f" {operator!r}; add parentheses",
                token,
            )
        return node

    def _next_operator(self) -> Token:
        """Consume a binary operator, counting it against `MAX_OPERATORS`."""
        token = self.stream.current
        self.operators += 1
        if self.operators > MAX_OPERATORS:
            raise self.stream.error(
                f"condition has more than {MAX_OPERATORS} operators", token
            )
        return self.stream.next()

    def _enter(self) -> None:
        """Consume a '(' or '!', counting it against `MAX_NESTING`."""
        token = self.stream.current
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise self.stream.error(
                f"condition nests '(' and '!' more than {MAX_NESTING} levels deep",
                token,
            )
        self.stream.next()

    def parse_unary(self) -> ConditionNode:
        if self.stream.current.kind == "!":
            self._enter()
            node = Not(self.parse_unary())
            self.nesting -= 1
            return node
        return self.parse_postfix()

    def parse_postfix(self) -> ConditionNode:
        node = self.parse_primary()
        while True:
            kind = self.stream.current.kind
            if kind == "[":
                self.stream.next()
                node = Index(node, self._parse_index())
                self.stream.expect("]")
            elif kind == ".":
                self.stream.next()
                name = self.stream.current
                if name.kind != _tokens.NAME:
                    raise self.stream.error(
                        "expected a property name after '.', found"
                        f" {_tokens.describe(name, self.stream.source)}",
                        name,
                    )
                node = Member(node, self.stream.next().value)
            else:
                return node

    def _parse_index(self) -> int:
        token = self.stream.current
        value = token.value
        if token.kind != _tokens.NUMBER or not isinstance(value, int) or value < 0:
            raise self.stream.error(
                "expected an array index (0, 1, ...), found"
                f" {_tokens.describe(token, self.stream.source)}",
                token,
            )
        self.stream.next()
        return value

    def parse_primary(self) -> ConditionNode:
        token = self.stream.current
        if token.kind in (_tokens.STRING, _tokens.NUMBER, _tokens.KEYWORD):
            self.stream.next()
            return Literal(token.value)
        if token.kind == _tokens.OPERAND:
            self.stream.next()
            node: ConditionNode = token.value
            return node
        if token.kind == "(":
            self._enter()
            node = self.parse_or()
            self.stream.expect(")")
            self.nesting -= 1
            return node
        raise self.stream.error(
            f"expected a value, found {_tokens.describe(token, self.stream.source)}",
            token,
        )
