"""Request and response shapes for assessments."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from accreditation.models import AssessmentMode, AssessmentStatus
from pusip_kit.schemas import RecordSchema, Schema, WriteSchema

Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Option = Literal["a", "b", "c", "d", "e"]


class AssessmentCreate(WriteSchema):
    library: Annotated[
        str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=2, max_length=64)
    ] = Field(description="Kode perpustakaan / library code")
    mode: AssessmentMode = AssessmentMode.ACCREDITATION
    year: int | None = Field(
        default=None, ge=2000, le=2100, description="Tahun penilaian (bawaan: tahun ini)"
    )


class AnswerIn(WriteSchema):
    option: Option | None = Field(description="Pilihan a–e; null menghapus jawaban / null clears the answer")
    note: Note | None = None


class AnswersUpdate(WriteSchema):
    answers: dict[str, AnswerIn] = Field(min_length=1, description="Kode indikator → jawaban")


class VerifyBody(WriteSchema):
    note: Note | None = None
    assessor: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None
    ) = Field(default=None, description="Nama pengguna asesor yang ditugaskan (kosong: asesor mana pun)")
    visit_date: date | None = Field(default=None, description="Tanggal visitasi / visit date")


class ReturnBody(WriteSchema):
    note: Note = Field(description="Catatan perbaikan untuk perpustakaan / what the library must fix")


class CompleteVisitBody(WriteSchema):
    note: Note | None = None
    visit_date: date | None = None


class CertifyBody(WriteSchema):
    certified_on: date | None = Field(default=None, description="Tanggal sertifikat (bawaan: hari ini)")
    note: Note | None = None


class CancelBody(WriteSchema):
    note: Note | None = None


class Progress(Schema):
    indicators: int
    answered: int
    unanswered: list[str]
    evidence_required: int
    evidence_missing: list[str]
    percent: Decimal


class AssessmentRead(RecordSchema):
    number: str
    library_id: uuid.UUID
    library_code: str
    library_name: str
    library_type: str
    city: str
    instrument_id: uuid.UUID
    instrument_version: str
    instrument_title: str
    mode: AssessmentMode
    year: int
    status: AssessmentStatus
    created_by: str
    submitted_at: datetime | None
    verified_at: datetime | None
    verified_by: str | None
    assessor: str | None
    visit_date: date | None
    visited_by: str | None
    graded_at: datetime | None
    total: Decimal | None
    grade: str | None
    grade_label: str | None
    grade_label_en: str | None
    certificate_number: str | None
    certified_on: date | None
    valid_until: date | None


class ComponentScoreRead(Schema):
    code: str
    name: str
    points: int
    maximum: int
    weight: Decimal
    score: Decimal


class ScoreRead(Schema):
    """A grade under the instrument: final (stored) or provisional (from the answers so far)."""

    provisional: bool
    components: list[ComponentScoreRead]
    total: Decimal
    grade: str
    label: str
    label_en: str
    unanswered: list[str]


class EvidenceRead(Schema):
    id: uuid.UUID
    indicator_code: str
    filename: str | None
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    created_at: datetime


class StepRead(Schema):
    action: str
    actor: str
    note: str | None
    created_at: datetime


class AnswerRead(Schema):
    self_option: str | None
    self_note: str | None
    assessor_option: str | None
    assessor_note: str | None
    final_option: str | None
    points: int | None


class FormIndicator(Schema):
    code: str
    text: str
    options: dict[str, Any]
    maximum: int
    evidence: str | None
    evidence_required: bool
    answer: AnswerRead
    evidence_files: list[EvidenceRead]


class FormComponent(Schema):
    code: str
    name: str
    weight: Decimal
    maximum: int
    indicators: list[FormIndicator]


class AssessmentDetail(Schema):
    assessment: AssessmentRead
    progress: Progress
    score: ScoreRead
    steps: list[StepRead]


class AssessmentForm(Schema):
    """The instrument as a form, with the answers and evidence so far (for the portal pages)."""

    assessment: AssessmentRead
    editable: bool
    components: list[FormComponent]
