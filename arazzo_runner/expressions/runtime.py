"""Runtime expressions (Arazzo 1.0.1, "Runtime Expressions"): parsing and evaluation.

The ABNF of 1.0.1 lets a ``name`` be any run of characters. This parser reads
the structure that the specification's examples use::

    $url  $method  $statusCode
    $request.header.TOKEN   $request.query.NAME   $request.path.NAME
    $request.body[#POINTER]   $response.header.TOKEN   $response.body[#POINTER]
    $inputs.NAME[#POINTER]    $outputs.NAME[#POINTER]
    $steps.ID.outputs.NAME[#POINTER]
    $workflows.ID.inputs.NAME[#POINTER]   $workflows.ID.outputs.NAME[#POINTER]
    $sourceDescriptions.NAME[.FIELD]      $components.TYPE.NAME

A name may contain dots. On evaluation the longest key that exists wins, and
the dotted segments after it walk into the value as property names and array
indexes. Whitespace and braces never belong to an expression, because they
are where embedded expressions end.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from arazzo_runner.errors import ExpressionSyntaxError
from arazzo_runner.expressions import leniency
from arazzo_runner.expressions.leniency import Leniency
from arazzo_runner.expressions.pointer import (
    JsonPointer,
    format_pointer,
    parse_pointer,
)
from arazzo_runner.expressions.scope import MISSING, Exchange, Scope

# RFC 9110 `tchar`: the characters of a header field name.
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_ROOT_WORD = re.compile(r"\$[A-Za-z]*")
_ARRAY_INDEX = re.compile(r"0|[1-9][0-9]*")
_FORBIDDEN = re.compile(r"[\s{}]")

COMPONENT_TYPES = ("parameters", "successActions", "failureActions")


class RuntimeExpression(ABC):
    """Base of the runtime-expression nodes.

    Nodes are frozen dataclasses: equal when their parts are equal, and
    ``str()`` gives source text that parses back to an equal node.
    """

    __slots__ = ()

    @property
    @abstractmethod
    def root(self) -> str:
        """The name after ``$``: ``url``, ``inputs``, ``steps`` and so on."""

    @abstractmethod
    def evaluate(self, scope: Scope) -> Any:
        """Return the value this expression reaches, or ``MISSING`` when there is none.

        Missing data never raises.
        """

    @property
    def leniencies(self) -> tuple[Leniency, ...]:
        """Non-standard forms in this expression, with offsets into ``str(self)``."""
        return ()

    def input_name(self) -> str | None:
        """Return NAME for a plain ``$inputs.NAME`` without a pointer, else ``None``."""
        return None


@dataclass(frozen=True, slots=True)
class StatusLineExpression(RuntimeExpression):
    """``$url``, ``$method`` or ``$statusCode`` of the current step's exchange."""

    name: str

    @property
    def root(self) -> str:
        return self.name

    def evaluate(self, scope: Scope) -> Any:
        exchange = scope.exchange
        if exchange is None:
            return MISSING
        value: Any
        if self.name == "url":
            value = exchange.url
        elif self.name == "method":
            value = exchange.method
        else:
            value = exchange.status_code
        return MISSING if value is None else value

    def __str__(self) -> str:
        return f"${self.name}"


@dataclass(frozen=True, slots=True)
class MessageExpression(RuntimeExpression):
    """``$request.*`` or ``$response.*``: a header, parameter or body of the exchange.

    ``path`` contains the dotted property names after ``body`` (``$response.body.a.b``),
    a non-standard form that is walked before ``pointer`` is applied.
    """

    message: str
    source: str
    name: str | None = None
    pointer: JsonPointer | None = None
    path: tuple[str, ...] = ()

    @property
    def root(self) -> str:
        return self.message

    def evaluate(self, scope: Scope) -> Any:
        exchange = scope.exchange
        if exchange is None:
            return MISSING
        value = _read_message(exchange, self.message, self.source, self.name)
        if value is MISSING:
            return MISSING
        value = walk_dotted(value, self.path)
        if self.pointer is not None and value is not MISSING:
            value = self.pointer.resolve(value)
        return value

    @property
    def leniencies(self) -> tuple[Leniency, ...]:
        if not self.path:
            return ()
        tokens = list(self.path)
        if self.pointer is not None:
            tokens.extend(self.pointer.tokens)
        standard = f"${self.message}.{self.source}#{format_pointer(tokens)}"
        return (
            Leniency(
                code=leniency.DOTTED_NAVIGATION,
                message=f"dotted navigation into a body in '{self}'",
                suggestion=standard,
                index=len(f"${self.message}.{self.source}"),
            ),
        )

    def __str__(self) -> str:
        text = f"${self.message}.{self.source}"
        if self.name is not None:
            text += f".{self.name}"
        text += "".join(f".{segment}" for segment in self.path)
        if self.pointer is not None:
            text += f"#{self.pointer}"
        return text


