"""Checks that need the prepared plan: references between steps and workflows,
step order, input schemas, and the rules the specification words as SHOULD.

The planner has already resolved every target and parsed every expression.
These checks read its results and the document model side by side and only
report: nothing here changes the plan.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from arazzo_runner._syntax_hints import syntax_hint
from arazzo_runner.diagnostics import Diagnostic, Severity
from arazzo_runner.document.loader import LoadedDocument, LoadResult
from arazzo_runner.document.model import Action, Reusable, Step, Workflow
from arazzo_runner.document.reader import escape_pointer_segment
from arazzo_runner.errors import ExpressionSyntaxError
from arazzo_runner.expressions.runtime import parse_expression
from arazzo_runner.expressions.runtime_nodes import (
    InputExpression,
    OutputExpression,
    StepOutputExpression,
    WorkflowExpression,
)
from arazzo_runner.expressions.template import LiteralValue, ValueNode
from arazzo_runner.plan import (
    Plan,
    PlannedAction,
    PlannedStep,
    PlannedWorkflow,
)
from arazzo_runner.semantic_inputs import check_input_references
from arazzo_runner.semantic_names import NamedExpression, name_leniencies
from arazzo_runner.semantic_references import (
    Reference,
    shared_action_references,
    step_references,
)

# The pattern that source names, workflowIds and stepIds SHOULD match
# (Arazzo 1.0.1, Source Description, Workflow and Step Objects).
_ID_PATTERN = re.compile(r"^[A-Za-z0-9_\-]+$")
_BODYLESS_METHODS = ("get", "head", "delete")
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def check_plan(loaded: LoadResult, plan: Plan) -> list[Diagnostic]:
    """Return the problems found in the plan of every loaded Arazzo document."""
    checker = _Checker(plan)
    checker.add_document(loaded.entry, prefix="")
    return checker.found


@dataclass(slots=True)
class _Checker:
    plan: Plan
    found: list[Diagnostic] = field(default_factory=list)
    done: set[str] = field(default_factory=set)

    def report(
        self,
        loaded: LoadedDocument,
        pointer: str,
        severity: Severity,
        code: str,
        message: str,
        hint: str | None = None,
    ) -> None:
        location = loaded.parsed.location(pointer)
        self.found.append(Diagnostic(severity, code, message, location, hint))

    # -- documents ------------------------------------------------------------

    def add_document(self, loaded: LoadedDocument, prefix: str) -> None:
        # The planner plans a document once, under the first prefix it is
        # reached by; the same walk finds the same plan keys.
        if loaded.document.uri in self.done:
            return
        self.done.add(loaded.document.uri)
        for name, child in loaded.arazzo.items():
            self.add_document(child, prefix=f"{prefix}{name}.")
        self.found.extend(check_input_references(loaded))
        self.check_names(loaded)
        for workflow in loaded.document.workflows:
            planned = self.plan.workflows.get(prefix + workflow.workflow_id)
            if planned is None or planned.location.pointer != workflow.pointer:
                continue  # A duplicate workflowId: the planner reported it.
            self.check_workflow(loaded, workflow, planned, prefix)

    def check_names(self, loaded: LoadedDocument) -> None:
        document = loaded.document
        for source in document.source_descriptions:
            self.check_id(loaded, source.name, f"{source.pointer}/name", "source name")
        for workflow in document.workflows:
            self.check_id(
                loaded,
                workflow.workflow_id,
                f"{workflow.pointer}/workflowId",
                "workflowId",
            )
            for step in workflow.steps:
                self.check_id(loaded, step.step_id, f"{step.pointer}/stepId", "stepId")

    def check_id(
        self, loaded: LoadedDocument, value: str, pointer: str, kind: str
    ) -> None:
        if not value or _ID_PATTERN.match(value):
            return
        self.report(
            loaded,
            pointer,
            "warning",
            "id-pattern",
            f"{kind} {value!r} should use only letters, digits, '_' and '-'",
            "rename it, because other characters make the runtime expressions "
            "that name it hard to read or ambiguous",
        )

    # -- workflows and steps -----------------------------------------------------

    def check_workflow(
        self,
        loaded: LoadedDocument,
        workflow: Workflow,
        planned: PlannedWorkflow,
        prefix: str,
    ) -> None:
        scope = _Scope(loaded, workflow, planned, prefix, _ControlFlow(planned))
        for step, planned_step in zip(workflow.steps, planned.steps, strict=True):
            self.check_step_fields(loaded, step, planned_step)
            for reference in step_references(planned_step):
                self.check_reference(scope, planned_step, reference)
        for reference in shared_action_references(planned):
            self.check_reference(scope, None, reference)
        outputs_pointer = f"{workflow.pointer}/outputs"
        for name, node in planned.outputs.items():
            pointer = f"{outputs_pointer}/{escape_pointer_segment(name)}"
            self.check_output_value(loaded, name, node, pointer)
            for expression in node.expressions():
                self.check_reference(scope, None, Reference(expression, pointer))
        self.check_actions(loaded, workflow.success_actions)
        self.check_actions(loaded, workflow.failure_actions)
        for parameter in workflow.parameters:
            if isinstance(parameter, Reusable):
                self.check_reusable(loaded, parameter, "parameter")

    def check_step_fields(
        self, loaded: LoadedDocument, step: Step, planned: PlannedStep
    ) -> None:
        """Check the SHOULD rules and the fields that a step ignores."""
        raw = _raw(loaded, step.pointer)
        if raw.get("successCriteria") == []:
            self.report(
                loaded,
                f"{step.pointer}/successCriteria",
                "warning",
                "empty-criteria",
                "'successCriteria' is empty, so it decides nothing",
                "add a criterion such as '$statusCode == 200', or remove the field",
            )
        operation = planned.operation
        if (
            operation is not None
            and step.request_body is not None
            and operation.method.lower() in _BODYLESS_METHODS
        ):
            self.report(
                loaded,
                f"{step.pointer}/requestBody",
                "warning",
                "body-not-expected",
                f"a request body on {operation.label} should be avoided: HTTP "
                "defines no meaning for it",
                "remove the requestBody, or call an operation that takes a body",
            )
        if (
            step.operation_path is not None
            and operation is not None
            and operation.operation_id
        ):
            self.report(
                loaded,
                f"{step.pointer}/operationPath",
                "warning",
                "operation-path-with-id",
                f"the operation has the operationId {operation.operation_id!r}, "
                "which should be used instead of operationPath",
                f"write operationId: $sourceDescriptions.{operation.source.name}."
                f"{operation.operation_id}",
            )
        if operation is not None:
            self.check_path_parameters(loaded, step, planned)
        for name, node in planned.outputs.items():
            pointer = f"{step.pointer}/outputs/{escape_pointer_segment(name)}"
            self.check_output_value(loaded, name, node, pointer)
        for parameter in step.parameters:
            if isinstance(parameter, Reusable):
                self.check_reusable(loaded, parameter, "parameter")
            elif step.workflow_id is not None and parameter.in_ is not None:
                self.report(
                    loaded,
                    f"{parameter.pointer}/in",
                    "warning",
                    "parameter-in-ignored",
                    f"'in' of parameter {parameter.name!r} is ignored: the step "
                    "calls a workflow, which receives the parameter as an input",
                    "remove 'in'",
                )
        self.check_actions(loaded, step.on_success)
        self.check_actions(loaded, step.on_failure)

    def check_path_parameters(
        self, loaded: LoadedDocument, step: Step, planned: PlannedStep
    ) -> None:
        """Check that the path parameters fill the operation's path template."""
        operation = planned.operation
        assert operation is not None
        placeholders = _PLACEHOLDER.findall(operation.path)
        path_parameters = {p.name: p for p in planned.parameters if p.in_ == "path"}
        target = "operationId" if step.operation_id is not None else "operationPath"
        for name in placeholders:
            if name not in path_parameters:
                # NOTE: a warning, not an error, so that the document's other
                # workflows still run; this step fails before it sends anything.
                self.report(
                    loaded,
                    f"{step.pointer}/{target}",
                    "warning",
                    "path-parameter-missing",
                    f"path parameter {name!r} of {operation.label} gets no value, "
                    "so the step will fail",
                    f"add a parameter with name: {name} and in: path",
                )
        for name, parameter in path_parameters.items():
            if name not in placeholders:
                self.report(
                    loaded,
                    parameter.location.pointer or step.pointer,
                    "warning",
                    "path-parameter-unknown",
                    f"path parameter {name!r} matches no placeholder of "
                    f"{operation.path!r}, so it is not sent",
                    "use one of: " + ", ".join(placeholders)
                    if placeholders
                    else "remove it, or send it in the query",
                )

    def check_output_value(
        self, loaded: LoadedDocument, name: str, node: ValueNode, pointer: str
    ) -> None:
        if not isinstance(node, LiteralValue):
            return
        text = node.value.strip() if isinstance(node.value, str) else ""
        if text.startswith("$"):
            # Elsewhere a string that fails to parse is a literal, but an
            # output takes only a runtime expression: report why it fails.
            try:
                parse_expression(text)
            except ExpressionSyntaxError as exc:
                self.report(
                    loaded,
                    pointer,
                    "error",
                    "expression-syntax",
                    f"output {name!r}: {exc.message}\n{exc.caret()}",
                    exc.hint or syntax_hint(loaded.parsed, pointer),
                )
                return
        self.report(
            loaded,
            pointer,
            "warning",
            "output-literal",
            f"output {name!r} is not a runtime expression, so its value is the "
            "constant written here",
            "use a runtime expression such as $response.body#/id",
        )

    def check_actions(
        self, loaded: LoadedDocument, actions: tuple[Action | Reusable, ...]
    ) -> None:
        for action in actions:
            if isinstance(action, Reusable):
                self.check_reusable(loaded, action, "action")
                continue
            if action.type == "end" and (action.step_id or action.workflow_id):
                self.report(
                    loaded,
                    action.pointer,
                    "warning",
                    "action-field-ignored",
                    f"action {action.name!r} ends the workflow, so its stepId or "
                    "workflowId is ignored",
                    "remove the target, or use type: goto",
                )
            if action.type != "retry" and (
                action.retry_after is not None or action.retry_limit is not None
            ):
                self.report(
                    loaded,
                    action.pointer,
                    "warning",
                    "action-field-ignored",
                    f"retryAfter and retryLimit of action {action.name!r} are "
                    "ignored: they apply only to type: retry",
                    "remove them, or use type: retry",
                )

    def check_reusable(
        self, loaded: LoadedDocument, entry: Reusable, kind: str
    ) -> None:
        raw = _raw(loaded, entry.pointer)
        for key in raw:
            if key not in ("reference", "value"):
                self.report(
                    loaded,
                    f"{entry.pointer}/{escape_pointer_segment(key)}",
                    "warning",
                    "unknown-field",
                    f"field {key!r} of a Reusable Object is ignored",
                    "a Reusable Object takes only 'reference' and 'value'",
                )
        if kind == "action" and entry.has_value:
            self.report(
                loaded,
                f"{entry.pointer}/value",
                "warning",
                "action-field-ignored",
                "'value' is ignored: it applies only to parameter references",
                "remove 'value'",
            )

    # -- references between steps and workflows ----------------------------------

    def check_reference(
        self, scope: _Scope, step: PlannedStep | None, reference: Reference
    ) -> None:
        expression = reference.expression
        if isinstance(expression, StepOutputExpression):
            self.check_step_output(scope, step, reference, expression)
        elif isinstance(expression, WorkflowExpression):
            self.check_workflow_value(scope, reference, expression)
        elif isinstance(expression, OutputExpression):
            self.check_child_output(scope, step, reference, expression)
        elif isinstance(expression, InputExpression):
            self.check_input(scope, reference, expression)

    def check_step_output(
        self,
        scope: _Scope,
        step: PlannedStep | None,
        reference: Reference,
        expression: StepOutputExpression,
    ) -> None:
        planned = scope.planned
        index = planned.step_index.get(expression.step_id)
        names = None if index is None else planned.steps[index].outputs
        self.report_leniencies(scope, reference, expression, names)
        if index is None:
            self.report(
                scope.loaded,
                reference.pointer,
                "error",
                "step-reference",
                f"'{expression}' names step {expression.step_id!r}, which does not "
                f"exist in workflow {planned.workflow_id!r}",
                "use the stepId of a step of this workflow; another workflow's "
                "values are read with $workflows.ID.outputs.NAME",
            )
            return
        target = planned.steps[index]
        if not _defines(target.outputs, expression.name):
            self.report(
                scope.loaded,
                reference.pointer,
                "error",
                "output-reference",
                f"'{expression}' reads output {expression.name!r}, which step "
                f"{expression.step_id!r} does not define",
                _choices("the step's outputs", target.outputs),
            )
        if step is None:
            return  # Workflow outputs are read after every step has run.
        if index == step.index and not reference.before_response:
            return  # A step's own outputs are read after its response.
        if not scope.flow.can_run_before(index, step.index):
            self.report(
                scope.loaded,
                reference.pointer,
                "warning",
                "step-order",
                f"'{expression}' is used in step {step.step_id!r}, but step "
                f"{expression.step_id!r} cannot have run before it",
                "read the output of an earlier step, or add a goto that runs "
                f"{expression.step_id!r} first",
            )

    def check_workflow_value(
        self, scope: _Scope, reference: Reference, expression: WorkflowExpression
    ) -> None:
        target = self.find_workflow(scope.prefix, expression.workflow_id)
        if target is None:
            self.report(
                scope.loaded,
                reference.pointer,
                "error",
                "workflow-reference",
                f"'{expression}' names workflow {expression.workflow_id!r}, which "
                "does not exist in this document or its Arazzo sources",
                "use the workflowId of a workflow that runs before this one",
            )
            return
        names = (
            target.outputs
            if expression.field == "outputs"
            else _declared_properties(target.inputs_schema, target.components_inputs)
        )
        self.report_leniencies(scope, reference, expression, names)
        if expression.field == "outputs" and not _defines(
            target.outputs, expression.name
        ):
            self.report(
                scope.loaded,
                reference.pointer,
                "error",
                "output-reference",
                f"'{expression}' reads output {expression.name!r}, which workflow "
                f"{expression.workflow_id!r} does not define",
                _choices("the workflow's outputs", target.outputs),
            )

    def find_workflow(self, prefix: str, workflow_id: str) -> PlannedWorkflow | None:
        """Return the workflow ``$workflows.ID`` names: one of this document,
        else one of its Arazzo sources that a step may have called."""
        found = self.plan.workflows.get(prefix + workflow_id)
        if found is not None:
            return found
        candidates = [
            planned
            for key, planned in self.plan.workflows.items()
            if key.startswith(prefix) and planned.workflow_id == workflow_id
        ]
        return candidates[0] if len(candidates) == 1 else None

    def check_child_output(
        self,
        scope: _Scope,
        step: PlannedStep | None,
        reference: Reference,
        expression: OutputExpression,
    ) -> None:
        # In a step that calls a workflow, $outputs reads the called workflow's
        # outputs; elsewhere its meaning is not defined, so it is not checked.
        if step is None or step.workflow_key is None or reference.before_response:
            return
        child = self.plan.workflows.get(step.workflow_key)
        if child is not None:
            self.report_leniencies(scope, reference, expression, child.outputs)
        if child is None or _defines(child.outputs, expression.name):
            return
        self.report(
            scope.loaded,
            reference.pointer,
            "error",
            "output-reference",
            f"'{expression}' reads output {expression.name!r}, which the called "
            f"workflow {child.workflow_id!r} does not define",
            _choices("the workflow's outputs", child.outputs),
        )

    def check_input(
        self, scope: _Scope, reference: Reference, expression: InputExpression
    ) -> None:
        declared = scope.declared_inputs()
        self.report_leniencies(scope, reference, expression, declared)
        if declared is None or _defines(declared, expression.name):
            return
        self.report(
            scope.loaded,
            reference.pointer,
            "warning",
            "input-reference",
            f"'{expression}' reads input {expression.name!r}, which the inputs "
            f"schema of workflow {scope.planned.workflow_id!r} does not declare",
            _choices("the declared inputs", declared),
        )

    def report_leniencies(
        self,
        scope: _Scope,
        reference: Reference,
        expression: NamedExpression,
        names: Collection[str] | None,
    ) -> None:
        """Report the LEN-9 and LEN-6 forms of a reference as warnings."""
        for found in name_leniencies(expression, names):
            self.report(
                scope.loaded,
                reference.pointer,
                "warning",
                found.code,
                found.message,
                f"write it as {found.suggestion}",
            )


