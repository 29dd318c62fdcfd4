"""Official documents of the lifecycle (berita acara, lists) as PDF, stored permanently.

Each document is rendered with :func:`pusip_kit.documents.render_pdf`, written to the documents
bucket under a key carrying its SHA-256 prefix and recorded in ``documents``. Documents are never
deleted (the fixity job re-hashes them like record files).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import date

import anyio.to_thread
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from archive.models import Document, Record
from archive.runtime import ArchiveRuntime
from pusip_kit.documents import OfficialDocument, Signatory, render_pdf
from pusip_kit.documents.pdf import tanggal
from pusip_kit.errors import NotFound
from pusip_kit.storage import ObjectReader

LIST_HEADER = ["No", "Nomor", "Tanggal", "Perihal", "Kode", "Unit", "Keamanan", "Retensi (A/I)"]


def record_rows(records: Sequence[Record]) -> list[list[str]]:
    rows = []
    for n, r in enumerate(sorted(records, key=lambda r: (r.record_date, r.reference_number)), start=1):
        retention = f"{r.active_years if r.active_years is not None else '-'}/{r.inactive_years if r.inactive_years is not None else '-'} th"
        rows.append(
            [
                str(n),
                r.reference_number,
                r.record_date.isoformat(),
                r.title[:200],
                r.classification_code,
                r.unit,
                r.security_level,
                retention,
            ]
        )
    return rows


def signatories(items: Sequence[dict[str, str | None]]) -> list[Signatory]:
    return [Signatory(str(i.get("role") or ""), str(i.get("name") or ""), i.get("nip")) for i in items]


async def issue(
    session: AsyncSession,
    runtime: ArchiveRuntime,
    *,
    kind: str,
    subject_type: str,
    subject_id: uuid.UUID,
    document: OfficialDocument,
    actor: str,
) -> Document:
    pdf = await anyio.to_thread.run_sync(render_pdf, document)
    digest = hashlib.sha256(pdf).hexdigest()
    key = f"{subject_type}/{subject_id}/{kind}-{digest[:16]}.pdf"
    stored = await runtime.documents.put(key, pdf, content_type="application/pdf")
    row = Document(
        kind=kind,
        number=document.number,
        title=document.title,
        object_key=key,
        sha256=stored.sha256,
        size=stored.size,
        subject_type=subject_type,
        subject_id=subject_id,
        created_by=actor,
    )
    session.add(row)
    await session.flush()
    return row


def record_list(
    runtime: ArchiveRuntime, *, title: str, number: str, issued_on: date, records: Sequence[Record], note: str
) -> OfficialDocument:
    return OfficialDocument(
        agency=runtime.settings.agency_name,
        title=title,
        number=number,
        issued_on=issued_on,
        facts=[("Jumlah arsip", str(len(records)))],
        paragraphs=[note],
        table_header=LIST_HEADER,
        table_rows=record_rows(records),
        footer_note="Daftar ini merupakan lampiran yang tidak terpisahkan dari berita acara dengan nomor yang sama.",
    )


def long_date(day: date) -> str:
    return tanggal(day)


async def documents_of(session: AsyncSession, subject_id: uuid.UUID) -> Sequence[Document]:
    result = await session.execute(
        select(Document).where(Document.subject_id == subject_id).order_by(Document.created_at, Document.kind)
    )
    return result.scalars().all()


async def open_document(
    session: AsyncSession, runtime: ArchiveRuntime, *, document_id: uuid.UUID
) -> tuple[Document, ObjectReader]:
    item = await session.get(Document, document_id)
    if item is None:
        raise NotFound("Dokumen tidak ditemukan", "Document not found", code="document_not_found")
    reader = runtime.documents.get(item.object_key)
    await reader.open()
    return item, reader
