"""Criterion Objects (Arazzo 1.0.1): compiled once, evaluated against a scope.

``type`` selects how ``condition`` is read:

* absent or ``simple``: a simple condition (see `conditions`); a ``context``,
  if given, is parsed but the condition reads the scope directly;
* ``regex``: an ECMA-262 pattern, translated for Python's ``re`` (see
  `ecma_regex`), searched (not anchored) in the ``context`` value turned
  into text;
* ``jsonpath``: an RFC 9535 query against the ``context`` value, passing when
  it selects at least one node. The type object ``{type: jsonpath, version:
  draft-goessner-dispatch-jsonpath-00}`` selects the Goessner dialect. A
  condition written as comparisons of queries, ``$.status == "failed"``, is
  accepted as a leniency (see `lenient_jsonpath`);
* ``xpath``: an XPath expression against the ``context`` value as XML,
  passing when its effective boolean value is true.

Compiling raises `ExpressionSyntaxError` for every problem in the criterion.
Evaluating never raises: a failure becomes a result with a reason.
"""

from __future__ import annotations

import json
import math
import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from arazzo_runner.errors import ExpressionSyntaxError
from arazzo_runner.expressions import leniency
from arazzo_runner.expressions._template_check import check_with_samples
from arazzo_runner.expressions._xpath import (
    XPATH_VERSIONS,
    XPathContextError,
    XPathEvaluationError,
    XPathQuery,
)
from arazzo_runner.expressions.conditions import (
    Binary,
    Condition,
    ConditionNode,
    EvaluationContext,
    Literal,
    Not,
    is_truthy,
    loose_compare,
    parse_condition,
)
from arazzo_runner.expressions.ecma_regex import compile_ecma_pattern
from arazzo_runner.expressions.jsonpath import (
    GOESSNER,
    GOESSNER_VERSION,
    RFC_9535,
    JsonPathDialect,
)
from arazzo_runner.expressions.leniency import Leniency
from arazzo_runner.expressions.lenient_jsonpath import (
    TooManyNodesError,
    parse_jsonpath_comparison,
    suggest_simple_form,
)
from arazzo_runner.expressions.runtime import RuntimeExpression, parse_expression
from arazzo_runner.expressions.scope import MISSING, Scope
from arazzo_runner.expressions.template import (
    TemplateValue,
    UnresolvedExpressionError,
    parse_template,
    to_text,
)

CRITERION_TYPES = ("simple", "regex", "jsonpath", "xpath")
_MAX_SHOWN = 120  # maximum length of one value's text in a result's detail


@dataclass(frozen=True, slots=True)
class CriterionResult:
    """The outcome of one criterion.

    ``reason`` gives why it failed or could not be evaluated, and is ``None``
    when it passed. ``detail`` shows the values compared.
    """

    passed: bool
    reason: str | None = None
    detail: str = ""


class CompiledCriterion(ABC):
    """A criterion ready to evaluate.

    ``kind`` is ``simple``, ``regex``, ``jsonpath`` or ``xpath``;
    ``leniencies`` lists the non-standard forms accepted in the condition.
    """

    kind: str
    condition: str
    context: RuntimeExpression | None
    leniencies: tuple[Leniency, ...]

    def evaluate(self, scope: Scope) -> CriterionResult:
        """Evaluate the criterion; every error becomes a failed result."""
        try:
            return self._evaluate(scope)
        except Exception as error:  # noqa: BLE001
            # A criterion that cannot be evaluated fails; it must not stop
            # the run, whatever a query engine raises on unusual data.
            return CriterionResult(
                False, f"evaluation failed: {type(error).__name__}: {error}"
            )

    @abstractmethod
    def _evaluate(self, scope: Scope) -> CriterionResult: ...

    def _context_value(self, scope: Scope) -> tuple[Any, CriterionResult | None]:
        """Return the context value, or a failed result when there is none."""
        assert self.context is not None  # compile_criterion requires a context
        value = self.context.evaluate(scope)
        if value is MISSING:
            return None, CriterionResult(
                False, f"context '{self.context}' reaches no value"
            )
        if value is None:
            return None, CriterionResult(False, f"context '{self.context}' is null")
        return value, None


class SimpleCriterion(CompiledCriterion):
    """A ``simple`` condition."""

    kind = "simple"

    def __init__(
        self, condition: str, parsed: Condition, context: RuntimeExpression | None
    ) -> None:
        self.condition = condition
        self.parsed = parsed
        self.context = context
        self.leniencies = parsed.leniencies
        self._text = str(parsed)

    def _evaluate(self, scope: Scope) -> CriterionResult:
        value, described = _evaluate_described(
            self.parsed.node, EvaluationContext(scope)
        )
        detail = f"{self._text}: {described}"
        if is_truthy(value):
            return CriterionResult(True, None, detail)
        return CriterionResult(False, "condition is false", detail)


