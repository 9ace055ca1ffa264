"""Choose the action that follows a step attempt, and compute retry waits."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

from arazzo_runner.engine.steps import evaluate_criteria
from arazzo_runner.expressions.scope import Scope
from arazzo_runner.plan import PlannedAction
from arazzo_runner.redaction import Redactor

RetryCounters = dict[tuple[str, str], int]


@dataclass(slots=True)
class Decision:
    """The chosen action (``None``: no action matched) and the retry actions
    passed over because their limit was used up."""

    action: PlannedAction | None
    exhausted: list[PlannedAction] = field(default_factory=list)


def select_action(
    actions: tuple[PlannedAction, ...],
    scope: Scope,
    counters: RetryCounters,
    step_id: str,
    redactor: Redactor,
) -> Decision:
    """Return the first action whose criteria all pass.

    A ``retry`` whose limit is used up is skipped and the search goes on down
    the list; a chosen retry counts against its limit here.
    """
    exhausted: list[PlannedAction] = []
    for action in actions:
        checks = evaluate_criteria(action.criteria, scope, redactor)
        if not all(check.passed for check in checks):
            continue
        if action.type == "retry":
            key = (step_id, action.name)
            used = counters.get(key, 0)
            if used >= action.retry_limit:
                exhausted.append(action)
                continue
            counters[key] = used + 1
        return Decision(action, exhausted)
    return Decision(None, exhausted)


def reset_counters(counters: RetryCounters, step_id: str) -> None:
    """Forget the retries of ``step_id``: it is being entered afresh."""
    for key in [key for key in counters if key[0] == step_id]:
        del counters[key]


def retry_wait(
    action: PlannedAction,
    retry_after_header: str | None,
    now: float,
    cap: float | None,
    header_cap: float = float("inf"),
) -> float:
    """Return the seconds to wait before a retry.

    An HTTP ``Retry-After`` header (delta-seconds or an HTTP date) wins over
    the action's ``retryAfter``, up to ``header_cap``; without either there
    is no wait. ``cap`` limits the result.
    """
    wait = action.retry_after or 0.0
    header_wait = parse_retry_after(retry_after_header, now)
    if header_wait is not None:
        wait = min(header_wait, header_cap)
    if cap is not None:
        wait = min(wait, cap)
    return max(0.0, wait)


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Return the wait a ``Retry-After`` header requests, or ``None``."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment is None:
        return None
    return max(0.0, moment.timestamp() - now)
