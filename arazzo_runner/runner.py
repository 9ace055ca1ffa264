"""The public entry point: load a document once, run its workflows many times."""

from __future__ import annotations

import asyncio
import logging
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from arazzo_runner.diagnostics import Diagnostic
from arazzo_runner.engine.clock import Clock, SystemClock
from arazzo_runner.engine.context import Limits, RunContext
from arazzo_runner.engine.events import Observer
from arazzo_runner.engine.workflows import run_workflow, workflow_outputs
from arazzo_runner.errors import (
    DocumentError,
    InputError,
    Location,
    RunInterrupted,
    ValidationError,
)
from arazzo_runner.openapi.servers import base_url
from arazzo_runner.plan import Plan
from arazzo_runner.redaction import RedactingFilter, Redactor, is_secret_input
from arazzo_runner.result import Attempt, RunError, RunResult, StepResult
from arazzo_runner.transport import DEFAULT_TIMEOUT_SECONDS, Transport
from arazzo_runner.validate import make_strict, prepare_validated


class Runner:
    """A loaded, validated Arazzo document, ready to run.

    Create one with :meth:`from_path`; then call :meth:`run` (or :meth:`arun`
    from async code) as often as needed. Loading reads and checks everything
    first, so an invalid document never sends a request.
    """

    def __init__(
        self,
        plan: Plan,
        *,
        servers: Mapping[str, str] | None = None,
        clock: Clock | None = None,
        limits: Limits | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        verify_tls: bool = True,
        observers: Iterable[Observer] = (),
        validate_responses: bool = False,
        strict: bool = False,
    ) -> None:
        _check_durations(timeout, limits)
        self.plan = plan
        self.servers = dict(servers or {})
        self.clock = clock or SystemClock()
        self.limits = limits or Limits()
        self.timeout = timeout
        self.verify_tls = verify_tls
        self.observers = list(observers)
        self.validate_responses = validate_responses
        self.strict = strict

    @classmethod
    def from_path(
        cls,
        path: str | os.PathLike[str],
        *,
        servers: Mapping[str, str] | None = None,
        sources: Mapping[str, str] | None = None,
        strict: bool = False,
        clock: Clock | None = None,
        limits: Limits | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        verify_tls: bool = True,
        observers: Iterable[Observer] = (),
        validate_responses: bool = False,
    ) -> Runner:
        """Load and validate the Arazzo document at ``path``.

        Args:
            path: the Arazzo document (YAML or JSON).
            servers: base URL per source name, replacing every server that
                source's description declares.
            sources: another path or URL to load a source description from,
                per source name.
            strict: treat every warning (accepted real-world forms included)
                as an error.
            clock: the clock the engine reads the time from and waits with.
            limits: step-execution, depth and retry-wait limits.
            timeout: seconds before one HTTP request times out.
            verify_tls: whether to verify TLS certificates.
            observers: callables that receive every engine event.
            validate_responses: check every response against the operation's
                declared responses with openapi-core; each mismatch is a run
                warning, or fails the step when ``strict`` is set.

        Raises:
            DocumentError: the document cannot be read.
            ValidationError: the document has errors (``diagnostics`` lists them).
            InputError: ``timeout`` is not a positive finite number, or the
                retry-wait cap in ``limits`` is NaN or negative.
        """
        _check_durations(timeout, limits)
        # The same validation as `arazzo validate`: schema, plan and semantics.
        plan, _ = prepare_validated(path, sources=sources)
        plan.diagnostics.extend(_server_problems(plan, servers or {}))
        if strict:
            plan.diagnostics = make_strict(plan.diagnostics)
        if plan.errors:
            raise ValidationError(list(plan.diagnostics))
        return cls(
            plan,
            servers=servers,
            clock=clock,
            limits=limits,
            timeout=timeout,
            verify_tls=verify_tls,
            observers=observers,
            validate_responses=validate_responses,
            strict=strict,
        )

    @property
    def warnings(self) -> list[Diagnostic]:
        """Return the load-time warnings (accepted real-world forms and more)."""
        return self.plan.warnings

    @property
    def workflow_ids(self) -> list[str]:
        """Return the ids of the entry document's workflows, in order."""
        return list(self.plan.entry_workflows)

    def run(
        self, workflow_id: str | None = None, inputs: Mapping[str, Any] | None = None
    ) -> RunResult:
        """Run a workflow and return its result; never raises for a failed run.

        ``workflow_id`` may be left out when the document has one workflow.
        ``inputs`` is the workflow's input object, or an object keyed by
        workflow id that also feeds the workflows it depends on.

        Raises:
            InputError: ``workflow_id`` is missing or names no workflow.
            RunInterrupted: Ctrl-C stopped the run; its ``result`` is the
                partial result.
        """
        partial: list[RunResult] = []
        try:
            return asyncio.run(self._arun(workflow_id, inputs, partial))
        except KeyboardInterrupt:
            if not partial:
                raise
            raise RunInterrupted(partial[0]) from None

    async def arun(
        self, workflow_id: str | None = None, inputs: Mapping[str, Any] | None = None
    ) -> RunResult:
        """Run a workflow from async code; see :meth:`run`.

        Cancelling the task cancels the run; the cancellation propagates.
        """
        return await self._arun(workflow_id, inputs, None)

    async def _arun(
        self,
        workflow_id: str | None,
        inputs: Mapping[str, Any] | None,
        partial: list[RunResult] | None,
    ) -> RunResult:
        """Run a workflow; on cancellation, append the partial result to
        ``partial`` (when given) before the cancellation propagates."""
        if inputs is not None and not isinstance(inputs, Mapping):
            raise InputError(
                f"the inputs must be an object of input names and values, not "
                f"{type(inputs).__name__}"
            )
        workflow_id = self._choose_workflow(workflow_id)
        inputs_by_workflow, own_inputs = self._split_inputs(
            workflow_id, dict(inputs or {})
        )
        redactor = Redactor(
            self._secret_values(inputs_by_workflow, own_inputs, workflow_id)
        )
        transport = Transport(
            timeout=self.timeout,
            verify_tls=self.verify_tls,
            max_response_bytes=self.limits.max_response_bytes,
        )
        run = RunContext(
            plan=self.plan,
            transport=transport,
            clock=self.clock,
            redactor=redactor,
            limits=self.limits,
            observers=list(self.observers),
            server_overrides=dict(self.servers),
            validate_responses=self.validate_responses,
            strict=self.strict,
            inputs_by_workflow=inputs_by_workflow,
        )
        httpx_logger = logging.getLogger("httpx")
        log_filter = RedactingFilter(redactor)
        httpx_logger.addFilter(log_filter)
        try:
            outcome = await run_workflow(run, workflow_id, own_inputs)
        except asyncio.CancelledError:
            if partial is not None:
                partial.append(_interrupted_result(run, workflow_id, redactor))
            raise
        finally:
            httpx_logger.removeFilter(log_filter)
            await transport.aclose()
        warnings = [str(d) for d in self.plan.warnings] + run.warnings
        return RunResult(
            workflow_id=workflow_id,
            status=outcome.status,
            outputs=redactor.data(outcome.outputs),
            steps=[_redacted_step(redactor, step) for step in outcome.steps],
            warnings=[redactor.text(w) for w in warnings],
            error=None
            if outcome.error is None
            else RunError(
                outcome.error.kind,
                redactor.text(outcome.error.message),
                outcome.error.step_id,
            ),
        )

    def _choose_workflow(self, workflow_id: str | None) -> str:
        ids = self.plan.entry_workflows
        if workflow_id is None:
            if len(ids) == 1:
                return ids[0]
            raise InputError(
                f"the document has {len(ids)} workflows: {', '.join(ids)}",
                hint="choose one with --workflow ID",
            )
        if workflow_id not in ids:
            raise InputError(
                f"workflow {workflow_id!r} does not exist",
                hint=f"choose one of: {', '.join(ids)}",
            )
        return workflow_id

    def _split_inputs(
        self, workflow_id: str, inputs: dict[str, Any]
    ) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
        """Tell a flat inputs object from one keyed by workflow id.

        The keys may name workflows of other Arazzo documents too, since a
        workflow may depend on them.
        """
        if self._is_keyed(workflow_id, inputs):
            return dict(inputs), dict(inputs.get(workflow_id, {}))
        return {workflow_id: inputs}, inputs

    def _is_keyed(self, workflow_id: str, inputs: dict[str, Any]) -> bool:
        """Return whether ``inputs`` is an object of inputs per workflow id."""
        ids = {planned.workflow_id for planned in self.plan.workflows.values()}
        return (
            bool(inputs)
            and all(
                key in ids and isinstance(value, dict) for key, value in inputs.items()
            )
            and not _declares(self.plan.workflows[workflow_id].inputs_schema, inputs)
        )

    def _with_overrides(
        self,
        workflow_id: str | None,
        inputs: dict[str, Any],
        overrides: Mapping[str, Any],
    ) -> dict[str, Any]:
        """Return ``inputs`` with single values set on top, for the workflow
        being run: inside its own object when ``inputs`` is keyed by workflow."""
        if not overrides:
            return inputs
        try:
            chosen = self._choose_workflow(workflow_id)
        except InputError:
            return {**inputs, **overrides}
        if self._is_keyed(chosen, inputs):
            return {**inputs, chosen: {**inputs.get(chosen, {}), **overrides}}
        return {**inputs, **overrides}

    def _secret_values(
        self,
        inputs_by_workflow: dict[str, dict[str, Any]],
        own_inputs: dict[str, Any],
        workflow_id: str,
    ) -> list[str]:
        secrets: list[str] = []
        for key, inputs in (*inputs_by_workflow.items(), (workflow_id, own_inputs)):
            workflow = self.plan.workflows.get(key)
            schema = workflow.inputs_schema if workflow else None
            properties = (schema or {}).get("properties") or {}
            for name, value in inputs.items():
                spec = properties.get(name) if isinstance(properties, dict) else None
                if is_secret_input(name, spec if isinstance(spec, dict) else None):
                    secrets.extend(_strings(value))
        return secrets


