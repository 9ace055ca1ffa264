"""The JSON form of run results."""

from __future__ import annotations

import json
import math

from arazzo_runner import RunResult


def test_nan_output_prints_valid_json() -> None:
    result = RunResult("wf", "succeeded", outputs={"n": math.nan, "i": math.inf})
    text = json.dumps(result.to_dict(), allow_nan=False)
    assert json.loads(text)["outputs"] == {"n": "nan", "i": "inf"}
