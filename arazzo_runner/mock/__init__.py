"""A scenario-scripted HTTP server for offline runs, demos and tests."""

from arazzo_runner.mock.scenario import MockResponse, Route, Scenario, load_scenario
from arazzo_runner.mock.server import MockServer

__all__ = ["MockResponse", "MockServer", "Route", "Scenario", "load_scenario"]
