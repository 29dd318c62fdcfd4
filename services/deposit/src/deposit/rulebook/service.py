"""Rule versions: which rules apply to a work, and how an administrator adds a version."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from deposit.common import actor
from deposit.models import RuleVersion, WarningStep
from deposit.rulebook.repository import RuleVersionRepository
from deposit.rulebook.schemas import RuleVersionCreate
from deposit.rules import DepositRules
from deposit.rules.obligations import KindRule
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.errors import Conflict, Forbidden, NotFound


def as_rules(version: RuleVersion) -> DepositRules:
    """The pure rule object of a stored version (due dates, copies)."""
    return DepositRules(
        version=version.code,
        legal_basis=version.legal_basis,
        printed=KindRule(version.printed_months, version.printed_copies),
        recorded=KindRule(version.recorded_months, version.recorded_copies),
    )


class RulebookService:
    async def list(self, session: AsyncSession) -> Sequence[RuleVersion]:
        return await RuleVersionRepository(session).list()

    async def get(self, session: AsyncSession, *, id: uuid.UUID) -> RuleVersion:
        version = await RuleVersionRepository(session).get(id)
        if version is None:
            raise NotFound("Versi aturan tidak ditemukan", "Rule version not found", code="rules_not_found")
        return version

    async def in_force_on(self, session: AsyncSession, day: date) -> RuleVersion:
        version = await RuleVersionRepository(session).in_force_on(day)
        if version is None:
            raise Conflict(
                f"Tidak ada versi aturan serah simpan yang berlaku pada {day.isoformat()}",
                f"No deposit rule version is in force on {day.isoformat()}",
                code="no_rules_in_force",
            )
        return version

    async def create(
        self, session: AsyncSession, auth_subject: AuthSubject, *, data: RuleVersionCreate
    ) -> RuleVersion:
        if not auth_subject.is_admin:
            raise Forbidden(
                "Hanya administrator yang dapat menambah versi aturan",
                "Only administrators can add rule versions",
                code="missing_role",
            )
        repository = RuleVersionRepository(session)
        if await repository.by_code_or_date(data.code, data.valid_from) is not None:
            raise Conflict(
                "Sudah ada versi aturan dengan kode atau tanggal berlaku ini",
                "A rule version with this code or start date already exists",
                code="rules_version_taken",
            )
        steps: builtins.list[WarningStep] = [
            WarningStep(**step.model_dump()) for step in sorted(data.warning_steps, key=lambda s: s.level)
        ]
        version = RuleVersion(
            **data.model_dump(exclude={"warning_steps"}), created_by=actor(auth_subject), warning_steps=steps
        )
        try:
            await repository.add(version)
        except IntegrityError as exc:
            raise Conflict(
                "Versi aturan ini baru saja ditambahkan",
                "This rule version was just added",
                code="rules_version_taken",
            ) from exc
        return await self.get(session, id=version.id)


rulebook_service = RulebookService()