class RegexCriterion(CompiledCriterion):
    """A ``regex`` condition searched in the context value as text."""

    kind = "regex"

    def __init__(
        self, condition: str, pattern: re.Pattern[str], context: RuntimeExpression
    ) -> None:
        self.condition = condition
        self.pattern = pattern
        self.context = context
        self.leniencies = ()

    def _evaluate(self, scope: Scope) -> CriterionResult:
        value, failure = self._context_value(scope)
        if failure is not None:
            return failure
        text = to_text(value)
        detail = f"{self.context} = {_shorten(text)!r} searched for /{self.condition}/"
        # NOTE: Python's re has no time limit, so a pattern with catastrophic
        # backtracking can stall the run on a long context value.
        if self.pattern.search(text):
            return CriterionResult(True, None, detail)
        return CriterionResult(False, "the pattern does not match", detail)


class JsonPathCriterion(CompiledCriterion):
    """A ``jsonpath`` condition: a query, or comparisons of queries.

    When the condition embeds ``{$...}`` expressions it is compiled on each
    evaluation, after they are replaced, and its syntax is checked once with
    sample values in their place (see `check_with_samples`). Otherwise it is
    compiled once.
    """

    kind = "jsonpath"

    def __init__(
        self,
        condition: str,
        context: RuntimeExpression,
        dialect: JsonPathDialect,
        template: TemplateValue | None,
    ) -> None:
        self.condition = condition
        self.context = context
        self.dialect = dialect
        self.template = template
        self.compiled: _JsonPathMatcher | None = None
        self.leniencies = ()
        if template is None:
            self.compiled = _compile_jsonpath(condition, dialect, context)
            self.leniencies = self.compiled.leniencies
        else:
            check_with_samples(
                condition,
                template,
                lambda text: _compile_jsonpath(text, dialect, context),
            )

    def _evaluate(self, scope: Scope) -> CriterionResult:
        matcher = self.compiled
        if matcher is None:
            assert self.template is not None
            try:
                query = self.template.evaluate(scope)
            except UnresolvedExpressionError as error:
                return CriterionResult(False, f"condition: {error.message}")
            try:
                matcher = _compile_jsonpath(query, self.dialect, self.context)
            except ExpressionSyntaxError as error:
                return CriterionResult(False, f"{error.message} (after substitution)")
        document, failure = self._context_value(scope)
        if failure is not None:
            return failure
        if isinstance(document, (str, bytes, bytearray)):
            try:
                document = json.loads(document)
            except ValueError:
                return CriterionResult(
                    False, f"context '{self.context}' is text, not JSON"
                )
        return matcher.match(document, scope)


@dataclass(frozen=True, slots=True)
class _JsonPathMatcher:
    """One compiled ``jsonpath`` condition: a query, or a comparison (``node``)."""

    text: str
    dialect: JsonPathDialect
    query: Any = None
    node: ConditionNode | None = None
    leniencies: tuple[Leniency, ...] = ()

    def match(self, document: Any, scope: Scope) -> CriterionResult:
        if self.node is None:
            values = self.dialect.find(self.query, document)
            detail = f"{self.text}: {len(values)} nodes"
            if values:
                return CriterionResult(True, None, detail)
            return CriterionResult(False, "the query selects no nodes", detail)
        evaluation = EvaluationContext(scope, document)
        try:
            value = self.node.evaluate(evaluation)
        except TooManyNodesError as error:
            return CriterionResult(False, str(error))
        detail = f"{self.text}: {describe(self.node, evaluation)}"
        if is_truthy(value):
            return CriterionResult(True, None, detail)
        return CriterionResult(False, "condition is false", detail)


def _compile_jsonpath(
    text: str, dialect: JsonPathDialect, context: RuntimeExpression | None
) -> _JsonPathMatcher:
    # YAML block scalars keep a final newline, which RFC 9535 does not allow.
    start = len(text) - len(text.lstrip())
    query_text = text.strip()
    # A text that is not a valid query may be a comparison, a leniency. When
    # both readings fail, the error for the text as one query is reported,
    # unless an operator outside brackets shows that it cannot be a query.
    query_error: ExpressionSyntaxError | None = None
    if dialect.may_be_query(query_text):
        try:
            query = dialect.compile(query_text, source=text, offset=start)
        except ExpressionSyntaxError as error:
            query_error = error
        else:
            return _JsonPathMatcher(query_text, dialect, query=query)
    try:
        node, inner = parse_jsonpath_comparison(text, dialect)
    except ExpressionSyntaxError as error:
        if query_error is not None:
            raise query_error from None
        raise ExpressionSyntaxError(
            f"invalid JSONPath comparison {query_text!r}: {error.message}",
            text=error.text,
            index=error.index,
        ) from None
    found = Leniency(
        code=leniency.JSONPATH_COMPARISON,
        message=f"jsonpath condition written as a comparison: {text!r}",
        suggestion=suggest_simple_form(node, context),
    )
    return _JsonPathMatcher(text, dialect, node=node, leniencies=(found, *inner))


