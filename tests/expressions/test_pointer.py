"""JSON Pointers (RFC 6901) in their URI fragment form."""

from __future__ import annotations

from typing import Any

import pytest

from arazzo_runner.errors import ExpressionSyntaxError
from arazzo_runner.expressions.pointer import format_pointer, parse_pointer
from arazzo_runner.expressions.scope import MISSING

# The example document of RFC 6901, section 5.
DOCUMENT = {
    "foo": ["bar", "baz"],
    "": 0,
    "a/b": 1,
    "c%d": 2,
    "e^f": 3,
    "g|h": 4,
    "i\\j": 5,
    'k"l': 6,
    " ": 7,
    "m~n": 8,
}

RFC_EXAMPLES: list[tuple[str, Any]] = [
    ("", DOCUMENT),
    ("/foo", ["bar", "baz"]),
    ("/foo/0", "bar"),
    ("/", 0),
    ("/a~1b", 1),
    ("/c%25d", 2),
    ("/e%5Ef", 3),
    ("/g%7Ch", 4),
    ("/i%5Cj", 5),
    ("/k%22l", 6),
    ("/%20", 7),
    ("/m~0n", 8),
]


@pytest.mark.parametrize(
    ("text", "expected"), RFC_EXAMPLES, ids=[row[0] or "root" for row in RFC_EXAMPLES]
)
def test_rfc_fragment_example(text: str, expected: Any) -> None:
    assert parse_pointer(text).resolve(DOCUMENT) == expected


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("/~01", ("~1",)),
        ("/~10", ("/0",)),
        ("/a%2Fb", ("a", "b")),
        ("/%7E1", ("/",)),
        ("/100%", ("100%",)),
        ("/caf%C3%A9", ("café",)),
        ("//", ("", "")),
    ],
    ids=[
        "tilde zero one",
        "tilde one zero",
        "encoded slash splits",
        "encoded tilde",
        "lone percent",
        "utf-8",
        "empty tokens",
    ],
)
def test_pointer_tokens_after_decoding(text: str, tokens: tuple[str, ...]) -> None:
    assert parse_pointer(text).tokens == tokens


ARRAY = ["a", "b", "c"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/0", "a"),
        ("/2", "c"),
        ("/3", MISSING),
        ("/-", MISSING),
        ("/01", MISSING),
        ("/-1", MISSING),
        ("/+1", MISSING),
        ("/x", MISSING),
        ("/0/x", MISSING),
    ],
)
def test_pointer_array_index(text: str, expected: Any) -> None:
    assert parse_pointer(text).resolve(ARRAY) == expected


def test_pointer_reaches_null() -> None:
    assert parse_pointer("/a").resolve({"a": None}) is None


def test_pointer_into_scalar_missing() -> None:
    assert parse_pointer("/a").resolve("text") is MISSING


@pytest.mark.parametrize(
    ("text", "message", "index"),
    [
        ("a", "must start with '/'", 0),
        ("/a~2", "invalid escape '~2'", 2),
        ("/a~", "invalid escape '~'", 2),
        ("/%7E2", "invalid escape '~2'", 0),
        ("/%FF", "invalid utf-8", 0),
    ],
    ids=["no slash", "bad escape", "trailing tilde", "encoded bad escape", "bad utf-8"],
)
def test_pointer_syntax_error(text: str, message: str, index: int) -> None:
    with pytest.raises(ExpressionSyntaxError) as caught:
        parse_pointer(text)
    assert message in caught.value.message
    assert caught.value.index == index


@pytest.mark.parametrize(
    ("tokens", "text"),
    [
        (["a/b", "m~n"], "/a~1b/m~0n"),
        (["with space"], "/with%20space"),
        (["a=b", "{x}"], "/a%3Db/%7Bx%7D"),
        (["100%"], "/100%25"),
        ([], ""),
    ],
)
def test_pointer_format_encodes_tokens(tokens: list[str], text: str) -> None:
    assert format_pointer(tokens) == text
