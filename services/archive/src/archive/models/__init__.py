"""The archive service's tables (its own metadata: no other service reads them)."""

from archive.models.audit import AuditEntry, AuditHead
from archive.models.base import Base
from archive.models.classification import ClassificationCode
from archive.models.instruments import AccessGround, InstrumentCode, InstrumentProblem, InstrumentSet
from archive.models.integration import (
    FixityIssue,
    FixityRun,
    IdempotencyKey,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from archive.models.lifecycle import (
    DisposalApproval,
    DisposalItem,
    DisposalPanelMember,
    DisposalProposal,
    DisposalWitness,
    Document,
    Handover,
    HandoverItem,
    Transfer,
    TransferItem,
)
from archive.models.records import (
    AccessRequest,
    Berkas,
    CaseGrant,
    LegalCase,
    LegalHold,
    Record,
    RecordCase,
    RecordFile,
    RecordGrant,
    RecordLink,
)

__all__ = [
    "AccessGround",
    "AccessRequest",
    "AuditEntry",
    "AuditHead",
    "Base",
    "Berkas",
    "CaseGrant",
    "ClassificationCode",
    "DisposalApproval",
    "DisposalItem",
    "DisposalPanelMember",
    "DisposalProposal",
    "DisposalWitness",
    "Document",
    "FixityIssue",
    "FixityRun",
    "Handover",
    "HandoverItem",
    "IdempotencyKey",
    "InstrumentCode",
    "InstrumentProblem",
    "InstrumentSet",
    "LegalCase",
    "LegalHold",
    "Record",
    "RecordCase",
    "RecordFile",
    "RecordGrant",
    "RecordLink",
    "Transfer",
    "TransferItem",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookSubscription",
]
