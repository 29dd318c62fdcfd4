"""Library profile rules: officers manage every library, a library admin only their own.

Besides the profile: the library's staff, its accreditation history, the yearly data-refresh
confirmation (with reminders) and CSV/XLSX import and export with a result per row.
"""

from __future__ import annotations

import builtins
import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from accreditation.libraries.hours import format_hours
from accreditation.libraries.repository import LibraryRepository
from accreditation.libraries.schemas import (
    AccreditationDue,
    AccreditationRecordCreate,
    ImportReport,
    ImportRowResult,
    LibraryCreate,
    LibraryUpdate,
    PublicLibrary,
    RefreshStatus,
    StaffCreate,
    StaffRead,
    StaffUpdate,
)
from accreditation.models import (
    AccreditationRecord,
    CertificationStatus,
    Library,
    LibraryStaff,
    RefreshReminder,
    StaffRole,
)
from accreditation.tabular import Row
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.db import utcnow
from pusip_kit.errors import Conflict, Forbidden, NotFound, Unprocessable
from pusip_kit.outbox import emit_event
from pusip_kit.pagination import PaginationParams

EVENT_CREATED = "accreditation.library.created"
EVENT_UPDATED = "accreditation.library.updated"
EVENT_REFRESH_REQUESTED = "accreditation.library.refresh_requested"

OFFICER_ROLES = (Role.ADMIN, Role.ACCREDITATION_OFFICER)
# What the public directory shows of a library (besides the grade in force).
PUBLIC_FIELDS = tuple(f for f in PublicLibrary.model_fields if f not in ("grade", "accredited_until"))
# What a library's own administrator may keep up to date; type, segment, NPP, city and status
# are the accreditation office's to change.
LIBRARY_ADMIN_FIELDS = frozenset(
    {
        "name",
        "owner_agency",
        "district",
        "village",
        "address",
        "phone",
        "email",
        "head_name",
        "collection_size",
        "collection_titles",
        "opening_hours",
    }
)
NOT_ACCREDITED = "TIDAK_TERAKREDITASI"

# The CSV/XLSX columns, in order (export writes them, import reads them by name).
TABLE_COLUMNS = (
    "code",
    "name",
    "type",
    "segment",
    "npp",
    "owner_agency",
    "city",
    "district",
    "village",
    "address",
    "phone",
    "email",
    "head_name",
    "collection_size",
    "collection_titles",
    "opening_hours",
    "active",
)
_TRUE = {"1", "true", "ya", "y", "yes", "aktif"}
_FALSE = {"0", "false", "tidak", "t", "no", "n", "nonaktif"}


def library_not_found(code: str) -> NotFound:
    return NotFound(
        f"Perpustakaan '{code}' tidak ditemukan",
        f"Library '{code}' not found",
        code="library_not_found",
        details={"code": code},
    )


def not_your_library(library: Library, auth_subject: AuthSubject) -> Forbidden:
    return Forbidden(
        "Pengelola perpustakaan hanya dapat mengelola perpustakaannya sendiri",
        "A library administrator may only manage their own library",
        code="not_your_library",
        details={"library": library.code, "unit": auth_subject.unit},
    )


def library_event_payload(library: Library) -> dict[str, Any]:
    return {
        "id": str(library.id),
        "code": library.code,
        "name": library.name,
        "type": library.type,
        "segment": library.segment,
        "npp": library.npp,
        "city": library.city,
        "district": library.district,
        "village": library.village,
        "collection_size": library.collection_size,
        "collection_titles": library.collection_titles,
        "active": library.active,
        "updated_at": library.updated_at.isoformat(),
    }


def is_officer(auth_subject: AuthSubject) -> bool:
    return auth_subject.has_role(*OFFICER_ROLES)


def manages(auth_subject: AuthSubject, library: Library) -> bool:
    """The caller is the library's own administrator."""
    return Role.LIBRARY_ADMIN in auth_subject.roles and auth_subject.unit == library.code


def can_see_internal(auth_subject: AuthSubject, library: Library) -> bool:
    """Officers and assessors see every library's staff and files; a library admin their own."""
    return auth_subject.has_role(*OFFICER_ROLES, Role.ASSESSOR) or manages(auth_subject, library)


def staff_read(staff: LibraryStaff, today: date | None = None) -> StaffRead:
    today = today or datetime.now(UTC).date()
    valid = staff.certification_status == CertificationStatus.CERTIFIED and (
        staff.certified_until is None or staff.certified_until >= today
    )
    return StaffRead.model_validate({**_columns(staff), "certification_valid": valid})


