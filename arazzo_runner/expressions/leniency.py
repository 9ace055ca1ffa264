"""Real-world forms that strict Arazzo 1.0.1 rejects but the runner accepts.

Each accepted form is reported as a :class:`Leniency`, so the runner can warn
about it (or reject it under ``--strict``) and suggest the standard form.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

JSONPATH_COMPARISON: Final = "LEN-1"
"""A ``jsonpath`` criterion written as comparisons of queries and literals."""

BARE_EXPRESSION: Final = "LEN-2"
"""A bare ``$inputs.x`` word inside a string, substituted as if written ``{$...}``."""

OMITTED_INPUT: Final = "LEN-4"
"""An object member whose whole value is an absent input, left out of the object."""

BRACED_CONDITION: Final = "LEN-5"
"""A ``simple`` condition wrapped in one pair of braces."""

DOTTED_NAVIGATION: Final = "LEN-6"
"""Dotted navigation into a body, such as ``$response.body.status``."""

OUTPUTS_OMITTED: Final = "LEN-9"
"""``$steps.ID.NAME`` with the ``.outputs`` segment left out."""

UNCLOSED_TEMPLATE: Final = "TPL-1"
"""Text that starts like a runtime expression but does not parse, so it is
sent as literal text. It is a ``{$`` that opens no valid embedded expression,
or a value or word such as ``$inputs.`` that starts with an expression root."""


@dataclass(frozen=True, slots=True)
class Leniency:
    """A non-standard form that was accepted, with the standard form to use instead.

    ``suggestion`` is the standard form, or empty when none can be derived;
    ``hint`` then describes how to fix the text. ``index`` is the 0-based offset
    of the form in the source text it was found in (an expression, a
    condition or a string value).
    """

    code: str
    message: str
    suggestion: str
    index: int = 0
    hint: str = ""

    def shifted(self, offset: int) -> Leniency:
        """Return this leniency with ``index`` moved by ``offset`` characters."""
        if offset == 0:
            return self
        return replace(self, index=self.index + offset)
