"""Time `validate_document` on a generated document of 1,000 steps.

The document has one workflow. Each step calls the same operation of a small
OpenAPI description with a path parameter, a query parameter and a header
built from the previous step's output, checks two criteria and defines one
output. Every 100th step has a goto back to the first step. The script prints the median
and the best wall time of the whole validation (read, schema, plan,
semantic checks) over several runs, in one process, after one warm-up run.
The parse and findings cache is turned off, so every run does all the work.

Usage: python bench/validate_1000_steps.py [--steps N] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Items", "version": "1"},
    "servers": [{"url": "http://127.0.0.1:9/v1"}],
    "paths": {
        "/items/{id}": {
            "get": {
                "operationId": "getItem",
                "parameters": [
                    {"name": "id", "in": "path", "required": True},
                    {"name": "page", "in": "query"},
                    {"name": "X-Trace", "in": "header"},
                ],
                "responses": {"200": {"description": "the item"}},
            }
        }
    },
}


def make_document(steps: int) -> dict[str, Any]:
    """Return an Arazzo document with ``steps`` steps in one workflow."""
    items = []
    for index in range(steps):
        previous = f"$steps.step{index - 1}.outputs.id" if index else "$inputs.first"
        step: dict[str, Any] = {
            "stepId": f"step{index}",
            "operationId": "getItem",
            "parameters": [
                {"name": "id", "in": "path", "value": previous},
                {"name": "page", "in": "query", "value": index},
                {"name": "X-Trace", "in": "header", "value": f"run-{{{previous}}}"},
            ],
            "successCriteria": [
                {"condition": "$statusCode == 200"},
                {"context": "$response.body", "condition": "$.id", "type": "jsonpath"},
            ],
            "outputs": {"id": "$response.body#/id"},
        }
        if index and index % 100 == 0:
            step["onSuccess"] = [
                {
                    "name": "again",
                    "type": "goto",
                    "stepId": "step0",
                    "criteria": [{"condition": "$response.body#/again == true"}],
                }
            ]
        items.append(step)
    return {
        "arazzo": "1.0.1",
        "info": {"title": "Many steps", "version": "1.0.0"},
        "sourceDescriptions": [
            {"name": "items", "url": "openapi.json", "type": "openapi"}
        ],
        "workflows": [
            {
                "workflowId": "long",
                "inputs": {
                    "type": "object",
                    "properties": {"first": {"type": "string"}},
                },
                "steps": items,
                "outputs": {"last": f"$steps.step{steps - 1}.outputs.id"},
            }
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    os.environ["ARAZZO_RUNNER_CACHE_DIR"] = "off"

    from arazzo_runner.validate import validate_document

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "openapi.json").write_text(json.dumps(OPENAPI))
        path = root / "long.arazzo.json"
        path.write_text(json.dumps(make_document(options.steps), indent=1))
        problems = validate_document(path)  # Warm-up: imports and caches.
        if problems:
            raise SystemExit(f"unexpected diagnostics: {problems[:3]}")
        times = []
        for _ in range(options.runs):
            start = time.perf_counter()
            validate_document(path)
            times.append(time.perf_counter() - start)
    print(
        f"{options.steps} steps: median {statistics.median(times):.3f} s, "
        f"best {min(times):.3f} s over {options.runs} runs"
    )


if __name__ == "__main__":
    main()
