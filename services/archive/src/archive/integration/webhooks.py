"""Webhooks: subscriptions, signed deliveries, retries with backoff, and the delivery log.

A delivery is an HTTP ``POST`` of JSON::

    {"id": "<event id>", "type": "archive.record.created", "occurred_at": "…", "delivery_id": "…",
     "data": {...thin payload...}}

with headers ``X-Pusip-Event``, ``X-Pusip-Delivery``, ``X-Pusip-Timestamp`` and
``X-Pusip-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>``. Receivers
check the signature with :func:`verify_signature` (reject old timestamps to stop replays) and dedupe
on the event id: a delivery may arrive more than once.

Deliveries are queued in the transaction that emitted the event (outbox task
``archive.webhooks.deliver``); a failed attempt (non-2xx, timeout, connection error) is retried with
exponential backoff by the Celery task, up to ``webhook_max_attempts``; a sweep on beat re-queues
pending deliveries whose retry was lost. Every attempt is logged.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import urlparse

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from archive.access.policy import unit_ancestors
from archive.config import ArchiveSettings
from archive.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.config import Environment
from pusip_kit.db import utcnow
from pusip_kit.errors import BadRequest, NotFound
from pusip_kit.outbox import enqueue_task
from pusip_kit.pagination import PaginationParams

TASK_DELIVER = "archive.webhooks.deliver"
TASK_SWEEP = "archive.webhooks.sweep"
SIGNATURE_HEADER = "X-Pusip-Signature"
PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_signature(
    secret: str, header: str, body: bytes, *, tolerance: int = 300, now: float | None = None
) -> bool:
    """For receivers: is ``header`` a valid, fresh signature of ``body``?"""
    try:
        parts = dict(p.split("=", 1) for p in header.split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        return False
    if abs((now or time.time()) - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, given)


def backoff_seconds(attempts: int, base: float) -> float:
    return float(min(base * (2 ** max(0, attempts - 1)), 6 * 3600))


def subscription_not_found(subscription_id: Any) -> NotFound:
    return NotFound(
        f"Langganan webhook '{subscription_id}' tidak ditemukan",
        f"Webhook subscription '{subscription_id}' not found",
        code="webhook_not_found",
        details={"id": str(subscription_id)},
    )


def check_url(url: str, settings: ArchiveSettings) -> str:
    parsed = urlparse(url)
    require_https = settings.webhook_require_https
    if require_https is None:
        require_https = settings.environment not in (Environment.DEVELOPMENT, Environment.TEST)
    allowed = ("https",) if require_https else ("https", "http")
    if parsed.scheme not in allowed or not parsed.hostname:
        raise BadRequest(
            "URL webhook harus berupa alamat " + (" atau ".join(allowed)),
            "The webhook URL must be an " + " or ".join(allowed) + " address",
            code="webhook_url_invalid",
            details={"url": url},
        )
    return url


@dataclass
class DeliveryOutcome:
    status: str
    attempts: int
    status_code: int | None
    retry_in: float | None


def _owns(subject: AuthSubject, subscription: WebhookSubscription) -> bool:
    return subject.is_admin or subscription.owner == _owner(subject)


def _owner(subject: AuthSubject) -> str:
    return (
        f"client:{subject.client_id}" if subject.is_service_account and subject.client_id else subject.subject
    )


class WebhookService:
    async def create(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        name: str,
        url: str,
        event_types: Sequence[str],
        unit: str | None,
        settings: ArchiveSettings,
    ) -> tuple[WebhookSubscription, str]:
        """A new subscription and its signing secret (shown only now)."""
        if not auth_subject.is_admin:
            unit = auth_subject.unit  # agencies receive events of their own unit only
            if not unit:
                raise BadRequest(
                    "Token tidak memuat unit kerja; langganan tidak dapat dibatasi",
                    "The token carries no unit; the subscription cannot be scoped",
                    code="unit_required",
                )
        secret = secrets.token_urlsafe(32)
        item = WebhookSubscription(
            name=name,
            url=check_url(url, settings),
            secret=secret,
            event_types=list(event_types),
            unit=unit,
            owner=_owner(auth_subject),
            active=True,
        )
        session.add(item)
        await session.flush()
        return item, secret

    async def get(
        self, session: AsyncSession, auth_subject: AuthSubject, *, subscription_id: uuid.UUID
    ) -> WebhookSubscription:
        item = await session.get(WebhookSubscription, subscription_id)
        if item is None or not _owns(auth_subject, item):
            raise subscription_not_found(subscription_id)
        return item

    async def list_subscriptions(
        self, session: AsyncSession, auth_subject: AuthSubject, *, pagination: PaginationParams
    ) -> tuple[Sequence[WebhookSubscription], int]:
        statement = select(WebhookSubscription)
        if not auth_subject.is_admin:
            statement = statement.where(WebhookSubscription.owner == _owner(auth_subject))
        total = await session.scalar(select(func.count()).select_from(statement.subquery()))
        result = await session.execute(
            statement.order_by(WebhookSubscription.created_at)
            .offset(pagination.offset)
            .limit(pagination.limit)
        )
        return result.scalars().all(), int(total or 0)

    async def update(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        subscription_id: uuid.UUID,
        changes: dict[str, Any],
        settings: ArchiveSettings,
    ) -> WebhookSubscription:
        item = await self.get(session, auth_subject, subscription_id=subscription_id)
        if "url" in changes and changes["url"] is not None:
            item.url = check_url(changes["url"], settings)
        if changes.get("event_types") is not None:
            item.event_types = list(changes["event_types"])
        if changes.get("name") is not None:
            item.name = changes["name"]
        if changes.get("active") is not None:
            item.active = bool(changes["active"])
        await session.flush()
        return item

    async def rotate_secret(
        self, session: AsyncSession, auth_subject: AuthSubject, *, subscription_id: uuid.UUID
    ) -> tuple[WebhookSubscription, str]:
        item = await self.get(session, auth_subject, subscription_id=subscription_id)
        item.secret = secrets.token_urlsafe(32)
        await session.flush()
        return item, item.secret

    async def fan_out(
        self,
        session: AsyncSession,
        *,
        event_id: uuid.UUID,
        event_type: str,
        payload: dict[str, Any],
        unit: str | None,
    ) -> int:
        result = await session.execute(
            select(WebhookSubscription).where(WebhookSubscription.active.is_(True))
        )
        created = 0
        ancestors = set(unit_ancestors(unit)) if unit else set()
        for subscription in result.scalars().all():
            if not any(fnmatchcase(event_type, p) for p in subscription.event_types):
                continue
            if subscription.unit and subscription.unit.strip("/") not in ancestors:
                continue
            delivery = WebhookDelivery(
                subscription_id=subscription.id,
                event_id=event_id,
                event_type=event_type,
                payload={
                    "id": str(event_id),
                    "type": event_type,
                    "occurred_at": utcnow().isoformat(),
                    "data": payload,
                },
                status=PENDING,
                attempts=0,
                next_attempt_at=utcnow(),
            )
            session.add(delivery)
            await session.flush()
            await enqueue_task(session, TASK_DELIVER, str(delivery.id))
            created += 1
        return created

    async def ping(
        self, session: AsyncSession, auth_subject: AuthSubject, *, subscription_id: uuid.UUID
    ) -> WebhookDelivery:
        item = await self.get(session, auth_subject, subscription_id=subscription_id)
        event_id = uuid.uuid4()
        delivery = WebhookDelivery(
            subscription_id=item.id,
            event_id=event_id,
            event_type="archive.webhook.ping",
            payload={
                "id": str(event_id),
                "type": "archive.webhook.ping",
                "occurred_at": utcnow().isoformat(),
                "data": {},
            },
            status=PENDING,
            attempts=0,
            next_attempt_at=utcnow(),
        )
        session.add(delivery)
        await session.flush()
        await enqueue_task(session, TASK_DELIVER, str(delivery.id))
        return delivery

    async def deliveries(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        subscription_id: uuid.UUID,
        pagination: PaginationParams,
        status: str | None = None,
    ) -> tuple[Sequence[WebhookDelivery], int]:
        await self.get(session, auth_subject, subscription_id=subscription_id)
        statement = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
        if status:
            statement = statement.where(WebhookDelivery.status == status)
        total = await session.scalar(select(func.count()).select_from(statement.subquery()))
        result = await session.execute(
            statement.order_by(WebhookDelivery.created_at.desc())
            .offset(pagination.offset)
            .limit(pagination.limit)
        )
        return result.scalars().all(), int(total or 0)

    async def attempts(
        self, session: AsyncSession, delivery_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[WebhookAttempt]]:
        out: dict[uuid.UUID, list[WebhookAttempt]] = {i: [] for i in delivery_ids}
        if delivery_ids:
            result = await session.execute(
                select(WebhookAttempt)
                .where(WebhookAttempt.delivery_id.in_(delivery_ids))
                .order_by(WebhookAttempt.attempt)
            )
            for attempt in result.scalars().all():
                out[attempt.delivery_id].append(attempt)
        return out

    async def redeliver(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        subscription_id: uuid.UUID,
        delivery_id: uuid.UUID,
    ) -> WebhookDelivery:
        await self.get(session, auth_subject, subscription_id=subscription_id)
        delivery = await session.get(WebhookDelivery, delivery_id)
        if delivery is None or delivery.subscription_id != subscription_id:
            raise NotFound(
                "Pengiriman tidak ditemukan", "Delivery not found", code="webhook_delivery_not_found"
            )
        delivery.status = PENDING
        delivery.attempts = 0
        delivery.next_attempt_at = utcnow()
        await session.flush()
        await enqueue_task(session, TASK_DELIVER, str(delivery.id))
        return delivery

    async def deliver(
        self,
        session: AsyncSession,
        *,
        delivery_id: uuid.UUID,
        settings: ArchiveSettings,
        client: httpx.AsyncClient | None = None,
    ) -> DeliveryOutcome | None:
        """One attempt at a delivery (in the caller's transaction); ``None`` if nothing was to do."""
        delivery = await session.get(WebhookDelivery, delivery_id, with_for_update=True)
        if delivery is None or delivery.status != PENDING:
            return None
        subscription = await session.get(WebhookSubscription, delivery.subscription_id)
        if subscription is None or not subscription.active:
            delivery.status = FAILED
            delivery.last_error = "langganan tidak aktif / subscription inactive"
            await session.flush()
            return DeliveryOutcome(FAILED, delivery.attempts, None, None)
        body_dict = {**delivery.payload, "delivery_id": str(delivery.id)}
        body = json.dumps(body_dict, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Pusip-Archive-Webhooks/1",
            "X-Pusip-Event": delivery.event_type,
            "X-Pusip-Delivery": str(delivery.id),
            "X-Pusip-Timestamp": str(timestamp),
            SIGNATURE_HEADER: sign(subscription.secret, timestamp, body),
        }
        delivery.attempts += 1
        started = time.monotonic()
        status_code: int | None = None
        error: str | None = None
        own_client = client is None
        http = client or httpx.AsyncClient(timeout=settings.webhook_timeout_seconds, follow_redirects=False)
        try:
            response = await http.post(subscription.url, content=body, headers=headers)
            status_code = response.status_code
            if not 200 <= status_code < 300:
                error = f"HTTP {status_code}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:1000]
        finally:
            if own_client:
                await http.aclose()
        now = utcnow()
        session.add(
            WebhookAttempt(
                delivery_id=delivery.id,
                attempt=delivery.attempts,
                at=now,
                status_code=status_code,
                error=error,
                duration_ms=int((time.monotonic() - started) * 1000),
            )
        )
        delivery.last_status_code = status_code
        delivery.last_error = error
        retry_in: float | None = None
        if error is None:
            delivery.status = DELIVERED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
        elif delivery.attempts >= settings.webhook_max_attempts:
            delivery.status = FAILED
            delivery.next_attempt_at = None
        else:
            retry_in = backoff_seconds(delivery.attempts, settings.webhook_backoff_seconds)
            delivery.next_attempt_at = now + timedelta(seconds=retry_in)
        await session.flush()
        return DeliveryOutcome(delivery.status, delivery.attempts, status_code, retry_in)

    async def due_for_retry(
        self, session: AsyncSession, *, now: datetime | None = None, grace: timedelta = timedelta(minutes=2)
    ) -> list[uuid.UUID]:
        """Pending deliveries whose retry time passed a while ago (their Celery retry was lost)."""
        limit = (now or utcnow()) - grace
        result = await session.execute(
            select(WebhookDelivery.id)
            .where(WebhookDelivery.status == PENDING, WebhookDelivery.next_attempt_at <= limit)
            .limit(500)
        )
        return list(result.scalars().all())


webhook_service = WebhookService()