def _check_durations(timeout: float, limits: Limits | None) -> None:
    """Raise :class:`InputError` for a timeout or retry-wait cap that no
    clock can wait for: NaN, negative, or an infinite timeout."""
    if not (math.isfinite(timeout) and timeout > 0):
        raise InputError(
            f"timeout {timeout!r} is not a positive finite number of seconds"
        )
    cap = limits.max_retry_wait if limits is not None else None
    if cap is not None and not cap >= 0:
        raise InputError(
            f"max_retry_wait {cap!r} is not a number of seconds of at least 0"
        )


def _server_problems(plan: Plan, servers: Mapping[str, str]) -> list[Diagnostic]:
    """Report each operation that has no usable server and no override, and
    each ``--server`` name that matches no source description."""
    problems: list[Diagnostic] = []
    seen: set[str] = set()
    names = {
        name
        for workflow in plan.workflows.values()
        for name in workflow.source_descriptions
    }
    for name in servers:
        if name not in names:
            # An error, not a warning: a misspelt name would otherwise send
            # the run, credentials included, to the description's real server.
            problems.append(
                Diagnostic(
                    "error",
                    "unknown-server-source",
                    f"server override {name!r} names no source description",
                    Location(plan.entry_uri),
                    f"use one of these source names: "
                    f"{', '.join(sorted(names)) or '(none)'}",
                )
            )
    for workflow in plan.workflows.values():
        for step in workflow.steps:
            operation = step.operation
            if operation is None:
                continue
            try:
                base_url(operation, servers)
            except DocumentError as exc:
                if exc.message not in seen:
                    seen.add(exc.message)
                    problems.append(
                        Diagnostic(
                            "error", "no-server", exc.message, exc.location, exc.hint
                        )
                    )
    return problems


