"""Embedded identity fixtures: the issuer router in a FastAPI app reached through httpx.ASGITransport."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI

from pusip_kit.auth import (
    AccountStore,
    EmbeddedIssuer,
    SecurityLevel,
    TokenValidator,
    make_issuer_router,
)
from pusip_kit.errors import install_error_handlers

ISSUER = "http://127.0.0.1:8000/auth"
AUDIENCE = "pusip"
JWKS_URL = f"{ISSUER}/jwks"
TOKEN_URL = f"{ISSUER}/token"

ARSIPARIS_PASSWORD = "pusip-demo-arsiparis"
PEMUSTAKA_PASSWORD = "pusip-demo-pemustaka"
ADMIN_PASSWORD = "pusip-demo-admin-123"
AGENCY_CLIENT = "pusip-agency-demo"
AGENCY_SCOPES = ("archive:read", "catalog:read")

# Cheap argon2 parameters: the tests exercise behaviour, not the cost.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture
def key_dir(tmp_path: Path) -> Path:
    return tmp_path / "keys"


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[AccountStore]:
    s = AccountStore(f"sqlite+aiosqlite:///{tmp_path / 'identity.db'}", hasher=FAST_HASHER)
    await s.create_all()
    yield s
    await s.dispose()


@pytest.fixture
async def seeded(store: AccountStore) -> dict[str, Any]:
    arsiparis = await store.create_account(
        "arsiparis",
        ARSIPARIS_PASSWORD,
        display_name="Siti Arsiparis",
        email="arsiparis@dispusip.example",
        roles=["archivist"],
        unit="dispusip",
        clearance=SecurityLevel.RAHASIA,
        access_category="internal",
        branches=["pusat", "cikini"],
    )
    pemustaka = await store.create_account(
        "pemustaka", PEMUSTAKA_PASSWORD, display_name="Budi Pemustaka", roles=["patron"]
    )
    admin = await store.create_account("admin", ADMIN_PASSWORD, roles=["admin"])
    client, secret = await store.create_client(
        AGENCY_CLIENT, name="Dinas Demo", roles=["agency_system"], unit="dinas-demo", scopes=AGENCY_SCOPES
    )
    return {
        "arsiparis": arsiparis,
        "pemustaka": pemustaka,
        "admin": admin,
        "client": client,
        "client_secret": secret,
    }


@pytest.fixture
def issuer(store: AccountStore, key_dir: Path) -> EmbeddedIssuer:
    return EmbeddedIssuer(ISSUER, store, key_dir)


@pytest.fixture
def issuer_app(issuer: EmbeddedIssuer) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(make_issuer_router(issuer), prefix="/auth")
    return app


@pytest.fixture
async def http(issuer_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=issuer_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
        yield client


@pytest.fixture
def validator(http: httpx.AsyncClient) -> TokenValidator:
    return TokenValidator(ISSUER, JWKS_URL, AUDIENCE, http=http)


class Idp:
    """The embedded identity provider as a test sees it: HTTP client, issuer, store, validator."""

    issuer_url = ISSUER
    token_url = TOKEN_URL
    jwks_url = JWKS_URL
    audience = AUDIENCE
    arsiparis_password = ARSIPARIS_PASSWORD
    pemustaka_password = PEMUSTAKA_PASSWORD
    admin_password = ADMIN_PASSWORD
    agency_client = AGENCY_CLIENT

    def __init__(
        self,
        http: httpx.AsyncClient,
        issuer: EmbeddedIssuer,
        store: AccountStore,
        validator: TokenValidator,
        seeded: dict[str, Any],
    ) -> None:
        self.http = http
        self.issuer = issuer
        self.store = store
        self.validator = validator
        self.seeded = seeded
        self.client_secret: str = seeded["client_secret"]

    async def password(self, username: str, password: str, **extra: str) -> httpx.Response:
        data = {"grant_type": "password", "username": username, "password": password, **extra}
        return await self.http.post(TOKEN_URL, data=data)

    async def client_credentials(self, **extra: str) -> httpx.Response:
        data = {
            "grant_type": "client_credentials",
            "client_id": AGENCY_CLIENT,
            "client_secret": self.client_secret,
            **extra,
        }
        return await self.http.post(TOKEN_URL, data=data)

    async def refresh(self, refresh_token: str, **extra: str) -> httpx.Response:
        data = {"grant_type": "refresh_token", "refresh_token": refresh_token, **extra}
        return await self.http.post(TOKEN_URL, data=data)

    async def access_token(self, username: str = "arsiparis", password: str | None = None) -> str:
        pw = password or {"arsiparis": ARSIPARIS_PASSWORD, "pemustaka": PEMUSTAKA_PASSWORD}.get(
            username, ADMIN_PASSWORD
        )
        response = await self.password(username, pw)
        assert response.status_code == 200, response.text
        return response.json()["access_token"]


@pytest.fixture
def idp(
    http: httpx.AsyncClient,
    issuer: EmbeddedIssuer,
    store: AccountStore,
    validator: TokenValidator,
    seeded: dict[str, Any],
) -> Idp:
    return Idp(http, issuer, store, validator, seeded)
