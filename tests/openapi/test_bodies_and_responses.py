"""Body encoding and response decoding, without a server."""

from __future__ import annotations

from typing import Any

import pytest

from arazzo_runner.errors import RequestBuildError
from arazzo_runner.openapi.bodies import encode_body, is_json_media_type
from arazzo_runner.openapi.responses import body_length, decode_body


@pytest.mark.parametrize(
    ("media_type", "expected"),
    [
        ("application/json", True),
        ("application/vnd.api+json; charset=utf-8", True),
        ("APPLICATION/JSON", True),
        ("application/jsonl", False),
        ("text/json-seq", False),
    ],
)
def test_is_json_media_type(media_type: str, expected: bool) -> None:
    assert is_json_media_type(media_type) is expected


def test_json_string_from_expression_is_quoted() -> None:
    assert encode_body("hi", "application/json").content == b'"hi"'


def test_json_text_payload_sent_as_is() -> None:
    encoded = encode_body('{"a": 1}', "application/json", payload_is_text=True)
    assert encoded.content == b'{"a": 1}'
    assert encoded.warning is None


def test_form_rejects_array() -> None:
    with pytest.raises(RequestBuildError, match="must be an object or a string"):
        encode_body([1], "application/x-www-form-urlencoded")


def test_multipart_rejects_string() -> None:
    with pytest.raises(RequestBuildError, match="must be an object"):
        encode_body("a=b", "multipart/form-data")


def test_unknown_type_structured_payload_warns() -> None:
    encoded = encode_body({"a": 1}, "application/vnd.custom")
    assert encoded.content == b'{"a":1}'
    assert encoded.warning is not None


@pytest.mark.parametrize(
    ("content", "content_type", "expected"),
    [
        (b"", "application/json", None),
        (b'{"a": 1}', "application/json", {"a": 1}),
        (b"[1, 2]", None, [1, 2]),
        (b'\xef\xbb\xbf{"a": 1}', "application/json", {"a": 1}),
        (b"not json", "application/json", "not json"),
        (b"plain", None, "plain"),
        (b"<a/>", "application/atom+xml", "<a/>"),
        ("é".encode("utf-16"), "text/plain; charset=utf-16", "é"),
        (b"\xff\xfe\x00", "application/octet-stream", b"\xff\xfe\x00"),
        (b"\xff\xfe\x00", None, b"\xff\xfe\x00"),
    ],
    ids=[
        "empty",
        "json",
        "json-without-type",
        "json-with-bom",
        "invalid-json",
        "text-without-type",
        "xml",
        "charset",
        "binary",
        "binary-without-type",
    ],
)
def test_decode_body(content: bytes, content_type: str | None, expected: Any) -> None:
    assert decode_body(content, content_type) == expected


def test_body_length() -> None:
    assert body_length(b"abc") == 3
    assert body_length("abc") is None
