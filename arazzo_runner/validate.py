"""Validate an Arazzo document: its structure, then its meaning.

Validation runs in three passes and merges what they find:

1. `arazzo_runner.validate_schema` checks the shape of the entry document
   and of every Arazzo source it loads against the JSON Schema for Arazzo
   1.0.x shipped in ``schemas/``, and each input schema against the JSON
   Schema 2020-12 meta-schema;
2. the loader and the planner resolve every reference and parse every
   expression (`arazzo_runner.planner`);
3. `arazzo_runner.semantic_checks` checks what needs the whole plan: output
   references, step order, input ``$ref`` targets and the SHOULD rules.

Every finding is a `Diagnostic` located by JSON Pointer, line and column.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path

from arazzo_runner.diagnostics import Diagnostic
from arazzo_runner.document.json_positions import json_positions
from arazzo_runner.document.loader import LoadedDocument, LoadResult, load
from arazzo_runner.document.reader import ParsedDocument
from arazzo_runner.document.sources import is_remote
from arazzo_runner.errors import DocumentError, Location
from arazzo_runner.plan import Plan
from arazzo_runner.planner import prepare
from arazzo_runner.semantic_checks import check_plan
from arazzo_runner.validate_schema import schema_findings

# Codes of the builder's shape findings, which the JSON Schema pass reports
# itself, in its own words.
_SCHEMA_CODES = frozenset({"structure", "unknown-field"})


def validate_document(
    path: str | os.PathLike[str],
    *,
    strict: bool = False,
    sources: Mapping[str, str] | None = None,
) -> list[Diagnostic]:
    """Validate the Arazzo document at ``path`` and return every problem found.

    A document that cannot be read or parsed gives one error diagnostic; this
    function does not raise for problems in the document.

    Args:
        path: the Arazzo document (YAML or JSON), a file path or an URL.
        strict: report every warning as an error.
        sources: another path or URL to load a source description from, per
            source name.
    """
    name = os.fspath(path)
    if not is_remote(name) and not os.path.isfile(name):
        if os.path.isdir(name):
            problem = "is a directory, not a file"
            hint = "name a YAML or JSON file inside it"
        else:
            problem, hint = "file not found", "check the path"
        location = Location(name)
        return [Diagnostic("error", "unreadable", problem, location, hint)]
    try:
        _, diagnostics = prepare_validated(path, sources=sources)
    except DocumentError as exc:
        diagnostics = [
            Diagnostic(
                "error",
                "unreadable",
                exc.message,
                _with_document(exc.location, os.fspath(path)),
                exc.hint or "fix the file so that it is one YAML or JSON document",
            )
        ]
    return make_strict(diagnostics) if strict else diagnostics


def prepare_validated(
    path: str | os.PathLike[str], *, sources: Mapping[str, str] | None = None
) -> tuple[Plan, list[Diagnostic]]:
    """Load, plan and validate the document at ``path``.

    The returned plan's ``diagnostics`` are replaced by the merged list that
    is also returned, sorted by document and position.

    Raises:
        DocumentError: the entry document cannot be read or parsed.
    """
    loaded = load(os.fspath(path), source_overrides=sources)
    not_arazzo = _other_description(loaded.entry.parsed)
    if not_arazzo is not None:
        # Every other finding would follow from this one: the fields of an
        # Arazzo document are missing and the OpenAPI ones are unknown.
        plan = Plan(loaded.entry.parsed.uri, [], diagnostics=[not_arazzo])
        return plan, plan.diagnostics
    plan = prepare(loaded)
    plan.diagnostics = merge_diagnostics(loaded, plan)
    return plan, plan.diagnostics


def _other_description(parsed: ParsedDocument) -> Diagnostic | None:
    """Return an error when ``parsed`` is an OpenAPI or Swagger description."""
    data = parsed.data
    if not isinstance(data, dict) or "arazzo" in data:
        return None
    for field, name in (("openapi", "an OpenAPI"), ("swagger", "a Swagger")):
        if field in data:
            return Diagnostic(
                "error",
                "not-arazzo",
                f"the document is {name} {data[field]} description, not an "
                "Arazzo document",
                parsed.location(f"/{field}"),
                "validate the Arazzo document that names it under "
                "sourceDescriptions, or use an OpenAPI validator for it",
            )
    return None


def make_strict(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Return the diagnostics with every warning turned into an error."""
    return [
        replace(d, severity="error") if d.severity == "warning" else d
        for d in diagnostics
    ]


