"""Status-coded domain errors with Indonesian and English messages.

Every error the suite returns has one JSON shape::

    {"error": {"code": "...", "message": "<Indonesian>", "message_en": "<English>",
               "details": ...}, "request_id": "..."}

Services raise :class:`PusipError` subclasses; :func:`install_error_handlers` turns them,
request-validation failures and unexpected exceptions into that shape.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)


@dataclass
class Reason:
    """One named reason a domain action is refused (used by refusal validators)."""

    code: str
    message: str
    message_en: str
    details: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message, "message_en": self.message_en}
        if self.details:
            out["details"] = self.details
        return out


class PusipError(Exception):
    status_code: int = 400
    code: str = "bad_request"
    message: str = "Permintaan tidak valid"
    message_en: str = "Bad request"

    def __init__(
        self,
        message: str | None = None,
        message_en: str | None = None,
        *,
        code: str | None = None,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.message
        self.message_en = message_en or self.message_en
        self.code = code or self.code
        self.details = details
        self.headers = headers or {}
        super().__init__(f"{self.code}: {self.message_en}")

    def body(self, request_id: str | None = None) -> dict[str, Any]:
        return error_body(self.code, self.message, self.message_en, self.details, request_id)


def error_body(
    code: str, message: str, message_en: str, details: Any = None, request_id: str | None = None
) -> dict[str, Any]:
    err: dict[str, Any] = {"code": code, "message": message, "message_en": message_en}
    if details is not None:
        err["details"] = details
    return {"error": err, "request_id": request_id}


class BadRequest(PusipError):
    pass


class Unauthorized(PusipError):
    status_code = 401
    code = "unauthorized"
    message = "Autentikasi diperlukan atau token tidak sah"
    message_en = "Authentication required or token invalid"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.headers.setdefault("WWW-Authenticate", 'Bearer realm="pusip"')


class Forbidden(PusipError):
    status_code = 403
    code = "forbidden"
    message = "Anda tidak berhak melakukan tindakan ini"
    message_en = "You are not allowed to do this"


class NotFound(PusipError):
    status_code = 404
    code = "not_found"
    message = "Data tidak ditemukan"
    message_en = "Not found"


class Conflict(PusipError):
    status_code = 409
    code = "conflict"
    message = "Data bertentangan dengan keadaan saat ini"
    message_en = "Conflicts with the current state"


class PayloadTooLarge(PusipError):
    status_code = 413
    code = "payload_too_large"
    message = "Ukuran data melebihi batas"
    message_en = "Payload too large"


class UnsupportedMediaType(PusipError):
    status_code = 415
    code = "unsupported_media_type"
    message = "Jenis berkas tidak didukung"
    message_en = "Unsupported media type"


class Unprocessable(PusipError):
    status_code = 422
    code = "validation_error"
    message = "Isian tidak valid"
    message_en = "Invalid payload"


class RateLimited(PusipError):
    status_code = 429
    code = "rate_limited"
    message = "Terlalu banyak permintaan, coba lagi nanti"
    message_en = "Too many requests, try again later"


class ServiceUnavailable(PusipError):
    status_code = 503
    code = "service_unavailable"
    message = "Layanan sedang tidak tersedia"
    message_en = "Service unavailable"


@dataclass
class Refused(PusipError):
    """A domain action refused for one or more named reasons (409 by default)."""

    reasons: list[Reason] = field(default_factory=list)

    def __post_init__(self) -> None:
        PusipError.__init__(
            self,
            "; ".join(r.message for r in self.reasons) or "Tindakan ditolak",
            "; ".join(r.message_en for r in self.reasons) or "Action refused",
            code="refused",
            details={"reasons": [r.as_dict() for r in self.reasons]},
        )
        self.status_code = 409


DATABASE_BUSY_RETRY_AFTER = "1"


def database_busy() -> ServiceUnavailable:
    """Every pooled database connection stayed in use for the pool's whole timeout (overload)."""
    return ServiceUnavailable(
        "Basis data sedang sibuk melayani permintaan lain; silakan ulangi sebentar lagi",
        "The database is busy serving other requests; please retry shortly",
        code="database_busy",
        headers={"Retry-After": DATABASE_BUSY_RETRY_AFTER},
    )


