"""Read YAML or JSON text into plain data plus a map of source positions.

YAML is resolved the way JSON would read it (the YAML 1.2 core schema):
``yes``, ``on``, ``no`` and unquoted dates stay strings, and only ``true``,
``false``, ``null``, integers and floats are typed. Duplicate keys (in YAML
and in JSON), keys that are lists or mappings, excessive alias expansion and
oversized files are errors, not hangs. A scalar key that YAML would type
(``200:``) is kept as the string written and listed in ``non_string_keys``.
A UTF-8 byte order mark at the start is ignored.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from arazzo_runner.errors import DocumentError, Location

MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
# Containers nested deeper than this are rejected: later stages walk documents
# recursively, and real descriptions nest a few dozen levels at most.
MAX_DEPTH = 256
# Values built from one document, aliases expanded. The largest real
# description measured, Plaid's OpenAPI description (3.0 MB of YAML), builds
# 66,987 values: this leaves a margin of 30 and still bounds the memory that
# a dense file, such as 64 MB of "[1,1,1,...", could take.
MAX_NODES = 2_000_000
# Values built by expanding YAML aliases, which let a file of a few hundred
# bytes ask for millions. None of the 384 YAML files of the test corpus, the
# specification examples and the benchmark inputs uses an alias, so this is
# room for hand-written anchors of shared snippets. The
# limit keeps the worst case short: bench/alias_limit.py validates an 860-byte
# document whose aliases build 45,663 payload strings full of runtime
# expressions in 3.1 s (0.4 s when most strings are plain), on a 2-core AMD
# EPYC VM. Before this limit, a 640-byte file whose aliases built 4.4 million
# values took 34 s and 386 MB there.
MAX_ALIAS_NODES = 50_000

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
    """A document's data, its URI and where each JSON Pointer sits in the text.

    ``non_string_keys`` lists each YAML key written as another type, such as
    ``1:`` or ``true:``, by its pointer and type name ("a number"). The data
    stores the key as written, a string, because OpenAPI descriptions often
    write response codes that way; validation reports such keys in Arazzo
    documents.
    """

    uri: str
    data: Any
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    non_string_keys: list[tuple[str, str]] = field(default_factory=list)

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
                hint="split the description into files that refer to each other "
                "with $ref",
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DocumentError(
            "file not found", location=Location(name), hint="check the path"
        ) from exc
    except IsADirectoryError as exc:
        raise DocumentError(
            "is a directory, not a file",
            location=Location(name),
            hint="name a YAML or JSON file inside it",
        ) from exc
    except UnicodeDecodeError as exc:
        raise DocumentError(
            f"file is not UTF-8 text: {exc.reason}",
            location=Location(name),
            hint="save the file as UTF-8",
        ) from exc
    except OSError as exc:
        raise DocumentError(
            f"cannot read file: {exc.strerror}",
            location=Location(name),
            hint="check that the file exists and that you may read it",
        ) from exc
    return read_text(text, uri=name)


def _read_text(text: str, *, uri: str) -> ParsedDocument:
    """Parse YAML or JSON text; JSON is tried first because it parses faster.

    Raises:
        DocumentError: the text is not valid YAML or JSON, or breaks a limit.
    """
    if len(text) > MAX_DOCUMENT_BYTES:
        raise DocumentError(
            f"document is too large: the limit is {MAX_DOCUMENT_BYTES} bytes",
            location=Location(uri),
            hint="split the description into files that refer to each other with $ref",
        )
    # Some editors start UTF-8 files with a byte order mark. RFC 8259 lets a
    # JSON parser ignore it and YAML allows it, but json.loads rejects it.
    text = text.removeprefix("\ufeff")
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")) or uri.lower().endswith(".json"):
        try:
            return ParsedDocument(
                uri, json.loads(text, object_pairs_hook=_object_without_duplicates)
            )
        except _DuplicateKeyError as exc:
            raise _duplicate_json_key(text, uri, exc.key) from None
        except json.JSONDecodeError as exc:
            if uri.lower().endswith(".json"):
                raise DocumentError(
                    f"invalid JSON: {exc.msg}",
                    location=Location(uri, None, exc.lineno, exc.colno),
                    hint="check the brackets, commas and quotes near this position",
                ) from exc
            # YAML flow style also starts with a brace: let YAML decide.
    return _read_yaml(text, uri)


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKeyError(key)
            seen.add(key)
    return result


def _duplicate_json_key(text: str, uri: str, key: str) -> DocumentError:
    # Imported here: the scanner imports this module, and only this error
    # needs it.
    from arazzo_runner.document.json_positions import first_duplicate_key

    found = first_duplicate_key(text)
    if found is None:
        location = Location(uri)
    else:
        pointer, (line, column) = found
        key = pointer.rsplit("/", 1)[1].replace("~1", "/").replace("~0", "~")
        location = Location(uri, pointer, line, column)
    return DocumentError(
        f"duplicate key {key!r}",
        location=location,
        hint="remove or rename one of the two entries",
    )


def read_text(text: str, *, uri: str) -> ParsedDocument:
    """Parse YAML or JSON text; JSON is tried first because it parses faster.

    Raises:
        DocumentError: the text is not valid YAML or JSON, or breaks a limit
            (size, alias expansion, nesting depth).
    """
    try:
        document = _read_text(text, uri=uri)
    except RecursionError:
        document = None
    if document is None or _too_deep(document.data):
        raise DocumentError(
            f"document is nested more than {MAX_DEPTH} levels deep",
            location=Location(uri),
            hint="flatten the document; real Arazzo and OpenAPI files nest far less",
        )
    return document


def _too_deep(data: Any) -> bool:
    """Return whether ``data`` nests deeper than ``MAX_DEPTH``, without recursing."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    return False


