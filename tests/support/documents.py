"""Write one-operation OpenAPI descriptions and Arazzo documents for tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from arazzo_runner import FakeClock, Limits, Runner, RunResult


def openapi(
    paths: dict[str, Any], *, version: str = "3.1.0", **extra: Any
) -> dict[str, Any]:
    """Return an OpenAPI description with ``paths``."""
    return {
        "openapi": version,
        "info": {"title": "Test API", "version": "1"},
        "paths": paths,
        **extra,
    }


def arazzo(
    steps: list[dict[str, Any]],
    *,
    sources: list[dict[str, Any]] | None = None,
    outputs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Return an Arazzo document with one workflow ``flow`` of ``steps``."""
    workflow: dict[str, Any] = {"workflowId": "flow", "steps": steps}
    if outputs:
        workflow["outputs"] = outputs
    return {
        "arazzo": "1.0.1",
        "info": {"title": "test", "version": "1"},
        "sourceDescriptions": sources
        or [{"name": "api", "url": "openapi.yaml", "type": "openapi"}],
        "workflows": [workflow],
    }


def write(folder: Path, name: str, data: Any) -> Path:
    """Write ``data`` as YAML into ``folder/name`` and return the path."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def load_runner(
    folder: Path,
    description: dict[str, Any],
    document: dict[str, Any],
    **options: Any,
) -> Runner:
    """Write both documents into ``folder`` and load them."""
    write(folder, "openapi.yaml", description)
    path = write(folder, "flow.arazzo.yaml", document)
    options.setdefault("limits", Limits())
    options.setdefault("clock", FakeClock())
    return Runner.from_path(path, **options)


def run_flow(
    folder: Path,
    server_url: str,
    description: dict[str, Any],
    document: dict[str, Any],
    inputs: dict[str, Any] | None = None,
    **options: Any,
) -> RunResult:
    """Load both documents with source ``api`` at ``server_url`` and run."""
    options.setdefault("servers", {"api": server_url})
    return load_runner(folder, description, document, **options).run(None, inputs)
