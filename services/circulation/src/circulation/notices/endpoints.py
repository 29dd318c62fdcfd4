"""The patron's notices, as shown in their account."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends

from circulation.notices.service import notice_service
from circulation.patrons.service import patron_service
from pusip_kit.auth.fastapi import authenticated
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.deps import SessionDep
from pusip_kit.pagination import Page, PaginationParams, pagination
from pusip_kit.schemas import Schema

router = APIRouter(tags=["pemberitahuan / notices"])

Caller = Annotated[AuthSubject, Depends(authenticated)]


class NoticeRead(Schema):
    id: uuid.UUID
    kind: str
    subject: str
    subject_en: str
    body: str
    body_en: str
    created_at: datetime
    email_status: str
    email_sent_at: datetime | None
    read_at: datetime | None


@router.get("/patrons/me/notices", response_model=Page[NoticeRead], summary="Pemberitahuan saya / my notices")
async def my_notices(
    session: SessionDep, auth_subject: Caller, page: Annotated[PaginationParams, Depends(pagination)]
) -> Page[NoticeRead]:
    patron = await patron_service.me(session, auth_subject)
    rows, total = await notice_service.list_for(session, auth_subject, patron=patron, pagination=page)
    return Page.of([NoticeRead.model_validate(n) for n in rows], total, page)


@router.post(
    "/patrons/me/notices/{notice_id}/read", response_model=NoticeRead, summary="Tandai dibaca / mark read"
)
async def mark_read(session: SessionDep, auth_subject: Caller, notice_id: uuid.UUID) -> NoticeRead:
    patron = await patron_service.me(session, auth_subject)
    return NoticeRead.model_validate(
        await notice_service.mark_read(session, auth_subject, patron=patron, notice_id=notice_id)
    )
