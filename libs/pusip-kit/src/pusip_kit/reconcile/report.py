"""What ``pusip reconcile`` found and did: findings per check, checks per service, one report.

A *check* compares one kind of derived state with its source of truth (a search index with the
database, an object bucket with the rows that name its objects, the outbox with the broker). Each
difference is a :class:`Finding`; a finding is *repairable* when the check can put it right from
the source of truth (re-index, delete an orphan object, relay a row), and not when the truth itself
is damaged (a row whose object is gone: only a backup brings it back).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

MAX_LISTED = 100
"""Findings listed per check in the JSON report (all are counted)."""


@dataclass(frozen=True)
class Finding:
    kind: str
    """``missing_from_index``, ``stale_in_index``, ``orphan_in_index``, ``orphan_object``,
    ``missing_object``, ``sha256_mismatch``, ``outbox_pending``, ``outbox_dead``, …"""
    subject: str
    """The row id, document id or object key concerned."""
    detail: str = ""
    repairable: bool = True

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "detail": self.detail,
            "repairable": self.repairable,
        }


@dataclass
class CheckResult:
    check: str
    """``search:<index>``, ``objects:<bucket>``, ``outbox`` or a service-specific name."""
    examined: int = 0
    findings: list[Finding] = field(default_factory=list)
    repaired: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, kind: str, subject: str, detail: str = "", *, repairable: bool = True) -> None:
        self.findings.append(Finding(kind, subject, detail, repairable))

    @property
    def drift(self) -> int:
        return len(self.findings)

    def by_kind(self) -> dict[str, int]:
        return dict(sorted(Counter(f.kind for f in self.findings).items()))

    def as_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "examined": self.examined,
            "drift": self.drift,
            "by_kind": self.by_kind(),
            "repaired": self.repaired,
            "errors": list(self.errors),
            "findings": [f.as_json() for f in self.findings[:MAX_LISTED]],
        }


@dataclass
class ServiceReport:
    service: str
    checks: list[CheckResult] = field(default_factory=list)

    def check(self, name: str) -> CheckResult:
        """The result named ``name`` (created on first use)."""
        for existing in self.checks:
            if existing.check == name:
                return existing
        result = CheckResult(name)
        self.checks.append(result)
        return result

    @property
    def drift(self) -> int:
        return sum(c.drift for c in self.checks)

    @property
    def errors(self) -> int:
        return sum(len(c.errors) for c in self.checks)

    @property
    def repaired(self) -> int:
        return sum(c.repaired for c in self.checks)

    def as_json(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "drift": self.drift,
            "repaired": self.repaired,
            "checks": [c.as_json() for c in self.checks],
        }


@dataclass
class ReconcileReport:
    """One run: what was found (``found``) and, after a repair, what a second look still finds."""

    repair: bool
    found: list[ServiceReport] = field(default_factory=list)
    remaining: list[ServiceReport] | None = None

    @property
    def drift(self) -> int:
        return sum(s.drift for s in self.found)

    @property
    def repaired(self) -> int:
        return sum(s.repaired for s in self.found)

    @property
    def remaining_drift(self) -> int:
        """Drift left: after a repair the second look's, otherwise all that was found."""
        reports = self.found if self.remaining is None else self.remaining
        return sum(s.drift for s in reports)

    @property
    def errors(self) -> int:
        reports = self.found if self.remaining is None else self.remaining
        return sum(s.errors for s in reports)

    @property
    def clean(self) -> bool:
        return self.remaining_drift == 0 and self.errors == 0

    def as_json(self) -> dict[str, Any]:
        return {
            "repair": self.repair,
            "drift": self.drift,
            "repaired": self.repaired,
            "remaining": self.remaining_drift,
            "errors": self.errors,
            "clean": self.clean,
            "services": [s.as_json() for s in self.found],
            "after_repair": None if self.remaining is None else [s.as_json() for s in self.remaining],
        }
