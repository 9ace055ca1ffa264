"""Unit tests of the credential masking applied to the mock's request log."""

from __future__ import annotations

from typing import Any

from arazzo_runner.mock.secrets import RequestMasker

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "components": {
        "securitySchemes": {
            "headerKey": {"type": "apiKey", "in": "header", "name": "X-Client"},
            "queryKey": {"type": "apiKey", "in": "query", "name": "key"},
            "cookieKey": {"type": "apiKey", "in": "cookie", "name": "sid"},
            "bearer": {"type": "http", "scheme": "bearer"},
        }
    },
}


def entry(**members: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"headers": {}, "query": {}, "queryString": "", "body": None}
    base.update(members)
    return base


def test_api_key_header_masked() -> None:
    masked = RequestMasker(OPENAPI).mask(entry(headers={"x-client": "k-123456"}))
    assert masked["headers"]["x-client"] == "***"


def test_header_named_like_key_masked() -> None:
    masked = RequestMasker({}).mask(entry(headers={"X-API-Key": "k-123456"}))
    assert masked["headers"]["X-API-Key"] == "***"


def test_plain_header_kept() -> None:
    masked = RequestMasker(OPENAPI).mask(entry(headers={"Accept": "text/plain"}))
    assert masked["headers"]["Accept"] == "text/plain"


def test_api_key_query_masked() -> None:
    masked = RequestMasker(OPENAPI).mask(entry(query={"key": ["q-secret-9"]}))
    assert masked["query"]["key"] == ["***"]


def test_api_key_query_string_masked() -> None:
    masked = RequestMasker(OPENAPI).mask(
        entry(query={"key": ["q-secret-9"]}, queryString="key=q-secret-9&a=1")
    )
    assert masked["queryString"] == "key=***&a=1"


def test_other_query_kept() -> None:
    masked = RequestMasker(OPENAPI).mask(entry(query={"page": ["2"]}))
    assert masked["query"]["page"] == ["2"]


def test_header_secret_masked_in_body() -> None:
    masked = RequestMasker(OPENAPI).mask(
        entry(
            headers={"Authorization": "Bearer tok-abcdef"}, body={"echo": "tok-abcdef"}
        )
    )
    assert masked["body"] == {"echo": "***"}


def test_cookie_api_key_masked_in_raw_body() -> None:
    masked = RequestMasker(OPENAPI).mask(
        entry(headers={"Cookie": "sid=c-777777; theme=dark"}, rawBody="sid is c-777777")
    )
    assert masked["rawBody"] == "sid is ***"


def test_entry_left_unchanged() -> None:
    original = entry(headers={"Authorization": "Bearer tok-abcdef"})
    RequestMasker(OPENAPI).mask(original)
    assert original["headers"]["Authorization"] == "Bearer tok-abcdef"
