"""The fix hint of an expression that does not parse, by the field it sits in."""

from __future__ import annotations

import pytest

from arazzo_runner._syntax_hints import syntax_hint
from arazzo_runner.document.reader import ParsedDocument

STEP = "/workflows/0/steps/0"
DATA = {
    "workflows": [
        {
            "steps": [
                {
                    "successCriteria": [
                        {"condition": "(", "context": "$statusCode", "type": "regex"},
                        {"condition": "$statusCode =="},
                        {"condition": "$[?", "type": {"type": "jsonpath"}},
                    ],
                    "onSuccess": [{"criteria": [{"condition": "$x =="}]}],
                }
            ]
        }
    ]
}


@pytest.mark.parametrize(
    ("pointer", "expected"),
    [
        (f"{STEP}/successCriteria/0/condition", "regular expression"),
        (f"{STEP}/successCriteria/0", "regular expression"),
        (f"{STEP}/successCriteria/1/condition", "$statusCode == 200"),
        (f"{STEP}/successCriteria/2/condition", "JSONPath query"),
        (f"{STEP}/onSuccess/0/criteria/0/condition", "$statusCode == 200"),
        (f"{STEP}/successCriteria/0/context", "whose value the condition tests"),
        (f"{STEP}/successCriteria/0/type", "use type simple"),
        (f"{STEP}/successCriteria/0/type/version", "use type simple"),
        (f"{STEP}/outputs/condition", "write one runtime expression"),
        (f"{STEP}/parameters/0/value", "embed one in text"),
    ],
    ids=[
        "regex-condition",
        "regex-criterion",
        "simple",
        "jsonpath-object-type",
        "action-criterion",
        "context",
        "type",
        "type-version",
        "output-named-condition",
        "parameter-value",
    ],
)
def test_hint_follows_field(pointer: str, expected: str) -> None:
    assert expected in syntax_hint(ParsedDocument("flow.yaml", DATA), pointer)
