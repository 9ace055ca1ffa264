"""Broken ``$ref``s in the OpenAPI descriptions that a document uses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from arazzo_runner.diagnostics import Diagnostic
from arazzo_runner.validate import validate_document
from tests.validate.conftest import OPENAPI, valid_document

GET_ITEM = "/paths/~1items~1{id}/get"


def _write(folder: Path, openapi: dict[str, Any], name: str = "openapi.yaml") -> Path:
    if name.endswith(".json"):
        (folder / name).write_text(json.dumps(openapi, indent=2))
    else:
        (folder / name).write_text(yaml.safe_dump(openapi, sort_keys=False))
    document = valid_document()
    document["sourceDescriptions"][0]["url"] = name
    path = folder / "flow.arazzo.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def _openapi_with(pointer: str, value: Any) -> dict[str, Any]:
    openapi = json.loads(json.dumps(OPENAPI))
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    current = openapi
    for part in parts[:-1]:
        current = current.setdefault(part, {})
    current[parts[-1]] = value
    return openapi


def _references(found: list[Diagnostic]) -> list[str | None]:
    return [d.location.pointer for d in found if d.code == "source-reference"]


def test_every_broken_reference_is_reported(tmp_path: Path) -> None:
    openapi = _openapi_with(
        f"{GET_ITEM}/parameters",
        [
            {"$ref": "#/components/parameters/Missing"},
            {"name": "q", "in": "query", "schema": {"$ref": "#/nope"}},
        ],
    )
    openapi["paths"]["/items/{id}"]["get"]["responses"]["404"] = {
        "$ref": "#/components/responses/Missing"
    }
    found = validate_document(_write(tmp_path, openapi))
    assert _references(found) == [
        f"{GET_ITEM}/parameters/0/$ref",
        f"{GET_ITEM}/parameters/1/schema/$ref",
        f"{GET_ITEM}/responses/404/$ref",
    ]


def test_broken_reference_has_position(tmp_path: Path) -> None:
    openapi = _openapi_with(
        f"{GET_ITEM}/responses/200", {"$ref": "#/components/responses/Missing"}
    )
    path = _write(tmp_path, openapi)
    (found,) = validate_document(path)
    line = (tmp_path / "openapi.yaml").read_text().splitlines()[found.location.line - 1]
    assert found.code == "source-reference"
    assert found.location.document == str(tmp_path / "openapi.yaml")
    assert line[found.location.column - 1 :].startswith("$ref:")


def test_broken_reference_in_json_has_position(tmp_path: Path) -> None:
    openapi = _openapi_with(
        f"{GET_ITEM}/responses/200", {"$ref": "#/components/responses/Missing"}
    )
    path = _write(tmp_path, openapi, "openapi.json")
    (found,) = validate_document(path)
    line = (tmp_path / "openapi.json").read_text().splitlines()[found.location.line - 1]
    assert found.location.pointer == f"{GET_ITEM}/responses/200/$ref"
    assert line[found.location.column - 1 :].startswith('"$ref"')


def test_broken_reference_in_other_file_is_located_there(tmp_path: Path) -> None:
    (tmp_path / "responses.yaml").write_text(
        yaml.safe_dump({"Ok": {"$ref": "#/Missing"}})
    )
    openapi = _openapi_with(f"{GET_ITEM}/responses/200", {"$ref": "responses.yaml#/Ok"})
    (found,) = validate_document(_write(tmp_path, openapi))
    assert found.location.document == str(tmp_path / "responses.yaml")
    assert found.location.pointer == "/Ok/$ref"
    assert found.location.line == 2


def test_reference_loop_is_reported(tmp_path: Path) -> None:
    openapi = _openapi_with("/paths/~1loop", {"$ref": "#/paths/~1loop"})
    found = validate_document(_write(tmp_path, openapi))
    assert _references(found) == ["/paths/~1loop/$ref"]


def test_broken_path_item_hides_its_operations(tmp_path: Path) -> None:
    openapi = _openapi_with("/paths/~1items~1{id}", {"$ref": "missing.yaml#/item"})
    found = validate_document(_write(tmp_path, openapi))
    assert [d.code for d in found] == ["source-reference"]
