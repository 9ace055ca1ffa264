"""Runtime expressions (Arazzo 1.0.1, "Runtime Expressions"): the parser.

The nodes it builds, which evaluate themselves, live in `runtime_nodes` and
are re-exported here.

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
from collections.abc import Callable

from arazzo_runner.errors import ExpressionSyntaxError
from arazzo_runner.expressions.pointer import JsonPointer, parse_pointer
from arazzo_runner.expressions.runtime_nodes import (
    ComponentExpression,
    InputExpression,
    MessageExpression,
    OutputExpression,
    RuntimeExpression,
    SourceDescriptionExpression,
    StatusLineExpression,
    StepOutputExpression,
    WorkflowExpression,
    walk_dotted,
)

__all__ = [
    "COMPONENT_TYPES",
    "ROOTS",
    "ComponentExpression",
    "InputExpression",
    "MessageExpression",
    "OutputExpression",
    "RuntimeExpression",
    "SourceDescriptionExpression",
    "StatusLineExpression",
    "StepOutputExpression",
    "WorkflowExpression",
    "parse_expression",
    "parse_expression_at",
    "walk_dotted",
]

# RFC 9110 `tchar`: the characters of a header field name.
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_ROOT_WORD = re.compile(r"\$[A-Za-z]*")
_FORBIDDEN = re.compile(r"[\s{}]")

COMPONENT_TYPES = ("parameters", "successActions", "failureActions")


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
            found = repr(self.rest(index)[:1]) if index < self.end else "end of text"
            raise self.error(f"expected '.' after {after!r}, found {found}", index)
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