DATABASE_UNAVAILABLE_RETRY_AFTER = "2"
# SQLSTATEs of a server that is gone or not yet back: connection exceptions (class 08), shut down by
# an administrator or a crash of another backend, still starting up or recovering
_UNREACHABLE_SQLSTATES = ("57P01", "57P02", "57P03")


def database_unavailable() -> ServiceUnavailable:
    """The database server cannot be reached (down, restarting, recovering after a crash)."""
    return ServiceUnavailable(
        "Basis data sedang tidak dapat dihubungi; silakan ulangi sebentar lagi",
        "The database cannot be reached right now; please retry shortly",
        code="database_unavailable",
        headers={"Retry-After": DATABASE_UNAVAILABLE_RETRY_AFTER},
    )


def is_database_unreachable(exc: DBAPIError) -> bool:
    """A lost or refused server connection, as opposed to a bad statement or a constraint.

    The driver's own connection failures (refused, closed mid-query) carry no SQLSTATE: they count
    only for PostgreSQL's driver, since SQLite's ``OperationalError`` has none either and means a
    missing table or a lock, never an unreachable server.
    """
    if exc.connection_invalidated:
        return True
    code = getattr(exc.orig, "sqlstate", None)
    if code:
        return str(code).startswith("08") or code in _UNREACHABLE_SQLSTATES
    orig = type(exc.orig)
    return orig.__module__.startswith("psycopg") and orig.__name__ == "OperationalError"


def _request_id(request: Request) -> str | None:
    return getattr(request.state, "request_id", None) or request.headers.get("x-request-id")


def _json(status: int, body: dict[str, Any], headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


_HTTP_STATUS_CODES = {
    400: ("bad_request", "Permintaan tidak valid", "Bad request"),
    401: ("unauthorized", Unauthorized.message, Unauthorized.message_en),
    403: ("forbidden", Forbidden.message, Forbidden.message_en),
    404: ("not_found", "Alamat tidak ditemukan", "Not found"),
    405: ("method_not_allowed", "Metode tidak diizinkan", "Method not allowed"),
    413: ("payload_too_large", PayloadTooLarge.message, PayloadTooLarge.message_en),
    415: ("unsupported_media_type", UnsupportedMediaType.message, UnsupportedMediaType.message_en),
}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(PusipError)
    async def _pusip(request: Request, exc: PusipError) -> JSONResponse:
        return _json(exc.status_code, exc.body(_request_id(request)), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")} for e in exc.errors()
        ]
        return _json(
            422,
            error_body(
                "validation_error",
                Unprocessable.message,
                Unprocessable.message_en,
                details,
                _request_id(request),
            ),
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, msg_id, msg_en = _HTTP_STATUS_CODES.get(
            exc.status_code, ("http_error", str(exc.detail), str(exc.detail))
        )
        return _json(
            exc.status_code, error_body(code, msg_id, msg_en, None, _request_id(request)), exc.headers
        )

    @app.exception_handler(PoolTimeout)
    async def _pool_timeout(request: Request, exc: PoolTimeout) -> JSONResponse:
        log.warning("database pool exhausted: %s", exc, extra={"request_id": _request_id(request)})
        busy = database_busy()
        return _json(busy.status_code, busy.body(_request_id(request)), busy.headers)

    @app.exception_handler(DBAPIError)
    async def _database_error(request: Request, exc: DBAPIError) -> JSONResponse:
        if not is_database_unreachable(exc):
            raise exc  # a real fault: the 500 below
        log.warning("database unreachable: %s", exc.orig, extra={"request_id": _request_id(request)})
        down = database_unavailable()
        return _json(down.status_code, down.body(_request_id(request)), down.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"request_id": _request_id(request)})
        return _json(
            500,
            error_body(
                "internal_error",
                "Terjadi kesalahan internal",
                "Internal error",
                None,
                _request_id(request),
            ),
        )
