"""Time the Replicate flagship as a whole `arazzo run` process against the mock.

The mock runs the `success` scenario (the training succeeds on the third
poll) and waits are capped at zero, so the figure is the runner's own cost:
start-up, loading, five HTTP exchanges and the report. Prints the median wall
time and peak memory (max RSS) over several runs.

Usage: python bench/flagship.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPLICATE = ROOT / "specs" / "replicate"
TARGET_SECONDS = 0.25
TARGET_MEGABYTES = 50


def arazzo() -> str:
    beside = Path(sys.executable).parent / "arazzo"
    return str(beside) if beside.exists() else (shutil.which("arazzo") or "arazzo")


def start_mock() -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [
            arazzo(),
            "mock",
            str(REPLICATE / "openapi" / "replicate-openapi.yml"),
            "--scenario",
            str(REPLICATE / "scenarios" / "success.yaml"),
            "--port",
            "0",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    return process, line.removeprefix("listening on ")


def run_once(url: str) -> tuple[float, float]:
    """Return the wall time in seconds and the peak RSS in MB of one run."""
    command = [
        arazzo(),
        "run",
        str(REPLICATE / "arazzo" / "train-model-and-poll.arazzo.yaml"),
        "--inputs",
        str(REPLICATE / "inputs.example.json"),
        "--server",
        f"replicateApi={url}/v1",
        "--max-retry-wait",
        "0",
        "--format",
        "json",
    ]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("the flagship run failed; run it by hand to see why")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    # Bytecode as an installed package has it, even where
    # PYTHONDONTWRITEBYTECODE keeps Python from writing it on its own.
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "arazzo_runner")],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    mock, url = start_mock()
    try:
        run_once(url)  # Warm the file system cache and bytecode.
        results = [run_once(url) for _ in range(args.runs)]
    finally:
        mock.terminate()
        mock.wait()
    wall = statistics.median(r[0] for r in results)
    memory = max(r[1] for r in results)
    print(
        f"flagship arazzo run: median {wall:.3f} s over {args.runs} runs "
        f"(target < {TARGET_SECONDS} s)"
    )
    print(
        f"flagship arazzo run: peak memory {memory:.1f} MB "
        f"(target < {TARGET_MEGABYTES} MB)"
    )


if __name__ == "__main__":
    main()
