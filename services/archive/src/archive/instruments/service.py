"""Instrument sets: import from the agencies' real files, review the problem report, edit, activate.

The import takes classification schemes (OpenSID CSV, SIMPEL SQL dump) and schedules (JRA JSON with
SKKAAD levels), reads each with :mod:`archive.instruments.readers`, lays the schedules over the
first scheme (:func:`~archive.instruments.readers.merge`) and stores every code with its retention,
disposition and security level, and every problem with the file it came from. Nothing is guessed
silently: what could not be read is in the report, and activating a set whose report still holds
errors needs an explicit acknowledgement.
"""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from archive.instruments.parse import InstrumentImport, Severity
from archive.instruments.readers import (
    check_hierarchy,
    kinds,
    merge,
    read_opensid_csv,
    read_simpel_sql,
    read_tvri_jra_json,
    summary,
)
from archive.instruments.repository import InstrumentRepository
from archive.instruments.schemas import (
    InstrumentCodeCreate,
    InstrumentCodeUpdate,
    ResolvedSchedule,
)
from archive.models import InstrumentCode, InstrumentProblem, InstrumentSet
from archive.models.instruments import SET_ACTIVE, SET_DRAFT
from pusip_kit.auth.subject import AuthSubject, SecurityLevel
from pusip_kit.db import utcnow
from pusip_kit.errors import BadRequest, Conflict, NotFound, Reason, Refused
from pusip_kit.outbox import emit_event
from pusip_kit.pagination import PaginationParams

EVENT_SET_IMPORTED = "archive.instrument_set.imported"
EVENT_SET_ACTIVATED = "archive.instrument_set.activated"
EVENT_CODE_CHANGED = "archive.instrument_code.changed"
MAX_SOURCE_BYTES = 20 * 1024 * 1024
_SCHEME_SUFFIXES = (".csv", ".sql")
_SCHEDULE_SUFFIXES = (".json",)
_SCHEDULE_FIELDS = (
    "active_years",
    "active_event",
    "inactive_years",
    "inactive_event",
    "disposition",
    "exception_condition",
    "exception_disposition",
)


@dataclass(frozen=True)
class SourceFile:
    name: str
    data: bytes


def set_not_found(set_id: Any) -> NotFound:
    return NotFound(
        f"Set instrumen '{set_id}' tidak ditemukan",
        f"Instrument set '{set_id}' not found",
        code="instrument_set_not_found",
        details={"set_id": str(set_id)},
    )


def code_not_found(set_id: Any, code: str) -> NotFound:
    return NotFound(
        f"Kode '{code}' tidak ada di set instrumen ini",
        f"Code '{code}' is not in this instrument set",
        code="instrument_code_not_found",
        details={"set_id": str(set_id), "code": code},
    )


def refuse_when_set_not_draft(item: InstrumentSet) -> Reason | None:
    if item.status == SET_DRAFT:
        return None
    return Reason(
        "refuse_when_set_not_draft",
        f"Set {item.name} {item.version} berstatus {item.status}; hanya draf yang dapat diubah "
        "(buat versi baru dengan menyalinnya)",
        f"Set {item.name} {item.version} is {item.status}; only drafts can be edited (clone it into a new version)",
        {"set_id": str(item.id), "status": item.status},
    )


def refuse_when_errors_unacknowledged(item: InstrumentSet, acknowledged: bool) -> Reason | None:
    errors = int((item.summary or {}).get("errors", 0))
    if errors == 0 or acknowledged:
        return None
    return Reason(
        "refuse_when_errors_unacknowledged",
        f"Laporan masalah memuat {errors} galat; periksa dan nyatakan acknowledge_problems untuk mengaktifkan",
        f"The problem report holds {errors} errors; review it and set acknowledge_problems to activate",
        {"set_id": str(item.id), "errors": errors},
    )


def refuse_when_set_empty(item: InstrumentSet) -> Reason | None:
    if int((item.summary or {}).get("codes", 0)) > 0:
        return None
    return Reason(
        "refuse_when_set_empty",
        "Set instrumen tidak memuat kode apa pun",
        "The instrument set holds no codes",
        {"set_id": str(item.id)},
    )


