"""The document bench/validate_1000_steps.py times is valid.

The time itself is a benchmark figure (bench/validate_1000_steps.py), not a
test, so a busy machine cannot fail the suite.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from arazzo_runner.validate import validate_document
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from validate_1000_steps import OPENAPI, make_document  # noqa: E402


def test_benchmark_document_is_valid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARAZZO_RUNNER_CACHE_DIR", "off")
    (tmp_path / "openapi.json").write_text(json.dumps(OPENAPI))
    path = tmp_path / "long.arazzo.json"
    path.write_text(json.dumps(make_document(1000)))
    assert validate_document(path) == []
