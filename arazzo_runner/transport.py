"""The HTTP client the engine sends requests through.

Redirects are never followed, so a 302 is a response that criteria can test.
Transport failures (refused, reset, timed out) become :class:`TransportError`.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from arazzo_runner.errors import TransportError
from arazzo_runner.openapi.requests import HttpRequest

if TYPE_CHECKING:
    import httpx

DEFAULT_TIMEOUT_SECONDS = 30.0
# Criteria and outputs read whole bodies in memory, so a body is capped;
# 64 MiB is far above the JSON bodies workflows read.
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """A received response. Header names are lower case, in arrival order."""

    status_code: int
    headers: list[tuple[str, str]]
    content: bytes
    elapsed: float

    def header(self, name: str) -> str | None:
        """Return the first value of a header, or ``None``."""
        lowered = name.lower()
        for key, value in self.headers:
            if key == lowered:
                return value
        return None

    @property
    def content_type(self) -> str | None:
        """Return the ``Content-Type`` header, or ``None``."""
        return self.header("content-type")


class Transport:
    """Sends requests with one shared ``httpx.AsyncClient``.

    Cookies that responses set are sent by later requests of the same run to
    the same host, because the client keeps a cookie jar.
    """

    def __init__(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        verify_tls: bool = True,
        client: httpx.AsyncClient | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self._timeout = timeout
        self._verify_tls = verify_tls
        self._max_response_bytes = max_response_bytes
        self._client = client
        self._owns_client = client is None

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Send ``request`` and return the response.

        Raises:
            TransportError: no response arrived.
        """
        import httpx

        client = self._get_client()
        url = request.full_url()
        # Header values outside ASCII go out as UTF-8 bytes, because httpx
        # rejects them as text.
        headers: list[tuple[bytes, bytes]] = [
            (name.encode("ascii"), value.encode("utf-8"))
            for name, value in request.headers
        ]
        if request.cookies:
            cookie = _cookie_header(client, url, request.cookies)
            headers.append((b"Cookie", cookie.encode("utf-8")))
        started = time.perf_counter()
        try:
            outgoing = client.build_request(
                request.method, url, headers=headers, content=request.body
            )
            # httpx upper-cases every method, but an OpenAPI 3.2
            # additionalOperations method is sent as written ("Purge").
            outgoing.method = request.method
            # httpx applies the timeout to each phase (connect, each read), so
            # a server that sends a byte now and then would never time out.
            # The outer limit bounds the whole exchange.
            response, content = await asyncio.wait_for(
                self._exchange(client, outgoing), self._timeout
            )
        except _TooLarge as exc:
            raise _failed(
                f"the response of {url} is larger than the limit of "
                f"{self._max_response_bytes} bytes, so it was not read",
                started,
                hint="raise Limits.max_response_bytes if the workflow needs it",
            ) from exc
        except (httpx.TimeoutException, asyncio.TimeoutError) as exc:
            raise _failed(
                f"request timed out after {self._timeout} s", started
            ) from exc
        except httpx.HTTPError as exc:
            raise _failed(f"request to {url} failed: {_reason(exc)}", started) from exc
        except httpx.InvalidURL as exc:
            raise _failed(
                f"request failed: invalid URL {url!r}: {exc}", started
            ) from exc
        elapsed = time.perf_counter() - started
        return HttpResponse(
            status_code=response.status_code,
            headers=[(k.lower(), v) for k, v in response.headers.multi_items()],
            content=content,
            elapsed=elapsed,
        )

    async def _exchange(
        self, client: httpx.AsyncClient, outgoing: httpx.Request
    ) -> tuple[httpx.Response, bytes]:
        """Send ``outgoing`` and read its body, up to the size limit.

        Raises:
            _TooLarge: the body is over the limit (declared or as it arrives).
        """
        response = await client.send(outgoing, stream=True)
        try:
            limit = self._max_response_bytes
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise _TooLarge
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > limit:
                    raise _TooLarge
                chunks.append(chunk)
        finally:
            await response.aclose()
        return response, b"".join(chunks)

    def _get_client(self) -> httpx.AsyncClient:
        if self._client is None:
            import httpx

            self._client = httpx.AsyncClient(
                timeout=self._timeout,
                transport=_scheme_router(self._verify_tls),
                follow_redirects=False,
            )
        return self._client

    def cookies(self) -> list[tuple[str, str, str]]:
        """Return the cookies responses have set so far: domain, name, value."""
        if self._client is None:
            return []
        return [
            (cookie.domain, cookie.name, cookie.value or "")
            for cookie in self._client.cookies.jar
        ]

    async def aclose(self) -> None:
        """Close the client if this transport created it."""
        if self._client is not None and self._owns_client:
            await self._client.aclose()
            self._client = None


def _cookie_header(
    client: httpx.AsyncClient, url: str, parameters: list[tuple[str, str]]
) -> str:
    """Join the jar's cookies for ``url`` with the step's cookie parameters.

    httpx leaves out the jar's cookies when a request brings its own
    ``Cookie`` header, so the two are merged here. A parameter replaces a
    jar cookie of the same name.
    """
    from urllib.request import Request

    probe = Request(url)
    client.cookies.jar.add_cookie_header(probe)
    stored = probe.get_header("Cookie") or ""
    names = {name for name, _ in parameters}
    pairs = []
    for item in stored.split(";"):
        name, sep, value = item.strip().partition("=")
        if sep and name not in names:
            pairs.append(f"{name}={value}")
    pairs.extend(f"{name}={value}" for name, value in parameters)
    return "; ".join(pairs)


def _scheme_router(verify_tls: bool) -> httpx.AsyncBaseTransport:
    """Return a transport that builds its TLS context only for https URLs.

    Loading the CA bundle for a verifying TLS context costs about 30 ms,
    which a run against plain-http servers (a mock, a local API) never needs.
    The plain-http transport never performs TLS, so it skips that setup.
    """
    import httpx

    class _SchemeRouter(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self._plain: httpx.AsyncHTTPTransport | None = None
            self._secure: httpx.AsyncHTTPTransport | None = None

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.scheme == "https":
                if self._secure is None:
                    self._secure = httpx.AsyncHTTPTransport(verify=verify_tls)
                return await self._secure.handle_async_request(request)
            if self._plain is None:
                self._plain = httpx.AsyncHTTPTransport(verify=False)
            return await self._plain.handle_async_request(request)

        async def aclose(self) -> None:
            for transport in (self._plain, self._secure):
                if transport is not None:
                    await transport.aclose()

    return _SchemeRouter()


def _reason(exc: Exception) -> str:
    """Return why an exchange failed, in words, also when httpx gives none."""
    import httpx

    text = str(exc).strip()
    if isinstance(exc, httpx.ConnectError):
        # httpx reports "All connection attempts failed" or the OS error text.
        return (
            f"could not connect ({text or 'connection refused'}); check that the "
            "server is running and that the URL or --server value is right"
        )
    if isinstance(exc, httpx.RemoteProtocolError):
        return text or "the server closed the connection before a full response"
    if isinstance(exc, httpx.ReadError):
        return text or "the connection was reset while reading the response"
    if isinstance(exc, httpx.WriteError):
        return text or "the connection was reset while sending the request"
    return text or type(exc).__name__


class _TooLarge(Exception):
    """A response body is over the transport's size limit."""


def _failed(message: str, started: float, hint: str | None = None) -> TransportError:
    error = TransportError(message, hint=hint)
    error.elapsed = time.perf_counter() - started
    return error
