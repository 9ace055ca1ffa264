"""Find the cycles between the workflows of a plan that no run can finish.

A ``dependsOn`` cycle has no first workflow to run. A step that calls a
workflow which is already running (itself, or one that called or depends on
its own workflow) always fails with ``workflow-recursion``: the engine keeps
the chain of running workflows and refuses to enter one twice. A ``goto`` to
a workflow is a transfer, not a call. A ``retry`` runs its workflow only when
its criteria match. Neither is an edge here, and the engine still stops the
recursion they can cause.
"""

from __future__ import annotations

from dataclasses import dataclass

from arazzo_runner.diagnostics import Diagnostic
from arazzo_runner.document.loader import LoadedDocument
from arazzo_runner.document.reader import ParsedDocument
from arazzo_runner.plan import Plan, PlannedStep


def check_dependency_cycles(plan: Plan) -> None:
    """Report each ``dependsOn`` cycle once, at the workflow that closes it."""
    done: set[str] = set()

    def visit(key: str, path: list[str]) -> None:
        if key in path:
            cycle = path[path.index(key) :] + [key]
            names = " -> ".join(plan.workflows[k].workflow_id for k in cycle)
            plan.diagnostics.append(
                Diagnostic(
                    "error",
                    "dependency-cycle",
                    f"dependsOn forms a cycle: {names}",
                    plan.workflows[path[-1]].location,
                    "remove one of the dependencies",
                )
            )
            return
        if key in done:
            return
        for dependency in plan.workflows[key].depends_on:
            visit(dependency, [*path, key])
        done.add(key)

    for key in plan.workflows:
        visit(key, [])


@dataclass(frozen=True, slots=True)
class _Edge:
    """A workflow that another one runs: through a step, or as a dependency
    (``step`` is ``None``), which runs inside the workflow that names it."""

    target: str
    step: PlannedStep | None


def check_workflow_recursion(plan: Plan, entry: LoadedDocument) -> None:
    """Report each cycle of workflow calls once, at the step that closes it.

    Cycles made of ``dependsOn`` alone are left to `check_dependency_cycles`.
    """
    parsed = _parsed_documents(entry)
    edges: dict[str, list[_Edge]] = {}
    for key, workflow in plan.workflows.items():
        edges[key] = [_Edge(target, None) for target in workflow.depends_on]
        edges[key].extend(
            _Edge(step.workflow_key, step)
            for step in workflow.steps
            if step.workflow_key is not None
        )
    done: set[str] = set()

    def visit(key: str, path: list[str], via: list[_Edge]) -> None:
        # ``via[i]`` is the edge that leaves ``path[i]``.
        if key in path:
            start = path.index(key)
            calls = [i for i in range(start, len(via)) if via[i].step is not None]
            if calls:
                _report(
                    plan, parsed, [*path[start:], key], path[calls[-1]], via[calls[-1]]
                )
            return
        if key in done:
            return
        for edge in edges.get(key, ()):
            visit(edge.target, [*path, key], [*via, edge])
        done.add(key)

    for key in plan.workflows:
        visit(key, [], [])


def _report(
    plan: Plan,
    parsed: dict[str, ParsedDocument],
    cycle: list[str],
    caller: str,
    edge: _Edge,
) -> None:
    step = edge.step
    assert step is not None
    pointer = f"{step.location.pointer}/workflowId"
    document = parsed.get(step.location.document or "")
    location = document.location(pointer) if document else step.location
    names = " -> ".join(plan.workflows[key].workflow_id for key in cycle)
    caller_id = plan.workflows[caller].workflow_id
    target_id = plan.workflows[edge.target].workflow_id
    plan.diagnostics.append(
        Diagnostic(
            "error",
            "workflow-recursion",
            f"step {step.step_id!r} of workflow {caller_id!r} calls workflow "
            f"{target_id!r} while {target_id!r} runs ({names}), so every run "
            "that reaches the step fails",
            location,
            "a workflow cannot call itself, directly or through other "
            "workflows; to start it over, use a goto action with workflowId",
        )
    )


def _parsed_documents(entry: LoadedDocument) -> dict[str, ParsedDocument]:
    found: dict[str, ParsedDocument] = {}
    pending = [entry]
    while pending:
        current = pending.pop()
        if current.parsed.uri not in found:
            found[current.parsed.uri] = current.parsed
            pending.extend(current.arazzo.values())
    return found
