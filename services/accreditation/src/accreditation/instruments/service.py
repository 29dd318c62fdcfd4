"""Instrument rules: versions per library type, drafts edited, one published version per type.

Weights marked as published (RULES §3: village, sub-district and university instruments) cannot
be edited; a change needs a new version. Indicator texts are loaded from a file by an officer,
every problem itemised. Publishing runs named refusals (with a dry run).
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from accreditation.instruments.build import to_scoring
from accreditation.instruments.loader import problem
from accreditation.instruments.repository import InstrumentRepository
from accreditation.instruments.schemas import (
    ComponentRead,
    IndicatorIn,
    IndicatorRead,
    IndicatorsLoad,
    InstrumentCreate,
    InstrumentRead,
    InstrumentSummary,
    InstrumentUpdate,
    LoadProblem,
    LoadReport,
)
from accreditation.models import Instrument, InstrumentComponent, InstrumentIndicator, InstrumentStatus
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.db import utcnow
from pusip_kit.errors import Conflict, NotFound, Reason, Refused, Unprocessable
from pusip_kit.outbox import emit_event

EVENT_PUBLISHED = "accreditation.instrument.published"
ACTION_PUBLISH = "publish"
HUNDRED = Decimal(100)


def instrument_not_found(instrument_id: uuid.UUID) -> NotFound:
    return NotFound(
        "Instrumen tidak ditemukan",
        "Instrument not found",
        code="instrument_not_found",
        details={"id": str(instrument_id)},
    )


def read_instrument(instrument: Instrument) -> InstrumentRead:
    """The full instrument (components and indicators must be loaded)."""
    components = []
    for component in instrument.components:
        indicators = [
            IndicatorRead(
                id=i.id,
                code=i.code,
                text=i.text,
                position=i.position,
                options=i.options,
                maximum=max(int(o["points"]) for o in i.options.values()),
                evidence=i.evidence,
                evidence_required=i.evidence_required,
            )
            for i in component.indicators
        ]
        components.append(
            ComponentRead(
                id=component.id,
                code=component.code,
                name=component.name,
                weight=Decimal(component.weight).quantize(Decimal("0.01")),
                position=component.position,
                maximum=sum(i.maximum for i in indicators),
                indicators=indicators,
            )
        )
    summary = InstrumentSummary.model_validate(instrument)
    return InstrumentRead(
        **summary.model_dump(),
        indicator_count=sum(len(c.indicators) for c in components),
        components=components,
    )


# -- named refusals ---------------------------------------------------------------------------------


def refuse_when_instrument_not_draft(instrument: Instrument) -> Reason | None:
    if instrument.status == InstrumentStatus.DRAFT:
        return None
    return Reason(
        "refuse_when_instrument_not_draft",
        f"Instrumen berstatus '{instrument.status}'; hanya draf yang dapat diubah atau diterbitkan",
        f"The instrument is '{instrument.status}'; only drafts can be changed or published",
        {"status": instrument.status},
    )


def refuse_when_component_has_no_indicators(instrument: Instrument) -> Reason | None:
    empty = [c.code for c in instrument.components if not c.indicators]
    if not empty:
        return None
    listed = ", ".join(empty)
    return Reason(
        "refuse_when_component_has_no_indicators",
        f"Komponen tanpa indikator: {listed} (muat teks indikator lebih dahulu)",
        f"Components without indicators: {listed} (load the indicator texts first)",
        {"components": empty},
    )


def refuse_when_weights_do_not_sum_to_100(instrument: Instrument) -> Reason | None:
    total = sum((Decimal(c.weight) for c in instrument.components), Decimal(0))
    if total == HUNDRED:
        return None
    return Reason(
        "refuse_when_weights_do_not_sum_to_100",
        f"Jumlah bobot komponen {total}, seharusnya 100",
        f"Component weights sum to {total}, not 100",
        {"total": str(total)},
    )


def refuse_when_weights_published(instrument: Instrument) -> Reason | None:
    if not instrument.weights_published:
        return None
    return Reason(
        "refuse_when_weights_published",
        "Bobot instrumen ini ditetapkan dalam naskah resmi dan tidak dapat diubah; buat versi baru",
        "This instrument's weights are the published ones and cannot be edited; create a new version",
    )


PUBLISH_VALIDATORS = (
    refuse_when_instrument_not_draft,
    refuse_when_component_has_no_indicators,
    refuse_when_weights_do_not_sum_to_100,
)


class InstrumentService:
    async def list(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        library_type: str | None,
        status: str | None,
    ) -> Sequence[Instrument]:
        return await InstrumentRepository(session).list(library_type=library_type, status=status)

    async def get(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID, fresh: bool = False
    ) -> Instrument:
        instrument = await InstrumentRepository(session).get(id, full=True, fresh=fresh)
        if instrument is None:
            raise instrument_not_found(id)
        return instrument

    async def current(
        self, session: AsyncSession, auth_subject: AuthSubject, *, library_type: str
    ) -> Instrument:
        instrument = await InstrumentRepository(session).published(library_type, full=True)
        if instrument is None:
            raise NotFound(
                f"Belum ada instrumen terbit untuk jenis '{library_type}'",
                f"No published instrument for library type '{library_type}'",
                code="no_published_instrument",
                details={"library_type": library_type},
            )
        return instrument

    async def create(
        self, session: AsyncSession, auth_subject: AuthSubject, *, data: InstrumentCreate
    ) -> Instrument:
        repository = InstrumentRepository(session)
        if await repository.get_version(data.library_type.value, data.version) is not None:
            raise Conflict(
                f"Versi {data.version} untuk jenis {data.library_type.value} sudah ada",
                f"Version {data.version} of type {data.library_type.value} already exists",
                code="instrument_version_taken",
            )
        problems = self._check_definition(data)
        if problems:
            raise self._invalid(problems)
        instrument = Instrument(
            library_type=data.library_type.value,
            version=data.version,
            title=data.title,
            legal_basis=data.legal_basis,
            status=InstrumentStatus.DRAFT.value,
            weights_published=data.weights_published,
            weights_note=data.weights_note,
            bands=[self._band(b) for b in data.bands],
            bands_note=data.bands_note,
            validity_years=data.validity_years,
        )
        await repository.add(instrument)
        rows: builtins.list[object] = []
        for position, component_in in enumerate(data.components, start=1):
            component = InstrumentComponent(
                id=uuid.uuid4(),
                instrument_id=instrument.id,
                code=component_in.code,
                name=component_in.name,
                weight=component_in.weight,
                position=position,
            )
            rows.append(component)
            rows.extend(self._indicator_rows(instrument.id, component, component_in.indicators))
        await repository.add_all(rows)
        return await self.get(session, auth_subject, id=instrument.id, fresh=True)

    async def update(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID, data: InstrumentUpdate
    ) -> Instrument:
        instrument = await self.get(session, auth_subject, id=id)
        self._refuse(refuse_when_instrument_not_draft(instrument))
        for field in data.model_fields_set:
            value = getattr(data, field)
            if field == "bands":
                if value is None:
                    continue
                problems = self._check_bands(value)
                if problems:
                    raise self._invalid(problems)
                value = [self._band(b) for b in value]
            elif value is None and field in ("title", "legal_basis", "validity_years"):
                continue
            setattr(instrument, field, value)
        await InstrumentRepository(session).flush()
        return instrument

    async def update_weights(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID, weights: dict[str, Decimal]
    ) -> Instrument:
        instrument = await self.get(session, auth_subject, id=id)
        reasons = [
            r
            for r in (refuse_when_instrument_not_draft(instrument), refuse_when_weights_published(instrument))
            if r
        ]
        if reasons:
            raise Refused(reasons=reasons)
        codes = {c.code for c in instrument.components}
        given = {k.strip().upper(): v for k, v in weights.items()}
        problems = [
            problem(
                f"weights.{code}",
                "unknown_component",
                f"Komponen tidak dikenal: {code}",
                f"Unknown component: {code}",
            )
            for code in sorted(set(given) - codes)
        ]
        merged = {c.code: given.get(c.code, Decimal(c.weight)) for c in instrument.components}
        total = sum(merged.values(), Decimal(0))
        if total != HUNDRED:
            problems.append(
                problem(
                    "weights",
                    "weights_sum",
                    f"Jumlah bobot {total}, seharusnya 100",
                    f"Weights sum to {total}, not 100",
                )
            )
        if problems:
            raise self._invalid(problems)
        for component in instrument.components:
            component.weight = merged[component.code]
        await InstrumentRepository(session).flush()
        return instrument

    async def load_indicators(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        id: uuid.UUID,
        load: IndicatorsLoad | None,
        problems: builtins.list[LoadProblem],
        dry_run: bool,
    ) -> tuple[Instrument, LoadReport]:
        """Replace the instrument's indicators with ``load`` (refused with every problem listed)."""
        instrument = await self.get(session, auth_subject, id=id)
        self._refuse(refuse_when_instrument_not_draft(instrument))
        problems = list(problems)
        if load is not None:
            problems.extend(self._check_load(instrument, load))
        report = LoadReport(
            dry_run=dry_run,
            valid=not problems,
            components=len(load.components) if load else 0,
            indicators=sum(len(c.indicators) for c in load.components) if load else 0,
            problems=problems,
        )
        if dry_run:
            return instrument, report
        if problems or load is None:
            raise self._invalid(problems)
        repository = InstrumentRepository(session)
        await repository.delete_indicators(instrument.id)
        by_code = {c.code: c for c in instrument.components}
        rows: builtins.list[object] = []
        for component_in in load.components:
            rows.extend(
                self._indicator_rows(instrument.id, by_code[component_in.code], component_in.indicators)
            )
        await repository.add_all(rows)
        return await self.get(session, auth_subject, id=id, fresh=True), report

    async def check_publish(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID
    ) -> tuple[Instrument, builtins.list[Reason]]:
        instrument = await self.get(session, auth_subject, id=id)
        reasons = [r for v in PUBLISH_VALIDATORS if (r := v(instrument)) is not None]
        if not reasons:
            try:
                to_scoring(instrument)
            except ValueError as exc:
                reasons.append(
                    Reason(
                        "refuse_when_instrument_invalid",
                        f"Instrumen tidak dapat dipakai menilai: {exc}",
                        f"The instrument cannot grade: {exc}",
                    )
                )
        return instrument, reasons

    async def publish(self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID) -> Instrument:
        instrument, reasons = await self.check_publish(session, auth_subject, id=id)
        if reasons:
            raise Refused(reasons=reasons)
        repository = InstrumentRepository(session)
        previous = await repository.published(instrument.library_type)
        if previous is not None:
            previous.status = InstrumentStatus.RETIRED.value
        instrument.status = InstrumentStatus.PUBLISHED.value
        instrument.published_at = utcnow()
        await repository.flush()
        await emit_event(
            session,
            EVENT_PUBLISHED,
            {
                "id": instrument.id,
                "library_type": instrument.library_type,
                "version": instrument.version,
                "replaces": previous.version if previous else None,
            },
            key=instrument.library_type,
        )
        return instrument

    async def new_version(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID, version: str
    ) -> Instrument:
        """A draft copy of an instrument (components, weights, indicators) under a new version."""
        source = await self.get(session, auth_subject, id=id)
        data = InstrumentCreate.model_validate(
            {
                "library_type": source.library_type,
                "version": version,
                "title": source.title,
                "legal_basis": source.legal_basis,
                "weights_published": source.weights_published,
                "weights_note": source.weights_note,
                "bands": source.bands,
                "bands_note": source.bands_note,
                "validity_years": source.validity_years,
                "components": [
                    {
                        "code": c.code,
                        "name": c.name,
                        "weight": Decimal(c.weight).quantize(Decimal("0.01")),
                        "indicators": [
                            {
                                "code": i.code,
                                "text": i.text,
                                "options": i.options,
                                "evidence": i.evidence,
                                "evidence_required": i.evidence_required,
                            }
                            for i in c.indicators
                        ],
                    }
                    for c in source.components
                ],
            }
        )
        return await self.create(session, auth_subject, data=data)

    # -- helpers ------------------------------------------------------------------------------------

    @staticmethod
    def _indicator_rows(
        instrument_id: uuid.UUID, component: InstrumentComponent, indicators: Sequence[IndicatorIn]
    ) -> builtins.list[InstrumentIndicator]:
        return [
            InstrumentIndicator(
                instrument_id=instrument_id,
                component_id=component.id,
                code=indicator.code,
                text=indicator.text,
                position=position,
                options={k: {"points": o.points, "text": o.text} for k, o in indicator.options.items()},
                evidence=indicator.evidence,
                evidence_required=indicator.evidence_required,
            )
            for position, indicator in enumerate(indicators, start=1)
        ]

    @staticmethod
    def _band(band: Any) -> dict[str, str]:
        return {
            "grade": band.grade,
            "minimum": str(band.minimum),
            "label": band.label,
            "label_en": band.label_en,
        }

    @staticmethod
    def _check_bands(bands: Sequence[Any]) -> builtins.list[LoadProblem]:
        problems = []
        if not any(Decimal(b.minimum) == 0 for b in bands):
            problems.append(
                problem(
                    "bands",
                    "no_lowest_band",
                    "Perlu pita terendah mulai 0",
                    "A lowest band starting at 0 is needed",
                )
            )
        grades = [b.grade for b in bands]
        if len(grades) != len(set(grades)):
            problems.append(problem("bands", "duplicate_grade", "Nilai pita ganda", "Duplicate band grades"))
        return problems

    def _check_definition(self, data: InstrumentCreate) -> builtins.list[LoadProblem]:
        problems = self._check_bands(data.bands)
        codes = [c.code for c in data.components]
        for code in sorted({c for c in codes if codes.count(c) > 1}):
            problems.append(
                problem(
                    "components",
                    "duplicate_component",
                    f"Komponen ganda: {code}",
                    f"Duplicate component: {code}",
                )
            )
        total = sum((c.weight for c in data.components), Decimal(0))
        if total != HUNDRED:
            problems.append(
                problem(
                    "components",
                    "weights_sum",
                    f"Jumlah bobot {total}, seharusnya 100",
                    f"Weights sum to {total}, not 100",
                )
            )
        problems.extend(self._duplicate_indicators([i.code for c in data.components for i in c.indicators]))
        return problems

    @staticmethod
    def _duplicate_indicators(codes: Sequence[str]) -> builtins.list[LoadProblem]:
        seen: set[str] = set()
        problems = []
        for code in codes:
            if code in seen:
                problems.append(
                    problem(
                        f"indicator {code}",
                        "duplicate_indicator",
                        f"Kode indikator ganda: {code}",
                        f"Duplicate indicator code: {code}",
                        "code",
                    )
                )
            seen.add(code)
        return problems

    def _check_load(self, instrument: Instrument, load: IndicatorsLoad) -> builtins.list[LoadProblem]:
        known = [c.code for c in instrument.components]
        given = [c.code for c in load.components]
        problems = [
            problem(
                f"component {code}",
                "unknown_component",
                f"Komponen {code} tidak ada dalam instrumen ini (ada: {', '.join(known)})",
                f"Component {code} is not in this instrument (it has: {', '.join(known)})",
                "component",
            )
            for code in given
            if code not in known
        ]
        problems += [
            problem(
                f"component {code}",
                "component_repeated",
                f"Komponen {code} muncul lebih dari sekali",
                f"Component {code} appears more than once",
                "component",
            )
            for code in sorted({c for c in given if given.count(c) > 1})
        ]
        problems += [
            problem(
                f"component {code}",
                "component_without_indicators",
                f"Komponen {code} tidak diberi indikator",
                f"Component {code} has no indicators in the file",
                "component",
            )
            for code in known
            if code not in given
        ]
        problems += self._duplicate_indicators([i.code for c in load.components for i in c.indicators])
        return problems

    @staticmethod
    def _invalid(problems: Sequence[LoadProblem]) -> Unprocessable:
        return Unprocessable(
            f"Berkas instrumen tidak valid: {len(problems)} masalah",
            f"The instrument file is invalid: {len(problems)} problems",
            code="instrument_invalid",
            details={"problems": [p.model_dump() for p in problems]},
        )

    @staticmethod
    def _refuse(reason: Reason | None) -> None:
        if reason is not None:
            raise Refused(reasons=[reason])


instrument_service = InstrumentService()
