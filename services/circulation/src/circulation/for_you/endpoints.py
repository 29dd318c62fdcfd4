"""``GET /me/for-you``: the signed-in patron's recommendations and announcements."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from circulation.deps import SettingsDep
from circulation.for_you.schemas import ForYou
from circulation.for_you.service import for_you_service
from pusip_kit.auth.fastapi import authenticated
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.deps import SessionDep

router = APIRouter(tags=["untuk Anda / for you"])

Caller = Annotated[AuthSubject, Depends(authenticated)]


@router.get(
    "/me/for-you",
    response_model=ForYou,
    summary="Untuk Anda / for you",
    description="Rekomendasi judul (kategori anggota; riwayat baca bila diizinkan) dan pengumuman cabang Anda. "
    "Recommended titles (member category; reading history when opted in) and your branches' announcements.",
)
async def for_you(
    session: SessionDep,
    auth_subject: Caller,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> ForYou:
    return await for_you_service.for_me(
        session, auth_subject, limit=limit, window_days=settings.for_you_window_days
    )
