"""HTTP routes for assessments: self-assessment, evidence, submission, verification, visit, certificate."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse

from accreditation.assessments.certificate import certificate_pdf
from accreditation.assessments.repository import AssessmentRepository
from accreditation.assessments.schemas import (
    AnswersUpdate,
    AssessmentCreate,
    AssessmentDetail,
    AssessmentForm,
    AssessmentRead,
    CancelBody,
    CertifyBody,
    CompleteVisitBody,
    EvidenceRead,
    ReturnBody,
    ScoreRead,
    StepRead,
    VerifyBody,
)
from accreditation.assessments.service import (
    ACTION_CERTIFY,
    ACTION_COMPLETE_VISIT,
    ACTION_RETURN,
    ACTION_SUBMIT,
    ACTION_VERIFY,
    Loaded,
    assessment_read,
    assessment_service,
)
from accreditation.checks import ActionCheck, action_check
from accreditation.deps import (
    AssessorDep,
    DryRun,
    Editor,
    Officer,
    SessionmakerDep,
    SettingsDep,
    Staff,
    StoreDep,
)
from accreditation.files import receive_file, stream_object
from accreditation.models import AssessmentMode, AssessmentStatus, JakartaCity
from pusip_kit.deps import SessionDep
from pusip_kit.errors import NotFound
from pusip_kit.pagination import Page, PaginationParams, pagination
from pusip_kit.uow import after_commit, unit_of_work

router = APIRouter(prefix="/assessments", tags=["penilaian / assessments"])


def _read(loaded: Loaded) -> AssessmentRead:
    return assessment_read(loaded.assessment, loaded.library, loaded.instrument)


@router.get("", response_model=Page[AssessmentRead], summary="Daftar penilaian / list assessments")
async def list_assessments(
    session: SessionDep,
    auth_subject: Staff,
    page: Annotated[PaginationParams, Depends(pagination)],
    library: Annotated[str | None, Query(max_length=64, description="Kode perpustakaan")] = None,
    status: Annotated[AssessmentStatus | None, Query()] = None,
    mode: Annotated[AssessmentMode | None, Query()] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    city: Annotated[JakartaCity | None, Query()] = None,
    mine: Annotated[bool, Query(description="Hanya yang ditugaskan kepada saya (asesor)")] = False,
) -> Page[AssessmentRead]:
    items, total = await assessment_service.list(
        session,
        auth_subject,
        pagination=page,
        library=library.strip().lower() if library else None,
        status=status.value if status else None,
        mode=mode.value if mode else None,
        year=year,
        city=city.value if city else None,
        mine=mine,
    )
    return Page.of(items, total, page)


@router.post(
    "",
    response_model=AssessmentRead,
    status_code=201,
    summary="Daftar penilaian akreditasi atau pengukuran awal / register an assessment",
    description="Memakai instrumen terbit untuk jenis perpustakaannya. / Uses the published instrument of "
    "the library's type (the version is kept for the whole assessment).",
)
async def create_assessment(
    session: SessionDep, auth_subject: Editor, body: AssessmentCreate
) -> AssessmentRead:
    return _read(await assessment_service.create(session, auth_subject, data=body))


@router.get("/{assessment_id}", response_model=AssessmentDetail, summary="Satu penilaian / one assessment")
async def get_assessment(
    session: SessionDep, auth_subject: Staff, assessment_id: uuid.UUID
) -> AssessmentDetail:
    loaded = await assessment_service.load(session, auth_subject, id=assessment_id)
    steps = await AssessmentRepository(session).steps(assessment_id)
    return AssessmentDetail(
        assessment=_read(loaded),
        progress=await assessment_service.progress(session, loaded),
        score=await assessment_service.score(session, loaded),
        steps=[StepRead.model_validate(s) for s in steps],
    )


@router.get(
    "/{assessment_id}/form",
    response_model=AssessmentForm,
    summary="Formulir instrumen dengan jawaban / the instrument form with the answers",
)
async def get_form(session: SessionDep, auth_subject: Staff, assessment_id: uuid.UUID) -> AssessmentForm:
    loaded = await assessment_service.load(session, auth_subject, id=assessment_id)
    editable = loaded.assessment.status in (AssessmentStatus.DRAFT, AssessmentStatus.RETURNED) and (
        assessment_service.can_edit(auth_subject, loaded.library)
    )
    return AssessmentForm(
        assessment=_read(loaded), editable=editable, components=await assessment_service.form(session, loaded)
    )


@router.put(
    "/{assessment_id}/answers",
    response_model=AssessmentDetail,
    summary="Simpan jawaban penilaian mandiri / save self-assessment answers",
    description="Sebagian jawaban boleh disimpan kapan saja sebelum diajukan. / Save any part, any time "
    "before submitting; `option: null` clears an answer.",
)
async def save_answers(
    session: SessionDep, auth_subject: Editor, assessment_id: uuid.UUID, body: AnswersUpdate
) -> AssessmentDetail:
    await assessment_service.save_answers(session, auth_subject, id=assessment_id, answers=body.answers)
    return await get_assessment(session, auth_subject, assessment_id)


# -- evidence --------------------------------------------------------------------------------------


@router.post(
    "/{assessment_id}/evidence",
    response_model=EvidenceRead,
    status_code=201,
    summary="Unggah bukti untuk indikator / upload evidence for an indicator",
    description="`multipart/form-data` dengan isian `file`, atau isi mentah dengan `?filename=`. / A file "
    "part named `file`, or the raw body with `?filename=`.",
)
async def upload_evidence(
    request: Request,
    auth_subject: Editor,
    store: StoreDep,
    settings: SettingsDep,
    sessionmaker: SessionmakerDep,
    assessment_id: uuid.UUID,
    indicator: Annotated[str, Query(min_length=1, max_length=40, description="Kode indikator")],
) -> EvidenceRead:
    async with unit_of_work(sessionmaker) as session:
        await assessment_service.check_evidence_upload(
            session, auth_subject, id=assessment_id, indicator=indicator
        )
    evidence_id = uuid.uuid4()
    key = f"evidence/{assessment_id}/{evidence_id}"
    received = await receive_file(request, store, key, max_size=settings.evidence_max_bytes)
    try:
        async with unit_of_work(sessionmaker) as session:
            evidence = await assessment_service.add_evidence(
                session,
                auth_subject,
                id=assessment_id,
                evidence_id=evidence_id,
                indicator=indicator,
                key=key,
                filename=received.filename,
                content_type=received.content_type,
                size=received.stored.size,
                sha256=received.stored.sha256,
            )
            read = EvidenceRead.model_validate(evidence)
    except BaseException:
        await store.delete(key)
        raise
    return read


@router.get("/{assessment_id}/evidence", response_model=list[EvidenceRead], summary="Daftar bukti / evidence")
async def list_evidence(
    session: SessionDep, auth_subject: Staff, assessment_id: uuid.UUID
) -> list[EvidenceRead]:
    await assessment_service.load(session, auth_subject, id=assessment_id)
    return [
        EvidenceRead.model_validate(e) for e in await AssessmentRepository(session).evidence(assessment_id)
    ]


@router.get(
    "/{assessment_id}/evidence/{evidence_id}",
    summary="Unduh bukti / download evidence",
    response_class=StreamingResponse,
)
async def download_evidence(
    session: SessionDep,
    auth_subject: Staff,
    store: StoreDep,
    assessment_id: uuid.UUID,
    evidence_id: uuid.UUID,
) -> StreamingResponse:
    evidence = await assessment_service.get_evidence(
        session, auth_subject, id=assessment_id, evidence_id=evidence_id
    )
    return await stream_object(
        store,
        evidence.object_key,
        filename=evidence.filename or f"bukti-{evidence.indicator_code}",
        content_type=evidence.content_type,
    )


@router.delete(
    "/{assessment_id}/evidence/{evidence_id}", status_code=204, summary="Hapus bukti / delete evidence"
)
async def delete_evidence(
    session: SessionDep,
    auth_subject: Editor,
    store: StoreDep,
    assessment_id: uuid.UUID,
    evidence_id: uuid.UUID,
) -> Response:
    evidence = await assessment_service.delete_evidence(
        session, auth_subject, id=assessment_id, evidence_id=evidence_id
    )
    key = evidence.object_key

    async def remove() -> None:
        await store.delete(key)

    after_commit(session, remove)
    return Response(status_code=204)


# -- workflow --------------------------------------------------------------------------------------


@router.post(
    "/{assessment_id}/submit",
    response_model=AssessmentRead | ActionCheck,
    summary="Ajukan penilaian mandiri / submit the self-assessment",
    description="Ditolak bila ada indikator belum dijawab (`refuse_when_incomplete`) atau bukti wajib belum "
    "diunggah (`refuse_when_required_evidence_missing`). Pengukuran awal langsung dinilai. / Refused when "
    "incomplete or required evidence is missing; a pre-measurement is graded at once.",
)
async def submit(
    session: SessionDep, auth_subject: Editor, assessment_id: uuid.UUID, dry_run: DryRun = False
) -> AssessmentRead | ActionCheck:
    if dry_run:
        loaded, reasons = await assessment_service.check_submit(session, auth_subject, id=assessment_id)
        return action_check(ACTION_SUBMIT, reasons, loaded.assessment.id)
    return _read(await assessment_service.submit(session, auth_subject, id=assessment_id))


@router.post(
    "/{assessment_id}/verify",
    response_model=AssessmentRead | ActionCheck,
    summary="Verifikasi: terima / verification: accept",
)
async def verify(
    session: SessionDep,
    auth_subject: Officer,
    assessment_id: uuid.UUID,
    body: Annotated[VerifyBody | None, Body()] = None,
    dry_run: DryRun = False,
) -> AssessmentRead | ActionCheck:
    if dry_run:
        loaded, reasons = await assessment_service.check_verify(
            session, auth_subject, id=assessment_id, action=ACTION_VERIFY
        )
        return action_check(ACTION_VERIFY, reasons, loaded.assessment.id)
    body = body or VerifyBody()
    loaded = await assessment_service.verify(
        session,
        auth_subject,
        id=assessment_id,
        note=body.note,
        assessor=body.assessor,
        visit_date=body.visit_date,
    )
    return _read(loaded)


@router.post(
    "/{assessment_id}/return",
    response_model=AssessmentRead | ActionCheck,
    summary="Verifikasi: kembalikan untuk diperbaiki / verification: return with notes",
)
async def return_assessment(
    session: SessionDep,
    auth_subject: Officer,
    assessment_id: uuid.UUID,
    body: Annotated[ReturnBody | None, Body()] = None,
    dry_run: DryRun = False,
) -> AssessmentRead | ActionCheck:
    if dry_run or body is None:
        loaded, reasons = await assessment_service.check_verify(
            session, auth_subject, id=assessment_id, action=ACTION_RETURN
        )
        if dry_run:
            return action_check(ACTION_RETURN, reasons, loaded.assessment.id)
        from pusip_kit.errors import Unprocessable

        raise Unprocessable(
            "Pengembalian memerlukan catatan (note)",
            "Returning needs a note",
            details=[{"loc": ["body", "note"], "msg": "Field required", "type": "missing"}],
        )
    return _read(await assessment_service.return_(session, auth_subject, id=assessment_id, note=body.note))


@router.put(
    "/{assessment_id}/visit-scores",
    response_model=AssessmentDetail,
    summary="Nilai visitasi asesor / assessor visit scores",
    description="Jawaban asesor menggantikan jawaban mandiri per indikator, dengan catatan. / The "
    "assessor's answer overrides the self-assessment per indicator, with notes.",
)
async def save_visit_scores(
    session: SessionDep, auth_subject: AssessorDep, assessment_id: uuid.UUID, body: AnswersUpdate
) -> AssessmentDetail:
    await assessment_service.save_visit_scores(session, auth_subject, id=assessment_id, scores=body.answers)
    return await get_assessment(session, auth_subject, assessment_id)


@router.post(
    "/{assessment_id}/complete-visit",
    response_model=AssessmentRead | ActionCheck,
    summary="Selesaikan visitasi dan hitung nilai / complete the visit and grade",
)
async def complete_visit(
    session: SessionDep,
    auth_subject: AssessorDep,
    assessment_id: uuid.UUID,
    body: Annotated[CompleteVisitBody | None, Body()] = None,
    dry_run: DryRun = False,
) -> AssessmentRead | ActionCheck:
    if dry_run:
        loaded, reasons = await assessment_service.check_complete_visit(
            session, auth_subject, id=assessment_id
        )
        return action_check(ACTION_COMPLETE_VISIT, reasons, loaded.assessment.id)
    body = body or CompleteVisitBody()
    loaded = await assessment_service.complete_visit(
        session, auth_subject, id=assessment_id, note=body.note, visit_date=body.visit_date
    )
    return _read(loaded)


@router.get("/{assessment_id}/result", response_model=ScoreRead, summary="Nilai / the grade")
async def get_result(session: SessionDep, auth_subject: Staff, assessment_id: uuid.UUID) -> ScoreRead:
    loaded = await assessment_service.load(session, auth_subject, id=assessment_id)
    return await assessment_service.score(session, loaded)


@router.post(
    "/{assessment_id}/certify",
    response_model=AssessmentRead | ActionCheck,
    summary="Terbitkan sertifikat / issue the certificate",
    description="Menetapkan nomor sertifikat dan tanggal jatuh tempo reakreditasi (masa berlaku dari "
    "instrumen) dan mencatat riwayat akreditasi. / Assigns the certificate number and the re-accreditation "
    "due date (validity from the instrument) and records the accreditation history.",
)
async def certify(
    session: SessionDep,
    auth_subject: Officer,
    assessment_id: uuid.UUID,
    body: Annotated[CertifyBody | None, Body()] = None,
    dry_run: DryRun = False,
) -> AssessmentRead | ActionCheck:
    if dry_run:
        loaded, reasons = await assessment_service.check_certify(session, auth_subject, id=assessment_id)
        return action_check(ACTION_CERTIFY, reasons, loaded.assessment.id)
    body = body or CertifyBody()
    loaded = await assessment_service.certify(
        session, auth_subject, id=assessment_id, certified_on=body.certified_on, note=body.note
    )
    return _read(loaded)


@router.get(
    "/{assessment_id}/certificate.pdf",
    summary="Sertifikat (PDF) / certificate",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def certificate(
    session: SessionDep, auth_subject: Staff, settings: SettingsDep, assessment_id: uuid.UUID
) -> Response:
    loaded = await assessment_service.load(session, auth_subject, id=assessment_id)
    if loaded.assessment.certificate_number is None:
        raise NotFound(
            "Penilaian ini belum bersertifikat",
            "This assessment has no certificate",
            code="certificate_not_found",
        )
    pdf = certificate_pdf(loaded, settings)
    filename = loaded.assessment.certificate_number.replace("/", "-")
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}.pdf"'},
    )


@router.post(
    "/{assessment_id}/cancel",
    response_model=AssessmentRead,
    summary="Batalkan penilaian yang belum diajukan / cancel an unsubmitted assessment",
)
async def cancel(
    session: SessionDep,
    auth_subject: Editor,
    assessment_id: uuid.UUID,
    body: Annotated[CancelBody | None, Body()] = None,
) -> AssessmentRead:
    loaded = await assessment_service.cancel(
        session, auth_subject, id=assessment_id, note=body.note if body else None
    )
    return _read(loaded)
