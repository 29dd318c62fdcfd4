"""The upstream HTTP client behind the proxy, behind one small interface.

:class:`AiohttpUpstream` is what the gateway uses: one pooled :class:`aiohttp.ClientSession`
with keep-alive connections to every service. :class:`HttpxUpstream` implements the same
interface only so ``bench/gateway/bench_proxy.py`` can measure the two against each other
(select it with ``PUSIP_GATEWAY_PROXY_CLIENT=httpx``).

Both stream: the request body is an async iterator handed to the client as it arrives, and
the response body is read chunk by chunk. Neither decompresses nor follows redirects nor keeps
cookies: the proxy forwards bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp
import httpx
import orjson
from yarl import URL

from gateway.config import GatewaySettings, ProxyClientKind

Headers = Sequence[tuple[str, str]]

# aiohttp adds these unless told not to; a proxy must not invent request headers.
_AUTO_HEADERS = ("Accept", "Accept-Encoding", "User-Agent", "Content-Type")


class UpstreamError(Exception):
    """The upstream could not give a response."""


class UpstreamUnavailable(UpstreamError):
    """Connection refused / host unreachable: the service is down (503)."""


class UpstreamTimeout(UpstreamError):
    """The request was sent but no response came in time (503 ``service_timeout``)."""


class UpstreamBusy(UpstreamTimeout):
    """No connection in time, so the request was never sent: every pooled connection to the
    service stayed busy, or it accepted none (503 ``service_busy``)."""


class UpstreamBroken(UpstreamError):
    """The connection broke or the response was not HTTP (502)."""


class UpstreamResponse(Protocol):
    status: int

    @property
    def raw_headers(self) -> list[tuple[bytes, bytes]]: ...

    def iter_chunks(self) -> AsyncIterator[bytes]: ...


@dataclass
class JsonResult:
    status: int
    body: Any
    elapsed_ms: float


class UpstreamClient(Protocol):
    def stream(
        self, method: str, url: str, headers: Headers, body: AsyncIterator[bytes] | None
    ) -> contextlib.AbstractAsyncContextManager[UpstreamResponse]: ...

    async def get_json(self, url: str, *, wait: float, headers: Headers = ()) -> JsonResult: ...

    async def aclose(self) -> None: ...


# -- aiohttp ------------------------------------------------------------------------------------


class _AiohttpResponse:
    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response
        self.status = response.status

    @property
    def raw_headers(self) -> list[tuple[bytes, bytes]]:
        return list(self._response.raw_headers)

    async def iter_chunks(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise UpstreamTimeout(str(exc)) from exc
        except aiohttp.ClientError as exc:
            raise UpstreamBroken(str(exc)) from exc


class AiohttpUpstream:
    def __init__(self, settings: GatewaySettings) -> None:
        connector = aiohttp.TCPConnector(
            limit=settings.pool_limit,
            limit_per_host=settings.pool_limit_per_host,
            keepalive_timeout=settings.keepalive_timeout,
            ttl_dns_cache=300,
        )
        self._timeout = aiohttp.ClientTimeout(
            total=None,
            connect=settings.upstream_connect_timeout,
            sock_connect=settings.upstream_connect_timeout,
            sock_read=settings.upstream_read_timeout,
        )
        self.session = aiohttp.ClientSession(
            connector=connector,
            timeout=self._timeout,
            auto_decompress=False,
            cookie_jar=aiohttp.DummyCookieJar(),
            raise_for_status=False,
        )

    @contextlib.asynccontextmanager
    async def stream(
        self, method: str, url: str, headers: Headers, body: AsyncIterator[bytes] | None
    ) -> AsyncIterator[UpstreamResponse]:
        present = {name.lower() for name, _ in headers}
        skip = [h for h in _AUTO_HEADERS if h.lower() not in present]
        try:
            response = await self.session.request(
                method,
                URL(url, encoded=True),
                headers=list(headers),
                data=body,
                allow_redirects=False,
                skip_auto_headers=skip,
                compress=None,
            )
        except aiohttp.ClientConnectorError as exc:
            raise UpstreamUnavailable(str(exc)) from exc
        except aiohttp.ConnectionTimeoutError as exc:  # the pool's wait for a slot, or the connect
            raise UpstreamBusy(str(exc) or "no connection in time") from exc
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise UpstreamTimeout(str(exc) or "no response in time") from exc
        except aiohttp.ClientError as exc:
            raise UpstreamBroken(str(exc)) from exc
        try:
            yield _AiohttpResponse(response)
        finally:
            if response.content.at_eof():
                response.release()
            else:
                response.close()  # not read to the end: drop the connection, never reuse it

    async def get_json(self, url: str, *, wait: float, headers: Headers = ()) -> JsonResult:
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            async with self.session.get(
                url,
                headers=[("Accept", "application/json"), *headers],
                timeout=aiohttp.ClientTimeout(total=wait),
                allow_redirects=False,
            ) as response:
                raw = await response.read()
                status = response.status
        except aiohttp.ClientConnectorError as exc:
            raise UpstreamUnavailable(str(exc)) from exc
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise UpstreamTimeout(str(exc) or "timeout") from exc
        except aiohttp.ClientError as exc:
            raise UpstreamBroken(str(exc)) from exc
        elapsed = (loop.time() - started) * 1000
        try:
            body = orjson.loads(raw) if raw else None
        except orjson.JSONDecodeError:
            body = None
        return JsonResult(status, body, elapsed)

    async def aclose(self) -> None:
        await self.session.close()


# -- httpx (benchmark comparison) ---------------------------------------------------------------


class _HttpxResponse:
    def __init__(self, response: httpx.Response) -> None:
        self._response = response
        self.status = response.status_code

    @property
    def raw_headers(self) -> list[tuple[bytes, bytes]]:
        return list(self._response.headers.raw)

    async def iter_chunks(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.aiter_raw():
                yield chunk
        except httpx.TimeoutException as exc:
            raise UpstreamTimeout(str(exc)) from exc
        except httpx.HTTPError as exc:
            raise UpstreamBroken(str(exc)) from exc


class HttpxUpstream:
    def __init__(self, settings: GatewaySettings) -> None:
        self.client = httpx.AsyncClient(
            limits=httpx.Limits(
                max_connections=settings.pool_limit,
                max_keepalive_connections=settings.pool_limit_per_host,
                keepalive_expiry=settings.keepalive_timeout,
            ),
            timeout=httpx.Timeout(
                connect=settings.upstream_connect_timeout,
                read=settings.upstream_read_timeout,
                write=None,
                pool=settings.upstream_connect_timeout,
            ),
            follow_redirects=False,
            trust_env=False,
        )

    @contextlib.asynccontextmanager
    async def stream(
        self, method: str, url: str, headers: Headers, body: AsyncIterator[bytes] | None
    ) -> AsyncIterator[UpstreamResponse]:
        request = self.client.build_request(method, url, headers=list(headers), content=body)
        try:
            response = await self.client.send(request, stream=True)
        except httpx.ConnectError as exc:
            raise UpstreamUnavailable(str(exc)) from exc
        except (httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise UpstreamBusy(str(exc) or "no connection in time") from exc
        except httpx.TimeoutException as exc:
            raise UpstreamTimeout(str(exc) or "no response in time") from exc
        except httpx.HTTPError as exc:
            raise UpstreamBroken(str(exc)) from exc
        try:
            yield _HttpxResponse(response)
        finally:
            await response.aclose()

    async def get_json(self, url: str, *, wait: float, headers: Headers = ()) -> JsonResult:
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            response = await self.client.get(
                url, headers=[("Accept", "application/json"), *headers], timeout=wait
            )
        except httpx.ConnectError as exc:
            raise UpstreamUnavailable(str(exc)) from exc
        except httpx.TimeoutException as exc:
            raise UpstreamTimeout(str(exc) or "timeout") from exc
        except httpx.HTTPError as exc:
            raise UpstreamBroken(str(exc)) from exc
        elapsed = (loop.time() - started) * 1000
        try:
            body = orjson.loads(response.content) if response.content else None
        except orjson.JSONDecodeError:
            body = None
        return JsonResult(response.status_code, body, elapsed)

    async def aclose(self) -> None:
        await self.client.aclose()


def make_upstream_client(settings: GatewaySettings) -> UpstreamClient:
    if settings.proxy_client is ProxyClientKind.HTTPX:
        return HttpxUpstream(settings)
    return AiohttpUpstream(settings)
