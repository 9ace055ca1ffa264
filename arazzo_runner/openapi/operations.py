"""An index of the operations of OpenAPI descriptions, and their lookup.

Operations are found by ``operationId``, by
``$sourceDescriptions.NAME.OPERATION_ID`` and by ``operationPath`` (a source
URL expression plus a JSON Pointer to the operation).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from arazzo_runner.errors import DocumentError
from arazzo_runner.openapi.refs import RefResolver

HTTP_METHODS = (
    "get",
    "put",
    "post",
    "delete",
    "options",
    "head",
    "patch",
    "trace",
    "query",
)


@dataclass(frozen=True, slots=True)
class OpenApiParameter:
    """A parameter an operation declares, with its serialization settings."""

    name: str
    in_: str
    style: str
    explode: bool
    allow_reserved: bool
    content_type: str | None
    required: bool


@dataclass(slots=True)
class OpenApiSource:
    """A loaded OpenAPI description.

    ``resolver`` follows ``$ref``s inside it (and into the files it refers
    to); it is ``None`` only for sources built by hand in tests.
    """

    name: str
    uri: str
    data: dict[str, Any]
    operations: list[Operation] = field(default_factory=list)
    resolver: RefResolver | None = None
    # True when a path item could not be read (a broken $ref), so that an
    # operation missing from ``operations`` may still exist.
    incomplete: bool = False
    # The openapi-core validator and schema path, built on first use.
    response_validator: Any = None
    # The parameter names apiKey schemes use, per location, built on first use.
    _api_keys: dict[str, set[str]] | None = field(default=None, init=False, repr=False)

    @property
    def api_keys(self) -> dict[str, set[str]]:
        """Return the names apiKey security schemes send, per location
        (``header``, ``query``, ``cookie``); header names are lower case."""
        if self._api_keys is None:
            resolver = self.resolver

            def deref(raw: dict[str, Any]) -> Any:
                if resolver is None:
                    return raw
                return resolver.deref(raw, self.uri)[0]

            self._api_keys = api_key_names(self.data, deref)
        return self._api_keys

    @property
    def version(self) -> str:
        """Return the ``openapi`` version string, or ``""`` when absent."""
        value = self.data.get("openapi")
        return value if isinstance(value, str) else ""


@dataclass(slots=True)
class Operation:
    """One operation of an OpenAPI description.

    ``method`` is the key the operation sits under: a lower-case fixed field
    such as ``get``, or an OpenAPI 3.2 ``additionalOperations`` key as
    written, which is the method exactly as it is sent.
    """

    source: OpenApiSource
    path: str
    method: str
    operation_id: str | None
    pointer: str
    data: dict[str, Any]
    path_item: dict[str, Any]
    parameters: dict[tuple[str, str], OpenApiParameter] = field(default_factory=dict)
    # The URI that relative references inside ``data`` resolve against: the
    # description's own, or that of the file a ``$ref``'d path item lives in.
    base_uri: str = ""
    # Whether the operation is listed under ``additionalOperations``.
    additional: bool = False

    @property
    def http_method(self) -> str:
        """Return the method as it is sent: a fixed field in upper case, and an
        ``additionalOperations`` key with its own capitalization (OpenAPI 3.2)."""
        return self.method if self.additional else self.method.upper()

    @property
    def label(self) -> str:
        """Return ``METHOD /path`` for messages."""
        return f"{self.http_method} {self.path}"

    def declared(self, name: str, in_: str) -> OpenApiParameter | None:
        """Return the declared parameter (header names compare case-insensitively)."""
        if in_ == "header":
            for (declared_name, declared_in), parameter in self.parameters.items():
                if declared_in == "header" and declared_name.lower() == name.lower():
                    return parameter
            return None
        return self.parameters.get((name, in_))

    def is_api_key(self, name: str, in_: str) -> bool:
        """Return whether an apiKey security scheme of the description sends
        ``name`` in ``in_`` (header names compare case-insensitively)."""
        names = self.source.api_keys.get(in_, set())
        return (name.lower() if in_ == "header" else name) in names

    def request_content(self) -> dict[str, Any]:
        """Return the request body's ``content`` map, references followed."""
        return self._request_content()[0]

    def request_media_types(self) -> list[str]:
        """Return the media types of the declared request body, in order."""
        return list(self.request_content())

    def request_media(self, essence: str) -> tuple[dict[str, Any] | None, str]:
        """Return the Media Type Object declared for ``essence`` and the URI
        that references inside it resolve against."""
        content, uri = self._request_content()
        for media_type, candidate in content.items():
            if media_type.split(";", 1)[0].strip().lower() == essence:
                media, media_uri = self.resolve(candidate, uri)
                return (media if isinstance(media, dict) else None), media_uri
        return None, uri

    def _request_content(self) -> tuple[dict[str, Any], str]:
        body, uri = self.resolve(self.data.get("requestBody"), self.base_uri)
        content = body.get("content") if isinstance(body, dict) else None
        return (content if isinstance(content, dict) else {}), uri

    def resolve(self, node: Any, uri: str) -> tuple[Any, str]:
        """Follow ``node``'s ``$ref`` chain from the document at ``uri``.

        Returns the target and the URI of the document it sits in, which
        relative references inside the target resolve against.
        """
        base = uri or self.source.uri
        resolver = self.source.resolver
        if resolver is None or not isinstance(node, dict) or "$ref" not in node:
            return node, base
        target, target_uri = resolver.deref(node, base)
        return target, target_uri


