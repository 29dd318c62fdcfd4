"""The assessment workflow: self-assessment, submission, verification, assessor visit, grade, certificate.

Every state change runs named refusals (each with a dry run through its endpoint); the grade is
computed by :func:`accreditation.scoring.grade` on the instrument version the assessment started
with, using the assessor's answer where there is one and the library's own answer otherwise.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from accreditation.assessments.repository import AssessmentRepository
from accreditation.assessments.schemas import (
    AnswerIn,
    AnswerRead,
    AssessmentCreate,
    AssessmentRead,
    ComponentScoreRead,
    EvidenceRead,
    FormComponent,
    FormIndicator,
    Progress,
    ScoreRead,
)
from accreditation.instruments.build import to_scoring
from accreditation.instruments.repository import InstrumentRepository
from accreditation.libraries.repository import LibraryRepository
from accreditation.libraries.service import is_officer, library_not_found, manages, not_your_library
from accreditation.models import (
    EDITABLE_STATUSES,
    OPEN_STATUSES,
    AccreditationRecord,
    Assessment,
    AssessmentAnswer,
    AssessmentEvidence,
    AssessmentMode,
    AssessmentStatus,
    AssessmentStep,
    Instrument,
    Library,
)
from accreditation.scoring import GradeResult, grade
from accreditation.scoring import Instrument as ScoringInstrument
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.db import utcnow
from pusip_kit.errors import Conflict, Forbidden, NotFound, Reason, Refused, Unprocessable
from pusip_kit.outbox import emit_event
from pusip_kit.pagination import PaginationParams

NOT_ACCREDITED = "TIDAK_TERAKREDITASI"
ACTION_SUBMIT = "submit"
ACTION_VERIFY = "verify"
ACTION_RETURN = "return"
ACTION_COMPLETE_VISIT = "complete_visit"
ACTION_CERTIFY = "certify"

EVENT_SUBMITTED = "accreditation.assessment.submitted"
EVENT_RETURNED = "accreditation.assessment.returned"
EVENT_VERIFIED = "accreditation.assessment.verified"
EVENT_GRADED = "accreditation.assessment.graded"
EVENT_CERTIFIED = "accreditation.assessment.certified"


@dataclass
class Loaded:
    """An assessment with its library and (fully loaded) instrument version."""

    assessment: Assessment
    library: Library
    instrument: Instrument

    @property
    def indicators(self) -> dict[str, Any]:
        return {i.code: i for c in self.instrument.components for i in c.indicators}


def assessment_not_found(assessment_id: uuid.UUID) -> NotFound:
    return NotFound(
        "Penilaian tidak ditemukan",
        "Assessment not found",
        code="assessment_not_found",
        details={"id": str(assessment_id)},
    )


def assessment_read(assessment: Assessment, library: Library, instrument: Instrument) -> AssessmentRead:
    values = {c.key: getattr(assessment, c.key) for c in Assessment.__table__.columns}
    return AssessmentRead.model_validate(
        {
            **values,
            "library_code": library.code,
            "library_name": library.name,
            "library_type": library.type,
            "city": library.city,
            "instrument_version": instrument.version,
            "instrument_title": instrument.title,
        }
    )


def final_answers(answers: dict[str, AssessmentAnswer]) -> dict[str, str]:
    """The answer per indicator that counts: the assessor's where given, else the library's."""
    out: dict[str, str] = {}
    for code, answer in answers.items():
        option = answer.assessor_option or answer.self_option
        if option:
            out[code] = option
    return out


def self_answers(answers: dict[str, AssessmentAnswer]) -> dict[str, str]:
    return {code: a.self_option for code, a in answers.items() if a.self_option}


def score_read(result: GradeResult, *, provisional: bool) -> ScoreRead:
    return ScoreRead(
        provisional=provisional,
        components=[
            ComponentScoreRead(
                code=c.code, name=c.name, points=c.points, maximum=c.maximum, weight=c.weight, score=c.score
            )
            for c in result.components
        ],
        total=result.total,
        grade=result.grade,
        label=result.label,
        label_en=result.label_en,
        unanswered=list(result.unanswered),
    )


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# -- named refusals ---------------------------------------------------------------------------------


def refuse_when_status_not(loaded: Loaded, *statuses: str) -> Reason | None:
    status = loaded.assessment.status
    if status in statuses:
        return None
    wanted = ", ".join(statuses)
    return Reason(
        "refuse_when_status_not_allowed",
        f"Penilaian berstatus '{status}'; tindakan ini hanya untuk status: {wanted}",
        f"The assessment is '{status}'; this action needs status: {wanted}",
        {"status": status, "allowed": list(statuses)},
    )


def refuse_when_incomplete(loaded: Loaded, answers: dict[str, str]) -> Reason | None:
    missing = [code for code in loaded.indicators if code not in answers]
    if not missing:
        return None
    return Reason(
        "refuse_when_incomplete",
        f"{len(missing)} indikator belum dijawab",
        f"{len(missing)} indicators are unanswered",
        {"unanswered": missing},
    )


def missing_evidence(loaded: Loaded, evidence: Sequence[AssessmentEvidence]) -> builtins.list[str]:
    has = {e.indicator_code for e in evidence}
    return [code for code, i in loaded.indicators.items() if i.evidence_required and code not in has]


def refuse_when_required_evidence_missing(
    loaded: Loaded, evidence: Sequence[AssessmentEvidence]
) -> Reason | None:
    if loaded.assessment.mode != AssessmentMode.ACCREDITATION:
        return None  # the yearly pre-measurement asks for no evidence
    missing = missing_evidence(loaded, evidence)
    if not missing:
        return None
    return Reason(
        "refuse_when_required_evidence_missing",
        f"Bukti wajib belum diunggah untuk {len(missing)} indikator",
        f"Required evidence is missing for {len(missing)} indicators",
        {"indicators": missing},
    )


def refuse_when_not_assigned_assessor(loaded: Loaded, auth_subject: AuthSubject) -> Reason | None:
    assigned = loaded.assessment.assessor
    if assigned is None or auth_subject.is_admin or assigned in (auth_subject.username, auth_subject.subject):
        return None
    return Reason(
        "refuse_when_not_assigned_assessor",
        f"Penilaian ini ditugaskan kepada asesor '{assigned}'",
        f"This assessment is assigned to assessor '{assigned}'",
        {"assessor": assigned},
    )


def refuse_when_pre_measurement(loaded: Loaded) -> Reason | None:
    if loaded.assessment.mode != AssessmentMode.PRE_MEASUREMENT:
        return None
    return Reason(
        "refuse_when_pre_measurement",
        "Pengukuran awal dinilai tanpa sertifikat",
        "A pre-measurement is graded without a certificate",
    )


def refuse_when_not_accredited(loaded: Loaded) -> Reason | None:
    if loaded.assessment.grade is None or loaded.assessment.grade != NOT_ACCREDITED:
        return None
    return Reason(
        "refuse_when_not_accredited",
        f"Nilai {loaded.assessment.total} di bawah batas akreditasi; tidak ada sertifikat",
        f"The total {loaded.assessment.total} is below the accreditation threshold; no certificate",
        {"total": str(loaded.assessment.total)},
    )


def refuse_when_verifying_own(loaded: Loaded, auth_subject: AuthSubject) -> Reason | None:
    if auth_subject.is_admin or loaded.assessment.created_by != auth_subject.subject:
        return None
    return Reason(
        "refuse_when_verifying_own_assessment",
        "Petugas tidak boleh memverifikasi penilaian yang ia buat sendiri",
        "An officer may not verify an assessment they created",
    )


class AssessmentService:
    # -- policy -------------------------------------------------------------------------------------

    @staticmethod
    def can_see(auth_subject: AuthSubject, library: Library) -> bool:
        return auth_subject.has_role(Role.ACCREDITATION_OFFICER, Role.ASSESSOR) or manages(
            auth_subject, library
        )

    @staticmethod
    def can_edit(auth_subject: AuthSubject, library: Library) -> bool:
        return is_officer(auth_subject) or manages(auth_subject, library)

    async def load(self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID) -> Loaded:
        row = await AssessmentRepository(session).get(id)
        if row is None:
            raise assessment_not_found(id)
        assessment, library, _ = row
        if not self.can_see(auth_subject, library):
            raise not_your_library(library, auth_subject)
        instrument = await InstrumentRepository(session).get(assessment.instrument_id, full=True)
        assert instrument is not None
        return Loaded(assessment, library, instrument)

    # -- reading ------------------------------------------------------------------------------------

    async def list(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        pagination: PaginationParams,
        library: str | None = None,
        status: str | None = None,
        mode: str | None = None,
        year: int | None = None,
        city: str | None = None,
        mine: bool = False,
    ) -> tuple[builtins.list[AssessmentRead], int]:
        if not auth_subject.has_role(Role.ACCREDITATION_OFFICER, Role.ASSESSOR):
            if Role.LIBRARY_ADMIN not in auth_subject.roles or not auth_subject.unit:
                raise Forbidden(
                    "Tidak berhak melihat penilaian", "Not allowed to see assessments", code="missing_role"
                )
            library = auth_subject.unit  # a library admin sees only their own library's
        rows, total = await AssessmentRepository(session).list(
            pagination=pagination,
            library_code=library,
            status=status,
            mode=mode,
            year=year,
            city=city,
            assessor=(auth_subject.username or auth_subject.subject) if mine else None,
        )
        return [assessment_read(a, lib, ins) for a, lib, ins in rows], total

    async def progress(self, session: AsyncSession, loaded: Loaded) -> Progress:
        repository = AssessmentRepository(session)
        answers = final_answers(await repository.answers(loaded.assessment.id))
        evidence = await repository.evidence(loaded.assessment.id)
        codes = list(loaded.indicators)
        unanswered = [c for c in codes if c not in answers]
        required = [c for c, i in loaded.indicators.items() if i.evidence_required]
        answered = len(codes) - len(unanswered)
        percent = (Decimal(answered) * 100 / len(codes)).quantize(Decimal("0.1")) if codes else Decimal(0)
        return Progress(
            indicators=len(codes),
            answered=answered,
            unanswered=unanswered,
            evidence_required=len(required),
            evidence_missing=missing_evidence(loaded, evidence),
            percent=percent,
        )

    def scoring(self, loaded: Loaded) -> ScoringInstrument:
        return to_scoring(loaded.instrument)

    async def score(self, session: AsyncSession, loaded: Loaded) -> ScoreRead:
        """The stored grade once graded, else a provisional one from the answers so far."""
        assessment = loaded.assessment
        if assessment.grade is not None and assessment.component_scores is not None:
            return ScoreRead(
                provisional=False,
                components=[ComponentScoreRead.model_validate(c) for c in assessment.component_scores],
                total=assessment.total or Decimal(0),
                grade=assessment.grade,
                label=assessment.grade_label or "",
                label_en=assessment.grade_label_en or "",
                unanswered=[],
            )
        answers = final_answers(await AssessmentRepository(session).answers(assessment.id))
        result = grade(self.scoring(loaded), answers, require_complete=False)
        return score_read(result, provisional=True)

    async def form(self, session: AsyncSession, loaded: Loaded) -> builtins.list[FormComponent]:
        repository = AssessmentRepository(session)
        answers = await repository.answers(loaded.assessment.id)
        evidence = await repository.evidence(loaded.assessment.id)
        components = []
        for component in loaded.instrument.components:
            indicators = []
            for indicator in component.indicators:
                answer = answers.get(indicator.code)
                final = (answer.assessor_option or answer.self_option) if answer else None
                points = int(indicator.options[final]["points"]) if final else None
                indicators.append(
                    FormIndicator(
                        code=indicator.code,
                        text=indicator.text,
                        options=indicator.options,
                        maximum=max(int(o["points"]) for o in indicator.options.values()),
                        evidence=indicator.evidence,
                        evidence_required=indicator.evidence_required,
                        answer=AnswerRead(
                            self_option=answer.self_option if answer else None,
                            self_note=answer.self_note if answer else None,
                            assessor_option=answer.assessor_option if answer else None,
                            assessor_note=answer.assessor_note if answer else None,
                            final_option=final,
                            points=points,
                        ),
                        evidence_files=[
                            EvidenceRead.model_validate(e)
                            for e in evidence
                            if e.indicator_code == indicator.code
                        ],
                    )
                )
            components.append(
                FormComponent(
                    code=component.code,
                    name=component.name,
                    weight=Decimal(component.weight).quantize(Decimal("0.01")),
                    maximum=sum(i.maximum for i in indicators),
                    indicators=indicators,
                )
            )
        return components

    # -- starting -----------------------------------------------------------------------------------

    async def create(
        self, session: AsyncSession, auth_subject: AuthSubject, *, data: AssessmentCreate
    ) -> Loaded:
        library = await LibraryRepository(session).get_by_code(data.library)
        if library is None:
            raise library_not_found(data.library)
        if not self.can_edit(auth_subject, library):
            raise not_your_library(library, auth_subject)
        year = data.year or datetime.now(UTC).year
        repository = AssessmentRepository(session)
        reasons: builtins.list[Reason] = []
        instrument = await InstrumentRepository(session).published(library.type, full=True)
        if instrument is None:
            reasons.append(
                Reason(
                    "refuse_when_no_published_instrument",
                    f"Belum ada instrumen terbit untuk jenis perpustakaan '{library.type}'",
                    f"No instrument is published for library type '{library.type}'",
                    {"library_type": library.type},
                )
            )
        existing = await repository.of_library(library.id, mode=data.mode.value)
        if data.mode == AssessmentMode.ACCREDITATION:
            open_ = [a for a in existing if a.status in OPEN_STATUSES]
            if open_:
                reasons.append(
                    Reason(
                        "refuse_when_assessment_open",
                        f"Perpustakaan ini masih memiliki penilaian akreditasi berjalan ({open_[0].number})",
                        f"The library already has an accreditation assessment in progress ({open_[0].number})",
                        {"number": open_[0].number},
                    )
                )
        else:
            same_year = [a for a in existing if a.year == year and a.status != AssessmentStatus.CANCELLED]
            if same_year:
                reasons.append(
                    Reason(
                        "refuse_when_pre_measurement_done",
                        f"Pengukuran awal tahun {year} sudah ada ({same_year[0].number})",
                        f"The {year} pre-measurement already exists ({same_year[0].number})",
                        {"number": same_year[0].number},
                    )
                )
        if reasons:
            raise Refused(reasons=reasons)
        assert instrument is not None
        prefix = f"{'AKR' if data.mode == AssessmentMode.ACCREDITATION else 'PRA'}-{year}-"
        number = f"{prefix}{await repository.count_numbers(prefix) + 1:04d}"
        assessment = Assessment(
            number=number,
            library_id=library.id,
            instrument_id=instrument.id,
            mode=data.mode.value,
            year=year,
            status=AssessmentStatus.DRAFT.value,
            created_by=auth_subject.subject,
        )
        try:
            await repository.add(assessment)
        except IntegrityError as exc:
            raise Conflict(
                "Nomor penilaian baru saja dipakai; ulangi",
                "The assessment number was just taken; retry",
                code="assessment_number_conflict",
            ) from exc
        await self._step(session, assessment, auth_subject, "created", None)
        return Loaded(assessment, library, instrument)

    # -- self-assessment ----------------------------------------------------------------------------

    def _check_edit(self, loaded: Loaded, auth_subject: AuthSubject) -> None:
        if not self.can_edit(auth_subject, loaded.library):
            raise not_your_library(loaded.library, auth_subject)
        reason = refuse_when_status_not(loaded, *EDITABLE_STATUSES)
        if reason is not None:
            raise Refused(reasons=[reason])

    def _check_answers(self, loaded: Loaded, answers: dict[str, AnswerIn]) -> dict[str, AnswerIn]:
        indicators = loaded.indicators
        problems = []
        normalised: dict[str, AnswerIn] = {}
        for raw_code, answer in answers.items():
            code = raw_code.strip().upper()
            indicator = indicators.get(code)
            if indicator is None:
                problems.append(
                    {
                        "indicator": raw_code,
                        "code": "unknown_indicator",
                        "message": f"Indikator {raw_code} tidak ada dalam instrumen",
                        "message_en": f"Indicator {raw_code} is not in the instrument",
                    }
                )
            elif answer.option is not None and answer.option not in indicator.options:
                problems.append(
                    {
                        "indicator": code,
                        "code": "unknown_option",
                        "message": f"Indikator {code} tidak memiliki pilihan {answer.option}",
                        "message_en": f"Indicator {code} has no option {answer.option}",
                    }
                )
            else:
                normalised[code] = answer
        if problems:
            raise Unprocessable(
                f"{len(problems)} jawaban tidak valid",
                f"{len(problems)} answers are invalid",
                code="answers_invalid",
                details={"problems": problems},
            )
        return normalised

    async def save_answers(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID, answers: dict[str, AnswerIn]
    ) -> Loaded:
        """Save (part of) the self-assessment; call as often as the library likes before submitting."""
        loaded = await self.load(session, auth_subject, id=id)
        self._check_edit(loaded, auth_subject)
        await self._upsert(session, loaded, self._check_answers(loaded, answers), assessor=False)
        return loaded

    async def _upsert(
        self, session: AsyncSession, loaded: Loaded, answers: dict[str, AnswerIn], *, assessor: bool
    ) -> None:
        repository = AssessmentRepository(session)
        current = await repository.answers(loaded.assessment.id)
        for code, answer in answers.items():
            row = current.get(code)
            if row is None:
                row = AssessmentAnswer(assessment_id=loaded.assessment.id, indicator_code=code)
                session.add(row)
            if assessor:
                row.assessor_option, row.assessor_note = answer.option, answer.note
            else:
                row.self_option, row.self_note = answer.option, answer.note
        loaded.assessment.updated_at = utcnow()
        await repository.flush()

    async def check_evidence_upload(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID, indicator: str
    ) -> Loaded:
        loaded = await self.load(session, auth_subject, id=id)
        self._check_edit(loaded, auth_subject)
        if indicator.strip().upper() not in loaded.indicators:
            raise Unprocessable(
                f"Indikator {indicator} tidak ada dalam instrumen",
                f"Indicator {indicator} is not in the instrument",
                code="unknown_indicator",
            )
        return loaded

    async def add_evidence(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        id: uuid.UUID,
        evidence_id: uuid.UUID,
        indicator: str,
        key: str,
        filename: str | None,
        content_type: str,
        size: int,
        sha256: str,
    ) -> AssessmentEvidence:
        await self.check_evidence_upload(session, auth_subject, id=id, indicator=indicator)
        evidence = AssessmentEvidence(
            id=evidence_id,
            assessment_id=id,
            indicator_code=indicator.strip().upper(),
            filename=filename,
            content_type=content_type,
            size=size,
            sha256=sha256,
            object_key=key,
            uploaded_by=auth_subject.username or auth_subject.subject,
        )
        await AssessmentRepository(session).add(evidence)
        return evidence

    async def get_evidence(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID, evidence_id: uuid.UUID
    ) -> AssessmentEvidence:
        await self.load(session, auth_subject, id=id)
        evidence = await AssessmentRepository(session).get_evidence(id, evidence_id)
        if evidence is None:
            raise NotFound("Bukti tidak ditemukan", "Evidence not found", code="evidence_not_found")
        return evidence

    async def delete_evidence(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID, evidence_id: uuid.UUID
    ) -> AssessmentEvidence:
        loaded = await self.load(session, auth_subject, id=id)
        self._check_edit(loaded, auth_subject)
        evidence = await self.get_evidence(session, auth_subject, id=id, evidence_id=evidence_id)
        await AssessmentRepository(session).delete(evidence)
        return evidence

    # -- submission ---------------------------------------------------------------------------------

    async def check_submit(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID
    ) -> tuple[Loaded, builtins.list[Reason]]:
        loaded = await self.load(session, auth_subject, id=id)
        if not self.can_edit(auth_subject, loaded.library):
            raise not_your_library(loaded.library, auth_subject)
        repository = AssessmentRepository(session)
        answers = self_answers(await repository.answers(id))
        evidence = await repository.evidence(id)
        checks: builtins.list[Callable[[], Reason | None]] = [
            lambda: refuse_when_status_not(loaded, *EDITABLE_STATUSES),
            lambda: refuse_when_incomplete(loaded, answers),
            lambda: refuse_when_required_evidence_missing(loaded, evidence),
        ]
        return loaded, [r for check in checks if (r := check()) is not None]

    async def submit(self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID) -> Loaded:
        loaded, reasons = await self.check_submit(session, auth_subject, id=id)
        if reasons:
            raise Refused(reasons=reasons)
        assessment = loaded.assessment
        assessment.submitted_at = utcnow()
        if assessment.mode == AssessmentMode.PRE_MEASUREMENT:
            # Graded at once from the library's own answers; never certified.
            answers = self_answers(await AssessmentRepository(session).answers(id))
            self._store_grade(assessment, grade(self.scoring(loaded), answers))
            await self._step(session, assessment, auth_subject, "submitted", None)
            await self._emit(session, EVENT_GRADED, loaded)
            return loaded
        assessment.status = AssessmentStatus.SUBMITTED.value
        await self._step(session, assessment, auth_subject, "submitted", None)
        await self._emit(session, EVENT_SUBMITTED, loaded)
        return loaded

    # -- verification -------------------------------------------------------------------------------

    async def check_verify(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID, action: str
    ) -> tuple[Loaded, builtins.list[Reason]]:
        self._require_officer(auth_subject)
        loaded = await self.load(session, auth_subject, id=id)
        reasons = [
            r
            for r in (
                refuse_when_status_not(loaded, AssessmentStatus.SUBMITTED),
                refuse_when_verifying_own(loaded, auth_subject) if action == ACTION_VERIFY else None,
            )
            if r is not None
        ]
        return loaded, reasons

    async def verify(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        id: uuid.UUID,
        note: str | None,
        assessor: str | None,
        visit_date: date | None,
    ) -> Loaded:
        loaded, reasons = await self.check_verify(session, auth_subject, id=id, action=ACTION_VERIFY)
        if reasons:
            raise Refused(reasons=reasons)
        assessment = loaded.assessment
        assessment.status = AssessmentStatus.VERIFIED.value
        assessment.verified_at = utcnow()
        assessment.verified_by = auth_subject.username or auth_subject.subject
        assessment.assessor = assessor
        assessment.visit_date = visit_date
        await self._step(session, assessment, auth_subject, "verified", note)
        await self._emit(session, EVENT_VERIFIED, loaded, assessor=assessor, visit_date=visit_date)
        return loaded

    async def return_(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID, note: str
    ) -> Loaded:
        loaded, reasons = await self.check_verify(session, auth_subject, id=id, action=ACTION_RETURN)
        if reasons:
            raise Refused(reasons=reasons)
        loaded.assessment.status = AssessmentStatus.RETURNED.value
        await self._step(session, loaded.assessment, auth_subject, "returned", note)
        await self._emit(session, EVENT_RETURNED, loaded, note=note)
        return loaded

    # -- assessor visit -----------------------------------------------------------------------------

    async def save_visit_scores(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID, scores: dict[str, AnswerIn]
    ) -> Loaded:
        loaded = await self.load(session, auth_subject, id=id)
        reasons = [
            r
            for r in (
                refuse_when_status_not(loaded, AssessmentStatus.VERIFIED),
                refuse_when_not_assigned_assessor(loaded, auth_subject),
            )
            if r is not None
        ]
        if reasons:
            raise Refused(reasons=reasons)
        await self._upsert(session, loaded, self._check_answers(loaded, scores), assessor=True)
        return loaded

    async def check_complete_visit(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID
    ) -> tuple[Loaded, builtins.list[Reason]]:
        loaded = await self.load(session, auth_subject, id=id)
        answers = final_answers(await AssessmentRepository(session).answers(id))
        reasons = [
            r
            for r in (
                refuse_when_status_not(loaded, AssessmentStatus.VERIFIED),
                refuse_when_not_assigned_assessor(loaded, auth_subject),
                refuse_when_incomplete(loaded, answers),
            )
            if r is not None
        ]
        return loaded, reasons

    async def complete_visit(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        id: uuid.UUID,
        note: str | None,
        visit_date: date | None,
    ) -> Loaded:
        """The assessor closes the visit: the final grade is computed from the answers that count."""
        loaded, reasons = await self.check_complete_visit(session, auth_subject, id=id)
        if reasons:
            raise Refused(reasons=reasons)
        assessment = loaded.assessment
        answers = final_answers(await AssessmentRepository(session).answers(id))
        self._store_grade(assessment, grade(self.scoring(loaded), answers))
        assessment.visited_by = auth_subject.username or auth_subject.subject
        if visit_date is not None:
            assessment.visit_date = visit_date
        elif assessment.visit_date is None:
            assessment.visit_date = datetime.now(UTC).date()
        await self._step(session, assessment, auth_subject, "visit_completed", note)
        await self._emit(session, EVENT_GRADED, loaded)
        return loaded

    # -- certification ------------------------------------------------------------------------------

    async def check_certify(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID
    ) -> tuple[Loaded, builtins.list[Reason]]:
        self._require_officer(auth_subject)
        loaded = await self.load(session, auth_subject, id=id)
        reasons = [
            r
            for r in (
                refuse_when_pre_measurement(loaded),
                refuse_when_status_not(loaded, AssessmentStatus.GRADED),
                refuse_when_not_accredited(loaded),
            )
            if r is not None
        ]
        return loaded, reasons

    async def certify(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        id: uuid.UUID,
        certified_on: date | None,
        note: str | None,
    ) -> Loaded:
        loaded, reasons = await self.check_certify(session, auth_subject, id=id)
        if reasons:
            raise Refused(reasons=reasons)
        assessment, library, instrument = loaded.assessment, loaded.library, loaded.instrument
        day = certified_on or datetime.now(UTC).date()
        repository = AssessmentRepository(session)
        prefix = f"SERT-AKR/{day.year}/"
        assessment.certificate_number = f"{prefix}{await repository.count_certificates(prefix) + 1:04d}"
        assessment.certified_on = day
        assessment.certified_at = utcnow()
        assessment.certified_by = auth_subject.username or auth_subject.subject
        assessment.valid_until = add_years(day, instrument.validity_years)
        assessment.status = AssessmentStatus.CERTIFIED.value
        assert assessment.grade is not None
        await repository.add(
            AccreditationRecord(
                library_id=library.id,
                assessment_id=assessment.id,
                grade=assessment.grade,
                total=assessment.total,
                certificate_number=assessment.certificate_number,
                accredited_on=day,
                valid_until=assessment.valid_until,
                issuer=None,
                instrument_version=f"{instrument.library_type}/{instrument.version}",
                source="assessment",
                note=note,
            )
        )
        await self._step(session, assessment, auth_subject, "certified", note)
        await self._emit(
            session,
            EVENT_CERTIFIED,
            loaded,
            certificate_number=assessment.certificate_number,
            valid_until=assessment.valid_until,
        )
        return loaded

    async def cancel(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID, note: str | None
    ) -> Loaded:
        loaded = await self.load(session, auth_subject, id=id)
        self._check_edit(loaded, auth_subject)
        loaded.assessment.status = AssessmentStatus.CANCELLED.value
        await self._step(session, loaded.assessment, auth_subject, "cancelled", note)
        return loaded

    # -- helpers ------------------------------------------------------------------------------------

    @staticmethod
    def _require_officer(auth_subject: AuthSubject) -> None:
        if not is_officer(auth_subject):
            raise Forbidden(
                "Tindakan ini untuk petugas akreditasi",
                "This action is for accreditation officers",
                code="missing_role",
                details={"required_roles": [Role.ACCREDITATION_OFFICER.value]},
            )

    @staticmethod
    def _store_grade(assessment: Assessment, result: GradeResult) -> None:
        assessment.status = AssessmentStatus.GRADED.value
        assessment.graded_at = utcnow()
        assessment.total = result.total
        assessment.grade = result.grade
        assessment.grade_label = result.label
        assessment.grade_label_en = result.label_en
        assessment.component_scores = [
            {
                "code": c.code,
                "name": c.name,
                "points": c.points,
                "maximum": c.maximum,
                "weight": str(c.weight),
                "score": str(c.score),
            }
            for c in result.components
        ]

    @staticmethod
    async def _step(
        session: AsyncSession,
        assessment: Assessment,
        auth_subject: AuthSubject,
        action: str,
        note: str | None,
    ) -> None:
        await AssessmentRepository(session).add(
            AssessmentStep(
                assessment_id=assessment.id,
                action=action,
                actor=auth_subject.username or auth_subject.subject,
                note=note,
            )
        )

    @staticmethod
    async def _emit(session: AsyncSession, event_type: str, loaded: Loaded, **extra: Any) -> None:
        assessment = loaded.assessment
        payload = {
            "id": assessment.id,
            "number": assessment.number,
            "library": loaded.library.code,
            "library_type": loaded.library.type,
            "city": loaded.library.city,
            "mode": assessment.mode,
            "year": assessment.year,
            "status": assessment.status,
            "instrument_version": loaded.instrument.version,
            "total": assessment.total,
            "grade": assessment.grade,
            **extra,
        }
        await emit_event(session, event_type, payload, key=loaded.library.code)


assessment_service = AssessmentService()
