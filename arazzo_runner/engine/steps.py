"""Execute one attempt of an operation step: build, send, decode, judge.

Workflow steps are run by :mod:`arazzo_runner.engine.workflows`, which passes
the child's outcome back through :func:`judge`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from arazzo_runner.engine.context import RunContext, WorkflowState
from arazzo_runner.engine.events import RequestFinished
from arazzo_runner.errors import ArazzoError, TransportError
from arazzo_runner.expressions.scope import MISSING, Exchange
from arazzo_runner.expressions.template import evaluate_output
from arazzo_runner.openapi.requests import (
    HttpRequest,
    choose_content_type,
    encode_body,
    expand_path,
    serialize_cookie,
    serialize_header,
    serialize_query,
)
from arazzo_runner.openapi.responses import decode_body
from arazzo_runner.openapi.servers import base_url
from arazzo_runner.plan import PlannedCriterion, PlannedStep
from arazzo_runner.redaction import SECRET_HEADERS
from arazzo_runner.result import Attempt, CriterionCheck

logger = logging.getLogger("arazzo_runner.engine")


@dataclass(slots=True)
class AttemptOutcome:
    """What one attempt produced: its record and the raw response headers."""

    attempt: Attempt
    error_kind: str | None = None
    retry_after_header: str | None = None


async def run_operation_attempt(
    run: RunContext, state: WorkflowState, step: PlannedStep, number: int
) -> AttemptOutcome:
    """Send the step's request once and decide whether the step succeeded."""
    assert step.operation is not None
    operation = step.operation
    scope = state.scope(run)
    try:
        request = build_request(run, state, step)
    except ArazzoError as exc:
        # Nothing was sent: the step fails before the request.
        state.exchange = Exchange(method=operation.method.upper())
        message = run.redactor.text(exc.message)
        logger.info("step %s: request not sent: %s", step.step_id, message)
        return AttemptOutcome(
            Attempt(status_code=None, succeeded=False, error=message),
            error_kind="request-error",
        )
    exchange = Exchange(
        url=request.full_url(),
        method=request.method.upper(),
        request_headers={k.lower(): v for k, v in request.headers},
        request_query=request.query_values,
        request_path=request.path_values,
        request_body=MISSING
        if request.body is None
        else _request_body_value(request, scope),
    )
    state.exchange = exchange
    display_url = run.redactor.text(exchange.url or "")
    try:
        response = await run.transport.send(request)
    except TransportError as exc:
        message = run.redactor.text(exc.message)
        run.emit(
            RequestFinished(
                state.workflow.workflow_id,
                step.step_id,
                number,
                exchange.method or "",
                display_url,
                None,
                0.0,
                message,
            )
        )
        attempt = judge(run, state, step, transport_error=message)
        return AttemptOutcome(attempt, error_kind="transport-error")
    exchange.status_code = response.status_code
    exchange.response_headers = _header_map(response.headers)
    exchange.response_content_type = response.content_type
    exchange.response_body = decode_body(response.content, response.content_type)
    run.emit(
        RequestFinished(
            state.workflow.workflow_id,
            step.step_id,
            number,
            exchange.method or "",
            display_url,
            response.status_code,
            response.elapsed,
        )
    )
    attempt = judge(run, state, step)
    return AttemptOutcome(
        attempt,
        error_kind=None if attempt.succeeded else "criteria-failed",
        retry_after_header=response.header("retry-after"),
    )


def judge(
    run: RunContext,
    state: WorkflowState,
    step: PlannedStep,
    *,
    transport_error: str | None = None,
    child_succeeded: bool | None = None,
) -> Attempt:
    """Decide an attempt's success from its criteria, then record outputs.

    Without success criteria a step succeeds on a 2xx status, or when the
    workflow it called succeeded.
    """
    exchange = state.exchange
    status = exchange.status_code if exchange else None
    is_workflow_step = step.workflow_key is not None
    scope = state.scope(run, child_outputs=is_workflow_step)
    checks = evaluate_criteria(step.success_criteria, scope)
    if transport_error is not None:
        succeeded = False
    elif is_workflow_step:
        succeeded = bool(child_succeeded) and all(check.passed for check in checks)
    elif step.success_criteria:
        succeeded = all(check.passed for check in checks)
    else:
        succeeded = status is not None and 200 <= status < 300
    if transport_error is None:
        # Outputs follow every attempt that got a response, so that later
        # attempts and failure reports can read them.
        state.step_outputs[step.step_id] = {
            name: evaluate_output(node, scope) for name, node in step.outputs.items()
        }
    return Attempt(
        status_code=status, succeeded=succeeded, criteria=checks, error=transport_error
    )


