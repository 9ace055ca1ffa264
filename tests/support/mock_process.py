"""Run ``arazzo mock`` as a subprocess, as a user would."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any


class MockProcess:
    """An ``arazzo mock`` process serving one scenario on 127.0.0.1."""

    def __init__(self, command: str, openapi: Path, scenario: Path, log: Path) -> None:
        self.log = log
        self.stderr: str | None = None
        self.process = subprocess.Popen(
            [
                command,
                "mock",
                str(openapi),
                "--scenario",
                str(scenario),
                "--port",
                "0",
                "--log",
                str(log),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        first = self.process.stdout.readline().strip()
        if not first.startswith("listening on "):
            self.stop()
            raise RuntimeError(f"arazzo mock did not start: {first!r}")
        self.url = first.removeprefix("listening on ")

    def requests(self) -> list[dict[str, Any]]:
        """Return the requests the mock logged, in order."""
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines() if line]

    def stop(self) -> str:
        """Stop the process and return what it wrote to stderr; repeats return it too."""
        if self.stderr is not None:
            return self.stderr
        self.process.terminate()
        try:
            _, stderr = self.process.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, stderr = self.process.communicate()
        self.stderr = stderr or ""
        return self.stderr
