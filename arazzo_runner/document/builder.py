"""Build the document model from parsed data, recording every shape problem.

The builder never raises on a wrong shape: it records a diagnostic and keeps
going with a neutral value, so that one pass reports every problem. Some
values are left out of the model instead: a list entry that is not an
object, and a criterion, action, parameter or reference whose identifying
fields (condition, type, name, target) are missing or not strings. The
schema pass reports those, and a neutral value would make the later checks
report the same mistake again in misleading words (an empty condition, an
action type '').
"""

from __future__ import annotations

import re
from typing import Any

from arazzo_runner.diagnostics import Diagnostic, describe_type
from arazzo_runner.document.model import (
    Action,
    ActionKind,
    Components,
    Criterion,
    Document,
    Parameter,
    PayloadReplacement,
    RequestBody,
    Reusable,
    SourceDescription,
    Step,
    Workflow,
)
from arazzo_runner.document.reader import ParsedDocument, escape_pointer_segment

_VERSION = re.compile(r"^1\.0\.\d+(-.+)?$")
_PARAMETER_LOCATIONS = ("path", "query", "header", "cookie")


def build_document(parsed: ParsedDocument) -> tuple[Document, list[Diagnostic]]:
    """Build a :class:`Document` and return it with the problems found."""
    return _Builder(parsed).document()


