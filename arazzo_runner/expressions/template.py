"""Values that may contain runtime expressions: parameter values, payloads, outputs.

A string value is read in one of three ways (Arazzo 1.0.1, "Runtime Expressions"):

* the whole trimmed string is one runtime expression: it evaluates to that
  value, keeping its type;
* it embeds expressions as ``{$...}``: the result is a string in which each
  embedded expression is replaced by its text form (see `to_text`);
* otherwise it is a literal, even when it starts with ``$`` (``'$100'``).

Only ``{`` directly followed by ``$`` opens an embedded expression, so JSON
text inside a string stays literal. Two non-standard forms are accepted and
reported as leniencies. A bare word that is a runtime expression, such as
``Bearer $inputs.apiToken``, is substituted as if it were written
``{$inputs.apiToken}`` (see `_read_bare_word` for where such a word starts
and ends). A ``{$`` that opens no valid expression stays literal text.
Objects and arrays are read member by member.
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeGuard

from arazzo_runner.errors import ArazzoError, ExpressionSyntaxError
from arazzo_runner.expressions import leniency
from arazzo_runner.expressions.leniency import Leniency
from arazzo_runner.expressions.pointer import escape_token
from arazzo_runner.expressions.runtime import (
    ROOTS,
    ComponentExpression,
    RuntimeExpression,
    SourceDescriptionExpression,
    parse_expression,
    parse_expression_at,
)
from arazzo_runner.expressions.scope import MISSING, Scope

OmitCallback = Callable[[str, str], None]
"""Called as ``on_omit(pointer, expression_text)`` when a member is left out."""

_WHITESPACE = " \t\r\n\f\v"
# Punctuation that may come between the start of a word and a bare expression,
# as in `($inputs.x)`, and punctuation that ends the expression, as in
# `Hello $inputs.name,`. A '}' is not among them, because it ends embedded
# expressions. So a word such as `$statusCode}` in `{ $statusCode}` does not
# parse in full and stays literal, as LEN-2 requires.
_BARE_WORD_OPENERS = "([\"'"
_BARE_WORD_CLOSERS = ",.;:!?)]'\""


class UnresolvedExpressionError(ArazzoError):
    """A runtime expression in a value reaches no value.

    ``expression`` is the expression's source text.
    """

    def __init__(self, expression: str) -> None:
        super().__init__(
            f"{expression!r} reaches no value",
            hint="check that the input was given, or that the step ran and"
            " defines that output",
        )
        self.expression = expression


@dataclass(slots=True)
class _Evaluation:
    """The settings of one evaluation: the scope and the handling of missing values."""

    scope: Scope
    null_for_missing: bool
    on_omit: OmitCallback | None = None

    def resolve(self, expression: RuntimeExpression) -> Any:
        value = expression.evaluate(self.scope)
        if value is not MISSING:
            return value
        if self.null_for_missing:
            return None
        raise UnresolvedExpressionError(str(expression))


class ValueNode(ABC):
    """Base of parsed values."""

    __slots__ = ()

    def evaluate(self, scope: Scope, *, on_omit: OmitCallback | None = None) -> Any:
        """Return the value with every runtime expression replaced.

        An object member whose whole value is ``$inputs.NAME`` (no pointer)
        for an absent input is left out, and ``on_omit(pointer, text)`` is
        called with the member's JSON Pointer in the value. A whole value that
        is such an input evaluates to ``MISSING``, so the caller can skip it.

        Raises:
            UnresolvedExpressionError: Any other reference reaches no value.
        """
        if (
            isinstance(self, ExpressionValue)
            and self.expression.input_name() is not None
        ):
            return self.expression.evaluate(scope)
        return self._evaluate(_Evaluation(scope, False, on_omit), "")

    @abstractmethod
    def _evaluate(self, evaluation: _Evaluation, pointer: str) -> Any: ...

    @property
    def leniencies(self) -> tuple[Leniency, ...]:
        """Every leniency found anywhere inside this value."""
        return tuple(item for _, item in self.located_leniencies())

    def located_leniencies(self) -> tuple[tuple[str, Leniency], ...]:
        """Return each leniency with the JSON Pointer of the string it is in."""
        return tuple(self._locate(""))

    def _locate(self, pointer: str) -> Iterator[tuple[str, Leniency]]:
        return iter(())

    def expressions(self) -> tuple[RuntimeExpression, ...]:
        """Return every runtime expression in this value, in document order."""
        return ()

    @abstractmethod
    def to_data(self) -> Any:
        """Return the value as the document wrote it; `parse_value` gives it back."""

    def __str__(self) -> str:
        """Return the source text: a string as it is, other values as JSON text."""
        data = self.to_data()
        if isinstance(data, str):
            return data
        return json.dumps(data, ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class LiteralValue(ValueNode):
    """A value without runtime expressions."""

    value: Any

    def _evaluate(self, evaluation: _Evaluation, pointer: str) -> Any:
        return self.value

    def to_data(self) -> Any:
        return self.value


@dataclass(frozen=True, slots=True)
class ExpressionValue(ValueNode):
    """A string that is one whole runtime expression; evaluates to its value."""

    expression: RuntimeExpression

    def _evaluate(self, evaluation: _Evaluation, pointer: str) -> Any:
        return evaluation.resolve(self.expression)

    def _locate(self, pointer: str) -> Iterator[tuple[str, Leniency]]:
        for item in self.expression.leniencies:
            yield pointer, item

    def expressions(self) -> tuple[RuntimeExpression, ...]:
        return (self.expression,)

    def to_data(self) -> Any:
        return str(self.expression)

    def __str__(self) -> str:
        return str(self.expression)


@dataclass(frozen=True, slots=True)
class Embedded:
    """One expression embedded in a template; ``braced`` is false for a bare word."""

    expression: RuntimeExpression
    braced: bool = True

    def __str__(self) -> str:
        return f"{{{self.expression}}}" if self.braced else str(self.expression)


@dataclass(frozen=True, slots=True)
class TemplateValue(ValueNode):
    """A string with embedded expressions; always evaluates to a string.

    ``leniencies_found`` contains the leniencies, with indexes into the string.
    """

    parts: tuple[str | Embedded, ...]
    leniencies_found: tuple[Leniency, ...] = field(default=(), compare=False)

    def _evaluate(self, evaluation: _Evaluation, pointer: str) -> Any:
        pieces: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                pieces.append(part)
            else:
                pieces.append(to_text(evaluation.resolve(part.expression)))
        return "".join(pieces)

    def _locate(self, pointer: str) -> Iterator[tuple[str, Leniency]]:
        for item in self.leniencies_found:
            yield pointer, item

    def expressions(self) -> tuple[RuntimeExpression, ...]:
        return tuple(
            part.expression for part in self.parts if isinstance(part, Embedded)
        )

    def to_data(self) -> Any:
        return "".join(str(part) for part in self.parts)

    def __str__(self) -> str:
        return "".join(str(part) for part in self.parts)


@dataclass(frozen=True, slots=True)
class ObjectValue(ValueNode):
    """An object whose member values are parsed; keys stay literal."""

    members: tuple[tuple[Any, ValueNode], ...]

    def _evaluate(self, evaluation: _Evaluation, pointer: str) -> Any:
        result: dict[Any, Any] = {}
        for key, node in self.members:
            member_pointer = f"{pointer}/{escape_token(str(key))}"
            if evaluation.null_for_missing or not _is_plain_input(node):
                result[key] = node._evaluate(evaluation, member_pointer)
                continue
            value = node.expression.evaluate(evaluation.scope)
            if value is not MISSING:
                result[key] = value
            elif evaluation.on_omit is not None:
                evaluation.on_omit(member_pointer, str(node))
        return result

    def _locate(self, pointer: str) -> Iterator[tuple[str, Leniency]]:
        for key, node in self.members:
            yield from node._locate(f"{pointer}/{escape_token(str(key))}")

    def expressions(self) -> tuple[RuntimeExpression, ...]:
        return tuple(
            expression for _, node in self.members for expression in node.expressions()
        )

    def to_data(self) -> Any:
        return {key: node.to_data() for key, node in self.members}


@dataclass(frozen=True, slots=True)
class ArrayValue(ValueNode):
    """An array whose items are parsed."""

    items: tuple[ValueNode, ...]

    def _evaluate(self, evaluation: _Evaluation, pointer: str) -> Any:
        return [
            item._evaluate(evaluation, f"{pointer}/{position}")
            for position, item in enumerate(self.items)
        ]

    def _locate(self, pointer: str) -> Iterator[tuple[str, Leniency]]:
        for position, item in enumerate(self.items):
            yield from item._locate(f"{pointer}/{position}")

    def expressions(self) -> tuple[RuntimeExpression, ...]:
        return tuple(
            expression for item in self.items for expression in item.expressions()
        )

    def to_data(self) -> Any:
        return [item.to_data() for item in self.items]


def evaluate_output(node: ValueNode, scope: Scope) -> Any:
    """Evaluate an output value; a reference that reaches no value gives null.

    Never raises for missing data: a whole expression gives ``None``, and an
    embedded one is written as ``null``.
    """
    return node._evaluate(_Evaluation(scope, True), "")


def to_text(value: Any) -> str:
    """Return the text that replaces an embedded expression.

    Strings go in as they are and bytes as UTF-8 text. Other scalars become
    their JSON text (``true``, ``3``, ``null``), and objects and arrays
    compact JSON.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


