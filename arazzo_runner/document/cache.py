"""Parsed documents kept on disk between runs, keyed by a hash of their bytes.

Parsing a large YAML description takes most of a run's time: 0.26 s for a
3 MB file with libyaml on a 2.6 GHz Xeon, against about 0.03 s for reading
the cached JSON of the same data. Entries are named by the SHA-256 of the document's
bytes, so an edited file is simply a new entry, and a stale entry is never
read. Only documents of at least :data:`MIN_CACHED_BYTES` are cached.

The folder is ``$ARAZZO_RUNNER_CACHE_DIR`` when set, else
``$XDG_CACHE_HOME/arazzo-runner``, else ``~/.cache/arazzo-runner``. Setting
``ARAZZO_RUNNER_CACHE_DIR`` to ``off`` (or to an empty string) turns the
cache off. The cache is an optimisation only: a folder that cannot be
written, or an entry that cannot be read, is logged and ignored.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from arazzo_runner.document.reader import ParsedDocument

logger = logging.getLogger(__name__)

CACHE_DIR_VARIABLE = "ARAZZO_RUNNER_CACHE_DIR"
MIN_CACHED_BYTES = 256 * 1024
# Bump when the reader's output changes, so that old entries are not read.
FORMAT_VERSION = 3


def cache_dir() -> Path | None:
    """Return the cache folder, or ``None`` when caching is turned off."""
    configured = os.environ.get(CACHE_DIR_VARIABLE)
    if configured is not None:
        if configured.strip().lower() in ("", "off"):
            return None
        return Path(configured).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "arazzo-runner"


def _entry(content: bytes) -> Path | None:
    folder = cache_dir()
    if folder is None or len(content) < MIN_CACHED_BYTES:
        return None
    digest = hashlib.sha256(content).hexdigest()
    return folder / f"v{FORMAT_VERSION}-{digest}.json"


def load_cached(content: bytes, uri: str) -> ParsedDocument | None:
    """Return the cached parse of ``content`` as a document at ``uri``, if any."""
    entry = _entry(content)
    if entry is None:
        return None
    try:
        text = entry.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        logger.debug("cannot read cache entry %s: %s", entry, exc)
        return None
    data_text, separator, rest = text.partition("\n")
    positions_text, keys_separator, keys_text = rest.partition("\n")
    try:
        if not separator or not keys_separator:
            raise ValueError("the entry has no positions or keys line")
        data = json.loads(data_text)
        keys = [(str(pointer), str(kind)) for pointer, kind in json.loads(keys_text)]
    except (ValueError, TypeError) as exc:
        logger.debug("ignoring invalid cache entry %s: %s", entry, exc)
        return None
    logger.debug("read %s from the cache (%s)", uri, entry.name)
    return ParsedDocument(uri, data, _LazyPositions(positions_text), keys)


def store(content: bytes, document: ParsedDocument) -> None:
    """Write the parse of ``content`` to the cache; failures are only logged."""
    entry = _entry(content)
    if entry is None:
        return
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        # Write to a temporary file and rename it, so that a concurrent run
        # never reads half an entry.
        handle, temporary = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                # One line each of data, positions and non-string keys. JSON
                # text never contains a raw line break, so the lines split.
                json.dump(
                    document.data, file, ensure_ascii=False, separators=(",", ":")
                )
                file.write("\n")
                json.dump(document.positions, file, separators=(",", ":"))
                file.write("\n")
                json.dump(document.non_string_keys, file, separators=(",", ":"))
            os.replace(temporary, entry)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except (OSError, TypeError, ValueError) as exc:
        logger.debug("cannot write cache entry %s: %s", entry, exc)


class _LazyPositions(dict[str, tuple[int, int]]):
    """Positions parsed from their JSON text on first use.

    Only error messages read positions, so a run that finds no problem never
    pays for parsing them (about a third of a large entry).
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text: str | None = text

    def _load(self) -> None:
        if self._text is None:
            return
        text, self._text = self._text, None
        try:
            stored = json.loads(text)
            for pointer, (line, column) in stored.items():
                super().__setitem__(pointer, (int(line), int(column)))
        except (ValueError, TypeError, AttributeError) as exc:
            logger.debug("ignoring invalid cached positions: %s", exc)

    def get(self, key: str, default: Any = None) -> Any:
        self._load()
        return super().get(key, default)

    def __getitem__(self, key: str) -> tuple[int, int]:
        self._load()
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self._load()
        return super().__contains__(key)

    def __iter__(self) -> Iterator[str]:
        self._load()
        return super().__iter__()

    def __len__(self) -> int:
        self._load()
        return super().__len__()

    def __eq__(self, other: object) -> bool:
        self._load()
        return super().__eq__(other)

    def items(self) -> Any:
        self._load()
        return super().items()

    def keys(self) -> Any:
        self._load()
        return super().keys()

    def values(self) -> Any:
        self._load()
        return super().values()
