"""Payload replacements: JSON Pointer and XPath targets."""

from __future__ import annotations

from typing import Any

import pytest

from arazzo_runner.errors import RequestBuildError
from arazzo_runner.openapi.replacements import parse_json_text, set_pointer, set_xpath

DOCUMENT = {"a": {"b": [1, 2]}, "x/y": {"~": 0}}


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/a/b/0", {"a": {"b": [9, 2]}, "x/y": {"~": 0}}),
        ("/a/b/-", {"a": {"b": [1, 2, 9]}, "x/y": {"~": 0}}),
        ("/a/b/2", {"a": {"b": [1, 2, 9]}, "x/y": {"~": 0}}),
        ("/a/c", {"a": {"b": [1, 2], "c": 9}, "x/y": {"~": 0}}),
        ("/x~1y/~0", {"a": {"b": [1, 2]}, "x/y": {"~": 9}}),
        ("#/a/%62", {"a": {"b": 9}, "x/y": {"~": 0}}),
        ("", 9),
    ],
    ids=[
        "replace-item",
        "append",
        "append-by-index",
        "add-member",
        "escapes",
        "fragment",
        "root",
    ],
)
def test_set_pointer(target: str, expected: Any) -> None:
    assert set_pointer(DOCUMENT, target, 9) == expected


def test_set_pointer_leaves_input_unchanged() -> None:
    set_pointer(DOCUMENT, "/a/b/0", 9)
    assert DOCUMENT["a"] == {"b": [1, 2]}


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("a/b", "is not a JSON Pointer"),
        ("/missing/b", "/missing does not exist in the payload"),
        ("/a/b/5", "'5' is not an index of an array of 2 items"),
        ("/a/b/01", "'01' is not an index"),
        ("/a/b/0/c", "the parent is a number"),
    ],
    ids=[
        "relative",
        "missing-parent",
        "index-too-large",
        "leading-zero",
        "scalar-parent",
    ],
)
def test_set_pointer_errors(target: str, message: str) -> None:
    with pytest.raises(RequestBuildError, match=message):
        set_pointer(DOCUMENT, target, 9)


def test_parse_json_text_rejects_invalid() -> None:
    with pytest.raises(RequestBuildError, match="the payload is not valid JSON"):
        parse_json_text("{nope", "/a")


def test_xpath_sets_elements_and_attributes() -> None:
    result = set_xpath('<a x="1"><b>old<c/></b><b>old</b></a>', "//b", "new")
    assert result == b'<a x="1"><b>new</b><b>new</b></a>'


def test_xpath_keeps_declaration() -> None:
    result = set_xpath('<?xml version="1.0"?><a>1</a>', "/a", "2")
    assert result.startswith(b"<?xml version='1.0' encoding='utf-8'?>")


def test_xpath_does_not_expand_entities() -> None:
    document = '<!DOCTYPE a [<!ENTITY e "expanded">]><a><b>&e;</b><c/></a>'
    assert b"<a><b>&e;</b><c>x</c></a>" in set_xpath(document, "/a/c", "x")


@pytest.mark.parametrize(
    ("document", "target", "message"),
    [
        ("<a>", "/a", "the payload is not valid XML"),
        ("<a/>", "/a[", "is not a valid XPath 1.0 expression"),
        ("<a/>", "/b", "selects nothing"),
        ("<a/>", "count(/a)", "selects nothing"),
    ],
    ids=["bad-xml", "bad-xpath", "no-match", "number-result"],
)
def test_xpath_errors(document: str, target: str, message: str) -> None:
    with pytest.raises(RequestBuildError, match=message):
        set_xpath(document, target, "x")
