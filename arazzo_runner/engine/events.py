"""Events the engine emits while it runs, for observers such as progress output.

Every value in an event is already redacted: observers may print them as they
are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StepStarted:
    """A step begins (again, when entered through goto)."""

    workflow_id: str
    step_id: str


@dataclass(frozen=True, slots=True)
class RequestFinished:
    """One attempt of a step sent a request and got a response or an error.

    ``status_code`` is ``None`` when no response arrived, and ``error`` gives
    the reason.
    """

    workflow_id: str
    step_id: str
    attempt: int
    method: str
    url: str
    status_code: int | None
    elapsed: float
    error: str | None = None


@dataclass(frozen=True, slots=True)
class RetryScheduled:
    """A retry action will run the step again after ``wait`` seconds."""

    workflow_id: str
    step_id: str
    action: str
    attempt: int
    wait: float


@dataclass(frozen=True, slots=True)
class StepFinished:
    """A step execution ended with ``outcome`` succeeded or failed."""

    workflow_id: str
    step_id: str
    outcome: str
    attempts: int


@dataclass(frozen=True, slots=True)
class RunWarning:
    """Something worth a user's attention happened during the run."""

    message: str


@dataclass(frozen=True, slots=True)
class WorkflowFinished:
    """A workflow ended with ``status`` succeeded or failed."""

    workflow_id: str
    status: str


Event = (
    StepStarted
    | RequestFinished
    | RetryScheduled
    | StepFinished
    | RunWarning
    | WorkflowFinished
)
Observer = Callable[[Event], None]
