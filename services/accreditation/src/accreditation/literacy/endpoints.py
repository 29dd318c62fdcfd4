"""HTTP routes for the literacy indicators: TGM surveys and scores, IPLM inputs and results."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from accreditation.deps import DryRun, Officer, Reader, SettingsDep
from accreditation.files import read_small_body
from accreditation.literacy.repository import LiteracyRepository
from accreditation.literacy.schemas import (
    BranchIn,
    BranchRead,
    CirculationSummary,
    IntakeReport,
    IplmArea,
    IplmComputation,
    IplmInputIn,
    IplmInputRead,
    IplmModelCreate,
    IplmModelRead,
    PopulationIn,
    PopulationRead,
    ResponseRead,
    ResponsesIn,
    SurveyCreate,
    SurveyRead,
    TgmModelCreate,
    TgmModelRead,
    TgmScore,
    TgmYear,
)
from accreditation.literacy.service import literacy_service
from accreditation.models import JakartaCity, TgmSurvey
from accreditation.tabular import read_table
from pusip_kit.clients import CatalogClient, StaticToken
from pusip_kit.clients.catalog import Branch
from pusip_kit.deps import SessionDep
from pusip_kit.errors import Conflict
from pusip_kit.pagination import Page, PaginationParams, pagination

router = APIRouter(prefix="/literacy", tags=["literasi / literacy"])

YearPath = Annotated[int, Path(ge=2000, le=2100)]


def _survey(survey: TgmSurvey, counts: dict[uuid.UUID, int]) -> SurveyRead:
    values = {c.key: getattr(survey, c.key) for c in TgmSurvey.__table__.columns}
    return SurveyRead.model_validate({**values, "respondents": counts.get(survey.id, 0)})


# -- TGM ---------------------------------------------------------------------------------------------


@router.get("/tgm/models", response_model=list[TgmModelRead], summary="Model TGM (berversi) / TGM models")
async def tgm_models(session: SessionDep, auth_subject: Reader) -> list[TgmModelRead]:
    return [TgmModelRead.model_validate(m) for m in await LiteracyRepository(session).tgm_models()]


@router.post("/tgm/models", response_model=TgmModelRead, status_code=201, summary="Versi model TGM baru")
async def create_tgm_model(session: SessionDep, auth_subject: Officer, body: TgmModelCreate) -> TgmModelRead:
    return TgmModelRead.model_validate(
        await literacy_service.create_tgm_model(session, auth_subject, data=body)
    )


@router.get("/tgm/surveys", response_model=list[SurveyRead], summary="Survei TGM / TGM surveys")
async def list_surveys(
    session: SessionDep,
    auth_subject: Reader,
    city: Annotated[JakartaCity | None, Query()] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> list[SurveyRead]:
    repository = LiteracyRepository(session)
    surveys = await repository.surveys(city=city.value if city else None, year=year)
    counts = await repository.respondent_counts([s.id for s in surveys])
    return [_survey(s, counts) for s in surveys]


@router.post("/tgm/surveys", response_model=SurveyRead, status_code=201, summary="Buka survei TGM kota/tahun")
async def create_survey(session: SessionDep, auth_subject: Officer, body: SurveyCreate) -> SurveyRead:
    return _survey(await literacy_service.create_survey(session, auth_subject, data=body), {})


@router.get("/tgm/surveys/{survey_id}", response_model=SurveyRead, summary="Satu survei TGM")
async def get_survey(session: SessionDep, auth_subject: Reader, survey_id: uuid.UUID) -> SurveyRead:
    survey = await literacy_service.survey(session, auth_subject, id=survey_id)
    return _survey(survey, await LiteracyRepository(session).respondent_counts([survey.id]))


@router.post(
    "/tgm/surveys/{survey_id}/responses",
    response_model=IntakeReport,
    summary="Masukkan jawaban responden (JSON) / enter respondents' answers",
    description="Setiap baris diterima atau ditolak dengan alasannya; usia di luar 10–69 ditolak. / Each row "
    "is accepted or refused with its reasons; ages outside 10–69 are refused.",
)
async def add_responses(
    session: SessionDep,
    auth_subject: Officer,
    survey_id: uuid.UUID,
    body: ResponsesIn,
    dry_run: DryRun = False,
) -> IntakeReport:
    rows = list(enumerate(body.responses, start=1))
    return await literacy_service.intake(session, auth_subject, id=survey_id, rows=rows, dry_run=dry_run)


@router.post(
    "/tgm/surveys/{survey_id}/responses/import",
    response_model=IntakeReport,
    summary="Impor jawaban responden (CSV/XLSX)",
    description="Kolom: respondent, age, sex, reading_frequency, reading_minutes, items_per_quarter, "
    "internet_frequency, internet_minutes. Nomor baris seperti di lembar kerja.",
)
async def import_responses(
    request: Request,
    session: SessionDep,
    auth_subject: Officer,
    settings: SettingsDep,
    survey_id: uuid.UUID,
    dry_run: DryRun = False,
) -> IntakeReport:
    data, _ = await read_small_body(request, max_size=settings.import_max_bytes)
    _, table = read_table(data)
    rows: list[tuple[int, dict[str, Any]]] = [
        (row.number, {k: (v if v != "" else None) for k, v in row.values.items()}) for row in table
    ]
    return await literacy_service.intake(session, auth_subject, id=survey_id, rows=rows, dry_run=dry_run)


@router.get(
    "/tgm/surveys/{survey_id}/responses", response_model=Page[ResponseRead], summary="Jawaban responden"
)
async def list_responses(
    session: SessionDep,
    auth_subject: Officer,
    survey_id: uuid.UUID,
    page: Annotated[PaginationParams, Depends(pagination)],
) -> Page[ResponseRead]:
    rows, total = await literacy_service.responses(session, auth_subject, id=survey_id, pagination=page)
    return Page.of([ResponseRead.model_validate(r) for r in rows], total, page)


@router.get(
    "/tgm/surveys/{survey_id}/score",
    response_model=TgmScore,
    summary="Skor TGM dihitung ulang dari jawaban / the TGM score, recomputed from the answers",
)
async def survey_score(session: SessionDep, auth_subject: Reader, survey_id: uuid.UUID) -> TgmScore:
    survey = await literacy_service.survey(session, auth_subject, id=survey_id)
    score = await literacy_service.survey_score(session, survey)
    if score is None:
        raise Conflict(
            "Survei belum memiliki responden", "The survey has no respondents yet", code="no_responses"
        )
    return score


@router.get("/tgm", response_model=TgmYear, summary="TGM per kota dan provinsi untuk satu tahun")
async def tgm_year(
    session: SessionDep, auth_subject: Reader, year: Annotated[int, Query(ge=2000, le=2100)]
) -> TgmYear:
    return await literacy_service.tgm_year(session, auth_subject, year=year)


# -- populations ------------------------------------------------------------------------------------


@router.get("/populations", response_model=list[PopulationRead], summary="Penduduk per kota per tahun")
async def populations(
    session: SessionDep, auth_subject: Reader, year: Annotated[int | None, Query(ge=2000, le=2100)] = None
) -> list[PopulationRead]:
    return [PopulationRead.model_validate(p) for p in await LiteracyRepository(session).populations(year)]


@router.put("/populations/{year}/{city}", response_model=PopulationRead, summary="Catat penduduk kota/tahun")
async def set_population(
    session: SessionDep, auth_subject: Officer, year: YearPath, city: JakartaCity, body: PopulationIn
) -> PopulationRead:
    row = await literacy_service.set_population(session, auth_subject, city=city.value, year=year, data=body)
    return PopulationRead.model_validate(row)


# -- IPLM -------------------------------------------------------------------------------------------


@router.get("/iplm/models", response_model=list[IplmModelRead], summary="Model IPLM (berversi) / IPLM models")
async def iplm_models(session: SessionDep, auth_subject: Reader) -> list[IplmModelRead]:
    return [IplmModelRead.model_validate(m) for m in await LiteracyRepository(session).iplm_models()]


@router.post("/iplm/models", response_model=IplmModelRead, status_code=201, summary="Versi model IPLM baru")
async def create_iplm_model(
    session: SessionDep, auth_subject: Officer, body: IplmModelCreate
) -> IplmModelRead:
    return IplmModelRead.model_validate(
        await literacy_service.create_iplm_model(session, auth_subject, data=body)
    )


@router.get("/iplm/inputs", response_model=list[IplmInputRead], summary="Isian IPLM manual per tahun")
async def iplm_inputs(
    session: SessionDep, auth_subject: Reader, year: Annotated[int, Query(ge=2000, le=2100)]
) -> list[IplmInputRead]:
    return [IplmInputRead.model_validate(i) for i in await LiteracyRepository(session).inputs(year)]


@router.put(
    "/iplm/inputs/{year}/{city}/{element}",
    response_model=IplmInputRead,
    summary="Isi unsur IPLM secara manual / enter an IPLM figure",
    description="Untuk unsur bersumber `manual` (mis. keterlibatan masyarakat) atau untuk menggantikan "
    "nilai terhitung. / For `manual` elements (e.g. community involvement) or to replace a counted value.",
)
async def set_iplm_input(
    session: SessionDep,
    auth_subject: Officer,
    year: YearPath,
    city: JakartaCity,
    element: Annotated[str, Path(max_length=20)],
    body: IplmInputIn,
) -> IplmInputRead:
    row = await literacy_service.set_input(
        session, auth_subject, city=city.value, year=year, element=element, data=body
    )
    return IplmInputRead.model_validate(row)


@router.delete("/iplm/inputs/{year}/{city}/{element}", status_code=204, summary="Hapus isian IPLM manual")
async def delete_iplm_input(
    session: SessionDep,
    auth_subject: Officer,
    year: YearPath,
    city: JakartaCity,
    element: Annotated[str, Path(max_length=20)],
) -> Response:
    await literacy_service.delete_input(session, auth_subject, city=city.value, year=year, element=element)
    return Response(status_code=204)


@router.get(
    "/iplm/preview",
    response_model=IplmComputation,
    summary="Hitung IPLM tanpa menyimpan / compute the IPLM without storing it",
)
async def iplm_preview(
    session: SessionDep,
    auth_subject: Reader,
    year: Annotated[int, Query(ge=2000, le=2100)],
    model: Annotated[str | None, Query(max_length=32, description="Versi model (bawaan: aktif)")] = None,
) -> IplmComputation:
    return await literacy_service.compute_iplm(
        session, auth_subject, year=year, model_version=model, store=False
    )


@router.post(
    "/iplm/{year}/compute",
    response_model=IplmComputation,
    summary="Hitung dan simpan IPLM tahun ini / compute and store the year's IPLM",
)
async def iplm_compute(
    session: SessionDep,
    auth_subject: Officer,
    year: YearPath,
    model: Annotated[str | None, Query(max_length=32)] = None,
) -> IplmComputation:
    return await literacy_service.compute_iplm(
        session, auth_subject, year=year, model_version=model, store=True
    )


@router.get("/iplm", response_model=list[IplmArea], summary="IPLM tersimpan / stored IPLM results")
async def iplm_results(
    session: SessionDep, auth_subject: Reader, year: Annotated[int | None, Query(ge=2000, le=2100)] = None
) -> list[IplmArea]:
    return await literacy_service.stored_iplm(session, year=year)


@router.get(
    "/circulation",
    response_model=list[CirculationSummary],
    summary="Data sirkulasi yang diterima (per kota) / circulation figures received",
)
async def circulation(
    session: SessionDep, auth_subject: Reader, year: Annotated[int, Query(ge=2000, le=2100)]
) -> list[CirculationSummary]:
    return await literacy_service.circulation_summary(session, auth_subject, year=year)


# -- circulation branches -------------------------------------------------------------------------


@router.get(
    "/branches", response_model=list[BranchRead], summary="Cabang sirkulasi dan kotanya / branches and cities"
)
async def list_branches(session: SessionDep, auth_subject: Reader) -> list[BranchRead]:
    return [BranchRead.model_validate(b) for b in await LiteracyRepository(session).branches()]


@router.put(
    "/branches/{code}", response_model=BranchRead, summary="Tetapkan kota sebuah cabang / set a branch's city"
)
async def set_branch(
    session: SessionDep, auth_subject: Officer, code: Annotated[str, Path(max_length=64)], body: BranchIn
) -> BranchRead:
    row = await literacy_service.set_branch(
        session, auth_subject, code=code, city=body.city.value if body.city else None, name=body.name
    )
    return BranchRead.model_validate(row)


async def fetch_catalog_branches(client: CatalogClient) -> list[Branch]:
    branches: list[Branch] = []
    page = 1
    while True:
        batch = await client.list_branches(page=page, limit=100)
        branches.extend(batch)
        if len(batch) < 100:
            return branches
        page += 1


@router.post(
    "/branches/sync",
    response_model=list[BranchRead],
    summary="Ambil kota cabang dari katalog / take branch cities from the catalogue",
    description="Membaca daftar cabang melalui API katalog (dengan token pemanggil), tidak pernah basis "
    "datanya. / Reads the branch list through the catalogue's API with the caller's token.",
)
async def sync_branches(request: Request, session: SessionDep, auth_subject: Officer) -> list[BranchRead]:
    token = request.headers.get("authorization", "").removeprefix("Bearer ").strip() or None
    factory = getattr(request.app.state, "catalog_client_factory", None)
    client: CatalogClient = (
        factory(StaticToken(token)) if factory else CatalogClient(tokens=StaticToken(token))
    )
    try:
        branches = await fetch_catalog_branches(client)
    finally:
        await client.close()
    rows = await literacy_service.sync_branches(session, auth_subject, branches=branches)
    return [BranchRead.model_validate(r) for r in rows]
