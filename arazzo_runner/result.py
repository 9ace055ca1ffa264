"""The result of a run, as Python objects and as the JSON the CLI prints.

The JSON shape is a contract: fields may be added, never renamed or removed.
``to_dict()`` returns exactly what ``arazzo run --format json`` prints.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

# Stable values of ``error.kind``; docs/results.md explains each.
ERROR_KINDS = (
    "invalid-arguments",
    "invalid-document",
    "invalid-inputs",
    "criteria-failed",
    "transport-error",
    "request-error",
    "response-invalid",
    "failure-action-end",
    "workflow-failed",
    "dependency-failed",
    "step-limit-exceeded",
    "depth-limit-exceeded",
    "workflow-recursion",
)


def json_safe(value: Any) -> Any:
    """Return ``value`` with what JSON cannot carry replaced.

    Bytes (a binary response body kept as an output) become
    ``{"binary": true, "length": N}``, since JSON has no bytes type. A NaN or
    infinite number (from a YAML inputs file, for example) becomes its name
    as a string, since printing it as a number would make the JSON invalid.
    """
    if isinstance(value, (bytes, bytearray)):
        return {"binary": True, "length": len(value)}
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_safe(item) for item in value]
    return value


@dataclass(frozen=True, slots=True)
class CriterionCheck:
    """The outcome of one criterion of an attempt or action."""

    condition: str
    passed: bool
    detail: str = ""
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the check as JSON-ready data."""
        return {
            "condition": self.condition,
            "passed": self.passed,
            "detail": self.detail,
            "reason": self.reason,
        }


@dataclass(slots=True)
class Attempt:
    """One try of a step: its response status and criteria outcome."""

    status_code: int | None
    succeeded: bool
    criteria: list[CriterionCheck] = field(default_factory=list)
    action: str | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the attempt as JSON-ready data."""
        return {
            "statusCode": self.status_code,
            "succeeded": self.succeeded,
            "criteria": [check.to_dict() for check in self.criteria],
            "action": self.action,
            "error": self.error,
        }


@dataclass(slots=True)
class StepResult:
    """One execution of a step; a step entered again appears again."""

    step_id: str
    outcome: str = "failed"
    attempts: list[Attempt] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)

    @property
    def status_code(self) -> int | None:
        """Return the status code of the last attempt (``None``: no response)."""
        return self.attempts[-1].status_code if self.attempts else None

    def to_dict(self) -> dict[str, Any]:
        """Return the step execution as JSON-ready data."""
        return {
            "stepId": self.step_id,
            "outcome": self.outcome,
            "attempts": len(self.attempts),
            "statusCode": self.status_code,
            "attemptDetails": [attempt.to_dict() for attempt in self.attempts],
            "outputs": json_safe(self.outputs),
        }


@dataclass(frozen=True, slots=True)
class RunError:
    """Why a run failed: a stable ``kind``, a message and the step, if any."""

    kind: str
    message: str
    step_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the error as JSON-ready data."""
        return {"kind": self.kind, "message": self.message, "stepId": self.step_id}


@dataclass(slots=True)
class RunResult:
    """The outcome of running one workflow."""

    workflow_id: str | None
    status: str
    outputs: dict[str, Any] = field(default_factory=dict)
    steps: list[StepResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: RunError | None = None

    @property
    def succeeded(self) -> bool:
        """Return whether the workflow succeeded."""
        return self.status == "succeeded"

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON object ``arazzo run --format json`` prints."""
        return {
            "workflowId": self.workflow_id,
            "status": self.status,
            "outputs": json_safe(self.outputs),
            "steps": [step.to_dict() for step in self.steps],
            "warnings": list(self.warnings),
            "error": None if self.error is None else self.error.to_dict(),
        }
