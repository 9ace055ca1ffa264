"""Runtime-expression nodes and their evaluation against a `Scope`.

`runtime.parse_expression` builds these nodes. A name may contain dots: on
evaluation the longest key that exists wins, and the dotted segments after it
walk into the value as property names and array indexes.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from arazzo_runner.expressions import leniency
from arazzo_runner.expressions.leniency import Leniency
from arazzo_runner.expressions.pointer import JsonPointer, format_pointer
from arazzo_runner.expressions.scope import MISSING, Exchange, Scope

_ARRAY_INDEX = re.compile(r"0|[1-9][0-9]*")


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
    reads the same output. Its standard form depends on the step's output
    names, so the semantic checks report it (see `semantic_names`), not
    `leniencies`.
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
