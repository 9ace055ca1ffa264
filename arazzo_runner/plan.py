"""The prepared plan the engine runs: references resolved, expressions parsed.

:func:`arazzo_runner.planner.prepare` builds it; the engine only reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from arazzo_runner.diagnostics import Diagnostic
from arazzo_runner.errors import Location
from arazzo_runner.expressions.criteria import CompiledCriterion
from arazzo_runner.expressions.template import ValueNode
from arazzo_runner.openapi.operations import Operation


@dataclass(frozen=True, slots=True)
class PlannedCriterion:
    """A criterion, compiled, with where it sits."""

    compiled: CompiledCriterion
    text: str
    location: Location


@dataclass(frozen=True, slots=True)
class PlannedAction:
    """A success or failure action with its targets resolved.

    ``workflow_key`` names a planned workflow; ``in_success_list`` marks a
    ``retry`` written among success actions (accepted as a polling loop).
    """

    name: str
    type: str
    kind: str
    step_id: str | None
    workflow_key: str | None
    retry_after: float | None
    retry_limit: int
    criteria: tuple[PlannedCriterion, ...]
    location: Location


@dataclass(frozen=True, slots=True)
class PlannedParameter:
    """A parameter with its value parsed."""

    name: str
    in_: str | None
    value: ValueNode
    location: Location


@dataclass(frozen=True, slots=True)
class PlannedReplacement:
    """A payload replacement with its value parsed."""

    target: str
    value: ValueNode
    location: Location


@dataclass(frozen=True, slots=True)
class PlannedBody:
    """A request body with its payload parsed."""

    content_type: str | None
    payload: ValueNode | None
    replacements: tuple[PlannedReplacement, ...]
    location: Location


@dataclass(slots=True)
class PlannedStep:
    """A step ready to execute."""

    step_id: str
    index: int
    operation: Operation | None
    workflow_key: str | None
    parameters: tuple[PlannedParameter, ...]
    body: PlannedBody | None
    success_criteria: tuple[PlannedCriterion, ...]
    on_success: tuple[PlannedAction, ...]
    on_failure: tuple[PlannedAction, ...]
    outputs: dict[str, ValueNode]
    location: Location


@dataclass(slots=True)
class PlannedWorkflow:
    """A workflow ready to execute. ``key`` is unique across documents."""

    key: str
    workflow_id: str
    inputs_schema: dict[str, Any] | None
    components_inputs: dict[str, Any]
    depends_on: tuple[str, ...]
    steps: list[PlannedStep]
    step_index: dict[str, int]
    outputs: dict[str, ValueNode]
    location: Location
    source_descriptions: dict[str, dict[str, Any]]


@dataclass(slots=True)
class Plan:
    """Every workflow of the entry document and of the documents it loads."""

    entry_uri: str
    entry_workflows: list[str]
    workflows: dict[str, PlannedWorkflow] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        """Return the diagnostics of severity error."""
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        """Return the diagnostics of severity warning."""
        return [d for d in self.diagnostics if d.severity == "warning"]
