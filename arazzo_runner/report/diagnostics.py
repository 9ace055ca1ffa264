"""Render validation diagnostics as text, JSON or GitHub Actions annotations."""

from __future__ import annotations

import json
from collections.abc import Sequence

from arazzo_runner.diagnostics import Diagnostic

FORMATS = ("text", "json", "github")


def format_diagnostics(diagnostics: Sequence[Diagnostic], output_format: str) -> str:
    """Return the report of ``diagnostics`` in ``output_format``, ending in a newline.

    ``text`` gives one diagnostic per line and a count. ``json`` gives one
    object with a ``diagnostics`` list. ``github`` gives one workflow command
    per diagnostic, which GitHub Actions shows as an annotation on the file.
    """
    if output_format == "json":
        return format_json(diagnostics) + "\n"
    if output_format == "github":
        return "".join(f"{format_github(d)}\n" for d in diagnostics)
    return format_text(diagnostics)


def format_text(diagnostics: Sequence[Diagnostic]) -> str:
    """Return one line per diagnostic (a caret line may follow), then a count."""
    lines = [str(diagnostic) for diagnostic in diagnostics]
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = len(diagnostics) - errors
    lines.append(f"{_count(errors, 'error')}, {_count(warnings, 'warning')}")
    return "\n".join(lines) + "\n"


def format_json(diagnostics: Sequence[Diagnostic]) -> str:
    """Return a JSON object with the counts and every diagnostic."""
    errors = sum(1 for d in diagnostics if d.severity == "error")
    report = {
        "valid": errors == 0,
        "errors": errors,
        "warnings": len(diagnostics) - errors,
        "diagnostics": [d.to_dict() for d in diagnostics],
    }
    return json.dumps(report, ensure_ascii=False)


def format_github(diagnostic: Diagnostic) -> str:
    """Return a GitHub Actions ``::error`` or ``::warning`` workflow command.

    Property values and the message are escaped as the Actions toolkit does
    (``%``, CR and LF everywhere; ``:`` and ``,`` in properties too).
    """
    location = diagnostic.location
    properties = []
    if location.document:
        properties.append(f"file={_escape_property(location.document)}")
    if location.line is not None:
        properties.append(f"line={location.line}")
        if location.column is not None:
            properties.append(f"col={location.column}")
    properties.append(f"title={_escape_property(diagnostic.code)}")
    message = diagnostic.message
    if location.pointer:
        message += f" (at {location.pointer})"
    if diagnostic.hint:
        message += f"\nhint: {diagnostic.hint}"
    return f"::{diagnostic.severity} {','.join(properties)}::{_escape_data(message)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
