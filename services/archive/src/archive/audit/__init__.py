"""The append-only, hash-chained access audit log and its verifier."""

from archive.audit.chain import (
    GENESIS,
    AuditDraft,
    ChainChecker,
    VerifyResult,
    append,
    append_many,
    canonical,
    chain_hash,
    verify,
    verify_rows,
)

__all__ = [
    "GENESIS",
    "AuditDraft",
    "ChainChecker",
    "VerifyResult",
    "append",
    "append_many",
    "canonical",
    "chain_hash",
    "verify",
    "verify_rows",
]
