"""The two JSONPath dialects a ``jsonpath`` criterion can select.

RFC 9535 is the default, run by the ``jsonpath-rfc9535`` package. The
criterion type object ``{type: jsonpath, version:
draft-goessner-dispatch-jsonpath-00}`` selects the older Goessner dialect,
run by ``jsonpath-ng`` with its extensions (filters and arithmetic).

Each package is imported on the first query of its dialect that needs it,
because together they take about 20 ms to import. RFC 9535 queries made only
of ``.name``, ``['name']`` and ``[index]`` segments, such as ``$.status``, are
compiled into a `SingularPath` instead, which selects the same node without
the package.
"""

from __future__ import annotations

import re
import warnings
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from arazzo_runner.errors import ExpressionSyntaxError

GOESSNER_VERSION = "draft-goessner-dispatch-jsonpath-00"

_GOESSNER_POSITION = re.compile(r"at (\d+):(\d+)")

# One segment of a `SingularPath`, a subset of the RFC 9535 grammar: an ASCII
# member-name-shorthand, a bracketed string without escapes or control
# characters, or a non-negative index of at most 15 digits (within the I-JSON
# range that RFC 9535 requires).
_SINGULAR_SEGMENT = re.compile(
    r"\.(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|\[(?P<index>0|[1-9][0-9]{0,14})\]"
    r"|\['(?P<single>[^'\\\x00-\x1f]*)'\]"
    r'|\["(?P<double>[^"\\\x00-\x1f]*)"\]'
)
# Characters that RFC 9535 allows only inside brackets, in filter selectors.
_FILTER_OPERATORS = frozenset("=!<>&|")


@dataclass(frozen=True, slots=True)
class SingularPath:
    """An RFC 9535 query of name and index selectors only, such as ``$.a[0]``.

    ``segments`` contains a ``str`` for each name selector and an ``int`` for
    each index selector. As in RFC 9535, a name selects a member of an object
    only and an index an element of an array only, so the query selects at
    most one node.
    """

    segments: tuple[str | int, ...]

    def find(self, document: Any) -> list[Any]:
        """Return the selected node's value in a list, or an empty list."""
        value = document
        for segment in self.segments:
            if isinstance(segment, str):
                if not isinstance(value, dict) or segment not in value:
                    return []
                value = value[segment]
            elif isinstance(value, list) and segment < len(value):
                value = value[segment]
            else:
                return []
        return [value]


def parse_singular_path(query: str) -> SingularPath | None:
    """Return ``query`` as a `SingularPath`, or ``None`` for any other query."""
    if not query.startswith("$"):
        return None
    segments: list[str | int] = []
    index = 1
    while index < len(query):
        match = _SINGULAR_SEGMENT.match(query, index)
        if match is None:
            return None
        name, position, single, double = match.groups()
        if position is not None:
            segments.append(int(position))
        else:
            segments.append(
                next(part for part in (name, single, double) if part is not None)
            )
        index = match.end()
    return SingularPath(tuple(segments))


class JsonPathDialect(ABC):
    """Compiles queries of one dialect and runs them."""

    name: str

    def may_be_query(self, text: str) -> bool:
        """Return ``False`` when ``text`` is certainly not a query of this dialect.

        A cheap test that lets a comparison-style condition skip the parser.
        """
        return True

    @abstractmethod
    def compile(self, query: str, *, source: str, offset: int) -> Any:
        """Compile ``query``, which sits at ``offset`` in ``source``.

        Raises:
            ExpressionSyntaxError: The query is invalid in this dialect.
        """

    @abstractmethod
    def find(self, compiled: Any, document: Any) -> list[Any]:
        """Return the values of the nodes ``compiled`` selects in ``document``."""


class Rfc9535Dialect(JsonPathDialect):
    """JSONPath as RFC 9535 defines it."""

    name = "RFC 9535"

    def may_be_query(self, text: str) -> bool:
        """Return ``False`` when an operator such as ``==`` sits outside brackets."""
        depth = 0
        quote: str | None = None
        index = 0
        while index < len(text):
            character = text[index]
            if quote is not None:
                if character == "\\":
                    index += 1
                elif character == quote:
                    quote = None
            elif character in "'\"" and depth > 0:
                quote = character
            elif character in "[(":
                depth += 1
            elif character in "])":
                depth -= 1
            elif depth <= 0 and character in _FILTER_OPERATORS:
                return False
            index += 1
        return True

    def compile(self, query: str, *, source: str, offset: int) -> Any:
        singular = parse_singular_path(query)
        if singular is not None:
            return singular

        import jsonpath_rfc9535  # deferred, see the module documentation

        try:
            return jsonpath_rfc9535.compile(query)
        except jsonpath_rfc9535.JSONPathError as error:
            index = error.token.index if error.token is not None else 0
            raise ExpressionSyntaxError(
                f"invalid JSONPath query {query!r}: {error.args[0]}",
                text=source,
                index=offset + index,
            ) from None
        except Exception as error:  # noqa: BLE001
            raise _unexpected_error(error, query, source, offset) from None

    def find(self, compiled: Any, document: Any) -> list[Any]:
        if isinstance(compiled, SingularPath):
            return compiled.find(document)
        return list(compiled.find(document).values())


class GoessnerDialect(JsonPathDialect):
    """The Goessner JSONPath draft, as ``jsonpath-ng`` implements it."""

    name = GOESSNER_VERSION

    def compile(self, query: str, *, source: str, offset: int) -> Any:
        # Deferred, see the module documentation.
        from jsonpath_ng.exceptions import JSONPathError as GoessnerError
        from jsonpath_ng.ext.parser import parse as parse_goessner

        try:
            with _quiet_deprecations():
                return parse_goessner(query)
        except GoessnerError as error:
            position = _GOESSNER_POSITION.search(str(error))
            index = int(position.group(2)) if position else len(query)
            raise ExpressionSyntaxError(
                f"invalid JSONPath query {query!r}: {error}",
                text=source,
                index=offset + index,
            ) from None
        except Exception as error:  # noqa: BLE001
            raise _unexpected_error(error, query, source, offset) from None

    def find(self, compiled: Any, document: Any) -> list[Any]:
        with _quiet_deprecations():
            return [match.value for match in compiled.find(document)]


def _unexpected_error(
    error: Exception, query: str, source: str, offset: int
) -> ExpressionSyntaxError:
    """Return the syntax error for an exception other than a package's syntax error.

    jsonpath-rfc9535 1.0.1 parses recursively and raises RecursionError on a
    deeply nested filter. Document text must not stop the load with a
    traceback, whatever a package raises.
    """
    if isinstance(error, RecursionError):
        reason = "it is nested too deeply"
    else:
        name = type(error).__name__
        detail = f"{name}: {error}" if str(error) else name
        reason = f"the parser failed with {detail}"
    return ExpressionSyntaxError(
        f"cannot parse JSONPath query {query!r}: {reason}",
        text=source,
        index=offset,
    )


@contextmanager
def _quiet_deprecations() -> Iterator[None]:
    """Silence jsonpath-ng's deprecation warnings about query syntax.

    jsonpath-ng 1.17 warns that operators such as ``&`` go away in 2.0. The
    warning concerns the document's query, and must not fail the criterion.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


RFC_9535 = Rfc9535Dialect()
GOESSNER = GoessnerDialect()