# Parsing


def parse_value(value: Any) -> ValueNode:
    """Parse a value that may contain runtime expressions.

    Dicts and lists are parsed member by member; a string is a whole
    expression, a template or a literal (see the module documentation).
    Parsing never fails: text that is not a valid expression stays literal.
    """
    if isinstance(value, Mapping):
        return ObjectValue(
            tuple((key, parse_value(item)) for key, item in value.items())
        )
    if isinstance(value, list):
        return ArrayValue(tuple(parse_value(item) for item in value))
    if isinstance(value, str):
        return parse_string(value)
    return LiteralValue(value)


def parse_string(text: str) -> ValueNode:
    """Parse one string value: a whole expression, a template or a literal."""
    stripped = text.strip(_WHITESPACE)
    if not stripped.startswith("$"):
        return parse_template(text)
    try:
        return ExpressionValue(parse_expression(stripped))
    except ExpressionSyntaxError as error:
        node = parse_template(text)
        if isinstance(node, LiteralValue) and _EXPRESSION_START.match(stripped):
            # Text such as "$inputs" was meant as an expression, so a silent
            # literal would hide the mistake.
            return TemplateValue((text,), (_not_an_expression(stripped, error),))
        return node


# The start of text meant as a runtime expression: a root name followed by
# the end of the text, a '.', a '#' or whitespace. "$100" and "$.items" do not
# match, and stay literal without a warning.
_ROOT = r"\$(?:" + "|".join(ROOTS) + ")"
_EXPRESSION_START = re.compile(_ROOT + r"(?=$|[.#\s])")
# A bare word that starts like an expression but does not parse, and warns:
# a root followed by '.', '#' or '}'. A word such as "$inputs" or "$steps,"
# may be meant as prose, so it stays literal silently.
_BROKEN_BARE_WORD = re.compile(_ROOT + r"[.#}]")


