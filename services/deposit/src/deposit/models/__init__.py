"""The deposit service's tables (its own metadata: no other service reads them)."""

from deposit.models.base import Base
from deposit.models.deposit import (
    AccessLogEntry,
    Channel,
    Deposit,
    DepositFile,
    DepositStatus,
    FileRole,
    TextStatus,
)
from deposit.models.depositor import (
    AccountRole,
    Depositor,
    DepositorAccount,
    DepositorPrefix,
    DepositorStatus,
    DepositorType,
    LegalIdentityKind,
    RefreshReminder,
)
from deposit.models.obligation import (
    HistoryEntry,
    Obligation,
    ObligationSource,
    Sequence,
    Warning,
    WarningStatus,
)
from deposit.models.rules import RuleVersion, WarningStep

__all__ = [
    "AccessLogEntry",
    "AccountRole",
    "Base",
    "Channel",
    "Deposit",
    "DepositFile",
    "DepositStatus",
    "Depositor",
    "DepositorAccount",
    "DepositorPrefix",
    "DepositorStatus",
    "DepositorType",
    "FileRole",
    "HistoryEntry",
    "LegalIdentityKind",
    "Obligation",
    "ObligationSource",
    "RefreshReminder",
    "RuleVersion",
    "Sequence",
    "TextStatus",
    "Warning",
    "WarningStatus",
    "WarningStep",
]
