"""Library profile rules: officers manage every library, a library admin only their own."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from accreditation.libraries.repository import LibraryRepository
from accreditation.libraries.schemas import LibraryCreate, LibraryUpdate
from accreditation.models import Library
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.errors import Conflict, Forbidden, NotFound
from pusip_kit.outbox import emit_event
from pusip_kit.pagination import PaginationParams

EVENT_CREATED = "accreditation.library.created"
EVENT_UPDATED = "accreditation.library.updated"

OFFICER_ROLES = (Role.ADMIN, Role.ACCREDITATION_OFFICER)
# What a library's own administrator may keep up to date; type, NPP, city and status are
# the accreditation office's to change.
LIBRARY_ADMIN_FIELDS = frozenset({"name", "owner_agency", "address", "collection_size"})


def library_not_found(code: str) -> NotFound:
    return NotFound(
        f"Perpustakaan '{code}' tidak ditemukan",
        f"Library '{code}' not found",
        code="library_not_found",
        details={"code": code},
    )


def library_event_payload(library: Library) -> dict[str, Any]:
    return {
        "id": str(library.id),
        "code": library.code,
        "name": library.name,
        "type": library.type,
        "npp": library.npp,
        "city": library.city,
        "collection_size": library.collection_size,
        "active": library.active,
        "updated_at": library.updated_at.isoformat(),
    }


class LibraryService:
    @staticmethod
    def _is_officer(auth_subject: AuthSubject) -> bool:
        return auth_subject.has_role(*OFFICER_ROLES)

    @staticmethod
    def _manages(auth_subject: AuthSubject, library: Library) -> bool:
        return Role.LIBRARY_ADMIN in auth_subject.roles and auth_subject.unit == library.code

    async def list(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        pagination: PaginationParams,
        type: str | None = None,
        city: str | None = None,
        active: bool | None = None,
        has_npp: bool | None = None,
        query: str | None = None,
    ) -> tuple[Sequence[Library], int]:
        return await LibraryRepository(session).list(
            pagination=pagination, type=type, city=city, active=active, has_npp=has_npp, query=query
        )

    async def get(self, session: AsyncSession, auth_subject: AuthSubject, *, code: str) -> Library:
        library = await LibraryRepository(session).get_by_code(code)
        if library is None:
            raise library_not_found(code)
        return library

    async def create(
        self, session: AsyncSession, auth_subject: AuthSubject, *, data: LibraryCreate
    ) -> Library:
        repository = LibraryRepository(session)
        if await repository.get_by_code(data.code) is not None:
            raise self._code_taken(data.code)
        if data.npp is not None and await repository.get_by_npp(data.npp) is not None:
            raise self._npp_taken(data.npp)
        library = Library(
            code=data.code,
            name=data.name,
            type=data.type.value,
            npp=data.npp,
            owner_agency=data.owner_agency,
            city=data.city.value,
            address=data.address,
            collection_size=data.collection_size,
            active=data.active,
        )
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

    async def update(
        self, session: AsyncSession, auth_subject: AuthSubject, *, code: str, data: LibraryUpdate
    ) -> Library:
        repository = LibraryRepository(session)
        library = await repository.get_by_code(code)
        if library is None:
            raise library_not_found(code)
        if not self._is_officer(auth_subject):
            if not self._manages(auth_subject, library):
                raise Forbidden(
                    "Pengelola perpustakaan hanya dapat mengubah profil perpustakaannya sendiri",
                    "A library administrator may only update their own library",
                    code="not_your_library",
                    details={"library": library.code, "unit": auth_subject.unit},
                )
            restricted = sorted(set(data.model_fields_set) - LIBRARY_ADMIN_FIELDS)
            if restricted:
                listed = ", ".join(restricted)
                raise Forbidden(
                    f"Isian berikut hanya dapat diubah petugas akreditasi: {listed}",
                    f"Only accreditation officers may change: {listed}",
                    code="field_not_editable",
                    details={"fields": restricted},
                )
        changes: dict[str, Any] = {}
        for field in data.model_fields_set:
            value = getattr(data, field)
            if hasattr(value, "value"):
                value = value.value
            if getattr(library, field) != value:
                changes[field] = value
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


library_service = LibraryService()
