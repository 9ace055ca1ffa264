"""Time `validate_document` on documents whose YAML aliases nearly reach the limit.

Each document is a few hundred bytes. Its request payload defines ten strings
under an anchor and then nests aliases of aliases, ten per level, so that the
expansion builds just under `MAX_ALIAS_NODES` values. In the "templates"
document every string contains runtime expressions, which the planner parses one
by one; in the "plain" document two of ten do. The script prints the values
the aliases build, the size of each file, and the median and best wall time of
the whole validation over several runs in one process, with the parse and
findings cache turned off.

Usage: python bench/alias_limit.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

OPENAPI = """openapi: 3.1.0
info: {title: Items, version: "1"}
paths:
  /items:
    post:
      operationId: createItem
      responses: {"201": {description: created}}
"""

HEAD = """arazzo: 1.0.1
info: {title: aliases, version: "1"}
sourceDescriptions:
  - {name: api, url: openapi.yaml}
workflows:
  - workflowId: flow
    steps:
      - stepId: create
        operationId: createItem
        requestBody:
          payload:
            a0: &a0 [STRINGS]
"""

EXPRESSIONS = ", ".join(
    ['"Bearer $inputs.token for {$inputs.user}"', '"{$inputs.a} {$inputs.b}"'] * 5
)
PLAIN = ", ".join(['"$inputs.x"', '"{$inputs.y}"'] + ['"x"'] * 8)


def make_document(strings: str, limit: int) -> tuple[str, int]:
    """Return the YAML text and the number of values its aliases build."""
    text = HEAD.replace("STRINGS", strings)
    size, aliased = 11, 0  # a0 is a list of ten strings: eleven values.
    for level in range(1, 4):
        text += (
            f"            a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 10)}]\n"
        )
        aliased += 10 * size
        size = 1 + 10 * size
    copies = (limit - aliased) // size
    text += f"            b: [{', '.join(['*a3'] * copies)}]\n"
    return text, aliased + copies * size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    os.environ["ARAZZO_RUNNER_CACHE_DIR"] = "off"

    from arazzo_runner.document.reader import MAX_ALIAS_NODES
    from arazzo_runner.validate import validate_document

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "openapi.yaml").write_text(OPENAPI)
        for name, strings in (("expressions", EXPRESSIONS), ("plain", PLAIN)):
            text, aliased = make_document(strings, MAX_ALIAS_NODES)
            path = root / f"{name}.arazzo.yaml"
            path.write_text(text)
            found = validate_document(path)  # Warm-up: imports and caches.
            if any(d.severity == "error" for d in found):
                raise SystemExit(f"unexpected errors: {found[:3]}")
            times = []
            for _ in range(options.runs):
                start = time.perf_counter()
                validate_document(path)
                times.append(time.perf_counter() - start)
            print(
                f"{name}: {aliased:,} aliased values from {len(text)} bytes: "
                f"median {statistics.median(times):.2f} s, "
                f"best {min(times):.2f} s over {options.runs} runs"
            )


if __name__ == "__main__":
    main()
