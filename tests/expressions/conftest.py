"""A scope that every expression test reads from."""

from __future__ import annotations

import pytest

from arazzo_runner.expressions.scope import Exchange, Scope, WorkflowRecord


def make_scope(response_body: object = None, *, status_code: int | None = 200) -> Scope:
    """Return a scope with inputs, step outputs, workflows and one exchange."""
    exchange = Exchange(
        url="https://api.example.test/v1/trainings/t1?verbose=true",
        method="GET",
        status_code=status_code,
        request_headers={"authorization": "Bearer tok", "x-trace": "abc"},
        request_query={"verbose": "true", "filter.name": "x"},
        request_path={"training_id": "t1"},
        request_body={"destination": "me/model", "input": {"steps": 3}},
        response_headers={"content-type": "application/json", "x-count": "2"},
        response_body=response_body,
        response_content_type="application/json",
    )
    return Scope(
        inputs={
            "apiToken": "tok",
            "modelOwner": "acme",
            "count": 3,
            "flag": True,
            "customer": {"firstName": "Ada", "tags": ["a", "b"]},
            "dotted.name": "exact",
            "empty": "",
            "nothing": None,
            "path/key": {"a~b": 1},
        },
        steps={
            "createTraining": {"trainingId": "t1", "list": [{"id": 7}, {"id": 8}]},
            "getTraining": {"status": "succeeded", "output": None},
        },
        outputs={"workflow_order_id": 42},
        workflows={
            "child": WorkflowRecord(
                inputs={"size": 5}, outputs={"result": {"ok": True}}
            )
        },
        source_descriptions={
            "replicateApi": {"name": "replicateApi", "url": "../openapi.yml"}
        },
        exchange=exchange,
    )


@pytest.fixture
def scope() -> Scope:
    """A scope whose last response body is a succeeded training."""
    return make_scope(
        {
            "id": "t1",
            "status": "succeeded",
            "output": {"version": "v2", "weights": None},
            "items": [{"id": 1, "name": "one"}, {"id": 2, "name": "two"}],
            "a.b": {"c": "dotted key"},
            "~/": "escaped",
            "with space": "spaced",
            "": "empty key",
        }
    )
