"""The conformance harness: run runner-neutral cases and compare the results.

conformance/README.md describes the case format and the runner contract.
"""

from arazzo_runner.conformance.cases import Case, discover_cases, load_case
from arazzo_runner.conformance.harness import (
    CaseOutcome,
    CommandRunner,
    InProcessRunner,
    run_cases,
)

__all__ = [
    "Case",
    "CaseOutcome",
    "CommandRunner",
    "InProcessRunner",
    "discover_cases",
    "load_case",
    "run_cases",
]
