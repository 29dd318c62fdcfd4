"""An unreachable database server (down, restarting, recovering) is a bilingual 503 with Retry-After,
not a 500; a real database fault (a missing table, a bad statement) stays a 500."""

from pathlib import Path

import httpx
import psycopg
import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import create_async_engine

from pusip_kit.app import create_service_app
from pusip_kit.config import ServiceSettings
from pusip_kit.testing.suite import free_port_base

router = APIRouter()
STATE: dict[str, str] = {}


class DownSettings(ServiceSettings):
    service_name = "downdemo"


@router.get("/refused")
async def refused() -> dict[str, int]:
    # a PostgreSQL URL on a port nothing listens on: the driver's connection is refused
    engine = create_async_engine(STATE["closed_url"])
    try:
        async with engine.connect() as conn:
            await conn.exec_driver_sql("SELECT 1")
    finally:
        await engine.dispose()
    return {"ok": 1}


@router.get("/starting-up")
async def starting_up() -> None:
    # what a connection gets while PostgreSQL replays its WAL after a crash (SQLSTATE 57P03)
    raise OperationalError(
        "SELECT 1", None, psycopg.errors.CannotConnectNow("the database system is starting up")
    )


@router.get("/bad-statement")
async def bad_statement() -> None:
    raise ProgrammingError("SELEC 1", None, psycopg.errors.SyntaxError("syntax error at or near SELEC"))


@router.get("/missing-table")
async def missing_table() -> None:
    engine = create_async_engine(STATE["sqlite_url"])
    try:
        async with engine.connect() as conn:
            await conn.exec_driver_sql("SELECT * FROM no_such_table")
    finally:
        await engine.dispose()


@pytest.fixture
async def client(tmp_path: Path):
    STATE["closed_url"] = f"postgresql+psycopg://pusip:pusip@127.0.0.1:{free_port_base(1)}/postgres"
    STATE["sqlite_url"] = f"sqlite+aiosqlite:///{tmp_path / 'other.db'}"
    settings = DownSettings(data_dir=tmp_path, log_json=False)
    app = create_service_app(
        settings,
        title="Down",
        description="down",
        routers=[router],
        migrations_dir=None,
        configure_logs=False,
    )
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as c:
            yield c


@pytest.mark.parametrize("path", ["/refused", "/starting-up"])
async def test_an_unreachable_database_is_a_bilingual_503(client: httpx.AsyncClient, path: str) -> None:
    r = await client.get(path)
    assert r.status_code == 503, r.text
    assert r.headers["retry-after"] == "2"
    error = r.json()["error"]
    assert error["code"] == "database_unavailable"
    assert "tidak dapat dihubungi" in error["message"] and "cannot be reached" in error["message_en"]
    assert r.json()["request_id"] == r.headers["x-request-id"]


@pytest.mark.parametrize("path", ["/bad-statement", "/missing-table"])
async def test_a_database_fault_is_still_a_500(client: httpx.AsyncClient, path: str) -> None:
    r = await client.get(path)
    assert r.status_code == 500, r.text
    assert r.json()["error"]["code"] == "internal_error"
