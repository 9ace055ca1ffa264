"""Prepare the plan: resolve every reference and parse every expression.

Preparing a plan is where every load-time problem surfaces: unknown
operations and steps, expressions that do not parse, and the real-world forms
accepted with a warning. Nothing here sends a request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from arazzo_runner._syntax_hints import syntax_hint
from arazzo_runner.diagnostics import Diagnostic
from arazzo_runner.document.loader import LoadedDocument, LoadResult
from arazzo_runner.document.model import (
    Action,
    Criterion,
    Parameter,
    Reusable,
    Step,
    Workflow,
)
from arazzo_runner.document.reader import escape_pointer_segment
from arazzo_runner.errors import ExpressionSyntaxError
from arazzo_runner.expressions.criteria import CriterionFieldError, compile_criterion
from arazzo_runner.expressions.leniency import Leniency
from arazzo_runner.expressions.runtime import parse_expression
from arazzo_runner.expressions.template import LiteralValue, ValueNode, parse_value
from arazzo_runner.plan import (
    Plan,
    PlannedAction,
    PlannedBody,
    PlannedCriterion,
    PlannedParameter,
    PlannedReplacement,
    PlannedStep,
    PlannedWorkflow,
)
from arazzo_runner.plan_cycles import check_dependency_cycles, check_workflow_recursion
from arazzo_runner.plan_targets import (
    find_operation_by_id,
    find_operation_by_path,
    find_workflow,
)

_OUTPUT_NAME = re.compile(r"^[a-zA-Z0-9.\-_]+$")
_OUTPUT_CHARACTER = re.compile(r"[^a-zA-Z0-9.\-_]")


def prepare(result: LoadResult) -> Plan:
    """Build the plan for a loaded document; problems go into ``diagnostics``."""
    plan = Plan(
        entry_uri=result.entry.document.uri,
        entry_workflows=[w.workflow_id for w in result.entry.document.workflows],
        diagnostics=list(result.diagnostics),
    )
    _Planner(plan).add_document(result.entry, prefix="")
    check_dependency_cycles(plan)
    check_workflow_recursion(plan, result.entry)
    return plan


class _Planner:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.done: set[str] = set()

    # -- diagnostics --------------------------------------------------------

    def error(
        self,
        loaded: LoadedDocument,
        pointer: str,
        code: str,
        message: str,
        hint: str | None = None,
    ) -> None:
        self.plan.diagnostics.append(
            Diagnostic("error", code, message, loaded.parsed.location(pointer), hint)
        )

    def warning(
        self,
        loaded: LoadedDocument,
        pointer: str,
        code: str,
        message: str,
        hint: str | None = None,
    ) -> None:
        self.plan.diagnostics.append(
            Diagnostic("warning", code, message, loaded.parsed.location(pointer), hint)
        )

    def leniencies(
        self, loaded: LoadedDocument, pointer: str, found: tuple[Leniency, ...]
    ) -> None:
        for leniency in found:
            self.warning(
                loaded,
                pointer,
                leniency.code,
                leniency.message,
                _leniency_hint(leniency),
            )

    # -- documents and workflows -------------------------------------------

    def add_document(self, loaded: LoadedDocument, prefix: str) -> None:
        if loaded.document.uri in self.done:
            return
        self.done.add(loaded.document.uri)
        self.check_unique_ids(loaded)
        for name, child in loaded.arazzo.items():
            self.add_document(child, prefix=f"{prefix}{name}.")
        for index, workflow in enumerate(loaded.document.workflows):
            key = prefix + workflow.workflow_id
            self.plan.workflows[key] = self.workflow(
                loaded, workflow, key, prefix, index
            )

    def check_unique_ids(self, loaded: LoadedDocument) -> None:
        # An empty id is missing or not a string, which the schema reports, so
        # it is left out here (and from the stepIds in ``workflow``).
        seen: set[str] = set()
        for source in loaded.document.source_descriptions:
            if source.name and source.name in seen:
                self.error(
                    loaded,
                    f"{source.pointer}/name",
                    "duplicate-id",
                    f"source name {source.name!r} is used twice",
                    "give each source description its own name",
                )
            seen.add(source.name)
        seen = set()
        for workflow in loaded.document.workflows:
            if workflow.workflow_id and workflow.workflow_id in seen:
                self.error(
                    loaded,
                    f"{workflow.pointer}/workflowId",
                    "duplicate-id",
                    f"workflowId {workflow.workflow_id!r} is used twice",
                    "give each workflow its own workflowId",
                )
            seen.add(workflow.workflow_id)

    def workflow(
        self,
        loaded: LoadedDocument,
        workflow: Workflow,
        key: str,
        prefix: str,
        index: int,
    ) -> PlannedWorkflow:
        step_ids: dict[str, int] = {}
        for position, step in enumerate(workflow.steps):
            if step.step_id and step.step_id in step_ids:
                self.error(
                    loaded,
                    f"{step.pointer}/stepId",
                    "duplicate-id",
                    f"stepId {step.step_id!r} is used twice in workflow "
                    f"{workflow.workflow_id!r}",
                    "give each step of a workflow its own stepId",
                )
            else:
                step_ids[step.step_id] = position
        context = _WorkflowContext(loaded, workflow, prefix, step_ids)
        steps = [
            self.step(context, step, position)
            for position, step in enumerate(workflow.steps)
        ]
        depends_on = tuple(
            target
            for position, reference in enumerate(workflow.depends_on)
            if (
                target := self.workflow_target(
                    context, reference, f"{workflow.pointer}/dependsOn/{position}"
                )
            )
            is not None
        )
        return PlannedWorkflow(
            key=key,
            workflow_id=workflow.workflow_id,
            inputs_schema=workflow.inputs,
            components_inputs=loaded.document.components.inputs,
            depends_on=depends_on,
            steps=steps,
            step_index=step_ids,
            outputs=self.outputs(
                loaded, workflow.outputs, f"{workflow.pointer}/outputs"
            ),
            location=loaded.parsed.location(workflow.pointer),
            source_descriptions={
                source.name: {
                    "name": source.name,
                    "url": source.url,
                    "type": source.type,
                }
                for source in loaded.document.source_descriptions
            },
        )

    # -- steps ----------------------------------------------------------------

    def step(self, context: _WorkflowContext, step: Step, index: int) -> PlannedStep:
        loaded = context.loaded
        operation = None
        workflow_key = None
        if step.operation_id is not None:
            operation = find_operation_by_id(
                self, loaded, step.operation_id, f"{step.pointer}/operationId"
            )
        elif step.operation_path is not None:
            operation = find_operation_by_path(
                self, loaded, step.operation_path, f"{step.pointer}/operationPath"
            )
        elif step.workflow_id is not None:
            workflow_key = self.workflow_target(
                context, step.workflow_id, f"{step.pointer}/workflowId"
            )
        if step.request_body is not None and step.workflow_id is not None:
            self.warning(
                loaded,
                f"{step.pointer}/requestBody",
                "body-on-workflow-step",
                "a requestBody on a step that calls a workflow has no meaning "
                "and is ignored",
                "remove the requestBody, or pass values as parameters",
            )
        parameters = self.parameters(context, step, operation is not None)
        body = None
        if step.request_body is not None and step.workflow_id is None:
            rb = step.request_body
            payload = None
            if rb.has_payload:
                payload = self.value(loaded, rb.payload, f"{rb.pointer}/payload")
            replacements = tuple(
                PlannedReplacement(
                    r.target,
                    self.value(loaded, r.value, f"{r.pointer}/value"),
                    loaded.parsed.location(r.pointer),
                )
                for r in rb.replacements
            )
            body = PlannedBody(
                rb.content_type,
                payload,
                replacements,
                loaded.parsed.location(rb.pointer),
            )
        return PlannedStep(
            step_id=step.step_id,
            index=index,
            operation=operation,
            workflow_key=workflow_key,
            parameters=parameters,
            body=body,
            success_criteria=self.criteria(loaded, step.success_criteria),
            on_success=self.actions(
                context, step.on_success, workflow_level=False, kind="success"
            ),
            on_failure=self.actions(
                context, step.on_failure, workflow_level=False, kind="failure"
            ),
            outputs=self.outputs(loaded, step.outputs, f"{step.pointer}/outputs"),
            location=loaded.parsed.location(step.pointer),
        )

    def parameters(
        self, context: _WorkflowContext, step: Step, is_operation: bool
    ) -> tuple[PlannedParameter, ...]:
        loaded = context.loaded
        merged: list[Parameter] = []

        def identity(parameter: Parameter) -> tuple[str, str | None]:
            if parameter.in_ == "header":
                return parameter.name.lower(), "header"
            return parameter.name, parameter.in_

        for level, entries in (
            ("workflow", context.workflow.parameters),
            ("step", step.parameters),
        ):
            seen: set[tuple[str, str | None]] = set()
            for entry in entries:
                parameter = self.resolve_parameter(loaded, entry)
                if parameter is None:
                    continue
                key = identity(parameter)
                if key in seen:
                    # At the entry, not at the component a reference names.
                    self.error(
                        loaded,
                        entry.pointer,
                        "duplicate-parameter",
                        f"parameter {parameter.name!r} (in: {parameter.in_}) is listed "
                        f"twice in this {level}",
                        "keep one entry per name and location",
                    )
                    continue
                seen.add(key)
                # A step parameter replaces the workflow parameter of the same
                # identity in its place, so the order of the query stays stable.
                position = next(
                    (i for i, kept in enumerate(merged) if identity(kept) == key), None
                )
                if position is None:
                    merged.append(parameter)
                else:
                    merged[position] = parameter
        result = []
        for parameter in merged:
            if is_operation and parameter.in_ is None:
                self.error(
                    loaded,
                    parameter.pointer,
                    "parameter-in",
                    f"parameter {parameter.name!r} needs 'in' because the step calls "
                    "an operation",
                    "add in: path, query, header or cookie",
                )
                continue
            result.append(
                PlannedParameter(
                    parameter.name,
                    parameter.in_,
                    self.value(loaded, parameter.value, f"{parameter.pointer}/value"),
                    loaded.parsed.location(parameter.pointer),
                )
            )
        return tuple(result)

    def resolve_parameter(
        self, loaded: LoadedDocument, entry: Parameter | Reusable
    ) -> Parameter | None:
        if isinstance(entry, Parameter):
            return entry
        prefix = "$components.parameters."
        if not entry.reference.startswith(prefix):
            self.error(
                loaded,
                f"{entry.pointer}/reference",
                "reference-kind",
                f"{entry.reference!r} is not a parameter reference",
                f"use {prefix}NAME",
            )
            return None
        component = loaded.document.components.parameters.get(
            entry.reference[len(prefix) :]
        )
        if component is None:
            self.error(
                loaded,
                f"{entry.pointer}/reference",
                "reference-missing",
                f"{entry.reference!r} names no component parameter",
                "define it under components.parameters",
            )
            return None
        if entry.has_value:
            return Parameter(component.name, component.in_, entry.value, entry.pointer)
        return component

    # -- actions -------------------------------------------------------------

    def actions(
        self,
        context: _WorkflowContext,
        entries: tuple[Action | Reusable, ...],
        *,
        workflow_level: bool,
        kind: str,
    ) -> tuple[PlannedAction, ...]:
        loaded = context.loaded
        own = [self.action(context, entry, kind) for entry in entries]
        step_actions = [a for a in own if a is not None]
        self.check_duplicate_actions(loaded, entries, kind)
        if workflow_level:
            return tuple(step_actions)
        defaults = (
            context.workflow.success_actions
            if kind == "success"
            else context.workflow.failure_actions
        )
        key = f"{kind}:{id(context.workflow)}"
        if key not in context.defaults:
            planned = [self.action(context, entry, kind) for entry in defaults]
            context.defaults[key] = [a for a in planned if a is not None]
            self.check_duplicate_actions(loaded, defaults, kind)
        names = {a.name for a in step_actions}
        # Step actions come first; workflow actions with the same name are
        # overridden, and the rest follow in their own order.
        return tuple(
            step_actions + [a for a in context.defaults[key] if a.name not in names]
        )

    def check_duplicate_actions(
        self,
        loaded: LoadedDocument,
        entries: tuple[Action | Reusable, ...],
        kind: str,
    ) -> None:
        """Report each action name used twice in one list.

        The names are compared before any target is checked, so that an
        action with a broken target still counts, and a duplicate is located
        at its entry in the list, also when it is a reference.
        """
        seen: set[str] = set()
        for entry in entries:
            action = (
                _component_action(loaded, entry.reference, kind)
                if isinstance(entry, Reusable)
                else entry
            )
            # A missing name, which the schema reports, is no duplicate.
            if action is None or not action.name:
                continue
            if action.name in seen:
                self.error(
                    loaded,
                    entry.pointer,
                    "duplicate-action",
                    f"action name {action.name!r} is used twice in one list",
                    "give each action its own name",
                )
            seen.add(action.name)

    def action(
        self, context: _WorkflowContext, entry: Action | Reusable, kind: str
    ) -> PlannedAction | None:
        loaded = context.loaded
        if isinstance(entry, Reusable):
            section = "successActions" if kind == "success" else "failureActions"
            prefix = f"$components.{section}."
            if not entry.reference.startswith(prefix):
                self.error(
                    loaded,
                    f"{entry.pointer}/reference",
                    "reference-kind",
                    f"{entry.reference!r} is not a {kind} action reference",
                    f"use {prefix}NAME",
                )
                return None
            found = _component_action(loaded, entry.reference, kind)
            if found is None:
                self.error(
                    loaded,
                    f"{entry.pointer}/reference",
                    "reference-missing",
                    f"{entry.reference!r} names no component",
                    f"define it under components.{section}",
                )
                return None
            entry = found
        allowed = ("end", "goto") if kind == "success" else ("end", "goto", "retry")
        if entry.type == "retry" and kind == "success":
            self.warning(
                loaded,
                f"{entry.pointer}/type",
                "LEN-3",
                "'retry' is not a success action type in Arazzo 1.0; it runs as a "
                "polling loop (wait, run the step again, choose actions again)",
                "move the retry to onFailure with criteria that fail the step "
                "while it is not finished",
            )
        elif entry.type not in allowed:
            self.error(
                loaded,
                f"{entry.pointer}/type",
                "action-type",
                f"unknown {kind} action type {entry.type!r}",
                "use " + ", ".join(allowed),
            )
            return None
        if entry.type == "goto" and (entry.step_id is None) == (
            entry.workflow_id is None
        ):
            self.error(
                loaded,
                entry.pointer,
                "action-target",
                "a goto action needs exactly one of stepId and workflowId",
                "add stepId to go to a step of this workflow, or workflowId to "
                "go to another workflow",
            )
            return None
        if entry.type == "retry" and entry.step_id and entry.workflow_id:
            self.error(
                loaded,
                entry.pointer,
                "action-target",
                "a retry action takes at most one of stepId and workflowId",
                "keep stepId or workflowId, or neither to retry this step alone",
            )
            return None
        step_id = entry.step_id if entry.type != "end" else None
        if step_id is not None and step_id not in context.step_ids:
            self.error(
                loaded,
                f"{entry.pointer}/stepId",
                "action-target",
                f"step {step_id!r} does not exist in workflow "
                f"{context.workflow.workflow_id!r}",
                "a goto or retry can only name a step of the same workflow",
            )
            return None
        workflow_key = None
        if entry.workflow_id is not None and entry.type != "end":
            workflow_key = self.workflow_target(
                context, entry.workflow_id, f"{entry.pointer}/workflowId"
            )
            if workflow_key is None:
                return None
        return PlannedAction(
            name=entry.name,
            type=entry.type,
            kind=kind,
            step_id=step_id,
            workflow_key=workflow_key,
            retry_after=entry.retry_after,
            retry_limit=1 if entry.retry_limit is None else entry.retry_limit,
            criteria=self.criteria(loaded, entry.criteria),
            location=loaded.parsed.location(entry.pointer),
        )

    def workflow_target(
        self, context: _WorkflowContext, reference: str, pointer: str
    ) -> str | None:
        return find_workflow(self, context.loaded, context.prefix, reference, pointer)

    # -- values ---------------------------------------------------------------

    def value(self, loaded: LoadedDocument, value: Any, pointer: str) -> ValueNode:
        try:
            node = parse_value(value)
        except ExpressionSyntaxError as exc:
            self.expression_error(loaded, pointer, exc)
            return parse_value(None)
        self.leniencies(loaded, pointer, node.leniencies)
        return node

    def outputs(
        self, loaded: LoadedDocument, outputs: dict[str, Any], pointer: str
    ) -> dict[str, ValueNode]:
        result: dict[str, ValueNode] = {}
        for name, value in outputs.items():
            output_pointer = f"{pointer}/{escape_pointer_segment(name)}"
            if not _OUTPUT_NAME.match(name):
                self.error(
                    loaded,
                    output_pointer,
                    "output-name",
                    f"output name {name!r} may use only letters, digits, "
                    "'.', '-' and '_'",
                    f"rename it, for example to {_OUTPUT_CHARACTER.sub('_', name)!r}, "
                    "and update the expressions that read it",
                )
            if _is_broken_expression(value):
                # An output takes only a runtime expression, so the semantic
                # checks report this text as an error rather than a literal.
                result[name] = LiteralValue(value)
                continue
            result[name] = self.value(loaded, value, output_pointer)
        return result

    def criteria(
        self, loaded: LoadedDocument, criteria: tuple[Criterion, ...]
    ) -> tuple[PlannedCriterion, ...]:
        result = []
        for criterion in criteria:
            if criterion.condition is None:
                continue  # The builder reported the missing or wrong condition.
            try:
                compiled = compile_criterion(
                    criterion.condition, context=criterion.context, type=criterion.type
                )
            except CriterionFieldError as exc:
                pointer = criterion.pointer
                if exc.field:
                    pointer = f"{pointer}/{exc.field}"
                self.expression_error(loaded, pointer, exc)
                continue
            except ExpressionSyntaxError as exc:
                self.expression_error(loaded, f"{criterion.pointer}/condition", exc)
                continue
            self.leniencies(
                loaded, f"{criterion.pointer}/condition", compiled.leniencies
            )
            result.append(
                PlannedCriterion(
                    compiled,
                    criterion.condition,
                    loaded.parsed.location(criterion.pointer),
                )
            )
        return tuple(result)

    def expression_error(
        self, loaded: LoadedDocument, pointer: str, exc: ExpressionSyntaxError
    ) -> None:
        self.error(
            loaded,
            pointer,
            "expression-syntax",
            f"{exc.message}\n{exc.caret()}",
            exc.hint or syntax_hint(loaded.parsed, pointer),
        )


@dataclass(slots=True)
class _WorkflowContext:
    loaded: LoadedDocument
    workflow: Workflow
    prefix: str
    step_ids: dict[str, int]
    defaults: dict[str, list[PlannedAction]] = field(default_factory=dict)


def _component_action(
    loaded: LoadedDocument, reference: str, kind: str
) -> Action | None:
    """Return the component action that ``reference`` names in the section of
    ``kind`` (success or failure), or ``None``."""
    components = loaded.document.components
    if kind == "success":
        prefix, table = "$components.successActions.", components.success_actions
    else:
        prefix, table = "$components.failureActions.", components.failure_actions
    if not reference.startswith(prefix):
        return None
    return table.get(reference[len(prefix) :])


def _leniency_hint(found: Leniency) -> str | None:
    """Return the fix to print for a leniency: its standard form, else its hint."""
    if found.suggestion:
        return f"write it as {found.suggestion}"
    return found.hint or None


def _is_broken_expression(value: Any) -> bool:
    """Return whether ``value`` is text starting with '$' that does not parse."""
    if not isinstance(value, str) or not value.strip().startswith("$"):
        return False
    try:
        parse_expression(value.strip())
    except ExpressionSyntaxError:
        return True
    return False
