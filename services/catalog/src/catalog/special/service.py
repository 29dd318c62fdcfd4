"""Special collections: who may see and curate them, the records assigned, and digitised documents.

A digitised document is an e-resource registered in a collection with its original's conservation
status and an access condition; the condition sets the e-resource's access rule (public →
``public``, on site only → ``on_site``, by request → ``restricted``: staff open it on request), so
downloads stay checked in one place (:mod:`catalog.eresources.service`).
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.checks import refuse_if, run_validators
from catalog.domain_events import enqueue_index
from catalog.eresources.repository import EResourceRepository
from catalog.eresources.service import eresource_service
from catalog.items.service import branch_unknown
from catalog.models import (
    Branch,
    CollectionRecord,
    DigitisedDocument,
    EResource,
    SpecialCollection,
)
from catalog.records.service import record_service
from catalog.special.repository import SpecialCollectionRepository
from catalog.special.schemas import (
    CollectionCreate,
    CollectionRead,
    CollectionRecordRead,
    CollectionRef,
    CollectionUpdate,
    CuratorBranch,
    DocumentCreate,
    DocumentRead,
    DocumentUpdate,
)
from catalog.special.vocabulary import vocabulary
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.db.base import utcnow
from pusip_kit.errors import Conflict, NotFound, Reason
from pusip_kit.pagination import PaginationParams

STAFF_ROLES = (Role.ADMIN, Role.LIBRARIAN, Role.CATALOGER)
ACTION_REGISTER_DOCUMENT = "special_collection.register_document"


def collection_not_found(code: str) -> NotFound:
    return NotFound(
        f"Koleksi khusus '{code}' tidak ditemukan",
        f"Special collection '{code}' not found",
        code="special_collection_not_found",
        details={"code": code},
    )


def document_not_found(eresource_id: uuid.UUID) -> NotFound:
    return NotFound(
        f"Dokumen digital '{eresource_id}' tidak ada di koleksi ini",
        f"Digitised document '{eresource_id}' is not in this collection",
        code="document_not_found",
        details={"eresource_id": str(eresource_id)},
    )


# -- named refusals of registering a document -----------------------------------------------------


@dataclass
class DocumentContext:
    collection: SpecialCollection
    conservation_status: str | None
    access_condition: str | None
    existing: DigitisedDocument | None = None


def refuse_when_conservation_status_unknown(ctx: DocumentContext) -> Reason | None:
    status = ctx.conservation_status
    if status is not None and vocabulary().conservation(status) is None:
        known = [t.code for t in vocabulary().conservation_statuses]
        return Reason(
            "conservation_status_unknown",
            f"Status konservasi '{status}' tidak dikenal",
            f"Unknown conservation status '{status}'",
            {"status": status, "known": known},
        )
    return None


def refuse_when_access_condition_unknown(ctx: DocumentContext) -> Reason | None:
    condition = ctx.access_condition
    if condition is not None and vocabulary().access(condition) is None:
        known = [t.code for t in vocabulary().access_conditions]
        return Reason(
            "access_condition_unknown",
            f"Ketentuan akses '{condition}' tidak dikenal",
            f"Unknown access condition '{condition}'",
            {"condition": condition, "known": known},
        )
    return None


def refuse_when_document_in_another_collection(ctx: DocumentContext) -> Reason | None:
    if ctx.existing is not None and ctx.existing.collection_id != ctx.collection.id:
        return Reason(
            "document_in_another_collection",
            "Sumber elektronik ini sudah terdaftar di koleksi khusus lain",
            "This e-resource is already registered in another special collection",
            {"collection_id": str(ctx.existing.collection_id)},
        )
    return None


DOCUMENT_VALIDATORS = (
    refuse_when_conservation_status_unknown,
    refuse_when_access_condition_unknown,
    refuse_when_document_in_another_collection,
)


def _who(auth_subject: AuthSubject) -> str:
    return auth_subject.username or auth_subject.subject


class SpecialCollectionService:
    @staticmethod
    def is_staff(auth_subject: AuthSubject) -> bool:
        return auth_subject.has_role(*STAFF_ROLES)

    async def get(self, session: AsyncSession, auth_subject: AuthSubject, *, code: str) -> SpecialCollection:
        collection = await SpecialCollectionRepository(session).get_by_code(code)
        if collection is None or (not collection.public and not self.is_staff(auth_subject)):
            raise collection_not_found(code)
        return collection

    async def list(
        self, session: AsyncSession, auth_subject: AuthSubject, *, pagination: PaginationParams
    ) -> tuple[Sequence[SpecialCollection], int]:
        return await SpecialCollectionRepository(session).list(
            pagination=pagination, public_only=not self.is_staff(auth_subject)
        )

    async def read(self, session: AsyncSession, collection: SpecialCollection) -> CollectionRead:
        repository = SpecialCollectionRepository(session)
        branch = await repository.branch(collection.curator_branch)
        conservation = await repository.conservation_counts(collection.id)
        base = f"/special-collections/{collection.code}"
        return CollectionRead(
            id=collection.id,
            code=collection.code,
            name=collection.name,
            name_en=collection.name_en,
            description=collection.description,
            curator=_curator(collection.curator_branch, branch),
            public=collection.public,
            records=await repository.record_count(collection.id),
            documents=sum(conservation.values()),
            conservation=conservation,
            created_at=collection.created_at,
            updated_at=collection.updated_at,
            links={"self": base, "records": f"{base}/records", "documents": f"{base}/documents"},
        )

    async def create(
        self, session: AsyncSession, auth_subject: AuthSubject, *, data: CollectionCreate
    ) -> SpecialCollection:
        repository = SpecialCollectionRepository(session)
        await self._check_branch(repository, data.curator_branch)
        if await repository.get_by_code(data.code) is not None:
            raise _code_taken(data.code)
        collection = SpecialCollection(
            code=data.code,
            name=data.name,
            name_en=data.name_en,
            description=data.description,
            curator_branch=data.curator_branch,
            public=data.public,
            created_by=_who(auth_subject),
        )
        try:
            async with session.begin_nested():
                await repository.add(collection)
        except IntegrityError as exc:
            raise _code_taken(data.code) from exc
        return collection

    async def update(
        self, session: AsyncSession, auth_subject: AuthSubject, *, code: str, data: CollectionUpdate
    ) -> SpecialCollection:
        repository = SpecialCollectionRepository(session)
        collection = await self.get(session, auth_subject, code=code)
        if data.curator_branch is not None and data.curator_branch != collection.curator_branch:
            await self._check_branch(repository, data.curator_branch)
        for name in data.model_fields_set:
            setattr(collection, name, getattr(data, name))
        collection.updated_at = utcnow()
        await repository.flush()
        return collection

    @staticmethod
    async def _check_branch(repository: SpecialCollectionRepository, code: str) -> None:
        if await repository.branch(code) is None:
            raise branch_unknown(code)

    # -- records ----------------------------------------------------------------------------------

    async def records(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        collection: SpecialCollection,
        pagination: PaginationParams,
    ) -> tuple[builtins.list[CollectionRecordRead], int]:
        rows, total = await SpecialCollectionRepository(session).records(collection.id, pagination=pagination)
        return [
            CollectionRecordRead(
                record_id=record.id,
                title=record.title,
                authors=list(record.authors or []),
                year=record.year,
                material_type=record.material_type,
                note=membership.note,
                documents=documents,
                added_at=membership.added_at,
            )
            for membership, record, documents in rows
        ], total

    async def add_record(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        code: str,
        record_id: uuid.UUID,
        note: str | None,
    ) -> tuple[CollectionRecord, bool]:
        """Assign a record (idempotent: a second call only updates the note)."""
        repository = SpecialCollectionRepository(session)
        collection = await self.get(session, auth_subject, code=code)
        await record_service.get(session, auth_subject, record_id=record_id)
        membership = await repository.membership(collection.id, record_id)
        if membership is not None:
            if note is not None:
                membership.note = note
                await repository.flush()
            return membership, False
        membership = CollectionRecord(
            collection_id=collection.id, record_id=record_id, note=note, added_by=_who(auth_subject)
        )
        await repository.add(membership)
        return membership, True

    async def remove_record(
        self, session: AsyncSession, auth_subject: AuthSubject, *, code: str, record_id: uuid.UUID
    ) -> None:
        repository = SpecialCollectionRepository(session)
        collection = await self.get(session, auth_subject, code=code)
        membership = await repository.membership(collection.id, record_id)
        if membership is None:
            raise NotFound(
                "Rekaman ini tidak ada di koleksi",
                "The record is not in this collection",
                code="not_in_collection",
            )
        documents, _ = await repository.documents(
            pagination=PaginationParams(page=1, limit=1), collection_id=collection.id, record_id=record_id
        )
        if documents:
            raise Conflict(
                "Rekaman masih memiliki dokumen digital di koleksi ini; lepaskan dokumennya dulu",
                "The record still has digitised documents in this collection; remove them first",
                code="record_has_documents",
            )
        await repository.delete(membership)

    async def collections_of_record(
        self, session: AsyncSession, auth_subject: AuthSubject, *, record_id: uuid.UUID
    ) -> Sequence[SpecialCollection]:
        await record_service.get(session, auth_subject, record_id=record_id)
        return await SpecialCollectionRepository(session).collections_of_record(
            record_id, public_only=not self.is_staff(auth_subject)
        )

    # -- digitised documents ----------------------------------------------------------------------

    async def check_register(
        self, session: AsyncSession, auth_subject: AuthSubject, *, code: str, data: DocumentCreate
    ) -> tuple[SpecialCollection, EResource, builtins.list[Reason]]:
        collection = await self.get(session, auth_subject, code=code)
        eresource = await eresource_service.get(session, auth_subject, eresource_id=data.eresource_id)
        ctx = DocumentContext(
            collection=collection,
            conservation_status=data.conservation_status,
            access_condition=data.access_condition,
            existing=await SpecialCollectionRepository(session).document(eresource.id),
        )
        return collection, eresource, run_validators(DOCUMENT_VALIDATORS, ctx)

    async def register_document(
        self, session: AsyncSession, auth_subject: AuthSubject, *, code: str, data: DocumentCreate
    ) -> tuple[DigitisedDocument, bool]:
        """Register an e-resource as a digitised document (its record joins the collection too)."""
        repository = SpecialCollectionRepository(session)
        collection, eresource, reasons = await self.check_register(
            session, auth_subject, code=code, data=data
        )
        refuse_if(reasons)
        document = await repository.document(eresource.id)
        created = document is None
        if document is None:
            document = DigitisedDocument(eresource_id=eresource.id, collection_id=collection.id)
            session.add(document)
        document.conservation_status = data.conservation_status
        document.access_condition = data.access_condition
        document.original_description = data.original_description
        document.digitised_on = data.digitised_on
        document.notes = data.notes
        document.updated_by = _who(auth_subject)
        document.updated_at = utcnow()
        await repository.flush()
        if await repository.membership(collection.id, eresource.record_id) is None:
            await repository.add(
                CollectionRecord(
                    collection_id=collection.id, record_id=eresource.record_id, added_by=_who(auth_subject)
                )
            )
        await self._apply_access(session, eresource, data.access_condition)
        return document, created

    async def update_document(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        code: str,
        eresource_id: uuid.UUID,
        data: DocumentUpdate,
    ) -> DigitisedDocument:
        repository = SpecialCollectionRepository(session)
        collection = await self.get(session, auth_subject, code=code)
        document = await repository.document(eresource_id)
        if document is None or document.collection_id != collection.id:
            raise document_not_found(eresource_id)
        ctx = DocumentContext(
            collection=collection,
            conservation_status=data.conservation_status,
            access_condition=data.access_condition,
        )
        refuse_if(run_validators(DOCUMENT_VALIDATORS, ctx))
        for name in data.model_fields_set:
            setattr(document, name, getattr(data, name))
        document.updated_by = _who(auth_subject)
        document.updated_at = utcnow()
        await repository.flush()
        if data.access_condition is not None:
            eresource = await EResourceRepository(session).get(eresource_id)
            assert eresource is not None
            await self._apply_access(session, eresource, data.access_condition)
        return document

    async def remove_document(
        self, session: AsyncSession, auth_subject: AuthSubject, *, code: str, eresource_id: uuid.UUID
    ) -> None:
        repository = SpecialCollectionRepository(session)
        collection = await self.get(session, auth_subject, code=code)
        document = await repository.document(eresource_id)
        if document is None or document.collection_id != collection.id:
            raise document_not_found(eresource_id)
        await repository.delete(document)

    @staticmethod
    async def _apply_access(session: AsyncSession, eresource: EResource, condition: str) -> None:
        term = vocabulary().access(condition)
        rule = term.access_rule if term is not None else None
        if rule and rule != eresource.access:
            eresource.access = rule
            eresource.updated_at = utcnow()
            await EResourceRepository(session).flush()
            await enqueue_index(session, [eresource.record_id])

    async def documents(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        pagination: PaginationParams,
        collection: SpecialCollection | None = None,
        record_id: uuid.UUID | None = None,
        conservation_status: str | None = None,
    ) -> tuple[builtins.list[tuple[DigitisedDocument, EResource, str]], int]:
        return await SpecialCollectionRepository(session).documents(
            pagination=pagination,
            collection_id=collection.id if collection else None,
            record_id=record_id,
            conservation_status=conservation_status,
        )

    async def collections_by_id(
        self, session: AsyncSession, ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, SpecialCollection]:
        return await SpecialCollectionRepository(session).get_many(ids)

    def document_read(
        self,
        document: DigitisedDocument,
        eresource: EResource,
        record_title: str,
        collection: SpecialCollection,
        auth_subject: AuthSubject,
        client_ip: str | None,
        networks: Sequence[str],
    ) -> DocumentRead:
        vocab = vocabulary()
        conservation = vocab.conservation(document.conservation_status)
        access = vocab.access(document.access_condition)
        return DocumentRead(
            eresource=eresource_service.read(eresource, auth_subject, client_ip, networks),
            collection=CollectionRef(code=collection.code, name=collection.name, name_en=collection.name_en),
            record_title=record_title,
            conservation_status=document.conservation_status,
            conservation_label=conservation.label if conservation else document.conservation_status,
            conservation_label_en=conservation.label_en if conservation else document.conservation_status,
            original_handling=conservation.original_handling if conservation else None,
            access_condition=document.access_condition,
            access_label=access.label if access else document.access_condition,
            access_label_en=access.label_en if access else document.access_condition,
            original_description=document.original_description,
            digitised_on=document.digitised_on,
            notes=document.notes,
            updated_at=document.updated_at,
        )


def _curator(code: str, branch: Branch | None) -> CuratorBranch:
    if branch is None:
        return CuratorBranch(code=code)
    return CuratorBranch(
        code=branch.code, name=branch.name, email=branch.email, phone=branch.phone, address=branch.address
    )


def _code_taken(code: str) -> Conflict:
    return Conflict(
        f"Kode koleksi '{code}' sudah dipakai",
        f"Collection code '{code}' is already taken",
        code="collection_code_taken",
        details={"code": code},
    )


special_collection_service = SpecialCollectionService()
