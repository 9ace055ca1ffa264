"""Parameter serialization by style and explode, one function at a time."""

from __future__ import annotations

from typing import Any

import pytest

from arazzo_runner.errors import RequestBuildError
from arazzo_runner.openapi.operations import OpenApiParameter
from arazzo_runner.openapi.serialize import (
    scalar_text,
    serialize_cookie,
    serialize_header,
    serialize_path,
    serialize_query,
)


def declared(
    in_: str,
    style: str,
    explode: bool,
    *,
    allow_reserved: bool = False,
    content_type: str | None = None,
) -> OpenApiParameter:
    return OpenApiParameter(
        name="id",
        in_=in_,
        style=style,
        explode=explode,
        allow_reserved=allow_reserved,
        content_type=content_type,
        required=False,
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (True, "true"),
        (False, "false"),
        (None, ""),
        (1.5, "1.5"),
        ({"a": [1]}, '{"a":[1]}'),
    ],
    ids=["true", "false", "null", "float", "nested"],
)
def test_scalar_text(value: Any, text: str) -> None:
    assert scalar_text(value) == text


def test_path_without_declaration_is_simple() -> None:
    assert serialize_path("id", [1, 2], None) == "1,2"


def test_path_encodes_reserved_characters() -> None:
    assert serialize_path("id", "a/b?c#d", None) == "a%2Fb%3Fc%23d"


def test_matrix_empty_string_is_name_only() -> None:
    assert serialize_path("id", "", declared("path", "matrix", False)) == ";id"


def test_path_content_is_json() -> None:
    parameter = declared("path", "simple", False, content_type="application/json")
    assert serialize_path("id", {"a": 1}, parameter) == "%7B%22a%22%3A1%7D"


def test_path_rejects_query_style() -> None:
    with pytest.raises(RequestBuildError, match="style 'form', which path"):
        serialize_path("id", 1, declared("path", "form", True))


def test_query_rejects_path_style() -> None:
    with pytest.raises(RequestBuildError, match="style 'matrix', which query"):
        serialize_query("id", 1, declared("query", "matrix", False))


def test_deep_object_nested_members() -> None:
    value = {"filter": {"name": "rex", "tags": ["a", "b"]}}
    assert serialize_query("q", value, declared("query", "deepObject", True)) == [
        ("q%5Bfilter%5D%5Bname%5D", "rex"),
        ("q%5Bfilter%5D%5Btags%5D", "a"),
        ("q%5Bfilter%5D%5Btags%5D", "b"),
    ]


def test_empty_array_in_form_style() -> None:
    assert serialize_query("id", [], declared("query", "form", True)) == [("id", "")]


def test_pipe_delimited_object() -> None:
    value = {"role": "admin", "firstName": "Alex"}
    assert serialize_query("id", value, declared("query", "pipeDelimited", False)) == [
        ("id", "role|admin|firstName|Alex")
    ]


def test_query_encodes_name() -> None:
    assert serialize_query("a b", "c", None) == [("a%20b", "c")]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a%20b", "a%20b"),
        ("a%2Fb%2f", "a%2Fb%2f"),
        ("100%", "100%25"),
        ("%zz", "%25zz"),
        ("a b/c", "a%20b/c"),
    ],
    ids=["octet", "hex-case", "trailing-percent", "not-hex", "space-and-slash"],
)
def test_allow_reserved_keeps_encoded_octets(value: str, expected: str) -> None:
    parameter = declared("query", "form", True, allow_reserved=True)
    assert serialize_query("q", value, parameter) == [("q", expected)]


def test_encoded_octets_escaped_without_allow_reserved() -> None:
    assert serialize_query("q", "a%20b", None) == [("q", "a%2520b")]


def test_header_rejects_line_breaks() -> None:
    with pytest.raises(RequestBuildError, match="contains a line break"):
        serialize_header("X-A", "a\nb", None)


def test_cookie_content_is_encoded_json() -> None:
    parameter = declared("cookie", "form", True, content_type="application/json")
    assert serialize_cookie("c", {"a": "b c"}, parameter) == [
        ("c", "{%22a%22:%22b%20c%22}")
    ]
