"""Load conformance cases: folders holding an ``expected.yaml``.

A case folder contains the Arazzo document, the OpenAPI description and mock
scenario of each source, an optional ``inputs.json`` and ``expected.yaml``,
whose shape ``case.schema.json`` (next to this module) defines.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from arazzo_runner.errors import DocumentError, Location

SCHEMA_PATH = Path(__file__).with_name("case.schema.json")
EXPECTED_FILE = "expected.yaml"
DEFAULT_SOURCES = {"api": {"openapi": "openapi.yaml", "scenario": "scenario.yaml"}}


@dataclass(frozen=True, slots=True)
class MockSource:
    """The files of the mock that replaces one source description's API in a case."""

    name: str
    openapi: Path
    scenario: Path


@dataclass(frozen=True, slots=True)
class Case:
    """One conformance case, loaded and checked against the case schema.

    ``case_id`` is the folder's path relative to the root it was found under,
    with ``/`` separators, such as ``05-success-actions/goto-step-loop``.
    ``load_error`` is set when :func:`discover_cases` found the folder but
    could not load the case. Such a case fails with that reason, and its
    other fields are placeholders, apart from the section and description
    that a readable ``expected.yaml`` gives.
    """

    case_id: str
    folder: Path
    description: str
    section: str
    document: Path
    workflow_id: str | None
    strict: bool
    inputs_path: Path | None
    sources: tuple[MockSource, ...]
    expect: dict[str, Any] = field(default_factory=dict)
    load_error: str | None = None

    def inputs(self) -> dict[str, Any]:
        """Return the input object, empty when the case has no inputs file."""
        if self.inputs_path is None:
            return {}
        data = json.loads(self.inputs_path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise DocumentError(
                "the inputs file must contain a JSON object",
                location=Location(str(self.inputs_path)),
            )
        return data


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def load_case(folder: Path, *, root: Path | None = None) -> Case:
    """Load the case in ``folder``; ``root`` sets the start of its id.

    Raises:
        DocumentError: ``expected.yaml`` is missing, unreadable or breaks the
            case schema, or a file it names does not exist.
    """
    path = folder / EXPECTED_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DocumentError(
            f"cannot read the case file: {exc.strerror}", location=Location(str(path))
        ) from exc
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, path) from exc
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        pointer = "".join(f"/{part}" for part in first.path)
        raise DocumentError(
            f"invalid case file at {pointer or '/'}: {first.message}",
            location=Location(str(path)),
            hint="see conformance/README.md for the case format",
        )

    sources = tuple(
        MockSource(name, folder / item["openapi"], folder / item["scenario"])
        for name, item in data.get("sources", DEFAULT_SOURCES).items()
    )
    document = folder / data.get("document", "arazzo.yaml")
    inputs_path = folder / data.get("inputs", "inputs.json")
    for needed in [
        document,
        *(s.openapi for s in sources),
        *(s.scenario for s in sources),
    ]:
        if not needed.is_file():
            raise DocumentError(
                f"the case names a file that does not exist: {needed.name}",
                location=Location(str(path)),
            )
    base = root if root is not None else folder.parent
    return Case(
        case_id=folder.relative_to(base).as_posix(),
        folder=folder,
        description=" ".join(data["description"].split()),
        section=data["section"],
        document=document,
        workflow_id=data.get("workflowId"),
        strict=data.get("strict", False),
        inputs_path=inputs_path if inputs_path.is_file() else None,
        sources=sources,
        expect=data["expect"],
    )


def _yaml_error(exc: yaml.YAMLError, path: Path) -> DocumentError:
    """Return a one-line error for a YAML syntax error, located at its mark."""
    location = Location(str(path))
    problem = str(exc)
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        location = Location(str(path), line=mark.line + 1, column=mark.column + 1)
        problem = str(exc.problem)
    return DocumentError(f"invalid YAML in the case file: {problem}", location=location)


def discover_cases(paths: list[Path], *, text_filter: str | None = None) -> list[Case]:
    """Find every case folder under ``paths``, sorted by case id.

    A path may be a case folder itself or any folder above case folders.
    ``text_filter`` keeps the cases whose id or section contains it,
    ignoring case.

    A case that cannot be loaded is still returned, with its reason in
    ``load_error``, so that it is reported among the others.

    Raises:
        DocumentError: a path does not exist.
    """
    cases: dict[Path, Case] = {}
    for path in paths:
        if not path.exists():
            raise DocumentError(
                f"no such file or folder: {path}", location=Location(str(path))
            )
        root = path if path.is_dir() else path.parent
        for expected in sorted(root.rglob(EXPECTED_FILE)):
            folder = expected.parent.resolve()
            if folder in cases:
                continue  # already found under an earlier path
            base = root.resolve() if folder != root.resolve() else folder.parent
            try:
                cases[folder] = load_case(folder, root=base)
            except DocumentError as exc:
                cases[folder] = _broken_case(folder, base, str(exc))
    found = list(cases.values())
    if text_filter:
        needle = text_filter.lower()
        found = [
            case
            for case in found
            if needle in case.case_id.lower() or needle in case.section.lower()
        ]
    return sorted(found, key=lambda case: case.case_id)


def _broken_case(folder: Path, base: Path, reason: str) -> Case:
    try:
        data = yaml.safe_load((folder / EXPECTED_FILE).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        data = None
    if not isinstance(data, dict):
        data = {}

    def text(name: str) -> str:
        value = data.get(name)
        return " ".join(value.split()) if isinstance(value, str) else ""

    return Case(
        case_id=folder.relative_to(base).as_posix(),
        folder=folder,
        description=text("description"),
        section=text("section"),
        document=folder / "arazzo.yaml",
        workflow_id=None,
        strict=False,
        inputs_path=None,
        sources=(),
        load_error=reason,
    )
