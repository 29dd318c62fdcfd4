"""Run one service application in a test, over HTTP, with real tokens.

::

    # services/catalog/tests/conftest.py
    from catalog.config import CatalogSettings
    from catalog.main import create_app
    from pusip_kit.testing.service import service_fixture

    client = service_fixture(create_app, CatalogSettings)

    # a test
    async def test_create(client: ServiceClient) -> None:
        response = await client.post("/branches", json={...}, headers=client.bearer(roles=["librarian"]))

What is real: the application is built by the service's own ``create_app`` with settings
given as constructor arguments (a temporary data directory and SQLite database), its
lifespan runs (migrations included) through ``asgi-lifespan``, requests go through
``httpx.ASGITransport`` and every bearer token is signed by an
:class:`~pusip_kit.auth.issuer.EmbeddedIssuer` key and checked by the same
:class:`~pusip_kit.auth.tokens.TokenValidator` code path production uses (JWKS read
in-process instead of over the network).
"""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest_asyncio
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Receive, Scope, Send

from pusip_kit.auth.accounts import AccountStore
from pusip_kit.auth.issuer import EmbeddedIssuer
from pusip_kit.auth.subject import (
    CLAIM_ACCESS_CATEGORY,
    CLAIM_BRANCHES,
    CLAIM_CLEARANCE,
    CLAIM_UNIT,
    SecurityLevel,
)
from pusip_kit.auth.tokens import TokenValidator
from pusip_kit.config import Environment, ServiceSettings

S = TypeVar("S", bound=ServiceSettings)

TEST_ISSUER_URL = "http://issuer.test/auth"
TEST_AUDIENCE = "pusip"


class TestIssuer:
    """Mints access tokens shaped exactly like the embedded issuer's, for any roles and claims."""

    __test__ = False  # not a pytest test class

    def __init__(self, issuer: EmbeddedIssuer) -> None:
        self.issuer = issuer

    @classmethod
    def create(cls, key_dir: Path | None = None, *, issuer_url: str = TEST_ISSUER_URL) -> TestIssuer:
        key_dir = key_dir or Path(tempfile.mkdtemp(prefix="pusip-test-issuer-"))
        # The account store is never opened: tokens are minted directly from claims.
        store = AccountStore("sqlite+aiosqlite:///:memory:")
        return cls(EmbeddedIssuer(issuer_url, store, key_dir, audience=TEST_AUDIENCE))

    @property
    def issuer_url(self) -> str:
        return self.issuer.issuer_url

    @property
    def audience(self) -> str:
        return self.issuer.audience

    def jwks(self) -> dict[str, Any]:
        return self.issuer.jwks()

    def validator(self) -> TokenValidator:
        """A fresh validator (one per application, so no state crosses event loops)."""

        async def load() -> Mapping[str, Any]:
            return self.issuer.jwks()

        return TokenValidator(
            self.issuer_url,
            f"{self.issuer_url}/jwks",
            self.audience,
            jwks_loader=load,
            jwks_min_refresh_seconds=0,
        )

    def claims_for(
        self,
        *,
        roles: Iterable[str] = (),
        unit: str | None = None,
        clearance: SecurityLevel | str | None = None,
        branches: Iterable[str] = (),
        sub: str | None = None,
        username: str | None = None,
        name: str | None = None,
        email: str | None = None,
        access_category: str | None = None,
        expires_in: int = 300,
        **extra: Any,
    ) -> dict[str, Any]:
        now = int(time.time())
        role_list = [str(r) for r in roles]
        sub = sub or f"test-{uuid.uuid4().hex[:12]}"
        claims: dict[str, Any] = {
            "iss": self.issuer_url,
            "sub": sub,
            "aud": self.audience,
            "exp": now + expires_in,
            "iat": now,
            "nbf": now,
            "jti": str(uuid.uuid4()),
            "typ": "Bearer",
            "azp": "pusip-portal",
            "scope": "openid profile email",
            "preferred_username": username or ("-".join(role_list) or "pengguna") + "-" + sub[-6:],
            "realm_access": {"roles": role_list},
            CLAIM_CLEARANCE: SecurityLevel(clearance or SecurityLevel.BIASA).value,
            CLAIM_BRANCHES: list(branches),
        }
        optional = {"name": name, "email": email, CLAIM_UNIT: unit, CLAIM_ACCESS_CATEGORY: access_category}
        claims.update({k: v for k, v in optional.items() if v})
        claims.update(extra)
        return claims

    def token_for(self, **kwargs: Any) -> str:
        """A signed access token; keyword arguments as :meth:`claims_for`."""
        return self.issuer.sign(self.claims_for(**kwargs))

    def headers_for(self, **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token_for(**kwargs)}"}

    async def aclose(self) -> None:
        await self.issuer.aclose()


