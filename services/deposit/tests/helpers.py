"""Test helpers: domain-named creators, multipart bodies, storage inspection."""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from deposit.models import Deposit, DepositFile
from deposit.seeds import SEED_WORKS, seed_pdf, text_to_pdf
from pusip_kit.testing.service import ServiceClient

SEED_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "seeds"
PUBLISHER = {
    "roles": ["publisher"],
    "sub": "penerbit-1",
    "username": "penerbit.satu",
    "name": "Sari Penerbit",
}
OTHER_PUBLISHER = {"roles": ["publisher"], "sub": "penerbit-2", "username": "penerbit.dua"}
OFFICER = {
    "roles": ["deposit_officer"],
    "sub": "petugas-1",
    "username": "petugas.satu",
    "name": "Petugas Satu",
}
OFFICER_2 = {
    "roles": ["deposit_officer"],
    "sub": "petugas-2",
    "username": "petugas.dua",
    "name": "Petugas Dua",
}
PATRON = {"roles": ["patron"], "sub": "pemustaka-1", "username": "budi", "name": "Budi Pembaca"}
CATALOGER = {"roles": ["cataloger"], "sub": "katalog-1", "username": "katalog"}
ADMIN = {"roles": ["admin"], "sub": "admin-1", "username": "admin"}

_counter = {"n": 0}


def _next_nib() -> str:
    _counter["n"] += 1
    return f"{1000000000000 + _counter['n']:013d}"


async def create_depositor(
    client: ServiceClient,
    *,
    who: dict[str, Any] = PUBLISHER,
    approve: bool = True,
    isbn_prefixes: list[str] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "penerbit",
        "name": f"Penerbit Uji {uuid.uuid4().hex[:6]}",
        "legal_identity_kind": "nib",
        "legal_identity_number": _next_nib(),
        "domicile_province": "DKI Jakarta",
        "domicile_city": "Jakarta Selatan",
        "email": "redaksi@uji.example",
        "contacts": [{"name": "Sari", "email": "sari@uji.example"}],
        "isbn_prefixes": isbn_prefixes if isbn_prefixes is not None else [],
    }
    body.update(overrides)
    response = await client.post("/depositors", json=body, headers=client.bearer(**who))
    assert response.status_code == 201, response.text
    created = response.json()
    if approve:
        decided = await client.post(
            f"/depositors/{created['id']}/approve", headers=client.bearer(**OFFICER_2)
        )
        assert decided.status_code == 200, decided.text
        created = decided.json()
    return created


def metadata(depositor_id: str, **overrides: Any) -> dict[str, Any]:
    work = SEED_WORKS[0]
    body: dict[str, Any] = {
        "depositor_id": depositor_id,
        "kind": "karya_digital",
        "title": work.title,
        "creators": list(work.creators[:3]),
        "year": work.year,
        "published_on": work.published_on.isoformat(),
        "language": "id",
        "pages": 6,
        "publisher": work.publisher,
        "place": work.place,
    }
    body.update(overrides)
    return body


def multipart(
    meta: dict[str, Any] | None, files: list[tuple[str, bytes]], boundary: str = "pusipTESTboundary"
) -> tuple[bytes, str]:
    out = io.BytesIO()
    if meta is not None:
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n'.encode())
        out.write(json.dumps(meta).encode())
        out.write(b"\r\n")
    for name, data in files:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
        )
        out.write(data)
        out.write(b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def seed_article_pdf(index: int = 0) -> bytes:
    return seed_pdf(SEED_DIR, SEED_WORKS[index])


def small_pdf(text: str = "Uji coba serah simpan karya digital.") -> bytes:
    return text_to_pdf("Uji", text)


async def upload(
    client: ServiceClient,
    meta: dict[str, Any],
    files: list[tuple[str, bytes]],
    *,
    who: dict[str, Any] = PUBLISHER,
) -> Any:
    body, content_type = multipart(meta, files)
    return await client.post(
        "/deposits/digital", content=body, headers={**client.bearer(**who), "Content-Type": content_type}
    )


async def submit_pdf(
    client: ServiceClient, depositor_id: str, pdf: bytes | None = None, **overrides: Any
) -> dict[str, Any]:
    response = await upload(
        client, metadata(depositor_id, **overrides), [("artikel.pdf", pdf or seed_article_pdf())]
    )
    assert response.status_code == 201, response.text
    return response.json()


def stored_objects(client: ServiceClient, bucket: str = "deposit-files") -> list[str]:
    """Every file under the bucket's folder (temporary uploads included): nothing may be left over."""
    root = client.settings.data_dir / "deposit" / "objects" / bucket
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


async def count_rows(client: ServiceClient) -> dict[str, int]:
    async with client.session() as session:
        deposits = await session.scalar(select(func.count(Deposit.id)))
        files = await session.scalar(select(func.count(DepositFile.id)))
    return {"deposits": int(deposits or 0), "files": int(files or 0)}


async def publish_pending(client: ServiceClient) -> list[str]:
    """Run the ``deposit.deposits.publish`` tasks the outbox holds (what the worker would do)."""
    from sqlalchemy import update

    from deposit.deposits.service import deposit_service
    from pusip_kit.outbox.tables import KIND_TASK, SENT, outbox

    async with client.session() as session:
        rows = (
            await session.execute(
                select(outbox.c.id, outbox.c.payload).where(
                    outbox.c.kind == KIND_TASK,
                    outbox.c.name == "deposit.deposits.publish",
                    outbox.c.status != SENT,
                )
            )
        ).all()
    done = []
    for row_id, payload in rows:
        [deposit_id] = payload["args"]
        await deposit_service.publish_accepted(
            client.sessionmaker,
            client.settings,
            client.app.state.deposit_stores,
            deposit_id=uuid.UUID(deposit_id),
        )
        async with client.session() as session:
            await session.execute(update(outbox).where(outbox.c.id == row_id).values(status=SENT))
            await session.commit()
        done.append(deposit_id)
    return done