@dataclass(frozen=True, slots=True)
class InputExpression(RuntimeExpression):
    """``$inputs.NAME[#POINTER]``: an input of the current workflow."""

    name: str
    pointer: JsonPointer | None = None

    @property
    def root(self) -> str:
        return "inputs"

    def evaluate(self, scope: Scope) -> Any:
        return _read_named(scope.inputs, self.name, self.pointer)

    def input_name(self) -> str | None:
        return self.name if self.pointer is None else None

    def __str__(self) -> str:
        return _with_pointer(f"$inputs.{self.name}", self.pointer)


@dataclass(frozen=True, slots=True)
class OutputExpression(RuntimeExpression):
    """``$outputs.NAME[#POINTER]``: a workflow output, as the scope binds it."""

    name: str
    pointer: JsonPointer | None = None

    @property
    def root(self) -> str:
        return "outputs"

    def evaluate(self, scope: Scope) -> Any:
        return _read_named(scope.outputs, self.name, self.pointer)

    def __str__(self) -> str:
        return _with_pointer(f"$outputs.{self.name}", self.pointer)


@dataclass(frozen=True, slots=True)
class StepOutputExpression(RuntimeExpression):
    """``$steps.ID.outputs.NAME[#POINTER]``: an output of an earlier step.

    ``outputs_omitted`` records the non-standard ``$steps.ID.NAME`` form, which
    reads the same output.
    """

    step_id: str
    name: str
    pointer: JsonPointer | None = None
    outputs_omitted: bool = False

    @property
    def root(self) -> str:
        return "steps"

    def evaluate(self, scope: Scope) -> Any:
        outputs = scope.steps.get(self.step_id)
        if outputs is None:
            return MISSING
        return _read_named(outputs, self.name, self.pointer)

    @property
    def leniencies(self) -> tuple[Leniency, ...]:
        if not self.outputs_omitted:
            return ()
        standard = _with_pointer(
            f"$steps.{self.step_id}.outputs.{self.name}", self.pointer
        )
        return (
            Leniency(
                code=leniency.OUTPUTS_OMITTED,
                message=f"'.outputs' left out of '{self}'",
                suggestion=standard,
                index=len(f"$steps.{self.step_id}."),
            ),
        )

    def __str__(self) -> str:
        middle = "" if self.outputs_omitted else "outputs."
        return _with_pointer(f"$steps.{self.step_id}.{middle}{self.name}", self.pointer)


@dataclass(frozen=True, slots=True)
class WorkflowExpression(RuntimeExpression):
    """``$workflows.ID.inputs.NAME`` or ``$workflows.ID.outputs.NAME``, [``#PTR``]."""

    workflow_id: str
    field: str
    name: str
    pointer: JsonPointer | None = None

    @property
    def root(self) -> str:
        return "workflows"

    def evaluate(self, scope: Scope) -> Any:
        record = scope.workflows.get(self.workflow_id)
        if record is None:
            return MISSING
        values = record.inputs if self.field == "inputs" else record.outputs
        return _read_named(values, self.name, self.pointer)

    def __str__(self) -> str:
        text = f"$workflows.{self.workflow_id}.{self.field}.{self.name}"
        return _with_pointer(text, self.pointer)


