"""Choose a request body's media type and encode the payload for it.

Supported: JSON and every ``+json`` type, ``application/x-www-form-urlencoded``,
``multipart/form-data``, XML and ``text/*`` as text, and raw bytes for any
other type.
"""

from __future__ import annotations

import mimetypes
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

from arazzo_runner.errors import RequestBuildError
from arazzo_runner.openapi.operations import OpenApiParameter, Operation
from arazzo_runner.openapi.serialize import (
    compact_json,
    parse_json,
    scalar_text,
    serialize_query,
)


@dataclass(frozen=True, slots=True)
class EncodedBody:
    """Bytes to send, the ``Content-Type`` header, and a warning if any."""

    content: bytes
    content_type: str
    warning: str | None = None


def media_essence(content_type: str) -> str:
    """Return the lower-case ``type/subtype`` of a media type, without parameters."""
    return content_type.split(";", 1)[0].strip().lower()


def is_json_media_type(content_type: str) -> bool:
    """Return whether a media type is JSON (``application/json`` or ``+json``)."""
    essence = media_essence(content_type)
    return essence == "application/json" or essence.endswith("+json")


def is_xml_media_type(content_type: str) -> bool:
    """Return whether a media type is XML (``application/xml``, ``text/xml``
    or ``+xml``)."""
    essence = media_essence(content_type)
    return essence in ("application/xml", "text/xml") or essence.endswith("+xml")


def choose_content_type(
    declared: str | None, operation: Operation
) -> tuple[str, str | None]:
    """Return the content type to send and a warning when the choice was a guess.

    The step's ``contentType`` wins. Otherwise the choice is the operation's
    only media type, else ``application/json`` when it is one of several, else
    the first of several (with a warning). An operation that declares none
    gets JSON. A wildcard range (``*/*``, ``application/*``) is sent as JSON,
    and ``text/*`` as ``text/plain``.
    """
    if declared:
        return declared, None
    media_types = operation.request_media_types()
    if not media_types:
        return "application/json", None
    if len(media_types) == 1:
        return _concrete(media_types[0]), None
    for candidate in media_types:
        if media_essence(candidate) == "application/json":
            return candidate, None
    first = _concrete(media_types[0])
    return first, (
        f"{operation.label} accepts several media types "
        f"({', '.join(media_types)}); sending {first!r}; set "
        "requestBody.contentType to choose"
    )


def _concrete(media_type: str) -> str:
    essence = media_essence(media_type)
    if essence in ("*/*", "application/*"):
        return "application/json"
    if essence == "text/*":
        return "text/plain"
    return media_type


def encode_body(
    payload: Any,
    content_type: str,
    *,
    operation: Operation | None = None,
    payload_is_text: bool = False,
) -> EncodedBody:
    """Encode an evaluated payload for ``content_type``.

    ``payload_is_text`` marks a payload written as literal text or as a
    template: for JSON it is the body text, sent as it is. A string that a
    whole runtime expression produced is a JSON string value instead.

    Raises:
        RequestBuildError: the payload cannot be encoded as that media type,
            or a file to upload cannot be read.
    """
    essence = media_essence(content_type)
    if isinstance(payload, (bytes, bytearray)):
        return EncodedBody(bytes(payload), content_type)
    if is_json_media_type(essence):
        return _encode_json(payload, content_type, payload_is_text)
    if essence == "application/x-www-form-urlencoded":
        return EncodedBody(_encode_form(payload, operation), content_type)
    if essence == "multipart/form-data":
        return _encode_multipart(payload, content_type, operation)
    if isinstance(payload, str):
        return EncodedBody(payload.encode(), content_type)
    if is_xml_media_type(essence) or essence.startswith("text/"):
        if isinstance(payload, (dict, list)):
            raise RequestBuildError(
                f"a {essence} payload must be a string, not "
                f"{'an object' if isinstance(payload, dict) else 'an array'}",
                hint="write the payload as text, with {$...} for the values",
            )
        return EncodedBody(scalar_text(payload).encode(), content_type)
    return EncodedBody(
        compact_json(payload).encode(),
        content_type,
        f"the payload is structured data and {essence} is neither JSON nor a "
        "form type; it was sent as JSON text",
    )


def _encode_json(payload: Any, content_type: str, payload_is_text: bool) -> EncodedBody:
    if isinstance(payload, str) and payload_is_text:
        warning = None
        try:
            parse_json(payload)
        except ValueError as exc:
            warning = (
                f"the {media_essence(content_type)} payload is not valid JSON "
                f"({exc}); it was sent as written"
            )
        return EncodedBody(payload.encode(), content_type, warning)
    return EncodedBody(compact_json(payload).encode(), content_type)


def _encode_form(payload: Any, operation: Operation | None) -> bytes:
    """Encode an object as ``application/x-www-form-urlencoded`` fields.

    A property whose Encoding Object sets ``style``, ``explode`` or
    ``allowReserved`` is serialized like a query parameter with those
    settings. Otherwise, as OpenAPI 3.1.1 specifies through the default
    ``contentType``, arrays repeat the field and objects go in as JSON text.
    """
    if payload is None:
        return b""
    if isinstance(payload, str):
        return payload.encode()
    if not isinstance(payload, dict):
        raise RequestBuildError(
            "a form-urlencoded payload must be an object or a string, not "
            f"{type(payload).__name__}",
            hint="write the payload as an object of field names to values",
        )
    styles = _form_styles(operation)
    pairs: list[str] = []
    for key, value in payload.items():
        style = styles.get(str(key))
        if style is not None:
            pairs.extend(f"{k}={v}" for k, v in serialize_query(str(key), value, style))
            continue
        values = value if isinstance(value, list) else [value]
        pairs.extend(
            f"{quote_plus(str(key))}={quote_plus(scalar_text(item))}" for item in values
        )
    return "&".join(pairs).encode()


