"""XPath 1.0 comparisons as XPath 1.0 section 3.4 defines them.

elementpath 5.1.4's ``XPath1Parser`` compares each node's string-value with
the other operand as it is: on ``<r><y>2</y></r>``, ``/r/y = 2`` compares the
text ``'2'`` with the number 2 and is false. It also makes ``/r/none =
false()`` false, because it skips the comparison when the node-set is
empty. `XPath1ComparisonParser` is ``XPath1Parser`` with its six comparison
operators replaced by `compare`, which applies the section 3.4 rules:

* two node-sets: true when some pair of nodes compares true by string-value.
* a node-set and a number or a string: true when some node's string-value
  compares true with it.
* a node-set and a boolean: the node-set is converted to a boolean first.
* two values that are not node-sets: for ``=`` and ``!=``, both become
  booleans when one is a boolean, else numbers when one is a number, else
  strings. ``<``, ``<=``, ``>`` and ``>=`` always compare numbers.

This module imports ``elementpath``, so `_xpath` imports it only when an
``xpath-10`` expression is compiled.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from copy import copy
from decimal import Decimal
from typing import Any

from elementpath import XPath1Parser, XPathNode

_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
# The text that XPath 1.0's number() converts: optional whitespace, an
# optional minus sign, digits with an optional fraction, optional whitespace.
# Anything else, exponents and "INF" included, is NaN.
_NUMBER = re.compile(r"[ \t\r\n]*(-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))[ \t\r\n]*")


def to_number(value: Any) -> float:
    """Convert a string, number or boolean as XPath 1.0's ``number()`` does."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float, Decimal)):
        return float(value)
    match = _NUMBER.fullmatch(str(value))
    return float(match.group(1)) if match else math.nan


def to_boolean(value: Any) -> bool:
    """Convert a node-set, string, number or boolean as XPath 1.0's ``boolean()``."""
    if isinstance(value, (list, bool)):
        return bool(value)
    if isinstance(value, (int, float, Decimal)):
        return not math.isnan(value) and value != 0
    return str(value) != ""


def compare(
    symbol: str, left: Any, right: Any, string_value: Callable[[Any], str]
) -> bool:
    """Compare two XPath 1.0 values with ``symbol``, such as ``=`` or ``<``.

    A node-set is a ``list`` of nodes, and ``string_value`` returns a node's
    string-value.
    """
    if isinstance(left, list) and isinstance(right, list):
        right_texts = [string_value(node) for node in right]
        return any(
            _compare_values(symbol, string_value(node), text)
            for node in left
            for text in right_texts
        )
    if isinstance(left, list):
        if isinstance(right, bool):
            return _compare_values(symbol, bool(left), right)
        return any(_compare_values(symbol, string_value(node), right) for node in left)
    if isinstance(right, list):
        if isinstance(left, bool):
            return _compare_values(symbol, left, bool(right))
        return any(_compare_values(symbol, left, string_value(node)) for node in right)
    return _compare_values(symbol, left, right)


def _compare_values(symbol: str, left: Any, right: Any) -> bool:
    """Compare two values that are not node-sets."""
    compare_with = _OPERATORS[symbol]
    if symbol in ("=", "!="):
        if isinstance(left, bool) or isinstance(right, bool):
            return compare_with(to_boolean(left), to_boolean(right))
        if _is_number(left) or _is_number(right):
            return compare_with(to_number(left), to_number(right))
        return compare_with(str(left), str(right))
    return compare_with(to_number(left), to_number(right))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _evaluate_comparison(self: Any, context: Any = None) -> bool:
    """Evaluate a comparison token of `XPath1ComparisonParser`."""
    left = _operand(self[0].evaluate(copy(context)))
    right = _operand(self[1].evaluate(copy(context)))
    return compare(self.symbol, left, right, self.string_value)


def _operand(value: Any) -> Any:
    """Return a single node as a node-set of one, and other values unchanged."""
    if isinstance(value, XPathNode):
        return [value]
    return value


class XPath1ComparisonParser(XPath1Parser):
    """An XPath 1.0 parser whose comparisons follow XPath 1.0 section 3.4."""

    symbol_table = dict(XPath1Parser.symbol_table)


for _symbol in _OPERATORS:
    _token_class = XPath1Parser.symbol_table[_symbol]
    XPath1ComparisonParser.symbol_table[_symbol] = type(
        _token_class.__name__,
        (_token_class,),
        {"evaluate": _evaluate_comparison, "__module__": __name__},
    )
