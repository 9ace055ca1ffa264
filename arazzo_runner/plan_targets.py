"""Resolve what steps and actions name: operations and workflows.

Each function reports problems through a :class:`Reporter` and returns
``None`` when the target cannot be resolved.
"""

from __future__ import annotations

from typing import Protocol

from arazzo_runner.document.loader import LoadedDocument
from arazzo_runner.errors import Location
from arazzo_runner.openapi.operations import Operation, parse_operation_path

_SOURCE_PREFIX = "$sourceDescriptions."


class Reporter(Protocol):
    """Receives the problems found while resolving a target."""

    def error(
        self,
        loaded: LoadedDocument,
        pointer: str,
        code: str,
        message: str,
        hint: str | None = None,
    ) -> None:
        """Record an error at ``pointer`` of ``loaded``."""

    def warning(
        self,
        loaded: LoadedDocument,
        pointer: str,
        code: str,
        message: str,
        hint: str | None = None,
    ) -> None:
        """Record a warning at ``pointer`` of ``loaded``."""


def unavailable_sources(loaded: LoadedDocument) -> set[str]:
    """Return the names of declared sources that failed to load.

    The loader has reported each one; references into them cannot be
    checked, so they are not reported again.
    """
    return {
        source.name
        for source in loaded.document.source_descriptions
        if source.name not in loaded.openapi and source.name not in loaded.arazzo
    }


def find_workflow(
    report: Reporter, loaded: LoadedDocument, prefix: str, reference: str, pointer: str
) -> str | None:
    """Return the plan key of the workflow ``reference`` names, or report why not."""
    if reference.startswith(_SOURCE_PREFIX):
        rest = reference[len(_SOURCE_PREFIX) :]
        name, _, workflow_id = rest.partition(".")
        child = loaded.arazzo.get(name)
        if child is None and name in unavailable_sources(loaded):
            return None
        if child is None:
            report.error(
                loaded,
                pointer,
                "workflow-target",
                f"{reference!r} names no Arazzo source {name!r}",
                "declare the document under sourceDescriptions with type: arazzo",
            )
            return None
        if child.document.workflow(workflow_id) is None:
            report.error(
                loaded,
                pointer,
                "workflow-target",
                f"source {name!r} has no workflow {workflow_id!r}",
                _choices(
                    "name one of its workflows",
                    [w.workflow_id for w in child.document.workflows],
                    "add the workflow to that document",
                ),
            )
            return None
        return f"{prefix}{name}.{workflow_id}"
    if loaded.document.workflow(reference) is None:
        report.error(
            loaded,
            pointer,
            "workflow-target",
            f"workflow {reference!r} does not exist",
            "name a workflowId of this document, or "
            "$sourceDescriptions.NAME.WORKFLOW_ID for another document",
        )
        return None
    return prefix + reference


def find_operation_by_id(
    report: Reporter, loaded: LoadedDocument, text: str, pointer: str
) -> Operation | None:
    sources = loaded.openapi
    if text.startswith(_SOURCE_PREFIX):
        name, _, operation_id = text[len(_SOURCE_PREFIX) :].partition(".")
        source = sources.get(name)
        if source is None and name in unavailable_sources(loaded):
            return None
        if source is None:
            report.error(
                loaded,
                pointer,
                "operation-target",
                f"{text!r} names no OpenAPI source {name!r}",
                "use the name of a source description of type openapi",
            )
            return None
        matches = [op for op in source.operations if op.operation_id == operation_id]
        if not matches and source.incomplete:
            return None  # The operation may be behind a broken $ref, reported.
        if not matches:
            report.error(
                loaded,
                pointer,
                "operation-target",
                f"source {name!r} has no operation with operationId {operation_id!r}",
                _spelling_hint(operation_id, source.operations),
            )
            return None
        if len(matches) > 1:
            _report_duplicates(report, loaded, pointer, operation_id, matches)
            return None
        return matches[0]
    matches = [
        op
        for source in sources.values()
        for op in source.operations
        if op.operation_id == text
    ]
    if len(matches) == 1:
        if len(sources) > 1:
            report.warning(
                loaded,
                pointer,
                "operation-unqualified",
                f"operationId {text!r} is not qualified although there are "
                "several OpenAPI sources",
                f"write $sourceDescriptions.{matches[0].source.name}.{text}",
            )
        return matches[0]
    if len(matches) > 1 and len({op.source.name for op in matches}) == 1:
        _report_duplicates(report, loaded, pointer, text, matches)
        return None
    if len(matches) > 1:
        names = ", ".join(sorted({op.source.name for op in matches}))
        report.error(
            loaded,
            pointer,
            "operation-ambiguous",
            f"operationId {text!r} exists in several sources: {names}",
            f"write $sourceDescriptions.NAME.{text} to choose one",
        )
        return None
    # An exact id match wins first: ids such as 'models.versions.get'
    # contain dots. Only then is 'NAME.operationId' tried.
    name, _, rest = text.partition(".")
    if name in sources and rest:
        for op in sources[name].operations:
            if op.operation_id == rest:
                report.warning(
                    loaded,
                    pointer,
                    "LEN-8",
                    f"operation reference {text!r} leaves out the "
                    "'$sourceDescriptions.' prefix",
                    f"write $sourceDescriptions.{text}",
                )
                return op
    if unavailable_sources(loaded) or any(s.incomplete for s in sources.values()):
        # The operation may be in a source that did not load, or behind a
        # broken $ref: both are reported already.
        return None
    report.error(
        loaded,
        pointer,
        "operation-target",
        f"no source has an operation with operationId {text!r}",
        _spelling_hint(
            text, [op for source in sources.values() for op in source.operations]
        ),
    )
    return None


