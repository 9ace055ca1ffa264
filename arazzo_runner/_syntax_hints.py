"""Fix hints for expressions that do not parse, chosen by the field they sit in.

The expression parsers give a hint for some mistakes only. For the others,
validation describes the form that the field expects, with an example.
"""

from __future__ import annotations

import re
from typing import Any

from arazzo_runner.document.reader import ParsedDocument
from arazzo_runner.document.sources import resolve_pointer

# A criterion or one of its fields. The criterion's type picks the condition hint.
_CRITERION = re.compile(r"/(?:successCriteria|criteria)/\d+(?P<part>/[^/]+.*)?$")
_CONDITION_HINTS = {
    "simple": "write a condition that compares runtime expressions and literals, "
    "as in $statusCode == 200 or $response.body#/state == 'done'",
    "regex": "write a regular expression (ECMA-262 syntax) for the context value "
    "to match",
    "jsonpath": "write a JSONPath query (RFC 9535) that selects a value when the "
    "step succeeded, as in $[?@.state == 'done']",
    "xpath": "write an XPath expression that selects a node when the step "
    "succeeded, as in //state[text() = 'done']",
}
_TYPE_HINT = (
    "use type simple, regex, jsonpath or xpath, or an object such as "
    "{type: jsonpath, version: draft-goessner-dispatch-jsonpath-00}"
)
_CONTEXT_HINT = (
    "write the runtime expression whose value the condition tests, such as "
    "$response.body"
)
_OUTPUT_HINT = (
    "write one runtime expression, as in $response.body#/id or $steps.ID.outputs.NAME"
)
_VALUE_HINT = (
    "write a runtime expression such as $inputs.NAME or $response.body#/id, or "
    "embed one in text as {$inputs.NAME}"
)


def syntax_hint(parsed: ParsedDocument, pointer: str) -> str:
    """Return how to write the expression expected at ``pointer``."""
    parent, _, field = pointer.rpartition("/")
    if parent.rpartition("/")[2] == "outputs":
        return _OUTPUT_HINT
    match = _CRITERION.search(pointer)
    if match is None:
        return _VALUE_HINT
    part = match.group("part") or ""
    if part == "/context":
        return _CONTEXT_HINT
    if part.startswith("/type"):
        return _TYPE_HINT
    criterion = _value_at(parsed.data, pointer[: len(pointer) - len(part)])
    kind: Any = criterion.get("type") if isinstance(criterion, dict) else None
    if isinstance(kind, dict):
        kind = kind.get("type")
    if kind is None:
        kind = "simple"
    if not isinstance(kind, str):
        return _TYPE_HINT
    return _CONDITION_HINTS.get(kind, _TYPE_HINT)


def _value_at(data: Any, pointer: str) -> Any:
    try:
        return resolve_pointer(data, pointer)
    except KeyError:
        return None