def evaluate_criteria(
    criteria: tuple[PlannedCriterion, ...], scope: Any
) -> list[CriterionCheck]:
    """Evaluate every criterion and return one check each (never raises)."""
    checks = []
    for criterion in criteria:
        result = criterion.compiled.evaluate(scope)
        checks.append(
            CriterionCheck(
                condition=criterion.text,
                passed=result.passed,
                detail=result.detail,
                reason=result.reason,
            )
        )
        logger.debug(
            "criterion %r: %s %s", criterion.text, result.passed, result.detail
        )
    return checks


def build_request(
    run: RunContext, state: WorkflowState, step: PlannedStep
) -> HttpRequest:
    """Evaluate the step's parameters and body into an HTTP request.

    Raises:
        ArazzoError: a value cannot be evaluated or the request not built.
    """
    assert step.operation is not None
    operation = step.operation
    scope = state.scope(run)
    request = HttpRequest(method=operation.method.upper(), url="")
    path_values: dict[str, Any] = {}
    for parameter in step.parameters:
        value = parameter.value.evaluate(scope)
        if value is MISSING:
            # An optional input that was not given: the parameter is not sent.
            logger.info(
                "step %s: parameter %r not sent: its input was not given",
                step.step_id,
                parameter.name,
            )
            continue
        declared = operation.declared(parameter.name, parameter.in_ or "")
        if declared is None and parameter.in_ in ("query", "cookie"):
            logger.warning(
                "step %s: %s parameter %r is not declared by %s; sending it anyway",
                step.step_id,
                parameter.in_,
                parameter.name,
                operation.label,
            )
        if parameter.in_ == "path":
            path_values[parameter.name] = value
        elif parameter.in_ == "query":
            request.query_values[parameter.name] = value
            request.query.extend(serialize_query(parameter.name, value, declared))
        elif parameter.in_ == "header":
            text = serialize_header(value, declared)
            if parameter.name.lower() in SECRET_HEADERS:
                run.redactor.add([text])
            request.headers.append((parameter.name, text))
        elif parameter.in_ == "cookie":
            text = serialize_cookie(value, declared)
            run.redactor.add([text])
            request.cookies.append((parameter.name, text))
    request.path_values = path_values
    request.url = expand_path(
        operation, base_url(operation, run.server_overrides), path_values
    )
    if step.body is not None and step.body.payload is not None:
        content_type, warning = choose_content_type(step.body.content_type, operation)
        if warning:
            logger.warning("step %s: %s", step.step_id, warning)

        def omitted(pointer: str, expression: str) -> None:
            logger.info(
                "step %s: payload member %s left out: %s was not given",
                step.step_id,
                pointer or "/",
                expression,
            )

        payload = step.body.payload.evaluate(scope, on_omit=omitted)
        if payload is MISSING:
            payload = None
        # TODO: payload replacements are not applied yet.
        request.body = encode_body(payload, content_type)
        request.headers.append(("Content-Type", content_type))
    elif step.body is not None and step.body.content_type:
        request.headers.append(("Content-Type", step.body.content_type))
    return request


def _request_body_value(request: HttpRequest, scope: Any) -> Any:
    body = request.body or b""
    content_type = next(
        (v for k, v in request.headers if k.lower() == "content-type"), None
    )
    return decode_body(body, content_type)


def _header_map(headers: list[tuple[str, str]]) -> dict[str, str]:
    # Only the first value of a repeated header is readable in expressions.
    result: dict[str, str] = {}
    for name, value in headers:
        result.setdefault(name.lower(), value)
    return result
