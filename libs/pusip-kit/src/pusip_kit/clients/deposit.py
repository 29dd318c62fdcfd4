"""Typed client for the deposit service (legal deposit: depositors, obligations, deposits, compliance).

Used by the portal on behalf of the signed-in user (``tokens=StaticToken(user_token)``) and by the
catalog, with its own service token (client credentials), to read the full text of accepted digital
deposits. Every model is a tolerant reader: unknown fields are ignored and most fields have
defaults, so the deposit service may grow its responses freely.

A refused action (HTTP 409, code ``refused``) is raised as :class:`~pusip_kit.errors.Conflict`;
:func:`refusal_reasons` reads its named reasons back.

The paths of a deposited file (the service's contract, ``services/deposit/EVENTS.md``) are built by
:func:`file_download_path` and :func:`file_text_path`.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterable, AsyncIterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import httpx
import orjson
from pydantic import Field

from pusip_kit.clients.base import ServiceClient
from pusip_kit.clients.shapes import Download, Model, Page, Reason, query
from pusip_kit.clients.shapes import PageInfo as PageInfo  # re-exported: this module's API
from pusip_kit.clients.shapes import refusal_reasons as refusal_reasons
from pusip_kit.errors import ServiceUnavailable

T = TypeVar("T")
ID = uuid.UUID | str

UPLOAD_TIMEOUT = httpx.Timeout(connect=5.0, read=900.0, write=900.0, pool=10.0)


class DecisionCheck(Model):
    """A dry run: would the decision go through now, and if not, every named reason."""

    action: str = ""
    allowed: bool = False
    reasons: list[Reason] = Field(default_factory=list)


def file_download_path(deposit_id: ID, file_id: ID) -> str:
    """Authenticated, logged, watermarked reading of a deposited file (the service's path)."""
    return f"/deposits/{deposit_id}/files/{file_id}/download"


def file_text_path(deposit_id: ID, file_id: ID) -> str:
    """The extracted full text of a deposited file (for cataloguers and the catalog's indexer)."""
    return f"/deposits/{deposit_id}/files/{file_id}/text"


# -- depositors -----------------------------------------------------------------------------------


class Contact(Model):
    name: str
    position: str | None = None
    email: str | None = None
    phone: str | None = None


class Depositor(Model):
    id: uuid.UUID
    type: str = "penerbit"
    name: str
    legal_identity_kind: str | None = None
    legal_identity_number: str | None = None
    domicile_province: str = ""
    domicile_city: str = ""
    address: str | None = None
    email: str | None = None
    phone: str | None = None
    website: str | None = None
    contacts: list[Contact] = Field(default_factory=list)
    isbn_prefixes: list[str] = Field(default_factory=list)
    ismn_prefixes: list[str] = Field(default_factory=list)
    status: str = "pending"
    decision_reason: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    data_confirmed_at: datetime | None = None
    created_at: datetime | None = None


class MyDepositor(Model):
    depositor: Depositor
    role: str = "member"
    refresh_due_on: date | None = None


class HistoryEntry(Model):
    id: uuid.UUID | None = None
    entity: str = ""
    entity_id: uuid.UUID | None = None
    action: str = ""
    from_status: str | None = None
    to_status: str | None = None
    actor: str = ""
    note: str | None = None
    details: dict[str, Any] | None = None
    at: datetime | None = None


# -- obligations ----------------------------------------------------------------------------------


class Obligation(Model):
    id: uuid.UUID
    depositor_id: uuid.UUID
    kind: str = "karya_cetak"
    title: str = ""
    isbn: str | None = None
    issn: str | None = None
    ismn: str | None = None
    published_on: date | None = None
    due_on: date | None = None
    copies_required: int = 1
    copies_accepted: int = 0
    status: str = "due"
    exempt_reason: str | None = None
    fulfilled_on: date | None = None
    source: str = ""


# -- deposits -------------------------------------------------------------------------------------


class DepositFile(Model):
    id: uuid.UUID
    role: str = "file"
    filename: str = ""
    path_in_package: str | None = None
    content_type: str = "application/octet-stream"
    size: int = 0
    sha256: str = ""
    text_status: str = ""
    text_chars: int | None = None
    pages: int | None = None


class Deposit(Model):
    id: uuid.UUID
    depositor_id: uuid.UUID
    obligation_id: uuid.UUID | None = None
    channel: str = "digital"
    kind: str = "karya_digital"
    status: str = "submitted"
    title: str = ""
    subtitle: str | None = None
    creators: list[str] = Field(default_factory=list)
    isbn: str | None = None
    issn: str | None = None
    ismn: str | None = None
    edition: str | None = None
    year: int | None = None
    published_on: date | None = None
    language: str | None = None
    pages: int | None = None
    duration_minutes: int | None = None
    publisher: str = ""
    place: str | None = None
    description: str | None = None
    copies_declared: int = 0
    copies_received: int = 0
    receipt_number: str | None = None
    receipt_url: str | None = None
    received_at: datetime | None = None
    received_by: str | None = None
    submitted_by: str = ""
    decided_at: datetime | None = None
    decided_by: str | None = None
    decision_reasons: list[str] = Field(default_factory=list)
    published_at: datetime | None = None
    created_at: datetime | None = None
    files: list[DepositFile] = Field(default_factory=list)


class BibliographyEntry(Model):
    id: uuid.UUID
    kind: str = ""
    title: str = ""
    subtitle: str | None = None
    creators: list[str] = Field(default_factory=list)
    isbn: str | None = None
    issn: str | None = None
    ismn: str | None = None
    edition: str | None = None
    year: int | None = None
    language: str | None = None
    publisher: str = ""
    place: str | None = None
    accepted_at: datetime | None = None


# -- compliance -----------------------------------------------------------------------------------


class Rate(Model):
    due: int = 0
    fulfilled: int = 0
    fulfilled_on_time: int = 0
    rate: Decimal | None = None
    on_time_rate: Decimal | None = None


class DepositorCompliance(Model):
    depositor_id: uuid.UUID
    depositor_name: str = ""
    depositor_type: str = ""
    city: str = ""
    start: date | None = None
    end: date | None = None
    rate: Rate = Field(default_factory=Rate)
    overdue_now: int = 0
    rank: int | None = None


class AppreciationEntry(Model):
    depositor_id: uuid.UUID
    depositor_name: str = ""
    depositor_type: str = ""
    city: str = ""
    rate: Rate = Field(default_factory=Rate)
    rank: int = 0


class AppreciationList(Model):
    year: int
    rules: str = ""
    criteria: dict[str, str] = Field(default_factory=dict)
    publishers: list[AppreciationEntry] = Field(default_factory=list)


class OverdueRow(Model):
    obligation_id: uuid.UUID
    depositor_id: uuid.UUID
    depositor_name: str = ""
    title: str = ""
    identifier: str | None = None
    kind: str = ""
    published_on: date | None = None
    due_on: date | None = None
    days_overdue: int = 0
    warning_level: int | None = None


class ChartPoint(Model):
    period: str
    start: date | None = None
    end: date | None = None
    due: int = 0
    fulfilled: int = 0
    fulfilled_on_time: int = 0
    rate: Decimal | None = None
    on_time_rate: Decimal | None = None


class ComplianceChart(Model):
    granularity: str = "month"
    depositor_id: uuid.UUID | None = None
    points: list[ChartPoint] = Field(default_factory=list)
    by_kind: dict[str, Rate] = Field(default_factory=dict)


def _decision(body: Any) -> Deposit | DecisionCheck:
    if isinstance(body, Mapping) and "allowed" in body and "action" in body:
        return DecisionCheck.model_validate(body)
    return Deposit.model_validate(body)


def _quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def multipart_upload(
    metadata: Mapping[str, Any], filename: str, chunks: AsyncIterable[bytes], boundary: str | None = None
) -> tuple[str, AsyncIterator[bytes]]:
    """The ``multipart/form-data`` body the deposit service reads — ``metadata`` (JSON) first, then
    one ``file`` part — streamed from ``chunks`` without holding the file. Returns the content type
    and the body. ``filename`` goes through as given (the service refuses unsafe names itself);
    line breaks are refused here, as they would break the part's header."""
    if any(c in filename for c in "\r\n\0"):
        raise ValueError("filename contains a line break")
    boundary = boundary or f"pusip-{uuid.uuid4().hex}"
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="metadata"\r\n'
        "Content-Type: application/json\r\n\r\n"
    ).encode() + orjson.dumps(dict(metadata), default=str)
    file_head = (
        f"\r\n--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{_quoted(filename)}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    async def body() -> AsyncIterator[bytes]:
        yield head + file_head
        async for chunk in chunks:
            if chunk:
                yield chunk
        yield tail

    return f"multipart/form-data; boundary={boundary}", body()


class DepositClient(ServiceClient):
    service = "deposit"

    # -- depositors -------------------------------------------------------------------------------

    async def my_depositors(self) -> list[MyDepositor]:
        response = await self.request("GET", "/me/depositors")
        return [MyDepositor.model_validate(x) for x in response.json()]

    async def depositors(
        self, *, status: str | None = None, q: str | None = None, page: int = 1, limit: int = 20
    ) -> Page[Depositor]:
        params = query(status=status, q=q, page=page, limit=limit)
        return await self.get_model("/depositors", Page[Depositor], params=params)

    async def depositor(self, depositor_id: ID) -> Depositor:
        return await self.get_model(f"/depositors/{depositor_id}", Depositor)

    async def register(self, data: Mapping[str, Any]) -> Depositor:
        response = await self.request("POST", "/depositors", json=dict(data))
        return Depositor.model_validate(response.json())

    async def update_depositor(self, depositor_id: ID, changes: Mapping[str, Any]) -> Depositor:
        response = await self.request("PATCH", f"/depositors/{depositor_id}", json=dict(changes))
        return Depositor.model_validate(response.json())

    async def refresh(self, depositor_id: ID, data: Mapping[str, Any]) -> Depositor:
        """The yearly data refresh: confirm (and correct) address and contacts."""
        response = await self.request("POST", f"/depositors/{depositor_id}/refresh", json=dict(data))
        return Depositor.model_validate(response.json())

    async def approve_depositor(self, depositor_id: ID, *, note: str | None = None) -> Depositor:
        body = {"note": note} if note else {}
        response = await self.request("POST", f"/depositors/{depositor_id}/approve", json=body)
        return Depositor.model_validate(response.json())

    async def reject_depositor(self, depositor_id: ID, *, reason: str) -> Depositor:
        response = await self.request("POST", f"/depositors/{depositor_id}/reject", json={"reason": reason})
        return Depositor.model_validate(response.json())

    async def depositor_history(
        self, depositor_id: ID, *, page: int = 1, limit: int = 20
    ) -> Page[HistoryEntry]:
        params = query(page=page, limit=limit)
        return await self.get_model(f"/depositors/{depositor_id}/history", Page[HistoryEntry], params=params)

    # -- obligations ------------------------------------------------------------------------------

    async def obligations(
        self,
        *,
        depositor_id: ID | None = None,
        status: str | None = None,
        q: str | None = None,
        page: int = 1,
        limit: int = 20,
    ) -> Page[Obligation]:
        params = query(depositor_id=depositor_id, status=status, q=q, page=page, limit=limit)
        return await self.get_model("/obligations", Page[Obligation], params=params)

    async def declare_obligation(self, data: Mapping[str, Any]) -> Obligation:
        response = await self.request("POST", "/obligations", json=dict(data))
        return Obligation.model_validate(response.json())

    # -- deposits ---------------------------------------------------------------------------------

    async def deposits(
        self,
        *,
        depositor_id: ID | None = None,
        status: str | None = None,
        q: str | None = None,
        page: int = 1,
        limit: int = 20,
    ) -> Page[Deposit]:
        params = query(depositor_id=depositor_id, status=status, q=q, page=page, limit=limit)
        return await self.get_model("/deposits", Page[Deposit], params=params)

    async def queue(
        self, *, kind: str | None = None, channel: str | None = None, page: int = 1, limit: int = 20
    ) -> Page[Deposit]:
        params = query(kind=kind, channel=channel, page=page, limit=limit)
        return await self.get_model("/deposits/queue", Page[Deposit], params=params)

    async def deposit(self, deposit_id: ID) -> Deposit:
        return await self.get_model(f"/deposits/{deposit_id}", Deposit)

    async def deposit_history(self, deposit_id: ID, *, page: int = 1, limit: int = 50) -> Page[HistoryEntry]:
        params = query(page=page, limit=limit)
        return await self.get_model(f"/deposits/{deposit_id}/history", Page[HistoryEntry], params=params)

    async def declare_printed(self, data: Mapping[str, Any]) -> Deposit:
        response = await self.request("POST", "/deposits/printed", json=dict(data))
        return Deposit.model_validate(response.json())

    async def counter_intake(self, data: Mapping[str, Any]) -> Deposit:
        response = await self.request("POST", "/counter/intake", json=dict(data))
        return Deposit.model_validate(response.json())

    async def submit_digital(
        self, metadata: Mapping[str, Any], filename: str, chunks: AsyncIterable[bytes]
    ) -> Deposit:
        """Stream one file with its metadata (the service checks type, size and name, and issues the
        receipt). The body is never held whole; an interrupted ``chunks`` aborts the upload, and
        the service then keeps nothing."""
        content_type, body = multipart_upload(metadata, filename, chunks)
        try:
            response = await self.request(
                "POST",
                "/deposits/digital",
                content=body,
                headers={"content-type": content_type},
                timeout=UPLOAD_TIMEOUT,
            )
        except httpx.TransportError as exc:  # the connection broke while sending (not a refusal)
            raise ServiceUnavailable(
                "Unggahan ke layanan deposit terputus",
                "The upload to the deposit service broke off",
                details={"service": self.service, "reason": type(exc).__name__},
            ) from exc
        return Deposit.model_validate(response.json())

    async def decide(
        self,
        deposit_id: ID,
        action: str,
        *,
        reasons: list[str] | None = None,
        note: str | None = None,
        dry_run: bool = False,
    ) -> Deposit | DecisionCheck:
        """``action``: ``accept``, ``request-fixes`` or ``reject`` (the latter two need reasons)."""
        if action not in ("accept", "request-fixes", "reject"):
            raise ValueError(f"unknown decision {action!r}")
        body: dict[str, Any] = {"reasons": list(reasons or [])}
        if note:
            body["note"] = note
        response = await self.request(
            "POST",
            f"/deposits/{deposit_id}/{action}",
            params={"dry_run": "true"} if dry_run else None,
            json=body,
        )
        return _decision(response.json())

    async def fix_metadata(self, deposit_id: ID, changes: Mapping[str, Any]) -> Deposit:
        response = await self.request("PATCH", f"/deposits/{deposit_id}", json=dict(changes))
        return Deposit.model_validate(response.json())

    async def resubmit(self, deposit_id: ID) -> Deposit:
        response = await self.request("POST", f"/deposits/{deposit_id}/resubmit")
        return Deposit.model_validate(response.json())

    async def receipt(self, deposit_id: ID) -> Download:
        response = await self.request("GET", f"/deposits/{deposit_id}/receipt")
        return Download(
            content=response.content,
            content_type=response.headers.get("content-type", "application/pdf"),
            content_disposition=response.headers.get("content-disposition"),
        )

    async def file_text(
        self, deposit_id: ID, file_id: ID, *, max_chars: int | None = None
    ) -> tuple[str, bool]:
        """The extracted text of a deposited file, and whether it was cut at ``max_chars``."""
        response = await self.stream("GET", file_text_path(deposit_id, file_id))
        parts: list[bytes] = []
        size = 0
        cut = False
        limit = None if max_chars is None else max_chars * 4 + 4  # UTF-8: at most 4 bytes a character
        try:
            async for chunk in response.aiter_bytes():
                parts.append(chunk)
                size += len(chunk)
                if limit is not None and size >= limit:
                    cut = True
                    break
        finally:
            await response.aclose()
        text = b"".join(parts).decode("utf-8", errors="ignore")
        if max_chars is not None and len(text) > max_chars:
            text, cut = text[:max_chars], True
        return text, cut

    # -- compliance and the public lists ------------------------------------------------------------

    async def compliance(
        self, depositor_id: ID, *, start: date | None = None, end: date | None = None
    ) -> DepositorCompliance:
        params = query(start=start, end=end)
        return await self.get_model(
            f"/compliance/depositors/{depositor_id}", DepositorCompliance, params=params
        )

    async def compliance_chart(
        self,
        *,
        depositor_id: ID | None = None,
        start: date | None = None,
        end: date | None = None,
        granularity: str = "month",
    ) -> ComplianceChart:
        params = query(depositor_id=depositor_id, start=start, end=end, granularity=granularity)
        return await self.get_model("/compliance/chart", ComplianceChart, params=params)

    async def ranking(
        self, *, start: date | None = None, end: date | None = None, type: str | None = None
    ) -> list[DepositorCompliance]:
        response = await self.request(
            "GET", "/compliance/ranking", params=query(start=start, end=end, type=type)
        )
        return [DepositorCompliance.model_validate(x) for x in response.json()]

    async def appreciation(self, *, year: int | None = None) -> AppreciationList:
        return await self.get_model("/compliance/appreciation", AppreciationList, params=query(year=year))

    async def overdue(self, *, depositor_id: ID | None = None) -> list[OverdueRow]:
        response = await self.request("GET", "/compliance/overdue", params=query(depositor_id=depositor_id))
        return [OverdueRow.model_validate(x) for x in response.json()]

    async def bibliography(
        self, *, q: str | None = None, page: int = 1, limit: int = 20
    ) -> Page[BibliographyEntry]:
        params = query(q=q, page=page, limit=limit)
        return await self.get_model("/bibliography", Page[BibliographyEntry], params=params)


__all__ = [
    "AppreciationEntry",
    "AppreciationList",
    "BibliographyEntry",
    "ChartPoint",
    "ComplianceChart",
    "DecisionCheck",
    "Deposit",
    "DepositClient",
    "DepositFile",
    "Depositor",
    "DepositorCompliance",
    "Download",
    "HistoryEntry",
    "MyDepositor",
    "Obligation",
    "OverdueRow",
    "Page",
    "Rate",
    "Reason",
    "file_download_path",
    "file_text_path",
    "multipart_upload",
    "refusal_reasons",
]