def _why_invalid(word: str, error: ExpressionSyntaxError) -> ExpressionSyntaxError:
    """Return the error of the whole word, which names the mistake better than
    the error of the word without its trailing punctuation."""
    try:
        parse_expression(word)
    except ExpressionSyntaxError as whole_word_error:
        return whole_word_error
    return error


def _not_an_expression(text: str, error: ExpressionSyntaxError) -> Leniency:
    return Leniency(
        code=leniency.UNCLOSED_TEMPLATE,
        message=f"{text!r} is not a runtime expression ({error.message}), so it"
        " is sent as literal text",
        suggestion="",
        hint="complete the expression, as in '$inputs.name'",
    )


def parse_template(text: str, *, bare_words: bool = True) -> ValueNode:
    """Parse ``text`` as a template, never as one whole expression.

    Returns a `TemplateValue`, or a `LiteralValue` when ``text`` embeds
    nothing. ``bare_words=False`` turns off the substitution of bare
    ``$inputs.x`` words, for text such as a JSONPath query, where ``$`` has
    a meaning of its own.
    """
    parts, found = _parse_template(text, bare_words=bare_words)
    if any(isinstance(part, Embedded) for part in parts) or found:
        return TemplateValue(parts, found)
    return LiteralValue(text)


def _parse_template(
    text: str, *, bare_words: bool
) -> tuple[tuple[str | Embedded, ...], tuple[Leniency, ...]]:
    parts: list[str | Embedded] = []
    found: list[Leniency] = []
    literal: list[str] = []
    index = 0

    def flush() -> None:
        if literal:
            parts.append("".join(literal))
            literal.clear()

    while index < len(text):
        if text.startswith("{$", index):
            embedded, stop = _read_embedded(text, index, found)
            if embedded is not None:
                flush()
                parts.append(embedded)
                index = stop
                continue
            literal.append(text[index:stop])
            index = stop
            continue
        if bare_words and text[index] == "$" and _at_word_start(text, index):
            word, stop = _read_bare_word(text, index, found)
            if word is not None:
                flush()
                parts.append(word)
                index = stop
                continue
        literal.append(text[index])
        index += 1
    flush()
    return tuple(parts), _suggest_braces(parts, found)


