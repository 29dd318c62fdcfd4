"""Shapes of bibliographic records over HTTP."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from catalog.models import BibRecord
from catalog.search.documents import BranchHolding
from pusip_kit.schemas import Schema


class BranchAvailability(Schema):
    branch: str
    name: str | None
    available: int
    total: int


class RecordSummary(Schema):
    id: uuid.UUID
    control_number: str | None
    title: str
    authors: list[str]
    year: int | None
    material_type: str
    language: str | None
    source: str
    deleted: bool
    version: int
    updated_at: datetime

    @classmethod
    def of(cls, record: BibRecord) -> RecordSummary:
        return cls.model_validate(record)


class RecordRead(Schema):
    id: uuid.UUID
    control_number: str | None
    title: str
    authors: list[str]
    subjects: list[str]
    isbns: list[str]
    issns: list[str]
    publisher: str | None
    place: str | None
    year: int | None
    language: str | None
    material_type: str
    call_number: str | None
    ddc: str | None
    series: list[str]
    edition: str | None
    summary: str | None
    source: str
    regional: bool
    version: int
    datestamp: datetime
    created_at: datetime
    updated_at: datetime
    availability: list[BranchAvailability]
    marc: dict[str, Any]
    links: dict[str, str]

    @classmethod
    def of(
        cls,
        record: BibRecord,
        marc: dict[str, Any],
        holdings: list[BranchHolding],
        branch_names: dict[str, str],
    ) -> RecordRead:
        d = record.derived or {}
        return cls(
            id=record.id,
            control_number=record.control_number,
            title=record.title,
            authors=list(record.authors or []),
            subjects=list(d.get("subjects") or []),
            isbns=list(record.isbns or []),
            issns=list(d.get("issns") or []),
            publisher=record.publisher,
            place=d.get("place"),
            year=record.year,
            language=record.language,
            material_type=record.material_type,
            call_number=record.call_number,
            ddc=d.get("ddc"),
            series=list(d.get("series") or []),
            edition=d.get("edition"),
            summary=d.get("summary"),
            source=record.source,
            regional=record.regional,
            version=record.version,
            datestamp=record.datestamp,
            created_at=record.created_at,
            updated_at=record.updated_at,
            availability=[
                BranchAvailability(
                    branch=h.branch, name=branch_names.get(h.branch), available=h.available, total=h.total
                )
                for h in holdings
            ],
            marc=marc,
            links={
                "self": f"/records/{record.id}",
                "items": f"/records/{record.id}/items",
                "eresources": f"/records/{record.id}/eresources",
                "jsonld": f"/records/{record.id}/jsonld",
                "export": f"/records/{record.id}/export",
            },
        )
