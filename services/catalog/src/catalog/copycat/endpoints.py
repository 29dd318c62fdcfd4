"""Copy cataloguing over SRU."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from catalog.copycat.service import copy_cataloging_service
from catalog.deps import RuntimeDep, Staff
from pusip_kit.deps import SessionDep

router = APIRouter(prefix="/copy-cataloging", tags=["katalogisasi salin / copy cataloguing"])


@router.post("", summary="Cari rekaman untuk ISBN di katalog lain (SRU) / find records for an ISBN elsewhere")
async def copy_catalog(
    session: SessionDep,
    auth_subject: Staff,
    runtime: RuntimeDep,
    isbn: Annotated[str, Query(min_length=10, max_length=20)],
) -> dict[str, Any]:
    settings = runtime.settings
    return await copy_cataloging_service.candidates(
        session,
        url=settings.copy_cataloging_sru_url,
        isbn=isbn,
        timeout_seconds=settings.copy_cataloging_timeout,
    )