class XPathCriterion(CompiledCriterion):
    """An ``xpath`` condition against the context value parsed as XML."""

    kind = "xpath"

    def __init__(self, condition: str, query: XPathQuery, context: RuntimeExpression):
        self.condition = condition
        self.query = query
        self.context = context
        self.leniencies = ()

    def _evaluate(self, scope: Scope) -> CriterionResult:
        value, failure = self._context_value(scope)
        if failure is not None:
            return failure
        try:
            passed, detail = self.query.evaluate(value)
        except XPathContextError as error:
            return CriterionResult(False, str(error))
        except XPathEvaluationError as error:
            return CriterionResult(False, f"evaluation failed: {error}")
        detail = f"{self.condition}: {detail}"
        if passed:
            return CriterionResult(True, None, detail)
        return CriterionResult(False, "the effective boolean value is false", detail)


class CriterionFieldError(ExpressionSyntaxError):
    """A problem in a criterion's ``context`` or ``type`` rather than its condition.

    ``field`` is ``context`` or ``type``, or empty when the problem concerns
    the criterion as a whole (a ``type`` without a ``context``).
    """

    def __init__(
        self,
        message: str,
        *,
        field: str,
        text: str,
        index: int = 0,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, text=text, index=index, hint=hint)
        self.field = field


def compile_criterion(
    condition: str,
    *,
    context: object = None,
    type: object = None,  # noqa: A002 - the field's name
) -> CompiledCriterion:
    """Compile a Criterion Object from its ``condition``, ``context`` and ``type``.

    ``context`` and ``type`` are taken as the document wrote them, so a value
    of the wrong type is reported here, at its own field.

    Raises:
        CriterionFieldError: ``type`` is not a known type or type object,
            ``context`` is not a runtime expression, or ``type`` is given
            without a ``context``.
        ExpressionSyntaxError: The condition, pattern or query does not parse.
    """
    kind, version = _criterion_type(type)
    parsed_context = _criterion_context(context, kind, given_type=type is not None)
    if kind == "simple":
        return SimpleCriterion(condition, parse_condition(condition), parsed_context)
    if parsed_context is None:
        raise AssertionError("unreachable: a type is given, so a context is too")
    if kind == "regex":
        return RegexCriterion(
            condition, compile_ecma_pattern(condition), parsed_context
        )
    if kind == "jsonpath":
        dialect = GOESSNER if version == GOESSNER_VERSION else RFC_9535
        template = parse_template(condition, bare_words=False)
        embedded = template if isinstance(template, TemplateValue) else None
        return JsonPathCriterion(condition, parsed_context, dialect, embedded)
    query = XPathQuery.compile(condition, version or XPATH_VERSIONS[0])
    return XPathCriterion(condition, query, parsed_context)


def _criterion_context(
    context: object, kind: str, *, given_type: bool
) -> RuntimeExpression | None:
    """Return the parsed ``context``, which any given ``type`` requires."""
    if context is None:
        if given_type:
            raise CriterionFieldError(
                f"a criterion of type {kind!r} needs a 'context'",
                field="",
                text=kind,
                hint="add 'context: $response.body' or another runtime expression",
            )
        return None
    if not isinstance(context, str):
        raise CriterionFieldError(
            "'context' must be a runtime expression string, not"
            f" {_json_type(context)} {context!r}",
            field="context",
            text=str(context),
            hint="write a runtime expression such as '$response.body'",
        )
    text = context.strip()
    try:
        return parse_expression(text)
    except ExpressionSyntaxError as error:
        raise CriterionFieldError(
            error.message,
            field="context",
            text=text,
            index=error.index,
            hint=error.hint,
        ) from None


