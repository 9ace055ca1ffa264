"""Read a request body as HTTP/1.1 frames it (RFC 9112 section 6).

The mock reads at most a fixed number of body bytes, so that a client that
declares a huge body cannot make it allocate that much memory.
"""

from __future__ import annotations

from email.message import Message
from io import BufferedIOBase

from arazzo_runner.errors import ArazzoError

# The default maximum request body, in bytes: a chosen bound, far above the
# JSON bodies of the bundled scenarios and conformance cases.
MAX_BODY_BYTES = 10 * 1024 * 1024


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

    Raises:
        FramingError: ``Content-Length`` is invalid (400), announces more
            than ``max_bytes`` (413), or the client sent fewer bytes (400).
    """
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
