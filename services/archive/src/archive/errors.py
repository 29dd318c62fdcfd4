"""Archive errors shared by several features."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from archive.audit import AuditDraft
from pusip_kit.errors import NotFound, PusipError


class RecordNotFound(NotFound):
    """404 for a record that does not exist *or* that the caller may not read.

    The two are indistinguishable on purpose, so a refusal never confirms that a record exists.
    A refusal carries its audit entries, committed even though the request rolls back.
    """

    def __init__(self, record_id: Any, drafts: Sequence[AuditDraft] = ()) -> None:
        super().__init__(
            f"Arsip '{record_id}' tidak ditemukan",
            f"Record '{record_id}' not found",
            code="record_not_found",
            details={"record_id": str(record_id)},
        )
        self.audit_drafts = list(drafts)


def record_not_found(record_id: Any, drafts: Sequence[AuditDraft] = ()) -> PusipError:
    return RecordNotFound(record_id, drafts)