def merge_diagnostics(loaded: LoadResult, plan: Plan) -> list[Diagnostic]:
    """Merge the schema, planner and semantic findings into one sorted list.

    The schema's findings replace the builder's shape findings for every
    document the schema checked. A schema finding is dropped where the
    planner or a semantic check reports an error at the same spot, because
    those name the problem more precisely, and where a leniency warning
    accepts the form. Exact duplicates collapse into one.
    """
    documents = list(_arazzo_documents(loaded.entry))
    checked = {document.parsed.uri for document in documents}
    schema_found = [d for document in documents for d in schema_findings(document)]
    replaced = {
        id(d)
        for d in loaded.diagnostics
        if d.code in _SCHEMA_CODES and d.location.document in checked
    }
    semantic = [
        d
        for d in [*plan.diagnostics, *check_plan(loaded, plan)]
        if id(d) not in replaced
    ]
    judged = {
        (d.location.document, d.location.pointer)
        for d in semantic
        if d.severity == "error" or d.code.startswith("LEN-")
    }
    lenient = [
        (d.location.document, (d.location.pointer or "").rsplit("/", 1)[0])
        for d in semantic
        if d.code == "LEN-3"
    ]
    schema_kept = [
        d
        for d in schema_found
        if not _already_judged(d, judged) and not _inside(d, lenient)
    ]
    merged = _locate_in_json([*schema_kept, *semantic], loaded)
    unique: dict[tuple[object, ...], Diagnostic] = {}
    for diagnostic in merged:
        location = diagnostic.location
        key = (
            diagnostic.severity,
            diagnostic.code,
            location.document,
            location.pointer,
            diagnostic.message,
        )
        unique.setdefault(key, diagnostic)
    return sorted(unique.values(), key=_position)


def _locate_in_json(
    diagnostics: list[Diagnostic], loaded: LoadResult
) -> list[Diagnostic]:
    """Add line and column to the diagnostics of JSON documents.

    The reader records positions for YAML only. For a JSON document with
    findings, such as an Arazzo document or an OpenAPI file with a broken
    ``$ref``, the positions are recovered from its text here.
    """
    by_uri: dict[str, ParsedDocument] = {}
    for diagnostic in diagnostics:
        uri = diagnostic.location.document
        if diagnostic.location.line is None and uri is not None:
            parsed = loaded.resolver.cache.cached(uri)
            if parsed is not None:
                by_uri[uri] = parsed
    unplaced = set(by_uri)
    for uri in unplaced:
        parsed = by_uri[uri]
        if parsed.positions or is_remote(parsed.uri):
            continue
        try:
            # "utf-8-sig" drops a byte order mark, as the reader does.
            text = Path(parsed.uri).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue
        parsed.positions.update(json_positions(text))
    return [
        replace(d, location=by_uri[d.location.document].location(d.location.pointer))
        if d.location.document in unplaced and d.location.pointer is not None
        else d
        for d in diagnostics
    ]


def _already_judged(
    diagnostic: Diagnostic, judged: set[tuple[str | None, str | None]]
) -> bool:
    return (diagnostic.location.document, diagnostic.location.pointer or "") in judged


def _inside(diagnostic: Diagnostic, objects: list[tuple[str | None, str]]) -> bool:
    """Return whether the diagnostic sits in one of ``objects`` (or is one)."""
    document = diagnostic.location.document
    pointer = diagnostic.location.pointer or ""
    return any(
        document == owner and (pointer == base or pointer.startswith(base + "/"))
        for owner, base in objects
    )


def _position(diagnostic: Diagnostic) -> tuple[str, int, int, str, str, str]:
    location = diagnostic.location
    return (
        location.document or "",
        location.line or 0,
        location.column or 0,
        location.pointer or "",
        diagnostic.code,
        diagnostic.message,
    )


def _arazzo_documents(entry: LoadedDocument) -> Iterator[LoadedDocument]:
    seen: set[str] = set()
    pending = [entry]
    while pending:
        current = pending.pop()
        if current.parsed.uri in seen:
            continue
        seen.add(current.parsed.uri)
        yield current
        pending.extend(current.arazzo.values())


def _with_document(location: Location, document: str) -> Location:
    if location.document:
        return location
    return replace(location, document=document)