@dataclass(slots=True)
class _Scope:
    loaded: LoadedDocument
    workflow: Workflow
    planned: PlannedWorkflow
    prefix: str
    flow: _ControlFlow
    _inputs: dict[str, Any] | None = None
    _inputs_known: bool = False

    def declared_inputs(self) -> dict[str, Any] | None:
        """Return the properties the inputs schema declares, or ``None`` when
        the schema does not limit them to a known set."""
        if not self._inputs_known:
            self._inputs = _declared_properties(
                self.planned.inputs_schema, self.planned.components_inputs
            )
            self._inputs_known = True
        return self._inputs


class _ControlFlow:
    """The order in which a workflow's steps can run: the default order, every
    goto, and every retry with its side trip."""

    def __init__(self, workflow: PlannedWorkflow) -> None:
        self.count = len(workflow.steps)
        self.edges: dict[int, set[int]] = {}
        self.reach: dict[int, set[int]] = {}
        for step in workflow.steps:
            for action in (*step.on_success, *step.on_failure):
                self._add_action(step.index, action, workflow.step_index)

    def _add_action(
        self, index: int, action: PlannedAction, step_index: dict[str, int]
    ) -> None:
        target = step_index.get(action.step_id) if action.step_id else None
        if action.type == "goto" and target is not None:
            self.edges.setdefault(index, set()).add(target)
        elif action.type == "retry":
            # A retry runs its side-trip step (if any), then this step again.
            if target is not None:
                self.edges.setdefault(index, set()).add(target)
                self.edges.setdefault(target, set()).add(index)
            self.edges.setdefault(index, set()).add(index)

    def can_run_before(self, earlier: int, later: int) -> bool:
        """Return whether step ``earlier`` can have run when step ``later`` runs.

        Every step is assumed to be able to continue with the next one,
        because whether an action applies depends on run-time criteria.
        """
        if earlier < later:
            return True
        return later in self._reachable(earlier)

    def _reachable(self, start: int) -> set[int]:
        found = self.reach.get(start)
        if found is not None:
            return found
        found = set()
        pending = [start]
        while pending:
            current = pending.pop()
            following = set(self.edges.get(current, ()))
            if current + 1 < self.count:
                following.add(current + 1)
            for index in following - found:
                found.add(index)
                pending.append(index)
        self.reach[start] = found
        return found


