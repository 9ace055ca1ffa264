"""The stored schema findings that let a later run skip jsonschema."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import arazzo_runner.validate_schema as validate_schema
from arazzo_runner.validate import validate_document
from tests.validate.conftest import valid_document, write_documents


def _cache_folder() -> Path:
    return Path(os.environ["ARAZZO_RUNNER_CACHE_DIR"])


def _unexpected_check(*args: object) -> None:
    raise AssertionError("the schema was checked again")


def test_second_validation_reads_stored_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = valid_document()
    document["workflows"][0]["steps"][0]["summary"] = "unknown field"
    path = write_documents(tmp_path, document)
    first = validate_document(path)
    assert list(_cache_folder().glob("schema-findings-*.json"))
    monkeypatch.setattr(validate_schema, "check_schema", _unexpected_check)
    second = validate_document(path)
    assert second == first
    assert [d.code for d in second] == ["unknown-field"]
    assert second[0].location.line is not None


def test_changed_document_is_checked_again(tmp_path: Path) -> None:
    document = valid_document()
    path = write_documents(tmp_path, document)
    assert validate_document(path) == []
    document["info"]["version"] = 2
    write_documents(tmp_path, document)
    assert [d.code for d in validate_document(path)] == ["structure"]


def test_unreadable_entry_is_ignored(tmp_path: Path) -> None:
    path = write_documents(tmp_path, valid_document())
    assert validate_document(path) == []
    for entry in _cache_folder().glob("schema-findings-*.json"):
        entry.write_text("[[1, 2]]")
    assert validate_document(path) == []
