"""Follow ``$ref`` references inside OpenAPI descriptions, across files."""

from __future__ import annotations

from typing import Any

from arazzo_runner.document.sources import (
    DocumentCache,
    resolve_pointer,
    resolve_uri,
    split_reference,
)
from arazzo_runner.errors import DocumentError, Location

# Reference chains longer than this are treated as loops.
MAX_REFERENCE_HOPS = 64


class RefResolver:
    """Resolve references lazily: circular schemas stay as references."""

    def __init__(self, cache: DocumentCache) -> None:
        self.cache = cache

    def deref(self, node: Any, base_uri: str) -> tuple[Any, str]:
        """Follow ``node``'s ``$ref`` chain and return the target and its URI.

        Raises:
            DocumentError: a reference is broken or loops.
        """
        hops = 0
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            hops += 1
            if hops > MAX_REFERENCE_HOPS:
                raise DocumentError(
                    f"reference loop at {node['$ref']!r}",
                    location=Location(base_uri),
                    hint="make the chain of $refs end at a value, not lead back",
                )
            node, base_uri = self.target(node["$ref"], base_uri)
        return node, base_uri

    def target(self, reference: str, base_uri: str) -> tuple[Any, str]:
        """Return the value a single reference points to, and its document URI."""
        document_part, fragment = split_reference(reference)
        uri = resolve_uri(base_uri, document_part) if document_part else base_uri
        document = self.cache.get(uri, referrer=Location(base_uri))
        try:
            return resolve_pointer(document.data, fragment), uri
        except KeyError:
            raise DocumentError(
                f"reference {reference!r} points to nothing",
                location=Location(base_uri),
                hint="check the JSON Pointer after '#'",
            ) from None

    def expand(
        self, node: Any, base_uri: str, *, _seen: frozenset[str] = frozenset()
    ) -> Any:
        """Return a copy of ``node`` with every reference replaced by its target.

        A reference already being expanded higher up (a circular schema) is
        kept as an empty schema, which accepts anything, instead of recursing.
        """
        if isinstance(node, dict):
            reference = node.get("$ref")
            if isinstance(reference, str):
                # The key is the absolute target, so the same schema reached
                # through different relative spellings is one cycle.
                document_part, fragment = split_reference(reference)
                uri = (
                    resolve_uri(base_uri, document_part) if document_part else base_uri
                )
                key = f"{uri}#{fragment}"
                if key in _seen:
                    return {}
                target, target_uri = self.target(reference, base_uri)
                return self.expand(target, target_uri, _seen=_seen | {key})
            return {k: self.expand(v, base_uri, _seen=_seen) for k, v in node.items()}
        if isinstance(node, list):
            return [self.expand(item, base_uri, _seen=_seen) for item in node]
        return node
