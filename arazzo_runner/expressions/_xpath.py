"""XPath for ``xpath`` criteria, run by ``elementpath`` over XML parsed by ``lxml``.

XPath 3.1 is the default; the criterion type object selects ``xpath-30``,
``xpath-20`` or ``xpath-10``. The XML parser expands no entities, loads no
DTD and never uses the network, and the XPath functions that read resources
or environment variables (``fn:doc``, ``fn:unparsed-text``,
``fn:environment-variable``) see none.

``elementpath`` and ``lxml`` take about 80 ms to import, so they are imported
on the first compilation, and a document without ``xpath`` criteria never
loads them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from arazzo_runner.errors import ExpressionSyntaxError

XPATH_VERSIONS = ("xpath-31", "xpath-30", "xpath-20", "xpath-10")
"""The XPath versions, the default first; 1.0.1 names only the last three."""

_UNDECLARED_PREFIX = "err:XPST0081"
_UNDECLARED_PREFIX_MESSAGE = re.compile(r"prefix '([^']+)' is not declared")
# The placeholder namespace of each prefix while the syntax is checked. It
# differs from the namespace the document binds, so errors that depend on the
# namespace (an unknown function 'p:f', an unknown type 'p:t') wait for the
# evaluation.
_PLACEHOLDER_NAMESPACE = "urn:x-arazzo-runner:prefix:"
_NAMESPACE_DEPENDENT = frozenset({"err:XPST0017", "err:XPST0051"})


class XPathContextError(ValueError):
    """The context value is not well-formed XML text."""


class XPathEvaluationError(ValueError):
    """An XPath expression failed on one document, such as a type error."""


def _make_parser(version: str, namespaces: dict[str, str]) -> Any:
    """Return an ``elementpath`` parser of ``version`` that reads no resources."""
    import elementpath  # deferred, see the module documentation

    if version == "xpath-31":
        from elementpath.xpath31 import XPath31Parser

        return XPath31Parser(
            namespaces, allow_environment=False, allow_external_resources=False
        )
    if version == "xpath-30":
        from elementpath.xpath30 import XPath30Parser

        return XPath30Parser(
            namespaces, allow_environment=False, allow_external_resources=False
        )
    if version == "xpath-20":
        return elementpath.XPath2Parser(namespaces)
    from arazzo_runner.expressions._xpath1 import XPath1ComparisonParser

    return XPath1ComparisonParser(namespaces)


@dataclass(frozen=True, slots=True)
class XPathQuery:
    """A compiled XPath expression of one version.

    Arazzo gives no way to declare namespace prefixes, so the prefixes an
    expression uses (``prefixes``) are bound on each evaluation to the
    namespaces that the context document declares, and ``token`` is ``None``.
    """

    text: str
    version: str
    token: Any = field(compare=False, repr=False)
    prefixes: tuple[str, ...] = ()

    @classmethod
    def compile(cls, text: str, version: str) -> XPathQuery:
        """Compile ``text`` as an XPath expression of ``version``.

        An expression that uses a prefix is parsed with a placeholder
        namespace for each prefix, so its syntax is checked here too.

        Raises:
            ExpressionSyntaxError: The expression is invalid in that version.
        """
        from elementpath import ElementPathError

        namespaces: dict[str, str] = {}
        while True:
            try:
                token = _make_parser(version, namespaces).parse(text)
            except ElementPathError as error:
                prefix = _undeclared_prefix(error)
                if prefix is not None and prefix not in namespaces:
                    namespaces[prefix] = _PLACEHOLDER_NAMESPACE + prefix
                    continue
                if namespaces and error.code in _NAMESPACE_DEPENDENT:
                    break
                raise ExpressionSyntaxError(
                    f"invalid XPath expression {text!r}: {error.message}",
                    text=text,
                    index=_error_index(error, text),
                ) from None
            except Exception as error:  # noqa: BLE001
                # elementpath fails with other exceptions on some text, and
                # with RecursionError on deep nesting. Document text must not
                # crash the load, so each becomes a syntax error.
                # NOTE: elementpath 5.1.4 raises AssertionError on a braced
                # URI literal that starts with a digit, so the valid 'Q{0}a'
                # is rejected here too.
                raise _unexpected_error(error, text) from None
            if not namespaces:
                return cls(text, version, token)
            break
        return cls(text, version, None, tuple(namespaces))

    def evaluate(self, document: Any) -> tuple[bool, str]:
        """Return the effective boolean value on ``document`` and a description.

        Raises:
            XPathContextError: ``document`` is not well-formed XML text.
            XPathEvaluationError: The expression fails on this document, or
                uses a prefix that the document does not declare.
        """
        from elementpath import ElementPathError, XPathContext

        tree = parse_xml(document)
        token = self.token
        namespaces: dict[str, str] = {}
        if token is None:
            namespaces = self._bind_prefixes(declared_namespaces(tree))
        try:
            if token is None:
                token = _make_parser(self.version, namespaces).parse(self.text)
            result = token.evaluate(XPathContext(tree))
            passed = bool(token.boolean_value(result))
        except ElementPathError as error:
            raise XPathEvaluationError(f"{error.code}: {error.message}") from error
        except Exception as error:  # noqa: BLE001 - see XPathQuery.compile
            raise XPathEvaluationError(_failure_name(error)) from error
        return passed, _describe(result)

    def _bind_prefixes(self, declared: dict[str, str]) -> dict[str, str]:
        missing = [prefix for prefix in self.prefixes if prefix not in declared]
        if missing:
            raise XPathEvaluationError(
                f"namespace prefix {missing[0]!r} is not declared in the context"
                " document"
            )
        return {prefix: declared[prefix] for prefix in self.prefixes}


def declared_namespaces(tree: Any) -> dict[str, str]:
    """Return the namespace prefixes declared anywhere in ``tree``, with their URIs.

    When one prefix is declared for several URIs, the declaration that comes
    first in document order wins. The default namespace (``xmlns="..."``) is
    left out, because an XPath name without a prefix is in no namespace.
    """
    from lxml import etree  # deferred, see the module documentation

    found: dict[str, str] = {}
    for _event, (prefix, uri) in etree.iterwalk(tree, events=("start-ns",)):
        if prefix:
            found.setdefault(prefix, uri)
    return found


def parse_xml(document: Any) -> Any:
    """Parse XML text (``str`` or ``bytes``) without entities, DTDs or network.

    Raises:
        XPathContextError: ``document`` is not text, or not well-formed XML.
    """
    from lxml import etree  # deferred, see the module documentation

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    if isinstance(document, str):
        # lxml rejects a str that carries an encoding declaration.
        document = document.encode("utf-8")
    if not isinstance(document, (bytes, bytearray)):
        raise XPathContextError(
            f"context is not XML text but {type(document).__name__}"
        )
    try:
        root = etree.fromstring(bytes(document), parser)
    except etree.XMLSyntaxError as error:
        raise XPathContextError(f"context is not well-formed XML: {error}") from None
    return root.getroottree()


def _undeclared_prefix(error: Any) -> str | None:
    """Return the prefix an XPST0081 error names, or ``None`` for other errors.

    elementpath 5.1.4 attaches the prefixed name token, whose first child is
    the prefix. Without that token, the prefix is read from the message.
    """
    if error.code != _UNDECLARED_PREFIX:
        return None
    token: Any = getattr(error, "token", None)
    if getattr(token, "symbol", None) == ":" and len(token) > 0:
        prefix = getattr(token[0], "value", None)
        if isinstance(prefix, str) and prefix:
            return prefix
    match = _UNDECLARED_PREFIX_MESSAGE.search(str(error.message))
    return match.group(1) if match else None


def _error_index(error: Any, text: str) -> int:
    token = getattr(error, "token", None)
    if getattr(token, "symbol", None) == "(end)":
        return len(text)
    span = getattr(token, "span", None)
    if isinstance(span, tuple) and span and isinstance(span[0], int):
        return int(span[0])
    return len(text)


def _unexpected_error(error: Exception, text: str) -> ExpressionSyntaxError:
    """Return the syntax error for an exception that is not an ElementPathError."""
    if isinstance(error, RecursionError):
        reason = "it is nested too deeply"
    else:
        reason = f"elementpath failed with {_failure_name(error)}"
    return ExpressionSyntaxError(
        f"cannot parse XPath expression {text!r}: {reason}",
        text=text,
        index=_failing_token_index(error.__traceback__),
        hint="rewrite the expression near the caret",
    )


def _failure_name(error: Exception) -> str:
    message = str(error)
    name = type(error).__name__
    return f"{name}: {message}" if message else name


def _failing_token_index(traceback: TracebackType | None) -> int:
    """Return where the token that the parser was reading starts, else 0.

    The exception carries no token, so this takes the innermost stack frame
    that runs a method of an elementpath token, which has a ``span``.
    """
    index = 0
    while traceback is not None:
        token = traceback.tb_frame.f_locals.get("self")
        span = getattr(token, "span", None)
        if isinstance(span, tuple) and span and isinstance(span[0], int):
            index = span[0]
        traceback = traceback.tb_next
    return index


def _describe(result: Any) -> str:
    if isinstance(result, list):
        return f"{len(result)} items"
    return repr(result)
