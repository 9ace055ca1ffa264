"""Compare a runner's result and the requests the mocks received with a case.

Every check that fails adds one :class:`Difference`, so a report lists all
of them rather than the first.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Difference:
    """One expected fact that the run did not show.

    ``where`` names the fact, such as ``outputs`` or ``requests[1].headers``.
    """

    where: str
    expected: Any
    actual: Any

    def __str__(self) -> str:
        return (
            f"{self.where}: expected {_show(self.expected)}, got {_show(self.actual)}"
        )


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= 300 else text[:297] + "..."


# The JSON type of each member of a result that compare() reads, as
# docs/results.md describes the result. Other members are not checked.
_RESULT_TYPES = {
    "status": "string",
    "outputs": "object",
    "steps": "array",
    "warnings": "array",
    "error": "object",
}
_STEP_TYPES = {
    "stepId": "string",
    "outcome": "string",
    "attempts": "integer",
    "statusCode": "integer",
    "outputs": "object",
}
_ERROR_TYPES = {"kind": "string", "message": "string", "stepId": "string"}
_ARTICLES = {"object": "an", "array": "an", "integer": "an", "string": "a"}


def check_result_shape(result: dict[str, Any]) -> list[str]:
    """Return one problem per member of a runner's result with the wrong JSON type.

    A member that is absent or ``null`` is not checked, so that
    :func:`compare` reports it as a difference when a case expects it.
    """
    problems = _check_members(result, _RESULT_TYPES, "")
    for number, step in enumerate(_array(result.get("steps"))):
        where = f"steps[{number}]"
        if isinstance(step, dict):
            problems.extend(_check_members(step, _STEP_TYPES, where + "."))
        else:
            problems.append(f"{where} must be an object")
    for number, warning in enumerate(_array(result.get("warnings"))):
        if not isinstance(warning, str):
            problems.append(f"warnings[{number}] must be a string")
    error = result.get("error")
    if isinstance(error, dict):
        problems.extend(_check_members(error, _ERROR_TYPES, "error."))
    return problems


def _check_members(
    data: dict[str, Any], types: dict[str, str], prefix: str
) -> list[str]:
    problems = []
    for name, expected in types.items():
        value = data.get(name)
        if value is not None and not _has_type(value, expected):
            problems.append(f"{prefix}{name} must be {_ARTICLES[expected]} {expected}")
    return problems


def _has_type(value: Any, json_type: str) -> bool:
    if json_type == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    python_type = {"string": str, "object": dict, "array": list}[json_type]
    return isinstance(value, python_type)


def _array(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def compare(
    expect: dict[str, Any],
    result: dict[str, Any],
    requests: list[dict[str, Any]],
) -> list[Difference]:
    """Return every difference between ``expect`` and what the run produced.

    ``result`` is the JSON result object that ``arazzo run --format json``
    prints, and :func:`check_result_shape` must have accepted it. ``requests``
    are the mocks' log entries in the order received.
    """
    differences: list[Difference] = []
    if result.get("status") != expect["status"]:
        differences.append(Difference("status", expect["status"], result.get("status")))
    if "error" in expect:
        differences.extend(_compare_error(expect["error"], result.get("error")))
    if "outputs" in expect and result.get("outputs") != expect["outputs"]:
        differences.append(
            Difference("outputs", expect["outputs"], result.get("outputs"))
        )
    if "steps" in expect:
        differences.extend(_compare_steps(expect["steps"], result.get("steps") or []))
    warnings = [str(w) for w in result.get("warnings") or []]
    minimum = expect.get("minWarnings", 0)
    if len(warnings) < minimum:
        differences.append(Difference("warnings", f"at least {minimum}", warnings))
    for text in expect.get("warningsContain", []):
        if not any(text in warning for warning in warnings):
            differences.append(
                Difference("warnings", f"one containing {text!r}", warnings)
            )
    if "requests" in expect:
        differences.extend(_compare_requests(expect["requests"], requests))
    return differences


def _compare_error(expected: dict[str, Any] | None, actual: Any) -> list[Difference]:
    if expected is None:
        return [] if actual is None else [Difference("error", None, actual)]
    if not isinstance(actual, dict):
        return [Difference("error", expected, actual)]
    differences = []
    for key in ("kind", "stepId"):
        if key in expected and actual.get(key) != expected[key]:
            differences.append(
                Difference(f"error.{key}", expected[key], actual.get(key))
            )
    text = expected.get("messageContains")
    if text is not None and text not in str(actual.get("message", "")):
        differences.append(
            Difference("error.message", f"containing {text!r}", actual.get("message"))
        )
    return differences


def _compare_steps(
    expected: list[dict[str, Any]], actual: list[Any]
) -> list[Difference]:
    summary = [
        step.get("stepId") if isinstance(step, dict) else step for step in actual
    ]
    if len(actual) != len(expected):
        wanted = [step["stepId"] for step in expected]
        return [Difference("steps (step ids in order)", wanted, summary)]
    differences = []
    for number, (want, got) in enumerate(zip(expected, actual, strict=True)):
        for key, value in want.items():
            if got.get(key) != value:
                where = f"steps[{number}].{key}"
                differences.append(Difference(where, value, got.get(key)))
    return differences


def _request_line(entry: dict[str, Any]) -> str:
    return f"{entry.get('method')} {entry.get('localPath', entry.get('path'))}"


def _compare_requests(
    expected: dict[str, Any], requests: list[dict[str, Any]]
) -> list[Difference]:
    differences = []
    order = [_request_line(entry) for entry in requests]
    if "count" in expected and len(requests) != expected["count"]:
        differences.append(Difference("requests.count", expected["count"], order))
    if "order" in expected and order != expected["order"]:
        differences.append(Difference("requests.order", expected["order"], order))
    per_route = Counter(str(entry.get("route")) for entry in requests)
    for route, count in expected.get("perRoute", {}).items():
        if per_route.get(route, 0) != count:
            got = per_route.get(route, 0)
            differences.append(Difference(f"requests.perRoute[{route!r}]", count, got))
    for item in expected.get("items", []):
        differences.extend(_compare_request(item, requests))
    return differences


def _compare_request(
    item: dict[str, Any], requests: list[dict[str, Any]]
) -> list[Difference]:
    index = item["index"]
    where = f"requests[{index}]"
    try:
        entry = requests[index]
    except IndexError:
        return [Difference(where, "a request", f"{len(requests)} requests in all")]

    differences = []
    headers = {str(k).lower(): v for k, v in (entry.get("headers") or {}).items()}
    simple = {
        "method": entry.get("method"),
        "path": entry.get("localPath", entry.get("path")),
        "query": entry.get("query"),
        "queryString": entry.get("queryString"),
        "body": entry.get("body"),
        "rawBody": entry.get("rawBody"),
    }

    for key, actual in simple.items():
        if key in item and item[key] != actual:
            differences.append(Difference(f"{where}.{key}", item[key], actual))

    for name, value in item.get("headers", {}).items():
        if headers.get(name.lower()) != value:
            actual_value = headers.get(name.lower())
            differences.append(
                Difference(f"{where}.headers[{name!r}]", value, actual_value)
            )
    for name in item.get("absentHeaders", []):
        if name.lower() in headers:
            differences.append(
                Difference(
                    f"{where}.headers[{name!r}]", "absent", headers[name.lower()]
                )
            )

    for text in item.get("rawBodyContains", []):
        if text not in str(entry.get("rawBody", "")):
            differences.append(
                Difference(
                    f"{where}.rawBody", f"containing {text!r}", entry.get("rawBody")
                )
            )
    if "contentType" in item:
        media_type = str(headers.get("content-type", "")).split(";")[0].strip().lower()
        if media_type != item["contentType"].lower():
            differences.append(
                Difference(
                    f"{where}.contentType", item["contentType"], media_type or None
                )
            )
    return differences
