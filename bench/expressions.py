"""Measure the expression layer: evaluations per second and parse time.

Prints, against their targets:

* evaluations per second of the parsed runtime expression
  ``$response.body#/a/b/0`` and of the parsed simple condition
  ``$statusCode == 200 && $response.body#/status == 'done'``, alone and as a
  compiled criterion (which also builds the detail shown in reports);
* the time to parse every expression of a generated 100-step document:
  parameter values, request bodies, success criteria (simple, regex and
  comparison-style jsonpath) and outputs.

The process runs on one core (it is pinned to one CPU where the system
allows it) and each figure is the best of several rounds.

Usage: python bench/expressions.py [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from arazzo_runner.expressions.conditions import parse_condition  # noqa: E402
from arazzo_runner.expressions.criteria import compile_criterion  # noqa: E402
from arazzo_runner.expressions.runtime import parse_expression  # noqa: E402
from arazzo_runner.expressions.scope import Exchange, Scope  # noqa: E402
from arazzo_runner.expressions.template import parse_value  # noqa: E402

TARGET_EVALUATIONS = 200_000  # per second, for each typical form
TARGET_PARSE_SECONDS = 0.050  # for a 100-step document's expressions
EXPRESSION = "$response.body#/a/b/0"
CONDITION = "$statusCode == 200 && $response.body#/status == 'done'"
STEPS = 100


def make_scope() -> Scope:
    body = {"a": {"b": ["first", "second"]}, "status": "done", "id": "t1"}
    exchange = Exchange(
        url="https://api.example.test/v1/items/t1",
        method="GET",
        status_code=200,
        response_headers={"content-type": "application/json"},
        response_body=body,
    )
    return Scope(inputs={"apiToken": "tok", "count": 3}, exchange=exchange)


def evaluations_per_second(evaluate: Callable[[], Any], rounds: int) -> float:
    """Return the best rate over ``rounds`` rounds of about 0.2 s each."""
    count = 20_000
    best = 0.0
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(count):
            evaluate()
        elapsed = time.perf_counter() - start
        best = max(best, count / elapsed)
    return best


def make_document() -> list[dict[str, Any]]:
    """Return 100 steps shaped like the steps of real workflows."""
    steps: list[dict[str, Any]] = []
    for number in range(STEPS):
        previous = f"step{number - 1}" if number else "step0"
        steps.append(
            {
                "stepId": f"step{number}",
                "parameters": [
                    {"name": "Authorization", "value": "Bearer $inputs.apiToken"},
                    {"name": "id", "value": f"$steps.{previous}.outputs.id"},
                    {"name": "page", "value": "{$inputs.count}"},
                ],
                "requestBody": {
                    "payload": {
                        "name": "item {$inputs.count}",
                        "owner": "$inputs.owner",
                        "tags": ["a", "$response.body#/tags/0"],
                        "webhook": "$inputs.webhook",
                    }
                },
                "successCriteria": [
                    {"condition": "$statusCode == 200"},
                    {"condition": CONDITION},
                    {
                        "context": "$response.body",
                        "condition": '$.status == "done" || $.status == "ok"',
                        "type": "jsonpath",
                    },
                    {
                        "context": "$response.header.Content-Type",
                        "condition": "^application/json",
                        "type": "regex",
                    },
                ],
                "outputs": {
                    "id": "$response.body#/id",
                    "status": "$response.body#/status",
                    "location": "$response.header.Location",
                },
            }
        )
    return steps


def parse_document(steps: list[dict[str, Any]]) -> int:
    """Parse every expression of ``steps``; return how many values were parsed."""
    parsed = 0
    for step in steps:
        for parameter in step["parameters"]:
            parse_value(parameter["value"])
            parsed += 1
        parse_value(step["requestBody"]["payload"])
        parsed += 1
        for criterion in step["successCriteria"]:
            compile_criterion(
                criterion["condition"],
                context=criterion.get("context"),
                type=criterion.get("type"),
            )
            parsed += 1
        for value in step["outputs"].values():
            parse_value(value)
            parsed += 1
    return parsed


def parse_seconds(rounds: int) -> tuple[float, float, int]:
    """Return the first and the best time to parse the document, and the count."""
    steps = make_document()
    timings: list[float] = []
    parsed = 0
    for _ in range(rounds):
        start = time.perf_counter()
        parsed = parse_document(steps)
        timings.append(time.perf_counter() - start)
    return timings[0], min(timings), parsed


def pin_to_one_core() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned"
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def report_rate(label: str, rate: float) -> None:
    verdict = "meets" if rate >= TARGET_EVALUATIONS else "MISSES"
    print(
        f"{label}: {rate:,.0f} evaluations/s"
        f" ({verdict} the target of {TARGET_EVALUATIONS:,}/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="rounds per figure")
    arguments = parser.parse_args()
    version = sys.version.split()[0]
    print(f"expressions benchmark, Python {version}, {pin_to_one_core()}")

    # Parsing first, so that its first round includes any deferred imports.
    first, best, parsed = parse_seconds(arguments.rounds)
    # The target is for the first round, which a real run pays once.
    verdict = "meets" if first < TARGET_PARSE_SECONDS else "MISSES"
    print(
        f"parse {STEPS}-step document ({parsed} values and criteria):"
        f" {first * 1000:.1f} ms first ({verdict} the target of"
        f" {TARGET_PARSE_SECONDS * 1000:.0f} ms), {best * 1000:.1f} ms best"
    )

    scope = make_scope()
    expression = parse_expression(EXPRESSION)
    report_rate(
        f"expression {EXPRESSION}",
        evaluations_per_second(lambda: expression.evaluate(scope), arguments.rounds),
    )
    condition = parse_condition(CONDITION)
    report_rate(
        f"condition {CONDITION}",
        evaluations_per_second(lambda: condition.evaluate(scope), arguments.rounds),
    )
    criterion = compile_criterion(CONDITION)
    report_rate(
        "the same condition as a criterion, with its detail text",
        evaluations_per_second(lambda: criterion.evaluate(scope), arguments.rounds),
    )


if __name__ == "__main__":
    main()
