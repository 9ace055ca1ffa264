"""The JSON Schema pass of validation.

The document is checked against the Arazzo 1.0.x schema shipped in
``schemas/``, and each input schema against the JSON Schema 2020-12
meta-schema. jsonschema's messages are rewritten in this project's words,
and each finding is located by JSON Pointer, line and column.

Importing jsonschema costs about 30 to 50 ms (measured with ``python -X
importtime`` on the machine that docs/benchmarks.md describes), a noticeable
part of a small run. So the findings for a document are stored in the
parse cache folder (see `arazzo_runner.document.cache`) under a SHA-256 of
its data, the schema and this module, and later checks of the same data
read them without jsonschema.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from arazzo_runner.diagnostics import Diagnostic, Severity, describe_type
from arazzo_runner.document.cache import cache_dir
from arazzo_runner.document.loader import LoadedDocument
from arazzo_runner.document.reader import ParsedDocument, escape_pointer_segment

SCHEMA_FILE = "arazzo-1.0.schema.json"


def schema_findings(loaded: LoadedDocument) -> list[Diagnostic]:
    """Check a loaded Arazzo document and its input schemas with JSON Schema."""
    parsed = loaded.parsed
    # The data stores a key such as 1: as the string "1", so these findings
    # are not part of the data's cache entry.
    keys = key_findings(parsed)
    entry = _cache_entry(parsed.data)
    stored = _read_findings(entry)
    if stored is not None:
        return keys + [
            Diagnostic(severity, code, message, parsed.location(pointer), hint)
            for severity, code, message, pointer, hint in stored
        ]
    found = check_schema(parsed) + check_input_schemas(loaded)
    if entry is not None:
        rows = [
            [d.severity, d.code, d.message, d.location.pointer, d.hint] for d in found
        ]
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            entry.write_text(json.dumps(rows), encoding="utf-8")
        except OSError:
            pass  # The entry only saves time; validation stays correct.
    return keys + found


def _cache_entry(data: Any) -> Path | None:
    """Return the cache file for the findings of ``data``, or ``None``.

    The findings depend only on the data, the schema and this module, never
    on where the text sits, so positions are looked up again when an entry
    is read.
    """
    folder = cache_dir()
    if folder is None:
        return None
    digest = hashlib.sha256(_schema_text().encode())
    # This module's own text is part of the key, so that a change in how
    # findings are worded never serves stale entries.
    digest.update(_module_text())
    digest.update(json.dumps(data, sort_keys=True, ensure_ascii=False).encode())
    return folder / f"schema-findings-{digest.hexdigest()}.json"


def _read_findings(entry: Path | None) -> list[Any] | None:
    if entry is None:
        return None
    try:
        rows = json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    valid = isinstance(rows, list) and all(
        isinstance(row, list)
        and len(row) == 5
        and row[0] in ("error", "warning")
        and isinstance(row[3], str)
        for row in rows
    )
    return rows if valid else None


@cache
def _module_text() -> bytes:
    return Path(__file__).read_bytes()


@cache
def _schema_text() -> str:
    resource = resources.files("arazzo_runner") / "schemas" / SCHEMA_FILE
    return resource.read_text(encoding="utf-8")


@cache
def arazzo_schema() -> dict[str, Any]:
    """Return the JSON Schema for Arazzo 1.0.x documents shipped with the package."""
    schema: dict[str, Any] = json.loads(_schema_text())
    return schema


@cache
def _schema_validator() -> Any:
    # Imported here, and the validator is built once per process.
    from jsonschema import Draft202012Validator

    return Draft202012Validator(arazzo_schema())


@cache
def _meta_validator() -> Any:
    # The 2020-12 meta-schema ships with jsonschema: no network access.
    from jsonschema import Draft202012Validator

    return Draft202012Validator(Draft202012Validator.META_SCHEMA)


def check_input_schemas(loaded: LoadedDocument) -> list[Diagnostic]:
    """Check every workflow and component input schema against the 2020-12
    meta-schema."""
    document = loaded.document
    schemas: list[tuple[str, Any]] = [
        (f"{w.pointer}/inputs", w.inputs)
        for w in document.workflows
        if w.inputs is not None
    ]
    schemas.extend(
        (f"/components/inputs/{escape_pointer_segment(name)}", schema)
        for name, schema in document.components.inputs.items()
    )
    found = []
    for pointer, schema in schemas:
        for error in _meta_validator().iter_errors(schema):
            location = loaded.parsed.location(pointer + _pointer(error.path))
            found.append(
                Diagnostic(
                    "error",
                    "inputs-schema",
                    f"the inputs schema is not a valid JSON Schema: {error.message}",
                    location,
                    "input schemas are JSON Schema 2020-12: fix the keyword here",
                )
            )
    return found


def key_findings(parsed: ParsedDocument) -> list[Diagnostic]:
    """Report each YAML key of an Arazzo document that is not a string.

    JSON, which Arazzo documents must map to, has only string keys.
    """
    found = []
    for pointer, kind in parsed.non_string_keys:
        key = pointer.rsplit("/", 1)[1].replace("~1", "/").replace("~0", "~")
        found.append(
            Diagnostic(
                "error",
                "structure",
                f"key {key} must be a string, not {kind}",
                parsed.location(pointer),
                f"quote the key, as in '{key}':",
            )
        )
    return found


def check_schema(parsed: ParsedDocument) -> list[Diagnostic]:
    """Check a parsed document against the Arazzo 1.0.x JSON Schema."""
    errors = list(_schema_validator().iter_errors(parsed.data))
    # A value of the wrong type also fails the conditional rules written for
    # the right type (an action that is a number "needs exactly one of stepId
    # and workflowId"), so only the type is reported for it.
    mistyped = {tuple(error.path) for error in errors if error.validator == "type"}
    found: list[Diagnostic] = []
    for error in errors:
        if error.validator != "type" and tuple(error.path) in mistyped:
            continue
        found.extend(_translate(error, parsed))
    return found


def _translate(error: Any, parsed: ParsedDocument) -> Iterator[Diagnostic]:
    """Turn one jsonschema error into diagnostics in this project's words."""
    pointer = _pointer(error.path)
    keyword = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    hint = schema.get("errorHint")

    def diagnostic(
        message: str,
        at: str = pointer,
        code: str = "structure",
        hint: str | None = hint,
    ) -> Diagnostic:
        severity: Severity = "warning" if code == "unknown-field" else "error"
        return Diagnostic(severity, code, message, parsed.location(at), hint)

    if keyword == "additionalProperties":
        for key in _extra_keys(error.instance, schema):
            yield diagnostic(
                f"unknown field {key!r} is ignored",
                f"{pointer}/{escape_pointer_segment(key)}",
                "unknown-field",
                "remove it, or prefix it with 'x-' to mark an extension",
            )
        return
    if "propertyNames" in error.relative_schema_path:
        key = str(error.instance)
        yield diagnostic(
            f"component name {key!r} may use only letters, digits, '.', '-' and '_'",
            f"{pointer}/{escape_pointer_segment(key)}",
            hint="rename the component and the references to it",
        )
        return
    if keyword == "required":
        if "errorMessage" in schema:
            yield diagnostic(schema["errorMessage"])
            return
        for field in error.validator_value:
            if isinstance(error.instance, dict) and field not in error.instance:
                yield diagnostic(
                    f"missing required field {field!r}",
                    hint=hint or f"add the field {field!r}",
                )
        return
    if keyword == "type":
        expected = error.validator_value
        names = expected if isinstance(expected, list) else [expected]
        expected_types = " or ".join(_article(name) for name in names)
        subject = _describe(error.path)
        yield diagnostic(
            f"{subject} must be {expected_types}, not {describe_type(error.instance)}",
            hint=hint or f"write {subject} as {expected_types}",
        )
        return
    if "errorMessage" in schema:
        yield diagnostic(schema["errorMessage"])
        return
    yield diagnostic(_generic_message(error), hint=hint or _generic_hint(error))


