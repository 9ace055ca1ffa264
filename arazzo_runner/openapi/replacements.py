"""Apply payload replacements: JSON Pointer targets and XPath targets.

The target kind follows the body's media type: XPath for XML bodies, a JSON
Pointer (RFC 6901) for everything else. A JSON body that is still text is
parsed first and the result is serialized again by the body encoder.
"""

from __future__ import annotations

import copy
import json
from typing import Any
from urllib.parse import unquote

from arazzo_runner.errors import RequestBuildError


def set_pointer(document: Any, target: str, value: Any) -> Any:
    """Return ``document`` with ``value`` placed at the JSON Pointer ``target``.

    An existing member or array item is replaced. A new member is added when
    its parent object exists, and ``-`` (or the array's length) appends to an
    array. The empty pointer replaces the whole document. A ``#`` fragment
    form (``#/a/b``) is accepted and percent-decoded. ``document`` itself is
    not changed.

    Raises:
        RequestBuildError: the pointer is malformed or its parent is missing.
    """
    pointer = target
    if pointer.startswith("#"):
        pointer = unquote(pointer[1:])
    if pointer == "":
        return value
    if not pointer.startswith("/"):
        raise RequestBuildError(
            f"replacement target {target!r} is not a JSON Pointer",
            hint="a JSON Pointer starts with '/', for example /items/0/name",
        )
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]
    result = copy.deepcopy(document)
    parent = result
    for depth, token in enumerate(tokens[:-1]):
        parent = _child(parent, token, target, "/".join(tokens[: depth + 1]))
    last = tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        index = _array_index(parent, last, target, allow_end=True)
        if index == len(parent):
            parent.append(value)
        else:
            parent[index] = value
    else:
        raise RequestBuildError(
            f"replacement target {target!r}: the parent is "
            f"{_kind(parent)}, not an object or array",
        )
    return result


def _child(node: Any, token: str, target: str, walked: str) -> Any:
    if isinstance(node, dict):
        if token not in node:
            raise RequestBuildError(
                f"replacement target {target!r}: /{walked} does not exist in the "
                "payload",
                hint="a replacement can add a member, but only to an existing parent",
            )
        return node[token]
    if isinstance(node, list):
        return node[_array_index(node, token, target, allow_end=False)]
    raise RequestBuildError(
        f"replacement target {target!r}: /{walked} is inside {_kind(node)}, "
        "not an object or array",
    )


def _array_index(items: list[Any], token: str, target: str, *, allow_end: bool) -> int:
    if token == "-" and allow_end:
        return len(items)
    if token.isdigit() and (token == "0" or not token.startswith("0")):
        index = int(token)
        limit = len(items) if allow_end else len(items) - 1
        if index <= limit:
            return index
    raise RequestBuildError(
        f"replacement target {target!r}: {token!r} is not an index of an array "
        f"of {len(items)} items",
    )


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {str: "a string", bool: "a boolean", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )


def parse_json_text(text: str, target: str) -> Any:
    """Parse a JSON payload written as text so that it can be changed.

    Raises:
        RequestBuildError: the text is not valid JSON.
    """
    try:
        return json.loads(text)
    except ValueError as exc:
        raise RequestBuildError(
            f"replacement target {target!r}: the payload is not valid JSON, so "
            f"it cannot be changed ({exc})",
        ) from exc


def set_xpath(document: str | bytes, target: str, text: str) -> bytes:
    """Set the text of every node the XPath 1.0 ``target`` selects.

    Elements get ``text`` as their whole content, attributes as their value.
    Entities are not expanded and nothing is fetched while parsing.

    Raises:
        RequestBuildError: the XML or the XPath is invalid, or nothing matches.
    """
    from lxml import etree  # Imported here: only XML replacements need it.

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    source = document.encode() if isinstance(document, str) else document
    try:
        root = etree.fromstring(source, parser)
    except etree.XMLSyntaxError as exc:
        raise RequestBuildError(
            f"replacement target {target!r}: the payload is not valid XML ({exc})",
        ) from exc
    try:
        selected = root.getroottree().xpath(target)
    except etree.XPathError as exc:
        raise RequestBuildError(
            f"replacement target {target!r} is not a valid XPath 1.0 expression "
            f"({exc})",
        ) from exc
    nodes = selected if isinstance(selected, list) else []
    if not nodes:
        raise RequestBuildError(
            f"replacement target {target!r} selects nothing in the XML payload",
            hint="check the element names and namespaces in the XPath",
        )
    for node in nodes:
        _set_node_text(node, text, target)
    declaration = source.lstrip().startswith(b"<?xml")
    return bytes(
        etree.tostring(
            root.getroottree(), xml_declaration=declaration, encoding="utf-8"
        )
    )


def _set_node_text(node: Any, text: str, target: str) -> None:
    from lxml import etree

    if isinstance(node, etree._Element):
        for child in list(node):
            node.remove(child)
        node.text = text
        return
    if getattr(node, "is_attribute", False):
        node.getparent().set(node.attrname, text)
        return
    if getattr(node, "is_text", False) or getattr(node, "is_tail", False):
        parent = node.getparent()
        if node.is_tail:
            parent.tail = text
        else:
            parent.text = text
        return
    raise RequestBuildError(
        f"replacement target {target!r} selects a value that is not an element, "
        "attribute or text node",
    )
