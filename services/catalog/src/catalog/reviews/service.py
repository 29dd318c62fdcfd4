"""Reviews and ratings: patrons write, librarians moderate, only approved reviews are public.

A rating without text is shown at once (there is nothing to moderate); a review with text waits
in the moderation queue until a librarian approves it or hides it with a reason (the author sees
the reason). Editing a review sends it back to the queue. The rating shown on a record counts
approved reviews only.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.checks import refuse_if, run_validators
from catalog.models import Review, ReviewStatus
from catalog.records.service import record_service
from catalog.reviews.repository import ReviewRepository
from catalog.reviews.schemas import RatingSummary, ReviewWrite
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.db.base import utcnow
from pusip_kit.errors import NotFound, Reason
from pusip_kit.pagination import PaginationParams

MODERATOR_ROLES = (Role.ADMIN, Role.LIBRARIAN, Role.CATALOGER)
ACTION_WRITE = "review.write"
ACTION_APPROVE = "review.approve"
ACTION_HIDE = "review.hide"


def review_not_found(review_id: uuid.UUID | str) -> NotFound:
    return NotFound(
        f"Ulasan '{review_id}' tidak ditemukan",
        f"Review '{review_id}' not found",
        code="review_not_found",
        details={"id": str(review_id)},
    )


def author_name(auth_subject: AuthSubject) -> str:
    return (auth_subject.name or auth_subject.username or "Pemustaka")[:200]


# -- named refusals -------------------------------------------------------------------------------


@dataclass
class ReviewContext:
    auth_subject: AuthSubject
    review: Review | None = None
    action: str = ACTION_WRITE
    reason: str | None = None


def refuse_when_not_a_person(ctx: ReviewContext) -> Reason | None:
    if ctx.auth_subject.is_service_account or Role.AGENCY_SYSTEM in ctx.auth_subject.roles:
        return Reason(
            "people_only",
            "Ulasan ditulis oleh orang, bukan oleh sistem",
            "Reviews are written by people, not by systems",
        )
    return None


def refuse_when_own_review(ctx: ReviewContext) -> Reason | None:
    if ctx.review is not None and ctx.review.author_subject == ctx.auth_subject.subject:
        return Reason(
            "own_review",
            "Ulasan sendiri dimoderasi oleh petugas lain",
            "Your own review is moderated by someone else",
        )
    return None


def refuse_when_already_approved(ctx: ReviewContext) -> Reason | None:
    if ctx.action == ACTION_APPROVE and ctx.review is not None and ctx.review.status == ReviewStatus.APPROVED:
        return Reason("review_already_approved", "Ulasan sudah disetujui", "The review is already approved")
    return None


def refuse_when_already_hidden(ctx: ReviewContext) -> Reason | None:
    if ctx.action == ACTION_HIDE and ctx.review is not None and ctx.review.status == ReviewStatus.HIDDEN:
        return Reason("review_already_hidden", "Ulasan sudah disembunyikan", "The review is already hidden")
    return None


def refuse_when_hide_reason_missing(ctx: ReviewContext) -> Reason | None:
    if ctx.action == ACTION_HIDE and not (ctx.reason or "").strip():
        return Reason(
            "hide_reason_required",
            "Sebutkan alasan menyembunyikan ulasan (penulis akan melihatnya)",
            "Give the reason for hiding the review (its author will see it)",
        )
    return None


WRITE_VALIDATORS = (refuse_when_not_a_person,)
MODERATION_VALIDATORS = (
    refuse_when_own_review,
    refuse_when_already_approved,
    refuse_when_already_hidden,
    refuse_when_hide_reason_missing,
)


class ReviewService:
    @staticmethod
    def is_moderator(auth_subject: AuthSubject) -> bool:
        return auth_subject.has_role(*MODERATOR_ROLES)

    async def get(self, session: AsyncSession, auth_subject: AuthSubject, *, review_id: uuid.UUID) -> Review:
        review = await ReviewRepository(session).get(review_id)
        visible = review is not None and (
            review.status == ReviewStatus.APPROVED
            or review.author_subject == auth_subject.subject
            or self.is_moderator(auth_subject)
        )
        if review is None or not visible:
            raise review_not_found(review_id)
        return review

    async def public(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        record_id: uuid.UUID,
        pagination: PaginationParams,
    ) -> tuple[Sequence[Review], int]:
        await record_service.get(session, auth_subject, record_id=record_id)
        return await ReviewRepository(session).list(
            pagination=pagination, record_id=record_id, status=ReviewStatus.APPROVED.value
        )

    async def rating(
        self, session: AsyncSession, auth_subject: AuthSubject, *, record_id: uuid.UUID
    ) -> RatingSummary:
        await record_service.get(session, auth_subject, record_id=record_id)
        counts, written = await ReviewRepository(session).distribution(record_id)
        count = sum(counts.values())
        average = round(sum(r * n for r, n in counts.items()) / count, 2) if count else None
        return RatingSummary(
            record_id=record_id,
            count=count,
            average=average,
            distribution={str(star): counts.get(star, 0) for star in range(1, 6)},
            reviews=written,
        )

    async def mine(
        self, session: AsyncSession, auth_subject: AuthSubject, *, record_id: uuid.UUID
    ) -> Review | None:
        await record_service.get(session, auth_subject, record_id=record_id)
        return await ReviewRepository(session).of_author(record_id, auth_subject.subject)

    async def all_mine(
        self, session: AsyncSession, auth_subject: AuthSubject, *, pagination: PaginationParams
    ) -> tuple[Sequence[Review], int]:
        return await ReviewRepository(session).list(pagination=pagination, author=auth_subject.subject)

    async def check_write(
        self, session: AsyncSession, auth_subject: AuthSubject, *, record_id: uuid.UUID
    ) -> builtins.list[Reason]:
        await record_service.get(session, auth_subject, record_id=record_id)
        return run_validators(WRITE_VALIDATORS, ReviewContext(auth_subject=auth_subject))

    async def write(
        self, session: AsyncSession, auth_subject: AuthSubject, *, record_id: uuid.UUID, data: ReviewWrite
    ) -> tuple[Review, bool]:
        """Create or replace the caller's review of a record; returns it and whether it is new."""
        refuse_if(await self.check_write(session, auth_subject, record_id=record_id))
        repository = ReviewRepository(session)
        text = (data.text or "").strip() or None
        status = ReviewStatus.PENDING if text else ReviewStatus.APPROVED
        review = await repository.of_author(record_id, auth_subject.subject)
        created = review is None
        if review is None:
            review = Review(record_id=record_id, author_subject=auth_subject.subject)
        review.author_name = author_name(auth_subject)
        review.rating = data.rating
        review.text = text
        review.status = status.value
        review.moderated_by = review.moderated_at = review.moderation_reason = None
        review.updated_at = utcnow()
        if created:
            try:
                async with session.begin_nested():
                    await repository.add(review)
            except IntegrityError:  # the same author, twice at once: keep the other write
                existing = await repository.of_author(record_id, auth_subject.subject)
                assert existing is not None
                return existing, False
        else:
            await repository.flush()
        return review, created

    async def delete_mine(
        self, session: AsyncSession, auth_subject: AuthSubject, *, record_id: uuid.UUID
    ) -> None:
        review = await self.mine(session, auth_subject, record_id=record_id)
        if review is None:
            raise NotFound(
                "Anda belum mengulas judul ini", "You have not reviewed this title", code="review_not_found"
            )
        await ReviewRepository(session).delete(review)

    # -- moderation -------------------------------------------------------------------------------

    async def queue(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        pagination: PaginationParams,
        status: str | None = ReviewStatus.PENDING.value,
        record_id: uuid.UUID | None = None,
    ) -> tuple[Sequence[Review], int, dict[uuid.UUID, str]]:
        repository = ReviewRepository(session)
        rows, total = await repository.list(
            pagination=pagination,
            status=status,
            record_id=record_id,
            oldest_first=status == ReviewStatus.PENDING.value,
        )
        return rows, total, await repository.titles([r.record_id for r in rows])

    async def check_moderation(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        review_id: uuid.UUID,
        action: str,
        reason: str | None,
    ) -> tuple[Review, builtins.list[Reason]]:
        review = await self.get(session, auth_subject, review_id=review_id)
        ctx = ReviewContext(auth_subject=auth_subject, review=review, action=action, reason=reason)
        return review, run_validators(MODERATION_VALIDATORS, ctx)

    async def moderate(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        review_id: uuid.UUID,
        action: str,
        reason: str | None,
    ) -> Review:
        review, reasons = await self.check_moderation(
            session, auth_subject, review_id=review_id, action=action, reason=reason
        )
        refuse_if(reasons)
        review.status = (ReviewStatus.APPROVED if action == ACTION_APPROVE else ReviewStatus.HIDDEN).value
        review.moderated_by = auth_subject.username or auth_subject.subject
        review.moderated_at = utcnow()
        review.moderation_reason = (reason or "").strip() or None
        await ReviewRepository(session).flush()
        return review


review_service = ReviewService()
