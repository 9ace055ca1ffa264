"""Time one step against a 3 MB, 329-operation OpenAPI description.

Runs `plaid-one-step.arazzo.yaml` (one POST /categories/get against Plaid's
public description) as a whole `arazzo run` process against a local server
on 127.0.0.1, first with an empty parse cache and then with the parsed
description cached. Prints the median wall time and the peak memory (max RSS)
of each kind of run.

Usage: python bench/plaid.py [--runs N] [--inputs DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INPUTS = ROOT.parent / "shared" / "bench"
TARGET_FIRST_SECONDS = 1.5
TARGET_CACHED_SECONDS = 0.4
TARGET_MEGABYTES = 120


class _Categories(BaseHTTPRequestHandler):
    """Replies to POST /categories/get like Plaid's API, with a short body."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps({"categories": [], "request_id": "bench"}).encode()
        self.send_response(200 if self.path == "/categories/get" else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def arazzo() -> str:
    beside = Path(sys.executable).parent / "arazzo"
    return str(beside) if beside.exists() else (shutil.which("arazzo") or "arazzo")


def run_once(document: Path, url: str, cache: Path) -> tuple[float, float]:
    """Return the wall time in seconds and the peak RSS in MB of one run."""
    command = [arazzo(), "run", str(document), "--server", f"plaid={url}"]
    env = dict(os.environ, ARAZZO_RUNNER_CACHE_DIR=str(cache))
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("the plaid run failed; run it by hand to see why")
    return elapsed, usage.ru_maxrss / 1024


def report(label: str, results: list[tuple[float, float]], target: float) -> None:
    wall = statistics.median(r[0] for r in results)
    memory = max(r[1] for r in results)
    print(
        f"plaid one step, {label}: median {wall:.3f} s over {len(results)} runs "
        f"(target < {target} s), peak memory {memory:.1f} MB "
        f"(target < {TARGET_MEGABYTES} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--inputs", type=Path, default=DEFAULT_INPUTS)
    args = parser.parse_args()
    document = args.inputs / "plaid-one-step.arazzo.yaml"
    if not document.exists():
        raise SystemExit(f"{document} not found; give its folder with --inputs DIR")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Categories)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    with tempfile.TemporaryDirectory(prefix="arazzo-bench-") as folder:
        scratch = Path(folder)
        run_once(document, url, scratch / "warm-up")  # File system and bytecode.
        first = [
            run_once(document, url, scratch / f"empty-{index}")
            for index in range(args.runs)
        ]
        cached = [
            run_once(document, url, scratch / "warm-up") for _ in range(args.runs)
        ]
    server.shutdown()
    report("empty cache", first, TARGET_FIRST_SECONDS)
    report("cached description", cached, TARGET_CACHED_SECONDS)


if __name__ == "__main__":
    main()
