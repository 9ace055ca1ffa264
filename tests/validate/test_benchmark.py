"""Validation time of a large document (the figure bench/validate_1000_steps.py prints)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

from arazzo_runner.validate import validate_document
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from validate_1000_steps import OPENAPI, make_document  # noqa: E402


def test_thousand_steps_validate_in_a_second(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARAZZO_RUNNER_CACHE_DIR", "off")
    (tmp_path / "openapi.json").write_text(json.dumps(OPENAPI))
    path = tmp_path / "long.arazzo.json"
    path.write_text(json.dumps(make_document(1000)))
    assert validate_document(path) == []  # Warm-up: imports and the validator.
    times = []
    for _ in range(3):
        start = time.perf_counter()
        validate_document(path)
        times.append(time.perf_counter() - start)
    # The best of three runs, so that one slow moment on a busy machine does
    # not fail the test; bench/validate_1000_steps.py reports the median.
    assert min(times) < 1.0
