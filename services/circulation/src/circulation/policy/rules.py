"""The circulation rules matrix: patron category × material type × branch.

A rule may leave any of the three open (``None`` = any). For a given loan the most specific
matching rule wins; specificity ranks branch above patron category above material type (a
branch's own rule for all readers beats a network-wide rule for students), and every rule set
must hold a default rule with all three open, so every loan has an answer.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LoanRule:
    patron_category: str | None = None
    material_type: str | None = None
    branch: str | None = None
    loanable: bool = True
    loan_days: int = 14
    max_loans: int = 5  # open loans overall for this patron under this rule
    max_loans_of_type: int | None = None  # open loans of this material type
    renewals: int = 2
    renewal_days: int | None = None  # None = loan_days again
    holds_allowed: bool = True
    max_holds: int = 5
    hold_pickup_days: int = 3
    fine_per_day: int = 500  # Rupiah per overdue opening day
    fine_cap: int = 50_000
    grace_days: int = 0

    @property
    def specificity(self) -> int:
        return (
            (4 if self.branch else 0) + (2 if self.patron_category else 0) + (1 if self.material_type else 0)
        )

    def matches(self, patron_category: str, material_type: str, branch: str) -> bool:
        return (
            (self.patron_category in (None, patron_category))
            and (self.material_type in (None, material_type))
            and (self.branch in (None, branch))
        )


class NoDefaultRule(ValueError):
    pass


@dataclass(frozen=True)
class RuleSet:
    """A versioned set of rules (stored as data; this is its in-memory form)."""

    version: str
    rules: tuple[LoanRule, ...]

    def __post_init__(self) -> None:
        if not any(r.specificity == 0 for r in self.rules):
            raise NoDefaultRule(
                "a rule set needs a default rule with category, material type and branch open"
            )
        keys = [(r.patron_category, r.material_type, r.branch) for r in self.rules]
        if len(keys) != len(set(keys)):
            raise ValueError("two rules share the same category, material type and branch")

    def resolve(self, *, patron_category: str, material_type: str, branch: str) -> LoanRule:
        candidates = [r for r in self.rules if r.matches(patron_category, material_type, branch)]
        return max(candidates, key=lambda r: r.specificity)
