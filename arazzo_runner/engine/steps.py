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
from arazzo_runner.errors import ArazzoError, RequestBuildError, TransportError
from arazzo_runner.expressions.scope import MISSING, Exchange
from arazzo_runner.expressions.template import ExpressionValue, evaluate_output, to_text
from arazzo_runner.openapi.bodies import (
    choose_content_type,
    encode_body,
    is_json_media_type,
    is_xml_media_type,
    media_essence,
)
from arazzo_runner.openapi.operations import Operation
from arazzo_runner.openapi.replacements import parse_json_text, set_pointer, set_xpath
from arazzo_runner.openapi.requests import HttpRequest, add_parameter, expand_path
from arazzo_runner.openapi.responses import decode_body
from arazzo_runner.openapi.servers import base_url
from arazzo_runner.openapi.validation import validate_response
from arazzo_runner.plan import PlannedCriterion, PlannedStep
from arazzo_runner.redaction import SECRET_HEADERS, Redactor
from arazzo_runner.result import Attempt, CriterionCheck
from arazzo_runner.transport import HttpResponse

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
        state.exchange = Exchange(method=operation.http_method)
        message = run.redactor.text(exc.message)
        logger.info("step %s: request not sent: %s", step.step_id, message)
        return AttemptOutcome(
            Attempt(status_code=None, succeeded=False, error=message),
            error_kind="request-error",
        )
    exchange = _request_exchange(request, scope)
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
                exc.elapsed,
                message,
            )
        )
        attempt = judge(run, state, step, transport_error=message)
        return AttemptOutcome(attempt, error_kind="transport-error")

    _add_response_secrets(run, response)
    exchange.status_code = response.status_code
    exchange.response_headers = _header_map(response.headers)
    exchange.response_content_type = response.content_type
    exchange.response_body = decode_body(response.content, response.content_type)
    if _is_unparsed_json(exchange.response_body, response):
        _warn_once(
            run,
            f"step {step.step_id}: the response body is labelled "
            f"{response.content_type} but is not valid JSON, so expressions read "
            "it as text",
        )
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
    return _judge_response(run, state, step, response)


def _request_exchange(request: HttpRequest, scope: Any) -> Exchange:
    """Return the exchange that ``$url``, ``$method`` and ``$request`` read."""
    return Exchange(
        url=request.full_url(),
        method=request.method,
        request_headers={k.lower(): v for k, v in request.headers},
        request_query=request.query_values,
        request_path=request.path_values,
        request_body=MISSING
        if request.body is None
        else _request_body_value(request, scope),
    )


def _judge_response(
    run: RunContext, state: WorkflowState, step: PlannedStep, response: HttpResponse
) -> AttemptOutcome:
    """Decide the attempt from its criteria and, when asked, the response's
    match with the operation's declared responses."""
    attempt = judge(run, state, step)
    error_kind = None if attempt.succeeded else "criteria-failed"
    if run.validate_responses:
        problems = _check_response(run, step, response)
        if problems and run.strict:
            # Under --strict a response that breaks its declaration fails the
            # step even when its criteria passed.
            attempt.succeeded = False
            attempt.error = "; ".join(problems)
            error_kind = "response-invalid"
    return AttemptOutcome(
        attempt,
        error_kind=error_kind,
        retry_after_header=response.header("retry-after"),
    )


def _check_response(
    run: RunContext, step: PlannedStep, response: HttpResponse
) -> list[str]:
    """Validate the response against the operation; warn about each problem."""
    assert step.operation is not None
    problems = validate_response(
        step.operation,
        response.status_code,
        response.headers,
        response.content,
        response.content_type,
    )
    messages = [
        f"step {step.step_id}: the response does not match {step.operation.label}: "
        f"{problem}"
        for problem in problems
    ]
    if not run.strict:
        for message in messages:
            run.warn(message)
    return [run.redactor.text(message) for message in messages]


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
    checks = evaluate_criteria(step.success_criteria, scope, run.redactor)
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
    criteria: tuple[PlannedCriterion, ...], scope: Any, redactor: Redactor
) -> list[CriterionCheck]:
    """Evaluate every criterion and return one check each (never raises).

    A check's ``detail`` shows the values compared, so it is masked with
    ``redactor`` before it is stored or logged.
    """
    checks = []
    for criterion in criteria:
        result = criterion.compiled.evaluate(scope)
        detail = redactor.text(result.detail)
        checks.append(
            CriterionCheck(
                condition=criterion.text,
                passed=result.passed,
                detail=detail,
                reason=result.reason,
            )
        )
        logger.debug("criterion %r: %s %s", criterion.text, result.passed, detail)
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
    request = HttpRequest(method=operation.http_method, url="")
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
        in_ = parameter.in_ or ""
        warning = add_parameter(request, operation, parameter.name, in_, value)
        if warning:
            _warn_once(run, f"step {step.step_id}: {warning}")
    _add_request_secrets(run, operation, request)
    request.url = expand_path(
        operation, base_url(operation, run.server_overrides), request.path_values
    )
    if step.body is not None:
        _add_body(run, step, request, scope)
    return request