@dataclass(frozen=True, slots=True)
class SourceDescriptionExpression(RuntimeExpression):
    """``$sourceDescriptions.NAME[.FIELD]``: a source's field, or an operation in it.

    Evaluation reads ``FIELD`` (``url``, ``name``, ``type``) from the scope's
    source descriptions. The loader resolves operation and workflow
    references instead, so they evaluate to ``MISSING`` here.
    """

    source_name: str
    field: str | None = None

    @property
    def root(self) -> str:
        return "sourceDescriptions"

    def evaluate(self, scope: Scope) -> Any:
        source = scope.source_descriptions.get(self.source_name)
        if source is None:
            return MISSING
        if self.field is None:
            return source
        return source.get(self.field, MISSING)

    def __str__(self) -> str:
        text = f"$sourceDescriptions.{self.source_name}"
        return text if self.field is None else f"{text}.{self.field}"


@dataclass(frozen=True, slots=True)
class ComponentExpression(RuntimeExpression):
    """``$components.TYPE.NAME``: a reusable component, resolved by the loader.

    A scope contains no components, so evaluation returns ``MISSING``.
    """

    component_type: str
    name: str

    @property
    def root(self) -> str:
        return "components"

    def evaluate(self, scope: Scope) -> Any:
        return MISSING

    def __str__(self) -> str:
        return f"$components.{self.component_type}.{self.name}"


def walk_dotted(value: Any, segments: Sequence[str]) -> Any:
    """Walk dotted ``segments`` into ``value``; return ``MISSING`` if nothing is there.

    In an object, the longest run of segments that joined with dots names an
    existing key wins, because keys may themselves contain dots. In an array,
    a segment must be a decimal index.
    """
    remaining = list(segments)
    while remaining:
        if isinstance(value, Mapping):
            for count in range(len(remaining), 0, -1):
                key = ".".join(remaining[:count])
                if key in value:
                    value = value[key]
                    del remaining[:count]
                    break
            else:
                return MISSING
        elif isinstance(value, list):
            segment = remaining.pop(0)
            if _ARRAY_INDEX.fullmatch(segment) is None or int(segment) >= len(value):
                return MISSING
            value = value[int(segment)]
        else:
            return MISSING
    return value


def _read_named(
    values: Mapping[str, Any], name: str, pointer: JsonPointer | None
) -> Any:
    value = walk_dotted(values, name.split("."))
    if pointer is not None and value is not MISSING:
        value = pointer.resolve(value)
    return value


def _read_message(
    exchange: Exchange, message: str, source: str, name: str | None
) -> Any:
    if source == "body":
        return exchange.request_body if message == "request" else exchange.response_body
    assert name is not None  # every source except the body has a name
    if source == "header":
        headers = (
            exchange.request_headers
            if message == "request"
            else exchange.response_headers
        )
        return _read_header(headers, name)
    parameters = exchange.request_query if source == "query" else exchange.request_path
    return walk_dotted(parameters, name.split("."))


def _read_header(headers: Mapping[str, str], name: str) -> Any:
    lowered = name.lower()
    if lowered in headers:
        return headers[lowered]
    # The scope promises lower-case keys; a mapping built by hand may not have them.
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return MISSING


def _with_pointer(text: str, pointer: JsonPointer | None) -> str:
    return text if pointer is None else f"{text}#{pointer}"


# Parsing


def parse_expression(text: str) -> RuntimeExpression:
    """Parse one runtime expression that fills the whole of ``text``.

    Raises:
        ExpressionSyntaxError: ``text`` is not a runtime expression; the error's
            ``index`` points at the offending character.
    """
    return parse_expression_at(text, 0, len(text))


def parse_expression_at(source: str, start: int, end: int) -> RuntimeExpression:
    """Parse the runtime expression at ``source[start:end]``.

    Error indexes are offsets in ``source``, so a condition or template that
    contains the expression can report positions in its own text.

    Raises:
        ExpressionSyntaxError: The slice is not a runtime expression.
    """
    return _ExpressionParser(source, start, end).parse()


_Rule = Callable[["_ExpressionParser", int], RuntimeExpression]


