"""Run state: what one run shares, and what each workflow execution holds."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from arazzo_runner.engine.clock import Clock
from arazzo_runner.engine.events import Event, Observer, RunWarning
from arazzo_runner.expressions.scope import Exchange, Scope, WorkflowRecord
from arazzo_runner.plan import Plan, PlannedWorkflow
from arazzo_runner.redaction import Redactor
from arazzo_runner.result import StepResult
from arazzo_runner.transport import DEFAULT_MAX_RESPONSE_BYTES, Transport

logger = logging.getLogger("arazzo_runner.engine")

DEFAULT_MAX_STEP_EXECUTIONS = 1000
DEFAULT_MAX_DEPTH = 32
# One hour: longer than any polling interval the corpus documents use, short
# enough that a misconfigured server cannot stall a CI job for days.
DEFAULT_MAX_RETRY_AFTER_HEADER = 3600.0


@dataclass(frozen=True, slots=True)
class Limits:
    """Guards against runaway runs.

    ``max_retry_wait`` caps each single wait before a retry, in seconds
    (``None``: no cap; ``0``: no waiting). When ``max_retry_wait`` is
    ``None``, ``max_retry_after_header`` caps a wait that a ``Retry-After``
    response header sets. So a server that asks for days of waiting cannot
    stall a run, and the run warns when the cap applies. ``max_response_bytes`` caps
    the size of a response body (after decompression); a larger one fails
    the attempt as a transport error.
    """

    max_step_executions: int = DEFAULT_MAX_STEP_EXECUTIONS
    max_depth: int = DEFAULT_MAX_DEPTH
    max_retry_wait: float | None = None
    max_retry_after_header: float = DEFAULT_MAX_RETRY_AFTER_HEADER
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES


@dataclass(slots=True)
class RunContext:
    """State shared by every workflow of one run."""

    plan: Plan
    transport: Transport
    clock: Clock
    redactor: Redactor
    limits: Limits
    observers: list[Observer] = field(default_factory=list)
    server_overrides: dict[str, str] = field(default_factory=dict)
    # Check each response against the operation's declared responses. With
    # ``strict``, a mismatch fails the step instead of adding a warning.
    validate_responses: bool = False
    strict: bool = False
    workflows: dict[str, WorkflowRecord] = field(default_factory=dict)
    completed: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    step_executions: int = 0
    inputs_by_workflow: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The step executions and state of the entry workflow (and of the
    # workflows it hands over to) as they happen, so that an interrupted run
    # can still report them.
    entry_steps: list[StepResult] = field(default_factory=list)
    entry_state: WorkflowState | None = None

    def emit(self, event: Event) -> None:
        """Send ``event`` to every observer."""
        for observer in self.observers:
            observer(event)

    def warn(self, message: str) -> None:
        """Record a run warning (redacted), log it and tell observers."""
        message = self.redactor.text(message)
        self.warnings.append(message)
        logger.warning("%s", message)
        self.emit(RunWarning(message))


@dataclass(slots=True)
class WorkflowState:
    """The state of one workflow execution: its inputs, step outputs and the
    current step's latest exchange."""

    workflow: PlannedWorkflow
    inputs: dict[str, Any]
    depth: int
    step_outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    exchange: Exchange | None = None
    child_outputs: dict[str, Any] = field(default_factory=dict)
    outputs_so_far: dict[str, Any] = field(default_factory=dict)

    def scope(self, run: RunContext, *, child_outputs: bool = False) -> Scope:
        """Return what runtime expressions read at this point.

        With ``child_outputs``, ``$outputs`` reads the outputs of the workflow
        the current step called; otherwise the workflow's own outputs so far.
        """
        return Scope(
            inputs=self.inputs,
            steps=self.step_outputs,
            outputs=self.child_outputs if child_outputs else self.outputs_so_far,
            workflows=run.workflows,
            source_descriptions=self.workflow.source_descriptions,
            exchange=self.exchange,
        )