def _read_source(source: SourceFile) -> tuple[str, InstrumentImport]:
    """Which role the file plays (scheme or schedule) and what was read from it."""
    suffix = Path(source.name).suffix.lower()
    result = InstrumentImport()
    try:
        text = source.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        result.problem(
            None,
            None,
            "file_not_utf8",
            Severity.ERROR,
            f"Berkas {source.name} bukan teks UTF-8 (bita {exc.start}); berkas diabaikan",
            f"File {source.name} is not UTF-8 text (byte {exc.start}); the file is ignored",
        )
        return "unknown", result
    try:
        if suffix == ".csv":
            return "scheme", read_opensid_csv(text)
        if suffix == ".sql":
            return "scheme", read_simpel_sql(text)
        if suffix == ".json":
            return "schedule", read_tvri_jra_json(text)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        result.problem(
            None,
            None,
            "file_unreadable",
            Severity.ERROR,
            f"Berkas {source.name} tidak dapat dibaca: {exc}",
            f"File {source.name} could not be read: {exc}",
        )
        return "unknown", result
    result.problem(
        None,
        None,
        "file_unsupported",
        Severity.ERROR,
        f"Jenis berkas {source.name} tidak dikenal (gunakan .csv, .sql atau .json)",
        f"Unknown file type {source.name} (use .csv, .sql or .json)",
    )
    return "unknown", result


def read_sources(
    sources: Sequence[SourceFile],
) -> tuple[InstrumentImport, list[tuple[str | None, Any]], list[dict[str, Any]]]:
    """Read and merge ``sources``; returns the merged import, (file, problem) pairs and source facts."""
    schemes: list[InstrumentImport] = []
    schedules: list[InstrumentImport] = []
    tagged: list[tuple[str | None, Any]] = []
    facts: list[dict[str, Any]] = []
    for source in sources:
        role, result = _read_source(source)
        tagged.extend((source.name, p) for p in result.problems)
        facts.append(
            {
                "name": source.name,
                "role": role,
                "size": len(source.data),
                "sha256": hashlib.sha256(source.data).hexdigest(),
                "codes": len(result.entries),
                "problems": len(result.problems),
            }
        )
        clean = InstrumentImport(result.entries, [])
        if role == "scheme":
            schemes.append(clean)
        elif role == "schedule":
            schedules.append(clean)
    if schemes:
        merged = merge(schemes[0], *schemes[1:], *schedules)
    elif schedules:
        merged = merge(schedules[0], *schedules[1:])
    else:
        merged = InstrumentImport()
        check_hierarchy(merged)
    tagged.extend((None, p) for p in merged.problems)
    merged.problems = [p for _, p in tagged]
    return merged, tagged, facts


def _code_row(set_id: uuid.UUID, entry: Any) -> dict[str, Any]:
    active, inactive, rule = entry.active_retention, entry.inactive_retention, entry.disposition
    return {
        "id": uuid.uuid4(),
        "set_id": set_id,
        "code": entry.code,
        "parent_code": entry.parent_code,
        "level": entry.level,
        "title": (entry.title or None) and entry.title[:500],
        "description": entry.description,
        "active_years": active.years if active else None,
        "active_event": active.event[:500] if active and active.event else None,
        "active_raw": " ".join(active.raw.split())[:500] if active and active.raw else None,
        "inactive_years": inactive.years if inactive else None,
        "inactive_event": inactive.event[:500] if inactive and inactive.event else None,
        "inactive_raw": " ".join(inactive.raw.split())[:500] if inactive and inactive.raw else None,
        "disposition": rule.disposition.value if rule and rule.disposition else None,
        "exception_condition": rule.exception_condition if rule else None,
        "exception_disposition": rule.exception_disposition.value
        if rule and rule.exception_disposition
        else None,
        "follows_file": rule.follows_file[:200] if rule and rule.follows_file else None,
        "disposition_note": rule.note if rule else None,
        "disposition_raw": " ".join(rule.raw.split())[:500] if rule and rule.raw else None,
        "security_level": entry.security_level.value if entry.security_level else None,
        "access_categories": [],
        "law_forbids_destruction": False,
        "law_reference": None,
        "source_row": entry.source_row,
        "created_at": utcnow(),
        "updated_at": utcnow(),
    }


def _summary_of(merged: InstrumentImport) -> dict[str, int]:
    out = summary(merged)
    out["leaves_without_schedule"] = 0
    parents = {e.parent_code for e in merged.entries.values() if e.parent_code}
    out["leaves_without_schedule"] = sum(
        1 for e in merged.entries.values() if e.code not in parents and not e.has_schedule
    )
    return out


