"""The JSONPath Compliance Test Suite against the RFC 9535 dialect of criteria."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from arazzo_runner.errors import ExpressionSyntaxError
from arazzo_runner.expressions.jsonpath import RFC_9535

SUITE = Path(__file__).parent / "jsonpath_cts" / "cts.json"
CASES: list[dict[str, Any]] = json.loads(SUITE.read_text(encoding="utf-8"))["tests"]


def canonical(values: list[Any]) -> str:
    """Return JSON text, which distinguishes ``true`` from ``1`` unlike ``==``."""
    return json.dumps(values, sort_keys=True)


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
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
    assert len(CASES) == 703