class _Builder:
    def __init__(self, parsed: ParsedDocument) -> None:
        self.parsed = parsed
        self.diagnostics: list[Diagnostic] = []

    # -- reporting ---------------------------------------------------------

    def error(self, pointer: str, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(
            Diagnostic(
                "error", "structure", message, self.parsed.location(pointer), hint
            )
        )

    def warning(
        self, pointer: str, code: str, message: str, hint: str | None = None
    ) -> None:
        self.diagnostics.append(
            Diagnostic("warning", code, message, self.parsed.location(pointer), hint)
        )

    # -- typed field access -------------------------------------------------

    def mapping(self, value: Any, pointer: str, what: str) -> dict[str, Any]:
        if isinstance(value, dict):
            return value
        self.error(pointer, f"{what} must be an object, not {describe_type(value)}")
        return {}

    def sequence(self, owner: dict[str, Any], key: str, pointer: str) -> list[Any]:
        value = owner.get(key)
        if value is None:
            return []
        if isinstance(value, list):
            return value
        self.error(
            f"{pointer}/{key}", f"'{key}' must be a list, not {describe_type(value)}"
        )
        return []

    def objects(
        self, owner: dict[str, Any], key: str, pointer: str, what: str
    ) -> list[tuple[str, dict[str, Any]]]:
        """Return the pointer and data of each object in the list ``owner[key]``.

        Entries of another type are reported and left out.
        """
        result = []
        for index, item in enumerate(self.sequence(owner, key, pointer)):
            item_pointer = f"{pointer}/{key}/{index}"
            if isinstance(item, dict):
                result.append((item_pointer, item))
            else:
                self.error(
                    item_pointer, f"{what} must be an object, not {describe_type(item)}"
                )
        return result

    def has_strings(
        self,
        data: dict[str, Any],
        pointer: str,
        required: tuple[str, ...],
        optional: tuple[str, ...] = (),
    ) -> bool:
        """Return whether the ``required`` fields are strings and the
        ``optional`` ones are strings when present, reporting each that is not."""
        valid = True
        for key in (*required, *optional):
            value = data.get(key)
            if value is None and key in optional:
                continue
            if value is None:
                self.error(pointer, f"missing required field '{key}'")
                valid = False
            elif not isinstance(value, str):
                self.error(
                    f"{pointer}/{key}",
                    f"'{key}' must be a string, not {describe_type(value)}",
                )
                valid = False
        return valid

    def string(
        self, owner: dict[str, Any], key: str, pointer: str, *, required: bool = False
    ) -> str | None:
        value = owner.get(key)
        if value is None:
            if required:
                self.error(pointer, f"missing required field '{key}'")
            return None
        if isinstance(value, str):
            return value
        self.error(
            f"{pointer}/{key}", f"'{key}' must be a string, not {describe_type(value)}"
        )
        return None

    def check_fields(
        self, owner: dict[str, Any], pointer: str, allowed: set[str]
    ) -> None:
        for key in owner:
            if key not in allowed and not key.startswith("x-"):
                self.warning(
                    f"{pointer}/{escape_pointer_segment(key)}",
                    "unknown-field",
                    f"unknown field '{key}' is ignored",
                    "remove it, or prefix it with 'x-' to mark an extension",
                )

    # -- objects -----------------------------------------------------------

    def document(self) -> tuple[Document, list[Diagnostic]]:
        raw = self.mapping(self.parsed.data, "", "the document root")
        self.check_fields(
            raw,
            "",
            {"arazzo", "info", "sourceDescriptions", "workflows", "components"},
        )
        version = self.version(raw)
        info = self.mapping(raw.get("info", {}), "/info", "'info'")
        if "info" not in raw and raw:
            self.error("", "missing required field 'info'")
        title = self.string(info, "title", "/info", required="info" in raw) or ""
        doc_version = (
            self.string(info, "version", "/info", required="info" in raw) or ""
        )
        sources = self.sources(raw)
        workflows = self.workflows(raw)
        components = self.components(raw)
        document = Document(
            uri=self.parsed.uri,
            arazzo=version,
            title=title,
            version=doc_version,
            source_descriptions=tuple(sources),
            workflows=tuple(workflows),
            components=components,
            raw=raw,
        )
        return document, self.diagnostics

    def version(self, raw: dict[str, Any]) -> str:
        value = raw.get("arazzo")
        if value is None:
            if raw:
                self.error("", "missing required field 'arazzo'", "add 'arazzo: 1.0.1'")
            return ""
        if not isinstance(value, str):
            self.error(
                "/arazzo",
                f"'arazzo' must be a string, not {describe_type(value)}",
                "quote the version: arazzo: '1.0.1'",
            )
            return str(value)
        if not _VERSION.match(value):
            self.error(
                "/arazzo",
                f"unsupported Arazzo version {value!r}",
                "this runner reads Arazzo 1.0.x documents",
            )
        return value

    def sources(self, raw: dict[str, Any]) -> list[SourceDescription]:
        if "sourceDescriptions" not in raw and raw:
            self.error("", "missing required field 'sourceDescriptions'")
        if raw.get("sourceDescriptions") == []:
            self.error("/sourceDescriptions", "'sourceDescriptions' must not be empty")
        result = []
        for pointer, data in self.objects(
            raw, "sourceDescriptions", "", "a source description"
        ):
            self.check_fields(data, pointer, {"name", "url", "type"})
            name = self.string(data, "name", pointer, required=True) or ""
            url = self.string(data, "url", pointer, required=True) or ""
            type_ = self.string(data, "type", pointer)
            if type_ is not None and type_ not in ("openapi", "arazzo"):
                self.error(
                    f"{pointer}/type",
                    f"unknown source type {type_!r}",
                    "use 'openapi' or 'arazzo'",
                )
            result.append(SourceDescription(name, url, type_, pointer))
        return result

    def workflows(self, raw: dict[str, Any]) -> list[Workflow]:
        if "workflows" not in raw and raw:
            self.error("", "missing required field 'workflows'")
        if "workflows" in raw and raw["workflows"] == []:
            self.error("/workflows", "'workflows' must not be empty")
        return [
            self.workflow(data, pointer)
            for pointer, data in self.objects(raw, "workflows", "", "a workflow")
        ]

    def workflow(self, data: dict[str, Any], pointer: str) -> Workflow:
        self.check_fields(
            data,
            pointer,
            {
                "workflowId",
                "summary",
                "description",
                "inputs",
                "dependsOn",
                "steps",
                "successActions",
                "failureActions",
                "outputs",
                "parameters",
            },
        )
        workflow_id = self.string(data, "workflowId", pointer, required=True) or ""
        inputs = data.get("inputs")
        if inputs is not None and not isinstance(inputs, dict):
            self.error(f"{pointer}/inputs", "'inputs' must be a JSON Schema object")
            inputs = None
        depends_on = [
            entry
            for index, entry in enumerate(self.sequence(data, "dependsOn", pointer))
            if self.is_string(
                entry, f"{pointer}/dependsOn/{index}", "a dependsOn entry"
            )
        ]
        if "steps" not in data:
            self.error(pointer, "missing required field 'steps'")
        if data.get("steps") == []:
            self.error(f"{pointer}/steps", "'steps' must not be empty")
        steps = [
            self.step(step, step_pointer)
            for step_pointer, step in self.objects(data, "steps", pointer, "a step")
        ]
        return Workflow(
            workflow_id=workflow_id,
            summary=self.string(data, "summary", pointer),
            description=self.string(data, "description", pointer),
            inputs=inputs,
            depends_on=tuple(depends_on),
            steps=tuple(steps),
            success_actions=self.actions(data, "successActions", pointer, "success"),
            failure_actions=self.actions(data, "failureActions", pointer, "failure"),
            outputs=self.outputs(data, pointer),
            parameters=self.parameters(data, pointer),
            pointer=pointer,
        )

    def step(self, data: dict[str, Any], pointer: str) -> Step:
        self.check_fields(
            data,
            pointer,
            {
                "stepId",
                "description",
                "operationId",
                "operationPath",
                "workflowId",
                "parameters",
                "requestBody",
                "successCriteria",
                "onSuccess",
                "onFailure",
                "outputs",
            },
        )
        step_id = self.string(data, "stepId", pointer, required=True) or ""
        targets = [
            key for key in ("operationId", "operationPath", "workflowId") if key in data
        ]
        if len(targets) != 1:
            found = ", ".join(targets) if targets else "none"
            self.error(
                pointer,
                f"a step needs exactly one of operationId, operationPath and "
                f"workflowId (found: {found})",
                "keep exactly one of the three fields",
            )
        body = data.get("requestBody")
        return Step(
            step_id=step_id,
            description=self.string(data, "description", pointer),
            operation_id=self.string(data, "operationId", pointer),
            operation_path=self.string(data, "operationPath", pointer),
            workflow_id=self.string(data, "workflowId", pointer),
            parameters=self.parameters(data, pointer),
            request_body=(
                None
                if body is None
                else self.request_body(body, f"{pointer}/requestBody")
            ),
            success_criteria=self.criteria(data, "successCriteria", pointer),
            on_success=self.actions(data, "onSuccess", pointer, "success"),
            on_failure=self.actions(data, "onFailure", pointer, "failure"),
            outputs=self.outputs(data, pointer),
            pointer=pointer,
        )

    def parameters(
        self, owner: dict[str, Any], pointer: str
    ) -> tuple[Parameter | Reusable, ...]:
        result: list[Parameter | Reusable] = []
        for item_pointer, data in self.objects(
            owner, "parameters", pointer, "a parameter"
        ):
            if "reference" in data:
                if self.has_strings(data, item_pointer, ("reference",)):
                    result.append(self.reusable(data, item_pointer))
            elif self.has_strings(data, item_pointer, ("name",), ("in",)):
                result.append(self.parameter(data, item_pointer))
        return tuple(result)

    def parameter(self, data: dict[str, Any], pointer: str) -> Parameter:
        self.check_fields(data, pointer, {"name", "in", "value"})
        name = self.string(data, "name", pointer, required=True) or ""
        in_ = self.string(data, "in", pointer)
        if in_ is not None and in_ not in _PARAMETER_LOCATIONS:
            self.error(
                f"{pointer}/in",
                f"unknown parameter location {in_!r}",
                "use path, query, header or cookie",
            )
        if "value" not in data:
            self.error(pointer, "missing required field 'value'")
        return Parameter(name, in_, data.get("value"), pointer)

    def reusable(self, data: dict[str, Any], pointer: str) -> Reusable:
        reference = self.string(data, "reference", pointer, required=True) or ""
        return Reusable(reference, data.get("value"), "value" in data, pointer)

    def actions(
        self, owner: dict[str, Any], key: str, pointer: str, kind: ActionKind
    ) -> tuple[Action | Reusable, ...]:
        result: list[Action | Reusable] = []
        for item_pointer, data in self.objects(owner, key, pointer, "an action"):
            if "reference" in data:
                if self.has_strings(data, item_pointer, ("reference",)):
                    result.append(self.reusable(data, item_pointer))
            elif self.has_strings(
                data, item_pointer, ("type",), ("name", "stepId", "workflowId")
            ):
                result.append(self.action(data, item_pointer, kind))
        return tuple(result)

    def action(self, data: dict[str, Any], pointer: str, kind: ActionKind) -> Action:
        self.check_fields(
            data,
            pointer,
            {
                "name",
                "type",
                "workflowId",
                "stepId",
                "retryAfter",
                "retryLimit",
                "criteria",
            },
        )
        retry_after = data.get("retryAfter")
        if retry_after is not None and (
            isinstance(retry_after, bool)
            or not isinstance(retry_after, (int, float))
            or retry_after < 0
        ):
            self.error(
                f"{pointer}/retryAfter", "'retryAfter' must be a number of seconds >= 0"
            )
            retry_after = None
        retry_limit = data.get("retryLimit")
        if retry_limit is not None and (
            isinstance(retry_limit, bool)
            or not isinstance(retry_limit, int)
            or retry_limit < 0
        ):
            self.error(f"{pointer}/retryLimit", "'retryLimit' must be an integer >= 0")
            retry_limit = None
        return Action(
            kind=kind,
            name=self.string(data, "name", pointer, required=True) or "",
            type=self.string(data, "type", pointer, required=True) or "",
            workflow_id=self.string(data, "workflowId", pointer),
            step_id=self.string(data, "stepId", pointer),
            retry_after=None if retry_after is None else float(retry_after),
            retry_limit=retry_limit,
            criteria=self.criteria(data, "criteria", pointer),
            pointer=pointer,
        )

    def criteria(
        self, owner: dict[str, Any], key: str, pointer: str
    ) -> tuple[Criterion, ...]:
        result = []
        for item_pointer, data in self.objects(owner, key, pointer, "a criterion"):
            self.check_fields(data, item_pointer, {"condition", "context", "type"})
            condition = self.string(data, "condition", item_pointer, required=True)
            # The planner checks 'context' and 'type' when it compiles the
            # criterion, and reports a wrong one at its own field.
            result.append(
                Criterion(
                    condition, data.get("context"), data.get("type"), item_pointer
                )
            )
        return tuple(result)

    def request_body(self, body: Any, pointer: str) -> RequestBody:
        data = self.mapping(body, pointer, "'requestBody'")
        self.check_fields(data, pointer, {"contentType", "payload", "replacements"})
        replacements = []
        for item_pointer, entry in self.objects(
            data, "replacements", pointer, "a payload replacement"
        ):
            target = self.string(entry, "target", item_pointer, required=True) or ""
            if "value" not in entry:
                self.error(item_pointer, "missing required field 'value'")
            replacements.append(
                PayloadReplacement(target, entry.get("value"), item_pointer)
            )
        return RequestBody(
            content_type=self.string(data, "contentType", pointer),
            payload=data.get("payload"),
            has_payload="payload" in data,
            replacements=tuple(replacements),
            pointer=pointer,
        )

    def outputs(self, owner: dict[str, Any], pointer: str) -> dict[str, Any]:
        value = owner.get("outputs")
        if value is None:
            return {}
        return self.mapping(value, f"{pointer}/outputs", "'outputs'")

    def components(self, raw: dict[str, Any]) -> Components:
        data = self.mapping(raw.get("components", {}), "/components", "'components'")
        self.check_fields(
            data,
            "/components",
            {"inputs", "parameters", "successActions", "failureActions"},
        )
        parameters = {}
        for key, item in self.mapping(
            data.get("parameters", {}), "/components/parameters", "'parameters'"
        ).items():
            pointer = f"/components/parameters/{escape_pointer_segment(key)}"
            parameters[key] = self.parameter(
                self.mapping(item, pointer, "a parameter"), pointer
            )
        actions: dict[str, dict[str, Action]] = {}
        for field_name, kind in (
            ("successActions", "success"),
            ("failureActions", "failure"),
        ):
            section = {}
            for key, item in self.mapping(
                data.get(field_name, {}), f"/components/{field_name}", f"'{field_name}'"
            ).items():
                pointer = f"/components/{field_name}/{escape_pointer_segment(key)}"
                action_kind: ActionKind = "success" if kind == "success" else "failure"
                section[key] = self.action(
                    self.mapping(item, pointer, "an action"), pointer, action_kind
                )
            actions[field_name] = section
        inputs = self.mapping(data.get("inputs", {}), "/components/inputs", "'inputs'")
        return Components(
            inputs=inputs,
            parameters=parameters,
            success_actions=actions["successActions"],
            failure_actions=actions["failureActions"],
        )

    def is_string(self, value: Any, pointer: str, what: str) -> bool:
        if isinstance(value, str):
            return True
        self.error(pointer, f"{what} must be a string, not {describe_type(value)}")
        return False
