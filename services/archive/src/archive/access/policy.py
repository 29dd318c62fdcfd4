"""The archive access policy, defined once.

:func:`readable` turns a viewer into a :class:`Condition` tree over a record's facts (security
level, creating unit, legal cases, explicit grants). The same tree is evaluated directly for a
read (:func:`can_read`), compiled to SQL for lists (``sql.py``) and to a search filter for search
(``search.py``), so a search can never show what a direct read would refuse.

The rules (RULES.md §2, UU 43/2009 and the SKKAAD):

* everyone, the public included, may read ``BIASA`` records;
* *pengawas internal* and *pengawas eksternal* read everything up to their clearance (oversight);
* *penentu kebijakan*: the top leader reads everything under the unit they lead; high and middle
  tiers read their own unit and the units below it, never peers' or superiors';
* *pengolah/pelaksana* read their own unit's records;
* *aparat penegak hukum* read only records tied to a case they hold a grant for;
* an explicit grant (an approved access request) opens one record to one viewer;
* apart from ``BIASA`` and explicit grants, no one reads above their clearance.

Units are paths (``dispusip/bidang-layanan/seksi-deposit``); "under a unit" means the unit
itself or any path below it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from pusip_kit.auth.subject import AuthSubject, SecurityLevel


class AccessCategory(StrEnum):
    PENENTU_KEBIJAKAN = "penentu_kebijakan"
    PENGOLAH = "pengolah"
    PENGAWAS_INTERNAL = "pengawas_internal"
    PENGAWAS_EKSTERNAL = "pengawas_eksternal"
    PENEGAK_HUKUM = "penegak_hukum"
    PUBLIK = "publik"


class PolicyTier(StrEnum):
    TERTINGGI = "tertinggi"
    TINGGI = "tinggi"
    MENENGAH = "menengah"


@dataclass(frozen=True)
class Viewer:
    category: AccessCategory
    unit: str | None = None
    tier: PolicyTier | None = None
    clearance: SecurityLevel = SecurityLevel.BIASA
    cases: frozenset[str] = frozenset()  # legal cases granted to a law-enforcement viewer
    granted_records: frozenset[str] = frozenset()  # record ids opened by approved requests
    subject: str | None = None

    @classmethod
    def from_subject(
        cls,
        subject: AuthSubject,
        *,
        cases: frozenset[str] = frozenset(),
        granted: frozenset[str] = frozenset(),
    ) -> Viewer:
        raw = subject.access_category or AccessCategory.PUBLIK.value
        category_text, _, tier_text = raw.partition(":")  # "penentu_kebijakan:tinggi"
        try:
            category = AccessCategory(category_text)
        except ValueError:
            category = AccessCategory.PUBLIK
        tier = None
        if category is AccessCategory.PENENTU_KEBIJAKAN:
            try:
                tier = PolicyTier(tier_text or "menengah")
            except ValueError:
                tier = PolicyTier.MENENGAH
        if subject.subject == "anonymous":
            category = AccessCategory.PUBLIK
        return cls(
            category=category,
            unit=subject.unit,
            tier=tier,
            clearance=subject.clearance,
            cases=cases,
            granted_records=granted,
            subject=subject.subject,
        )


@dataclass(frozen=True)
class RecordFacts:
    id: str
    level: SecurityLevel
    unit: str
    cases: frozenset[str] = frozenset()


# ------------------------------------------------------------------ conditions


@dataclass(frozen=True)
class Condition:
    """A node of the policy tree. Exactly one kind of payload is set per node."""

    op: str  # "any" | "all" | "level_in" | "unit_under" | "unit_is" | "case_in" | "id_in" | "never"
    children: tuple[Condition, ...] = ()
    values: frozenset[str] = field(default_factory=frozenset)

    def evaluate(self, record: RecordFacts) -> bool:
        match self.op:
            case "any":
                return any(c.evaluate(record) for c in self.children)
            case "all":
                return all(c.evaluate(record) for c in self.children)
            case "level_in":
                return record.level.value in self.values
            case "unit_is":
                return record.unit in self.values
            case "unit_under":
                return any(a in self.values for a in unit_ancestors(record.unit))
            case "case_in":
                return bool(record.cases & self.values)
            case "id_in":
                return record.id in self.values
            case "never":
                return False
        raise ValueError(f"unknown condition {self.op}")


def any_of(*children: Condition) -> Condition:
    kept = tuple(c for c in children if c.op != "never")
    return Condition("any", kept) if kept else NEVER


def all_of(*children: Condition) -> Condition:
    if any(c.op == "never" for c in children):
        return NEVER
    return Condition("all", children)


NEVER = Condition("never")


def levels_up_to(clearance: SecurityLevel) -> frozenset[str]:
    return frozenset(level.value for level in SecurityLevel if level.rank <= clearance.rank)


def unit_ancestors(unit: str) -> list[str]:
    """``a/b/c`` → ``["a", "a/b", "a/b/c"]``: every unit a record is "under"."""
    parts = [p for p in unit.split("/") if p]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def readable(viewer: Viewer) -> Condition:
    public = Condition("level_in", values=frozenset({SecurityLevel.BIASA.value}))
    granted = Condition("id_in", values=viewer.granted_records) if viewer.granted_records else NEVER
    cleared = Condition("level_in", values=levels_up_to(viewer.clearance))
    category = viewer.category
    if category in (AccessCategory.PENGAWAS_INTERNAL, AccessCategory.PENGAWAS_EKSTERNAL):
        scope = cleared
    elif category is AccessCategory.PENENTU_KEBIJAKAN and viewer.unit:
        scope = all_of(cleared, Condition("unit_under", values=frozenset({viewer.unit.strip("/")})))
    elif category is AccessCategory.PENGOLAH and viewer.unit:
        scope = all_of(cleared, Condition("unit_is", values=frozenset({viewer.unit.strip("/")})))
    elif category is AccessCategory.PENEGAK_HUKUM and viewer.cases:
        scope = all_of(cleared, Condition("case_in", values=viewer.cases))
    else:
        scope = NEVER
    return any_of(public, granted, scope)


def can_read(viewer: Viewer, record: RecordFacts) -> bool:
    return readable(viewer).evaluate(record)
