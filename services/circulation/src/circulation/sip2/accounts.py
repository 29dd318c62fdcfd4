"""Kiosk accounts (SIP2 login) as data: created by an administrator, checked at message 93."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import APIRouter, Depends
from pydantic import StringConstraints
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from circulation import clock
from circulation.db import begin_write
from circulation.models import SipAccount
from pusip_kit.auth.fastapi import require_roles
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.deps import SessionDep
from pusip_kit.errors import Conflict, NotFound
from pusip_kit.schemas import RecordSchema, WriteSchema

_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)

Login = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9._-]{3,64}$")]
Secret = Annotated[str, StringConstraints(min_length=8, max_length=128, pattern=r"^[^|\r\n]+$")]
BranchCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class SipAccountCreate(WriteSchema):
    login: Login
    password: Secret
    branch: BranchCode
    institution_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)] = (
        "dispusip"
    )
    description: Annotated[str, StringConstraints(max_length=200)] | None = None


class SipAccountUpdate(WriteSchema):
    password: Secret | None = None
    branch: BranchCode | None = None
    active: bool | None = None
    description: Annotated[str, StringConstraints(max_length=200)] | None = None


class SipAccountRead(RecordSchema):
    login: str
    branch: str
    institution_id: str
    description: str | None
    active: bool
    last_login_at: datetime | None = None


class SipAccountService:
    async def list(self, session: AsyncSession) -> Sequence[SipAccount]:
        return (await session.execute(select(SipAccount).order_by(SipAccount.login))).scalars().all()

    async def get(self, session: AsyncSession, login: str) -> SipAccount:
        account = (
            await session.execute(select(SipAccount).where(SipAccount.login == login))
        ).scalar_one_or_none()
        if account is None:
            raise NotFound(
                "Akun kios tidak ditemukan", "Kiosk account not found", code="sip_account_not_found"
            )
        return account

    async def create(
        self, session: AsyncSession, auth_subject: AuthSubject, *, data: SipAccountCreate
    ) -> SipAccount:
        await begin_write(session)
        account = SipAccount(
            login=data.login,
            password_hash=await anyio.to_thread.run_sync(_hasher.hash, data.password),
            branch=data.branch,
            institution_id=data.institution_id,
            description=data.description,
        )
        session.add(account)
        try:
            await session.flush()
        except IntegrityError as exc:
            raise Conflict(
                f"Login kios '{data.login}' sudah dipakai",
                f"Kiosk login '{data.login}' is taken",
                code="sip_login_taken",
            ) from exc
        return account

    async def update(
        self, session: AsyncSession, auth_subject: AuthSubject, *, login: str, data: SipAccountUpdate
    ) -> SipAccount:
        await begin_write(session)
        account = await self.get(session, login)
        if data.password is not None:
            account.password_hash = await anyio.to_thread.run_sync(_hasher.hash, data.password)
        for name in ("branch", "active", "description"):
            value = getattr(data, name)
            if name in data.model_fields_set and value is not None:
                setattr(account, name, value)
        await session.flush()
        return account

    async def authenticate(self, session: AsyncSession, *, login: str, password: str) -> SipAccount | None:
        account = (
            await session.execute(select(SipAccount).where(SipAccount.login == login))
        ).scalar_one_or_none()
        if account is None or not account.active:
            return None

        def check() -> bool:
            try:
                return bool(_hasher.verify(account.password_hash, password))
            except (VerificationError, InvalidHashError):
                return False

        if not await anyio.to_thread.run_sync(check):
            return None
        await begin_write(session)  # after the (slow) hash check, so no writer waits on it
        account.last_login_at = clock.now()
        await session.flush()
        return account


sip_account_service = SipAccountService()

router = APIRouter(prefix="/sip2-accounts", tags=["kios SIP2 / SIP2 kiosks"])
Admin = Annotated[AuthSubject, Depends(require_roles(Role.ADMIN))]


@router.get("", response_model=list[SipAccountRead], summary="Akun kios / kiosk accounts")
async def list_accounts(session: SessionDep, auth_subject: Admin) -> list[SipAccountRead]:
    return [SipAccountRead.model_validate(a) for a in await sip_account_service.list(session)]


@router.post(
    "", response_model=SipAccountRead, status_code=201, summary="Tambah akun kios / add a kiosk account"
)
async def create_account(session: SessionDep, auth_subject: Admin, body: SipAccountCreate) -> SipAccountRead:
    return SipAccountRead.model_validate(await sip_account_service.create(session, auth_subject, data=body))


@router.patch("/{login}", response_model=SipAccountRead, summary="Ubah akun kios / update a kiosk account")
async def update_account(
    session: SessionDep, auth_subject: Admin, login: str, body: SipAccountUpdate
) -> SipAccountRead:
    return SipAccountRead.model_validate(
        await sip_account_service.update(session, auth_subject, login=login, data=body)
    )
