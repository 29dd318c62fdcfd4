"""Search documents of records, built from the database (never from the index itself)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.models import BibRecord, EResource, Item, ItemStatus
from catalog.records.marcdata import isbn_forms
from catalog.search.audience import FULLTEXT_FIELD


@dataclass(frozen=True, slots=True)
class BranchHolding:
    branch: str
    available: int
    total: int

    def as_dict(self) -> dict[str, Any]:
        return {"branch": self.branch, "available": self.available, "total": self.total}


def build_document(
    *,
    record_id: str,
    derived: dict[str, Any],
    holdings: Sequence[BranchHolding] = (),
    eresources: Sequence[dict[str, Any]] = (),
    texts: Mapping[str, str] | None = None,
    fulltext_max: int = 200_000,
) -> dict[str, Any]:
    """The ``catalog_records`` document of one live record; ``texts``: e-resource text by field
    (:data:`catalog.search.audience.FULLTEXT_FIELD`), each cut to ``fulltext_max`` characters."""
    isbns: list[str] = []
    for isbn in derived.get("isbns") or []:
        isbns.extend(isbn_forms(isbn))
    branches = sorted(h.branch for h in holdings if h.total)
    available_branches = sorted(h.branch for h in holdings if h.available)
    doc: dict[str, Any] = {
        "id": record_id,
        "title": derived.get("title") or "",
        "title_sort": (derived.get("title_sort") or "")[:255],
        "authors": derived.get("authors") or [],
        "subjects": derived.get("subjects") or [],
        "isbns": list(dict.fromkeys(isbns)),
        "issns": derived.get("issns") or [],
        "publisher": derived.get("publisher"),
        "call_number": derived.get("call_number"),
        "control_number": derived.get("control_number"),
        "year": derived.get("year"),
        "language": derived.get("language"),
        "material_type": derived.get("material_type") or "book",
        "series": derived.get("series") or [],
        "edition": derived.get("edition"),
        "summary": derived.get("summary"),
        "branches": branches,
        "available_branches": available_branches,
        "holdings": [h.as_dict() for h in sorted(holdings, key=lambda h: h.branch)],
        "eresources": list(eresources),
    }
    if branches:
        doc["available"] = bool(available_branches)
    for name, text in (texts or {}).items():
        if text:
            doc[name] = text[:fulltext_max]
    return doc


async def holdings_of(
    session: AsyncSession, record_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[BranchHolding]]:
    """Copies per branch (all, and available now) of each record."""
    if not record_ids:
        return {}
    available = func.sum(case((Item.status == ItemStatus.AVAILABLE.value, 1), else_=0))
    rows = await session.execute(
        select(Item.record_id, Item.branch_code, func.count(), available)
        .where(Item.record_id.in_(record_ids))
        .group_by(Item.record_id, Item.branch_code)
    )
    out: dict[uuid.UUID, list[BranchHolding]] = {}
    for record_id, branch, total, free in rows:
        out.setdefault(record_id, []).append(BranchHolding(branch, int(free or 0), int(total)))
    return out


async def eresources_of(
    session: AsyncSession, record_ids: Sequence[uuid.UUID], *, with_text: bool
) -> dict[uuid.UUID, tuple[list[dict[str, Any]], dict[str, str]]]:
    """Per record: the e-resources as shown in search hits, and their full text joined per index
    field, i.e. per audience allowed to read the file (never one file's text in another's field)."""
    if not record_ids:
        return {}
    columns = [EResource.id, EResource.record_id, EResource.filename, EResource.format, EResource.access]
    if with_text:
        columns.append(EResource.fulltext)
    rows = await session.execute(
        select(*columns).where(EResource.record_id.in_(record_ids)).order_by(EResource.created_at)
    )
    out: dict[uuid.UUID, tuple[list[dict[str, Any]], dict[str, str]]] = {}
    for row in rows:
        summaries, texts = out.setdefault(row.record_id, ([], {}))
        summaries.append(
            {"id": str(row.id), "filename": row.filename, "format": row.format, "access": row.access}
        )
        if with_text and row.fulltext:
            name = FULLTEXT_FIELD.get(row.access, "fulltext_staff")  # unknown rule: staff only
            texts[name] = f"{texts[name]}\n\n{row.fulltext}" if name in texts else row.fulltext
    return out


async def documents_for(
    session: AsyncSession, record_ids: Sequence[uuid.UUID], *, fulltext_max: int = 200_000
) -> tuple[list[dict[str, Any]], list[str]]:
    """Documents of the live records among ``record_ids``, and the ids to remove from the index."""
    ids = list(dict.fromkeys(record_ids))
    rows = (
        await session.execute(
            select(BibRecord.id, BibRecord.derived, BibRecord.deleted).where(BibRecord.id.in_(ids))
        )
    ).all()
    live = [r for r in rows if not r.deleted]
    live_ids = [r.id for r in live]
    holdings = await holdings_of(session, live_ids)
    files = await eresources_of(session, live_ids, with_text=True)
    docs = []
    for row in live:
        summaries, texts = files.get(row.id, ([], {}))
        docs.append(
            build_document(
                record_id=str(row.id),
                derived=row.derived,
                holdings=holdings.get(row.id, []),
                eresources=summaries,
                texts=texts,
                fulltext_max=fulltext_max,
            )
        )
    found = {r.id for r in live}
    gone = [str(i) for i in ids if i not in found]
    return docs, gone
