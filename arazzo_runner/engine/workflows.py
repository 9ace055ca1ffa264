"""Run workflows: the step loop, actions, retries, sub-workflows, dependsOn."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Any

from arazzo_runner.engine.actions import (
    Decision,
    RetryCounters,
    parse_retry_after,
    reset_counters,
    retry_wait,
    select_action,
)
from arazzo_runner.engine.context import RunContext, WorkflowState
from arazzo_runner.engine.events import (
    RetryScheduled,
    StepFinished,
    StepStarted,
    WorkflowFinished,
)
from arazzo_runner.engine.inputs import validate_inputs
from arazzo_runner.engine.steps import AttemptOutcome, judge, run_operation_attempt
from arazzo_runner.errors import ArazzoError
from arazzo_runner.expressions.scope import MISSING, WorkflowRecord
from arazzo_runner.expressions.template import evaluate_output
from arazzo_runner.plan import PlannedAction, PlannedStep, PlannedWorkflow
from arazzo_runner.result import Attempt, RunError, StepResult

logger = logging.getLogger("arazzo_runner.engine")


@dataclass(slots=True)
class WorkflowOutcome:
    """The end state of one workflow execution."""

    workflow_id: str
    status: str
    outputs: dict[str, Any]
    steps: list[StepResult] = field(default_factory=list)
    error: RunError | None = None
    state: WorkflowState | None = None
    # The workflow key and inputs a goto hands control to; None otherwise.
    transfer: tuple[str, dict[str, Any]] | None = None


class _Stop(Exception):
    """Ends a workflow early with a run error (limits, recursion)."""

    def __init__(self, error: RunError) -> None:
        super().__init__(error.message)
        self.error = error


async def run_workflow(
    run: RunContext,
    key: str,
    inputs: dict[str, Any],
    *,
    depth: int = 0,
    stack: tuple[str, ...] = (),
) -> WorkflowOutcome:
    """Run the planned workflow ``key`` with ``inputs`` and return its outcome.

    Dependencies listed in ``dependsOn`` run first, each once per run. A
    ``goto`` to a workflow hands control over for good: the target runs in
    this loop, not nested, so a chain of transfers does not deepen the
    stack. The outcome keeps the first workflow's id and its outputs at the
    transfer, lists the steps of every workflow in the chain, and takes the
    status and error of the last one.
    """
    outcome = await _run_once(run, key, inputs, depth, stack)
    chain = [key]
    steps = list(outcome.steps)
    first = outcome
    while outcome.transfer is not None:
        key, inputs = outcome.transfer
        chain.append(key)
        outcome = await _run_once(run, key, inputs, depth, stack)
        steps.extend(outcome.steps)
        if outcome.error is not None and outcome.error.kind == "invalid-inputs":
            # Requests were sent before the goto, so this is a failed run, not
            # the invalid inputs the caller gave (which send nothing).
            target = run.plan.workflows[key].workflow_id
            outcome.error = RunError(
                "workflow-failed",
                f"workflow {target!r}, which a goto handed control to, did not "
                f"start: {outcome.error.message}",
                steps[-1].step_id if steps else None,
            )
    for transferred in chain[:-1]:
        # A workflow that handed control over ends with its target's status.
        _finish(run, transferred, outcome.status)
    if first is outcome:
        return outcome
    return WorkflowOutcome(
        first.workflow_id,
        outcome.status,
        first.outputs,
        steps,
        outcome.error,
        outcome.state,
    )


async def _run_once(
    run: RunContext,
    key: str,
    inputs: dict[str, Any],
    depth: int,
    stack: tuple[str, ...],
) -> WorkflowOutcome:
    """Run one workflow up to its end or to a ``goto`` to another workflow."""
    workflow = run.plan.workflows[key]
    if key in stack:
        chain = " -> ".join((*stack, key))
        return _failed(workflow, "workflow-recursion", f"workflow recursion: {chain}")
    if depth > run.limits.max_depth:
        return _failed(
            workflow,
            "depth-limit-exceeded",
            f"workflows are nested more than {run.limits.max_depth} deep",
        )
    try:
        _validate(workflow, inputs)
    except ArazzoError as exc:
        return _failed(workflow, "invalid-inputs", run.redactor.text(exc.message))
    if not stack:
        try:
            # Nothing is sent before every input the run can check is valid.
            _validate_dependency_inputs(run, workflow)
        except ArazzoError as exc:
            message = (
                f"{exc.message}; a dependency takes its inputs from an inputs "
                'object keyed by workflow id, such as {"main": {...}, "dep": {...}}'
            )
            return _failed(workflow, "invalid-inputs", run.redactor.text(message))
    stack = (*stack, key)
    dependency_error = await _run_dependencies(run, workflow, depth, stack)
    if dependency_error is not None:
        return _failed(workflow, "dependency-failed", dependency_error)
    state = WorkflowState(workflow=workflow, inputs=inputs, depth=depth)
    if len(stack) == 1 and run.entry_state is None:
        run.entry_state = state
    runner = _StepLoop(run, state, stack)
    try:
        outcome = await runner.walk()
    except _Stop as stop:
        outcome = WorkflowOutcome(
            workflow.workflow_id, "failed", {}, runner.results, stop.error
        )
    if outcome.state is None:
        outcome.state = state
        outcome.outputs = workflow_outputs(run, state)
    run.workflows[workflow.workflow_id] = WorkflowRecord(
        inputs=inputs, outputs=outcome.outputs
    )
    if outcome.transfer is None:
        _finish(run, key, outcome.status)
    return outcome


def _finish(run: RunContext, key: str, status: str) -> None:
    workflow_id = run.plan.workflows[key].workflow_id
    run.completed[key] = status
    run.emit(WorkflowFinished(workflow_id, status))
    logger.info("workflow %s %s", workflow_id, status)


def _validate(workflow: PlannedWorkflow, inputs: dict[str, Any]) -> None:
    validate_inputs(
        workflow.workflow_id,
        workflow.inputs_schema,
        workflow.components_inputs,
        inputs,
    )


def _validate_dependency_inputs(run: RunContext, workflow: PlannedWorkflow) -> None:
    """Validate the inputs of every workflow ``workflow`` depends on, directly
    or through others, that has not run yet.

    Raises:
        ArazzoError: the inputs of one of them are invalid.
    """
    seen: set[str] = set()
    pending = list(workflow.depends_on)
    while pending:
        key = pending.pop()
        if key in seen or key in run.completed:
            continue
        seen.add(key)
        dependency = run.plan.workflows[key]
        _validate(dependency, run.inputs_by_workflow.get(dependency.workflow_id, {}))
        pending.extend(dependency.depends_on)


def _failed(workflow: PlannedWorkflow, kind: str, message: str) -> WorkflowOutcome:
    return WorkflowOutcome(
        workflow.workflow_id, "failed", {}, [], RunError(kind, message)
    )


async def _run_dependencies(
    run: RunContext, workflow: PlannedWorkflow, depth: int, stack: tuple[str, ...]
) -> str | None:
    for dependency in workflow.depends_on:
        status = run.completed.get(dependency)
        if status is None:
            inputs = run.inputs_by_workflow.get(
                run.plan.workflows[dependency].workflow_id, {}
            )
            outcome = await run_workflow(
                run, dependency, inputs, depth=depth, stack=stack
            )
            status = outcome.status
        if status != "succeeded":
            return (
                f"dependency {dependency!r} of workflow {workflow.workflow_id!r} failed"
            )
    return None


def workflow_outputs(run: RunContext, state: WorkflowState) -> dict[str, Any]:
    # No step is current once the steps are done, so $statusCode, $response,
    # $request, $url and $method are undefined here and give null.
    scope = replace(state.scope(run), exchange=None)
    outputs: dict[str, Any] = {}
    for name, node in state.workflow.outputs.items():
        outputs[name] = evaluate_output(node, scope)
        state.outputs_so_far[name] = outputs[name]
    return outputs


class _StepLoop:
    """Walks the steps of one workflow execution."""

    def __init__(self, run: RunContext, state: WorkflowState, stack: tuple[str, ...]):
        self.run = run
        self.state = state
        self.workflow = state.workflow
        self.stack = stack
        self.results: list[StepResult] = []
        self.counters: RetryCounters = {}

    async def walk(self) -> WorkflowOutcome:
        steps = self.workflow.steps
        index = 0
        while index < len(steps):
            step = steps[index]
            record, decision, failed_kind = await self.execute(step)
            action = decision.action
            if action is None:
                if record.outcome == "succeeded":
                    index += 1
                    continue
                return self.finish("failed", self.step_error(step, record, failed_kind))
            if action.type == "end":
                if action.kind == "success":
                    return self.finish("succeeded", None)
                return self.finish(
                    "failed",
                    RunError(
                        "failure-action-end",
                        f"step {step.step_id!r} failed and action {action.name!r} "
                        "ended the workflow",
                        step.step_id,
                    ),
                )
            if action.type == "goto" and action.step_id is not None:
                index = self.workflow.step_index[action.step_id]
                continue
            if action.type == "goto" and action.workflow_key is not None:
                return self.transfer(action)
            index += 1  # Not reached: retries are handled inside execute().
        return self.finish("succeeded", None)

    async def execute(
        self, step: PlannedStep
    ) -> tuple[StepResult, Decision, str | None]:
        """Run a step until no retry applies; return its record and the decision."""
        run = self.run
        self.count_execution(step)
        reset_counters(self.counters, step.step_id)
        warned: set[str] = set()
        record = StepResult(step.step_id)
        self.results.append(record)
        if len(self.stack) == 1:
            # The entry workflow or one it handed over to, not a dependency.
            self.run.entry_steps.append(record)
        run.emit(StepStarted(self.workflow.workflow_id, step.step_id))
        while True:
            number = len(record.attempts) + 1
            outcome = await self.attempt(step, number)
            attempt = outcome.attempt
            record.attempts.append(attempt)
            record.outcome = "succeeded" if attempt.succeeded else "failed"
            record.outputs = dict(self.state.step_outputs.get(step.step_id, {}))
            actions = step.on_success if attempt.succeeded else step.on_failure
            scope = self.state.scope(run, child_outputs=step.workflow_key is not None)
            decision = select_action(
                actions, scope, self.counters, step.step_id, run.redactor
            )
            for spent in decision.exhausted:
                # An exhausted retry is skipped on every later selection too;
                # one warning per step execution is enough.
                if spent.name in warned:
                    continue
                warned.add(spent.name)
                run.warn(
                    f"step {step.step_id!r}: retry action {spent.name!r} reached its "
                    f"limit of {spent.retry_limit} retries"
                )
            chosen = decision.action
            attempt.action = chosen.name if chosen else None
            if chosen is None or chosen.type != "retry":
                run.emit(
                    StepFinished(
                        self.workflow.workflow_id,
                        step.step_id,
                        record.outcome,
                        len(record.attempts),
                    )
                )
                return record, decision, outcome.error_kind
            await self.prepare_retry(step, chosen, outcome, number)

    async def attempt(self, step: PlannedStep, number: int) -> AttemptOutcome:
        if step.operation is not None:
            return await run_operation_attempt(self.run, self.state, step, number)
        return await self.call_workflow(step)

    async def prepare_retry(
        self,
        step: PlannedStep,
        action: PlannedAction,
        outcome: AttemptOutcome,
        number: int,
    ) -> None:
        run = self.run
        if action.step_id is not None and action.step_id != step.step_id:
            # The side trip runs the named step alone, without its actions.
            # If it fails, the retry still happens.
            target = self.workflow.steps[self.workflow.step_index[action.step_id]]
            await self.side_trip(target)
        elif action.workflow_key is not None:
            await run_workflow(
                run,
                action.workflow_key,
                run.inputs_by_workflow.get(
                    run.plan.workflows[action.workflow_key].workflow_id, {}
                ),
                depth=self.state.depth + 1,
                stack=self.stack,
            )
        # An explicit cap on every wait (--max-retry-wait) replaces the
        # default cap on Retry-After headers.
        header_cap = (
            run.limits.max_retry_after_header
            if run.limits.max_retry_wait is None
            else float("inf")
        )
        requested = parse_retry_after(outcome.retry_after_header, run.clock.now())
        if requested is not None and requested > header_cap:
            run.warn(
                f"step {step.step_id!r}: the response asked to retry after "
                f"{requested:.0f} s; waiting {header_cap:.0f} s instead "
                "(set --max-retry-wait to choose the cap)"
            )
        wait = retry_wait(
            action,
            outcome.retry_after_header,
            run.clock.now(),
            run.limits.max_retry_wait,
            header_cap,
        )
        run.emit(
            RetryScheduled(
                self.workflow.workflow_id, step.step_id, action.name, number, wait
            )
        )
        logger.info(
            "step %s: retry %s after %.3g s (action %s)",
            step.step_id,
            number,
            wait,
            action.name,
        )
        await run.clock.sleep(wait)

    async def side_trip(self, step: PlannedStep) -> None:
        """Run ``step`` once for a retry, and list it among the executions."""
        run = self.run
        self.count_execution(step)
        record = StepResult(step.step_id)
        self.results.append(record)
        if len(self.stack) == 1:
            # The entry workflow or one it handed over to, not a dependency.
            self.run.entry_steps.append(record)
        run.emit(StepStarted(self.workflow.workflow_id, step.step_id))
        outcome = await self.attempt(step, 1)
        record.attempts.append(outcome.attempt)
        record.outcome = "succeeded" if outcome.attempt.succeeded else "failed"
        record.outputs = dict(self.state.step_outputs.get(step.step_id, {}))
        run.emit(
            StepFinished(self.workflow.workflow_id, step.step_id, record.outcome, 1)
        )

    def count_execution(self, step: PlannedStep) -> None:
        """Count one step execution against the run's limit.

        Raises:
            _Stop: the run has used up its step executions.
        """
        run = self.run
        run.step_executions += 1
        if run.step_executions > run.limits.max_step_executions:
            raise _Stop(
                RunError(
                    "step-limit-exceeded",
                    f"more than {run.limits.max_step_executions} step executions in "
                    "one run; a goto loop may never end",
                    step.step_id,
                )
            )

    async def call_workflow(self, step: PlannedStep) -> AttemptOutcome:
        """Run the workflow a step calls, with the step's parameters as inputs."""
        assert step.workflow_key is not None
        run = self.run
        child = run.plan.workflows[step.workflow_key]
        declared = _declared_inputs(child)
        inputs: dict[str, Any] = {}
        scope = self.state.scope(run)
        for parameter in step.parameters:
            if declared is not None and parameter.name not in declared:
                run.warn(
                    f"step {step.step_id!r}: parameter {parameter.name!r} is not an "
                    f"input of workflow {child.workflow_id!r} and is not passed"
                )
                continue
            try:
                value = parameter.value.evaluate(scope)
            except ArazzoError as exc:
                return AttemptOutcome(
                    Attempt(None, False, error=run.redactor.text(exc.message)),
                    error_kind="request-error",
                )
            if value is not MISSING:
                inputs[parameter.name] = value
        outcome = await run_workflow(
            run, step.workflow_key, inputs, depth=self.state.depth + 1, stack=self.stack
        )
        if outcome.error is not None and outcome.error.kind in (
            "workflow-recursion",
            "depth-limit-exceeded",
            "step-limit-exceeded",
        ):
            raise _Stop(outcome.error)
        self.state.child_outputs = dict(outcome.outputs)
        # The child's last exchange is what $statusCode and $response read; a
        # child that sent nothing leaves them undefined, not at an older step.
        self.state.exchange = (
            outcome.state.exchange if outcome.state is not None else None
        )
        attempt = judge(
            run, self.state, step, child_succeeded=outcome.status == "succeeded"
        )
        if outcome.error is not None and not attempt.succeeded:
            attempt.error = outcome.error.message
        return AttemptOutcome(
            attempt, error_kind=None if attempt.succeeded else "workflow-failed"
        )

    def transfer(self, action: PlannedAction) -> WorkflowOutcome:
        """End this workflow and name the workflow that takes over for good.

        The target receives the current inputs its schema declares (all of
        them when it declares none), then the inputs given for it by
        workflow id, which win. This workflow's outputs are evaluated now,
        against its state at the transfer.
        """
        assert action.workflow_key is not None
        target = self.run.plan.workflows[action.workflow_key]
        declared = _declared_inputs(target)
        inputs = {
            name: value
            for name, value in self.state.inputs.items()
            if declared is None or name in declared
        }
        inputs.update(self.run.inputs_by_workflow.get(target.workflow_id, {}))
        outcome = self.finish("succeeded", None)
        outcome.transfer = (action.workflow_key, inputs)
        return outcome

    def finish(self, status: str, error: RunError | None) -> WorkflowOutcome:
        outputs = workflow_outputs(self.run, self.state)
        return WorkflowOutcome(
            self.workflow.workflow_id, status, outputs, self.results, error, self.state
        )

    def step_error(
        self, step: PlannedStep, record: StepResult, kind: str | None
    ) -> RunError:
        attempt = record.attempts[-1]
        if attempt.error:
            reason = attempt.error
        else:
            failed = [check for check in attempt.criteria if not check.passed]
            if failed:
                reason = "; ".join(
                    f"criterion {check.condition!r} failed"
                    + (f" ({check.detail})" if check.detail else "")
                    + (f": {check.reason}" if check.reason else "")
                    for check in failed
                )
            else:
                reason = f"status {attempt.status_code} is not a success (2xx)"
        detail = self.response_detail()
        message = f"step {step.step_id!r} failed"
        if attempt.status_code is not None:
            message += f" with status {attempt.status_code}"
        message += f": {reason}"
        if detail:
            message += f"; the API said: {detail}"
        return RunError(
            kind or "criteria-failed", self.run.redactor.text(message), step.step_id
        )

    def response_detail(self) -> str | None:
        exchange = self.state.exchange
        body = exchange.response_body if exchange else None
        if isinstance(body, dict):
            for key in ("detail", "message", "error", "title"):
                value = body.get(key)
                if isinstance(value, str) and value:
                    return value[:300]
        return None


def _declared_inputs(workflow: PlannedWorkflow) -> set[str] | None:
    schema = workflow.inputs_schema
    if isinstance(schema, dict) and isinstance(schema.get("properties"), dict):
        return set(schema["properties"])
    return None