def _read_yaml(text: str, uri: str) -> ParsedDocument:
    loader = _JsonCompatibleLoader(text)
    document = ParsedDocument(uri, None)
    builder = _EventBuilder(loader, uri, document.positions)
    try:
        document.data = builder.build()
        document.non_string_keys = builder.non_string_keys
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
        raise DocumentError(
            f"invalid YAML: {exc}",
            location=Location(uri),
            hint="check that the file is one YAML or JSON document",
        ) from exc
    finally:
        loader.dispose()
    return document


_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_KEY_TYPES = {
    "tag:yaml.org,2002:int": "a number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "a boolean",
    "tag:yaml.org,2002:null": "null",
}


@dataclass(slots=True)
class _Open:
    """A mapping or sequence whose end event has not arrived yet."""

    value: Any
    pointer: str
    first_count: int
    anchor: str | None
    # Mapping state: the key read and waiting for its value, where that key
    # sits, and the merge-key sources to apply when the mapping ends.
    key: str | None = None
    key_mark: Any = None
    is_merge: bool = False
    merges: list[Any] = field(default_factory=list)


class _EventBuilder:
    """Build data straight from parser events, recording positions.

    Working from events instead of a composed node tree keeps only the data
    in memory. For a 3 MB description this took 0.26 s instead of 0.59 s and
    39 MB less peak memory (PyYAML 6.0 with libyaml, bench/plaid.py input).
    """

    def __init__(
        self, loader: Any, uri: str, positions: dict[str, tuple[int, int]]
    ) -> None:
        self.loader = loader
        self.uri = uri
        self.positions = positions
        self.count = 0
        self.aliased = 0
        self.stack: list[_Open] = []
        # anchor -> (value, number of values it expands to)
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open_anchors: set[str] = set()
        self.root: Any = None
        self.non_string_keys: list[tuple[str, str]] = []

    def build(self) -> Any:
        loader = self.loader
        loader.get_event()  # StreamStart
        if loader.check_event(yaml.StreamEndEvent):
            return None
        loader.get_event()  # DocumentStart
        while not loader.check_event(yaml.DocumentEndEvent):
            self.handle(loader.get_event())
        loader.get_event()  # DocumentEnd
        if not loader.check_event(yaml.StreamEndEvent):
            event = loader.get_event()
            raise yaml.composer.ComposerError(
                "expected a single document in the stream",
                None,
                "but found another document",
                event.start_mark,
            )
        return self.root

    def handle(self, event: Any) -> None:
        kind = type(event)
        if kind is yaml.ScalarEvent:
            self.scalar(event)
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            self.start(event, kind is yaml.MappingStartEvent)
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            self.end()
        elif kind is yaml.AliasEvent:
            self.alias(event)

    # -- values --------------------------------------------------------------

    def scalar(self, event: Any) -> None:
        top = self.stack[-1] if self.stack else None
        if top is not None and isinstance(top.value, dict) and top.key is None:
            self.key(top, event)
            return
        pointer = self.place_pointer(top, event)
        self.counted(pointer, event)
        value = self.scalar_value(event, pointer)
        if event.anchor is not None:
            self.anchors[event.anchor] = (value, 1)
        self.place(top, value)

    def key(self, top: _Open, event: Any) -> None:
        tag = event.tag
        merge = tag == _MERGE_TAG or (
            event.value == "<<" and event.implicit[0] and tag in (None, "!")
        )
        # Keys are compared as written: JSON keys are always strings.
        if not merge and event.value in top.value:
            pointer = f"{top.pointer}/{escape_pointer_segment(event.value)}"
            raise DocumentError(
                f"duplicate key {event.value!r}",
                location=self.location(event.start_mark, pointer),
                hint="remove or rename one of the two entries",
            )
        if not merge:
            self.check_key_type(event, top)
        top.key = event.value
        top.key_mark = event.start_mark
        top.is_merge = merge

    def check_key_type(self, event: Any, top: _Open) -> None:
        """Record a key that YAML reads as a number, boolean or null."""
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        kind = _KEY_TYPES.get(tag)
        if kind is not None:
            pointer = f"{top.pointer}/{escape_pointer_segment(event.value)}"
            self.non_string_keys.append((pointer, kind))

    def start(self, event: Any, is_mapping: bool) -> None:
        top = self.stack[-1] if self.stack else None
        if top is not None and isinstance(top.value, dict) and top.key is None:
            raise DocumentError(
                "mapping keys must be strings",
                location=self.location(event.start_mark, top.pointer),
                hint="write each key as a plain string, not a list or a mapping",
            )
        pointer = self.place_pointer(top, event)
        self.counted(pointer, event)
        tag = event.tag
        if tag is None or tag == "!":
            tag = _MAP_TAG if is_mapping else _SEQ_TAG
        if tag != (_MAP_TAG if is_mapping else _SEQ_TAG):
            raise DocumentError(
                f"unsupported YAML tag {tag!r}",
                location=self.location(event.start_mark, pointer),
                hint="use plain JSON-compatible values",
            )
        value: Any = {} if is_mapping else []
        self.place(top, value)
        if event.anchor is not None:
            self.open_anchors.add(event.anchor)
        self.stack.append(_Open(value, pointer, self.count, event.anchor))

    def end(self) -> None:
        closed = self.stack.pop()
        if isinstance(closed.value, dict):
            # Explicit keys override merged ones, and earlier merge sources
            # override later ones, as the YAML merge-key type specifies.
            for source in closed.merges:
                sources = source if isinstance(source, list) else [source]
                for mapping in sources:
                    if isinstance(mapping, dict):
                        for key, item in mapping.items():
                            closed.value.setdefault(key, copy.deepcopy(item))
        if closed.anchor is not None:
            self.open_anchors.discard(closed.anchor)
            size = self.count - closed.first_count + 1
            self.anchors[closed.anchor] = (closed.value, size)

    def alias(self, event: Any) -> None:
        top = self.stack[-1] if self.stack else None
        if top is not None and isinstance(top.value, dict) and top.key is None:
            raise DocumentError(
                "mapping keys must be strings",
                location=self.location(event.start_mark, top.pointer),
                hint="write each key as a plain string, not a list or a mapping",
            )
        pointer = self.place_pointer(top, event)
        if event.anchor in self.open_anchors:
            raise DocumentError(
                "recursive YAML alias",
                location=self.location(event.start_mark, pointer),
                hint="an alias must not refer to a node that contains it",
            )
        value, size = self.anchors[event.anchor]
        self.count += size
        self.aliased += size
        if self.aliased > MAX_ALIAS_NODES:
            raise DocumentError(
                f"YAML aliases expand to more than {MAX_ALIAS_NODES} values",
                location=self.location(event.start_mark, pointer),
                hint="write the repeated values out, or use fewer aliases",
            )
        self.check_count(event, pointer)
        self.positions.setdefault(
            pointer, (event.start_mark.line + 1, event.start_mark.column + 1)
        )
        self.place(top, copy.deepcopy(value))

    # -- placement -----------------------------------------------------------

    def place_pointer(self, top: _Open | None, event: Any) -> str:
        """Return the pointer of the value an event starts, and record where
        it sits: a mapping member at its key, anything else at its start."""
        if top is None:
            return ""
        if isinstance(top.value, dict):
            pointer = f"{top.pointer}/{escape_pointer_segment(top.key or '')}"
            mark = top.key_mark
            if not top.is_merge:
                self.positions[pointer] = (mark.line + 1, mark.column + 1)
            return pointer
        return f"{top.pointer}/{len(top.value)}"

    def place(self, top: _Open | None, value: Any) -> None:
        if top is None:
            self.root = value
        elif isinstance(top.value, dict):
            if top.is_merge:
                top.merges.append(value)
            else:
                top.value[top.key] = value
            top.key = None
        else:
            top.value.append(value)

    def counted(self, pointer: str, event: Any) -> None:
        self.count += 1
        self.check_count(event, pointer)
        if pointer not in self.positions:
            mark = event.start_mark
            self.positions[pointer] = (mark.line + 1, mark.column + 1)

    def check_count(self, event: Any, pointer: str) -> None:
        if self.count > MAX_NODES:
            raise DocumentError(
                f"document has more than {MAX_NODES} values",
                location=self.location(event.start_mark, pointer),
                hint="split the document into files that refer to each other with $ref",
            )

    def scalar_value(self, event: Any, pointer: str) -> Any:
        tag = event.tag
        value = event.value
        if tag is None or tag == "!":
            tag = self.loader.resolve(yaml.ScalarNode, value, event.implicit)
        plain = event.style in (None, "")
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
            location=self.location(event.start_mark, pointer),
            hint="use plain JSON-compatible values",
        )

    def location(self, mark: Any, pointer: str) -> Location:
        return Location(self.uri, pointer, mark.line + 1, mark.column + 1)
