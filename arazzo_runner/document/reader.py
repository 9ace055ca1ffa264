"""Read YAML or JSON text into plain data plus a map of source positions.

YAML is resolved the way JSON would read it (the YAML 1.2 core schema):
``yes``, ``on``, ``no`` and unquoted dates stay strings, and only ``true``,
``false``, ``null``, integers and floats are typed. Duplicate keys, non-string
keys, excessive alias expansion and oversized files are errors, not hangs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from arazzo_runner.errors import DocumentError, Location

MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
# Nodes built from one document, aliases expanded: far above any real
# description (a 3 MB OpenAPI file builds about 400,000) and far below what an
# alias bomb tries to build.
MAX_NODES = 5_000_000

_BaseLoader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _JsonCompatibleLoader(_BaseLoader):  # type: ignore[misc]
    """A safe loader whose implicit types are those of JSON (YAML 1.2 core)."""


_JsonCompatibleLoader.yaml_implicit_resolvers = {}
_IMPLICIT = [
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", "~nN"),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    (
        "tag:yaml.org,2002:int",
        r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$",
        "-+0123456789",
    ),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
]
for _tag, _pattern, _first in _IMPLICIT:
    _JsonCompatibleLoader.add_implicit_resolver(
        _tag, re.compile(_pattern), list(_first)
    )


@dataclass(slots=True)
class ParsedDocument:
    """A document's data, its URI and where each JSON Pointer sits in the text."""

    uri: str
    data: Any
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)

    def location(self, pointer: str) -> Location:
        """Return the location of ``pointer``, with the nearest known position."""
        probe = pointer
        while True:
            position = self.positions.get(probe)
            if position is not None:
                return Location(self.uri, pointer, position[0], position[1])
            if not probe:
                return Location(self.uri, pointer)
            probe = probe.rsplit("/", 1)[0]


def escape_pointer_segment(segment: str | int) -> str:
    """Escape one JSON Pointer segment as RFC 6901 requires."""
    return str(segment).replace("~", "~0").replace("/", "~1")