def _generic_message(error: Any) -> str:
    subject = _describe(error.path)
    keyword = error.validator
    value = error.validator_value
    if keyword == "enum":
        choices = ", ".join(repr(item) for item in value)
        return f"{subject} must be one of {choices}, not {error.instance!r}"
    if keyword == "const":
        return f"{subject} must be {value!r}, not {error.instance!r}"
    if keyword == "minItems":
        return f"{subject} must not be empty"
    if keyword == "uniqueItems":
        return f"{subject} lists the same entry more than once"
    if keyword == "minimum":
        return f"{subject} must be at least {value}"
    if keyword == "pattern":
        return f"{subject} {error.instance!r} does not match the pattern {value}"
    if keyword == "dependentRequired":
        missing = [
            f"{field!r} needs {needed!r}"
            for field, needs in value.items()
            if isinstance(error.instance, dict) and field in error.instance
            for needed in needs
            if needed not in error.instance
        ]
        return f"{subject} is incomplete: " + ", ".join(missing)
    return f"{subject} is invalid: {error.message}"


def _generic_hint(error: Any) -> str:
    keyword = error.validator
    value = error.validator_value
    if keyword == "enum":
        return "use one of " + ", ".join(repr(item) for item in value)
    if keyword == "const":
        return f"write {value!r}"
    if keyword == "minItems":
        return "add an entry, or remove the field"
    if keyword == "uniqueItems":
        return "remove the repeated entry"
    if keyword == "minimum":
        return f"use a value of at least {value}"
    if keyword == "pattern":
        return "change the value so that it matches the pattern"
    if keyword == "dependentRequired":
        return "add the missing field, or remove the field that needs it"
    return "change the value to the form that Arazzo 1.0.1 defines for this field"


def _extra_keys(instance: Any, schema: dict[str, Any]) -> list[str]:
    if not isinstance(instance, dict):
        return []
    declared = schema.get("properties", {})
    patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
    return [
        key
        for key in instance
        if key not in declared and not any(p.search(key) for p in patterns)
    ]


def _describe(path: Iterable[str | int]) -> str:
    """Name the value at ``path`` the way a message refers to it."""
    parts = list(path)
    if not parts:
        return "the document root"
    last = parts[-1]
    if isinstance(last, int):
        owner = next((p for p in reversed(parts) if isinstance(p, str)), None)
        return f"entry {last} of {owner!r}" if owner else f"entry {last}"
    return repr(last)


def _article(type_name: str) -> str:
    return {
        "object": "an object",
        "array": "a list",
        "string": "a string",
        "number": "a number",
        "integer": "an integer",
        "boolean": "a boolean",
        "null": "null",
    }.get(type_name, type_name)


def _pointer(path: Iterable[str | int]) -> str:
    return "".join(f"/{escape_pointer_segment(part)}" for part in path)
