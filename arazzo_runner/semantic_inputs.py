"""Check the ``$ref`` references of a document's input schemas.

Workflow ``inputs`` may point into ``components/inputs`` with
``$ref: '#/components/inputs/NAME'``; the engine resolves such references
against the document, so they are checked here against the same data.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from arazzo_runner.diagnostics import Diagnostic
from arazzo_runner.document.loader import LoadedDocument
from arazzo_runner.document.reader import escape_pointer_segment
from arazzo_runner.document.sources import resolve_pointer


def check_input_references(loaded: LoadedDocument) -> list[Diagnostic]:
    """Return the ``$ref`` problems of every workflow and component input schema."""
    document = loaded.document
    root = {"components": {"inputs": document.components.inputs}}
    schemas: list[tuple[str, Any]] = [
        (f"{w.pointer}/inputs", w.inputs)
        for w in document.workflows
        if w.inputs is not None
    ]
    schemas.extend(
        (f"/components/inputs/{escape_pointer_segment(name)}", schema)
        for name, schema in document.components.inputs.items()
    )
    found: list[Diagnostic] = []
    for pointer, schema in schemas:
        for at, message, hint in _reference_problems(schema, root):
            location = loaded.parsed.location(pointer + at)
            found.append(
                Diagnostic("error", "inputs-reference", message, location, hint)
            )
    return found


def _reference_problems(
    schema: Any, root: dict[str, Any]
) -> Iterator[tuple[str, str, str | None]]:
    for at, reference in _references(schema, ""):
        if not reference.startswith("#"):
            yield (
                f"{at}/$ref",
                f"$ref {reference!r} points outside the document, which the "
                "runner does not load for input schemas",
                "copy the schema under components/inputs and use "
                "'#/components/inputs/NAME'",
            )
            continue
        fragment = reference[1:]
        # Other local references resolve inside the schema itself.
        target = root if fragment.startswith("/components/") else schema
        try:
            resolve_pointer(target, fragment)
        except KeyError:
            yield (
                f"{at}/$ref",
                f"$ref {reference!r} reaches no schema",
                "define the schema under components/inputs, or fix the pointer",
            )


def _references(schema: Any, pointer: str) -> Iterator[tuple[str, str]]:
    """Yield every ``$ref`` string in ``schema`` with the pointer of its object.

    Values under ``const``, ``enum``, ``default`` and ``examples`` are data,
    not schemas, and are skipped.
    """
    if isinstance(schema, dict):
        reference = schema.get("$ref")
        if isinstance(reference, str):
            yield pointer, reference
        for key, value in schema.items():
            if key in ("const", "enum", "default", "examples"):
                continue
            yield from _references(value, f"{pointer}/{escape_pointer_segment(key)}")
    elif isinstance(schema, list):
        for index, item in enumerate(schema):
            yield from _references(item, f"{pointer}/{index}")