def _declares(schema: dict[str, Any] | None, inputs: dict[str, Any]) -> bool:
    properties = (schema or {}).get("properties")
    return isinstance(properties, dict) and any(key in properties for key in inputs)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [str(value)]
    return []


def load_inputs_file(path: Path) -> dict[str, Any]:
    """Read an inputs file that contains a JSON or YAML object.

    Raises:
        InputError: the file is missing, unparsable or not an object.
    """
    from arazzo_runner.document.reader import read_path
    from arazzo_runner.errors import DocumentError

    try:
        data = read_path(path).data
    except DocumentError as exc:
        raise InputError(exc.message, location=exc.location, hint=exc.hint) from exc
    if not isinstance(data, dict):
        raise InputError(
            "the inputs file must contain a JSON or YAML object",
            hint='write the inputs as {"name": value, ...}',
        )
    return data


def _redacted_step(redactor: Redactor, step: StepResult) -> StepResult:
    """Return a copy of a step execution with every known secret masked.

    The pass runs once the run is over, so it also masks secrets that became
    known after the step, such as a token a later response set as a cookie.
    """
    attempts = [
        Attempt(
            status_code=attempt.status_code,
            succeeded=attempt.succeeded,
            criteria=[
                replace(check, detail=redactor.text(check.detail))
                for check in attempt.criteria
            ],
            action=attempt.action,
            error=None if attempt.error is None else redactor.text(attempt.error),
        )
        for attempt in step.attempts
    ]
    return StepResult(
        step_id=step.step_id,
        outcome=step.outcome,
        attempts=attempts,
        outputs=redactor.data(step.outputs),
    )


def _interrupted_result(
    run: RunContext, workflow_id: str, redactor: Redactor
) -> RunResult:
    """Return what an interrupted run had done: its finished and current step
    executions and the entry workflow's outputs at this moment."""
    state = run.entry_state
    outputs = {} if state is None else workflow_outputs(run, state)
    current = run.entry_steps[-1].step_id if run.entry_steps else None
    where = (
        f" during step {current!r}"
        if current
        else " before the workflow's first step, while its dependencies ran"
    )
    return RunResult(
        workflow_id=workflow_id,
        status="failed",
        outputs=redactor.data(outputs),
        steps=[_redacted_step(redactor, step) for step in run.entry_steps],
        warnings=[
            redactor.text(w) for w in [*map(str, run.plan.warnings), *run.warnings]
        ],
        error=RunError(
            "interrupted",
            f"the run was interrupted{where}; the result lists what it had done",
            current,
        ),
    )
