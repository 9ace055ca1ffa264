"""Build an HTTP request from an operation and evaluated parameter values.

Parameters are serialized by the operation's ``style`` and ``explode``
(OpenAPI 3.x "Style Values"); bodies are encoded by media type.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from arazzo_runner.errors import RequestBuildError
from arazzo_runner.openapi.operations import OpenApiParameter, Operation

# Characters RFC 3986 reserves; kept as they are only with allowReserved.
_RESERVED = ":/?#[]@!$&'()*+,;="


@dataclass(slots=True)
class HttpRequest:
    """A request ready to send. ``query`` and ``headers`` keep their order."""

    method: str
    url: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    query: list[tuple[str, str]] = field(default_factory=list)
    cookies: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | None = None
    path_values: dict[str, Any] = field(default_factory=dict)
    query_values: dict[str, Any] = field(default_factory=dict)

    def full_url(self) -> str:
        """Return the URL with its query string."""
        if not self.query:
            return self.url
        separator = "&" if "?" in self.url else "?"
        return self.url + separator + "&".join(f"{k}={v}" for k, v in self.query)


def scalar_text(value: Any) -> str:
    """Return the text form of a scalar as it goes into a URL or header."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _encode(text: str, *, allow_reserved: bool = False) -> str:
    return quote(text, safe=_RESERVED if allow_reserved else "")


def expand_path(operation: Operation, base: str, values: dict[str, Any]) -> str:
    """Fill the path template and join it to ``base``.

    Raises:
        RequestBuildError: a placeholder has no value.
    """
    path = operation.path
    result = []
    position = 0
    while True:
        start = path.find("{", position)
        if start < 0:
            result.append(path[position:])
            break
        end = path.find("}", start)
        if end < 0:
            result.append(path[position:])
            break
        result.append(path[position:start])
        name = path[start + 1 : end]
        if name not in values:
            raise RequestBuildError(
                f"path parameter {name!r} of {operation.label} has no value",
                hint=f"add a parameter with name: {name} and in: path to the step",
            )
        declared = operation.declared(name, "path")
        result.append(_serialize_path(name, values[name], declared))
        position = end + 1
    return base + "".join(result)


def _serialize_path(name: str, value: Any, declared: OpenApiParameter | None) -> str:
    style = declared.style if declared else "simple"
    explode = declared.explode if declared else False
    if declared and declared.content_type:
        return _encode(json.dumps(value, separators=(",", ":")))
    if isinstance(value, list):
        items = [_encode(scalar_text(item)) for item in value]
        if style == "label":
            return "." + ("." if explode else ",").join(items)
        if style == "matrix":
            if explode:
                return "".join(f";{name}={item}" for item in items)
            return f";{name}=" + ",".join(items)
        return ",".join(items)
    if isinstance(value, dict):
        pairs = [(_encode(str(k)), _encode(scalar_text(v))) for k, v in value.items()]
        if style == "matrix" and explode:
            return "".join(f";{k}={v}" for k, v in pairs)
        joined = (
            ",".join(f"{k}={v}" for k, v in pairs)
            if explode
            else ",".join(f"{k},{v}" for k, v in pairs)
        )
        if style == "label":
            return "." + (joined.replace(",", ".") if explode else joined)
        if style == "matrix":
            return f";{name}=" + joined
        return joined
    text = _encode(scalar_text(value))
    if style == "label":
        return "." + text
    if style == "matrix":
        return f";{name}={text}"
    return text