def _suggest_braces(
    parts: list[str | Embedded], found: list[Leniency]
) -> tuple[Leniency, ...]:
    """Give every bare-word leniency the whole string with all bare words braced."""
    standard = "".join(
        f"{{{part.expression}}}" if isinstance(part, Embedded) else part
        for part in parts
    )
    return tuple(
        replace(item, suggestion=standard)
        if item.code == leniency.BARE_EXPRESSION
        else item
        for item in found
    )


def _read_embedded(
    text: str, start: int, found: list[Leniency]
) -> tuple[Embedded | None, int]:
    """Read ``{$...}`` at ``start``; on failure return ``None`` and the text to skip."""
    close = text.find("}", start + 2)
    # An expression never contains whitespace or '{', so the first of those
    # before the closing brace means the '{$' opens nothing.
    stop = start + 2
    while stop < len(text) and text[stop] not in _WHITESPACE + "{}":
        stop += 1
    if close < 0 or close != stop:
        found.append(
            Leniency(
                code=leniency.UNCLOSED_TEMPLATE,
                message="'{$' without a closing '}' after the expression is sent"
                " as literal text",
                suggestion=f"{text[:stop]}}}{text[stop:]}",
                index=start,
            )
        )
        return None, start + 2
    try:
        expression = parse_expression_at(text, start + 1, close)
    except ExpressionSyntaxError as error:
        found.append(
            Leniency(
                code=leniency.UNCLOSED_TEMPLATE,
                message=f"{text[start : close + 1]!r} is not a runtime expression"
                f" ({error.message}), so it is sent as literal text",
                suggestion="",
                hint="write a valid runtime expression inside the braces, as in"
                " '{$inputs.name}', or drop the braces to send the text as is",
                index=start,
            )
        )
        return None, close + 1
    found.extend(item.shifted(start + 1) for item in expression.leniencies)
    return Embedded(expression), close + 1


# Roots whose bare words are substituted; a bare `$sourceDescriptions.x`
# or `$components.x` word stays literal.
_BARE_WORD_EXCLUDED = (SourceDescriptionExpression, ComponentExpression)


def _at_word_start(text: str, index: int) -> bool:
    """Return whether only opening punctuation precedes ``index`` in its word."""
    while index > 0 and text[index - 1] in _BARE_WORD_OPENERS:
        index -= 1
    return index == 0 or text[index - 1] in _WHITESPACE


def _read_bare_word(
    text: str, start: int, found: list[Leniency]
) -> tuple[Embedded | None, int]:
    """Read a bare expression from ``start`` to the end of its word.

    The word ends at whitespace, and trailing punctuation such as ``,`` or
    ``)`` stays literal text, so that ``Hello $inputs.name,`` substitutes
    ``$inputs.name``. A name that ends in such punctuation needs braces. The
    rest of the word must parse in full, so ``$statusCode}`` stays literal.
    """
    stop = start
    while stop < len(text) and text[stop] not in _WHITESPACE:
        stop += 1
    word = text[start:stop]
    while stop > start and text[stop - 1] in _BARE_WORD_CLOSERS:
        stop -= 1
    try:
        expression = parse_expression_at(text, start, stop)
    except ExpressionSyntaxError as error:
        if _BROKEN_BARE_WORD.match(word):
            warning = _not_an_expression(word, _why_invalid(word, error))
            found.append(replace(warning, index=start, hint=_fix_hint(word, warning)))
        return None, start
    if isinstance(expression, _BARE_WORD_EXCLUDED):
        return None, start
    found.append(
        Leniency(
            code=leniency.BARE_EXPRESSION,
            message=f"bare expression '{expression}' inside a string",
            # _suggest_braces fills in the whole string once it is parsed.
            suggestion="",
            index=start,
        )
    )
    found.extend(item.shifted(start) for item in expression.leniencies)
    return Embedded(expression, braced=False), stop


def _fix_hint(word: str, warning: Leniency) -> str:
    """Return the hint for a broken bare word: braces when the word is an
    expression followed by '}', as in ``{ $statusCode}``."""
    inner = word.split("}")[0]
    if inner == word:
        return warning.hint
    try:
        parse_expression(inner)
    except ExpressionSyntaxError:
        return warning.hint
    return (
        f"to embed the expression, write '{{{inner}}}' with no whitespace inside"
        " the braces"
    )


def _is_plain_input(node: ValueNode) -> TypeGuard[ExpressionValue]:
    """Return whether ``node`` is a whole ``$inputs.NAME`` without a pointer."""
    return (
        isinstance(node, ExpressionValue) and node.expression.input_name() is not None
    )
