"""Read a request body as HTTP/1.1 frames it (RFC 9112 section 6).

The mock reads at most a fixed number of body bytes, so that a client that
declares a huge body cannot make it allocate that much memory.
"""

from __future__ import annotations

import re
from email.message import Message
from io import BufferedIOBase

from arazzo_runner.errors import ArazzoError

# The default maximum request body, in bytes: a chosen bound, far above the
# JSON bodies of the bundled scenarios and conformance cases.
MAX_BODY_BYTES = 10 * 1024 * 1024


# The maximum length of a chunk-size line or trailer field, in bytes, and the
# maximum number of trailer fields. Like MAX_BODY_BYTES, they bound the memory
# one request can take.
_MAX_LINE_BYTES = 8192
_MAX_TRAILER_FIELDS = 100
_HEX_DIGITS = re.compile(rb"[0-9A-Fa-f]+")


class FramingError(ArazzoError):
    """The request body cannot be read; ``status`` is the HTTP status to reply with.

    After this error the connection is out of step with the request stream,
    so the reply must close it.
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def read_body(rfile: BufferedIOBase, headers: Message, *, max_bytes: int) -> bytes:
    """Read the body that ``headers`` announce from ``rfile``.

    A body in chunked transfer coding is decoded, and its trailer fields are
    read and dropped.

    Raises:
        FramingError: The framing is invalid or the client sent fewer bytes
            than announced (400), the body is larger than ``max_bytes``
            (413), or a transfer coding other than chunked is used (501).
    """
    codings = _transfer_codings(headers)
    if codings:
        if headers.get_all("Content-Length"):
            # RFC 9112 section 6.3 lets a server reject this smuggling pattern.
            raise FramingError(
                400, "the request has both Transfer-Encoding and Content-Length"
            )
        if codings[-1] != "chunked":
            raise FramingError(
                400,
                f"the final transfer coding of the request is {codings[-1]!r}, "
                "not 'chunked', so the length of its body is unknown",
            )
        if len(codings) > 1:
            others = ", ".join(repr(coding) for coding in codings[:-1])
            raise FramingError(
                501, f"the mock decodes only the chunked transfer coding, not {others}"
            )
        return _read_chunked(rfile, max_bytes)

    length = _content_length(headers)
    if length is None or length == 0:
        return b""
    if length > max_bytes:
        raise FramingError(
            413,
            f"the request body of {length} bytes is larger than the mock's "
            f"limit of {max_bytes} bytes",
        )

    body = rfile.read(length)
    if len(body) < length:
        raise FramingError(
            400, f"the request body ended after {len(body)} of {length} bytes"
        )
    return body


def _content_length(headers: Message) -> int | None:
    """Return the ``Content-Length`` value, or ``None`` when it is absent.

    RFC 9110 section 8.6 allows only digits, and repeated fields only when
    their values are equal.
    """
    values = {value.strip() for value in headers.get_all("Content-Length") or []}
    if not values:
        return None
    if len(values) > 1:
        shown = ", ".join(sorted(values))
        raise FramingError(
            400, f"the request has different Content-Length values: {shown}"
        )
    [value] = values
    if not value.isdigit() or not value.isascii():
        raise FramingError(
            400, f"the Content-Length {value!r} is not a number of bytes"
        )
    return int(value)


def _transfer_codings(headers: Message) -> list[str]:
    """Return the transfer codings of the request in order, lower case."""
    codings = []
    for value in headers.get_all("Transfer-Encoding") or []:
        for item in value.split(","):
            # A coding may carry parameters after ";", which no coding we
            # decode has.
            coding = item.split(";", 1)[0].strip().lower()
            if coding:
                codings.append(coding)
    return codings


def _read_chunked(rfile: BufferedIOBase, max_bytes: int) -> bytes:
    """Decode a chunked body (RFC 9112 section 7.1) and skip its trailer section."""
    body = bytearray()
    while size := _chunk_size(_read_line(rfile)):
        if len(body) + size > max_bytes:
            raise FramingError(
                413,
                "the chunked request body is larger than the mock's limit of "
                f"{max_bytes} bytes",
            )
        data = rfile.read(size)
        if len(data) < size:
            raise FramingError(400, "the chunked request body ended early")
        body += data
        if _read_line(rfile) != b"":
            raise FramingError(
                400, "a chunk of the chunked request body does not end with CRLF"
            )

    for _ in range(_MAX_TRAILER_FIELDS + 1):
        if _read_line(rfile) == b"":
            return bytes(body)
    raise FramingError(
        400,
        f"the chunked request body has more than {_MAX_TRAILER_FIELDS} trailer fields",
    )


def _chunk_size(line: bytes) -> int:
    # A chunk extension follows the size after ";" and is ignored.
    text = line.split(b";", 1)[0].strip()
    if not _HEX_DIGITS.fullmatch(text):
        shown = text.decode("latin-1")
        raise FramingError(
            400, f"invalid chunk size {shown!r} in the chunked request body"
        )
    return int(text, 16)


def _read_line(rfile: BufferedIOBase) -> bytes:
    """Read one line of a chunked body, without its line ending."""
    line = rfile.readline(_MAX_LINE_BYTES + 1)
    if len(line) > _MAX_LINE_BYTES:
        raise FramingError(
            400,
            f"a line of the chunked request body is longer than {_MAX_LINE_BYTES} "
            "bytes",
        )
    if not line.endswith(b"\n"):
        raise FramingError(400, "the chunked request body ended early")
    # RFC 9112 section 2.2 lets a recipient take a bare LF as a line ending.
    return line.removesuffix(b"\n").removesuffix(b"\r")
