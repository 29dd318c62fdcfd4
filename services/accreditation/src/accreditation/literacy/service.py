"""Literacy indicators from raw inputs under versioned models.

**TGM/TKM** is recomputed from the stored respondent answers every time: the respondents' average
raw answers per component go through the model's normalisation bounds and weights
(:class:`accreditation.scoring.literacy.TgmModel`). The province figure is the population-weighted
mean of the city scores (unweighted when a city's population is missing).

**IPLM** is computed per city from the model's elements, each read from its source: the registry
(active libraries, copies held, active staff, libraries holding a valid accreditation at the end of
the year), the circulation replica fed by ``circulation.stats.daily`` events (average visits per day,
active members at the year's last reported day) or figures entered by hand, which also replace a
counted value when given. The province is computed on the sums of the city inputs against the sum of
the city populations. Computed results are stored with every input so a published figure can be
explained later.
"""

from __future__ import annotations

import builtins
import logging
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from accreditation.libraries.service import is_officer
from accreditation.literacy.repository import LiteracyRepository
from accreditation.literacy.schemas import (
    TGM_CODES,
    CirculationSummary,
    IntakeReport,
    IntakeRow,
    IplmArea,
    IplmComputation,
    IplmInputIn,
    IplmModelCreate,
    IplmValue,
    PopulationIn,
    ResponseIn,
    SurveyCreate,
    TgmModelCreate,
    TgmScore,
    TgmYear,
)
from accreditation.models import (
    ALL_BRANCHES,
    PROVINCE,
    CirculationBranch,
    CirculationDailyStat,
    CityPopulation,
    IplmInput,
    IplmModelVersion,
    IplmResult,
    JakartaCity,
    TgmModelVersion,
    TgmResponse,
    TgmSurvey,
)
from accreditation.scoring.literacy import IplmElement, IplmModel, Normaliser, ScoreBand, TgmModel, band_of
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.db import utcnow
from pusip_kit.errors import Conflict, Forbidden, NotFound, Reason, Refused, Unprocessable
from pusip_kit.pagination import PaginationParams

log = logging.getLogger(__name__)

CENT = Decimal("0.01")
RESPONSE_FIELDS = {
    "FM": "reading_frequency",
    "DM": "reading_minutes",
    "JB": "items_per_quarter",
    "FAI": "internet_frequency",
    "DAI": "internet_minutes",
}
_CITY_WORDS = {
    "pusat": JakartaCity.JAKARTA_PUSAT,
    "utara": JakartaCity.JAKARTA_UTARA,
    "barat": JakartaCity.JAKARTA_BARAT,
    "selatan": JakartaCity.JAKARTA_SELATAN,
    "timur": JakartaCity.JAKARTA_TIMUR,
    "seribu": JakartaCity.KEPULAUAN_SERIBU,
}


def q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def normalise_city(value: object) -> str | None:
    """A city as circulation or a spreadsheet writes it (``"Jakarta Utara"``, ``"Kota Adm. Jakarta
    Utara"``, ``"jakarta-utara"``) → its slug; None when it is not one of the six."""
    if not isinstance(value, str) or not value.strip():
        return None
    slug = value.strip().lower().replace("_", "-").replace(" ", "-")
    if slug in {c.value for c in JakartaCity}:
        return slug
    for word, city in _CITY_WORDS.items():
        if word in slug:
            return city.value
    return None


def _bands(rows: Sequence[dict[str, Any]]) -> tuple[ScoreBand, ...]:
    return tuple(ScoreBand(Decimal(str(b["upper"])), str(b["label"]), str(b["label_en"])) for b in rows)


def tgm_model_of(row: TgmModelVersion) -> TgmModel:
    return TgmModel(
        version=row.version,
        weights={k: Decimal(str(v)) for k, v in row.weights.items()},
        normalisers={
            k: Normaliser(Decimal(str(v["min"])), Decimal(str(v["max"]))) for k, v in row.normalisers.items()
        },
        bands=_bands(row.bands),
    )


