"""Typed client for the archive service (records, instruments, lifecycle, public access, audit).

Used by the portal on behalf of the signed-in user (``tokens=StaticToken(user_token)``; public
pages pass no token) and by any service that needs archive data. Every model is a tolerant reader:
unknown fields are ignored and most fields have defaults, so the service may grow its responses
freely without breaking its callers.

A refused action (HTTP 409, code ``refused``) is raised as :class:`~pusip_kit.errors.Conflict`;
:func:`refusal_reasons` reads its named reasons back. A read the access policy refuses is a
:class:`~pusip_kit.errors.NotFound` (``record_not_found``), exactly like a missing record.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx
from pydantic import Field

from pusip_kit.clients.base import ServiceClient
from pusip_kit.clients.shapes import Model, Page, Reason, query
from pusip_kit.clients.shapes import PageInfo as PageInfo  # re-exported: this module's API
from pusip_kit.clients.shapes import refusal_reasons as refusal_reasons
from pusip_kit.errors import PusipError

T = TypeVar("T")
Id = uuid.UUID | str


# -- shared shapes --------------------------------------------------------------------------------


def field_errors(error: PusipError) -> dict[str, str]:
    """A 422's messages by field name (the last element of each ``loc``)."""
    out: dict[str, str] = {}
    if error.code != "validation_error" or not isinstance(error.details, list):
        return out
    for item in error.details:
        if not isinstance(item, Mapping):
            continue
        loc = [str(p) for p in item.get("loc") or [] if not isinstance(p, int)]
        name = loc[-1] if loc else ""
        if name and name not in out:
            out[name] = str(item.get("msg") or "")
    return out


# -- instruments ------------------------------------------------------------------------------------


class InstrumentSet(Model):
    id: uuid.UUID
    name: str = ""
    version: str = ""
    status: str = ""
    description: str | None = None
    summary: dict[str, int] = Field(default_factory=dict)
    activated_at: datetime | None = None


class InstrumentCode(Model):
    code: str
    parent_code: str | None = None
    level: int = 1
    title: str | None = None
    description: str | None = None
    active_years: int | None = None
    active_event: str | None = None
    inactive_years: int | None = None
    inactive_event: str | None = None
    disposition: str | None = None
    exception_condition: str | None = None
    exception_disposition: str | None = None
    security_level: str | None = None
    access_categories: list[str] = Field(default_factory=list)
    law_forbids_destruction: bool = False
    law_reference: str | None = None


class ResolvedSchedule(Model):
    """What a record classified under a code inherits (blanks filled from the code's ancestors)."""

    code: str
    title: str | None = None
    active_years: int | None = None
    active_event: str | None = None
    inactive_years: int | None = None
    inactive_event: str | None = None
    disposition: str | None = None
    exception_condition: str | None = None
    exception_disposition: str | None = None
    security_level: str = "BIASA"
    security_from: str | None = None
    law_forbids_destruction: bool = False
    law_reference: str | None = None


class AccessGround(Model):
    code: str
    article: str = ""
    title: str = ""
    title_en: str = ""


# -- records ----------------------------------------------------------------------------------------


class Record(Model):
    id: uuid.UUID
    reference_number: str = ""
    title: str = ""
    record_date: date | None = None
    unit: str = ""
    description: str | None = None
    berkas_id: uuid.UUID | None = None
    instrument_set_id: uuid.UUID | None = None
    classification_code: str = ""
    security_level: str = "BIASA"
    security_inherited: bool = True
    security_ground: str | None = None
    security_reason: str | None = None
    active_years: int | None = None
    active_event: str | None = None
    inactive_years: int | None = None
    inactive_event: str | None = None
    disposition: str | None = None
    exception_condition: str | None = None
    exception_disposition: str | None = None
    exception_applies: bool | None = None
    event_date: date | None = None
    law_forbids_destruction: bool = False
    law_reference: str | None = None
    status: str = "aktif"
    active_until: date | None = None
    inactive_until: date | None = None
    due_action: str | None = None
    due_since: date | None = None
    transferred_at: datetime | None = None
    static_since: datetime | None = None
    opens_on: date | None = None
    opened_at: datetime | None = None
    destroyed_at: datetime | None = None
    source: str = ""
    created_by: str = ""
    created_at: datetime | None = None
    score: float | None = None


