"""Helpers to write small Arazzo and OpenAPI documents for engine tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from arazzo_runner import FakeClock, Limits, Runner
from tests.support.http_server import ScriptedServer

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Test API", "version": "1"},
    "servers": [{"url": "https://api.example.test/v1"}],
    "paths": {
        "/items": {
            "get": {
                "operationId": "listItems",
                "responses": {"200": {"description": "ok"}},
            },
            "post": {
                "operationId": "createItem",
                "requestBody": {
                    "content": {"application/json": {"schema": {"type": "object"}}}
                },
                "responses": {"201": {"description": "created"}},
            },
        },
        "/items/{id}": {
            "parameters": [
                {
                    "name": "id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string"},
                }
            ],
            "get": {
                "operationId": "getItem",
                "responses": {"200": {"description": "ok"}},
            },
        },
        "/token": {
            "post": {
                "operationId": "refreshToken",
                "responses": {"200": {"description": "ok"}},
            }
        },
    },
}


def document(workflows: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """Return an Arazzo document using the test API as source ``api``."""
    return {
        "arazzo": "1.0.1",
        "info": {"title": "test", "version": "1"},
        "sourceDescriptions": [
            {"name": "api", "url": "openapi.yaml", "type": "openapi"}
        ],
        "workflows": workflows,
        **extra,
    }


class Harness:
    """Writes documents into a folder and runs them against a server."""

    def __init__(self, folder: Path, server: ScriptedServer) -> None:
        self.folder = folder
        self.server = server
        self.clock = FakeClock()
        (folder / "openapi.yaml").write_text(yaml.safe_dump(OPENAPI))

    def runner(self, doc: dict[str, Any], **options: Any) -> Runner:
        path = self.folder / "flow.arazzo.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False))
        options.setdefault("limits", Limits())
        return Runner.from_path(
            path, servers={"api": self.server.url + "/v1"}, clock=self.clock, **options
        )


@pytest.fixture
def harness(tmp_path: Path, api_server: ScriptedServer) -> Harness:
    return Harness(tmp_path, api_server)
