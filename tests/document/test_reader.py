"""Reading YAML and JSON documents with JSON-compatible scalars."""

from __future__ import annotations

from pathlib import Path

import pytest

from arazzo_runner import DocumentError
from arazzo_runner.document.reader import read_path, read_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v: yes", "yes"),
        ("v: on", "on"),
        ("v: off", "off"),
        ("v: 2024-01-01", "2024-01-01"),
        ("v: '1.0'", "1.0"),
        ("v: 1.0", 1.0),
        ("v: 12", 12),
        ("v: true", True),
        ("v: null", None),
        ("v: ~", None),
        ("v:", None),
    ],
    ids=[
        "yes",
        "on",
        "off",
        "date",
        "quoted",
        "float",
        "int",
        "true",
        "null",
        "tilde",
        "empty",
    ],
)
def test_scalars_resolve_like_json(text: str, expected: object) -> None:
    assert read_text(text, uri="t.yaml").data == {"v": expected}


def test_positions_are_recorded() -> None:
    document = read_text("a:\n  b: [1, 2]\n", uri="t.yaml")
    assert document.positions["/a/b/1"] == (2, 10)


def test_location_falls_back_to_parent() -> None:
    document = read_text("a:\n  b: 1\n", uri="t.yaml")
    assert document.location("/a/b/c").line == 2


def test_duplicate_key_is_error() -> None:
    with pytest.raises(DocumentError, match="duplicate key 'a'") as caught:
        read_text("a: 1\na: 2\n", uri="t.yaml")
    assert caught.value.location.line == 2


def test_invalid_yaml_names_position() -> None:
    with pytest.raises(DocumentError, match="invalid YAML") as caught:
        read_text("a: [1, 2\nb: 3\n", uri="t.yaml")
    assert caught.value.location.line is not None


def test_alias_bomb_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("arazzo_runner.document.reader.MAX_NODES", 1000)
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for index in range(1, 6):
        previous = chr(ord("a") + index - 1)
        name = chr(ord("a") + index)
        lines.append(
            f"{name}: &{name} [*{previous}, *{previous}, *{previous}, *{previous}]"
        )
    with pytest.raises(DocumentError, match="more than 1000 values"):
        read_text("\n".join(lines), uri="t.yaml")


def _alias_levels(levels: int, copies: int) -> str:
    """Return YAML whose aliases build 10 * 11 + 10 * 111 + ... values, then
    ``copies`` more aliases of the last level."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, levels + 1):
        aliases = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{aliases}]")
    lines.append(f"b: [{', '.join([f'*a{levels}'] * copies)}]")
    return "\n".join(lines) + "\n"


def test_alias_expansion_past_limit_is_rejected() -> None:
    # 12,320 values in the levels and 4 * 11,111 in b: 56,764 in all.
    with pytest.raises(DocumentError, match="aliases expand to more than 50000"):
        read_text(_alias_levels(3, 4), uri="t.yaml")


def test_alias_expansion_under_limit_is_read() -> None:
    # 12,320 values in the levels and 3 * 11,111 in b: 45,653 in all.
    document = read_text(_alias_levels(3, 3), uri="t.yaml")
    assert len(document.data["b"]) == 3


def test_merge_keys_are_expanded() -> None:
    document = read_text(
        "base: &b {x: 1, y: 2}\nitem:\n  <<: *b\n  y: 3\n", uri="t.yaml"
    )
    assert document.data["item"] == {"x": 1, "y": 3}


def test_json_text_is_read() -> None:
    assert read_text('{"a": [1, 2]}', uri="t.json").data == {"a": [1, 2]}


def test_missing_file_is_error(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="file not found"):
        read_path(tmp_path / "none.yaml")


def test_custom_tag_is_error() -> None:
    with pytest.raises(DocumentError, match="unsupported YAML tag"):
        read_text("a: !!python/object:os.system x\n", uri="t.yaml")


def test_custom_mapping_tag_is_error() -> None:
    with pytest.raises(DocumentError, match="unsupported YAML tag"):
        read_text("a: !!python/object/apply:os.system {args: [x]}\n", uri="t.yaml")


def test_invalid_json_file_says_json(tmp_path: Path) -> None:
    path = tmp_path / "inputs.json"
    path.write_text('{"a": ')
    with pytest.raises(DocumentError, match="invalid JSON") as caught:
        read_path(path)
    assert caught.value.location.line == 1


def test_deep_json_is_error() -> None:
    with pytest.raises(DocumentError, match="nested more than"):
        read_text("[" * 100_000 + "]" * 100_000, uri="deep.json")
