"""Secrets stay out of text and data."""

from __future__ import annotations

import pytest

from arazzo_runner.redaction import Redactor, is_secret_input


@pytest.mark.parametrize(
    ("name", "schema", "secret"),
    [
        ("apiToken", None, True),
        ("CLIENT_SECRET", None, True),
        ("Password", None, True),
        ("apikey", None, True),
        ("api_key", None, True),
        ("awsCredential", None, True),
        ("pin", {"type": "string", "format": "password"}, True),
        ("pin", {"type": "string", "writeOnly": True}, True),
        ("modelName", {"type": "string"}, False),
    ],
)
def test_secret_inputs_are_recognised(
    name: str, schema: dict[str, object] | None, secret: bool
) -> None:
    assert is_secret_input(name, schema) is secret


def test_secret_masked_inside_text() -> None:
    redactor = Redactor(["r8_abcdef"])
    assert redactor.text("Bearer r8_abcdef failed") == "Bearer *** failed"


def test_scheme_word_stays_visible() -> None:
    redactor = Redactor(["Bearer r8_abcdef"])
    assert redactor.text("header was Bearer r8_abcdef") == "header was Bearer ***"


def test_secret_masked_in_nested_data() -> None:
    redactor = Redactor(["s3cr3t-value"])
    assert redactor.data({"a": ["x s3cr3t-value"]}) == {"a": ["x ***"]}


def test_credential_headers_masked_whole() -> None:
    redactor = Redactor()
    headers = redactor.headers([("Authorization", "Basic abc"), ("Accept", "x")])
    assert headers == [("Authorization", "***"), ("Accept", "x")]


@pytest.mark.parametrize(
    "encoded",
    ["a=qkey%2F%2B%3D", "a=qkey/%2B%3D", "a=qkey%2f%2b%3d", "a=qkey%2F%2B%3D"],
)
def test_percent_encoded_secret_masked(encoded: str) -> None:
    assert Redactor(["qkey/+="]).text(encoded) == "a=***"


def test_json_escaped_secret_masked() -> None:
    redactor = Redactor(['pa"ss\\word'])
    assert redactor.text('{"p": "pa\\"ss\\\\word"}') == '{"p": "***"}'
