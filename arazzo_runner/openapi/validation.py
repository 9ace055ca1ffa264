"""Check responses against the operation's declared responses, with openapi-core."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from arazzo_runner.document.sources import is_remote
from arazzo_runner.openapi.bodies import media_essence
from arazzo_runner.openapi.operations import Operation

logger = logging.getLogger(__name__)

# Validation messages list at most this many schema errors per response.
_MAX_SCHEMA_ERRORS = 5


def validate_response(
    operation: Operation,
    status_code: int,
    headers: list[tuple[str, str]],
    content: bytes,
    content_type: str | None,
) -> list[str]:
    """Check a response against the operation's response declaration.

    Returns one message per problem: an undeclared status code, a body that
    does not match the media type's schema, a missing or invalid header.
    """
    from openapi_core.templating.responses.exceptions import ResponseNotFound

    validator, spec = _validator(operation)
    operation_path = spec
    for token in operation.pointer[1:].split("/"):
        operation_path = operation_path / token.replace("~1", "/").replace("~0", "~")
    header_map = _Headers(headers)
    problems = []
    try:
        # NOTE: _iter_errors is openapi-core's internal entry point (0.19 to
        # 0.23) that takes the operation directly. The public one finds the
        # operation from the request URL and the declared servers, which
        # fails when --server replaces them and for the 'query' method.
        errors = list(
            validator._iter_errors(
                status_code,
                content,
                header_map,
                media_essence(content_type or ""),
                operation_path,
            )
        )
    except Exception as exc:  # openapi-core raises many unrelated types.
        logger.debug("response validation of %s failed: %r", operation.label, exc)
        return [f"the response could not be validated: {exc}"]
    for error in errors:
        if isinstance(error, ResponseNotFound):
            problems.append(
                f"status {status_code} is not a declared response of {operation.label}"
            )
            continue
        problems.append(_describe(error))
    return problems


def _describe(error: Exception) -> str:
    """Return one line per schema error: where in the body, and what is wrong."""
    cause = error.__cause__
    schema_errors = list(getattr(cause, "schema_errors", None) or [])
    if schema_errors:
        details = []
        for schema_error in schema_errors[:_MAX_SCHEMA_ERRORS]:
            where = "/".join(str(part) for part in schema_error.absolute_path)
            details.append(f"{'/' + where if where else '/'}: {schema_error.message}")
        if len(schema_errors) > _MAX_SCHEMA_ERRORS:
            details.append(f"{len(schema_errors) - _MAX_SCHEMA_ERRORS} more")
        subject = "header" if "header" in type(error).__name__.lower() else "body"
        return f"the {subject} does not match its schema: " + "; ".join(details)
    if cause is not None and str(cause):
        return f"{error}: {cause}"
    return str(error)


class _Headers(dict[str, str]):
    """Response headers with case-insensitive lookup, first value kept."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        super().__init__()
        for name, value in pairs:
            self.setdefault(name.lower(), value)

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)


def _validator(operation: Operation) -> tuple[Any, Any]:
    """Return the openapi-core response validator of the operation's source.

    Built on first use and kept on the source, because building the schema
    path of a large description takes a while.
    """
    source = operation.source
    if source.response_validator is None:
        from jsonschema_path import SchemaPath
        from openapi_core.validation.response import validators

        base_uri = (
            source.uri if is_remote(source.uri) else Path(source.uri).resolve().as_uri()
        )
        spec = SchemaPath.from_dict(source.data, base_uri=base_uri)
        version = source.version
        if version.startswith("3.0"):
            cls: Any = validators.V30ResponseValidator
        elif version.startswith("3.2"):
            cls = validators.V32ResponseValidator
        else:
            cls = validators.V31ResponseValidator
        source.response_validator = (cls(spec), spec)
    validator, spec = source.response_validator
    return validator, spec