class _ExpressionParser:
    """Recursive-descent parser over one slice of a source text."""

    def __init__(self, source: str, start: int, end: int) -> None:
        self.source = source
        self.start = start
        self.end = end
        self.text = source[start:end]

    def error(self, message: str, index: int) -> ExpressionSyntaxError:
        return ExpressionSyntaxError(message, text=self.source, index=index)

    def parse(self) -> RuntimeExpression:
        if not self.text.startswith("$"):
            raise self.error(
                f"runtime expression {self.text!r} must start with '$'", self.start
            )
        forbidden = _FORBIDDEN.search(self.text)
        if forbidden is not None:
            raise self.error(
                f"unexpected {forbidden.group()!r} in runtime expression {self.text!r}",
                self.start + forbidden.start(),
            )
        word = _ROOT_WORD.match(self.text)
        assert word is not None  # the text starts with '$'
        rule = _ROOTS.get(word.group()[1:])
        if rule is None:
            raise self.error(_unknown_root_message(self.text), self.start)
        return rule(self, self.start + word.end())

    # Helpers over absolute positions in `source`.

    def rest(self, index: int) -> str:
        return self.source[index : self.end]

    def expect_dot(self, index: int, after: str) -> int:
        if index >= self.end or self.source[index] != ".":
            found = self.rest(index)[:1] or "end of expression"
            raise self.error(f"expected '.' after {after!r}, found {found!r}", index)
        return index + 1

    def read_segment(self, index: int, what: str) -> tuple[str, int]:
        """Read up to the next '.' or '#'; the segment must not be empty."""
        stop = index
        while stop < self.end and self.source[stop] not in ".#":
            stop += 1
        if stop == index:
            raise self.error(f"missing {what} in {self.text!r}", index)
        return self.source[index:stop], stop

    def read_name_and_pointer(
        self, index: int, what: str
    ) -> tuple[str, JsonPointer | None]:
        """Read NAME[#POINTER] to the end; NAME may contain dots."""
        hash_index = self.source.find("#", index, self.end)
        name_end = self.end if hash_index < 0 else hash_index
        name = self.source[index:name_end]
        if not name:
            raise self.error(f"missing {what} in {self.text!r}", index)
        for segment_start, segment in _segments(name, index):
            if not segment:
                raise self.error(f"empty segment in {what} {name!r}", segment_start)
        pointer = None
        if hash_index >= 0:
            pointer = parse_pointer(
                self.source[hash_index + 1 : self.end],
                source=self.source,
                offset=hash_index + 1,
            )
        return name, pointer

    def expect_end(self, index: int, after: str) -> None:
        if index < self.end:
            raise self.error(f"unexpected {self.rest(index)!r} after {after!r}", index)

    # One rule per root.

    def parse_status_line(self, index: int, name: str) -> RuntimeExpression:
        self.expect_end(index, f"${name}")
        return StatusLineExpression(name)

    def parse_message(self, index: int, message: str) -> RuntimeExpression:
        index = self.expect_dot(index, f"${message}")
        source, index = self.read_segment(index, f"{message} source")
        sources: tuple[str, ...] = ("header", "query", "path", "body")
        if message == "response":
            sources = ("header", "body")
        if source not in sources:
            expected = " or ".join(sources)
            raise self.error(
                f"unknown {message} source {source!r}: expected {expected}",
                index - len(source),
            )
        if source == "body":
            return self.parse_body(index, message)
        index = self.expect_dot(index, f"${message}.{source}")
        if source == "header":
            name = self.rest(index)
            if _HEADER_NAME.fullmatch(name) is None:
                raise self.error(f"invalid header name {name!r}", index)
            return MessageExpression(message, source, name)
        name, pointer = self.read_name_and_pointer(index, f"{source} parameter name")
        return MessageExpression(message, source, name, pointer)

    def parse_body(self, index: int, message: str) -> RuntimeExpression:
        path: list[str] = []
        while index < self.end and self.source[index] == ".":
            segment, index = self.read_segment(index + 1, "property name")
            path.append(segment)
        pointer = None
        if index < self.end:
            # read_segment stops only at '.' or '#', so this is a '#'.
            pointer = parse_pointer(
                self.source[index + 1 : self.end], source=self.source, offset=index + 1
            )
        return MessageExpression(message, "body", None, pointer, tuple(path))

    def parse_inputs(self, index: int) -> RuntimeExpression:
        index = self.expect_dot(index, "$inputs")
        name, pointer = self.read_name_and_pointer(index, "input name")
        return InputExpression(name, pointer)

    def parse_outputs(self, index: int) -> RuntimeExpression:
        index = self.expect_dot(index, "$outputs")
        name, pointer = self.read_name_and_pointer(index, "output name")
        return OutputExpression(name, pointer)

    def parse_steps(self, index: int) -> RuntimeExpression:
        index = self.expect_dot(index, "$steps")
        step_id, index = self.read_segment(index, "step id")
        index = self.expect_dot(index, f"$steps.{step_id}")
        if self.source.startswith("outputs", index) and (
            index + len("outputs") == self.end
            or self.source[index + len("outputs")] in ".#"
        ):
            index = self.expect_dot(index + len("outputs"), f"$steps.{step_id}.outputs")
            name, pointer = self.read_name_and_pointer(index, "output name")
            return StepOutputExpression(step_id, name, pointer)
        name, pointer = self.read_name_and_pointer(index, "output name")
        return StepOutputExpression(step_id, name, pointer, outputs_omitted=True)

    def parse_workflows(self, index: int) -> RuntimeExpression:
        index = self.expect_dot(index, "$workflows")
        workflow_id, index = self.read_segment(index, "workflow id")
        index = self.expect_dot(index, f"$workflows.{workflow_id}")
        field, index = self.read_segment(index, "'inputs' or 'outputs'")
        if field not in ("inputs", "outputs"):
            raise self.error(
                f"expected 'inputs' or 'outputs' after '$workflows.{workflow_id}',"
                f" found {field!r}",
                index - len(field),
            )
        index = self.expect_dot(index, f"$workflows.{workflow_id}.{field}")
        name, pointer = self.read_name_and_pointer(index, f"workflow {field[:-1]} name")
        return WorkflowExpression(workflow_id, field, name, pointer)

    def parse_source_descriptions(self, index: int) -> RuntimeExpression:
        index = self.expect_dot(index, "$sourceDescriptions")
        stop = self.source.find(".", index, self.end)
        stop = self.end if stop < 0 else stop
        source_name = self.source[index:stop]
        if not source_name:
            raise self.error(f"missing source description name in {self.text!r}", index)
        if stop == self.end:
            return SourceDescriptionExpression(source_name)
        field = self.source[stop + 1 : self.end]
        if not field:
            raise self.error(f"missing field after '.' in {self.text!r}", stop + 1)
        return SourceDescriptionExpression(source_name, field)

    def parse_components(self, index: int) -> RuntimeExpression:
        index = self.expect_dot(index, "$components")
        component_type, index = self.read_segment(index, "component type")
        if component_type not in COMPONENT_TYPES:
            raise self.error(
                f"unknown component type {component_type!r}: expected"
                f" {', '.join(COMPONENT_TYPES)}",
                index - len(component_type),
            )
        index = self.expect_dot(index, f"$components.{component_type}")
        name = self.rest(index)
        if not name:
            raise self.error(f"missing component name in {self.text!r}", index)
        return ComponentExpression(component_type, name)


