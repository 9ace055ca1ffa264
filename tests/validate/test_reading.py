"""Reading documents for validation: JSON-compatible YAML scalars, hostile
input, and positions in JSON documents."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml

from arazzo_runner.document.json_positions import json_positions
from arazzo_runner.validate import validate_document
from tests.validate.conftest import OPENAPI, findings, valid_document, write_documents


def test_yaml_words_stay_strings(tmp_path: Path) -> None:
    document = valid_document()
    path = write_documents(tmp_path, document)
    text = path.read_text().replace("title: rules", "title: on")
    text = text.replace("version: 1.0.0", "version: 2024-01-01")
    text += "x-flags: {yes: no, off: on}\n"
    path.write_text(text)
    assert validate_document(path) == []


def test_unquoted_decimal_version_is_number(tmp_path: Path) -> None:
    path = write_documents(tmp_path, valid_document())
    path.write_text(path.read_text().replace("version: 1.0.0", "version: 1.0"))
    assert findings(validate_document(path)) == {
        ("error", "structure", "/info/version")
    }


def test_duplicate_key_is_error(tmp_path: Path) -> None:
    path = write_documents(tmp_path, valid_document())
    path.write_text(path.read_text() + "arazzo: 1.0.0\n")
    (found,) = validate_document(path)
    assert found.severity == "error"
    assert found.message == "duplicate key 'arazzo'"
    assert found.location.line is not None


def test_duplicate_yaml_key_has_pointer(tmp_path: Path) -> None:
    path = write_documents(tmp_path, valid_document())
    path.write_text(path.read_text() + "arazzo: 1.0.0\n")
    (found,) = validate_document(path)
    assert found.location.pointer == "/arazzo"


def test_duplicate_json_key_is_error(tmp_path: Path) -> None:
    (tmp_path / "openapi.yaml").write_text(yaml.safe_dump(OPENAPI))
    text = json.dumps(valid_document(), indent=1)
    text = text.replace('"title": "rules"', '"title": "rules", "title": "again"')
    path = tmp_path / "flow.arazzo.json"
    path.write_text(text)
    (found,) = validate_document(path)
    line = text.splitlines()[found.location.line - 1]
    assert found.code == "unreadable"
    assert found.message == "duplicate key 'title'"
    assert found.location.pointer == "/info/title"
    assert line[found.location.column - 1 :].startswith('"title": "again"')


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_byte_order_mark_is_accepted(tmp_path: Path, suffix: str) -> None:
    (tmp_path / "openapi.yaml").write_text(yaml.safe_dump(OPENAPI))
    document = valid_document()
    document["workflows"][0]["steps"][0]["operationId"] = "nope"
    path = tmp_path / f"flow.arazzo{suffix}"
    text = (
        json.dumps(document, indent=2)
        if suffix == ".json"
        else yaml.safe_dump(document)
    )
    path.write_text("\ufeff" + text, encoding="utf-8")
    (found,) = validate_document(path)
    line = text.splitlines()[found.location.line - 1]
    assert found.code == "operation-target"
    assert "nope" in line[found.location.column - 1 :]


def test_non_string_key_is_error(tmp_path: Path) -> None:
    path = write_documents(tmp_path, valid_document())
    path.write_text(path.read_text().replace("info:\n", "info:\n  1: one\n", 1))
    found = validate_document(path)
    errors = [d for d in found if d.severity == "error"]
    assert [(d.code, d.location.pointer) for d in errors] == [("structure", "/info/1")]
    assert errors[0].message == "key 1 must be a string, not a number"


def test_non_string_key_in_openapi_is_accepted(tmp_path: Path) -> None:
    path = write_documents(tmp_path, valid_document())
    openapi = tmp_path / "openapi.yaml"
    openapi.write_text(openapi.read_text().replace("'200':", "200:"))
    assert "\n        200:" in openapi.read_text()
    assert validate_document(path) == []


def test_alias_bomb_fails_fast(tmp_path: Path) -> None:
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for index in range(1, 9):
        previous, name = chr(ord("a") + index - 1), chr(ord("a") + index)
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 10)}]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    start = time.perf_counter()
    (found,) = validate_document(path)
    assert time.perf_counter() - start < 10
    assert found.code == "unreadable"
    assert "values" in found.message


def test_oversized_file_is_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("arazzo_runner.document.reader.MAX_DOCUMENT_BYTES", 100)
    path = write_documents(tmp_path, valid_document())
    (found,) = validate_document(path)
    assert found.code == "unreadable"
    assert found.message.startswith("file is too large")


def test_root_list_is_error(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- arazzo: 1.0.1\n")
    found = validate_document(path)
    assert [(d.severity, d.location.pointer) for d in found] == [("error", "")]
    assert found[0].message == "the document root must be an object, not a list"


def test_json_document_findings_have_positions(tmp_path: Path) -> None:
    (tmp_path / "openapi.yaml").write_text(yaml.safe_dump(OPENAPI))
    document = valid_document()
    document["workflows"][0]["steps"][0]["operationId"] = "nope"
    path = tmp_path / "flow.arazzo.json"
    path.write_text(json.dumps(document, indent=2))
    (found,) = validate_document(path)
    line = path.read_text().splitlines()[found.location.line - 1]
    assert line[found.location.column - 1 :].startswith('"operationId": "nope"')


def test_json_positions_of_members_and_items() -> None:
    text = '{\n "a": [1, {"b\\"c": null}],\n  "d/e": "s"}'
    assert json_positions(text) == {
        "": (1, 1),
        "/a": (2, 2),
        "/a/0": (2, 8),
        "/a/1": (2, 11),
        '/a/1/b"c': (2, 12),
        "/d~1e": (3, 3),
    }
