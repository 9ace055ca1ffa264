"""Diagnostics: the problems and warnings found in a document."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from arazzo_runner.errors import Location

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a document.

    ``code`` is a stable identifier: a rule name such as ``step-target`` or,
    for an accepted real-world form, its leniency code such as ``LEN-2``.
    """

    severity: Severity
    code: str
    message: str
    location: Location
    hint: str | None = None

    def __str__(self) -> str:
        location = self.location
        where = location.document or ""
        if where and location.line is not None:
            where += f":{location.line}"
            if location.column is not None:
                where += f":{location.column}"
        text = f"{self.severity}: {self.code}: {self.message}"
        if where:
            text = f"{where}: {text}"
        if location.pointer:
            text += f" (at {location.pointer})"
        if self.hint:
            text += f"; hint: {self.hint}"
        return text

    def to_dict(self) -> dict[str, object]:
        """Return the diagnostic as JSON-ready data."""
        return {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "file": self.location.document,
            "pointer": self.location.pointer,
            "line": self.location.line,
            "column": self.location.column,
            "hint": self.hint,
        }


def describe_type(value: Any) -> str:
    """Return the JSON type of parsed data in words ("a string", "null"), for
    messages that say what a value is instead of what it should be."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
