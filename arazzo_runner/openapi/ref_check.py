"""Find every broken ``$ref`` in the parts of an OpenAPI description the runner
uses: path items and everything they reach (operations, parameters, request
bodies, responses and their schemas), and the security schemes.

Each reference target is walked once, in other files too, so the check
reads each reachable value about once. A broken reference is reported
where its ``$ref`` is written, in whichever file that is.
"""

from __future__ import annotations

from typing import Any

from arazzo_runner.diagnostics import Diagnostic
from arazzo_runner.document.reader import escape_pointer_segment
from arazzo_runner.document.sources import (
    DocumentCache,
    resolve_pointer,
    resolve_uri,
    split_reference,
)
from arazzo_runner.errors import DocumentError
from arazzo_runner.openapi.operations import OpenApiSource
from arazzo_runner.openapi.refs import MAX_REFERENCE_HOPS

# Members whose values are example data or features that the runner does not
# use (callbacks, links). A "$ref" inside them, or inside an "x-" extension,
# is not followed.
_SKIPPED_MEMBERS = frozenset(
    {"example", "examples", "default", "enum", "const", "callbacks", "links"}
)


def check_references(source: OpenApiSource, cache: DocumentCache) -> list[Diagnostic]:
    """Return one error per broken or looping ``$ref`` that ``source`` uses."""
    checker = _Checker(source, cache)
    data = source.data
    checker.walk(data.get("paths"), source.uri, "/paths")
    components = data.get("components")
    if isinstance(components, dict):
        checker.walk(
            components.get("securitySchemes"),
            source.uri,
            "/components/securitySchemes",
        )
    return checker.found


class _Checker:
    def __init__(self, source: OpenApiSource, cache: DocumentCache) -> None:
        self.source = source
        self.cache = cache
        self.found: list[Diagnostic] = []
        # Reference targets already walked or queued, by document and pointer.
        # Below a target the walk follows the tree, so only targets need this.
        self.targets: set[tuple[str, str]] = set()
        self.reported: set[tuple[str, str]] = set()

    def walk(self, node: Any, uri: str, pointer: str) -> None:
        pending = [(node, uri, pointer)]
        while pending:
            current, current_uri, current_pointer = pending.pop()
            if isinstance(current, dict):
                reference = current.get("$ref")
                if isinstance(reference, str):
                    target = self.follow(reference, current_uri, current_pointer)
                    if target is not None and target[1:] not in self.targets:
                        self.targets.add(target[1:])
                        pending.append(target)
                # Scalars hold no reference, so only containers are queued.
                for key, value in current.items():
                    if not isinstance(value, (dict, list)):
                        continue
                    if key in _SKIPPED_MEMBERS or key.startswith("x-"):
                        continue
                    child = f"{current_pointer}/{escape_pointer_segment(key)}"
                    pending.append((value, current_uri, child))
            elif isinstance(current, list):
                pending.extend(
                    (item, current_uri, f"{current_pointer}/{index}")
                    for index, item in enumerate(current)
                    if isinstance(item, (dict, list))
                )

    def follow(
        self, reference: str, uri: str, pointer: str
    ) -> tuple[Any, str, str] | None:
        """Return the target of one reference, or report why there is none."""
        at = f"{pointer}/$ref"
        try:
            target, target_uri, fragment = self.target(reference, uri)
        except DocumentError as exc:
            self.report(
                uri,
                at,
                f"reference {reference!r}: {exc.message}",
                "fix the file name before '#', which is relative to this file",
            )
            return None
        except KeyError:
            self.report(
                uri,
                at,
                f"reference {reference!r} points to nothing",
                "check the file name and the JSON Pointer after '#'",
            )
            return None
        if self.loops(target, target_uri):
            self.report(
                uri,
                at,
                f"reference {reference!r} starts a loop of references",
                "make the chain of $refs end at a value, not lead back",
            )
            return None
        return target, target_uri, fragment

    def target(self, reference: str, uri: str) -> tuple[Any, str, str]:
        """Return the value a reference names, its document and its pointer.

        Raises:
            DocumentError: the document cannot be read.
            KeyError: the pointer reaches no value.
        """
        document_part, fragment = split_reference(reference)
        target_uri = resolve_uri(uri, document_part) if document_part else uri
        document = self.cache.get(target_uri)
        return resolve_pointer(document.data, fragment), target_uri, fragment

    def loops(self, node: Any, uri: str) -> bool:
        """Return whether a chain of references that start at ``node`` loops."""
        seen: set[tuple[str, str]] = set()
        for _ in range(MAX_REFERENCE_HOPS):
            reference = node.get("$ref") if isinstance(node, dict) else None
            if not isinstance(reference, str):
                return False
            try:
                node, uri, fragment = self.target(reference, uri)
            except (DocumentError, KeyError):
                return False  # The broken reference is reported where it sits.
            if (uri, fragment) in seen:
                return True
            seen.add((uri, fragment))
        return True

    def report(self, uri: str, pointer: str, message: str, hint: str) -> None:
        if (uri, pointer) in self.reported:
            return
        self.reported.add((uri, pointer))
        location = self.cache.get(uri).location(pointer)
        self.found.append(
            Diagnostic(
                "error",
                "source-reference",
                f"source {self.source.name!r}: {message}",
                location,
                hint,
            )
        )
