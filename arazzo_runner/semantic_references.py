"""The locations of the runtime expressions in a planned workflow.

The semantic checks read them: each `Reference` is one parsed runtime
expression with the JSON Pointer of the field it was written in.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from arazzo_runner.document.reader import escape_pointer_segment
from arazzo_runner.expressions.conditions import ExpressionOperand
from arazzo_runner.expressions.criteria import (
    CompiledCriterion,
    JsonPathCriterion,
    SimpleCriterion,
)
from arazzo_runner.expressions.runtime_nodes import RuntimeExpression
from arazzo_runner.plan import PlannedCriterion, PlannedStep, PlannedWorkflow


@dataclass(frozen=True, slots=True)
class Reference:
    """A runtime expression found in a step, with where it sits.

    ``before_response`` is true for values evaluated before the step's
    request is sent (parameters and the request body).
    """

    expression: RuntimeExpression
    pointer: str
    before_response: bool = False


def step_references(step: PlannedStep) -> Iterator[Reference]:
    step_pointer = step.location.pointer or ""
    for parameter in step.parameters:
        pointer = f"{parameter.location.pointer}/value"
        for expression in parameter.value.expressions():
            yield Reference(expression, pointer, before_response=True)
    if step.body is not None:
        body_pointer = step.body.location.pointer or ""
        if step.body.payload is not None:
            for expression in step.body.payload.expressions():
                yield Reference(expression, f"{body_pointer}/payload", True)
        for replacement in step.body.replacements:
            pointer = f"{replacement.location.pointer}/value"
            for expression in replacement.value.expressions():
                yield Reference(expression, pointer, before_response=True)
    for criterion in step.success_criteria:
        yield from criterion_references(criterion)
    for action in (*step.on_success, *step.on_failure):
        # Workflow-level actions are checked once, at their own place.
        if (action.location.pointer or "").startswith(step_pointer + "/"):
            for criterion in action.criteria:
                yield from criterion_references(criterion)
    for name, node in step.outputs.items():
        pointer = f"{step_pointer}/outputs/{escape_pointer_segment(name)}"
        for expression in node.expressions():
            yield Reference(expression, pointer)


def shared_action_references(workflow: PlannedWorkflow) -> Iterator[Reference]:
    """Yield the references in the criteria of workflow-level and component actions.

    Such an action applies to every step, so its references are checked once,
    at its own place, like those of workflow outputs.
    """
    seen: set[str] = set()
    for step in workflow.steps:
        step_pointer = (step.location.pointer or "") + "/"
        for action in (*step.on_success, *step.on_failure):
            pointer = action.location.pointer or ""
            if pointer.startswith(step_pointer) or pointer in seen:
                continue
            seen.add(pointer)
            for criterion in action.criteria:
                yield from criterion_references(criterion)


def criterion_references(criterion: PlannedCriterion) -> Iterator[Reference]:
    pointer = criterion.location.pointer or ""
    compiled = criterion.compiled
    if compiled.context is not None:
        yield Reference(compiled.context, f"{pointer}/context")
    for expression in condition_expressions(compiled):
        yield Reference(expression, f"{pointer}/condition")


def condition_expressions(compiled: CompiledCriterion) -> list[RuntimeExpression]:
    """Return the runtime expressions in a criterion's condition."""
    if isinstance(compiled, SimpleCriterion):
        return list(compiled.parsed.expressions())
    if isinstance(compiled, JsonPathCriterion) and compiled.template is not None:
        return list(compiled.template.expressions())
    if isinstance(compiled, JsonPathCriterion) and compiled.compiled is not None:
        # A comparison-style condition (LEN-1) may compare with expressions.
        node = compiled.compiled.node
        if node is not None:
            return [
                item.expression
                for item in node.walk()
                if isinstance(item, ExpressionOperand)
            ]
    return []