_shared_issuer: TestIssuer | None = None


def shared_test_issuer() -> TestIssuer:
    """One issuer (one RSA key) per test process: key generation is the slow part."""
    global _shared_issuer
    if _shared_issuer is None:
        _shared_issuer = TestIssuer.create()
    return _shared_issuer


class ServiceClient(httpx.AsyncClient):
    """An HTTP client bound to one running service application, with token helpers."""

    def __init__(self, app: FastAPI, settings: ServiceSettings, issuer: TestIssuer, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.app = app
        self.settings = settings
        self.issuer = issuer

    def token_for(self, **kwargs: Any) -> str:
        """``token_for(roles=[...], unit=..., clearance=..., branches=[...])``."""
        return self.issuer.token_for(**kwargs)

    def bearer(self, **kwargs: Any) -> dict[str, str]:
        """Authorization headers for a caller with the given roles and claims."""
        return self.issuer.headers_for(**kwargs)

    @property
    def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        maker: async_sessionmaker[AsyncSession] = self.app.state.sessionmaker
        return maker

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session on the service's database, to look at what a request left behind."""
        async with self.sessionmaker() as session:
            yield session

    async def outbox_events(self, event_type: str | None = None) -> list[dict[str, Any]]:
        """The domain events this service has written to its outbox, oldest first."""
        from sqlalchemy import select

        from pusip_kit.outbox.tables import KIND_EVENT, outbox

        statement = select(outbox).where(outbox.c.kind == KIND_EVENT).order_by(outbox.c.seq)
        if event_type is not None:
            statement = statement.where(outbox.c.name == event_type)
        async with self.session() as session:
            rows = (await session.execute(statement)).mappings().all()
        return [dict(row) for row in rows]


def settings_for_test(settings_cls: type[S], data_dir: Path, issuer: TestIssuer, **overrides: Any) -> S:
    """Settings for a service under test: everything in ``data_dir``, tokens from ``issuer``."""
    name = settings_cls.service_name
    values: dict[str, Any] = {
        "environment": Environment.TEST,
        "data_dir": data_dir,
        "database_url": f"sqlite+aiosqlite:///{data_dir / name / f'{name}.db'}",
        "broker_url": f"sqla+sqlite:///{data_dir / 'broker.db'}",
        "oidc_issuer": issuer.issuer_url,
        "oidc_jwks_url": f"{issuer.issuer_url}/jwks",
        "oidc_audience": issuer.audience,
        "log_json": False,
    }
    values.update(overrides)
    return settings_cls(**values)


def _state_per_request(app: ASGIApp) -> ASGIApp:
    """Give every request its own copy of the lifespan state, as uvicorn does.

    ``asgi-lifespan`` hands all requests the very same state dict, so anything a request stores
    on ``request.state`` (the authenticated subject, say) would leak into the next request.
    """

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and "state" in scope:
            scope = {**scope, "state": dict(scope["state"])}
        await app(scope, receive, send)

    return wrapped


@asynccontextmanager
async def run_service(
    create_app: Callable[[S], FastAPI],
    settings: S,
    *,
    issuer: TestIssuer | None = None,
) -> AsyncIterator[ServiceClient]:
    """Start ``create_app(settings)`` (lifespan and migrations included) and yield a client for it."""
    issuer = issuer or shared_test_issuer()
    app = create_app(settings)
    # Set before startup, so the app factory keeps it instead of building a network validator.
    app.state.token_validator = issuer.validator()
    async with LifespanManager(_state_per_request(app), startup_timeout=60, shutdown_timeout=30) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with ServiceClient(
            app,
            settings,
            issuer,
            transport=transport,
            base_url=f"http://{settings.service_name}.test",
        ) as client:
            yield client


def service_fixture(
    create_app: Callable[[S], FastAPI],
    settings_cls: type[S],
    *,
    name: str = "client",
    **overrides: Any,
) -> Any:
    """A pytest fixture (named ``name``) yielding a :class:`ServiceClient` on a fresh database."""

    @pytest_asyncio.fixture(name=name)
    async def _service_client(tmp_path: Path) -> AsyncIterator[ServiceClient]:
        issuer = shared_test_issuer()
        settings = settings_for_test(settings_cls, tmp_path, issuer, **overrides)
        async with run_service(create_app, settings, issuer=issuer) as client:
            yield client

    return _service_client