def _report_duplicates(
    report: Reporter,
    loaded: LoadedDocument,
    pointer: str,
    operation_id: str,
    matches: list[Operation],
) -> None:
    """Report an operationId that several operations of one source share."""
    source = matches[0].source
    places = " and ".join(f"{op.label} ({_operation_location(op)})" for op in matches)
    report.error(
        loaded,
        pointer,
        "operation-ambiguous",
        f"operationId {operation_id!r} is duplicated within source "
        f"{source.name!r}: {places}",
        "make the operationIds of the OpenAPI description unique, as OpenAPI "
        "requires, or name the operation with operationPath",
    )


def _operation_location(operation: Operation) -> str:
    source = operation.source
    resolver = source.resolver
    parsed = resolver.cache.cached(source.uri) if resolver is not None else None
    if parsed is None:
        return str(Location(source.uri, operation.pointer))
    return str(parsed.location(operation.pointer))


def _choices(action: str, names: list[str], otherwise: str) -> str:
    """Return ``action`` followed by up to ten of ``names``, or ``otherwise``
    when there are none."""
    if not names:
        return otherwise
    listed = ", ".join(sorted(names)[:10])
    more = ", ..." if len(names) > 10 else ""
    return f"{action}: {listed}{more}"


def _spelling_hint(operation_id: str, operations: list[Operation]) -> str:
    """Suggest the operationIds that differ from ``operation_id`` only in case."""
    lowered = operation_id.lower()
    near = sorted(
        {
            op.operation_id
            for op in operations
            if op.operation_id and op.operation_id.lower() == lowered
        }
    )
    if near:
        return f"operationIds are case-sensitive: did you mean {', '.join(near)}?"
    return "operationIds are case-sensitive; check the spelling"


def find_operation_by_path(
    report: Reporter, loaded: LoadedDocument, text: str, pointer: str
) -> Operation | None:
    parts = parse_operation_path(text)
    standard = "{$sourceDescriptions.NAME.url}#/paths/~1path/method"
    if parts is None:
        report.error(
            loaded,
            pointer,
            "operation-path",
            f"operationPath {text!r} is not a source URL and a JSON Pointer",
            f"write it as {standard}",
        )
        return None
    source = loaded.openapi.get(parts.source_name)
    if source is None and parts.source_name in unavailable_sources(loaded):
        return None
    if source is None:
        report.error(
            loaded,
            pointer,
            "operation-path",
            f"operationPath {text!r} names no OpenAPI source {parts.source_name!r}",
            _choices(
                "name a source description of type openapi",
                list(loaded.openapi),
                "declare the OpenAPI description under sourceDescriptions",
            ),
        )
        return None
    if not parts.standard:
        report.warning(
            loaded,
            pointer,
            "LEN-7",
            f"operationPath {text!r} does not use the standard form",
            f"write {{$sourceDescriptions.{parts.source_name}.url}}#{parts.pointer}",
        )
    for op in source.operations:
        if op.pointer == parts.pointer:
            return op
    in_item = [
        op for op in source.operations if op.pointer.rsplit("/", 1)[0] == parts.pointer
    ]
    if len(in_item) == 1:
        report.warning(
            loaded,
            pointer,
            "LEN-7",
            f"operationPath {text!r} points to a path item, not an operation",
            f"add the method: ...#{in_item[0].pointer}",
        )
        return in_item[0]
    if source.incomplete:
        return None  # The operation may be behind a broken $ref, reported.
    report.error(
        loaded,
        pointer,
        "operation-path",
        f"operationPath {text!r} points to no operation of source {source.name!r}",
        "the pointer must end at an operation: #/paths/~1pets/get",
    )
    return None
