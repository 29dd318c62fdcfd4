"""Request and response shapes of transfers, disposals and hand-overs."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from pusip_kit.schemas import Schema, WriteSchema

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
Nip = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9 ]{8,30}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
Number = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=100)]
RecordIds = Annotated[list[uuid.UUID], Field(min_length=1, max_length=2000)]
PANEL_ROLES = ("kepala_unit_kearsipan", "kepala_unit_pengolah", "arsiparis")


class Person(WriteSchema):
    name: Name
    nip: Nip | None = None
    position: Name


class SignatoryIn(WriteSchema):
    role: Name = Field(description="Jabatan dalam dokumen, mis. 'Yang menyerahkan' / role in the document")
    name: Name
    nip: Nip | None = None


class RecordIdsIn(WriteSchema):
    record_ids: RecordIds


class DocumentRead(Schema):
    id: uuid.UUID
    kind: str
    number: str
    title: str
    sha256: str
    size: int
    created_at: datetime


class TransferCreate(WriteSchema):
    record_ids: RecordIds
    number: Number | None = None
    destination: Name | None = None
    note: Text | None = None


class ExecuteWithSignatories(WriteSchema):
    signatories: Annotated[list[SignatoryIn], Field(min_length=2, max_length=6)]


class TransferRead(Schema):
    id: uuid.UUID
    number: str
    unit: str
    destination: str
    status: str
    note: str | None
    created_by: str
    executed_at: datetime | None
    record_ids: list[uuid.UUID] = []
    documents: list[DocumentRead] = []


class HandoverCreate(WriteSchema):
    record_ids: RecordIds
    number: Number | None = None
    receiving_institution: Name | None = None
    note: Text | None = None


class HandoverRead(Schema):
    id: uuid.UUID
    number: str
    receiving_institution: str
    status: str
    note: str | None
    created_by: str
    executed_at: datetime | None
    record_ids: list[uuid.UUID] = []
    documents: list[DocumentRead] = []


class DisposalCreate(WriteSchema):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=500)]
    number: Number | None = None


class PanelMemberIn(Person):
    panel_role: Literal["kepala_unit_kearsipan", "kepala_unit_pengolah", "arsiparis"]


class PanelIn(WriteSchema):
    members: Annotated[list[PanelMemberIn], Field(min_length=1, max_length=20)]


class PanelDecision(WriteSchema):
    decision: Literal["setuju", "tolak"]
    note: Text | None = None
    excluded_record_ids: list[uuid.UUID] = Field(
        default_factory=list,
        description="Arsip yang tidak disetujui dimusnahkan / records the member keeps out",
    )


class ApprovalIn(WriteSchema):
    level: Literal["kepala_dinas", "atasan"] = Field(
        description="kepala_dinas: pimpinan instansi; atasan: persetujuan lebih tinggi (retensi ≥ 10 tahun)"
    )
    approver_name: Name
    approver_position: Name
    decision: Literal["setuju", "tolak"]
    reference: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    note: Text | None = None


class DecreeIn(WriteSchema):
    decree_number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]
    decree_date: date
    signed_by: Name


class ExecuteDisposal(WriteSchema):
    executed_on: date
    method: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=100)] = Field(
        description="Cara pemusnahan, mis. pencacahan / method, e.g. shredding"
    )
    place: Name
    witnesses: Annotated[list[Person], Field(min_length=1, max_length=20)]
    executor: Person


class PanelMemberRead(Schema):
    id: uuid.UUID
    name: str
    nip: str | None
    position: str
    panel_role: str
    decision: str | None
    note: str | None
    excluded_record_ids: list[str]
    decided_at: datetime | None


class ApprovalRead(Schema):
    id: uuid.UUID
    level: str
    approver_name: str
    approver_position: str
    decision: str
    reference: str | None
    note: str | None
    created_at: datetime


class DisposalItemRead(Schema):
    record_id: uuid.UUID
    status: str
    excluded_reason: str | None


class DisposalRead(Schema):
    id: uuid.UUID
    number: str
    title: str
    status: str
    created_by: str
    submitted_at: datetime | None
    reviewed_at: datetime | None
    approved_at: datetime | None
    requires_higher_approval: bool
    decree_number: str | None
    decree_date: date | None
    decree_signed_by: str | None
    executed_at: datetime | None
    method: str | None
    place: str | None
    closed_reason: str | None
    next_step: str | None = None
    items: list[DisposalItemRead] = []
    panel: list[PanelMemberRead] = []
    approvals: list[ApprovalRead] = []
    witnesses: list[dict[str, Any]] = []
    documents: list[DocumentRead] = []


class CheckResult(Schema):
    record_id: uuid.UUID
    ok: bool
    reasons: list[dict[str, Any]]


class AddItemsResult(Schema):
    added: list[uuid.UUID]
    refused: list[CheckResult]
