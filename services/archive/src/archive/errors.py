"""Archive errors shared by several features."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from archive.audit import AuditDraft
from pusip_kit.errors import NotFound, PusipError


def with_audit(error: PusipError, drafts: Sequence[AuditDraft]) -> PusipError:
    """Attach audit entries to ``error``; they are committed even though the request rolls back."""
    error.audit_drafts = list(drafts)
    return error


def record_not_found(record_id: Any, drafts: Sequence[AuditDraft] = ()) -> PusipError:
    """404 for a record that does not exist *or* that the caller may not read.

    The two are indistinguishable on purpose, so a refusal never confirms that a record exists;
    a refusal carries its audit entry.
    """
    error = NotFound(
        f"Arsip '{record_id}' tidak ditemukan",
        f"Record '{record_id}' not found",
        code="record_not_found",
        details={"record_id": str(record_id)},
    )
    return with_audit(error, drafts) if drafts else error
