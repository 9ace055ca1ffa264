"""The values runtime expressions read, as the engine hands them over."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final


class _Missing:
    """Marker for a reference that reaches no value (distinct from JSON null)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Final = _Missing()


@dataclass(slots=True)
class Exchange:
    """The current step's latest HTTP request and response.

    Header mappings have lower-case keys, because header names are
    case-insensitive (RFC 9110). ``request_body`` is ``MISSING`` when no body
    was sent; ``response_body`` is parsed JSON for JSON media types, text for
    other text types, bytes for binary content, and ``None`` for an empty body.
    ``status_code`` is ``None`` when no response arrived.
    """

    url: str | None = None
    method: str | None = None
    status_code: int | None = None
    request_headers: Mapping[str, str] = field(default_factory=dict)
    request_query: Mapping[str, Any] = field(default_factory=dict)
    request_path: Mapping[str, Any] = field(default_factory=dict)
    request_body: Any = MISSING
    response_headers: Mapping[str, str] = field(default_factory=dict)
    response_body: Any = None
    response_content_type: str | None = None


@dataclass(slots=True)
class WorkflowRecord:
    """The inputs and outputs of a workflow that ran earlier in this run."""

    inputs: Mapping[str, Any] = field(default_factory=dict)
    outputs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Scope:
    """Everything a runtime expression can read at one point of a run.

    ``steps`` maps a step id to that step's outputs. ``outputs`` is what
    ``$outputs`` reads: the called workflow's outputs inside a workflow step,
    otherwise the current workflow's outputs evaluated so far.
    ``source_descriptions`` maps a source name to its fields (name, url, type).
    """

    inputs: Mapping[str, Any] = field(default_factory=dict)
    steps: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    outputs: Mapping[str, Any] = field(default_factory=dict)
    workflows: Mapping[str, WorkflowRecord] = field(default_factory=dict)
    source_descriptions: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    exchange: Exchange | None = None
