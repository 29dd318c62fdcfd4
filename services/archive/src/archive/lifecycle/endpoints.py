"""HTTP routes of the lifecycle: due list, transfers, destruction workflow, hand-overs, documents."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from archive.deps import ArchiveSession, RuntimeDep
from archive.lifecycle import documents
from archive.lifecycle.disposal import disposal_service
from archive.lifecycle.due import due_summary, run_daily
from archive.lifecycle.schemas import (
    AddItemsResult,
    ApprovalIn,
    ApprovalRead,
    CheckResult,
    DecreeIn,
    DisposalCreate,
    DisposalItemRead,
    DisposalRead,
    DocumentRead,
    ExecuteDisposal,
    ExecuteWithSignatories,
    HandoverCreate,
    HandoverRead,
    PanelDecision,
    PanelIn,
    PanelMemberRead,
    RecordIdsIn,
    TransferCreate,
    TransferRead,
)
from archive.lifecycle.transfers import transfer_service
from archive.models import HandoverItem, TransferItem
from pusip_kit.auth.fastapi import authenticated, require_roles
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.pagination import Page, PaginationParams, pagination
from pusip_kit.schemas import WriteSchema

router = APIRouter(tags=["daur hidup arsip / records lifecycle"])
Reader = Annotated[AuthSubject, Depends(authenticated)]
Archivist = Annotated[AuthSubject, Depends(require_roles(Role.ARCHIVIST, Role.ADMIN))]
Admin = Annotated[AuthSubject, Depends(require_roles(Role.ADMIN))]
Paging = Annotated[PaginationParams, Depends(pagination)]


class CancelIn(WriteSchema):
    reason: str


@router.get("/lifecycle/due", summary="Jumlah arsip jatuh tempo per tindakan / due counts by action")
async def get_due(session: ArchiveSession, auth_subject: Reader) -> dict[str, Any]:
    return await due_summary(session, auth_subject)


@router.post("/lifecycle/run", summary="Jalankan perhitungan harian sekarang / run the daily job now (admin)")
async def run_now(request: Request, auth_subject: Admin, as_of: date | None = None) -> dict[str, int]:
    return await run_daily(request.app.state.sessionmaker, today=as_of)


# ------------------------------------------------------------------------------------------ documents


@router.get("/documents/{document_id}", summary="Unduh berita acara/daftar (PDF) / download a document")
async def download_document(
    session: ArchiveSession, auth_subject: Archivist, runtime: RuntimeDep, document_id: uuid.UUID
) -> StreamingResponse:
    item, reader = await documents.open_document(session, runtime, document_id=document_id)
    return StreamingResponse(
        reader,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{item.kind}.pdf"',
            "Content-Length": str(item.size),
            "ETag": f'"{item.sha256}"',
        },
    )


# ------------------------------------------------------------------------------------------ transfers


async def _transfer_read(session: Any, transfer: Any) -> TransferRead:
    out = TransferRead.model_validate(transfer)
    out.record_ids = await transfer_service.record_ids(
        session, TransferItem, TransferItem.transfer_id, transfer.id
    )
    out.documents = [
        DocumentRead.model_validate(d) for d in await documents.documents_of(session, transfer.id)
    ]
    return out


@router.post(
    "/transfers", response_model=TransferRead, status_code=201, summary="Usul pemindahan / new transfer"
)
async def create_transfer(
    session: ArchiveSession, auth_subject: Archivist, runtime: RuntimeDep, body: TransferCreate
) -> TransferRead:
    item = await transfer_service.create_transfer(
        session,
        auth_subject,
        runtime,
        record_ids=body.record_ids,
        number=body.number,
        destination=body.destination,
        note=body.note,
    )
    return await _transfer_read(session, item)


@router.get("/transfers", response_model=Page[TransferRead], summary="Daftar pemindahan / transfers")
async def list_transfers(
    session: ArchiveSession, auth_subject: Archivist, page: Paging
) -> Page[TransferRead]:
    items, total = await transfer_service.list_transfers(session, pagination=page)
    return Page.of([await _transfer_read(session, i) for i in items], total, page)


@router.get("/transfers/{transfer_id}", response_model=TransferRead, summary="Satu pemindahan / one transfer")
async def get_transfer(
    session: ArchiveSession, auth_subject: Archivist, transfer_id: uuid.UUID
) -> TransferRead:
    return await _transfer_read(
        session, await transfer_service.get_transfer(session, transfer_id=transfer_id)
    )


@router.post(
    "/transfers/{transfer_id}/execute",
    response_model=TransferRead,
    summary="Laksanakan pemindahan: berita acara + daftar (PDF) / carry out the transfer",
)
async def execute_transfer(
    session: ArchiveSession,
    auth_subject: Archivist,
    runtime: RuntimeDep,
    transfer_id: uuid.UUID,
    body: ExecuteWithSignatories,
) -> TransferRead:
    item = await transfer_service.execute_transfer(
        session,
        auth_subject,
        runtime,
        transfer_id=transfer_id,
        signatories=[s.model_dump() for s in body.signatories],
    )
    return await _transfer_read(session, item)


# ------------------------------------------------------------------------------------------ hand-overs


async def _handover_read(session: Any, handover: Any) -> HandoverRead:
    out = HandoverRead.model_validate(handover)
    out.record_ids = await transfer_service.record_ids(
        session, HandoverItem, HandoverItem.handover_id, handover.id
    )
    out.documents = [
        DocumentRead.model_validate(d) for d in await documents.documents_of(session, handover.id)
    ]
    return out


@router.post(
    "/handovers", response_model=HandoverRead, status_code=201, summary="Usul penyerahan arsip statis"
)
async def create_handover(
    session: ArchiveSession, auth_subject: Archivist, runtime: RuntimeDep, body: HandoverCreate
) -> HandoverRead:
    item = await transfer_service.create_handover(
        session,
        auth_subject,
        runtime,
        record_ids=body.record_ids,
        number=body.number,
        receiving_institution=body.receiving_institution,
        note=body.note,
    )
    return await _handover_read(session, item)


@router.get("/handovers", response_model=Page[HandoverRead], summary="Daftar penyerahan / hand-overs")
async def list_handovers(
    session: ArchiveSession, auth_subject: Archivist, page: Paging
) -> Page[HandoverRead]:
    items, total = await transfer_service.list_handovers(session, pagination=page)
    return Page.of([await _handover_read(session, i) for i in items], total, page)


@router.get(
    "/handovers/{handover_id}", response_model=HandoverRead, summary="Satu penyerahan / one hand-over"
)
async def get_handover(
    session: ArchiveSession, auth_subject: Archivist, handover_id: uuid.UUID
) -> HandoverRead:
    return await _handover_read(
        session, await transfer_service.get_handover(session, handover_id=handover_id)
    )


@router.post("/handovers/{handover_id}/execute", response_model=HandoverRead, summary="Laksanakan penyerahan")
async def execute_handover(
    session: ArchiveSession,
    auth_subject: Archivist,
    runtime: RuntimeDep,
    handover_id: uuid.UUID,
    body: ExecuteWithSignatories,
) -> HandoverRead:
    item = await transfer_service.execute_handover(
        session,
        auth_subject,
        runtime,
        handover_id=handover_id,
        signatories=[s.model_dump() for s in body.signatories],
    )
    return await _handover_read(session, item)


# ------------------------------------------------------------------------------------------ disposals


async def _disposal_read(session: Any, proposal_id: uuid.UUID) -> DisposalRead:
    detail = await disposal_service.detail(session, proposal_id=proposal_id)
    out = DisposalRead.model_validate(detail["proposal"])
    out.items = [DisposalItemRead.model_validate(i) for i in detail["items"]]
    out.panel = [PanelMemberRead.model_validate(m) for m in detail["panel"]]
    out.approvals = [ApprovalRead.model_validate(a) for a in detail["approvals"]]
    out.witnesses = detail["witnesses"]
    out.documents = [DocumentRead.model_validate(d) for d in detail["documents"]]
    out.next_step = detail["next_step"]
    return out


def _check_results(reasons: dict[uuid.UUID, list[Any]]) -> list[CheckResult]:
    return [
        CheckResult(record_id=record_id, ok=not found, reasons=[r.as_dict() for r in found])
        for record_id, found in reasons.items()
    ]


@router.post(
    "/disposals/check",
    response_model=list[CheckResult],
    summary="Uji syarat pemusnahan (dry run) / check the destruction guard",
)
async def check_disposal(
    session: ArchiveSession, auth_subject: Archivist, body: RecordIdsIn
) -> list[CheckResult]:
    return _check_results(await disposal_service.check(session, auth_subject, record_ids=body.record_ids))


@router.post("/disposals", response_model=DisposalRead, status_code=201, summary="Usulan pemusnahan baru")
async def create_disposal(
    session: ArchiveSession, auth_subject: Archivist, body: DisposalCreate
) -> DisposalRead:
    proposal = await disposal_service.create(session, auth_subject, title=body.title, number=body.number)
    return await _disposal_read(session, proposal.id)


@router.get("/disposals", response_model=Page[DisposalRead], summary="Daftar usulan pemusnahan")
async def list_disposals(
    session: ArchiveSession,
    auth_subject: Archivist,
    page: Paging,
    status: Annotated[str | None, Query()] = None,
) -> Page[DisposalRead]:
    items, total = await disposal_service.list_proposals(session, status=status, pagination=page)
    return Page.of([await _disposal_read(session, i.id) for i in items], total, page)


@router.get("/disposals/{proposal_id}", response_model=DisposalRead, summary="Satu usulan / one proposal")
async def get_disposal(
    session: ArchiveSession, auth_subject: Archivist, proposal_id: uuid.UUID
) -> DisposalRead:
    return await _disposal_read(session, proposal_id)


@router.post(
    "/disposals/{proposal_id}/items",
    response_model=AddItemsResult,
    summary="Tambah arsip ke daftar usulan (yang gagal syarat ditolak dengan alasannya) / propose records",
)
async def add_disposal_items(
    session: ArchiveSession, auth_subject: Archivist, proposal_id: uuid.UUID, body: RecordIdsIn
) -> AddItemsResult:
    added, refused = await disposal_service.add_items(
        session, auth_subject, proposal_id=proposal_id, record_ids=body.record_ids
    )
    return AddItemsResult(added=added, refused=_check_results(refused))


@router.delete(
    "/disposals/{proposal_id}/items/{record_id}", status_code=204, summary="Keluarkan arsip dari usulan"
)
async def remove_disposal_item(
    session: ArchiveSession, auth_subject: Archivist, proposal_id: uuid.UUID, record_id: uuid.UUID
) -> None:
    await disposal_service.remove_item(session, auth_subject, proposal_id=proposal_id, record_id=record_id)


@router.put("/disposals/{proposal_id}/panel", response_model=DisposalRead, summary="Tetapkan panitia penilai")
async def set_panel(
    session: ArchiveSession, auth_subject: Archivist, proposal_id: uuid.UUID, body: PanelIn
) -> DisposalRead:
    await disposal_service.set_panel(
        session, auth_subject, proposal_id=proposal_id, members=[m.model_dump() for m in body.members]
    )
    return await _disposal_read(session, proposal_id)


@router.post(
    "/disposals/{proposal_id}/submit", response_model=DisposalRead, summary="Ajukan ke panitia penilai"
)
async def submit_disposal(
    session: ArchiveSession, auth_subject: Archivist, proposal_id: uuid.UUID
) -> DisposalRead:
    await disposal_service.submit(session, auth_subject, proposal_id=proposal_id)
    return await _disposal_read(session, proposal_id)


@router.post(
    "/disposals/{proposal_id}/panel/{member_id}/decision",
    response_model=DisposalRead,
    summary="Keputusan anggota panitia / a panel member's decision",
)
async def panel_decision(
    session: ArchiveSession,
    auth_subject: Archivist,
    runtime: RuntimeDep,
    proposal_id: uuid.UUID,
    member_id: uuid.UUID,
    body: PanelDecision,
) -> DisposalRead:
    await disposal_service.decide_member(
        session,
        auth_subject,
        proposal_id=proposal_id,
        member_id=member_id,
        decision=body.decision,
        note=body.note,
        excluded=body.excluded_record_ids,
        settings_min_years=runtime.settings.higher_approval_min_years,
    )
    return await _disposal_read(session, proposal_id)


@router.post(
    "/disposals/{proposal_id}/approvals", response_model=DisposalRead, summary="Catat persetujuan pimpinan"
)
async def approve_disposal(
    session: ArchiveSession, auth_subject: Archivist, proposal_id: uuid.UUID, body: ApprovalIn
) -> DisposalRead:
    await disposal_service.approve(session, auth_subject, proposal_id=proposal_id, data=body.model_dump())
    return await _disposal_read(session, proposal_id)


@router.post(
    "/disposals/{proposal_id}/decree", response_model=DisposalRead, summary="Catat keputusan pemusnahan"
)
async def decree_disposal(
    session: ArchiveSession, auth_subject: Archivist, proposal_id: uuid.UUID, body: DecreeIn
) -> DisposalRead:
    await disposal_service.decree(
        session,
        auth_subject,
        proposal_id=proposal_id,
        number=body.decree_number,
        day=body.decree_date,
        signed_by=body.signed_by,
    )
    return await _disposal_read(session, proposal_id)


@router.post(
    "/disposals/{proposal_id}/execute",
    response_model=DisposalRead,
    summary="Musnahkan dengan saksi: berita acara + daftar (dry_run: periksa saja) / witnessed destruction",
)
async def execute_disposal(
    session: ArchiveSession,
    auth_subject: Archivist,
    runtime: RuntimeDep,
    proposal_id: uuid.UUID,
    body: ExecuteDisposal,
    dry_run: bool = False,
) -> DisposalRead:
    await disposal_service.execute(
        session,
        auth_subject,
        runtime,
        proposal_id=proposal_id,
        executed_on=body.executed_on,
        method=body.method,
        place=body.place,
        witnesses=[w.model_dump() for w in body.witnesses],
        executor=body.executor.model_dump(),
        dry_run=dry_run,
    )
    return await _disposal_read(session, proposal_id)


@router.post("/disposals/{proposal_id}/cancel", response_model=DisposalRead, summary="Batalkan usulan")
async def cancel_disposal(
    session: ArchiveSession, auth_subject: Archivist, proposal_id: uuid.UUID, body: CancelIn
) -> DisposalRead:
    await disposal_service.cancel(session, auth_subject, proposal_id=proposal_id, reason=body.reason)
    return await _disposal_read(session, proposal_id)
