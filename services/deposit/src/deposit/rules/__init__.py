"""Legal-deposit rules as data (UU 13/2018, PP 55/2021): obligations, due dates, compliance."""

from deposit.rules.compliance import ComplianceRate, compliance_rate
from deposit.rules.identifiers import IdentifierError, validate_isbn, validate_ismn, validate_issn
from deposit.rules.obligations import DepositRules, ObligationStatus, WorkKind, obligation_status
from pusip_kit.files import FileKind, sniff

__all__ = [
    "ComplianceRate",
    "DepositRules",
    "FileKind",
    "IdentifierError",
    "ObligationStatus",
    "WorkKind",
    "compliance_rate",
    "obligation_status",
    "sniff",
    "validate_isbn",
    "validate_ismn",
    "validate_issn",
]
