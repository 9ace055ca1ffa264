"""Run every conformance case in conformance/cases against this runner, in process.

The cases run once, in parallel, in a module fixture. Each case is then one
test, so a failure names its case and lists every difference.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from arazzo_runner.conformance import (
    CaseOutcome,
    InProcessRunner,
    discover_cases,
    run_cases,
)
from tests.conftest import ROOT

CASES_ROOT = ROOT / "conformance" / "cases"

# Cases this runner fails today, by case id, with the reason. The suite stays
# green while the gap stays visible. A listed case that starts to pass fails
# the run because xfail is strict, so its entry must then be removed.
EXPECTED_FAILURES: dict[str, str] = {}

CASES = discover_cases([CASES_ROOT])


@pytest.fixture(scope="module")
def outcomes() -> dict[str, CaseOutcome]:
    """Run the whole suite once on four threads and index the outcomes by case id."""
    with tempfile.TemporaryDirectory() as folder:
        results = run_cases(CASES, InProcessRunner(), jobs=4, work_folder=Path(folder))
    return {outcome.case.case_id: outcome for outcome in results}


def _params() -> list[object]:
    params: list[object] = []
    for case in CASES:
        reason = EXPECTED_FAILURES.get(case.case_id)
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        params.append(pytest.param(case.case_id, marks=marks, id=case.case_id))
    return params


@pytest.mark.parametrize("case_id", _params())
def test_case(case_id: str, outcomes: dict[str, CaseOutcome]) -> None:
    outcome = outcomes[case_id]
    assert outcome.passed, "\n".join([outcome.case.description, *outcome.problems()])


def test_suite_size() -> None:
    assert len(CASES) >= 150


def test_expected_failures_name_cases() -> None:
    case_ids = {case.case_id for case in CASES}
    assert set(EXPECTED_FAILURES) <= case_ids


def test_every_case_has_section_and_description() -> None:
    for case in CASES:
        assert case.section.strip(), case.case_id
        assert len(case.description) >= 40, case.case_id


def test_schema_copy_matches_package() -> None:
    package_schema = ROOT / "arazzo_runner" / "conformance" / "case.schema.json"
    published = ROOT / "conformance" / "case.schema.json"
    assert published.read_text(encoding="utf-8") == package_schema.read_text(
        encoding="utf-8"
    )