def _columns(row: Any) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in row.__table__.columns}


def _plain(field: str, value: Any) -> Any:
    if field == "opening_hours" and value is not None:
        return [h.model_dump() if hasattr(h, "model_dump") else dict(h) for h in value]
    return value.value if hasattr(value, "value") else value


def _year_start(year: int) -> datetime:
    return datetime(year, 1, 1, tzinfo=UTC)


class LibraryService:
    # -- policy -------------------------------------------------------------------------------------

    @staticmethod
    def check_manage(auth_subject: AuthSubject, library: Library) -> None:
        if not is_officer(auth_subject) and not manages(auth_subject, library):
            raise not_your_library(library, auth_subject)

    @staticmethod
    def check_see_internal(auth_subject: AuthSubject, library: Library) -> None:
        if not can_see_internal(auth_subject, library):
            raise not_your_library(library, auth_subject)

    # -- profile ------------------------------------------------------------------------------------

    async def list(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        pagination: PaginationParams,
        type: str | None = None,
        city: str | None = None,
        segment: str | None = None,
        active: bool | None = None,
        has_npp: bool | None = None,
        query: str | None = None,
    ) -> tuple[Sequence[Library], int]:
        return await LibraryRepository(session).list(
            pagination=pagination,
            type=type,
            city=city,
            segment=segment,
            active=active,
            has_npp=has_npp,
            query=query,
        )

    async def public_list(
        self,
        session: AsyncSession,
        *,
        pagination: PaginationParams,
        type: str | None = None,
        city: str | None = None,
        segment: str | None = None,
        query: str | None = None,
        today: date | None = None,
    ) -> tuple[builtins.list[PublicLibrary], int]:
        """The public directory: active libraries only, each with the grade in force today."""
        today = today or datetime.now(UTC).date()
        repository = LibraryRepository(session)
        items, total = await repository.list(
            pagination=pagination, type=type, city=city, segment=segment, active=True, query=query
        )
        latest = {
            library.id: record
            for library, record in await repository.latest_accreditations([x.id for x in items])
            if record.grade != "TIDAK_TERAKREDITASI"
            and (record.valid_until is None or record.valid_until >= today)
        }
        out = []
        for library in items:
            record = latest.get(library.id)
            values = {name: getattr(library, name) for name in PUBLIC_FIELDS}
            values |= {
                "grade": record.grade if record else None,
                "accredited_until": record.valid_until if record else None,
            }
            out.append(PublicLibrary.model_validate(values))
        return out, total

    async def get(self, session: AsyncSession, auth_subject: AuthSubject, *, code: str) -> Library:
        library = await LibraryRepository(session).get_by_code(code)
        if library is None:
            raise library_not_found(code)
        return library

    async def create(
        self, session: AsyncSession, auth_subject: AuthSubject, *, data: LibraryCreate
    ) -> Library:
        if not is_officer(auth_subject):
            raise Forbidden(
                "Hanya petugas akreditasi yang dapat menambah perpustakaan",
                "Only accreditation officers can add libraries",
                code="missing_role",
            )
        repository = LibraryRepository(session)
        if await repository.get_by_code(data.code) is not None:
            raise self._code_taken(data.code)
        if data.npp is not None and await repository.get_by_npp(data.npp) is not None:
            raise self._npp_taken(data.npp)
        values = {name: _plain(name, getattr(data, name)) for name in LibraryCreate.model_fields}
        library = Library(**values)
        try:
            await repository.add(library)
        except IntegrityError as exc:
            raise Conflict(
                "Perpustakaan dengan kode atau NPP ini baru saja didaftarkan",
                "A library with this code or NPP was registered concurrently",
                code="library_conflict",
            ) from exc
        await emit_event(session, EVENT_CREATED, library_event_payload(library), key=library.code)
        return library

    @staticmethod
    def changes_of(library: Library, data: LibraryUpdate) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        for field in data.model_fields_set:
            value = _plain(field, getattr(data, field))
            if getattr(library, field) != value:
                changes[field] = value
        return changes

    async def update(
        self, session: AsyncSession, auth_subject: AuthSubject, *, code: str, data: LibraryUpdate
    ) -> Library:
        repository = LibraryRepository(session)
        library = await repository.get_by_code(code)
        if library is None:
            raise library_not_found(code)
        if not is_officer(auth_subject):
            if not manages(auth_subject, library):
                raise not_your_library(library, auth_subject)
            restricted = sorted(set(data.model_fields_set) - LIBRARY_ADMIN_FIELDS)
            if restricted:
                listed = ", ".join(restricted)
                raise Forbidden(
                    f"Isian berikut hanya dapat diubah petugas akreditasi: {listed}",
                    f"Only accreditation officers may change: {listed}",
                    code="field_not_editable",
                    details={"fields": restricted},
                )
        changes = self.changes_of(library, data)
        if changes.get("npp") is not None and await repository.get_by_npp(
            changes["npp"], exclude_id=library.id
        ):
            raise self._npp_taken(changes["npp"])
        if not changes:
            return library
        for field, value in changes.items():
            setattr(library, field, value)
        try:
            await repository.flush()
        except IntegrityError as exc:
            raise self._npp_taken(str(changes.get("npp"))) from exc
        payload = library_event_payload(library)
        payload["changed"] = sorted(changes)
        await emit_event(session, EVENT_UPDATED, payload, key=library.code)
        return library

    async def confirm(self, session: AsyncSession, auth_subject: AuthSubject, *, code: str) -> Library:
        """The library confirms its profile is current (the yearly data refresh)."""
        library = await self.get(session, auth_subject, code=code)
        self.check_manage(auth_subject, library)
        library.data_confirmed_at = utcnow()
        await LibraryRepository(session).flush()
        return library

    # -- staff --------------------------------------------------------------------------------------

    async def list_staff(
        self, session: AsyncSession, auth_subject: AuthSubject, *, code: str
    ) -> tuple[Library, Sequence[LibraryStaff]]:
        library = await self.get(session, auth_subject, code=code)
        self.check_see_internal(auth_subject, library)
        return library, await LibraryRepository(session).staff_of(library.id)

    async def add_staff(
        self, session: AsyncSession, auth_subject: AuthSubject, *, code: str, data: StaffCreate
    ) -> LibraryStaff:
        library = await self.get(session, auth_subject, code=code)
        self.check_manage(auth_subject, library)
        staff = LibraryStaff(
            library_id=library.id,
            **{name: _plain(name, getattr(data, name)) for name in StaffCreate.model_fields},
        )
        await LibraryRepository(session).add_staff(staff)
        return staff

    async def _staff(
        self, session: AsyncSession, auth_subject: AuthSubject, code: str, staff_id: uuid.UUID
    ) -> LibraryStaff:
        library = await self.get(session, auth_subject, code=code)
        self.check_manage(auth_subject, library)
        staff = await LibraryRepository(session).get_staff(library.id, staff_id)
        if staff is None:
            raise NotFound(
                "Tenaga perpustakaan tidak ditemukan",
                "Staff member not found",
                code="staff_not_found",
                details={"id": str(staff_id)},
            )
        return staff

    async def update_staff(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        code: str,
        staff_id: uuid.UUID,
        data: StaffUpdate,
    ) -> LibraryStaff:
        staff = await self._staff(session, auth_subject, code, staff_id)
        for field in data.model_fields_set:
            setattr(staff, field, _plain(field, getattr(data, field)))
        # The merged record must still be consistent (e.g. a number only when certified).
        try:
            StaffCreate.model_validate({name: getattr(staff, name) for name in StaffCreate.model_fields})
        except ValidationError as exc:
            raise Unprocessable(
                "Data sertifikasi tidak konsisten",
                "Certification data is inconsistent",
                code="staff_inconsistent",
                details=[{"msg": e["msg"]} for e in exc.errors()],
            ) from exc
        await LibraryRepository(session).flush()
        return staff

    async def delete_staff(
        self, session: AsyncSession, auth_subject: AuthSubject, *, code: str, staff_id: uuid.UUID
    ) -> None:
        staff = await self._staff(session, auth_subject, code, staff_id)
        await LibraryRepository(session).delete_staff(staff)

    @staticmethod
    def staff_summary(staff: Sequence[LibraryStaff], today: date) -> dict[str, int]:
        active = [s for s in staff if s.active]
        return {
            "total": len(active),
            "librarians": sum(1 for s in active if s.role == StaffRole.LIBRARIAN),
            "certified": sum(1 for s in active if staff_read(s, today).certification_valid),
            "library_science": sum(1 for s in active if s.library_science),
        }

    # -- accreditation history ----------------------------------------------------------------------

    async def accreditations(
        self, session: AsyncSession, auth_subject: AuthSubject, *, code: str
    ) -> Sequence[AccreditationRecord]:
        library = await self.get(session, auth_subject, code=code)
        return await LibraryRepository(session).accreditations_of(library.id)

    async def add_accreditation(
        self, session: AsyncSession, auth_subject: AuthSubject, *, code: str, data: AccreditationRecordCreate
    ) -> AccreditationRecord:
        if not is_officer(auth_subject):
            raise Forbidden(
                "Hanya petugas akreditasi yang dapat mencatat riwayat akreditasi",
                "Only accreditation officers can record accreditation history",
                code="missing_role",
            )
        library = await self.get(session, auth_subject, code=code)
        record = AccreditationRecord(library_id=library.id, source="manual", **data.model_dump())
        await LibraryRepository(session).add_accreditation(record)
        return record

    @staticmethod
    def current_accreditation(
        records: Sequence[AccreditationRecord], today: date
    ) -> AccreditationRecord | None:
        for record in records:  # newest first
            if record.grade != NOT_ACCREDITED and (record.valid_until is None or record.valid_until >= today):
                return record
        return None

    async def accreditation_due(
        self, session: AsyncSession, auth_subject: AuthSubject, *, within_days: int, today: date | None = None
    ) -> builtins.list[AccreditationDue]:
        today = today or datetime.now(UTC).date()
        horizon = today + timedelta(days=within_days)
        out = []
        for library, record in await LibraryRepository(session).latest_accreditations():
            if not library.active or record.grade == NOT_ACCREDITED or record.valid_until is None:
                continue
            if record.valid_until <= horizon:
                out.append(
                    AccreditationDue(
                        code=library.code,
                        name=library.name,
                        type=library.type,
                        city=library.city,
                        grade=record.grade,
                        valid_until=record.valid_until,
                        days_left=(record.valid_until - today).days,
                    )
                )
        return sorted(out, key=lambda d: (d.valid_until, d.code))

    # -- yearly refresh -----------------------------------------------------------------------------

    async def refresh_status(
        self, session: AsyncSession, auth_subject: AuthSubject, *, year: int
    ) -> builtins.list[RefreshStatus]:
        """Active libraries that have not confirmed their data during ``year``."""
        repository = LibraryRepository(session)
        reminded = await repository.reminded_in(year)
        return [
            RefreshStatus(
                code=library.code,
                name=library.name,
                city=library.city,
                email=library.email,
                data_confirmed_at=library.data_confirmed_at,
                reminded=library.id in reminded,
            )
            for library in await repository.not_confirmed_since(_year_start(year))
        ]

    async def send_refresh_reminders(
        self, session: AsyncSession, *, today: date, start_month: int = 1
    ) -> int:
        """Remind every active library that has not confirmed its data this year, once a year.

        Idempotent: a reminder row per library and year marks it sent (the event that asks the
        notifier to write to the library is emitted in the same transaction).
        """
        if today.month < start_month:
            return 0
        repository = LibraryRepository(session)
        reminded = await repository.reminded_in(today.year)
        sent = 0
        for library in await repository.not_confirmed_since(_year_start(today.year)):
            if library.id in reminded:
                continue
            await repository.add_reminder(RefreshReminder(library_id=library.id, year=today.year))
            await emit_event(
                session,
                EVENT_REFRESH_REQUESTED,
                {
                    "code": library.code,
                    "name": library.name,
                    "email": library.email,
                    "city": library.city,
                    "year": today.year,
                    "data_confirmed_at": library.data_confirmed_at,
                },
                key=library.code,
            )
            sent += 1
        return sent

    # -- import / export ----------------------------------------------------------------------------

    @staticmethod
    def table_row(library: Library) -> builtins.list[Any]:
        return [
            format_hours(library.opening_hours)
            if column == "opening_hours"
            else ("ya" if library.active else "tidak")
            if column == "active"
            else getattr(library, column)
            for column in TABLE_COLUMNS
        ]

    async def export_rows(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        type: str | None = None,
        city: str | None = None,
        segment: str | None = None,
        active: bool | None = None,
    ) -> builtins.list[builtins.list[Any]]:
        libraries = await LibraryRepository(session).all(type=type, city=city, segment=segment, active=active)
        return [self.table_row(library) for library in libraries]

    async def import_rows(
        self, session: AsyncSession, auth_subject: AuthSubject, *, rows: Sequence[Row], dry_run: bool
    ) -> ImportReport:
        """Create or update one library per row (by code); a bad row is reported and skipped.

        Blank cells leave an existing library's value as it is.
        """
        if not is_officer(auth_subject):
            raise Forbidden(
                "Hanya petugas akreditasi yang dapat mengimpor perpustakaan",
                "Only accreditation officers can import libraries",
                code="missing_role",
            )
        repository = LibraryRepository(session)
        results: builtins.list[ImportRowResult] = []
        seen_codes: dict[str, int] = {}
        seen_npps: dict[str, str] = {}
        for row in rows:
            values = {k: v for k, v in row.values.items() if k in TABLE_COLUMNS and v != ""}
            if "active" in values:
                flag = values["active"].lower()
                if flag in _TRUE or flag in _FALSE:
                    values["active"] = flag in _TRUE  # type: ignore[assignment]
            code = (values.get("code") or "").strip().lower() or None
            errors: builtins.list[dict[str, Any]] = []
            if code is None:
                errors.append(
                    {"field": "code", "message": "kode wajib diisi", "message_en": "code is required"}
                )
            elif code in seen_codes:
                errors.append(
                    {
                        "field": "code",
                        "message": f"kode sama dengan baris {seen_codes[code]}",
                        "message_en": f"same code as row {seen_codes[code]}",
                    }
                )
            if errors:
                results.append(ImportRowResult(row=row.number, code=code, status="error", errors=errors))
                continue
            assert code is not None
            seen_codes[code] = row.number
            existing = await repository.get_by_code(code)
            try:
                if existing is None:
                    data: LibraryCreate | LibraryUpdate = LibraryCreate.model_validate(values)
                else:
                    values.pop("code", None)
                    data = LibraryUpdate.model_validate(values)
            except ValidationError as exc:
                results.append(
                    ImportRowResult(row=row.number, code=code, status="error", errors=_validation_errors(exc))
                )
                continue
            npp = data.npp if "npp" in data.model_fields_set or existing is None else None
            if npp:
                other = await repository.get_by_npp(npp, exclude_id=existing.id if existing else None)
                if other is not None or seen_npps.get(npp, code) != code:
                    results.append(
                        ImportRowResult(
                            row=row.number,
                            code=code,
                            status="error",
                            errors=[
                                {
                                    "field": "npp",
                                    "message": f"NPP {npp} sudah tercatat untuk perpustakaan lain",
                                    "message_en": f"NPP {npp} is already recorded for another library",
                                }
                            ],
                        )
                    )
                    continue
                seen_npps[npp] = code
            if existing is None:
                assert isinstance(data, LibraryCreate)
                if not dry_run:
                    await self.create(session, auth_subject, data=data)
                results.append(ImportRowResult(row=row.number, code=code, status="created"))
                continue
            assert isinstance(data, LibraryUpdate)
            changes = self.changes_of(existing, data)
            if changes and not dry_run:
                await self.update(session, auth_subject, code=code, data=data)
            results.append(
                ImportRowResult(
                    row=row.number,
                    code=code,
                    status="updated" if changes else "unchanged",
                    changed=sorted(changes),
                )
            )
        counts = Counter(r.status for r in results)
        return ImportReport(
            dry_run=dry_run,
            total=len(results),
            created=counts["created"],
            updated=counts["updated"],
            unchanged=counts["unchanged"],
            errors=counts["error"],
            rows=results,
        )

    @staticmethod
    def _code_taken(code: str) -> Conflict:
        return Conflict(
            f"Kode perpustakaan '{code}' sudah dipakai",
            f"Library code '{code}' is already taken",
            code="library_code_taken",
            details={"code": code},
        )

    @staticmethod
    def _npp_taken(npp: str) -> Conflict:
        return Conflict(
            f"NPP {npp} sudah tercatat untuk perpustakaan lain",
            f"NPP {npp} is already recorded for another library",
            code="library_npp_taken",
            details={"npp": npp},
        )


def _validation_errors(exc: ValidationError) -> builtins.list[dict[str, Any]]:
    out = []
    for error in exc.errors():
        field = ".".join(str(p) for p in error.get("loc", ())) or None
        message = error.get("msg", "")
        out.append({"field": field, "message": message, "message_en": message})
    return out


library_service = LibraryService()
