"""arazzo-runner: run Arazzo 1.0.x workflows against the APIs they describe.

Typical use::

    from arazzo_runner import Runner

    runner = Runner.from_path("workflow.arazzo.yaml", servers={"api": "http://127.0.0.1:8080"})
    result = runner.run("my-workflow", {"token": "..."})
    print(result.status, result.outputs)
"""

from arazzo_runner.diagnostics import Diagnostic
from arazzo_runner.engine.clock import Clock, FakeClock, SystemClock
from arazzo_runner.engine.context import Limits
from arazzo_runner.errors import (
    ArazzoError,
    DocumentError,
    ExpressionSyntaxError,
    InputError,
    Location,
    RequestBuildError,
    RunInterrupted,
    TransportError,
    ValidationError,
)
from arazzo_runner.result import (
    Attempt,
    CriterionCheck,
    RunError,
    RunResult,
    StepResult,
)
from arazzo_runner.runner import Runner
from arazzo_runner.validate import validate_document

__all__ = [
    "ArazzoError",
    "Attempt",
    "Clock",
    "CriterionCheck",
    "Diagnostic",
    "DocumentError",
    "ExpressionSyntaxError",
    "FakeClock",
    "InputError",
    "Limits",
    "Location",
    "RequestBuildError",
    "RunError",
    "RunInterrupted",
    "RunResult",
    "Runner",
    "StepResult",
    "SystemClock",
    "TransportError",
    "ValidationError",
    "validate_document",
]
