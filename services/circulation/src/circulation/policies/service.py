"""Policies as data: versioned rule sets (draft → active → retired), branch calendars, closures.

The lead's engine (:mod:`circulation.policy`) decides; this module stores its input and builds
its objects from the database. Active rule sets are never edited, so their parsed form is cached
by id; calendars are cached while a signature of the calendar tables (read with the hot path's other
facts) is unchanged.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from circulation import clock
from circulation.access import require_staff
from circulation.db import begin_write
from circulation.models import BranchCalendarRow, ClosureRow, LoanRuleRow, RuleSetRow
from circulation.models.policy import RULE_SET_ACTIVE, RULE_SET_DRAFT, RULE_SET_RETIRED
from circulation.policies.repository import CalendarSignature, PolicyRepository
from circulation.policies.schemas import ClosureCreate, LoanRuleIn, RuleSetCreate, RuleSetUpdate
from circulation.policy import BranchCalendar, Closure, LoanRule, RuleSet
from circulation.policy.holidays import national_holidays
from circulation.policy.rules import NoDefaultRule
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.db import utcnow
from pusip_kit.errors import Conflict, Forbidden, NotFound, Reason, Refused, ServiceUnavailable
from pusip_kit.outbox import emit_event

RULE_FIELDS = tuple(f.name for f in fields(LoanRule))
EVENT_ACTIVATED = "circulation.rule_set.activated"


def rule_from_row(row: LoanRuleRow) -> LoanRule:
    return LoanRule(**{name: getattr(row, name) for name in RULE_FIELDS})


def rule_as_dict(rule: LoanRule) -> dict[str, Any]:
    return asdict(rule)


def rule_from_dict(data: dict[str, Any]) -> LoanRule:
    return LoanRule(**{k: v for k, v in data.items() if k in RULE_FIELDS})


def no_policy() -> ServiceUnavailable:
    return ServiceUnavailable(
        "Belum ada aturan peminjaman yang aktif; hubungi administrator",
        "No active loan rule set; ask an administrator to activate one",
        code="no_active_rule_set",
    )


def rule_set_not_found(version: str) -> NotFound:
    return NotFound(
        f"Versi aturan '{version}' tidak ditemukan",
        f"Rule set version '{version}' not found",
        code="rule_set_not_found",
        details={"version": version},
    )


def _check_rules(rules: Sequence[LoanRuleIn]) -> None:
    try:
        RuleSet("check", tuple(LoanRule(**r.model_dump()) for r in rules))
    except NoDefaultRule as exc:
        raise Refused(
            reasons=[
                Reason(
                    "refuse_when_no_default_rule",
                    "Aturan wajib memuat satu aturan bawaan (kategori, jenis bahan dan cabang kosong)",
                    "A rule set needs one default rule (category, material type and branch all open)",
                )
            ]
        ) from exc
    except ValueError as exc:
        raise Refused(
            reasons=[
                Reason(
                    "refuse_when_rules_duplicate",
                    "Dua aturan memiliki kategori, jenis bahan dan cabang yang sama",
                    "Two rules share the same category, material type and branch",
                )
            ]
        ) from exc


def _database_key(session: AsyncSession) -> str:
    bind: Any = session.bind  # an AsyncEngine, or an AsyncConnection (tests bind sessions to one)
    return str(bind.engine.url) if bind is not None else ""


@dataclass(frozen=True)
class ActivePolicy:
    """An active rule set as the hot path needs it (immutable once active, so cached by id)."""

    id: uuid.UUID
    version: str
    block_overdue_items: int
    block_unpaid_fines: int
    rules: RuleSet


class PolicyService:
    def __init__(self) -> None:
        self._cache: dict[uuid.UUID, RuleSet] = {}
        self._summaries: dict[uuid.UUID, ActivePolicy] = {}
        self._calendars: dict[tuple[str, str], tuple[CalendarSignature, BranchCalendar]] = {}

    async def by_id(self, session: AsyncSession, rule_set_id: uuid.UUID | None) -> ActivePolicy:
        """The active rule set whose id the caller read in its own query (one query saved per check-out)."""
        if rule_set_id is None:
            raise no_policy()
        summary = self._summaries.get(rule_set_id)
        if summary is None:
            row, rules = await self.active(session)
            summary = ActivePolicy(
                row.id, row.version, row.block_overdue_items, row.block_unpaid_fines, rules
            )
            if len(self._summaries) > 32:
                self._summaries.clear()
            self._summaries[row.id] = summary
        return summary

    # -- the engine's inputs, from the database -------------------------------------------------

    async def active(self, session: AsyncSession) -> tuple[RuleSetRow, RuleSet]:
        repository = PolicyRepository(session)
        row = await repository.active_rule_set()
        if row is None:
            raise no_policy()
        cached = self._cache.get(row.id)
        if cached is None:
            rules = await repository.rules(row.id)
            cached = RuleSet(row.version, tuple(rule_from_row(r) for r in rules))
            if len(self._cache) > 32:
                self._cache.clear()
            self._cache[row.id] = cached
        return row, cached

    async def calendar(
        self, session: AsyncSession, branch: str, *, signature: CalendarSignature | None = None
    ) -> BranchCalendar:
        """``branch``'s calendar, cached per database while the calendars' :data:`signature` holds.

        The signature (row counts and latest ``updated_at`` of closures and weekly calendars) is read
        by the caller in a query it makes anyway, or here (one tiny query instead of two), so a change
        made by any process — or rolled back — is seen by the next transaction. The returned calendar
        is shared: read it, never change it.
        """
        repository = PolicyRepository(session)
        if signature is None:
            signature = await repository.calendar_signature()
        key = (_database_key(session), branch)
        cached = self._calendars.get(key)
        if cached is not None and cached[0] == signature:
            return cached[1]
        row = await repository.calendar(branch)
        weekdays = frozenset(int(d) for d in row.closed_weekdays.split(",") if d) if row else frozenset()
        closures = await repository.closures(branch=branch)
        calendar = BranchCalendar.build(
            branch, weekdays, [Closure(c.day, c.name, c.branch) for c in closures]
        )
        if len(self._calendars) > 1024:
            self._calendars.clear()
        self._calendars[key] = (signature, calendar)
        return calendar

    # -- rule sets -------------------------------------------------------------------------------

    async def list_rule_sets(self, session: AsyncSession, auth_subject: AuthSubject) -> Sequence[RuleSetRow]:
        return await PolicyRepository(session).rule_sets()

    async def get_rule_set(
        self, session: AsyncSession, auth_subject: AuthSubject, *, version: str
    ) -> tuple[RuleSetRow, Sequence[LoanRuleRow]]:
        repository = PolicyRepository(session)
        row = await (repository.active_rule_set() if version == "active" else repository.rule_set(version))
        if row is None:
            if version == "active":
                raise no_policy()
            raise rule_set_not_found(version)
        return row, await repository.rules(row.id)

    async def create_rule_set(
        self, session: AsyncSession, auth_subject: AuthSubject, *, data: RuleSetCreate
    ) -> tuple[RuleSetRow, Sequence[LoanRuleRow]]:
        await begin_write(session)
        self._require_admin(auth_subject)
        _check_rules(data.rules)
        repository = PolicyRepository(session)
        if await repository.rule_set(data.version) is not None:
            raise self._version_taken(data.version)
        row = RuleSetRow(
            version=data.version,
            description=data.description,
            status=RULE_SET_DRAFT,
            block_overdue_items=data.block_overdue_items,
            block_unpaid_fines=data.block_unpaid_fines,
            created_by=auth_subject.subject,
        )
        try:
            await repository.add(row)
        except IntegrityError as exc:
            raise self._version_taken(data.version) from exc
        await repository.replace_rules(
            row.id, [LoanRuleRow(rule_set_id=row.id, **r.model_dump()) for r in data.rules]
        )
        return row, await repository.rules(row.id)

    async def update_rule_set(
        self, session: AsyncSession, auth_subject: AuthSubject, *, version: str, data: RuleSetUpdate
    ) -> tuple[RuleSetRow, Sequence[LoanRuleRow]]:
        await begin_write(session)
        self._require_admin(auth_subject)
        repository = PolicyRepository(session)
        row = await repository.rule_set(version)
        if row is None:
            raise rule_set_not_found(version)
        if row.status != RULE_SET_DRAFT:
            raise Refused(
                reasons=[
                    Reason(
                        "refuse_when_rule_set_not_draft",
                        f"Aturan versi '{version}' sudah {row.status}; buat versi baru untuk mengubahnya",
                        f"Rule set '{version}' is {row.status}; create a new version to change it",
                        {"status": row.status},
                    )
                ]
            )
        for name in ("description", "block_overdue_items", "block_unpaid_fines"):
            if name in data.model_fields_set and getattr(data, name) is not None:
                setattr(row, name, getattr(data, name))
        if data.rules is not None:
            _check_rules(data.rules)
            await repository.replace_rules(
                row.id, [LoanRuleRow(rule_set_id=row.id, **r.model_dump()) for r in data.rules]
            )
        await repository.flush()
        return row, await repository.rules(row.id)

    async def activate(
        self, session: AsyncSession, auth_subject: AuthSubject, *, version: str
    ) -> tuple[RuleSetRow, Sequence[LoanRuleRow]]:
        """Make ``version`` the rule set in force; the previous one is retired (loans keep their rule)."""
        await begin_write(session)
        self._require_admin(auth_subject)
        repository = PolicyRepository(session)
        row = await repository.rule_set(version)
        if row is None:
            raise rule_set_not_found(version)
        if row.status == RULE_SET_ACTIVE:
            return row, await repository.rules(row.id)
        if row.status == RULE_SET_RETIRED:
            raise Refused(
                reasons=[
                    Reason(
                        "refuse_when_rule_set_retired",
                        f"Aturan versi '{version}' sudah pensiun",
                        f"Rule set '{version}' is retired",
                    )
                ]
            )
        current = await repository.active_rule_set()
        if current is not None:
            current.status = RULE_SET_RETIRED
            await repository.flush()
        row.status = RULE_SET_ACTIVE
        row.activated_at = utcnow()
        try:
            await repository.flush()
        except IntegrityError as exc:  # another activation won the race
            raise Conflict(
                "Aturan lain sedang diaktifkan",
                "Another rule set is being activated",
                code="concurrent_update",
            ) from exc
        await emit_event(
            session,
            EVENT_ACTIVATED,
            {"version": row.version, "previous": current.version if current else None},
            key=row.version,
        )
        return row, await repository.rules(row.id)

    async def resolve(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        patron_category: str,
        material_type: str,
        branch: str,
        on: date | None = None,
    ) -> tuple[str, LoanRule, date]:
        row, rules = await self.active(session)
        rule = rules.resolve(patron_category=patron_category, material_type=material_type, branch=branch)
        calendar = await self.calendar(session, branch)
        return row.version, rule, calendar.due_date(on or clock.today(), rule.loan_days)

    # -- calendars -------------------------------------------------------------------------------

    async def get_calendar(
        self, session: AsyncSession, auth_subject: AuthSubject, *, branch: str, year: int | None = None
    ) -> tuple[list[int], Sequence[ClosureRow]]:
        repository = PolicyRepository(session)
        row = await repository.calendar(branch)
        weekdays = [int(d) for d in row.closed_weekdays.split(",") if d] if row else []
        start = date(year, 1, 1) if year else None
        end = date(year, 12, 31) if year else None
        return weekdays, await repository.closures(branch=branch, start=start, end=end)

    async def set_weekdays(
        self, session: AsyncSession, auth_subject: AuthSubject, *, branch: str, closed_weekdays: list[int]
    ) -> None:
        await begin_write(session)
        require_staff(auth_subject)
        repository = PolicyRepository(session)
        row = await repository.calendar(branch)
        value = ",".join(str(d) for d in sorted(set(closed_weekdays)))
        if row is None:
            await repository.add(BranchCalendarRow(branch=branch, closed_weekdays=value))
        else:
            row.closed_weekdays = value
            await repository.flush()

    async def list_closures(
        self, session: AsyncSession, auth_subject: AuthSubject, *, year: int | None, branch: str | None
    ) -> Sequence[ClosureRow]:
        start = date(year, 1, 1) if year else None
        end = date(year, 12, 31) if year else None
        return await PolicyRepository(session).closures(branch=branch, start=start, end=end)

    async def add_closure(
        self, session: AsyncSession, auth_subject: AuthSubject, *, data: ClosureCreate
    ) -> ClosureRow:
        await begin_write(session)
        if data.branch is None:
            self._require_admin(auth_subject)  # national closures bind every branch
        else:
            require_staff(auth_subject)
        repository = PolicyRepository(session)
        if await repository.find_closure(data.day, data.branch) is not None:
            raise Conflict(
                f"Tanggal {data.day} sudah tercatat sebagai hari tutup",
                f"{data.day} is already a closure",
                code="closure_exists",
                details={"day": data.day.isoformat(), "branch": data.branch},
            )
        kind = "cabang" if data.branch is not None and data.kind == "libur" else data.kind
        row = ClosureRow(day=data.day, name=data.name, branch=data.branch, kind=kind)
        await repository.add(row)
        return row

    async def delete_closure(
        self, session: AsyncSession, auth_subject: AuthSubject, *, closure_id: uuid.UUID
    ) -> None:
        await begin_write(session)
        repository = PolicyRepository(session)
        row = await repository.closure(closure_id)
        if row is None:
            raise NotFound("Hari tutup tidak ditemukan", "Closure not found", code="closure_not_found")
        if row.branch is None:
            self._require_admin(auth_subject)
        else:
            require_staff(auth_subject)
        await repository.delete(row)

    async def import_national_holidays(
        self, session: AsyncSession, auth_subject: AuthSubject, *, year: int
    ) -> tuple[int, int]:
        """Load the shipped list of national holidays of ``year`` (idempotent): (created, skipped)."""
        await begin_write(session)
        self._require_admin(auth_subject)
        holidays = national_holidays(year)
        if not holidays:
            raise NotFound(
                f"Daftar hari libur nasional {year} belum tersedia",
                f"No national holiday list shipped for {year}",
                code="holidays_not_available",
                details={"year": year},
            )
        repository = PolicyRepository(session)
        existing = {
            c.day
            for c in await repository.closures(start=date(year, 1, 1), end=date(year, 12, 31))
            if c.branch is None
        }
        created = 0
        for holiday in holidays:
            if holiday.day in existing:
                continue
            existing.add(holiday.day)
            session.add(ClosureRow(day=holiday.day, name=holiday.name, branch=None, kind="libur"))
            created += 1
        await repository.flush()
        return created, len(holidays) - created

    async def due_date(
        self, session: AsyncSession, auth_subject: AuthSubject, *, branch: str, start: date, days: int
    ) -> date:
        calendar = await self.calendar(session, branch)
        return calendar.due_date(start, days)

    @staticmethod
    def _require_admin(auth_subject: AuthSubject) -> None:
        if not auth_subject.is_admin:
            raise Forbidden(
                "Hanya administrator yang dapat mengubah aturan ini",
                "Only an administrator may change this policy",
                code="missing_role",
                details={"required_roles": ["admin"]},
            )

    @staticmethod
    def _version_taken(version: str) -> Conflict:
        return Conflict(
            f"Versi aturan '{version}' sudah ada",
            f"Rule set version '{version}' already exists",
            code="rule_set_version_taken",
            details={"version": version},
        )


policy_service = PolicyService()

__all__ = ["RULE_FIELDS", "PolicyService", "policy_service", "rule_as_dict", "rule_from_dict"]