def _segments(name: str, start: int) -> list[tuple[int, str]]:
    result: list[tuple[int, str]] = []
    offset = start
    for segment in name.split("."):
        result.append((offset, segment))
        offset += len(segment) + 1
    return result


_ROOTS: dict[str, _Rule] = {
    "url": lambda parser, index: parser.parse_status_line(index, "url"),
    "method": lambda parser, index: parser.parse_status_line(index, "method"),
    "statusCode": lambda parser, index: parser.parse_status_line(index, "statusCode"),
    "request": lambda parser, index: parser.parse_message(index, "request"),
    "response": lambda parser, index: parser.parse_message(index, "response"),
    "inputs": _ExpressionParser.parse_inputs,
    "outputs": _ExpressionParser.parse_outputs,
    "steps": _ExpressionParser.parse_steps,
    "workflows": _ExpressionParser.parse_workflows,
    "sourceDescriptions": _ExpressionParser.parse_source_descriptions,
    "components": _ExpressionParser.parse_components,
}

ROOTS = tuple(_ROOTS)
"""Every name that may follow ``$`` at the start of a runtime expression."""


def _unknown_root_message(text: str) -> str:
    roots = ", ".join(f"${root}" for root in ROOTS)
    message = f"unknown runtime expression {text!r}: expected one of {roots}"
    if text.startswith(("$.", "$[")):
        message += " (a JSONPath query needs a criterion of type 'jsonpath')"
    return message