def resolve(codes: dict[str, InstrumentCode], code: str) -> ResolvedSchedule:
    """What a record under ``code`` inherits: the code's own values, blanks filled from its ancestors.

    Security defaults to ``BIASA`` when no level is set anywhere up the hierarchy (records are open
    in principle, UU KIP 14/2008); retention stays empty when no schedule is found (never due).
    """
    chain: list[InstrumentCode] = []
    current: str | None = code
    seen: set[str] = set()
    while current is not None and current in codes and current not in seen:
        seen.add(current)
        chain.append(codes[current])
        current = codes[current].parent_code
    own = chain[0]
    schedule_source = next(
        (c for c in chain if c.active_years is not None or c.disposition is not None), None
    )
    security_source = next((c for c in chain if c.security_level), None)
    law_source = next((c for c in chain if c.law_forbids_destruction), None)
    values = {f: getattr(schedule_source, f) if schedule_source else None for f in _SCHEDULE_FIELDS}
    return ResolvedSchedule(
        code=own.code,
        title=own.title,
        **values,
        security_level=security_source.security_level if security_source else SecurityLevel.BIASA.value,
        security_from=security_source.code if security_source else None,
        law_forbids_destruction=law_source is not None,
        law_reference=law_source.law_reference if law_source else None,
    )


def _ancestors(code: str) -> list[str]:
    out = [code]
    while "." in code:
        code = code.rsplit(".", 1)[0]
        out.append(code)
    return out


