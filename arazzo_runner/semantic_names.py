"""LEN-6 and LEN-9: accepted forms that depend on the names a document defines.

A runtime expression such as ``$steps.s.outputs.list.0.id`` reads the
output ``list.0.id`` if step ``s`` defines one. Otherwise it reads the
longest defined name, ``list``, and walks ``0`` and ``id`` into its value,
which is dotted navigation (LEN-6). ``$steps.s.list`` with ``.outputs`` left
out is LEN-9. Which form an expression has, and its standard form
(``$steps.s.outputs.list#/0/id``), depends on the defined names, so these
forms are found here rather than by the parser.
"""

from __future__ import annotations

from collections.abc import Collection

from arazzo_runner.expressions import leniency
from arazzo_runner.expressions.leniency import Leniency
from arazzo_runner.expressions.pointer import format_pointer
from arazzo_runner.expressions.runtime_nodes import (
    InputExpression,
    OutputExpression,
    RuntimeExpression,
    StepOutputExpression,
    WorkflowExpression,
)

NamedExpression = (
    InputExpression | OutputExpression | StepOutputExpression | WorkflowExpression
)


def name_leniencies(
    expression: NamedExpression, names: Collection[str] | None
) -> list[Leniency]:
    """Return the LEN-9 and LEN-6 forms in ``expression``.

    ``names`` are the names that the expression's NAME is read from (a step's
    or workflow's outputs, or the declared inputs), or ``None`` when they are
    not known. Each leniency suggests the standard form: the defined name,
    then a JSON Pointer for the rest.
    """
    split = None if names is None else longest_name(names, expression.name)
    standard = _standard_form(expression, split)
    found: list[Leniency] = []
    if isinstance(expression, StepOutputExpression) and expression.outputs_omitted:
        found.append(
            Leniency(
                code=leniency.OUTPUTS_OMITTED,
                message=f"'.outputs' left out of '{expression}'",
                suggestion=standard,
            )
        )
    if split is not None and split[1]:
        found.append(
            Leniency(
                code=leniency.DOTTED_NAVIGATION,
                message=f"dotted navigation into {_kind(expression)} {split[0]!r}"
                f" in '{expression}'",
                suggestion=standard,
            )
        )
    return found


def longest_name(names: Collection[str], name: str) -> tuple[str, list[str]] | None:
    """Split ``name`` into the longest dotted prefix in ``names`` and the rest.

    This is the key that evaluation reads first (see `walk_dotted`). Returns
    ``None`` when no prefix of ``name`` is one of ``names``.
    """
    segments = name.split(".")
    for count in range(len(segments), 0, -1):
        key = ".".join(segments[:count])
        if key in names:
            return key, segments[count:]
    return None


def _standard_form(
    expression: NamedExpression, split: tuple[str, list[str]] | None
) -> str:
    key, rest = split if split is not None else (expression.name, [])
    tokens = [*rest, *(expression.pointer.tokens if expression.pointer else ())]
    text = _prefix(expression) + key
    return f"{text}#{format_pointer(tokens)}" if tokens else text


def _prefix(expression: RuntimeExpression) -> str:
    if isinstance(expression, StepOutputExpression):
        return f"$steps.{expression.step_id}.outputs."
    if isinstance(expression, WorkflowExpression):
        return f"$workflows.{expression.workflow_id}.{expression.field}."
    if isinstance(expression, InputExpression):
        return "$inputs."
    return "$outputs."


def _kind(expression: RuntimeExpression) -> str:
    if isinstance(expression, InputExpression) or (
        isinstance(expression, WorkflowExpression) and expression.field == "inputs"
    ):
        return "input"
    return "output"
