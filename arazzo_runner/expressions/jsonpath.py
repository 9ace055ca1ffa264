"""The two JSONPath dialects a ``jsonpath`` criterion can select.

RFC 9535 is the default, run by the ``jsonpath-rfc9535`` package. The
criterion type object ``{type: jsonpath, version:
draft-goessner-dispatch-jsonpath-00}`` selects the older Goessner dialect,
run by ``jsonpath-ng`` with its extensions (filters and arithmetic).
"""

from __future__ import annotations

import re
import warnings
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import jsonpath_rfc9535
from jsonpath_ng.exceptions import JSONPathError as GoessnerError
from jsonpath_ng.ext.parser import parse as parse_goessner

from arazzo_runner.errors import ExpressionSyntaxError

GOESSNER_VERSION = "draft-goessner-dispatch-jsonpath-00"

_GOESSNER_POSITION = re.compile(r"at (\d+):(\d+)")


class JsonPathDialect(ABC):
    """Compiles queries of one dialect and runs them."""

    name: str

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

    def compile(self, query: str, *, source: str, offset: int) -> Any:
        try:
            return jsonpath_rfc9535.compile(query)
        except jsonpath_rfc9535.JSONPathError as error:
            index = error.token.index if error.token is not None else 0
            raise ExpressionSyntaxError(
                f"invalid JSONPath query {query!r}: {error.args[0]}",
                text=source,
                index=offset + index,
            ) from None

    def find(self, compiled: Any, document: Any) -> list[Any]:
        return list(compiled.find(document).values())


class GoessnerDialect(JsonPathDialect):
    """The Goessner JSONPath draft, as ``jsonpath-ng`` implements it."""

    name = GOESSNER_VERSION

    def compile(self, query: str, *, source: str, offset: int) -> Any:
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

    def find(self, compiled: Any, document: Any) -> list[Any]:
        with _quiet_deprecations():
            return [match.value for match in compiled.find(document)]


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
