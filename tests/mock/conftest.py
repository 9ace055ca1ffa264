"""Fixtures that start mock servers on 127.0.0.1 and talk to them with httpx."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from arazzo_runner.mock import MockServer
from tests.conftest import REPLICATE

OPENAPI = REPLICATE / "openapi" / "replicate-openapi.yml"
INPUTS = json.loads((REPLICATE / "inputs.example.json").read_text())
AUTH = {"Authorization": f"Bearer {INPUTS['apiToken']}"}

Serve = Callable[..., tuple[MockServer, httpx.Client]]


@pytest.fixture
def serve() -> Iterator[Serve]:
    """Start a mock for a scenario path and return it with a client at its base URL."""
    started: list[tuple[MockServer, httpx.Client]] = []

    def start(
        scenario: Path, openapi: Path = OPENAPI, log_path: Path | None = None
    ) -> tuple[MockServer, httpx.Client]:
        server = MockServer(openapi, scenario, log_path=log_path)
        server.start()
        client = httpx.Client(base_url=server.base_url, timeout=5)
        started.append((server, client))
        return server, client

    yield start
    for server, client in started:
        client.close()
        server.stop()
