"""Validate workflow inputs against the workflow's input schema."""

from __future__ import annotations

from typing import Any

from arazzo_runner.engine import simple_schema
from arazzo_runner.errors import InputError, Location


def validate_inputs(
    workflow_id: str,
    schema: dict[str, Any] | None,
    components_inputs: dict[str, Any],
    inputs: Any,
) -> None:
    """Check ``inputs`` against ``schema``; ``$ref`` may point into
    ``#/components/inputs``.

    Raises:
        InputError: listing every violation with its JSON Pointer.
    """
    if not isinstance(inputs, dict):
        raise InputError(
            f"inputs of workflow {workflow_id!r} must be an object",
            hint="pass a JSON object with --inputs",
        )
    if not schema:
        return
    violations = simple_schema.check(schema, inputs)
    if violations is not None:
        if violations:
            _raise(
                workflow_id,
                [f"{pointer}: {message}" for pointer, message in violations],
            )
        return
    import jsonschema  # Imported here: runs without an input schema skip it.
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    root = {"components": {"inputs": components_inputs}, **schema}
    resource = Resource.from_contents(root, default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource("urn:arazzo:inputs", resource)
    validator = jsonschema.Draft202012Validator(
        {"$ref": "urn:arazzo:inputs"}, registry=registry
    )
    errors = sorted(validator.iter_errors(inputs), key=lambda e: list(e.absolute_path))
    if errors:
        _raise(
            workflow_id,
            [
                "/"
                + "/".join(str(part) for part in error.absolute_path)
                + f": {_describe(error)}"
                for error in errors
            ],
        )


def _raise(workflow_id: str, lines: list[str]) -> None:
    raise InputError(
        f"inputs of workflow {workflow_id!r} are invalid:\n  " + "\n  ".join(lines),
        location=Location(pointer="/inputs"),
        hint="fix the inputs file or the --input values",
    )


def _describe(error: Any) -> str:
    if error.validator == "required":
        return str(error.message).replace("is a required property", "is required")
    # Values are left out of type errors: they may be secrets.
    if error.validator == "type":
        return f"must be of type {error.validator_value}"
    return str(error.message)