def _add_request_secrets(
    run: RunContext, operation: Operation, request: HttpRequest
) -> None:
    """Add the request's credentials to the run's redactor: credential
    headers, cookies, and the parameters an apiKey security scheme names."""
    for name, value in request.headers:
        if name.lower() in SECRET_HEADERS or operation.is_api_key(name, "header"):
            run.redactor.add([value])
    for name, value in request.query_values.items():
        if isinstance(value, str) and operation.is_api_key(name, "query"):
            run.redactor.add([value])
    run.redactor.add([value for _, value in request.cookies])


def _add_response_secrets(run: RunContext, response: HttpResponse) -> None:
    """Add the cookies a response sets to the run's redactor, since later
    requests send them back as credentials."""
    for name, value in response.headers:
        if name != "set-cookie":
            continue
        pair = value.split(";", 1)[0]
        run.redactor.add([value, pair.partition("=")[2].strip()])


def _add_body(
    run: RunContext, step: PlannedStep, request: HttpRequest, scope: Any
) -> None:
    """Evaluate the payload, apply the replacements and encode the body."""
    assert step.operation is not None and step.body is not None
    operation = step.operation
    body = step.body
    # requestBody.contentType wins over a Content-Type header parameter,
    # which wins over the media types the operation declares.
    declared_type = body.content_type or request.header("Content-Type")
    content_type, warning = choose_content_type(declared_type, operation)
    if warning:
        _warn_once(run, f"step {step.step_id}: {warning}")
    if body.payload is None:
        request.set_header("Content-Type", content_type)
        return

    def omitted(pointer: str, expression: str) -> None:
        # Logged as a warning so that users see the lenient form applied.
        logger.warning(
            "step %s: LEN-4: payload member %s left out because the optional "
            "input %s was not given",
            step.step_id,
            pointer or "/",
            expression,
        )

    payload = body.payload.evaluate(scope, on_omit=omitted)
    if payload is MISSING:
        logger.info("step %s: no body sent: its payload was not given", step.step_id)
        return
    payload_is_text = not isinstance(body.payload, ExpressionValue)
    payload = apply_replacements(step, payload, content_type, scope)
    encoded = encode_body(
        payload, content_type, operation=operation, payload_is_text=payload_is_text
    )
    if encoded.warning:
        _warn_once(run, f"step {step.step_id}: {encoded.warning}")
    if request.method in ("GET", "HEAD", "DELETE"):
        _warn_once(
            run,
            f"step {step.step_id}: a request body is sent with {request.method}, "
            "which gives it no defined meaning (RFC 9110)",
        )
    request.body = encoded.content
    request.set_header("Content-Type", encoded.content_type)


def apply_replacements(
    step: PlannedStep, payload: Any, content_type: str, scope: Any
) -> Any:
    """Apply the step's payload replacements in order and return the payload.

    XML payloads take XPath targets and come back as bytes; every other
    payload takes JSON Pointer targets, and JSON text is parsed first.

    Raises:
        RequestBuildError: a target is invalid or reaches no parent.
    """
    assert step.body is not None
    for replacement in step.body.replacements:
        value = replacement.value.evaluate(scope)
        if value is MISSING:
            logger.info(
                "step %s: replacement %s skipped: its value was not given",
                step.step_id,
                replacement.target,
            )
            continue
        if is_xml_media_type(content_type):
            if not isinstance(payload, (str, bytes)):
                raise RequestBuildError(
                    f"replacement target {replacement.target!r}: an XML payload "
                    "must be text",
                    location=replacement.location,
                )
            payload = set_xpath(payload, replacement.target, to_text(value))
            continue
        if isinstance(payload, str) and is_json_media_type(content_type):
            payload = parse_json_text(payload, replacement.target)
        payload = set_pointer(payload, replacement.target, value)
    return payload


def _is_unparsed_json(body: Any, response: HttpResponse) -> bool:
    """Return whether a body labelled JSON was kept as text because it does
    not parse (a JSON string body also decodes to text, but starts with '"')."""
    if not isinstance(body, str):
        return False
    if not is_json_media_type(media_essence(response.content_type or "")):
        return False
    return not response.content.lstrip(b" \t\r\n\xef\xbb\xbf").startswith(b'"')


def _warn_once(run: RunContext, message: str) -> None:
    """Record a run warning unless the same text was recorded already."""
    if run.redactor.text(message) not in run.warnings:
        run.warn(message)


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
