"""Bulk submission by agency systems (OAuth2 client credentials) with idempotency keys.

A client (role ``agency_system``) submits records of its own unit — the unit comes from its token;
an item may name a unit *below* it. The ``Idempotency-Key`` header is required: the first request
with a key is processed and its response stored; a retry with the same key and the same body gets
the stored response (header ``Idempotent-Replayed: true``) and creates nothing; the same key with a
different body is refused. Two concurrent requests with one key: one wins, the other gets 409 and
its retry gets the stored response.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from archive.access.records import actor_of
from archive.models import IdempotencyKey
from archive.records.imports import register_rows
from archive.records.srikandi import SourceRow, _normalise_keys
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.errors import Conflict, Forbidden, PusipError


class IdempotencyKeyReused(PusipError):
    status_code = 422
    code = "idempotency_key_reused"
    message = "Kunci idempotensi ini sudah dipakai untuk permintaan yang berbeda"
    message_en = "This idempotency key was already used for a different request"


def request_hash(body: Any) -> str:
    return hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()
    ).hexdigest()


class SubmissionService:
    async def submit(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        key: str,
        items: list[dict[str, Any]],
        dry_run: bool,
    ) -> tuple[int, dict[str, Any], bool]:
        """``(status_code, body, replayed)`` for a submission under ``key``."""
        if not auth_subject.unit:
            raise Forbidden(
                "Token klien tidak memuat unit kerja",
                "The client token carries no unit",
                code="unit_required",
            )
        client = actor_of(auth_subject)
        digest = request_hash({"items": items, "dry_run": dry_run})
        stored = (
            await session.execute(
                select(IdempotencyKey).where(IdempotencyKey.client == client, IdempotencyKey.key == key)
            )
        ).scalar_one_or_none()
        if stored is not None:
            if stored.request_hash != digest:
                raise IdempotencyKeyReused(details={"idempotency_key": key})
            return stored.status_code, stored.response, True
        # Claim the key first: the insert takes the write lock (SQLite) or blocks on the unique index
        # (PostgreSQL), so a concurrent request with the same key waits here and then conflicts,
        # before it could register anything.
        claim = IdempotencyKey(client=client, key=key, request_hash=digest, status_code=0, response={})
        session.add(claim)
        try:
            await session.flush()
        except IntegrityError as exc:
            raise Conflict(
                "Permintaan dengan kunci idempotensi ini sedang atau sudah diproses; ulangi untuk jawabannya",
                "A request with this idempotency key is in progress or done; retry to get its response",
                code="idempotency_key_in_flight",
            ) from exc
        rows = [
            SourceRow(n, _normalise_keys(item) if isinstance(item, dict) else {})
            for n, item in enumerate(items, 1)
        ]
        result = await register_rows(session, auth_subject, rows=rows, dry_run=dry_run, source="agency")
        body = {
            "idempotency_key": key,
            "client": client,
            "unit": auth_subject.unit,
            **result.model_dump(mode="json"),
        }
        status = 201 if result.created else 200
        claim.status_code = status
        claim.response = body
        await session.flush()
        return status, body, False


submission_service = SubmissionService()
