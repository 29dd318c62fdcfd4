"""Typed client for the accreditation service (libraries, assessments, guidance, dashboards).

Used by the portal on behalf of the signed-in user (``tokens=StaticToken(user_token)``) and by any
service that needs accreditation data. Every model is a tolerant reader: unknown fields are
ignored and most fields have defaults, so the service may grow its responses freely.

A refused action (HTTP 409, code ``refused``) is raised as :class:`~pusip_kit.errors.Conflict`;
:func:`refusal_reasons` reads its named reasons back.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import httpx
from pydantic import Field

from pusip_kit.clients.base import ServiceClient
from pusip_kit.clients.shapes import Download, Model, Page, Reason, query
from pusip_kit.clients.shapes import PageInfo as PageInfo  # re-exported: this module's API
from pusip_kit.clients.shapes import refusal_reasons as refusal_reasons

T = TypeVar("T")


# -- shared shapes --------------------------------------------------------------------------------


class ActionCheck(Model):
    """A dry run: would the action go through now, and if not, every named reason."""

    subject_id: uuid.UUID | None = None
    action: str = ""
    allowed: bool = False
    reasons: list[Reason] = Field(default_factory=list)


# -- libraries ------------------------------------------------------------------------------------


class OpeningHours(Model):
    day: int
    opens: str
    closes: str


class Library(Model):
    id: uuid.UUID | None = None
    code: str
    name: str
    type: str
    segment: str | None = None
    npp: str | None = None
    owner_agency: str | None = None
    city: str
    district: str | None = None
    village: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    head_name: str | None = None
    collection_size: int = 0
    collection_titles: int = 0
    opening_hours: list[OpeningHours] = Field(default_factory=list)
    active: bool = True
    data_confirmed_at: datetime | None = None


class PublicLibrary(Model):
    code: str
    name: str
    type: str
    segment: str | None = None
    owner_agency: str | None = None
    city: str
    district: str | None = None
    village: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    collection_size: int = 0
    collection_titles: int = 0
    opening_hours: list[OpeningHours] = Field(default_factory=list)
    grade: str | None = None
    accredited_until: date | None = None


class Staff(Model):
    id: uuid.UUID
    name: str
    role: str
    position: str | None = None
    employment: str | None = None
    education: str | None = None
    library_science: bool = False
    certification_status: str = "belum"
    certification_number: str | None = None
    certified_on: date | None = None
    certified_until: date | None = None
    certification_valid: bool = False
    active: bool = True


class AccreditationRecord(Model):
    id: uuid.UUID | None = None
    assessment_id: uuid.UUID | None = None
    grade: str
    total: Decimal | None = None
    certificate_number: str | None = None
    accredited_on: date
    valid_until: date | None = None
    issuer: str | None = None
    instrument_version: str | None = None
    source: str = ""
    note: str | None = None


class LibraryProfile(Model):
    library: Library
    staff: list[Staff] = Field(default_factory=list)
    staff_summary: dict[str, int] = Field(default_factory=dict)
    accreditations: list[AccreditationRecord] = Field(default_factory=list)
    current_accreditation: AccreditationRecord | None = None
    refresh_due: bool = False


# -- assessments ----------------------------------------------------------------------------------


class Assessment(Model):
    id: uuid.UUID
    number: str
    library_code: str
    library_name: str = ""
    library_type: str = ""
    city: str = ""
    instrument_version: str = ""
    instrument_title: str = ""
    mode: str = "akreditasi"
    year: int = 0
    status: str
    created_at: datetime | None = None
    updated_at: datetime | None = None
    created_by: str = ""
    submitted_at: datetime | None = None
    verified_at: datetime | None = None
    verified_by: str | None = None
    assessor: str | None = None
    visit_date: date | None = None
    visited_by: str | None = None
    graded_at: datetime | None = None
    total: Decimal | None = None
    grade: str | None = None
    grade_label: str | None = None
    grade_label_en: str | None = None
    certificate_number: str | None = None
    certified_on: date | None = None
    valid_until: date | None = None


class Progress(Model):
    indicators: int = 0
    answered: int = 0
    unanswered: list[str] = Field(default_factory=list)
    evidence_required: int = 0
    evidence_missing: list[str] = Field(default_factory=list)
    percent: Decimal = Decimal(0)


class ComponentScore(Model):
    code: str
    name: str = ""
    points: int = 0
    maximum: int = 0
    weight: Decimal = Decimal(0)
    score: Decimal = Decimal(0)


class Score(Model):
    provisional: bool = True
    components: list[ComponentScore] = Field(default_factory=list)
    total: Decimal = Decimal(0)
    grade: str = ""
    label: str = ""
    label_en: str = ""
    unanswered: list[str] = Field(default_factory=list)


class Step(Model):
    action: str
    actor: str = ""
    note: str | None = None
    created_at: datetime | None = None


class AssessmentDetail(Model):
    assessment: Assessment
    progress: Progress = Field(default_factory=Progress)
    score: Score = Field(default_factory=Score)
    steps: list[Step] = Field(default_factory=list)


class Evidence(Model):
    id: uuid.UUID
    indicator_code: str
    filename: str | None = None
    content_type: str = "application/octet-stream"
    size: int = 0
    sha256: str = ""
    uploaded_by: str = ""
    created_at: datetime | None = None


class Answer(Model):
    self_option: str | None = None
    self_note: str | None = None
    assessor_option: str | None = None
    assessor_note: str | None = None
    final_option: str | None = None
    points: int | None = None


class Option(Model):
    points: int = 0
    text: str = ""


class FormIndicator(Model):
    code: str
    text: str = ""
    options: dict[str, Option] = Field(default_factory=dict)
    maximum: int = 0
    evidence: str | None = None
    evidence_required: bool = False
    answer: Answer = Field(default_factory=Answer)
    evidence_files: list[Evidence] = Field(default_factory=list)


class FormComponent(Model):
    code: str
    name: str = ""
    weight: Decimal = Decimal(0)
    maximum: int = 0
    indicators: list[FormIndicator] = Field(default_factory=list)


class AssessmentForm(Model):
    assessment: Assessment
    editable: bool = False
    components: list[FormComponent] = Field(default_factory=list)


# -- guidance and dashboards ----------------------------------------------------------------------


class Material(Model):
    id: uuid.UUID
    title: str | None = None
    filename: str | None = None
    content_type: str | None = None
    size: int = 0
    url: str = ""


class PublicActivity(Model):
    id: uuid.UUID
    title: str
    description: str | None = None
    kind: str = ""
    segment: str | None = None
    level: str = ""
    city: str | None = None
    venue: str | None = None
    online_url: str | None = None
    starts_at: datetime
    ends_at: datetime
    registration_closes_at: datetime | None = None
    capacity: int | None = None
    seats_left: int | None = None
    registration_open: bool = False
    organizer: str | None = None
    contact: str | None = None
    status: str = ""
    materials: list[Material] = Field(default_factory=list)
    calendar_url: str = ""


class ChartDataset(Model):
    label: str = ""
    data: list[float | None] = Field(default_factory=list)


class Chart(Model):
    type: str = "bar"
    labels: list[str] = Field(default_factory=list)
    datasets: list[ChartDataset] = Field(default_factory=list)


class DashboardTable(Model):
    name: str = ""
    title: str = ""
    title_en: str = ""
    columns: list[str] = Field(default_factory=list)
    rows: list[list[Any]] = Field(default_factory=list)
    chart: Chart = Field(default_factory=Chart)


class Summary(Model):
    libraries: int = 0
    libraries_by_type: dict[str, int] = Field(default_factory=dict)
    accredited: int = 0
    accreditation_due_180_days: int = 0
    assessments_open: int = 0
    assessments_graded_this_year: int = 0
    upcoming_activities: int = 0
    certified_staff: int = 0


def _decide(body: Any) -> Assessment | ActionCheck:
    if isinstance(body, Mapping) and "allowed" in body and "action" in body:
        return ActionCheck.model_validate(body)
    return Assessment.model_validate(body)


DASHBOARDS = ("libraries", "grades", "assessments", "literacy")


class AccreditationClient(ServiceClient):
    service = "accreditation"

    # -- libraries --------------------------------------------------------------------------------

    async def public_libraries(
        self,
        *,
        type: str | None = None,
        city: str | None = None,
        segment: str | None = None,
        q: str | None = None,
        page: int = 1,
        limit: int = 20,
    ) -> Page[PublicLibrary]:
        params = query(type=type, city=city, segment=segment, q=q, page=page, limit=limit)
        return await self.get_model("/public/libraries", Page[PublicLibrary], params=params)

    async def library(self, code: str) -> Library:
        return await self.get_model(f"/libraries/{code}", Library)

    async def profile(self, code: str) -> LibraryProfile:
        return await self.get_model(f"/libraries/{code}/profile", LibraryProfile)

    async def update_library(self, code: str, changes: Mapping[str, Any]) -> Library:
        response = await self.request("PATCH", f"/libraries/{code}", json=dict(changes))
        return Library.model_validate(response.json())

    async def confirm_library(self, code: str) -> Library:
        return Library.model_validate((await self.request("POST", f"/libraries/{code}/confirm")).json())

    async def add_staff(self, code: str, data: Mapping[str, Any]) -> Staff:
        response = await self.request("POST", f"/libraries/{code}/staff", json=dict(data))
        return Staff.model_validate(response.json())

    async def delete_staff(self, code: str, staff_id: uuid.UUID | str) -> None:
        await self.request("DELETE", f"/libraries/{code}/staff/{staff_id}")

    # -- assessments ------------------------------------------------------------------------------

    async def assessments(
        self,
        *,
        library: str | None = None,
        status: str | None = None,
        mode: str | None = None,
        year: int | None = None,
        city: str | None = None,
        mine: bool | None = None,
        page: int = 1,
        limit: int = 20,
    ) -> Page[Assessment]:
        params = query(
            library=library, status=status, mode=mode, year=year, city=city, mine=mine, page=page, limit=limit
        )
        return await self.get_model("/assessments", Page[Assessment], params=params)

    async def create_assessment(
        self, library: str, *, mode: str = "akreditasi", year: int | None = None
    ) -> Assessment:
        body = query(library=library, mode=mode, year=year)
        return Assessment.model_validate((await self.request("POST", "/assessments", json=body)).json())

    async def assessment(self, assessment_id: uuid.UUID | str) -> AssessmentDetail:
        return await self.get_model(f"/assessments/{assessment_id}", AssessmentDetail)

    async def form(self, assessment_id: uuid.UUID | str) -> AssessmentForm:
        return await self.get_model(f"/assessments/{assessment_id}/form", AssessmentForm)

    async def save_answers(
        self, assessment_id: uuid.UUID | str, answers: Mapping[str, Mapping[str, Any]]
    ) -> AssessmentDetail:
        response = await self.request(
            "PUT", f"/assessments/{assessment_id}/answers", json={"answers": dict(answers)}
        )
        return AssessmentDetail.model_validate(response.json())

    async def save_visit_scores(
        self, assessment_id: uuid.UUID | str, answers: Mapping[str, Mapping[str, Any]]
    ) -> AssessmentDetail:
        response = await self.request(
            "PUT", f"/assessments/{assessment_id}/visit-scores", json={"answers": dict(answers)}
        )
        return AssessmentDetail.model_validate(response.json())

    async def upload_evidence(
        self,
        assessment_id: uuid.UUID | str,
        indicator: str,
        *,
        filename: str,
        content: bytes | AsyncIterator[bytes],
        content_type: str = "application/octet-stream",
    ) -> Evidence:
        """The file as the raw body (streamed when ``content`` is an async iterator)."""
        response = await self.request(
            "POST",
            f"/assessments/{assessment_id}/evidence",
            params={"indicator": indicator, "filename": filename},
            content=content,
            headers={"content-type": content_type},
        )
        return Evidence.model_validate(response.json())

    async def delete_evidence(self, assessment_id: uuid.UUID | str, evidence_id: uuid.UUID | str) -> None:
        await self.request("DELETE", f"/assessments/{assessment_id}/evidence/{evidence_id}")

    async def _action(
        self, assessment_id: uuid.UUID | str, action: str, body: Mapping[str, Any] | None, dry_run: bool
    ) -> Assessment | ActionCheck:
        response = await self.request(
            "POST",
            f"/assessments/{assessment_id}/{action}",
            params={"dry_run": "true"} if dry_run else None,
            json=dict(body) if body is not None else None,
        )
        return _decide(response.json())

    async def submit(
        self, assessment_id: uuid.UUID | str, *, dry_run: bool = False
    ) -> Assessment | ActionCheck:
        return await self._action(assessment_id, "submit", None, dry_run)

    async def verify(
        self,
        assessment_id: uuid.UUID | str,
        *,
        note: str | None = None,
        assessor: str | None = None,
        visit_date: date | None = None,
        dry_run: bool = False,
    ) -> Assessment | ActionCheck:
        body = query(note=note, assessor=assessor, visit_date=visit_date.isoformat() if visit_date else None)
        return await self._action(assessment_id, "verify", body, dry_run)

    async def return_assessment(
        self, assessment_id: uuid.UUID | str, *, note: str | None, dry_run: bool = False
    ) -> Assessment | ActionCheck:
        return await self._action(assessment_id, "return", query(note=note) if note else None, dry_run)

    async def complete_visit(
        self,
        assessment_id: uuid.UUID | str,
        *,
        note: str | None = None,
        visit_date: date | None = None,
        dry_run: bool = False,
    ) -> Assessment | ActionCheck:
        body = query(note=note, visit_date=visit_date.isoformat() if visit_date else None)
        return await self._action(assessment_id, "complete-visit", body, dry_run)

    async def certify(
        self,
        assessment_id: uuid.UUID | str,
        *,
        certified_on: date | None = None,
        note: str | None = None,
        dry_run: bool = False,
    ) -> Assessment | ActionCheck:
        body = query(certified_on=certified_on.isoformat() if certified_on else None, note=note)
        return await self._action(assessment_id, "certify", body, dry_run)

    async def certificate(self, assessment_id: uuid.UUID | str) -> Download:
        return await self._download(f"/assessments/{assessment_id}/certificate.pdf")

    async def evidence_file(
        self, assessment_id: uuid.UUID | str, evidence_id: uuid.UUID | str
    ) -> httpx.Response:
        """The evidence file as an open streaming response: iterate ``aiter_bytes()``, then ``aclose()``."""
        return await self.stream("GET", f"/assessments/{assessment_id}/evidence/{evidence_id}")

    # -- guidance, dashboards ---------------------------------------------------------------------

    async def public_activities(
        self,
        *,
        segment: str | None = None,
        level: str | None = None,
        city: str | None = None,
        kind: str | None = None,
        page: int = 1,
        limit: int = 20,
    ) -> Page[PublicActivity]:
        params = query(segment=segment, level=level, city=city, kind=kind, page=page, limit=limit)
        return await self.get_model("/public/guidance", Page[PublicActivity], params=params)

    async def dashboard(self, name: str, **params: Any) -> DashboardTable:
        if name not in DASHBOARDS:
            raise ValueError(f"unknown dashboard {name!r}")
        return await self.get_model(f"/dashboard/{name}", DashboardTable, params=query(**params))

    async def dashboard_export(self, name: str, format: str = "csv", **params: Any) -> Download:
        if name not in DASHBOARDS:
            raise ValueError(f"unknown dashboard {name!r}")
        return await self._download(f"/dashboard/{name}", params=query(format=format, **params))

    async def summary(self) -> Summary:
        return await self.get_model("/dashboard/summary", Summary)
