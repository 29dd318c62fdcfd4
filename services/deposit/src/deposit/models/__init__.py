"""The deposit service's tables (its own metadata: no other service reads them)."""

from deposit.models.base import Base
from deposit.models.depositor import (
    Depositor,
    DepositorPrefix,
    DepositorStatus,
    DepositorType,
    LegalIdentityKind,
)

__all__ = ["Base", "Depositor", "DepositorPrefix", "DepositorStatus", "DepositorType", "LegalIdentityKind"]
