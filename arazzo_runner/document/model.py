"""Frozen dataclasses for the objects of an Arazzo 1.0.x document.

Field values are kept as written in the document; expressions are parsed
later, when the plan is prepared. Every object keeps its JSON Pointer so that
problems found later can name where they sit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ActionKind = Literal["success", "failure"]


@dataclass(frozen=True, slots=True)
class SourceDescription:
    """An OpenAPI or Arazzo document that the workflows use."""

    name: str
    url: str
    type: str | None
    pointer: str


@dataclass(frozen=True, slots=True)
class Criterion:
    """A condition that decides success or whether an action applies.

    ``condition`` is ``None`` when it is missing or not a string, which the
    builder reports. ``context`` and ``type`` are kept as written, whatever
    their type, so that the planner reports a wrong one at its own field.
    """

    condition: str | None
    context: Any
    type: Any
    pointer: str


@dataclass(frozen=True, slots=True)
class Parameter:
    """A value passed to an operation (by ``in``) or to a called workflow."""

    name: str
    in_: str | None
    value: Any
    pointer: str


@dataclass(frozen=True, slots=True)
class Reusable:
    """A reference to a component, with an optional value override."""

    reference: str
    value: Any
    has_value: bool
    pointer: str


@dataclass(frozen=True, slots=True)
class Action:
    """A success or failure action: ``end``, ``goto`` or ``retry``."""

    kind: ActionKind
    name: str
    type: str
    workflow_id: str | None
    step_id: str | None
    retry_after: float | None
    retry_limit: int | None
    criteria: tuple[Criterion, ...]
    pointer: str


@dataclass(frozen=True, slots=True)
class PayloadReplacement:
    """A value written into the payload at a JSON Pointer or XPath target."""

    target: str
    value: Any
    pointer: str


@dataclass(frozen=True, slots=True)
class RequestBody:
    """The body a step sends."""

    content_type: str | None
    payload: Any
    has_payload: bool
    replacements: tuple[PayloadReplacement, ...]
    pointer: str


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a workflow: an operation call or a workflow call."""

    step_id: str
    description: str | None
    operation_id: str | None
    operation_path: str | None
    workflow_id: str | None
    parameters: tuple[Parameter | Reusable, ...]
    request_body: RequestBody | None
    success_criteria: tuple[Criterion, ...]
    on_success: tuple[Action | Reusable, ...]
    on_failure: tuple[Action | Reusable, ...]
    outputs: dict[str, Any]
    pointer: str


@dataclass(frozen=True, slots=True)
class Workflow:
    """A workflow: ordered steps with inputs, outputs and shared defaults."""

    workflow_id: str
    summary: str | None
    description: str | None
    inputs: dict[str, Any] | None
    depends_on: tuple[str, ...]
    steps: tuple[Step, ...]
    success_actions: tuple[Action | Reusable, ...]
    failure_actions: tuple[Action | Reusable, ...]
    outputs: dict[str, Any]
    parameters: tuple[Parameter | Reusable, ...]
    pointer: str


@dataclass(frozen=True, slots=True)
class Components:
    """Reusable objects of a document, keyed by component name."""

    inputs: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, Parameter] = field(default_factory=dict)
    success_actions: dict[str, Action] = field(default_factory=dict)
    failure_actions: dict[str, Action] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Document:
    """An Arazzo document as written, with its URI and raw data."""

    uri: str
    arazzo: str
    title: str
    version: str
    source_descriptions: tuple[SourceDescription, ...]
    workflows: tuple[Workflow, ...]
    components: Components
    raw: dict[str, Any]

    def workflow(self, workflow_id: str) -> Workflow | None:
        """Return the workflow with this id, or ``None``."""
        for workflow in self.workflows:
            if workflow.workflow_id == workflow_id:
                return workflow
        return None
