"""Placeholder parsing and filling, without a server."""

from __future__ import annotations

from typing import Any

import pytest

from arazzo_runner import DocumentError
from arazzo_runner.mock.placeholders import (
    Placeholder,
    RequestValues,
    fill,
    parse_text,
)

VALUES = RequestValues(
    path={"training_id": "t1"},
    query={"page": "2"},
    headers={"X-Client": "tests"},
    body={"input": {"steps": 3}, "tags": ["a", "b"], "a/b": "slash"},
    generated_id="abc",
    now="2026-01-01T00:00:00.000000Z",
    base_url="http://127.0.0.1:1/v1",
)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{id}}", "abc"),
        ("{{ id }}", "abc"),
        ("{{body#/input}}", {"steps": 3}),
        ("{{body#/input/steps}}", 3),
        ("{{body#/tags/1}}", "b"),
        ("{{body#/a~1b}}", "slash"),
        ("{{body#/nothing}}", None),
        ("{{body}}", VALUES.body),
        ("{{path.training_id}}", "t1"),
        ("{{query.page}}", "2"),
        ("{{query.absent}}", None),
        ("{{header.x-client}}", "tests"),
        ("{{now}}", "2026-01-01T00:00:00.000000Z"),
        ("{{baseUrl}}", "http://127.0.0.1:1/v1"),
        ("{{baseUrl}}/trainings/{{id}}", "http://127.0.0.1:1/v1/trainings/abc"),
        ("steps: {{body#/input/steps}}", "steps: 3"),
        ("input: {{body#/input}}", 'input: {"steps": 3}'),
        ("none: {{query.absent}}", "none: null"),
        (" {{id}}", " abc"),
        ("no placeholder", "no placeholder"),
        ("single } and { braces", "single } and { braces"),
    ],
)
def test_fill_text(template: str, expected: Any) -> None:
    assert fill(template, VALUES) == expected


def test_fill_nested_template() -> None:
    template = {"ids": ["{{id}}", 1, None, True], "deep": {"p": "{{path.training_id}}"}}
    expected = {"ids": ["abc", 1, None, True], "deep": {"p": "t1"}}
    assert fill(template, VALUES) == expected


def test_parse_text_parts() -> None:
    parts = parse_text("a{{id}}b{{path.x}}")
    assert parts == ["a", Placeholder("id"), "b", Placeholder("path.x")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{{id", "is not closed"),
        ("{{}}", "unknown placeholder"),
        ("{{path.}}", "unknown placeholder"),
        ("{{body#input}}", "unknown placeholder"),
        ("{{cookie.session}}", "unknown placeholder"),
        ("{{ID}}", "unknown placeholder"),
    ],
)
def test_parse_text_rejects(text: str, message: str) -> None:
    with pytest.raises(DocumentError, match=message):
        parse_text(text)