def _form_styles(operation: Operation | None) -> dict[str, OpenApiParameter]:
    """Return the form fields whose Encoding Object sets a serialization style."""
    if operation is None:
        return {}
    media, _ = operation.request_media("application/x-www-form-urlencoded")
    encoding = media.get("encoding") if media is not None else None
    if not isinstance(encoding, dict):
        return {}
    styles: dict[str, OpenApiParameter] = {}
    for name, spec in encoding.items():
        if not isinstance(spec, dict) or not (
            {"style", "explode", "allowReserved"} & set(spec)
        ):
            continue
        style = str(spec.get("style", "form"))
        explode = spec.get("explode")
        styles[str(name)] = OpenApiParameter(
            name=str(name),
            in_="query",
            style=style,
            explode=explode if isinstance(explode, bool) else style == "form",
            allow_reserved=spec.get("allowReserved") is True,
            content_type=None,
            required=False,
        )
    return styles


# multipart/form-data (RFC 7578)


@dataclass(frozen=True, slots=True)
class _Part:
    name: str
    content: bytes
    content_type: str | None = None
    filename: str | None = None


def _encode_multipart(
    payload: Any, content_type: str, operation: Operation | None
) -> EncodedBody:
    if not isinstance(payload, dict):
        raise RequestBuildError(
            "a multipart/form-data payload must be an object of field names "
            f"to values, not {type(payload).__name__}",
        )
    fields = _multipart_fields(operation)
    parts: list[_Part] = []
    for name, value in payload.items():
        name = str(name)
        items = value if isinstance(value, list) else [value]
        for item in items:
            parts.append(_part(name, item, fields.get(name)))
    boundary = "arazzo-" + secrets.token_hex(16)
    body = bytearray()
    for part in parts:
        body += f"--{boundary}\r\n".encode()
        disposition = f'form-data; name="{_quote_header(part.name)}"'
        if part.filename is not None:
            disposition += f'; filename="{_quote_header(part.filename)}"'
        body += f"Content-Disposition: {disposition}\r\n".encode()
        if part.content_type:
            body += f"Content-Type: {part.content_type}\r\n".encode()
        body += b"\r\n" + part.content + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    essence = media_essence(content_type)
    return EncodedBody(bytes(body), f"{essence}; boundary={boundary}")


@dataclass(frozen=True, slots=True)
class _FieldSpec:
    """The operation's declaration of one multipart field."""

    is_file: bool
    content_type: str | None


def _multipart_fields(operation: Operation | None) -> dict[str, _FieldSpec]:
    """Read which fields are files from the operation's multipart schema.

    A property is a file when its schema (or its array items' schema) has
    ``format: binary`` (OpenAPI 3.0) or ``contentMediaType`` (3.1), or when
    the Encoding Object gives it a content type other than text or JSON.
    """
    if operation is None:
        return {}
    media, uri = operation.request_media("multipart/form-data")
    if media is None:
        return {}
    schema, schema_uri = operation.resolve(media.get("schema"), uri)
    properties = schema.get("properties") if isinstance(schema, dict) else None
    encoding = media.get("encoding") if isinstance(media.get("encoding"), dict) else {}
    result: dict[str, _FieldSpec] = {}
    for name, raw in (properties or {}).items():
        prop, prop_uri = operation.resolve(raw, schema_uri)
        if isinstance(prop, dict) and prop.get("type") == "array":
            prop, _ = operation.resolve(prop.get("items"), prop_uri)
        declared = encoding.get(name) if isinstance(encoding, dict) else None
        declared_type = (
            declared.get("contentType") if isinstance(declared, dict) else None
        )
        is_file = isinstance(prop, dict) and (
            prop.get("format") == "binary" or "contentMediaType" in prop
        )
        if isinstance(declared_type, str) and not (
            declared_type.startswith("text/") or is_json_media_type(declared_type)
        ):
            is_file = True
        media_type: str | None = None
        if isinstance(declared_type, str):
            media_type = declared_type
        elif isinstance(prop, dict) and isinstance(prop.get("contentMediaType"), str):
            media_type = prop["contentMediaType"]
        result[str(name)] = _FieldSpec(is_file, media_type)
    return result


def _part(name: str, value: Any, spec: _FieldSpec | None) -> _Part:
    declared_type = spec.content_type if spec else None
    if isinstance(value, (bytes, bytearray)):
        return _Part(
            name, bytes(value), declared_type or "application/octet-stream", name
        )
    if spec is not None and spec.is_file and isinstance(value, str):
        path = Path(value).expanduser()
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise RequestBuildError(
                f"multipart field {name!r}: cannot read file {value!r}: {exc.strerror}",
                hint="give the path of a readable file (relative paths start "
                "at the working directory)",
            ) from exc
        guessed = mimetypes.guess_type(path.name)[0]
        media_type = (
            declared_type if declared_type and "*" not in declared_type else None
        )
        return _Part(
            name,
            content,
            media_type or guessed or "application/octet-stream",
            path.name,
        )
    if isinstance(value, (dict, list)):
        return _Part(name, compact_json(value).encode(), "application/json")
    return _Part(name, scalar_text(value).encode())


def _quote_header(text: str) -> str:
    # RFC 7578 section 4.2: field names and file names go in a quoted string;
    # quotes and line breaks are percent-encoded as browsers do.
    return text.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