def iplm_model_of(row: IplmModelVersion) -> IplmModel:
    return IplmModel(
        version=row.version,
        elements=tuple(
            IplmElement(
                str(e["code"]),
                str(e["name"]),
                Decimal(str(e["per_population"])),
                str(e.get("basis") or "population"),
            )
            for e in row.elements
        ),
        bands=_bands(row.bands),
    )


def _missing(missing: Sequence[dict[str, Any]], area: str, code: str) -> bool:
    return any(m["area"] == area and m["what"] == code for m in missing)


def survey_not_found(survey_id: uuid.UUID) -> NotFound:
    return NotFound(
        "Survei tidak ditemukan", "Survey not found", code="survey_not_found", details={"id": str(survey_id)}
    )


PROVINCE_WIDE_FIRST = frozenset({"circulation.active_members"})
"""Sources whose province-wide figure beats the sum of the cities (it also counts the unplaced)."""


class LiteracyService:
    @staticmethod
    def _require_officer(auth_subject: AuthSubject) -> None:
        if not is_officer(auth_subject):
            raise Forbidden(
                "Tindakan ini untuk petugas akreditasi dan literasi",
                "This action is for accreditation and literacy officers",
                code="missing_role",
            )

    # -- models -------------------------------------------------------------------------------------

    async def tgm_model(self, session: AsyncSession, version: str | None) -> TgmModelVersion:
        row = await LiteracyRepository(session).tgm_model(version)
        if row is None:
            raise NotFound(
                f"Model TGM {version or '(aktif)'} tidak ditemukan",
                f"TGM model {version or '(active)'} not found",
                code="tgm_model_not_found",
            )
        return row

    async def iplm_model(self, session: AsyncSession, version: str | None) -> IplmModelVersion:
        row = await LiteracyRepository(session).iplm_model(version)
        if row is None:
            raise NotFound(
                f"Model IPLM {version or '(aktif)'} tidak ditemukan",
                f"IPLM model {version or '(active)'} not found",
                code="iplm_model_not_found",
            )
        return row

    async def create_tgm_model(
        self, session: AsyncSession, auth_subject: AuthSubject, *, data: TgmModelCreate
    ) -> TgmModelVersion:
        self._require_officer(auth_subject)
        repository = LiteracyRepository(session)
        if await repository.tgm_model(data.version) is not None:
            raise Conflict(
                f"Model TGM {data.version} sudah ada", f"TGM model {data.version} exists", code="model_exists"
            )
        row = TgmModelVersion(
            version=data.version,
            legal_basis=data.legal_basis,
            weights={k: str(v) for k, v in data.weights.items()},
            normalisers={
                k: {kk: (str(vv) if vv is not None else None) for kk, vv in v.model_dump().items()}
                for k, v in data.normalisers.items()
            },
            bands=[{"upper": str(b.upper), "label": b.label, "label_en": b.label_en} for b in data.bands],
            age_min=data.age_min,
            age_max=data.age_max,
            note=data.note,
            active=True,
        )
        await repository.add(row)
        return row

    async def create_iplm_model(
        self, session: AsyncSession, auth_subject: AuthSubject, *, data: IplmModelCreate
    ) -> IplmModelVersion:
        self._require_officer(auth_subject)
        repository = LiteracyRepository(session)
        if await repository.iplm_model(data.version) is not None:
            raise Conflict(
                f"Model IPLM {data.version} sudah ada",
                f"IPLM model {data.version} exists",
                code="model_exists",
            )
        row = IplmModelVersion(
            version=data.version,
            legal_basis=data.legal_basis,
            elements=[
                {
                    **e.model_dump(),
                    "per_population": str(e.per_population),
                    "basis": e.basis.upper() if e.basis != "population" else "population",
                }
                for e in data.elements
            ],
            bands=[{"upper": str(b.upper), "label": b.label, "label_en": b.label_en} for b in data.bands],
            note=data.note,
            active=True,
        )
        await repository.add(row)
        return row

    # -- TGM surveys --------------------------------------------------------------------------------

    async def create_survey(
        self, session: AsyncSession, auth_subject: AuthSubject, *, data: SurveyCreate
    ) -> TgmSurvey:
        self._require_officer(auth_subject)
        repository = LiteracyRepository(session)
        model = await self.tgm_model(session, data.model_version)
        if await repository.survey_of(data.city.value, data.year) is not None:
            raise Conflict(
                f"Survei TGM {data.city.value} {data.year} sudah ada",
                f"The {data.year} TGM survey of {data.city.value} already exists",
                code="survey_exists",
            )
        survey = TgmSurvey(
            city=data.city.value,
            year=data.year,
            model_version=model.version,
            title=data.title,
            note=data.note,
            created_by=auth_subject.username or auth_subject.subject,
        )
        await repository.add(survey)
        return survey

    async def survey(self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID) -> TgmSurvey:
        survey = await LiteracyRepository(session).survey(id)
        if survey is None:
            raise survey_not_found(id)
        return survey

    async def intake(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        id: uuid.UUID,
        rows: Sequence[tuple[int, dict[str, Any]]],
        dry_run: bool,
    ) -> IntakeReport:
        """Take respondents' answers; each row is accepted or refused with its reasons (the others
        still go in). Respondents outside the model's age scope (10–69) are refused."""
        self._require_officer(auth_subject)
        survey = await self.survey(session, auth_subject, id=id)
        model = await self.tgm_model(session, survey.model_version)
        repository = LiteracyRepository(session)
        known = await repository.respondents(survey.id)
        results: builtins.list[IntakeRow] = []
        accepted: builtins.list[TgmResponse] = []
        who = auth_subject.username or auth_subject.subject
        for number, raw in rows:
            respondent = str(raw.get("respondent") or "").strip() or None
            try:
                answer = ResponseIn.model_validate(raw)
            except ValidationError as exc:
                errors = [
                    {
                        "field": ".".join(str(p) for p in e.get("loc", ())),
                        "message": f"Isian tidak valid: {e.get('msg')}",
                        "message_en": str(e.get("msg")),
                    }
                    for e in exc.errors()
                ]
                results.append(IntakeRow(row=number, respondent=respondent, status="error", errors=errors))
                continue
            errors = []
            if not model.age_min <= answer.age <= model.age_max:
                errors.append(
                    {
                        "field": "age",
                        "code": "age_out_of_scope",
                        "message": f"Usia {answer.age} di luar cakupan survei ({model.age_min}–{model.age_max} tahun)",
                        "message_en": f"Age {answer.age} is outside the survey scope ({model.age_min}–{model.age_max})",
                    }
                )
            if answer.respondent in known:
                errors.append(
                    {
                        "field": "respondent",
                        "code": "respondent_duplicate",
                        "message": f"Responden {answer.respondent} sudah tercatat",
                        "message_en": f"Respondent {answer.respondent} is already recorded",
                    }
                )
            if errors:
                results.append(
                    IntakeRow(row=number, respondent=answer.respondent, status="error", errors=errors)
                )
                continue
            known.add(answer.respondent)
            accepted.append(TgmResponse(survey_id=survey.id, entered_by=who, **answer.model_dump()))
            results.append(IntakeRow(row=number, respondent=answer.respondent, status="accepted"))
        if accepted and not dry_run:
            await repository.add_all(accepted)
        return IntakeReport(
            dry_run=dry_run,
            accepted=len(accepted),
            errors=sum(1 for r in results if r.status == "error"),
            rows=results,
        )

    async def responses(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID, pagination: PaginationParams
    ) -> tuple[Sequence[TgmResponse], int]:
        survey = await self.survey(session, auth_subject, id=id)
        return await LiteracyRepository(session).responses(survey.id, pagination=pagination)

    async def survey_score(self, session: AsyncSession, survey: TgmSurvey) -> TgmScore | None:
        rows, _ = await LiteracyRepository(session).responses(survey.id)
        if not rows:
            return None
        model_row = await self.tgm_model(session, survey.model_version)
        return self._tgm_score(survey.city, survey.year, model_row, rows)

    def _tgm_score(
        self, area: str, year: int, model_row: TgmModelVersion, rows: Sequence[TgmResponse]
    ) -> TgmScore:
        model = tgm_model_of(model_row)
        n = Decimal(len(rows))
        averages = {
            code: sum((Decimal(getattr(r, field)) for r in rows), Decimal(0)) / n
            for code, field in RESPONSE_FIELDS.items()
        }
        score, band, normalised = model.score(averages)
        return TgmScore(
            area=area,
            year=year,
            model_version=model.version,
            respondents=len(rows),
            averages={k: q(v) for k, v in averages.items()},
            normalised=normalised,
            weights=model.weights,
            score=score,
            band=band.label,
            band_en=band.label_en,
        )

    async def tgm_year(self, session: AsyncSession, auth_subject: AuthSubject, *, year: int) -> TgmYear:
        repository = LiteracyRepository(session)
        cities: builtins.list[TgmScore] = []
        for survey in await repository.surveys(city=None, year=year):
            score = await self.survey_score(session, survey)
            if score is not None:
                cities.append(score)
        province, method = await self._tgm_province(session, year, cities)
        return TgmYear(year=year, cities=cities, province=province, province_method=method)

    async def _tgm_province(
        self, session: AsyncSession, year: int, cities: Sequence[TgmScore]
    ) -> tuple[TgmScore | None, str]:
        if not cities:
            return None, "none"
        populations = {p.city: p.population for p in await LiteracyRepository(session).populations(year)}
        weighted = all(c.area in populations for c in cities)
        weights = {c.area: Decimal(populations[c.area]) if weighted else Decimal(1) for c in cities}
        total_weight = sum(weights.values(), Decimal(0))

        def mean(values: dict[str, Decimal]) -> Decimal:
            return q(sum((values[c.area] * weights[c.area] for c in cities), Decimal(0)) / total_weight)

        model_row = await self.tgm_model(session, cities[0].model_version)
        score = mean({c.area: c.score for c in cities})
        band = band_of(_bands(model_row.bands), score)
        province = TgmScore(
            area=PROVINCE,
            year=year,
            model_version=cities[0].model_version,
            respondents=sum(c.respondents for c in cities),
            averages={k: mean({c.area: c.averages[k] for c in cities}) for k in TGM_CODES},
            normalised={k: mean({c.area: c.normalised[k] for c in cities}) for k in TGM_CODES},
            weights=cities[0].weights,
            score=score,
            band=band.label,
            band_en=band.label_en,
        )
        return province, "population-weighted mean of city scores" if weighted else "mean of city scores"

    # -- populations and IPLM inputs ----------------------------------------------------------------

    async def set_population(
        self, session: AsyncSession, auth_subject: AuthSubject, *, city: str, year: int, data: PopulationIn
    ) -> CityPopulation:
        self._require_officer(auth_subject)
        repository = LiteracyRepository(session)
        row = await repository.population(city, year)
        if row is None:
            row = CityPopulation(city=city, year=year, population=data.population, source=data.source)
            await repository.add(row)
        else:
            row.population, row.source = data.population, data.source
            await repository.flush()
        return row

    async def set_input(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        city: str,
        year: int,
        element: str,
        data: IplmInputIn,
    ) -> IplmInput:
        self._require_officer(auth_subject)
        element = element.strip().upper()
        repository = LiteracyRepository(session)
        codes = {str(e["code"]) for m in await repository.iplm_models() for e in m.elements}
        if element not in codes:
            raise Unprocessable(
                f"Unsur IPLM {element} tidak ada dalam model mana pun",
                f"IPLM element {element} is in no model",
                code="unknown_element",
                details={"known": sorted(codes)},
            )
        row = await repository.input(city, year, element)
        if row is None:
            row = IplmInput(city=city, year=year, element=element, value=data.value, note=data.note)
            await repository.add(row)
        else:
            row.value, row.note = data.value, data.note
            await repository.flush()
        return row

    async def delete_input(
        self, session: AsyncSession, auth_subject: AuthSubject, *, city: str, year: int, element: str
    ) -> None:
        self._require_officer(auth_subject)
        repository = LiteracyRepository(session)
        row = await repository.input(city, year, element.strip().upper())
        if row is None:
            raise NotFound("Isian IPLM tidak ditemukan", "IPLM input not found", code="iplm_input_not_found")
        await repository.delete_input(row)

    # -- circulation replica ------------------------------------------------------------------------

    async def circulation_by_city(
        self, session: AsyncSession, year: int
    ) -> tuple[dict[str, dict[str, Decimal]], dict[str, Decimal]]:
        """Per city, from the figures circulation reported during the year: average visits per
        reporting day, active members at each branch's last reported day (summed), loans; a figure
        no event reported is absent (unknown), not zero. Also the province-wide figures (branch
        ``*``: active memberships at the last reported day). A branch's city comes from the event,
        else from the branch table (so a later correction applies to past figures too)."""
        repository = LiteracyRepository(session)
        stats = await repository.daily_stats(date(year, 1, 1), date(year, 12, 31))
        cities_of = {b.code: b.city for b in await repository.branches()}
        visit_days: dict[str, set[date]] = defaultdict(set)
        visits: dict[str, int] = defaultdict(int)
        loans: dict[str, int] = {}
        last_members: dict[tuple[str, str], CirculationDailyStat] = {}
        branches: dict[str, set[str]] = defaultdict(set)
        province: dict[str, Decimal] = {}
        province_day: date | None = None
        for stat in stats:
            if stat.branch == ALL_BRANCHES:
                if stat.active_members is not None and (province_day is None or stat.day >= province_day):
                    province["active_members"], province_day = Decimal(stat.active_members), stat.day
                continue
            city = stat.city or cities_of.get(stat.branch)
            if city is None:
                continue
            branches[city].add(stat.branch)
            if stat.visits is not None:
                visit_days[city].add(stat.day)
                visits[city] += stat.visits
            if stat.loans is not None:
                loans[city] = loans.get(city, 0) + stat.loans
            key = (city, stat.branch)
            if stat.active_members is not None and (
                key not in last_members or last_members[key].day < stat.day
            ):
                last_members[key] = stat
        members: dict[str, int] = defaultdict(int)
        for (city, _), stat in last_members.items():
            members[city] += stat.active_members or 0
        out: dict[str, dict[str, Decimal]] = {}
        for city in branches:
            figures: dict[str, Decimal] = {
                "branches": Decimal(len(branches[city])),
                "days": Decimal(len(visit_days[city])),
                "visits": Decimal(visits[city]),
            }
            if visit_days[city]:
                figures["visits_per_day"] = q(Decimal(visits[city]) / len(visit_days[city]))
            if city in members:
                figures["active_members"] = Decimal(members[city])
            if city in loans:
                figures["loans"] = Decimal(loans[city])
            out[city] = figures
        return out, province

    async def circulation_summary(
        self, session: AsyncSession, auth_subject: AuthSubject, *, year: int
    ) -> builtins.list[CirculationSummary]:
        by_city, province = await self.circulation_by_city(session, year)
        rows = [
            CirculationSummary(
                city=city,
                year=year,
                branches=int(v["branches"]),
                days=int(v["days"]),
                visits=int(v["visits"]),
                visits_per_day=v.get("visits_per_day"),
                loans=int(v["loans"]) if "loans" in v else None,
                active_members=int(v["active_members"]) if "active_members" in v else None,
            )
            for city, v in sorted(by_city.items())
        ]
        if province:
            rows.append(
                CirculationSummary(
                    city=None,
                    year=year,
                    branches=0,
                    days=0,
                    visits=0,
                    visits_per_day=None,
                    loans=None,
                    active_members=int(province["active_members"]),
                )
            )
        return rows

    async def apply_daily_stats(
        self, session: AsyncSession, payload: dict[str, Any], event_id: uuid.UUID | None
    ) -> int:
        """Upsert the figures of one ``circulation.stats.daily`` event; returns the rows written.

        Three shapes are read: one branch per event (``{date, branch, city, active_members,
        visits, loans, titles_loaned}``), several (``{date, branches: [{branch, city, …}]}``), and
        the aggregate circulation emits today (``{date, loans_by_branch: {branch: n},
        active_memberships, …}``: loans per branch, memberships province-wide, no visits).
        """
        raw_day = payload.get("date") or payload.get("day")
        try:
            day = date.fromisoformat(str(raw_day)[:10])
        except ValueError:
            log.warning("circulation.stats.daily without a usable date: %r", raw_day)
            return 0
        entries: list[dict[str, Any]]
        if isinstance(payload.get("branches"), list):
            entries = [e for e in payload["branches"] if isinstance(e, dict)]
        elif payload.get("branch"):
            entries = [payload]
        else:
            entries = [
                {"branch": branch, "loans": count}
                for branch, count in (payload.get("loans_by_branch") or {}).items()
                if isinstance(branch, str)
            ]
            if payload.get("active_memberships") is not None:
                entries.append({"branch": ALL_BRANCHES, "active_members": payload["active_memberships"]})
        repository = LiteracyRepository(session)
        applied = 0
        for entry in entries:
            if not entry.get("branch"):
                continue
            branch = str(entry["branch"])[:64]
            city = normalise_city(entry.get("city"))
            row = await repository.daily_stat(day, branch)
            if row is None:
                row = CirculationDailyStat(day=day, branch=branch)
                session.add(row)
            if city is not None or row.city is None:
                row.city = city
            for field in ("active_members", "visits", "loans", "titles_loaned"):
                if entry.get(field) is not None:
                    setattr(row, field, int(entry[field]))
            row.event_id = event_id
            row.received_at = utcnow()
            if city is not None and branch != ALL_BRANCHES:
                known = await repository.branch(branch)
                if known is None:
                    session.add(CirculationBranch(code=branch, city=city, source="event"))
                elif known.source == "event":
                    known.city = city
            applied += 1
        await repository.flush()
        return applied

    # -- circulation branches -----------------------------------------------------------------------

    async def set_branch(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        code: str,
        city: str | None,
        name: str | None,
    ) -> CirculationBranch:
        self._require_officer(auth_subject)
        repository = LiteracyRepository(session)
        row = await repository.branch(code)
        if row is None:
            row = CirculationBranch(code=code, city=city, name=name, source="manual")
            await repository.add(row)
        else:
            row.city, row.name, row.source = city, name or row.name, "manual"
            await repository.flush()
        return row

    async def sync_branches(
        self, session: AsyncSession, auth_subject: AuthSubject, *, branches: Sequence[Any]
    ) -> builtins.list[CirculationBranch]:
        """Take each branch's city from the catalogue's branch list (fetched through its API);
        branches an officer set by hand keep their city."""
        self._require_officer(auth_subject)
        repository = LiteracyRepository(session)
        out = []
        for branch in branches:
            row = await repository.branch(branch.code)
            city = normalise_city(branch.city)
            if row is None:
                row = CirculationBranch(code=branch.code, city=city, name=branch.name, source="catalog")
                session.add(row)
            elif row.source != "manual":
                row.city, row.name, row.source = city, branch.name, "catalog"
            out.append(row)
        try:
            await repository.flush()
        except IntegrityError as exc:  # another sync inserted the same branch meanwhile
            raise Conflict(
                "Daftar cabang sedang disinkronkan oleh permintaan lain; coba lagi",
                "The branch list is being synchronised by another request; try again",
                code="branch_sync_conflict",
            ) from exc
        return out

    # -- IPLM ---------------------------------------------------------------------------------------

    async def compute_iplm(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        year: int,
        model_version: str | None,
        store: bool,
        today: date | None = None,
    ) -> IplmComputation:
        if store:
            self._require_officer(auth_subject)
        model_row = await self.iplm_model(session, model_version)
        model = iplm_model_of(model_row)
        repository = LiteracyRepository(session)
        today = today or datetime.now(UTC).date()
        on = min(date(year, 12, 31), today)
        libraries = await repository.library_counts()
        staff = await repository.staff_counts()
        accredited = await repository.accredited_counts(on)
        circulation, province_circulation = await self.circulation_by_city(session, year)
        populations = {p.city: p for p in await repository.populations(year)}
        manual: dict[tuple[str, str], IplmInput] = {
            (i.city, i.element): i for i in await repository.inputs(year)
        }

        def counted(city: str, source: str) -> Decimal | None:
            lib = libraries.get(city, (0, 0, 0))
            values: dict[str, Decimal | None] = {
                "registry.libraries": Decimal(lib[0]),
                "registry.collection": Decimal(lib[1]),
                "registry.collection_titles": Decimal(lib[2]),
                "registry.staff": Decimal(staff.get(city, 0)),
                "registry.accredited_libraries": Decimal(accredited.get(city, 0)),
                "circulation.visits_per_day": circulation.get(city, {}).get("visits_per_day"),
                "circulation.active_members": circulation.get(city, {}).get("active_members"),
                "circulation.loans": circulation.get(city, {}).get("loans"),
                "manual": None,
            }
            return values.get(source)

        missing: builtins.list[dict[str, Any]] = []
        cities: builtins.list[IplmArea] = []
        totals: dict[str, Decimal] = defaultdict(Decimal)
        province_population = 0
        for city in JakartaCity:
            population = populations.get(city.value)
            if population is None:
                missing.append({"area": city.value, "what": "population"})
                continue
            inputs: dict[str, IplmValue] = {}
            for element in model_row.elements:
                code, source = str(element["code"]), str(element["source"])
                entered = manual.get((city.value, code))
                if entered is not None:
                    inputs[code] = IplmValue(
                        value=q(Decimal(entered.value)), source="manual", note=entered.note
                    )
                    continue
                value = counted(city.value, source)
                if value is None:
                    missing.append({"area": city.value, "what": code, "source": source})
                    value = Decimal(0)
                inputs[code] = IplmValue(value=q(value), source=source)
            cities.append(self._iplm_area(model, city.value, year, population.population, inputs))
            province_population += population.population
            for code, item in inputs.items():
                totals[code] += item.value
        province = None
        if cities:
            inputs = {}
            for element in model_row.elements:
                code, source = str(element["code"]), str(element["source"])
                counted_anywhere = any(
                    c.inputs[code].source == source and not _missing(missing, c.area, code) for c in cities
                )
                wide = province_circulation.get(source.removeprefix("circulation."))
                if wide is not None and (not counted_anywhere or source in PROVINCE_WIDE_FIRST):
                    # A province-wide figure stands for the province when no city counted it, and
                    # always for memberships: members without a home branch belong to no city.
                    inputs[code] = IplmValue(value=q(wide), source=f"{source} (province-wide)")
                else:
                    inputs[code] = IplmValue(value=totals[code], source="sum of cities")
            province = self._iplm_area(model, PROVINCE, year, province_population, inputs)
        if store:
            who = auth_subject.username or auth_subject.subject
            rows = [
                IplmResult(
                    year=year,
                    area=area.area,
                    model_version=model.version,
                    population=area.population,
                    inputs={k: v.model_dump(mode="json") for k, v in area.inputs.items()},
                    ratios={k: str(v) for k, v in area.ratios.items()},
                    index=area.index,
                    band=area.band,
                    band_en=area.band_en,
                    computed_by=who,
                )
                for area in [*cities, *([province] if province else [])]
            ]
            if not rows:
                raise Refused(
                    reasons=[
                        Reason(
                            "refuse_when_no_population",
                            f"Belum ada data penduduk tahun {year}",
                            f"No population figures for {year}",
                        )
                    ]
                )
            await repository.replace_results(year, model.version, rows)
        return IplmComputation(
            year=year,
            model_version=model.version,
            stored=store,
            cities=cities,
            province=province,
            missing=missing,
        )

    @staticmethod
    def _iplm_area(
        model: IplmModel, area: str, year: int, population: int, inputs: dict[str, IplmValue]
    ) -> IplmArea:
        index, band, ratios = model.score(population, {k: v.value for k, v in inputs.items()})
        return IplmArea(
            area=area,
            year=year,
            model_version=model.version,
            population=population,
            inputs=inputs,
            ratios=ratios,
            index=index,
            band=band.label,
            band_en=band.label_en,
        )

    async def stored_iplm(self, session: AsyncSession, *, year: int | None = None) -> builtins.list[IplmArea]:
        return [
            IplmArea(
                area=r.area,
                year=r.year,
                model_version=r.model_version,
                population=r.population,
                inputs={k: IplmValue.model_validate(v) for k, v in r.inputs.items()},
                ratios={k: Decimal(v) for k, v in r.ratios.items()},
                index=Decimal(r.index).quantize(CENT),
                band=r.band,
                band_en=r.band_en,
            )
            for r in await LiteracyRepository(session).results(year=year)
        ]


literacy_service = LiteracyService()
