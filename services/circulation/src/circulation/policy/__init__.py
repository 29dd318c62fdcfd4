"""Circulation policy as data: the rules matrix, branch calendars, due dates and fines."""

from circulation.policy.calendar import BranchCalendar, Closure
from circulation.policy.fines import Fine, compute_fine
from circulation.policy.rules import LoanRule, RuleSet

__all__ = ["BranchCalendar", "Closure", "Fine", "LoanRule", "RuleSet", "compute_fine"]
