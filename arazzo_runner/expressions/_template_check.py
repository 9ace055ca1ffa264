"""Load-time syntax checks of queries that embed ``{$...}`` expressions.

A ``jsonpath`` condition such as ``$.items[?@.id == {$inputs.id}]`` is
compiled on each evaluation, after its embedded expressions are replaced by
their values. Its syntax still depends on the values only where they go, so
`check_with_samples` compiles it with sample texts in their place, and
reports an error only when no combination of samples compiles.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from arazzo_runner.errors import ExpressionSyntaxError
from arazzo_runner.expressions.template import TemplateValue

# Texts that an embedded expression may put into a query: a number or an
# index, a name, a quoted string, a literal, an operator and a whole query.
SAMPLE_VALUES = ("0", "a", "'a'", "true", "==", "$")
_MAX_COMBINATIONS = 256

# The position of one template part: its start in the substituted text, its
# start in the original text, and whether it is literal text.
_Segment = tuple[int, int, bool]


def check_with_samples(
    text: str, template: TemplateValue, compile_text: Callable[[str], object]
) -> None:
    """Raise the syntax error of ``text`` when no sample values repair it.

    ``template`` is ``text`` parsed, and ``compile_text`` raises
    `ExpressionSyntaxError` for an invalid query. Each embedded expression is
    replaced by each of `SAMPLE_VALUES`, in every combination.

    Raises:
        ExpressionSyntaxError: No combination compiles. The error describes
            the first combination, every expression replaced by ``0``, with
            its index moved into ``text``.
    """
    count = len(template.expressions())
    if len(SAMPLE_VALUES) ** count > _MAX_COMBINATIONS:
        # NOTE: a query with more than three embedded expressions is checked
        # only on each evaluation, once the real values are in place.
        return
    first: tuple[ExpressionSyntaxError, list[_Segment]] | None = None
    for values in itertools.product(SAMPLE_VALUES, repeat=count):
        substituted, segments = _substitute(text, template, values)
        try:
            compile_text(substituted)
        except ExpressionSyntaxError as error:
            first = first or (error, segments)
            continue
        return
    assert first is not None  # the product has at least one combination
    found, segments = first
    index = _original_index(found.index, segments)
    if found.index >= len(found.text):
        index = len(text)
    raise ExpressionSyntaxError(
        f"{found.message} (checked with each {{$...}} replaced by '0')",
        text=text,
        index=index,
        hint=found.hint,
    )


def _substitute(
    text: str, template: TemplateValue, values: tuple[str, ...]
) -> tuple[str, list[_Segment]]:
    """Return ``text`` with its embedded expressions replaced by ``values``."""
    pieces: list[str] = []
    segments: list[_Segment] = []
    length = 0
    position = 0
    remaining = iter(values)
    for part in template.parts:
        if isinstance(part, str):
            piece = part
            segments.append((length, position, True))
            position += len(part)
        else:
            piece = next(remaining)
            segments.append((length, position, False))
            # An embedded expression ends at the first '}' after its '{$'.
            position = text.index("}", position) + 1
        pieces.append(piece)
        length += len(piece)
    return "".join(pieces), segments


def _original_index(index: int, segments: list[_Segment]) -> int:
    """Move ``index`` from the substituted text into the original text.

    An index inside a sample value moves to the '{' of its expression.
    """
    for substituted_start, start, literal in reversed(segments):
        if index >= substituted_start:
            return start + (index - substituted_start) if literal else start
    return 0