def serialize_query(
    name: str, value: Any, declared: OpenApiParameter | None
) -> list[tuple[str, str]]:
    """Return the encoded query pairs for one parameter."""
    style = declared.style if declared else "form"
    explode = declared.explode if declared else True
    reserved = declared.allow_reserved if declared else False
    key = _encode(name)

    def enc(text: str) -> str:
        return _encode(text, allow_reserved=reserved)

    if declared and declared.content_type:
        return [(key, enc(json.dumps(value, separators=(",", ":"))))]
    if isinstance(value, list):
        texts = [enc(scalar_text(item)) for item in value]
        if style == "spaceDelimited" and not explode:
            return [(key, "%20".join(texts))]
        if style == "pipeDelimited" and not explode:
            return [(key, "|".join(texts))]
        if explode:
            return [(key, text) for text in texts]
        return [(key, ",".join(texts))]
    if isinstance(value, dict):
        if style == "deepObject":
            return [
                (f"{key}%5B{_encode(str(k))}%5D", enc(scalar_text(v)))
                for k, v in value.items()
            ]
        if explode:
            return [(_encode(str(k)), enc(scalar_text(v))) for k, v in value.items()]
        flat = ",".join(
            f"{enc(str(k))},{enc(scalar_text(v))}" for k, v in value.items()
        )
        return [(key, flat)]
    return [(key, enc(scalar_text(value)))]


def serialize_header(value: Any, declared: OpenApiParameter | None) -> str:
    """Return a header value in the ``simple`` style."""
    if declared and declared.content_type:
        return json.dumps(value, separators=(",", ":"))
    explode = declared.explode if declared else False
    if isinstance(value, list):
        return ",".join(scalar_text(item) for item in value)
    if isinstance(value, dict):
        if explode:
            return ",".join(f"{k}={scalar_text(v)}" for k, v in value.items())
        return ",".join(f"{k},{scalar_text(v)}" for k, v in value.items())
    return scalar_text(value)


def serialize_cookie(value: Any, declared: OpenApiParameter | None) -> str:
    """Return a cookie value in the ``form`` style."""
    if declared and declared.content_type:
        return quote(json.dumps(value, separators=(",", ":")), safe="")
    if isinstance(value, list):
        return ",".join(scalar_text(item) for item in value)
    if isinstance(value, dict):
        return ",".join(f"{k},{scalar_text(v)}" for k, v in value.items())
    return scalar_text(value)


def choose_content_type(
    declared: str | None, operation: Operation
) -> tuple[str, str | None]:
    """Return the content type to send and a warning when the choice was a guess.

    The step's ``contentType`` wins. Otherwise: the operation's only media
    type; ``application/json`` when it is one of several; the first of several
    (with a warning); JSON when the operation declares none.
    """
    if declared:
        return declared, None
    media_types = operation.request_media_types()
    if len(media_types) == 1:
        return media_types[0], None
    if "application/json" in media_types:
        return "application/json", None
    if media_types:
        return media_types[0], (
            f"{operation.label} accepts several media types; sending "
            f"{media_types[0]!r}, set requestBody.contentType to choose"
        )
    return "application/json", None


def is_json_media_type(content_type: str) -> bool:
    """Return whether a media type is JSON (``application/json`` or ``+json``)."""
    essence = content_type.split(";", 1)[0].strip().lower()
    return essence == "application/json" or essence.endswith("+json")


def encode_body(payload: Any, content_type: str) -> bytes:
    """Encode an evaluated payload for ``content_type``.

    Raises:
        RequestBuildError: the payload cannot be encoded that way.
    """
    essence = content_type.split(";", 1)[0].strip().lower()
    if isinstance(payload, bytes):
        return payload
    if is_json_media_type(essence):
        if isinstance(payload, str):
            # A string payload that already holds JSON text is sent as is.
            try:
                json.loads(payload)
                return payload.encode()
            except ValueError:
                pass
        return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    if essence == "application/x-www-form-urlencoded":
        if isinstance(payload, str):
            return payload.encode()
        if isinstance(payload, dict):
            pairs: list[str] = []
            for key, value in payload.items():
                values = value if isinstance(value, list) else [value]
                pairs.extend(
                    f"{quote(str(key), safe='')}={quote(scalar_text(item), safe='')}"
                    for item in values
                )
            return "&".join(pairs).encode()
        raise RequestBuildError(
            "a form-urlencoded payload must be an object or a string",
            hint="write the payload as an object of field names to values",
        )
    if isinstance(payload, str):
        return payload.encode()
    # TODO: multipart/form-data bodies are not encoded yet; they go out as JSON.
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
