"""HTTP face of the embedded issuer (the gateway mounts it at ``/auth``).

``GET  /.well-known/openid-configuration``  discovery document
``GET  /jwks``                               public signing keys
``POST /token``                              RFC 6749 token endpoint (form-encoded)
``GET  /userinfo`` (and ``POST``)            OIDC UserInfo for a bearer access token
``POST /revoke``                             RFC 7009 revocation of a refresh token
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import unquote_plus

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from pusip_kit.auth.issuer import EmbeddedIssuer, OAuthError, invalid_request
from pusip_kit.errors import PusipError, Unauthorized

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
TOKEN_FORM_FIELDS = (
    "grant_type",
    "username",
    "password",
    "scope",
    "client_id",
    "client_secret",
    "refresh_token",
)

_TOKEN_FORM_SCHEMA: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["grant_type"],
                    "properties": {
                        "grant_type": {
                            "type": "string",
                            "enum": ["password", "client_credentials", "refresh_token"],
                        },
                        "username": {"type": "string"},
                        "password": {"type": "string", "format": "password"},
                        "scope": {"type": "string"},
                        "client_id": {"type": "string"},
                        "client_secret": {"type": "string", "format": "password"},
                        "refresh_token": {"type": "string"},
                    },
                }
            }
        },
    }
}


def _oauth_response(err: OAuthError) -> JSONResponse:
    return JSONResponse(err.body(), status_code=err.status_code, headers={**NO_STORE, **err.headers})


def parse_basic_auth(header: str | None) -> tuple[str, str] | None:
    """``client_id`` and ``client_secret`` from an RFC 6749 §2.3.1 HTTP Basic header."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise invalid_request(
            "Header Authorization Basic tidak dapat dibaca", "Malformed Basic Authorization header"
        ) from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise invalid_request(
            "Header Authorization Basic tidak dapat dibaca", "Malformed Basic Authorization header"
        )
    return unquote_plus(client_id), unquote_plus(secret)


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(
            "Token akses wajib disertakan", "An access token is required", code="authentication_required"
        )
    return token.strip()


async def _form(request: Request) -> dict[str, str | None]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise invalid_request(
            "Permintaan harus berupa formulir (application/x-www-form-urlencoded)",
            "Request body must be application/x-www-form-urlencoded",
        )
    form = await request.form()
    values: dict[str, str | None] = {}
    for name in TOKEN_FORM_FIELDS:
        items = form.getlist(name)
        if len(items) > 1:
            raise invalid_request(f"Parameter '{name}' diulang", f"Parameter '{name}' is repeated")
        value = items[0] if items else None
        if value is not None and not isinstance(value, str):
            raise invalid_request(f"Parameter '{name}' harus teks", f"Parameter '{name}' must be text")
        values[name] = value or None
    return values


def make_issuer_router(issuer: EmbeddedIssuer) -> APIRouter:
    router = APIRouter(tags=["identity"])

    @router.get("/.well-known/openid-configuration", summary="OpenID Connect discovery")
    async def openid_configuration() -> JSONResponse:
        return JSONResponse(issuer.openid_configuration(), headers={"Cache-Control": "public, max-age=300"})

    @router.get("/jwks", summary="Kunci publik penanda tangan token / token signing keys (JWKS)")
    async def jwks() -> JSONResponse:
        return JSONResponse(issuer.jwks(), headers={"Cache-Control": "public, max-age=60"})

    @router.post(
        "/token",
        summary="Terbitkan token / issue tokens (password, client_credentials, refresh_token)",
        openapi_extra=_TOKEN_FORM_SCHEMA,
    )
    async def token(request: Request) -> JSONResponse:
        try:
            basic = parse_basic_auth(request.headers.get("authorization"))
            form = await _form(request)
            body = await issuer.token(form, basic=basic)
        except OAuthError as err:
            return _oauth_response(err)
        return JSONResponse(body, headers=NO_STORE)

    async def _userinfo(request: Request) -> JSONResponse:
        try:
            info = await issuer.userinfo(_bearer(request))
        except PusipError as err:
            headers = dict(err.headers)
            return JSONResponse(
                {
                    "error": "invalid_token",
                    "error_description": err.message_en,
                    "code": err.code,
                    "message": err.message,
                    "message_en": err.message_en,
                },
                status_code=err.status_code,
                headers={**NO_STORE, **headers},
            )
        return JSONResponse(info, headers=NO_STORE)

    router.add_api_route(
        "/userinfo", _userinfo, methods=["GET", "POST"], summary="OIDC UserInfo", name="userinfo"
    )

    @router.post("/revoke", summary="Cabut token penyegaran / revoke a refresh token (RFC 7009)")
    async def revoke(request: Request) -> JSONResponse:
        try:
            parse_basic_auth(request.headers.get("authorization"))
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type != "application/x-www-form-urlencoded":
                raise invalid_request(
                    "Permintaan harus berupa formulir",
                    "Request body must be application/x-www-form-urlencoded",
                )
            form = await request.form()
            value = form.get("token")
            if not isinstance(value, str) or not value:
                raise invalid_request("Parameter 'token' wajib diisi", "The 'token' parameter is required")
        except OAuthError as err:
            return _oauth_response(err)
        await issuer.revoke(value)
        return JSONResponse({}, headers=NO_STORE)

    return router