def index_operations(source: OpenApiSource, resolver: RefResolver) -> None:
    """Fill ``source.operations`` from its ``paths`` (and 3.2 extra methods).

    A path item or parameter behind a broken ``$ref`` is left out;
    `arazzo_runner.openapi.ref_check` reports each such reference.
    """
    source.resolver = resolver
    paths = source.data.get("paths")
    if not isinstance(paths, dict):
        return
    for path, raw_item in paths.items():
        if not isinstance(raw_item, dict):
            continue
        try:
            item, item_uri = resolver.deref(raw_item, source.uri)
        except DocumentError:
            source.incomplete = True
            continue
        if not isinstance(item, dict):
            continue
        escaped = path.replace("~", "~0").replace("/", "~1")
        methods: list[tuple[str, Any, str, bool]] = [
            (method, item[method], f"/paths/{escaped}/{method}", False)
            for method in HTTP_METHODS
            if isinstance(item.get(method), dict)
        ]
        extra = item.get("additionalOperations")
        if isinstance(extra, dict):
            # OpenAPI 3.2: the key is the method with the capitalization that
            # is sent, so it is kept as written.
            methods.extend(
                (name, value, f"/paths/{escaped}/additionalOperations/{name}", True)
                for name, value in extra.items()
                if isinstance(value, dict)
            )
        for method, data, pointer, additional in methods:
            operation = Operation(
                source=source,
                path=path,
                method=method,
                operation_id=data.get("operationId")
                if isinstance(data.get("operationId"), str)
                else None,
                pointer=pointer,
                data=data,
                path_item=item,
                base_uri=item_uri,
                additional=additional,
            )
            _collect_parameters(operation, item, data, resolver, item_uri)
            source.operations.append(operation)


def _collect_parameters(
    operation: Operation,
    item: dict[str, Any],
    data: dict[str, Any],
    resolver: RefResolver,
    base_uri: str,
) -> None:
    # Operation-level parameters override path-level ones with the same identity.
    for level in (item.get("parameters"), data.get("parameters")):
        if not isinstance(level, list):
            continue
        for raw in level:
            try:
                parameter, _ = resolver.deref(raw, base_uri)
            except DocumentError:
                continue
            if not isinstance(parameter, dict):
                continue
            name, in_ = parameter.get("name"), parameter.get("in")
            if not isinstance(name, str) or not isinstance(in_, str):
                continue
            style = parameter.get("style") or _DEFAULT_STYLES.get(in_, "simple")
            explode = parameter.get("explode")
            if not isinstance(explode, bool):
                explode = style == "form"
            content = parameter.get("content")
            operation.parameters[(name, in_)] = OpenApiParameter(
                name=name,
                in_=in_,
                style=str(style),
                explode=explode,
                allow_reserved=bool(parameter.get("allowReserved", False)),
                content_type=next(iter(content))
                if isinstance(content, dict) and content
                else None,
                required=bool(parameter.get("required", in_ == "path")),
            )


_DEFAULT_STYLES = {
    "path": "simple",
    "query": "form",
    "header": "simple",
    "cookie": "form",
}

_OPERATION_PATH = re.compile(
    r"^(?:\{\$sourceDescriptions\.(?P<braced>[^.}]+)\.url\}"
    r"|\$sourceDescriptions\.(?P<bare>[^#.]+)(?:\.url)?"
    r"|(?P<name>[A-Za-z0-9_\-]+))#(?P<pointer>/.*)$"
)


@dataclass(frozen=True, slots=True)
class OperationPathParts:
    """A parsed operationPath: the source name, the pointer, and whether the
    standard braced form was used."""

    source_name: str
    pointer: str
    standard: bool


def parse_operation_path(text: str) -> OperationPathParts | None:
    """Split an operationPath into source name and decoded JSON Pointer."""
    match = _OPERATION_PATH.match(text.strip())
    if match is None:
        return None
    name = match.group("braced") or match.group("bare") or match.group("name")
    return OperationPathParts(
        source_name=name,
        pointer=unquote(match.group("pointer")),
        standard=match.group("braced") is not None,
    )


def api_key_names(
    document: dict[str, Any],
    deref: Callable[[dict[str, Any]], Any] | None = None,
) -> dict[str, set[str]]:
    """Return the parameter names the apiKey security schemes of an OpenAPI
    ``document`` use, per location; header names are lower-cased because
    they compare case-insensitively. ``deref`` follows a scheme given as a
    ``$ref``; without it such a scheme is skipped."""
    names: dict[str, set[str]] = {"header": set(), "query": set(), "cookie": set()}
    components = document.get("components")
    if not isinstance(components, dict):
        return names
    schemes = components.get("securitySchemes")
    if not isinstance(schemes, dict):
        return names
    for raw in schemes.values():
        scheme = deref(raw) if deref is not None and isinstance(raw, dict) else raw
        if not isinstance(scheme, dict) or scheme.get("type") != "apiKey":
            continue
        name, location = scheme.get("name"), scheme.get("in")
        if isinstance(name, str) and location in names:
            names[location].add(name.lower() if location == "header" else name)
    return names
