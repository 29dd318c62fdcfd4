"""The base of every typed inter-service client.

A client talks to one service over HTTP, forwards the current request id so logs join up
across services, authenticates with a bearer token from a :class:`TokenProvider` (OAuth2
client credentials for service-to-service calls), and turns the service's JSON errors back
into the same :mod:`pusip_kit.errors` exceptions. Responses are parsed into pydantic models
that ignore fields they do not know (tolerant reader), so a service may add fields freely.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any, ClassVar, Protocol, TypeVar

import httpx
from pydantic import BaseModel

from pusip_kit.clients.shapes import Download
from pusip_kit.config import service_url
from pusip_kit.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    PusipError,
    ServiceUnavailable,
    Unauthorized,
    Unprocessable,
)
from pusip_kit.observability import REQUEST_ID_HEADER, request_id_var

M = TypeVar("M", bound=BaseModel)

_UNREACHABLE = (httpx.ConnectError, httpx.TimeoutException, httpx.RemoteProtocolError)

_ERRORS_BY_STATUS: dict[int, type[PusipError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    422: Unprocessable,
}


class TokenProvider(Protocol):
    async def token(self) -> str | None: ...


class StaticToken:
    def __init__(self, value: str | None) -> None:
        self.value = value

    async def token(self) -> str | None:
        return self.value


class ClientCredentialsTokens:
    """OAuth2 client-credentials tokens, cached until shortly before they expire."""

    def __init__(
        self, token_url: str, client_id: str, client_secret: str, *, http: httpx.AsyncClient | None = None
    ) -> None:
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self._http = http or httpx.AsyncClient(timeout=10)
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    async def token(self) -> str | None:
        async with self._lock:
            if self._token is None or time.monotonic() > self._expires_at:
                response = await self._http.post(
                    self.token_url,
                    data={"grant_type": "client_credentials"},
                    auth=(self.client_id, self.client_secret),
                )
                if response.status_code != 200:
                    raise Unauthorized(
                        "Token layanan tidak dapat diperoleh",
                        "Could not obtain a service token",
                        code="service_token_failed",
                        details={"status": response.status_code},
                    )
                body = response.json()
                self._token = body["access_token"]
                self._expires_at = time.monotonic() + max(10, int(body.get("expires_in", 60)) - 30)
            return self._token


class ServiceClient:
    """Base class; subclasses name their ``service`` and add typed methods."""

    service: ClassVar[str]

    def __init__(
        self,
        base_url: str | None = None,
        *,
        tokens: TokenProvider | None = None,
        http: httpx.AsyncClient | None = None,
        timeout: float = 5.0,
    ) -> None:
        self.base_url = (base_url or service_url(self.service)).rstrip("/")
        self.tokens = tokens or StaticToken(None)
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(timeout=timeout)

    async def close(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> ServiceClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _headers(self, headers: Mapping[str, str] | None) -> dict[str, str]:
        """The caller's headers with the request id and the bearer token."""
        out = dict(headers or {})
        if request_id := request_id_var.get():
            out.setdefault(REQUEST_ID_HEADER, request_id)
        if token := await self.tokens.token():
            out["Authorization"] = f"Bearer {token}"
        return out

    def _unavailable(self, exc: Exception) -> ServiceUnavailable:
        return ServiceUnavailable(
            f"Layanan {self.service} tidak dapat dihubungi",
            f"Service {self.service} is unreachable",
            details={"service": self.service, "reason": type(exc).__name__},
        )

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = await self._headers(kwargs.pop("headers", None))
        try:
            response = await self._http.request(method, f"{self.base_url}{path}", headers=headers, **kwargs)
        except _UNREACHABLE as exc:
            raise self._unavailable(exc) from exc
        if response.status_code >= 400:
            raise self._error(response)
        return response

    async def stream(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Like :meth:`request` but the body is left unread (the caller closes the response)."""
        headers = await self._headers(kwargs.pop("headers", None))
        return await self._send(
            self._http.build_request(method, f"{self.base_url}{path}", headers=headers, **kwargs)
        )

    async def _send(self, request: httpx.Request) -> httpx.Response:
        """Send a built request as a stream; an error answer is read, closed and raised."""
        try:
            response = await self._http.send(request, stream=True)
        except _UNREACHABLE as exc:
            raise self._unavailable(exc) from exc
        if response.status_code >= 400:
            try:
                await response.aread()
            finally:
                await response.aclose()
            raise self._error(response)
        return response

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        """The answer's JSON body, ``None`` when it has none."""
        response = await self.request(method, path, **kwargs)
        return response.json() if response.content else None

    async def _download(self, path: str, **kwargs: Any) -> Download:
        response = await self.request("GET", path, **kwargs)
        return Download(
            content=response.content,
            content_type=response.headers.get("content-type", "application/octet-stream"),
            content_disposition=response.headers.get("content-disposition"),
        )

    def _error(self, response: httpx.Response) -> PusipError:
        try:
            err = response.json()["error"]
            message, message_en, code = err["message"], err["message_en"], err["code"]
            details = err.get("details")
        except (ValueError, KeyError, TypeError):
            message, message_en, code, details = (
                f"Layanan {self.service} menjawab {response.status_code}",
                f"Service {self.service} answered {response.status_code}",
                "upstream_error",
                None,
            )
        cls = _ERRORS_BY_STATUS.get(response.status_code, ServiceUnavailable)
        return cls(message, message_en, code=code, details=details)

    async def get_model(self, path: str, model: type[M], **kwargs: Any) -> M:
        return model.model_validate((await self.request("GET", path, **kwargs)).json())