class RecordFile(Model):
    id: uuid.UUID
    record_id: uuid.UUID | None = None
    filename: str = ""
    content_type: str = "application/octet-stream"
    size: int = 0
    sha256: str = ""
    uploaded_by: str = ""
    purged_at: datetime | None = None
    has_text: bool = False
    created_at: datetime | None = None


class FacetBucket(Model):
    value: Any = None
    count: int = 0


class SearchResult(Model, Generic[T]):
    items: list[T] = Field(default_factory=list)
    total: int = 0
    facets: dict[str, list[FacetBucket]] = Field(default_factory=dict)
    page: int = 1
    limit: int = 20

    @property
    def max_page(self) -> int:
        return max(1, -(-self.total // max(self.limit, 1)))


class PublicFile(Model):
    id: uuid.UUID
    filename: str = ""
    content_type: str = "application/octet-stream"
    size: int = 0
    sha256: str = ""


class PublicRecord(Model):
    id: uuid.UUID
    reference_number: str = ""
    title: str = ""
    record_date: date | None = None
    unit: str = ""
    description: str | None = None
    classification_code: str = ""
    status: str = ""
    kind: str = "dinamis"
    files: list[PublicFile] = Field(default_factory=list)


# -- lifecycle --------------------------------------------------------------------------------------


class DueSummary(Model):
    by_action: dict[str, int] = Field(default_factory=dict)


class Document(Model):
    id: uuid.UUID
    kind: str = ""
    number: str = ""
    title: str = ""
    sha256: str = ""
    size: int = 0
    created_at: datetime | None = None


class Transfer(Model):
    id: uuid.UUID
    number: str = ""
    unit: str = ""
    destination: str = ""
    status: str = ""
    note: str | None = None
    created_by: str = ""
    executed_at: datetime | None = None
    record_ids: list[uuid.UUID] = Field(default_factory=list)
    documents: list[Document] = Field(default_factory=list)


class Handover(Model):
    id: uuid.UUID
    number: str = ""
    receiving_institution: str = ""
    status: str = ""
    note: str | None = None
    created_by: str = ""
    executed_at: datetime | None = None
    record_ids: list[uuid.UUID] = Field(default_factory=list)
    documents: list[Document] = Field(default_factory=list)


class DisposalItem(Model):
    record_id: uuid.UUID
    status: str = ""
    excluded_reason: str | None = None


class PanelMember(Model):
    id: uuid.UUID
    name: str = ""
    nip: str | None = None
    position: str = ""
    panel_role: str = ""
    decision: str | None = None
    note: str | None = None
    excluded_record_ids: list[str] = Field(default_factory=list)
    decided_at: datetime | None = None


class Approval(Model):
    id: uuid.UUID
    level: str = ""
    approver_name: str = ""
    approver_position: str = ""
    decision: str = ""
    reference: str | None = None
    note: str | None = None
    created_at: datetime | None = None


class Witness(Model):
    name: str = ""
    nip: str | None = None
    position: str = ""


class Disposal(Model):
    id: uuid.UUID
    number: str = ""
    title: str = ""
    status: str = ""
    created_by: str = ""
    submitted_at: datetime | None = None
    reviewed_at: datetime | None = None
    approved_at: datetime | None = None
    requires_higher_approval: bool = False
    decree_number: str | None = None
    decree_date: date | None = None
    decree_signed_by: str | None = None
    executed_at: datetime | None = None
    method: str | None = None
    place: str | None = None
    closed_reason: str | None = None
    next_step: str | None = None
    items: list[DisposalItem] = Field(default_factory=list)
    panel: list[PanelMember] = Field(default_factory=list)
    approvals: list[Approval] = Field(default_factory=list)
    witnesses: list[Witness] = Field(default_factory=list)
    documents: list[Document] = Field(default_factory=list)


class CheckResult(Model):
    record_id: uuid.UUID
    ok: bool = False
    reasons: list[Reason] = Field(default_factory=list)


class AddItemsResult(Model):
    added: list[uuid.UUID] = Field(default_factory=list)
    refused: list[CheckResult] = Field(default_factory=list)


# -- access requests and audit ----------------------------------------------------------------------


class AccessRequest(Model):
    id: uuid.UUID
    record_id: uuid.UUID | None = None
    reference_text: str | None = None
    requester: str = ""
    requester_name: str = ""
    purpose: str = ""
    status: str = "diajukan"
    decision_reason: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    grant_expires_on: date | None = None
    created_at: datetime | None = None


class AuditEntry(Model):
    seq: int
    at: str = ""
    actor: str = ""
    actor_category: str | None = None
    action: str = ""
    record_id: str | None = None
    level: str | None = None
    outcome: str = ""
    details: dict[str, Any] = Field(default_factory=dict)
    prev_hash: str = ""
    hash: str = ""


class AuditProblem(Model):
    seq: int | None = None
    kind: str = ""
    message: str = ""
    message_en: str = ""


class AuditVerification(Model):
    ok: bool = False
    entries: int = 0
    last_seq: int = 0
    last_hash: str = ""
    problems: list[AuditProblem] = Field(default_factory=list)


# -- the client -------------------------------------------------------------------------------------


def _ids(ids: Sequence[Id]) -> list[str]:
    return [str(i) for i in ids]


class ArchiveClient(ServiceClient):
    service = "archive"

    # -- instruments --------------------------------------------------------------------------------

    async def active_instrument_set(self) -> InstrumentSet:
        return await self.get_model("/instrument-sets/active", InstrumentSet)

    async def instrument_codes(
        self, set_id: Id, *, q: str | None = None, page: int = 1, limit: int = 20
    ) -> Page[InstrumentCode]:
        return await self.get_model(
            f"/instrument-sets/{set_id}/codes",
            Page[InstrumentCode],
            params=query(q=q, page=page, limit=limit),
        )

    async def resolve_code(self, set_id: Id, code: str) -> ResolvedSchedule:
        return await self.get_model(
            f"/instrument-sets/{set_id}/codes/{quote(code, safe='')}/resolved", ResolvedSchedule
        )

    async def access_grounds(self) -> list[AccessGround]:
        return [AccessGround.model_validate(g) for g in await self._json("GET", "/access-grounds") or []]

    # -- records ------------------------------------------------------------------------------------

    async def records(
        self,
        *,
        q: str | None = None,
        unit: str | None = None,
        classification_code: str | None = None,
        status: str | None = None,
        security_level: str | None = None,
        due_action: str | None = None,
        page: int = 1,
        limit: int = 20,
    ) -> Page[Record]:
        return await self.get_model(
            "/records",
            Page[Record],
            params=query(
                q=q,
                unit=unit,
                classification_code=classification_code,
                status=status,
                security_level=security_level,
                due_action=due_action,
                page=page,
                limit=limit,
            ),
        )

    async def search_records(
        self, *, q: str | None = None, page: int = 1, limit: int = 20, **filters: Any
    ) -> SearchResult[Record]:
        return await self.get_model(
            "/records/search", SearchResult[Record], params=query(q=q, page=page, limit=limit, **filters)
        )

    async def record(self, record_id: Id) -> Record:
        return await self.get_model(f"/records/{record_id}", Record)

    async def check_record(self, data: Mapping[str, Any]) -> dict[str, Any]:
        body = await self._json("POST", "/records/check", json=dict(data))
        return body if isinstance(body, dict) else {}

    async def create_record(self, data: Mapping[str, Any]) -> Record:
        return Record.model_validate(await self._json("POST", "/records", json=dict(data)))

    async def override_security(
        self, record_id: Id, *, level: str, ground: str | None, reason: str
    ) -> Record:
        body = {"security_level": level, "ground": ground, "reason": reason}
        return Record.model_validate(await self._json("POST", f"/records/{record_id}/security", json=body))

    async def record_files(self, record_id: Id) -> list[RecordFile]:
        return [
            RecordFile.model_validate(f) for f in await self._json("GET", f"/records/{record_id}/files") or []
        ]

    async def upload_file(
        self,
        record_id: Id,
        filename: str,
        content: bytes | AsyncIterable[bytes],
        *,
        size: int | None = None,
        seconds: float | None = None,
    ) -> RecordFile:
        """The file as the raw body (streamed when ``content`` is an async iterator).

        ``seconds`` replaces the client's timeout for this call: a large file takes longer.
        """
        headers = {"Content-Type": "application/octet-stream"}
        if size is not None:
            headers["Content-Length"] = str(size)
        extra: dict[str, Any] = {}
        if seconds is not None:
            extra["timeout"] = httpx.Timeout(seconds, connect=5.0)
        response = await self.request(
            "POST",
            f"/records/{record_id}/files",
            params={"filename": filename},
            content=content,
            headers=headers,
            **extra,
        )
        return RecordFile.model_validate(response.json())

    async def file_stream(self, record_id: Id, file_id: Id) -> httpx.Response:
        """A record's file as an open streaming response: iterate ``aiter_bytes()``, then ``aclose()``."""
        return await self.stream("GET", f"/records/{record_id}/files/{file_id}")

    # -- public access ------------------------------------------------------------------------------

    async def public_search(
        self,
        *,
        q: str | None = None,
        classification_code: str | None = None,
        unit: str | None = None,
        year: int | None = None,
        kind: str | None = None,
        page: int = 1,
        limit: int = 20,
    ) -> SearchResult[PublicRecord]:
        return await self.get_model(
            "/public/records",
            SearchResult[PublicRecord],
            params=query(
                q=q,
                classification_code=classification_code,
                unit=unit,
                year=year,
                kind=kind,
                page=page,
                limit=limit,
            ),
        )

    async def public_record(self, record_id: Id) -> PublicRecord:
        return await self.get_model(f"/public/records/{record_id}", PublicRecord)

    async def public_file_stream(self, record_id: Id, file_id: Id) -> httpx.Response:
        return await self.stream("GET", f"/public/records/{record_id}/files/{file_id}")

    async def access_requests(
        self, *, status: str | None = None, page: int = 1, limit: int = 20
    ) -> Page[AccessRequest]:
        return await self.get_model(
            "/access-requests", Page[AccessRequest], params=query(status=status, page=page, limit=limit)
        )

    async def access_request(self, request_id: Id) -> AccessRequest:
        return await self.get_model(f"/access-requests/{request_id}", AccessRequest)

    async def create_access_request(self, data: Mapping[str, Any]) -> AccessRequest:
        return AccessRequest.model_validate(await self._json("POST", "/access-requests", json=dict(data)))

    async def decide_access_request(
        self,
        request_id: Id,
        *,
        decision: str,
        reason: str,
        record_id: Id | None = None,
        expires_on: date | None = None,
    ) -> AccessRequest:
        body = query(
            decision=decision,
            reason=reason,
            record_id=str(record_id) if record_id else None,
            expires_on=expires_on.isoformat() if expires_on else None,
        )
        return AccessRequest.model_validate(
            await self._json("POST", f"/access-requests/{request_id}/decision", json=body)
        )

    # -- lifecycle ----------------------------------------------------------------------------------

    async def due_summary(self) -> DueSummary:
        return await self.get_model("/lifecycle/due", DueSummary)

    async def run_lifecycle(self, *, as_of: date | None = None) -> dict[str, int]:
        params = query(as_of=as_of.isoformat() if as_of else None)
        body = await self._json("POST", "/lifecycle/run", params=params)
        return dict(body or {})

    async def document_stream(self, document_id: Id) -> httpx.Response:
        """A berita acara or list (PDF) as an open streaming response."""
        return await self.stream("GET", f"/documents/{document_id}")

    async def transfers(self, *, page: int = 1, limit: int = 20) -> Page[Transfer]:
        return await self.get_model("/transfers", Page[Transfer], params={"page": page, "limit": limit})

    async def transfer(self, transfer_id: Id) -> Transfer:
        return await self.get_model(f"/transfers/{transfer_id}", Transfer)

    async def create_transfer(
        self,
        record_ids: Sequence[Id],
        *,
        number: str | None = None,
        destination: str | None = None,
        note: str | None = None,
    ) -> Transfer:
        body = query(record_ids=_ids(record_ids), number=number, destination=destination, note=note)
        return Transfer.model_validate(await self._json("POST", "/transfers", json=body))

    async def execute_transfer(self, transfer_id: Id, signatories: Sequence[Mapping[str, Any]]) -> Transfer:
        body = {"signatories": [dict(s) for s in signatories]}
        return Transfer.model_validate(
            await self._json("POST", f"/transfers/{transfer_id}/execute", json=body)
        )

    async def handovers(self, *, page: int = 1, limit: int = 20) -> Page[Handover]:
        return await self.get_model("/handovers", Page[Handover], params={"page": page, "limit": limit})

    async def handover(self, handover_id: Id) -> Handover:
        return await self.get_model(f"/handovers/{handover_id}", Handover)

    async def create_handover(
        self,
        record_ids: Sequence[Id],
        *,
        number: str | None = None,
        receiving_institution: str | None = None,
        note: str | None = None,
    ) -> Handover:
        body = query(
            record_ids=_ids(record_ids), number=number, receiving_institution=receiving_institution, note=note
        )
        return Handover.model_validate(await self._json("POST", "/handovers", json=body))

    async def execute_handover(self, handover_id: Id, signatories: Sequence[Mapping[str, Any]]) -> Handover:
        body = {"signatories": [dict(s) for s in signatories]}
        return Handover.model_validate(
            await self._json("POST", f"/handovers/{handover_id}/execute", json=body)
        )

    async def disposals(self, *, status: str | None = None, page: int = 1, limit: int = 20) -> Page[Disposal]:
        return await self.get_model(
            "/disposals", Page[Disposal], params=query(status=status, page=page, limit=limit)
        )

    async def disposal(self, proposal_id: Id) -> Disposal:
        return await self.get_model(f"/disposals/{proposal_id}", Disposal)

    async def create_disposal(self, *, title: str, number: str | None = None) -> Disposal:
        body = query(title=title, number=number)
        return Disposal.model_validate(await self._json("POST", "/disposals", json=body))

    async def check_disposal(self, record_ids: Sequence[Id]) -> list[CheckResult]:
        body = await self._json("POST", "/disposals/check", json={"record_ids": _ids(record_ids)})
        return [CheckResult.model_validate(c) for c in body or []]

    async def add_disposal_items(self, proposal_id: Id, record_ids: Sequence[Id]) -> AddItemsResult:
        body = await self._json(
            "POST", f"/disposals/{proposal_id}/items", json={"record_ids": _ids(record_ids)}
        )
        return AddItemsResult.model_validate(body)

    async def remove_disposal_item(self, proposal_id: Id, record_id: Id) -> None:
        await self.request("DELETE", f"/disposals/{proposal_id}/items/{record_id}")

    async def set_disposal_panel(self, proposal_id: Id, members: Sequence[Mapping[str, Any]]) -> Disposal:
        body = {"members": [dict(m) for m in members]}
        return Disposal.model_validate(await self._json("PUT", f"/disposals/{proposal_id}/panel", json=body))

    async def submit_disposal(self, proposal_id: Id) -> Disposal:
        return Disposal.model_validate(await self._json("POST", f"/disposals/{proposal_id}/submit"))

    async def decide_disposal_member(
        self,
        proposal_id: Id,
        member_id: Id,
        *,
        decision: str,
        note: str | None = None,
        excluded_record_ids: Sequence[Id] = (),
    ) -> Disposal:
        body = query(decision=decision, note=note, excluded_record_ids=_ids(excluded_record_ids))
        return Disposal.model_validate(
            await self._json("POST", f"/disposals/{proposal_id}/panel/{member_id}/decision", json=body)
        )

    async def approve_disposal(self, proposal_id: Id, data: Mapping[str, Any]) -> Disposal:
        return Disposal.model_validate(
            await self._json("POST", f"/disposals/{proposal_id}/approvals", json=dict(data))
        )

    async def decree_disposal(
        self, proposal_id: Id, *, decree_number: str, decree_date: date, signed_by: str
    ) -> Disposal:
        body = {
            "decree_number": decree_number,
            "decree_date": decree_date.isoformat(),
            "signed_by": signed_by,
        }
        return Disposal.model_validate(
            await self._json("POST", f"/disposals/{proposal_id}/decree", json=body)
        )

    async def execute_disposal(
        self, proposal_id: Id, data: Mapping[str, Any], *, dry_run: bool = False
    ) -> Disposal:
        return Disposal.model_validate(
            await self._json(
                "POST",
                f"/disposals/{proposal_id}/execute",
                json=dict(data),
                params={"dry_run": "true"} if dry_run else None,
            )
        )

    async def cancel_disposal(self, proposal_id: Id, *, reason: str) -> Disposal:
        return Disposal.model_validate(
            await self._json("POST", f"/disposals/{proposal_id}/cancel", json={"reason": reason})
        )

    # -- audit --------------------------------------------------------------------------------------

    async def audit_entries(
        self,
        *,
        record_id: str | None = None,
        actor: str | None = None,
        action: str | None = None,
        outcome: str | None = None,
        page: int = 1,
        limit: int = 50,
    ) -> Page[AuditEntry]:
        return await self.get_model(
            "/audit",
            Page[AuditEntry],
            params=query(
                record_id=record_id, actor=actor, action=action, outcome=outcome, page=page, limit=limit
            ),
        )

    async def verify_audit(self) -> AuditVerification:
        return await self.get_model("/audit/verify", AuditVerification)

    # -- streaming ----------------------------------------------------------------------------------
