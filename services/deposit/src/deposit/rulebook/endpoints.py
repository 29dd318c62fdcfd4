"""HTTP routes for the deposit rules as data: public to read, administrators add versions."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from deposit.common import today_local
from deposit.rulebook.schemas import RuleVersionCreate, RuleVersionRead
from deposit.rulebook.service import rulebook_service
from pusip_kit.auth.fastapi import require_roles
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.deps import SessionDep

router = APIRouter(prefix="/rules", tags=["aturan serah simpan / deposit rules"])

Admin = Annotated[AuthSubject, Depends(require_roles(Role.ADMIN))]


@router.get("", response_model=list[RuleVersionRead], summary="Versi aturan / rule versions")
async def list_rule_versions(session: SessionDep) -> list[RuleVersionRead]:
    return [RuleVersionRead.model_validate(v) for v in await rulebook_service.list(session)]


@router.get(
    "/in-force",
    response_model=RuleVersionRead,
    summary="Aturan yang berlaku / the rules for a publication date",
)
async def rules_in_force(
    session: SessionDep,
    on: Annotated[date | None, Query(description="Tanggal terbit / publication date (default today)")] = None,
) -> RuleVersionRead:
    return RuleVersionRead.model_validate(await rulebook_service.in_force_on(session, on or today_local()))


@router.post("", response_model=RuleVersionRead, status_code=201, summary="Tambah versi / add a rule version")
async def create_rule_version(
    session: SessionDep, auth_subject: Admin, body: RuleVersionCreate
) -> RuleVersionRead:
    return RuleVersionRead.model_validate(await rulebook_service.create(session, auth_subject, data=body))