class InstrumentService:
    async def import_files(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        name: str,
        version: str,
        sources: Sequence[SourceFile],
        description: str | None = None,
    ) -> InstrumentSet:
        if not sources:
            raise BadRequest(
                "Sertakan setidaknya satu berkas instrumen",
                "Send at least one instrument file",
                code="instrument_files_missing",
            )
        for source in sources:
            if len(source.data) > MAX_SOURCE_BYTES:
                raise BadRequest(
                    f"Berkas {source.name} terlalu besar",
                    f"File {source.name} is too large",
                    code="instrument_file_too_large",
                    details={"max_bytes": MAX_SOURCE_BYTES},
                )
        repository = InstrumentRepository(session)
        if await repository.get_set_by_name(name, version) is not None:
            raise Conflict(
                f"Set instrumen {name} versi {version} sudah ada",
                f"Instrument set {name} version {version} already exists",
                code="instrument_set_exists",
                details={"name": name, "version": version},
            )
        merged, tagged, facts = read_sources(sources)
        item = InstrumentSet(
            name=name,
            version=version,
            status=SET_DRAFT,
            description=description,
            sources=facts,
            summary=_summary_of(merged),
            problem_kinds=kinds(merged),
            created_by=auth_subject.username or auth_subject.subject,
        )
        await repository.add(item)
        await repository.insert_codes([_code_row(item.id, e) for e in merged.entries.values()])
        await repository.insert_problems(
            [
                {
                    "id": uuid.uuid4(),
                    "set_id": item.id,
                    "seq": seq,
                    "source_file": source_file,
                    "source_row": p.source_row,
                    "code": (p.code or None) and p.code[:200],
                    "kind": p.kind,
                    "severity": p.severity.value,
                    "message": p.message,
                    "message_en": p.message_en,
                    "raw": p.raw,
                }
                for seq, (source_file, p) in enumerate(tagged, start=1)
            ]
        )
        await emit_event(
            session,
            EVENT_SET_IMPORTED,
            {"id": str(item.id), "name": name, "version": version, "summary": item.summary},
            key=str(item.id),
        )
        return item

    async def import_paths(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        name: str,
        version: str,
        paths: Sequence[Path],
        description: str | None = None,
        activate: bool = False,
    ) -> InstrumentSet:
        """The CLI entry: import files from disk (and optionally activate, acknowledging the report)."""
        sources = [SourceFile(path.name, path.read_bytes()) for path in paths]
        item = await self.import_files(
            session, auth_subject, name=name, version=version, sources=sources, description=description
        )
        if activate:
            item = await self.activate(session, auth_subject, set_id=item.id, acknowledge_problems=True)
        return item

    async def get(
        self, session: AsyncSession, auth_subject: AuthSubject, *, set_id: uuid.UUID
    ) -> InstrumentSet:
        item = await InstrumentRepository(session).get_set(set_id)
        if item is None:
            raise set_not_found(set_id)
        return item

    async def list_sets(
        self, session: AsyncSession, auth_subject: AuthSubject, *, pagination: PaginationParams
    ) -> tuple[Sequence[InstrumentSet], int]:
        return await InstrumentRepository(session).list_sets(pagination=pagination)

    async def active(self, session: AsyncSession) -> InstrumentSet | None:
        return await InstrumentRepository(session).active_set()

    def activation_reasons(self, item: InstrumentSet, *, acknowledge_problems: bool) -> list[Reason]:
        reasons = [
            refuse_when_set_not_draft(item),
            refuse_when_set_empty(item),
            refuse_when_errors_unacknowledged(item, acknowledge_problems),
        ]
        return [r for r in reasons if r is not None]

    async def activate(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        set_id: uuid.UUID,
        acknowledge_problems: bool = False,
        dry_run: bool = False,
    ) -> InstrumentSet:
        repository = InstrumentRepository(session)
        item = await self.get(session, auth_subject, set_id=set_id)
        reasons = self.activation_reasons(item, acknowledge_problems=acknowledge_problems)
        if reasons:
            raise Refused(reasons=reasons)
        if dry_run:
            return item
        await repository.retire_active(item.id)
        item.status = SET_ACTIVE
        item.activated_at = utcnow()
        item.activated_by = auth_subject.username or auth_subject.subject
        await session.flush()
        await emit_event(
            session,
            EVENT_SET_ACTIVATED,
            {"id": str(item.id), "name": item.name, "version": item.version},
            key=str(item.id),
        )
        return item

    async def clone(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        set_id: uuid.UUID,
        version: str,
        description: str | None = None,
    ) -> InstrumentSet:
        """A new draft version holding a copy of every code (the problem report stays with the original)."""
        repository = InstrumentRepository(session)
        source = await self.get(session, auth_subject, set_id=set_id)
        if await repository.get_set_by_name(source.name, version) is not None:
            raise Conflict(
                f"Set instrumen {source.name} versi {version} sudah ada",
                f"Instrument set {source.name} version {version} already exists",
                code="instrument_set_exists",
                details={"name": source.name, "version": version},
            )
        item = InstrumentSet(
            name=source.name,
            version=version,
            status=SET_DRAFT,
            description=description or source.description,
            sources=source.sources,
            summary=dict(source.summary),
            problem_kinds=dict(source.problem_kinds),
            created_by=auth_subject.username or auth_subject.subject,
            based_on_id=source.id,
        )
        await repository.add(item)
        skip = {"id", "set_id", "created_at", "updated_at"}
        rows = []
        for code in await repository.all_codes(source.id):
            row = {c.key: getattr(code, c.key) for c in InstrumentCode.__table__.columns if c.key not in skip}
            rows.append(
                {**row, "id": uuid.uuid4(), "set_id": item.id, "created_at": utcnow(), "updated_at": utcnow()}
            )
        await repository.insert_codes(rows)
        return item

    async def list_codes(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        set_id: uuid.UUID,
        pagination: PaginationParams,
        **filters: Any,
    ) -> tuple[Sequence[InstrumentCode], int]:
        await self.get(session, auth_subject, set_id=set_id)
        return await InstrumentRepository(session).list_codes(set_id, pagination=pagination, **filters)

    async def get_code(
        self, session: AsyncSession, auth_subject: AuthSubject, *, set_id: uuid.UUID, code: str
    ) -> InstrumentCode:
        item = await InstrumentRepository(session).get_code(set_id, code)
        if item is None:
            await self.get(session, auth_subject, set_id=set_id)
            raise code_not_found(set_id, code)
        return item

    async def resolve_code(self, session: AsyncSession, *, set_id: uuid.UUID, code: str) -> ResolvedSchedule:
        codes = await InstrumentRepository(session).codes_in(set_id, _ancestors(code))
        if code not in codes:
            raise code_not_found(set_id, code)
        return resolve(codes, code)

    async def create_code(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        set_id: uuid.UUID,
        data: InstrumentCodeCreate,
    ) -> InstrumentCode:
        repository = InstrumentRepository(session)
        item = await self.get(session, auth_subject, set_id=set_id)
        reason = refuse_when_set_not_draft(item)
        if reason is not None:
            raise Refused(reasons=[reason])
        if await repository.get_code(set_id, data.code) is not None:
            raise Conflict(
                f"Kode {data.code} sudah ada di set ini",
                f"Code {data.code} already exists in this set",
                code="instrument_code_exists",
                details={"code": data.code},
            )
        parent = data.code.rsplit(".", 1)[0] if "." in data.code else None
        if parent is not None and await repository.get_code(set_id, parent) is None:
            raise Refused(
                reasons=[
                    Reason(
                        "refuse_when_parent_missing",
                        f"Kode induk {parent} belum ada; buat kode {parent} sebelum {data.code}",
                        f"Parent code {parent} does not exist; create {parent} before {data.code}",
                        {"code": data.code, "parent_code": parent},
                    )
                ]
            )
        values = data.model_dump(exclude={"code"}, exclude_none=True)
        values["access_categories"] = [str(c) for c in values.get("access_categories", [])]
        code = InstrumentCode(
            set_id=set_id, code=data.code, parent_code=parent, level=data.code.count(".") + 1, **values
        )
        await repository.add(code)
        await emit_event(
            session,
            EVENT_CODE_CHANGED,
            {"set_id": str(set_id), "code": code.code, "created": True},
            key=code.code,
        )
        return code

    async def update_code(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        set_id: uuid.UUID,
        code: str,
        data: InstrumentCodeUpdate,
    ) -> InstrumentCode:
        item = await self.get(session, auth_subject, set_id=set_id)
        target = await self.get_code(session, auth_subject, set_id=set_id, code=code)
        reason = refuse_when_set_not_draft(item)
        if reason is not None:
            raise Refused(reasons=[reason])
        changes = {}
        for name in data.model_fields_set:
            value = getattr(data, name)
            if name == "access_categories":
                value = [str(c) for c in value or []]
            elif hasattr(value, "value"):
                value = value.value
            if getattr(target, name) != value:
                changes[name] = value
        if changes.get("law_forbids_destruction") and not (
            changes.get("law_reference") or target.law_reference
        ):
            raise BadRequest(
                "Sebutkan dasar hukum (law_reference) yang melarang pemusnahan",
                "Name the law (law_reference) that forbids destruction",
                code="law_reference_required",
            )
        for name, value in changes.items():
            setattr(target, name, value)
        if changes:
            await session.flush()
            await emit_event(
                session,
                EVENT_CODE_CHANGED,
                {"set_id": str(set_id), "code": target.code, "changed": sorted(changes)},
                key=target.code,
            )
        return target

    async def problems(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        set_id: uuid.UUID,
        severity: str | None = None,
        kind: str | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> tuple[Sequence[InstrumentProblem], int]:
        await self.get(session, auth_subject, set_id=set_id)
        return await InstrumentRepository(session).problems(
            set_id, severity=severity, kind=kind, offset=offset, limit=limit
        )

    async def problem_summary(
        self, session: AsyncSession, auth_subject: AuthSubject, *, set_id: uuid.UUID
    ) -> dict[str, Any]:
        await self.get(session, auth_subject, set_id=set_id)
        counts = await InstrumentRepository(session).problem_counts(set_id)
        by_severity: dict[str, int] = {}
        by_kind: dict[str, int] = {}
        for severity, kind, n in counts:
            by_severity[severity] = by_severity.get(severity, 0) + n
            by_kind[kind] = by_kind.get(kind, 0) + n
        return {
            "set_id": set_id,
            "total": sum(n for _, _, n in counts),
            "by_severity": by_severity,
            "by_kind": by_kind,
            "by_severity_and_kind": [{"severity": s, "kind": k, "count": n} for s, k, n in counts],
        }

    async def problems_csv(
        self, session: AsyncSession, auth_subject: AuthSubject, *, set_id: uuid.UUID, **filters: Any
    ) -> str:
        items, _ = await self.problems(session, auth_subject, set_id=set_id, **filters)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            ["seq", "severity", "kind", "source_file", "source_row", "code", "message", "message_en", "raw"]
        )
        for p in items:
            writer.writerow(
                [
                    p.seq,
                    p.severity,
                    p.kind,
                    p.source_file or "",
                    p.source_row or "",
                    p.code or "",
                    p.message,
                    p.message_en,
                    p.raw or "",
                ]
            )
        return out.getvalue()

    async def grounds(self, session: AsyncSession) -> Sequence[Any]:
        return await InstrumentRepository(session).grounds()


instrument_service = InstrumentService()
