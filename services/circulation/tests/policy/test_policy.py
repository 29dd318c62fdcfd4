from datetime import date

import pytest

from circulation.policy import BranchCalendar, Closure, LoanRule, RuleSet, compute_fine
from circulation.policy.holidays import national_holidays
from circulation.policy.rules import NoDefaultRule

RULES = RuleSet(
    "2026.1",
    (
        LoanRule(loan_days=14, max_loans=5),
        LoanRule(patron_category="anak", max_loans=3, loan_days=7),
        LoanRule(material_type="referensi", loanable=False),
        LoanRule(patron_category="mahasiswa", material_type="buku", loan_days=21),
        LoanRule(branch="cikini", loan_days=10),
        LoanRule(branch="cikini", material_type="referensi", loanable=True, loan_days=1),
    ),
)


def test_most_specific_rule_wins() -> None:
    assert RULES.resolve(patron_category="umum", material_type="buku", branch="tebet").loan_days == 14
    assert RULES.resolve(patron_category="anak", material_type="buku", branch="tebet").max_loans == 3
    assert not RULES.resolve(patron_category="umum", material_type="referensi", branch="tebet").loanable
    assert RULES.resolve(patron_category="mahasiswa", material_type="buku", branch="tebet").loan_days == 21
    # a branch rule outranks a category × type rule
    assert RULES.resolve(patron_category="mahasiswa", material_type="buku", branch="cikini").loan_days == 10
    referensi_cikini = RULES.resolve(patron_category="umum", material_type="referensi", branch="cikini")
    assert referensi_cikini.loanable and referensi_cikini.loan_days == 1


def test_rule_sets_need_a_default_and_no_duplicates() -> None:
    with pytest.raises(NoDefaultRule):
        RuleSet("x", (LoanRule(branch="cikini"),))
    with pytest.raises(ValueError, match="share"):
        RuleSet("x", (LoanRule(), LoanRule()))


CLOSURES = [*national_holidays(2026), Closure(date(2026, 8, 18), "Cuti bersama HUT RI", "cikini")]


def test_due_dates_skip_weekly_closing_and_holidays() -> None:
    cikini = BranchCalendar.build("cikini", frozenset({0}), CLOSURES)  # closed on Mondays
    # loaned Mon 3 Aug 2026 for 14 days → Mon 17 Aug: Monday closing and Independence Day,
    # Tue 18 Aug is this branch's own closure, so Wed 19 Aug
    assert cikini.due_date(date(2026, 8, 3), 14) == date(2026, 8, 19)
    tebet = BranchCalendar.build("tebet", frozenset({6}), CLOSURES)  # closed on Sundays
    assert tebet.due_date(date(2026, 8, 3), 14) == date(2026, 8, 18)


def test_fines_count_opening_days_only_and_respect_grace_and_cap() -> None:
    calendar = BranchCalendar.build("tebet", frozenset({6}), CLOSURES)
    rule = LoanRule(fine_per_day=1000, fine_cap=5000, grace_days=1)
    # due Fri 14 Aug, returned Wed 19 Aug: 15 Sat open, 16 Sun shut, 17 Aug holiday, 18 Tue, 19 Wed → 3 open
    fine = compute_fine(rule, calendar, due=date(2026, 8, 14), returned=date(2026, 8, 19))
    assert (fine.overdue_days, fine.chargeable_days, fine.amount, fine.capped) == (5, 2, 2000, False)
    late = compute_fine(rule, calendar, due=date(2026, 8, 1), returned=date(2026, 9, 1))
    assert late.amount == 5000 and late.capped
    assert compute_fine(rule, calendar, due=date(2026, 8, 14), returned=date(2026, 8, 14)).amount == 0


def test_holiday_data_is_loaded() -> None:
    days = {c.day: c.name for c in national_holidays(2026)}
    assert days[date(2026, 8, 17)] == "Hari Kemerdekaan Republik Indonesia"
    assert len(days) >= 15
    assert national_holidays(1999) == []