def _defines(names: dict[str, Any], name: str) -> bool:
    """Return whether ``name`` is one of ``names``, or starts with one and a dot.

    A name may continue past an output's name with dotted navigation into its
    value, as in ``$steps.a.outputs.user.id``.
    """
    if name in names:
        return True
    return any(name.startswith(f"{key}.") for key in names)


def _choices(subject: str, names: dict[str, Any]) -> str:
    if not names:
        return f"{subject} are empty: define the value there first"
    listed = ", ".join(sorted(names)[:10])
    return f"{subject} are: {listed}"


def _raw(loaded: LoadedDocument, pointer: str) -> dict[str, Any]:
    """Return the object written at ``pointer``, or an empty one."""
    current: Any = loaded.parsed.data
    for raw in pointer.split("/")[1:]:
        segment = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(current, dict):
            current = current.get(segment)
        elif isinstance(current, list) and segment.isdigit():
            index = int(segment)
            current = current[index] if index < len(current) else None
        else:
            return {}
    return current if isinstance(current, dict) else {}


def _declared_properties(
    schema: dict[str, Any] | None, components: dict[str, Any]
) -> dict[str, Any] | None:
    """Return the input names a schema declares, following one local ``$ref``.

    ``None`` means the set is open: no schema, no ``properties``, or a schema
    that combines others (``allOf`` and the like), which this check does not
    follow.
    """
    seen = 0
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        prefix = "#/components/inputs/"
        reference = schema["$ref"]
        if not reference.startswith(prefix) or seen > 8:
            return None
        key = reference[len(prefix) :].replace("~1", "/").replace("~0", "~")
        schema = components.get(key)
        seen += 1
    if not isinstance(schema, dict):
        return None
    if any(key in schema for key in ("allOf", "anyOf", "oneOf", "if", "$ref")):
        return None
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return None
    # Even where undeclared inputs are allowed, reading one is likely a typo.
    return properties
