import re
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter
from pydantic import BaseModel

from pusip_kit.app import create_service_app
from pusip_kit.config import ServiceSettings
from pusip_kit.errors import Conflict, Reason, Refused
from pusip_kit.pagination import Page, PaginationParams


class OpsSettings(ServiceSettings):
    service_name = "opsdemo"


class Thing(BaseModel):
    name: str
    size: int


router = APIRouter()


@router.post("/things")
async def create_thing(thing: Thing) -> Thing:
    if thing.name == "dup":
        raise Conflict("Nama sudah dipakai", "Name already taken", code="duplicate_name")
    if thing.name == "refuse":
        raise Refused(
            reasons=[
                Reason("item_on_loan", "Eksemplar sedang dipinjam", "Item is on loan"),
                Reason("patron_blocked", "Anggota diblokir", "Patron is blocked"),
            ]
        )
    if thing.name == "crash":
        raise RuntimeError("boom")
    return thing


@pytest.fixture
async def client(tmp_path: Path):
    settings = OpsSettings(data_dir=tmp_path, log_json=False)
    app = create_service_app(
        settings, title="Ops", description="ops", routers=[router], migrations_dir=None, configure_logs=False
    )
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as c:
            yield c


async def test_domain_error_has_bilingual_body_and_request_id(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/things", json={"name": "dup", "size": 1}, headers={"x-request-id": "req-12345678"}
    )
    assert r.status_code == 409
    body = r.json()
    assert body["error"] == {
        "code": "duplicate_name",
        "message": "Nama sudah dipakai",
        "message_en": "Name already taken",
    }
    assert body["request_id"] == "req-12345678"
    assert r.headers["x-request-id"] == "req-12345678"


async def test_refusal_lists_every_reason(client: httpx.AsyncClient) -> None:
    r = await client.post("/things", json={"name": "refuse", "size": 1})
    assert r.status_code == 409
    codes = [x["code"] for x in r.json()["error"]["details"]["reasons"]]
    assert codes == ["item_on_loan", "patron_blocked"]


async def test_payload_shape_errors_are_422_with_locations(client: httpx.AsyncClient) -> None:
    r = await client.post("/things", json={"name": "x", "size": "big"})
    assert r.status_code == 422
    body = r.json()
    assert body["error"]["code"] == "validation_error"
    assert body["error"]["details"][0]["loc"] == ["body", "size"]


async def test_unexpected_error_is_a_json_500_without_internals(client: httpx.AsyncClient) -> None:
    r = await client.post("/things", json={"name": "crash", "size": 1})
    assert r.status_code == 500
    assert r.json()["error"]["code"] == "internal_error"
    assert "boom" not in r.text


async def test_unknown_path_is_json_404(client: httpx.AsyncClient) -> None:
    r = await client.get("/nope")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


async def test_health_readiness_and_metrics(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"service": "opsdemo", "status": "ok"}
    ready = (await client.get("/readyz")).json()
    assert ready["status"] == "ok"
    assert ready["checks"]["database"]["status"] == "ok"
    await client.post("/things", json={"name": "a", "size": 1})
    metrics = (await client.get("/metrics")).text
    assert re.search(
        r'pusip_http_requests_total\{method="POST",route="/things",service="opsdemo",status="200"\} 1\.0',
        metrics,
    )


async def test_generated_request_ids_are_unique(client: httpx.AsyncClient) -> None:
    a = (await client.get("/healthz")).headers["x-request-id"]
    b = (await client.get("/healthz")).headers["x-request-id"]
    assert a != b and len(a) == 32


def test_page_counts_pages() -> None:
    page = Page[int].of([1, 2], total=41, params=PaginationParams(page=3, limit=20))
    assert page.pagination.max_page == 3
    assert PaginationParams(page=3, limit=20).offset == 40
