"""Serialize parameter values by the operation's ``style`` and ``explode``.

The rules are those of the OpenAPI 3.x Parameter Object ("Style Values" and
"Style Examples"). Path parameters use ``simple``, ``label`` or ``matrix``.
Query parameters use ``form``, ``spaceDelimited``, ``pipeDelimited`` or
``deepObject``. Headers use ``simple`` and cookies ``form``. A parameter
declared with ``content`` instead of a style is sent as compact JSON.

Path, query and cookie values come back percent-encoded; header values are
sent as they are.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any
from urllib.parse import quote

from arazzo_runner.document.reader import escape_pointer_segment
from arazzo_runner.errors import RequestBuildError
from arazzo_runner.openapi.operations import OpenApiParameter

# RFC 3986 reserved characters, kept as they are in query values only when
# the parameter sets allowReserved.
_RESERVED = ":/?#[]@!$&'()*+,;="
# A percent-encoded octet (RFC 3986 pct-encoded), such as %20.
_PERCENT_ENCODED = re.compile(r"(%[0-9A-Fa-f]{2})")
# RFC 6265 cookie-octet characters other than '%': sent without encoding.
_COOKIE_SAFE = "!#$&'()*+-./:<=>?@[]^_`{|}~"


def scalar_text(value: Any) -> str:
    """Return the text of a value as it goes into a URL, header or cookie.

    Booleans are ``true``/``false`` and null is empty, as in JSON-based
    OpenAPI examples; objects and arrays nested inside a value become
    compact JSON.
    """
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return compact_json(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


def compact_json(value: Any) -> str:
    """Return ``value`` as JSON without spaces.

    Raises:
        RequestBuildError: the value contains NaN or an infinity, which JSON
            (RFC 8259) cannot represent, or something that is not JSON data.
    """
    try:
        return json.dumps(
            value, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except (TypeError, ValueError) as exc:
        found = _non_finite_number(value, "", set())
        if found is None:
            raise RequestBuildError(f"the value cannot be sent as JSON: {exc}") from exc
        pointer, number = found
        raise RequestBuildError(
            f"the value {number!r} at {pointer or '/'} cannot be sent as JSON, "
            "which has no NaN or Infinity",
            hint="give a finite number, or null or a string in its place",
        ) from exc


def parse_json(text: str) -> Any:
    """Parse JSON text, rejecting the ``NaN`` and ``Infinity`` that
    ``json.loads`` accepts although RFC 8259 has no such values.

    Raises:
        ValueError: the text is not valid JSON.
    """
    return json.loads(text, parse_constant=_reject_constant)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _non_finite_number(
    value: Any, pointer: str, seen: set[int]
) -> tuple[str, float] | None:
    """Return the JSON Pointer and value of the first NaN or infinity inside
    ``value``, in the order ``json.dumps`` writes it; ``seen`` stops cycles."""
    if isinstance(value, float):
        return None if math.isfinite(value) else (pointer, value)
    if isinstance(value, dict):
        members = [(str(key), item) for key, item in value.items()]
    elif isinstance(value, (list, tuple)):
        members = [(str(index), item) for index, item in enumerate(value)]
    else:
        return None
    if id(value) in seen:
        return None
    seen.add(id(value))
    for key, item in members:
        found = _non_finite_number(
            item, f"{pointer}/{escape_pointer_segment(key)}", seen
        )
        if found is not None:
            return found
    return None


def percent_encode(text: str, *, allow_reserved: bool = False) -> str:
    """Percent-encode everything but unreserved characters (RFC 3986).

    With ``allow_reserved``, reserved characters and percent-encoded octets
    such as ``%20`` pass through unchanged, as in RFC 6570 reserved expansion
    (section 3.2.3). A ``%`` that starts no octet is still encoded as ``%25``.
    """
    if not allow_reserved:
        return quote(text, safe="")
    # re.split with a capturing group puts the octets at the odd indexes.
    parts = _PERCENT_ENCODED.split(text)
    return "".join(
        part if index % 2 else quote(part, safe=_RESERVED)
        for index, part in enumerate(parts)
    )


def _pairs(value: dict[str, Any]) -> list[tuple[str, str]]:
    return [(str(key), scalar_text(item)) for key, item in value.items()]


# Path


def serialize_path(name: str, value: Any, declared: OpenApiParameter | None) -> str:
    """Return the encoded text that replaces ``{name}`` in a path template.

    Raises:
        RequestBuildError: the value is null, or the style is not a path style.
    """
    if value is None:
        raise RequestBuildError(
            f"path parameter {name!r} is null",
            hint="give the parameter a string, number, array or object value",
        )
    if declared is not None and declared.content_type:
        return percent_encode(compact_json(value))
    style = declared.style if declared else "simple"
    explode = declared.explode if declared else False
    if style not in ("simple", "label", "matrix"):
        raise RequestBuildError(
            f"path parameter {name!r} has style {style!r}, which path "
            "parameters cannot use",
            hint="path parameters use simple, label or matrix",
        )
    if isinstance(value, list):
        items = [percent_encode(scalar_text(item)) for item in value]
        return _path_array(name, items, style, explode)
    if isinstance(value, dict):
        pairs = [(percent_encode(k), percent_encode(v)) for k, v in _pairs(value)]
        return _path_object(name, pairs, style, explode)
    text = percent_encode(scalar_text(value))
    if style == "label":
        return "." + text
    if style == "matrix":
        return _matrix(name, text)
    return text


def _matrix(name: str, text: str) -> str:
    """Return ``;name=text``, or ``;name`` alone when ``text`` is empty, as the
    OpenAPI style table and RFC 6570 path-style expansion (section 3.2.7) do."""
    return f";{name}={text}" if text else f";{name}"


def _path_array(name: str, items: list[str], style: str, explode: bool) -> str:
    if style == "label":
        return "." + ("." if explode else ",").join(items)
    if style == "matrix":
        if explode:
            return "".join(_matrix(name, item) for item in items)
        return _matrix(name, ",".join(items))
    return ",".join(items)


def _path_object(
    name: str, pairs: list[tuple[str, str]], style: str, explode: bool
) -> str:
    if explode:
        if style == "matrix":
            return "".join(_matrix(key, item) for key, item in pairs)
        members = [f"{key}={item}" for key, item in pairs]
        if style == "label":
            return "." + ".".join(members)
        return ",".join(members)
    flat = ",".join(f"{key},{item}" for key, item in pairs)
    if style == "label":
        return "." + flat
    if style == "matrix":
        return _matrix(name, flat)
    return flat


# Query


def serialize_query(
    name: str, value: Any, declared: OpenApiParameter | None
) -> list[tuple[str, str]]:
    """Return the encoded ``(name, value)`` pairs one query parameter adds.

    Raises:
        RequestBuildError: the style is not a query style, or ``deepObject``
            is given something other than an object.
    """
    reserved = declared.allow_reserved if declared else False

    def encode(text: str) -> str:
        return percent_encode(text, allow_reserved=reserved)

    key = percent_encode(name)
    if declared is not None and declared.content_type:
        return [(key, encode(compact_json(value)))]
    style = declared.style if declared else "form"
    explode = declared.explode if declared else True
    if style not in ("form", "spaceDelimited", "pipeDelimited", "deepObject"):
        raise RequestBuildError(
            f"query parameter {name!r} has style {style!r}, which query "
            "parameters cannot use",
            hint="query parameters use form, spaceDelimited, pipeDelimited "
            "or deepObject",
        )
    if style == "deepObject":
        if not isinstance(value, dict):
            raise RequestBuildError(
                f"query parameter {name!r} uses style deepObject, so its value "
                f"must be an object, not {type(value).__name__}",
            )
        return _deep_object(key, value, encode)
    delimiter = {"spaceDelimited": "%20", "pipeDelimited": "|"}.get(style, ",")
    if isinstance(value, list):
        texts = [encode(scalar_text(item)) for item in value]
        if explode:
            return [(key, text) for text in texts] or [(key, "")]
        return [(key, delimiter.join(texts))]
    if isinstance(value, dict):
        if explode:
            pairs = [(percent_encode(k), encode(v)) for k, v in _pairs(value)]
            return pairs or [(key, "")]
        flat = delimiter.join(
            f"{encode(k)}{delimiter}{encode(v)}" for k, v in _pairs(value)
        )
        return [(key, flat)]
    return [(key, encode(scalar_text(value)))]


def _deep_object(
    prefix: str, value: dict[str, Any], encode: Any
) -> list[tuple[str, str]]:
    # Nested objects extend the bracket path (a[b][c]=v), and arrays repeat
    # the key; OpenAPI defines deepObject for one level only.
    pairs: list[tuple[str, str]] = []
    for member, item in value.items():
        key = f"{prefix}%5B{percent_encode(str(member))}%5D"
        if isinstance(item, dict):
            pairs.extend(_deep_object(key, item, encode))
        elif isinstance(item, list):
            pairs.extend((key, encode(scalar_text(element))) for element in item)
        else:
            pairs.append((key, encode(scalar_text(item))))
    return pairs


# Header and cookie


def serialize_header(name: str, value: Any, declared: OpenApiParameter | None) -> str:
    """Return a header value in the ``simple`` style.

    Raises:
        RequestBuildError: the value contains a line break, which would end
            the header early.
    """
    if declared is not None and declared.content_type:
        text = compact_json(value)
    else:
        explode = declared.explode if declared else False
        if isinstance(value, list):
            text = ",".join(scalar_text(item) for item in value)
        elif isinstance(value, dict):
            separator = "=" if explode else ","
            text = ",".join(f"{k}{separator}{v}" for k, v in _pairs(value))
        else:
            text = scalar_text(value)
    if "\r" in text or "\n" in text:
        raise RequestBuildError(
            f"header {name!r} contains a line break",
            hint="remove line breaks from the header value",
        )
    return text


def serialize_cookie(
    name: str, value: Any, declared: OpenApiParameter | None
) -> list[tuple[str, str]]:
    """Return the ``(name, value)`` cookie pairs of one cookie parameter.

    The ``form`` style applies. With ``explode``, an array repeats the cookie
    and an object sends one cookie per member. Without it, the items are
    joined with commas. Characters outside the RFC 6265 cookie-octet set are
    percent-encoded.
    """

    def encode(text: str) -> str:
        return quote(text, safe=_COOKIE_SAFE)

    if declared is not None and declared.content_type:
        return [(name, encode(compact_json(value)))]
    explode = declared.explode if declared else True
    if isinstance(value, list):
        texts = [encode(scalar_text(item)) for item in value]
        if explode:
            return [(name, text) for text in texts] or [(name, "")]
        return [(name, ",".join(texts))]
    if isinstance(value, dict):
        if explode:
            return [(encode(k), encode(v)) for k, v in _pairs(value)]
        return [(name, ",".join(f"{encode(k)},{encode(v)}" for k, v in _pairs(value)))]
    return [(name, encode(scalar_text(value)))]
