"""``POST /visits``: a gate, counter or kiosk records a visit at its branch."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import Field, StringConstraints

from circulation.access import KIOSK_ROLE
from circulation.visits.service import visit_service
from pusip_kit.auth.fastapi import require_roles
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.deps import SessionDep
from pusip_kit.schemas import Schema, WriteSchema

router = APIRouter(prefix="/visits", tags=["kunjungan / visits"])

Desk = Annotated[AuthSubject, Depends(require_roles(Role.ADMIN, Role.LIBRARIAN, KIOSK_ROLE))]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class VisitCreate(WriteSchema):
    branch: Code
    patron: Code | None = Field(default=None, description="Nomor kartu / card number (kosong: tamu anonim)")
    visitors: int = Field(default=1, ge=1, le=10_000, description="Pengunjung anonim / anonymous visitors")
    source: Literal["gate", "counter", "kiosk"] = "gate"


class VisitRead(Schema):
    branch: str
    day: date
    counted: bool
    visits_today: int


@router.post("", response_model=VisitRead, status_code=201, summary="Catat kunjungan / record a visit")
async def record_visit(session: SessionDep, auth_subject: Desk, body: VisitCreate) -> VisitRead:
    outcome = await visit_service.record(
        session,
        auth_subject,
        branch=body.branch,
        patron_card=body.patron,
        visitors=body.visitors,
        source=body.source,
    )
    return VisitRead.model_validate(outcome)
