"""Validate every Arazzo document of the shared corpus and specification examples.

Each document must validate without an exception, and its findings must equal
the reviewed record in ``expected-findings.json``: one line per diagnostic,
``LINE:COLUMN severity code pointer``. After a deliberate change, rewrite the
record with ``ARAZZO_UPDATE_FINDINGS=1 pytest tests/validate/test_corpus.py``
and review the diff.

No request leaves the machine: remote source descriptions are served from
the corpus copies that its manifest maps them to, and any other remote URL
fails as unavailable.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

import arazzo_runner.document.sources as sources
from arazzo_runner.diagnostics import Diagnostic
from arazzo_runner.document.reader import read_path
from arazzo_runner.errors import DocumentError, Location
from arazzo_runner.validate import validate_document
from tests.conftest import SHARED

CORPUS = SHARED / "corpus"
SPEC = SHARED / "spec-examples"
EXPECTED = Path(__file__).with_name("expected-findings.json")
UPDATE_VARIABLE = "ARAZZO_UPDATE_FINDINGS"


def _manifest() -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((CORPUS / "manifest.json").read_text())
    return manifest


def _is_arazzo(path: Path) -> bool:
    if path.parent.parent.name == "schema":  # pass and fail fixtures
        return True
    try:
        data = read_path(path).data
    except DocumentError:
        return True
    return isinstance(data, dict) and "arazzo" in data


def _documents() -> list[Path]:
    corpus = [CORPUS / entry["corpus_path"] for entry in _manifest()["documents"]]
    examples = [
        path
        for path in sorted(SPEC.rglob("*"))
        if path.suffix in (".yaml", ".yml", ".json")
        and "schemas" not in path.parts
        and _is_arazzo(path)
    ]
    return corpus + examples


def _offline_fetch(url: str, referrer: Location | None) -> str:
    mapped = _manifest()["url_map"].get(url)
    if isinstance(mapped, str):
        return (CORPUS / mapped).read_text(encoding="utf-8")
    raise DocumentError(
        f"cannot fetch {url!r}: network access is off in this test",
        location=referrer or Location(url),
    )


def _line(diagnostic: Diagnostic, path: Path) -> str:
    """Return ``LINE:COLUMN [FILE] severity code pointer`` for the record.

    FILE is given only for findings in another document, an Arazzo source.
    """
    location = diagnostic.location
    position = f"{location.line or 0}:{location.column or 0}"
    where = location.pointer if location.pointer is not None else "-"
    other = location.document not in (None, str(path))
    document = f"{Path(location.document or '').name} " if other else ""
    return f"{position} {document}{diagnostic.severity} {diagnostic.code} {where}"


def _sweep() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in _documents():
        diagnostics = validate_document(path)
        for diagnostic in diagnostics:
            assert "Traceback" not in diagnostic.message, str(diagnostic)
            assert diagnostic.hint, str(diagnostic)
        found[str(path.relative_to(SHARED))] = [_line(d, path) for d in diagnostics]
    return found


def test_corpus_findings_match_record(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "_fetch", _offline_fetch)
    found = _sweep()
    if os.environ.get(UPDATE_VARIABLE):
        EXPECTED.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n")
    expected = json.loads(EXPECTED.read_text())
    changed = []
    for name in sorted(set(found) | set(expected)):
        now, before = found.get(name, []), expected.get(name, [])
        if now != before:
            added = [line for line in now if line not in before]
            removed = [line for line in before if line not in now]
            changed.append(f"{name}\n  added: {added}\n  removed: {removed}")
    assert changed == [], f"set {UPDATE_VARIABLE}=1 to record:\n" + "\n".join(
        changed[:20]
    )


def test_sweep_covers_every_corpus_document() -> None:
    documents = _documents()
    assert len(documents) >= len(_manifest()["documents"]) + 5
    assert all(path.exists() for path in documents)
