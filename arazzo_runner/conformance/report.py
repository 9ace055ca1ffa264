"""Render conformance outcomes as a text table, JSON, JUnit XML or Markdown."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from typing import Any

from arazzo_runner.conformance.harness import CaseOutcome


def summary_line(outcomes: list[CaseOutcome]) -> str:
    """Return the final ``N passed, N failed`` line."""
    passed = sum(outcome.passed for outcome in outcomes)
    return f"{passed} passed, {len(outcomes) - passed} failed"


def render_text(outcomes: list[CaseOutcome]) -> str:
    """Return a table of every case, each failed case's problems and the summary."""
    width = max((len(outcome.case.case_id) for outcome in outcomes), default=4)
    lines = [f"{'case':<{width}}  result  seconds  section"]
    for outcome in outcomes:
        result = "passed" if outcome.passed else "FAILED"
        lines.append(
            f"{outcome.case.case_id:<{width}}  {result:<6}  {outcome.seconds:7.2f}  "
            f"{outcome.case.section}"
        )
    failed = [outcome for outcome in outcomes if not outcome.passed]
    for outcome in failed:
        lines.append("")
        lines.append(f"FAILED {outcome.case.case_id}")
        if outcome.case.description:
            lines.append(f"  checks: {outcome.case.description}")
        lines.extend(f"  {problem}" for problem in outcome.problems())
    lines.append("")
    lines.append(summary_line(outcomes))
    return "\n".join(lines)


def outcome_data(outcome: CaseOutcome) -> dict[str, Any]:
    """Return one outcome as JSON-ready data."""
    return {
        "case": outcome.case.case_id,
        "section": outcome.case.section,
        "passed": outcome.passed,
        "seconds": round(outcome.seconds, 3),
        "problems": outcome.problems(),
    }


def render_json(outcomes: list[CaseOutcome]) -> str:
    """Return one JSON object with every outcome and the counts."""
    passed = sum(outcome.passed for outcome in outcomes)
    data = {
        "passed": passed,
        "failed": len(outcomes) - passed,
        "cases": [outcome_data(outcome) for outcome in outcomes],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def render_junit(outcomes: list[CaseOutcome]) -> str:
    """Return a JUnit XML report with one test case per conformance case."""
    failed = sum(not outcome.passed for outcome in outcomes)
    suite = ElementTree.Element(
        "testsuite",
        name="arazzo-conformance",
        tests=str(len(outcomes)),
        failures=str(failed),
        time=f"{sum(o.seconds for o in outcomes):.3f}",
    )
    for outcome in outcomes:
        element = ElementTree.SubElement(
            suite,
            "testcase",
            classname=outcome.case.section,
            name=outcome.case.case_id,
            time=f"{outcome.seconds:.3f}",
        )
        if not outcome.passed:
            problems = outcome.problems()
            failure = ElementTree.SubElement(element, "failure", message=problems[0])
            failure.text = "\n".join(problems)
    return ElementTree.tostring(suite, encoding="unicode", xml_declaration=True)


def render_markdown(outcomes: list[CaseOutcome], runner_name: str) -> str:
    """Return the page docs/conformance.md: a table of every case and its result."""
    lines = [
        "# Conformance results",
        "",
        "This page is generated; do not edit it by hand. Regenerate it with",
        "",
        "```sh",
        "arazzo conformance conformance/cases --format markdown > docs/conformance.md",
        "```",
        "",
        f"Runner: {runner_name}. {summary_line(outcomes)}.",
        "conformance/README.md describes the cases and how to run them.",
        "",
        "| case | section | result | what it checks |",
        "| --- | --- | --- | --- |",
    ]
    for outcome in outcomes:
        result = "passed" if outcome.passed else "**failed**"
        description = outcome.case.description.replace("|", "\\|")
        lines.append(
            f"| `{outcome.case.case_id}` | {outcome.case.section} | {result} "
            f"| {description} |"
        )
    return "\n".join(lines) + "\n"
