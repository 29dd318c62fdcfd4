"""An exhausted connection pool is overload, not a bug: 503 with the bilingual body and Retry-After."""

from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import create_async_engine

from pusip_kit.app import create_service_app
from pusip_kit.config import ServiceSettings

router = APIRouter()


class PoolSettings(ServiceSettings):
    service_name = "pooldemo"


@router.get("/two-connections")
async def two_connections(request: Request) -> dict[str, int]:
    engine = request.app.state.tiny_engine
    async with engine.connect() as first:  # holds the pool's only connection ...
        await first.exec_driver_sql("SELECT 1")
        async with engine.connect() as second:  # ... so this one waits out the pool timeout
            await second.exec_driver_sql("SELECT 1")
    return {"connections": 2}


@pytest.fixture
async def client(tmp_path: Path):
    settings = PoolSettings(data_dir=tmp_path, log_json=False)
    app = create_service_app(
        settings,
        title="Pool",
        description="pool",
        routers=[router],
        migrations_dir=None,
        configure_logs=False,
    )
    app.state.tiny_engine = create_async_engine(
        f"sqlite+aiosqlite:///{tmp_path / 'tiny.db'}", pool_size=1, max_overflow=0, pool_timeout=0.2
    )
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as c:
            yield c
    await app.state.tiny_engine.dispose()


async def test_pool_exhaustion_is_a_bilingual_503_with_retry_after(client: httpx.AsyncClient) -> None:
    r = await client.get("/two-connections")
    assert r.status_code == 503
    assert r.headers["retry-after"] == "1"
    error = r.json()["error"]
    assert error["code"] == "database_busy"
    assert "sibuk" in error["message"] and "busy" in error["message_en"]
    assert r.json()["request_id"] == r.headers["x-request-id"]
