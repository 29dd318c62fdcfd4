"""HTTP routes for reviews and ratings: public reading, writing by signed-in users, moderation."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Response

from catalog.checks import ActionCheck, DryRun, action_check
from catalog.deps import Anyone
from catalog.models import ReviewStatus
from catalog.reviews.schemas import ModerationRequest, PublicReview, RatingSummary, ReviewRead, ReviewWrite
from catalog.reviews.service import (
    ACTION_APPROVE,
    ACTION_HIDE,
    ACTION_WRITE,
    MODERATOR_ROLES,
    review_service,
)
from pusip_kit.auth.fastapi import authenticated, require_roles
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.deps import SessionDep
from pusip_kit.errors import NotFound
from pusip_kit.pagination import Page, PaginationParams, pagination

router = APIRouter(tags=["ulasan / reviews"])

SignedIn = Annotated[AuthSubject, Depends(authenticated)]
Moderator = Annotated[AuthSubject, Depends(require_roles(*MODERATOR_ROLES))]
Paging = Annotated[PaginationParams, Depends(pagination)]


@router.get(
    "/records/{record_id}/reviews",
    response_model=Page[PublicReview],
    summary="Ulasan yang disetujui / a record's approved reviews",
)
async def record_reviews(
    session: SessionDep, auth_subject: Anyone, record_id: uuid.UUID, page: Paging
) -> Page[PublicReview]:
    rows, total = await review_service.public(session, auth_subject, record_id=record_id, pagination=page)
    return Page.of([PublicReview.model_validate(r) for r in rows], total, page)


@router.get(
    "/records/{record_id}/rating",
    response_model=RatingSummary,
    summary="Rata-rata penilaian / rating aggregate (approved reviews)",
)
async def record_rating(session: SessionDep, auth_subject: Anyone, record_id: uuid.UUID) -> RatingSummary:
    return await review_service.rating(session, auth_subject, record_id=record_id)


@router.get(
    "/records/{record_id}/reviews/mine",
    response_model=ReviewRead,
    summary="Ulasan saya untuk judul ini / my review of this title",
)
async def my_review(session: SessionDep, auth_subject: SignedIn, record_id: uuid.UUID) -> ReviewRead:
    review = await review_service.mine(session, auth_subject, record_id=record_id)
    if review is None:
        raise NotFound(
            "Anda belum mengulas judul ini", "You have not reviewed this title", code="review_not_found"
        )
    return ReviewRead.of(review, mine=True)


@router.put(
    "/records/{record_id}/reviews/mine",
    response_model=ReviewRead | ActionCheck,
    summary="Tulis atau ubah ulasan saya / write or replace my review",
    description="Penilaian tanpa teks langsung tampil; ulasan bertulisan menunggu moderasi (juga setelah "
    "diubah). / A rating alone is public at once; written reviews wait for moderation (again after an edit).",
)
async def write_review(
    session: SessionDep,
    auth_subject: SignedIn,
    record_id: uuid.UUID,
    body: ReviewWrite,
    response: Response,
    dry_run: DryRun = False,
) -> ReviewRead | ActionCheck:
    if dry_run:
        reasons = await review_service.check_write(session, auth_subject, record_id=record_id)
        return action_check(ACTION_WRITE, reasons, record_id)
    review, created = await review_service.write(session, auth_subject, record_id=record_id, data=body)
    response.status_code = 201 if created else 200
    return ReviewRead.of(review, mine=True)


@router.delete(
    "/records/{record_id}/reviews/mine", status_code=204, summary="Hapus ulasan saya / delete mine"
)
async def delete_my_review(session: SessionDep, auth_subject: SignedIn, record_id: uuid.UUID) -> Response:
    await review_service.delete_mine(session, auth_subject, record_id=record_id)
    return Response(status_code=204)


@router.get("/reviews/mine", response_model=Page[ReviewRead], summary="Semua ulasan saya / all my reviews")
async def all_my_reviews(session: SessionDep, auth_subject: SignedIn, page: Paging) -> Page[ReviewRead]:
    rows, total = await review_service.all_mine(session, auth_subject, pagination=page)
    return Page.of([ReviewRead.of(r, mine=True) for r in rows], total, page)


@router.get(
    "/reviews",
    response_model=Page[ReviewRead],
    summary="Antrean moderasi (petugas) / the moderation queue (staff)",
    description="Bawaan: yang menunggu, terlama dahulu. / By default the pending ones, oldest first.",
)
async def moderation_queue(
    session: SessionDep,
    auth_subject: Moderator,
    page: Paging,
    status: ReviewStatus | None = ReviewStatus.PENDING,
    record_id: uuid.UUID | None = None,
) -> Page[ReviewRead]:
    rows, total, titles = await review_service.queue(
        session, auth_subject, pagination=page, status=status.value if status else None, record_id=record_id
    )
    return Page.of(
        [
            ReviewRead.of(
                r, mine=r.author_subject == auth_subject.subject, record_title=titles.get(r.record_id)
            )
            for r in rows
        ],
        total,
        page,
    )


async def _moderate(
    session: SessionDep,
    auth_subject: AuthSubject,
    review_id: uuid.UUID,
    action: str,
    body: ModerationRequest | None,
    dry_run: bool,
) -> ReviewRead | ActionCheck:
    reason = body.reason if body else None
    if dry_run:
        review, reasons = await review_service.check_moderation(
            session, auth_subject, review_id=review_id, action=action, reason=reason
        )
        return action_check(action, reasons, review.id)
    review = await review_service.moderate(
        session, auth_subject, review_id=review_id, action=action, reason=reason
    )
    return ReviewRead.of(review)


@router.post(
    "/reviews/{review_id}/approve",
    response_model=ReviewRead | ActionCheck,
    summary="Setujui ulasan / approve a review",
    description="Ditolak: `own_review`, `review_already_approved`. / Refused for one's own review or an "
    "approved one.",
)
async def approve_review(
    session: SessionDep,
    auth_subject: Moderator,
    review_id: uuid.UUID,
    body: Annotated[ModerationRequest | None, Body()] = None,
    dry_run: DryRun = False,
) -> ReviewRead | ActionCheck:
    return await _moderate(session, auth_subject, review_id, ACTION_APPROVE, body, dry_run)


@router.post(
    "/reviews/{review_id}/hide",
    response_model=ReviewRead | ActionCheck,
    summary="Sembunyikan ulasan dengan alasan / hide a review, with a reason",
    description="Ditolak: `hide_reason_required`, `own_review`, `review_already_hidden`. / Refused without a "
    "reason, for one's own review, or a hidden one.",
)
async def hide_review(
    session: SessionDep,
    auth_subject: Moderator,
    review_id: uuid.UUID,
    body: Annotated[ModerationRequest | None, Body()] = None,
    dry_run: DryRun = False,
) -> ReviewRead | ActionCheck:
    return await _moderate(session, auth_subject, review_id, ACTION_HIDE, body, dry_run)