def read_path(path: Path, *, display_name: str | None = None) -> ParsedDocument:
    """Read a YAML or JSON file.

    Raises:
        DocumentError: the file is missing, too large or not valid YAML/JSON.
    """
    name = display_name or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise DocumentError(
                f"file is too large: {size} bytes, the limit is {MAX_DOCUMENT_BYTES}",
                location=Location(name),
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DocumentError(
            "file not found", location=Location(name), hint="check the path"
        ) from exc
    except IsADirectoryError as exc:
        raise DocumentError(
            "is a directory, not a file", location=Location(name)
        ) from exc
    except UnicodeDecodeError as exc:
        raise DocumentError(
            f"file is not UTF-8 text: {exc.reason}", location=Location(name)
        ) from exc
    except OSError as exc:
        raise DocumentError(
            f"cannot read file: {exc.strerror}", location=Location(name)
        ) from exc
    return read_text(text, uri=name)


def read_text(text: str, *, uri: str) -> ParsedDocument:
    """Parse YAML or JSON text; JSON is tried first because it parses faster.

    Raises:
        DocumentError: the text is not valid YAML or JSON, or breaks a limit.
    """
    if len(text) > MAX_DOCUMENT_BYTES:
        raise DocumentError("document is too large", location=Location(uri))
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")) or uri.lower().endswith(".json"):
        try:
            return ParsedDocument(uri, json.loads(text))
        except json.JSONDecodeError as exc:
            if uri.lower().endswith(".json"):
                raise DocumentError(
                    f"invalid JSON: {exc.msg}",
                    location=Location(uri, None, exc.lineno, exc.colno),
                    hint="check the brackets, commas and quotes near this position",
                ) from exc
            # YAML flow style also starts with a brace: let YAML decide.
    return _read_yaml(text, uri)


def _read_yaml(text: str, uri: str) -> ParsedDocument:
    try:
        node = yaml.compose(text, Loader=_JsonCompatibleLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise DocumentError(
            f"invalid YAML: {problem}",
            location=Location(uri, None, line, column),
            hint="check the indentation and quoting near this position",
        ) from exc
    except yaml.YAMLError as exc:
        raise DocumentError(f"invalid YAML: {exc}", location=Location(uri)) from exc
    document = ParsedDocument(uri, None)
    if node is not None:
        builder = _Builder(uri, document.positions)
        document.data = builder.build(node, "")
    return document


class _Builder:
    """Turn a composed YAML node tree into data, recording positions."""

    def __init__(self, uri: str, positions: dict[str, tuple[int, int]]) -> None:
        self.uri = uri
        self.positions = positions
        self.count = 0
        self.active: set[int] = set()

    def build(self, node: yaml.Node, pointer: str) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise DocumentError(
                f"document expands to more than {MAX_NODES} values",
                location=self._location(node, pointer),
                hint="reduce the use of YAML aliases",
            )
        if pointer not in self.positions:
            mark = node.start_mark
            self.positions[pointer] = (mark.line + 1, mark.column + 1)
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, pointer)
        if id(node) in self.active:
            raise DocumentError(
                "recursive YAML alias",
                location=self._location(node, pointer),
                hint="an alias must not refer to a node that contains it",
            )
        if node.tag not in ("tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"):
            raise DocumentError(
                f"unsupported YAML tag {node.tag!r}",
                location=self._location(node, pointer),
                hint="use plain JSON-compatible values",
            )
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [
                    self.build(item, f"{pointer}/{index}")
                    for index, item in enumerate(node.value)
                ]
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, pointer)
        finally:
            self.active.discard(id(node))
        raise DocumentError(
            "unsupported YAML node", location=self._location(node, pointer)
        )

    def _mapping(self, node: yaml.MappingNode, pointer: str) -> dict[str, Any]:
        result: dict[str, Any] = {}
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node, from_merge in _pairs(node):
            if not isinstance(key_node, yaml.ScalarNode):
                raise DocumentError(
                    "mapping keys must be strings",
                    location=self._location(key_node, pointer),
                )
            # Keys are compared as written: JSON keys are always strings.
            key = key_node.value
            if from_merge:
                merged.append((key_node, value_node))
                continue
            if key in result:
                raise DocumentError(
                    f"duplicate key {key!r}",
                    location=self._location(key_node, pointer),
                    hint="remove or rename one of the two entries",
                )
            child = f"{pointer}/{escape_pointer_segment(key)}"
            mark = key_node.start_mark
            self.positions[child] = (mark.line + 1, mark.column + 1)
            result[key] = self.build(value_node, child)
        for key_node, value_node in merged:
            key = key_node.value
            if key not in result:
                child = f"{pointer}/{escape_pointer_segment(key)}"
                result[key] = self.build(value_node, child)
        return result

    def _scalar(self, node: yaml.ScalarNode, pointer: str) -> Any:
        tag = node.tag
        value = node.value
        plain = node.style in (None, "")
        if tag == "tag:yaml.org,2002:str":
            # An empty plain scalar (``key:`` with nothing after it) is null;
            # the C parser resolves it as a string.
            return None if plain and value == "" else value
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            return value.lower() == "true"
        if tag == "tag:yaml.org,2002:int":
            if value.startswith("0o"):
                return int(value[2:], 8)
            if value.startswith("0x"):
                return int(value[2:], 16)
            return int(value)
        if tag == "tag:yaml.org,2002:float":
            lowered = value.lower()
            if lowered.endswith("inf"):
                return float("-inf") if value.startswith("-") else float("inf")
            if lowered == ".nan":
                return float("nan")
            return float(value)
        raise DocumentError(
            f"unsupported YAML tag {tag!r}",
            location=self._location(node, pointer),
            hint="use plain JSON-compatible values",
        )

    def _location(self, node: yaml.Node, pointer: str) -> Location:
        mark = node.start_mark
        return Location(self.uri, pointer, mark.line + 1, mark.column + 1)


def _pairs(node: yaml.MappingNode) -> Iterator[tuple[yaml.Node, yaml.Node, bool]]:
    """Yield key and value nodes and whether each came through a merge key.

    Explicit keys override merged ones, as the YAML merge-key type specifies.
    """
    for key_node, value_node in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge" or (
            isinstance(key_node, yaml.ScalarNode)
            and key_node.value == "<<"
            and key_node.style in (None, "")
        ):
            sources = (
                value_node.value
                if isinstance(value_node, yaml.SequenceNode)
                else [value_node]
            )
            for source in sources:
                if isinstance(source, yaml.MappingNode):
                    for key, value, _ in _pairs(source):
                        yield key, value, True
            continue
        yield key_node, value_node, False
