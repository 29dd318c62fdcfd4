"""Cataloguing accepted legal deposits, and reading their full text from the deposit service.

:meth:`LegalDepositService.catalogue` runs inside the event handler's transaction (one per event,
deduplicated on the event id by the kit): it writes the record, the items and the e-resources and
queues, for each e-resource with extracted text, the task ``catalog.deposits.fetch_text``, which
reads the text over HTTP with the catalogue's service token (client credentials) and re-indexes
the record. A second delivery of the same deposit (another event id) finds the record by its
``source_ref`` and does nothing.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass, field

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catalog.config import CatalogSettings
from catalog.deposits import DEPOSIT_KEY_PREFIX
from catalog.deposits.marc import build_record
from catalog.deposits.payload import AcceptedDeposit, DepositedFile
from catalog.deposits.repository import LegalDepositRepository
from catalog.domain_events import RECORD_UPDATED, emit_events, enqueue_index, record_payload
from catalog.eresources.service import clean_filename
from catalog.items.schemas import ItemCreate
from catalog.items.service import item_service
from catalog.marc.export import to_marc_json
from catalog.models import AccessRule, AcquisitionSource, BibRecord, EResource, RecordSource, TextStatus
from catalog.records.service import record_service
from catalog.runtime import CatalogRuntime
from catalog.search.indexer import index_records
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.clients.base import ClientCredentialsTokens
from pusip_kit.clients.deposit import DepositClient
from pusip_kit.db.base import utcnow
from pusip_kit.errors import Conflict, NotFound, Unprocessable
from pusip_kit.outbox import enqueue_task

log = logging.getLogger(__name__)

TASK_FETCH_TEXT = "catalog.deposits.fetch_text"
EVENT_ACCEPTED = "deposit.deposit.accepted"

CATALOGUER = AuthSubject(
    subject="service:catalog-legal-deposit",
    username="serah-simpan",
    name="Serah simpan (otomatis)",
    roles=frozenset({Role.CATALOGER}),
)

FORMATS = {
    "application/pdf": "pdf",
    "application/epub+zip": "epub",
    "text/plain": "text",
}


def format_of(content_type: str) -> str:
    base = content_type.split(";", 1)[0].strip().lower()
    if base in FORMATS:
        return FORMATS[base]
    for prefix, name in (("image/", "image"), ("audio/", "audio"), ("video/", "video")):
        if base.startswith(prefix):
            return name
    return "other"


def source_ref(deposit_id: uuid.UUID | str) -> str:
    return f"deposit:{deposit_id}"


def object_key(deposit_id: uuid.UUID | str, file_id: uuid.UUID | str) -> str:
    return f"{DEPOSIT_KEY_PREFIX}{deposit_id}/{file_id}"


def parse_object_key(key: str) -> tuple[uuid.UUID, uuid.UUID] | None:
    """(deposit id, file id) of an e-resource kept by the deposit service, else None."""
    if not key.startswith(DEPOSIT_KEY_PREFIX):
        return None
    try:
        deposit_id, file_id = key.removeprefix(DEPOSIT_KEY_PREFIX).split("/")
        return uuid.UUID(deposit_id), uuid.UUID(file_id)
    except ValueError:
        return None


def barcodes_for(prefix: str, deposit: AcceptedDeposit, copies: int) -> list[str]:
    """``DEP-2026-000123-1`` … from receipt ``TT/DISPUSIP/2026/000123`` (stable: a rerun finds them)."""
    numbers = re.findall(r"\d+", deposit.receipt_number or "")
    stem = "-".join(numbers[-2:]) if numbers else deposit.deposit_id.hex[:12].upper()
    return [f"{prefix}-{stem}-{n}" for n in range(1, copies + 1)]


@dataclass
class CatalogueResult:
    record_id: uuid.UUID | None = None
    created: bool = False
    attached_to_existing: bool = False
    already_catalogued: bool = False
    items: list[str] = field(default_factory=list)
    eresources: list[uuid.UUID] = field(default_factory=list)


class LegalDepositService:
    async def catalogue(
        self, session: AsyncSession, settings: CatalogSettings, *, deposit: AcceptedDeposit
    ) -> CatalogueResult:
        repository = LegalDepositRepository(session)
        result = CatalogueResult()
        existing = await repository.record_of_deposit(source_ref(deposit.deposit_id))
        if existing is not None:
            result.record_id, result.already_catalogued = existing.id, True
            return result
        access = AccessRule(deposit.access_rule(settings.legal_deposit_access))
        marc = build_record(
            deposit,
            agency_code=settings.marc_agency_code,
            gateway_url=settings.gateway_url,
            access=access.value,
        )
        # The same file already in the digital collection: the deposit joins that record.
        found = await repository.record_holding_file([f.sha256 for f in deposit.readable_files if f.sha256])
        record: BibRecord
        if found is not None:
            record = found
        else:
            try:
                record = await record_service.create(
                    session,
                    CATALOGUER,
                    marc=to_marc_json(marc),
                    source=RecordSource.LEGAL_DEPOSIT,
                    source_ref=source_ref(deposit.deposit_id),
                )
                result.created = True
            except Conflict as exc:
                # The title is already in the catalogue (same ISBN): the deposit joins that record.
                details = exc.details if isinstance(exc.details, dict) else {}
                existing_id = details.get("existing_id")
                if not existing_id:
                    raise
                record = await record_service.get(session, CATALOGUER, record_id=uuid.UUID(existing_id))
        if not result.created:
            result.attached_to_existing = True
            await self._mark_legal_deposit(session, record)
            log.info(
                "serah simpan %s: karya sudah ada di katalog (%s), ditandai serah simpan / work already "
                "catalogued, marked as legal deposit",
                deposit.receipt_number,
                record.id,
            )
        result.record_id = record.id
        if deposit.printed and deposit.copies > 0:
            result.items = await self._items(session, settings, deposit, record)
        if not deposit.printed:
            result.eresources = await self._eresources(session, deposit, record, access)
        return result

    @staticmethod
    async def _mark_legal_deposit(session: AsyncSession, record: BibRecord) -> None:
        """A record the deposit joined is a legal deposit from now on, so in the regional bibliography."""
        if record.source == RecordSource.LEGAL_DEPOSIT and record.regional:
            return
        record.source = RecordSource.LEGAL_DEPOSIT.value
        record.regional = True
        record.datestamp = utcnow()  # harvesters see it enter the regional-bibliography set
        record.version += 1
        record.updated_by = CATALOGUER.username
        await session.flush()
        await emit_events(session, [(RECORD_UPDATED, record_payload(record), str(record.id))])
        await enqueue_index(session, [record.id])

    async def _items(
        self, session: AsyncSession, settings: CatalogSettings, deposit: AcceptedDeposit, record: BibRecord
    ) -> list[str]:
        repository = LegalDepositRepository(session)
        branch = settings.legal_deposit_branch
        if not await repository.branch_exists(branch):
            raise Unprocessable(
                f"Cabang perpustakaan provinsi '{branch}' untuk eksemplar serah simpan tidak ada di katalog",
                f"The provincial library branch '{branch}' for legal deposit copies is not in the catalogue",
                code="branch_unknown",
                details={"branch": branch},
            )
        barcodes = barcodes_for(settings.legal_deposit_barcode_prefix, deposit, deposit.copies)
        taken = await repository.existing_barcodes(barcodes)
        receipt = deposit.receipt_number or str(deposit.deposit_id)
        created = []
        for barcode in barcodes:
            if barcode in taken:
                continue
            await item_service.create(
                session,
                CATALOGUER,
                data=ItemCreate(
                    barcode=barcode,
                    record_id=record.id,
                    branch=branch,
                    location=settings.legal_deposit_location,
                    acquisition_source=AcquisitionSource.LEGAL_DEPOSIT,
                    notes=f"Serah simpan, tanda terima {receipt}",
                ),
            )
            created.append(barcode)
        return created

    async def _eresources(
        self, session: AsyncSession, deposit: AcceptedDeposit, record: BibRecord, access: AccessRule
    ) -> list[uuid.UUID]:
        repository = LegalDepositRepository(session)
        files = deposit.readable_files
        keys = [object_key(deposit.deposit_id, f.file_id) for f in files]
        taken = await repository.existing_object_keys(keys)
        held = await repository.file_digests(record.id)  # the same bytes already there: not twice
        created: list[uuid.UUID] = []
        for file, key in zip(files, keys, strict=True):
            if key in taken or (file.sha256 and file.sha256 in held):
                continue
            eresource = self._eresource(record, file, key, access)
            await repository.add_eresource(eresource)
            if file.has_text:
                await enqueue_task(session, TASK_FETCH_TEXT, str(eresource.id))
            created.append(eresource.id)
        if created:
            await enqueue_index(session, [record.id])
        return created

    @staticmethod
    def _eresource(record: BibRecord, file: DepositedFile, key: str, access: AccessRule) -> EResource:
        status = TextStatus.PENDING if file.has_text else TextStatus.NONE
        if file.text_status == "failed":
            status = TextStatus.FAILED
        return EResource(
            id=uuid.uuid4(),
            record_id=record.id,
            object_key=key,
            filename=clean_filename(file.filename),
            content_type=file.content_type[:100],
            format=format_of(file.content_type),
            size=file.size,
            sha256=file.sha256,
            access=access.value,
            text_status=status.value,
            uploaded_by=CATALOGUER.username,
        )

    # -- the full text, from the deposit service -----------------------------------------------------

    async def fetch_text(
        self,
        runtime: CatalogRuntime,
        sessionmaker: async_sessionmaker[AsyncSession],
        eresource_id: str,
        *,
        http: httpx.AsyncClient | None = None,
    ) -> dict[str, object]:
        """Task body: read the e-resource's text from the deposit service, keep it, re-index.

        Safe to run twice (an e-resource whose text is no longer pending is left alone). A deposit
        service that cannot be reached, or a refused service token, raises: the task is retried.
        """
        settings = runtime.settings
        async with sessionmaker() as session:
            eresource = await LegalDepositRepository(session).eresource(uuid.UUID(eresource_id))
        if eresource is None:
            return {"status": "missing"}
        ids = parse_object_key(eresource.object_key)
        if ids is None or eresource.text_status != TextStatus.PENDING:
            return {"status": "skipped", "text_status": eresource.text_status}
        deposit_id, file_id = ids
        owns_http = http is None
        http = http or httpx.AsyncClient(timeout=30)
        tokens = ClientCredentialsTokens(
            settings.token_url, settings.service_client_id, settings.service_client_secret, http=http
        )
        client = DepositClient(settings.deposit_url, tokens=tokens, http=http)
        status, text, truncated = TextStatus.EXTRACTED, None, False
        try:
            text, truncated = await client.file_text(
                deposit_id, file_id, max_chars=settings.eresource_text_max_chars
            )
            if not text.strip():
                status, text = TextStatus.NONE, None
        except Conflict:  # text_not_available: the deposit has no text for this file
            status = TextStatus.NONE
        except NotFound:  # the deposit is gone, or no longer readable by the catalogue
            status = TextStatus.FAILED
        finally:
            if owns_http:
                await http.aclose()
        async with sessionmaker() as session:
            row = await LegalDepositRepository(session).eresource(eresource.id)
            if row is None:
                return {"status": "missing"}
            row.text_status = status.value
            row.fulltext = text
            row.updated_at = utcnow()
            record_id = row.record_id
            await session.commit()
        await index_records(
            runtime.index, sessionmaker, [record_id], fulltext_max=settings.index_fulltext_max_chars
        )
        return {"status": status.value, "chars": len(text or ""), "truncated": truncated}


legal_deposit_service = LegalDepositService()
