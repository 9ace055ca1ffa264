"""Human-readable output: progress lines while a run goes, and the summary."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from arazzo_runner.engine.events import (
    Event,
    RequestFinished,
    RetryScheduled,
)
from arazzo_runner.result import RunResult, json_safe


class ProgressPrinter:
    """Writes one line per request and per retry wait through ``write``.

    Event values are already redacted by the engine. Run warnings are not
    printed here: the engine logs them.
    """

    def __init__(self, write: Callable[[str], None]) -> None:
        self.write = write

    def __call__(self, event: Event) -> None:
        """Print the line for ``event``, if it has one."""
        if isinstance(event, RequestFinished):
            status = (
                "no response" if event.status_code is None else str(event.status_code)
            )
            line = (
                f"{event.step_id} #{event.attempt} {event.method} {event.url} "
                f"-> {status} ({event.elapsed * 1000:.0f} ms)"
            )
            if event.error:
                line += f": {event.error}"
            self.write(line)
        elif isinstance(event, RetryScheduled):
            self.write(
                f"{event.step_id}: retry in {_seconds(event.wait)} "
                f"(action {event.action}, after attempt {event.attempt})"
            )


def _seconds(value: float) -> str:
    return f"{value:g} s"


def format_summary(result: RunResult) -> str:
    """Return the end-of-run summary for people."""
    lines = [f"workflow {result.workflow_id}: {result.status}"]
    if result.error is not None:
        where = f" at step {result.error.step_id}" if result.error.step_id else ""
        lines.append(f"error ({result.error.kind}){where}: {result.error.message}")
    if result.outputs:
        lines.append("outputs:")
        for name, value in result.outputs.items():
            lines.append(f"  {name}: {_display(value)}")
    return "\n".join(lines)


def _display(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(json_safe(value), ensure_ascii=False)