def _criterion_type(value: object) -> tuple[str, str | None]:
    """Return the criterion kind and the dialect version (``None`` for the default).

    Raises:
        CriterionFieldError: ``value`` is not a criterion type.
    """
    if value is None:
        return "simple", None
    if isinstance(value, str):
        if value in CRITERION_TYPES:
            return value, None
        raise CriterionFieldError(
            f"unknown criterion type {value!r}: expected one of"
            f" {', '.join(CRITERION_TYPES)}",
            field="type",
            text=value,
        )
    if not isinstance(value, Mapping):
        raise CriterionFieldError(
            f"'type' must be a string or an object, not {_json_type(value)} {value!r}",
            field="type",
            text=str(value),
            hint="use simple, regex, jsonpath, xpath, or an object {type, version}",
        )
    kind = value.get("type")
    version = value.get("version")
    versions: tuple[str, ...]
    if kind == "jsonpath":
        versions = (GOESSNER_VERSION,)
    elif kind == "xpath":
        versions = XPATH_VERSIONS[1:]
    else:
        raise CriterionFieldError(
            f"unknown criterion expression type {kind!r}: expected 'jsonpath' or"
            " 'xpath'",
            field="type",
            text=str(kind),
        )
    if version not in versions:
        raise CriterionFieldError(
            f"unknown {kind} version {version!r}: expected {' or '.join(versions)}",
            field="type",
            text=str(version),
            hint=f"write 'type: {kind}' without a version for the default dialect",
        )
    return kind, version


def _json_type(value: object) -> str:
    """Return the JSON name of ``value``'s type, as a message shows it."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return "a " + type(value).__name__


# Showing the values a condition compared


def describe(node: ConditionNode, evaluation: EvaluationContext) -> str:
    """Return ``node`` with its operands replaced by their values.

    ``$statusCode == 200`` becomes ``404 == 200``. Sides of ``&&`` and ``||``
    are described separately and parenthesized when they are themselves
    ``&&`` or ``||``.
    """
    try:
        return _describe(node, evaluation)
    except TooManyNodesError as error:
        return str(error)


def _evaluate_described(
    node: ConditionNode, evaluation: EvaluationContext
) -> tuple[Any, str]:
    """Return the value of a simple condition and its `describe` text, in one pass.

    Unlike ``node.evaluate``, both sides of ``&&`` and ``||`` are evaluated,
    as the detail shows them. The value is the same, because evaluating a
    simple condition reads data only and never raises (a JSONPath operand,
    which can raise, goes through `describe` instead).
    """
    if isinstance(node, Binary) and node.operator in ("&&", "||"):
        left, left_text = _evaluate_described(node.left, evaluation)
        right, right_text = _evaluate_described(node.right, evaluation)
        if _is_logical(node.left):
            left_text = f"({left_text})"
        if _is_logical(node.right):
            right_text = f"({right_text})"
        if node.operator == "&&":
            value = is_truthy(left) and is_truthy(right)
        else:
            value = is_truthy(left) or is_truthy(right)
        return value, f"{left_text} {node.operator} {right_text}"
    if isinstance(node, Binary):
        left = node.left.evaluate(evaluation)
        right = node.right.evaluate(evaluation)
        value = loose_compare(node.operator, left, right)
        return value, f"{_show(left)} {node.operator} {_show(right)}"
    if isinstance(node, Not):
        operand = node.operand.evaluate(evaluation)
        return not is_truthy(operand), f"!{_show(operand)}"
    value = node.evaluate(evaluation)
    return value, _show(value)


def _is_logical(node: ConditionNode) -> bool:
    return isinstance(node, Binary) and node.operator in ("&&", "||")


def _describe(node: ConditionNode, evaluation: EvaluationContext) -> str:
    if isinstance(node, Binary) and node.operator in ("&&", "||"):
        left = _describe_side(node.left, evaluation)
        right = _describe_side(node.right, evaluation)
        return f"{left} {node.operator} {right}"
    if isinstance(node, Binary):
        left = _show(node.left.evaluate(evaluation))
        right = _show(node.right.evaluate(evaluation))
        return f"{left} {node.operator} {right}"
    if isinstance(node, Not):
        return f"!{_show(node.operand.evaluate(evaluation))}"
    return _show(node.evaluate(evaluation))


def _describe_side(node: ConditionNode, evaluation: EvaluationContext) -> str:
    text = _describe(node, evaluation)
    if isinstance(node, Binary) and node.operator in ("&&", "||"):
        return f"({text})"
    return text


def _show(value: Any) -> str:
    """Return ``value`` as a condition literal, or as JSON text for other values."""
    if isinstance(value, str):
        return _shorten("'" + value.replace("'", "''") + "'")
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if type(value) is int:
        return _shorten(str(value))
    if isinstance(value, float) and not math.isfinite(value):
        return json.dumps(value)  # Infinity or NaN, read from a response body
    if isinstance(value, (int, float)):
        return _shorten(str(Literal(value)))
    return _shorten(to_text(value))


def _shorten(text: str) -> str:
    if len(text) <= _MAX_SHOWN:
        return text
    return text[: _MAX_SHOWN - 3] + "..."
