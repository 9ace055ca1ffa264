"""Load documents by URI: the entry document, its source descriptions and refs.

A URI here is either an absolute ``http(s)`` URL or a local file path. A
relative reference is resolved against the URI of the document that contains
it (RFC 3986), never against the working directory.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from arazzo_runner.document.cache import load_cached, store
from arazzo_runner.document.reader import ParsedDocument, read_path, read_text
from arazzo_runner.errors import DocumentError, Location

logger = logging.getLogger(__name__)

FETCH_TIMEOUT_SECONDS = 30.0


def is_remote(uri: str) -> bool:
    """Return whether ``uri`` is an http(s) URL."""
    return uri.startswith(("http://", "https://"))


def resolve_uri(base: str, reference: str) -> str:
    """Resolve ``reference`` against the URI of the document that contains it."""
    if is_remote(reference):
        return reference
    if reference.startswith("file://"):
        return unquote(urlsplit(reference).path)
    if is_remote(base):
        return urljoin(base, reference)
    path = unquote(reference.split("#", 1)[0])
    if os.path.isabs(path):
        return os.path.normpath(path)
    return os.path.normpath(os.path.join(os.path.dirname(base), path))


class DocumentCache:
    """Documents read during one load, each read once, keyed by URI."""

    def __init__(self) -> None:
        self._documents: dict[str, ParsedDocument] = {}
        # The key of each local document by its absolute path, because local
        # keys are relative when the entry document's path is.
        self._local_keys: dict[str, str] = {}

    def get(self, uri: str, *, referrer: Location | None = None) -> ParsedDocument:
        """Return the parsed document at ``uri``, reading it on first use.

        Raises:
            DocumentError: the document cannot be read or parsed; the error
                names ``referrer`` when the file itself is missing.
        """
        document = self._documents.get(uri)
        if document is None:
            document = _read_uri(uri, referrer)
            self._add(uri, document)
        return document

    def get_url(self, url: str) -> ParsedDocument:
        """Return the document at an absolute ``http(s)`` or ``file`` URL.

        A ``file`` URL finds a document that was read under a relative path,
        so that no file is read twice.

        Raises:
            DocumentError: the document cannot be read or parsed.
        """
        if not url.startswith("file:"):
            return self.get(url)
        path = os.path.abspath(unquote(urlsplit(url).path))
        return self.get(self._local_keys.get(path, path))

    def cached(self, uri: str) -> ParsedDocument | None:
        """Return the document at ``uri`` if it has been read, without reading it."""
        return self._documents.get(uri)

    def put(self, document: ParsedDocument) -> None:
        """Add an already parsed document."""
        self._add(document.uri, document)

    def _add(self, uri: str, document: ParsedDocument) -> None:
        self._documents[uri] = document
        if not is_remote(uri):
            self._local_keys.setdefault(os.path.abspath(uri), uri)


def _read_uri(uri: str, referrer: Location | None) -> ParsedDocument:
    if is_remote(uri):
        text = _fetch(uri, referrer)
        content = text.encode()
        cached = load_cached(content, uri)
        if cached is not None:
            return cached
        document = read_text(text, uri=uri)
        store(content, document)
        return document
    path = Path(uri)
    if not path.exists():
        where = referrer or Location(uri)
        raise DocumentError(
            f"cannot read {uri!r}: file not found",
            location=where,
            # Without a referrer this is the document named on the command
            # line, which --source cannot replace.
            hint="fix the URL, or load the description from another place "
            "with --source NAME=PATH"
            if referrer is not None
            else "check the path; a relative path is read from the current folder",
        )
    try:
        content = path.read_bytes()
    except OSError:
        return read_path(path, display_name=uri)  # It raises the right error.
    cached = load_cached(content, uri)
    if cached is not None:
        return cached
    document = read_path(path, display_name=uri)
    store(content, document)
    return document


def _fetch(url: str, referrer: Location | None) -> str:
    import httpx  # Imported here: only remote descriptions need it this early.

    logger.info("fetching %s", url)
    # Only source descriptions can be replaced with --source, not the entry
    # document, which is the one fetched without a referrer.
    hint = "check the URL"
    if referrer is not None:
        hint += ", or load a local copy with --source NAME=PATH"
    try:
        response = httpx.get(url, timeout=FETCH_TIMEOUT_SECONDS, follow_redirects=True)
    except httpx.HTTPError as exc:
        raise DocumentError(
            f"cannot fetch {url!r}: {exc}",
            location=referrer or Location(url),
            hint=hint,
        ) from exc
    if not response.is_success:
        raise DocumentError(
            f"cannot fetch {url!r}: the server responded with status "
            f"{response.status_code} {response.reason_phrase}".rstrip(),
            location=referrer or Location(url),
            hint=hint,
        )
    return response.text


def split_reference(reference: str) -> tuple[str, str]:
    """Split a ``$ref`` value into its document part and its fragment."""
    document, _, fragment = reference.partition("#")
    return document, unquote(fragment)


def resolve_pointer(data: Any, pointer: str) -> Any:
    """Return the value at an RFC 6901 pointer.

    Raises:
        KeyError: the pointer reaches no value.
    """
    if pointer in ("", "/"):
        return data
    if not pointer.startswith("/"):
        raise KeyError(pointer)
    current = data
    for raw in pointer[1:].split("/"):
        segment = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(current, dict) and segment in current:
            current = current[segment]
        elif (
            isinstance(current, list)
            and segment.isdigit()
            and int(segment) < len(current)
        ):
            current = current[int(segment)]
        else:
            raise KeyError(pointer)
    return current
