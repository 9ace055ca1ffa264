"""The JSONPath Compliance Test Suite against the RFC 9535 dialect of criteria.

The suite is not copied into this repository. It is read from
`shared/jsonpath-cts/cts.json` in the folder that contains the repository,
and every test here is skipped when that file is absent.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from arazzo_runner.errors import ExpressionSyntaxError
from arazzo_runner.expressions.jsonpath import RFC_9535

SUITE = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "jsonpath-cts" / "cts.json"
)
SUITE_SIZE = 703
MISSING_SUITE = pytest.mark.skip(
    reason=f"JSONPath Compliance Test Suite not found at {SUITE}"
)


def load_cases() -> list[Any]:
    """Return one parameter per case, or one skipped parameter without the suite."""
    if not SUITE.is_file():
        return [pytest.param(None, id="suite-missing", marks=MISSING_SUITE)]
    cases = json.loads(SUITE.read_text(encoding="utf-8"))["tests"]
    return [pytest.param(case, id=case["name"]) for case in cases]


CASES = load_cases()


def canonical(values: list[Any]) -> str:
    """Return JSON text, which distinguishes ``true`` from ``1`` unlike ``==``."""
    return json.dumps(values, sort_keys=True)


@pytest.mark.parametrize("case", CASES)
def test_jsonpath_compliance_case(case: dict[str, Any]) -> None:
    selector = case["selector"]
    if case.get("invalid_selector"):
        with pytest.raises(ExpressionSyntaxError):
            RFC_9535.compile(selector, source=selector, offset=0)
        return
    compiled = RFC_9535.compile(selector, source=selector, offset=0)
    found = canonical(RFC_9535.find(compiled, case["document"]))
    expected = case["results"] if "results" in case else [case["result"]]
    assert found in [canonical(result) for result in expected]


def test_suite_is_complete() -> None:
    if not SUITE.is_file():
        pytest.skip(MISSING_SUITE.kwargs["reason"])
    assert len(CASES) == SUITE_SIZE
