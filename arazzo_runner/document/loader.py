"""Load an Arazzo document with every source description it names.

Arazzo sources are loaded recursively (each with its own base URL, sources
and components); OpenAPI sources are indexed for operation lookup. Every
document is read once per load.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from arazzo_runner.diagnostics import Diagnostic
from arazzo_runner.document.builder import build_document
from arazzo_runner.document.model import Document, SourceDescription
from arazzo_runner.document.reader import ParsedDocument
from arazzo_runner.document.sources import DocumentCache, resolve_uri
from arazzo_runner.errors import DocumentError
from arazzo_runner.openapi.operations import OpenApiSource, index_operations
from arazzo_runner.openapi.ref_check import check_references
from arazzo_runner.openapi.refs import RefResolver


@dataclass(slots=True)
class LoadedDocument:
    """An Arazzo document with its loaded sources, keyed by source name."""

    document: Document
    parsed: ParsedDocument
    openapi: dict[str, OpenApiSource] = field(default_factory=dict)
    arazzo: dict[str, LoadedDocument] = field(default_factory=dict)


@dataclass(slots=True)
class LoadResult:
    """The entry document, everything it loaded, and the problems found."""

    entry: LoadedDocument
    resolver: RefResolver
    diagnostics: list[Diagnostic]


def load(
    uri: str,
    *,
    source_overrides: Mapping[str, str] | None = None,
    cache: DocumentCache | None = None,
) -> LoadResult:
    """Load the Arazzo document at ``uri`` and all of its sources.

    ``source_overrides`` maps a source name of the entry document to another
    path or URL to load it from.

    Raises:
        DocumentError: the entry document itself cannot be read or parsed.
    """
    cache = cache or DocumentCache()
    resolver = RefResolver(cache)
    diagnostics: list[Diagnostic] = []
    entry = _load_arazzo(
        uri, cache, resolver, diagnostics, dict(source_overrides or {}), set()
    )
    return LoadResult(entry, resolver, diagnostics)


def _load_arazzo(
    uri: str,
    cache: DocumentCache,
    resolver: RefResolver,
    diagnostics: list[Diagnostic],
    overrides: dict[str, str],
    loading: set[str],
) -> LoadedDocument:
    parsed = cache.get(uri)
    document, problems = build_document(parsed)
    diagnostics.extend(problems)
    loaded = LoadedDocument(document, parsed)
    loading = loading | {uri}
    names = {source.name for source in document.source_descriptions}
    for name in sorted(set(overrides) - names):
        diagnostics.append(
            Diagnostic(
                # An error, like a misspelt --server name, because the run
                # would otherwise use the description the name was meant to
                # replace.
                "error",
                "unknown-source-override",
                f"--source {name}=...: no source description is named {name!r}",
                parsed.location("/sourceDescriptions"),
                f"name one of: {', '.join(sorted(names)) or '(none)'}",
            )
        )
    for source in document.source_descriptions:
        if not source.url or not source.name:
            continue
        location = parsed.location(f"{source.pointer}/url")
        target = overrides.get(source.name) or resolve_uri(uri, source.url)
        try:
            source_doc = cache.get(target, referrer=location)
        except DocumentError as exc:
            diagnostics.append(
                Diagnostic(
                    "error",
                    "source-unavailable",
                    f"source {source.name!r}: {exc.message}",
                    location,
                    exc.hint
                    or "fix the description, or load a working copy with "
                    f"--source {source.name}=PATH",
                )
            )
            continue
        kind = _source_kind(source, source_doc)
        if kind == "openapi":
            data = source_doc.data if isinstance(source_doc.data, dict) else {}
            problem = _unsupported_openapi(data)
            if problem is not None:
                diagnostics.append(
                    Diagnostic(
                        "error",
                        "source-version",
                        f"source {source.name!r}: {problem}",
                        location,
                        "convert the description to OpenAPI 3.0, 3.1 or 3.2",
                    )
                )
                continue
            openapi = OpenApiSource(source.name, target, data)
            index_operations(openapi, resolver)
            diagnostics.extend(check_references(openapi, cache))
            loaded.openapi[source.name] = openapi
        elif kind == "arazzo":
            if target in loading:
                continue  # Two documents that name each other: load each once.
            loaded.arazzo[source.name] = _load_arazzo(
                target, cache, resolver, diagnostics, {}, loading
            )
        else:
            diagnostics.append(
                Diagnostic(
                    "error",
                    "source-type",
                    f"source {source.name!r} is neither an OpenAPI nor an "
                    "Arazzo document",
                    location,
                    "point the url at an OpenAPI 3.x or Arazzo 1.0.x document",
                )
            )
    return loaded


def _source_kind(source: SourceDescription, parsed: ParsedDocument) -> str | None:
    data = parsed.data
    if source.type:
        return source.type
    # The type is optional and has no default: detect it from the content.
    if isinstance(data, dict):
        if "openapi" in data or "swagger" in data:
            return "openapi"
        if "arazzo" in data:
            return "arazzo"
    return None


def _unsupported_openapi(data: dict[str, object]) -> str | None:
    """Return why an OpenAPI description cannot be used, or ``None``."""
    if "swagger" in data and "openapi" not in data:
        return f"Swagger {data.get('swagger')} descriptions are not supported"
    version = data.get("openapi")
    if not isinstance(version, str) or not version.startswith(("3.0", "3.1", "3.2")):
        return f"OpenAPI version {version!r} is not supported"
    return None
