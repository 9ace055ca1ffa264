"""Shared fixtures: servers on 127.0.0.1 and the installed ``arazzo`` command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.http_server import ScriptedServer

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
REPLICATE = ROOT / "specs" / "replicate"


def arazzo_command() -> str:
    """Return the installed ``arazzo`` executable (next to this Python first)."""
    beside = Path(sys.executable).parent / "arazzo"
    if beside.exists():
        return str(beside)
    found = shutil.which("arazzo")
    if found is None:
        pytest.fail("the arazzo command is not installed; run `make test`")
    return found


def run_arazzo(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run the installed ``arazzo`` command and capture its output."""
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    return subprocess.run(
        [arazzo_command(), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture(autouse=True)
def _cache_in_tmp(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep the parsed-description cache out of the user's cache folder."""
    folder = tmp_path_factory.mktemp("arazzo-cache")
    monkeypatch.setenv("ARAZZO_RUNNER_CACHE_DIR", str(folder))


@pytest.fixture
def api_server() -> Iterator[ScriptedServer]:
    """A scriptable HTTP server on 127.0.0.1, stopped after the test."""
    server = ScriptedServer()
    server.start()
    yield server
    server.stop()
