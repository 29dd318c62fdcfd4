"""The circulation service's tables (its own metadata: no other service reads them)."""

from circulation.models.announcement import Announcement
from circulation.models.base import Base
from circulation.models.branch import Branch
from circulation.models.digital import DigitalLoan, DigitalWait, Licence
from circulation.models.fine import Fine, Payment, Waiver
from circulation.models.item import Item, Record
from circulation.models.loan import Hold, Loan, Transit
from circulation.models.notice import Notice
from circulation.models.patron import EmailVerification, Patron, PatronBlock
from circulation.models.patron_category import PatronCategory
from circulation.models.policy import BranchCalendarRow, ClosureRow, LoanRuleRow, RuleSetRow
from circulation.models.sip_account import SipAccount
from circulation.models.stats import DailyStats
from circulation.models.visit import Visit

__all__ = [
    "Announcement",
    "Base",
    "Branch",
    "BranchCalendarRow",
    "ClosureRow",
    "DailyStats",
    "DigitalLoan",
    "DigitalWait",
    "EmailVerification",
    "Fine",
    "Hold",
    "Item",
    "Licence",
    "Loan",
    "LoanRuleRow",
    "Notice",
    "Patron",
    "PatronBlock",
    "PatronCategory",
    "Payment",
    "Record",
    "RuleSetRow",
    "SipAccount",
    "Transit",
    "Visit",
    "Waiver",
]
