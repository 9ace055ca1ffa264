"""Helpers that write a small valid Arazzo document and its OpenAPI description."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from arazzo_runner.diagnostics import Diagnostic
from arazzo_runner.validate import validate_document

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Items", "version": "1"},
    "servers": [{"url": "http://127.0.0.1:9/v1"}],
    "paths": {
        "/items": {
            "get": {
                "operationId": "listItems",
                "responses": {"200": {"description": "ok"}},
            },
            "post": {
                "operationId": "createItem",
                "responses": {"201": {"description": "created"}},
            },
        },
        "/items/{id}": {
            "get": {
                "operationId": "getItem",
                "parameters": [{"name": "id", "in": "path", "required": True}],
                "responses": {"200": {"description": "ok"}},
            }
        },
    },
}

VALID: dict[str, Any] = {
    "arazzo": "1.0.1",
    "info": {"title": "rules", "version": "1.0.0"},
    "sourceDescriptions": [{"name": "api", "url": "openapi.yaml", "type": "openapi"}],
    "workflows": [
        {
            "workflowId": "main",
            "inputs": {"type": "object", "properties": {"limit": {"type": "integer"}}},
            "steps": [
                {
                    "stepId": "list",
                    "operationId": "listItems",
                    "successCriteria": [{"condition": "$statusCode == 200"}],
                    "outputs": {"first": "$response.body#/0/id"},
                },
                {
                    "stepId": "get",
                    "operationId": "getItem",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "value": "$steps.list.outputs.first",
                        }
                    ],
                    "outputs": {"name": "$response.body#/name"},
                },
            ],
            "outputs": {"name": "$steps.get.outputs.name"},
        },
        {
            "workflowId": "caller",
            "steps": [
                {
                    "stepId": "call",
                    "workflowId": "main",
                    "parameters": [{"name": "limit", "value": 3}],
                    "outputs": {"name": "$outputs.name"},
                }
            ],
        },
    ],
    "components": {
        "parameters": {"page": {"name": "page", "in": "query", "value": 1}},
        "failureActions": {"stop": {"name": "stop", "type": "end"}},
    },
}


def valid_document() -> dict[str, Any]:
    """Return a fresh copy of a document that validates without diagnostics."""
    return copy.deepcopy(VALID)


def write_documents(folder: Path, document: Any) -> Path:
    """Write ``document`` and the OpenAPI description it names into ``folder``."""
    (folder / "openapi.yaml").write_text(yaml.safe_dump(OPENAPI))
    path = folder / "flow.arazzo.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def validate(folder: Path, document: Any, *, strict: bool = False) -> list[Diagnostic]:
    """Write ``document`` into ``folder`` and validate it."""
    return validate_document(write_documents(folder, document), strict=strict)


def findings(diagnostics: list[Diagnostic]) -> set[tuple[str, str, str | None]]:
    """Return (severity, code, pointer) of each diagnostic."""
    return {(d.severity, d.code, d.location.pointer) for d in diagnostics}
