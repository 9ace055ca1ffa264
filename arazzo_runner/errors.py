"""The exception hierarchy of arazzo-runner.

Every error the package raises on purpose derives from :class:`ArazzoError` and
carries a :class:`Location` saying where the problem sits::

    ArazzoError
    ├── DocumentError            a document cannot be read or is invalid
    │   └── ValidationError      one or more diagnostics of severity error
    ├── ExpressionSyntaxError    an expression, condition or query does not parse
    ├── InputError               workflow inputs or command-line values are invalid
    ├── RequestBuildError        a request cannot be built from a step
    └── TransportError           the HTTP exchange failed (refused, reset, timeout)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from arazzo_runner.result import RunResult


@dataclass(frozen=True, slots=True)
class Location:
    """Where something sits: a document, a JSON Pointer into it, and a position.

    ``line`` and ``column`` are 1-based and ``None`` when unknown.
    """

    document: str | None = None
    pointer: str | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.document:
            where = self.document
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            parts.append(where)
        if self.pointer is not None:
            parts.append(f"at {self.pointer or '/'}")
        return " ".join(parts)

    def child(self, *segments: str | int) -> Location:
        """Return the location of a member below this one (no line or column)."""
        pointer = self.pointer or ""
        for segment in segments:
            text = str(segment).replace("~", "~0").replace("/", "~1")
            pointer += "/" + text
        return replace(self, pointer=pointer, line=None, column=None)


class ArazzoError(Exception):
    """Root of every error arazzo-runner raises on purpose.

    ``message`` is a lower-case sentence without a final period; ``hint`` says
    how to fix the problem when that is known.
    """

    def __init__(
        self,
        message: str,
        *,
        location: Location | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = location or Location()
        self.hint = hint

    def __str__(self) -> str:
        text = self.message
        where = str(self.location)
        if where:
            text = f"{where}: {text}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


class DocumentError(ArazzoError):
    """A document cannot be read, parsed or resolved."""


class ValidationError(DocumentError):
    """A document breaks one or more rules; ``diagnostics`` lists every one."""

    def __init__(self, diagnostics: list[object], *, location: Location | None = None):
        # Diagnostics carry a ``severity``; warnings ride along for context
        # but do not count as the reasons the document is invalid.
        errors = [d for d in diagnostics if getattr(d, "severity", "error") == "error"]
        count = len(errors)
        noun = "error" if count == 1 else "errors"
        message = f"document is invalid: {count} {noun}"
        warnings = len(diagnostics) - count
        if warnings:
            message += f" and {warnings} warning" + ("" if warnings == 1 else "s")
        super().__init__(message, location=location)
        self.diagnostics = diagnostics

    def __str__(self) -> str:
        lines = [super().__str__()]
        lines.extend(f"  {diagnostic}" for diagnostic in self.diagnostics)
        return "\n".join(lines)


class ExpressionSyntaxError(ArazzoError):
    """An expression, condition, pattern or query that does not parse.

    ``text`` is the whole source text and ``index`` the 0-based offset of the
    offending character in it; ``str()`` draws a caret under that character.
    """

    def __init__(
        self,
        message: str,
        *,
        text: str,
        index: int,
        location: Location | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, location=location, hint=hint)
        self.text = text
        self.index = max(0, min(index, len(text)))

    def caret(self) -> str:
        """Return the source line and a caret line under the offending character."""
        return f"  {self.text}\n  {' ' * self.index}^"

    def __str__(self) -> str:
        return f"{super().__str__()}\n{self.caret()}"


class InputError(ArazzoError):
    """Workflow inputs or command-line values are invalid."""


class RequestBuildError(ArazzoError):
    """A step's request cannot be built (an unfilled path parameter, a bad value)."""


class TransportError(ArazzoError):
    """The HTTP exchange failed before a response arrived.

    ``elapsed`` is the time in seconds from sending until the failure.
    """

    elapsed: float = 0.0


class RunInterrupted(ArazzoError):
    """The run was stopped from outside (Ctrl-C) before it ended.

    ``result`` is the partial result: the step executions of the entry
    workflow so far, its outputs evaluated at that moment, and an error of
    kind ``interrupted``.
    """

    def __init__(self, result: RunResult) -> None:
        assert result.error is not None
        super().__init__(result.error.message)
        self.result = result
