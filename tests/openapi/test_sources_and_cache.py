"""URI resolution, operationPath parsing, references and the parse cache."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from arazzo_runner.document import cache
from arazzo_runner.document.sources import DocumentCache, resolve_uri
from arazzo_runner.errors import DocumentError, Location
from arazzo_runner.openapi.operations import parse_operation_path
from arazzo_runner.openapi.refs import RefResolver
from tests.support.http_server import ScriptedServer


@pytest.mark.parametrize(
    ("base", "reference", "expected"),
    [
        ("/docs/flows/a.yaml", "../apis/b.yaml", "/docs/apis/b.yaml"),
        ("/docs/a.yaml", "/abs/b.yaml", "/abs/b.yaml"),
        ("/docs/a.yaml", "file:///abs/my%20b.yaml", "/abs/my b.yaml"),
        ("https://h/specs/a.yaml", "b.yaml", "https://h/specs/b.yaml"),
        ("https://h/specs/a.yaml", "../b.yaml", "https://h/b.yaml"),
        ("/docs/a.yaml", "https://h/b.yaml", "https://h/b.yaml"),
    ],
    ids=[
        "relative",
        "absolute",
        "file-url",
        "remote-relative",
        "remote-parent",
        "remote",
    ],
)
def test_resolve_uri(base: str, reference: str, expected: str) -> None:
    assert resolve_uri(base, reference) == expected


@pytest.mark.parametrize(
    ("text", "name", "pointer", "standard"),
    [
        (
            "{$sourceDescriptions.api.url}#/paths/~1pets/get",
            "api",
            "/paths/~1pets/get",
            True,
        ),
        (
            "{$sourceDescriptions.api.url}#/paths/~1p~1%7Bid%7D/get",
            "api",
            "/paths/~1p~1{id}/get",
            True,
        ),
        (
            "$sourceDescriptions.api#/paths/~1pets/get",
            "api",
            "/paths/~1pets/get",
            False,
        ),
        ("api#/paths/~1pets/get", "api", "/paths/~1pets/get", False),
    ],
    ids=["standard", "percent-encoded", "no-braces", "bare-name"],
)
def test_parse_operation_path(
    text: str, name: str, pointer: str, standard: bool
) -> None:
    parts = parse_operation_path(text)
    assert parts is not None
    assert (parts.source_name, parts.pointer, parts.standard) == (
        name,
        pointer,
        standard,
    )


@pytest.mark.parametrize(
    "text", ["POST /pets", "/pets", "{$sourceDescriptions.api.url}"]
)
def test_parse_operation_path_rejects(text: str) -> None:
    assert parse_operation_path(text) is None


def test_external_and_circular_references(tmp_path: Path) -> None:
    (tmp_path / "schemas.yaml").write_text(
        yaml.safe_dump(
            {
                "Node": {
                    "type": "object",
                    "properties": {
                        "next": {"$ref": "#/Node"},
                        "leaf": {"$ref": "leaf.json"},
                    },
                }
            }
        )
    )
    (tmp_path / "leaf.json").write_text(json.dumps({"type": "string"}))
    resolver = RefResolver(DocumentCache())
    base = str(tmp_path / "openapi.yaml")
    expanded = resolver.expand({"$ref": "schemas.yaml#/Node"}, base)
    assert expanded["properties"]["leaf"] == {"type": "string"}
    assert expanded["properties"]["next"] == {}


def test_broken_reference_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("a: 1\n")
    resolver = RefResolver(DocumentCache())
    with pytest.raises(DocumentError, match="points to nothing"):
        resolver.target("a.yaml#/b", str(tmp_path / "openapi.yaml"))


def test_document_cache_reads_once(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("a: 1\n")
    documents = DocumentCache()
    first = documents.get(str(path))
    path.write_text("a: 2\n")
    assert documents.get(str(path)) is first


def big_yaml(size: int) -> str:
    lines = [f"key{i}: value {i}" for i in range(size // 16)]
    return "\n".join(lines) + "\n"


def test_parse_cache_round_trip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, str(folder))
    path = tmp_path / "big.yaml"
    path.write_text(big_yaml(cache.MIN_CACHED_BYTES * 2))
    first = DocumentCache().get(str(path))
    entries = list(folder.iterdir())
    assert len(entries) == 1
    second = DocumentCache().get(str(path))
    assert second.data == first.data
    assert second.positions == first.positions
    assert second.location("/key3") == first.location("/key3")


def test_parse_cache_keeps_non_string_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, str(tmp_path / "cache"))
    path = tmp_path / "big.yaml"
    path.write_text("200: ok\n" + big_yaml(cache.MIN_CACHED_BYTES * 2))
    DocumentCache().get(str(path))
    second = DocumentCache().get(str(path))
    assert second.non_string_keys == [("/200", "a number")]


def test_parse_cache_skips_small_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, str(folder))
    path = tmp_path / "small.yaml"
    path.write_text("a: 1\n")
    DocumentCache().get(str(path))
    assert not folder.exists()


def test_parse_cache_ignores_corrupt_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, str(folder))
    path = tmp_path / "big.yaml"
    path.write_text(big_yaml(cache.MIN_CACHED_BYTES * 2))
    DocumentCache().get(str(path))
    (entry,) = folder.iterdir()
    entry.write_text("{truncated")
    assert DocumentCache().get(str(path)).data["key1"] == "value 1"


def test_parse_cache_new_entry_after_edit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, str(folder))
    path = tmp_path / "big.yaml"
    path.write_text(big_yaml(cache.MIN_CACHED_BYTES * 2))
    DocumentCache().get(str(path))
    path.write_text(big_yaml(cache.MIN_CACHED_BYTES * 2) + "extra: 1\n")
    assert DocumentCache().get(str(path)).data["extra"] == 1
    assert len(list(folder.iterdir())) == 2


@pytest.mark.parametrize("setting", ["off", ""])
def test_parse_cache_turned_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str
) -> None:
    monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, setting)
    assert cache.cache_dir() is None


def test_parse_cache_default_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(cache.CACHE_DIR_VARIABLE)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "arazzo-runner"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / ".cache" / "arazzo-runner"


def test_missing_remote_source_keeps_source_hint(api_server: ScriptedServer) -> None:
    url = f"{api_server.url}/specs/openapi.yaml"
    with pytest.raises(DocumentError) as caught:
        DocumentCache().get(url, referrer=Location("flow.arazzo.yaml"))
    assert caught.value.message == (
        f"cannot fetch {url!r}: the server responded with status 404 Not Found"
    )
    assert caught.value.hint is not None
    assert "--source NAME=PATH" in caught.value.hint
