"""Builders and helpers shared by circulation's tests."""

from __future__ import annotations

import socket
import threading
import uuid
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller

from circulation.tasks import TASKS, handlers
from pusip_kit.events import Event, deliver_event
from pusip_kit.outbox import OutgoingMessage, relay_outbox
from pusip_kit.testing.service import ServiceClient

ADMIN = {"roles": ["admin"]}
LIBRARIAN = {"roles": ["librarian"]}
T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)

BRANCHES = ("cikini", "kuningan", "tebet")


# -- a local SMTP sink -------------------------------------------------------------------------------


class MailSink:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.lock = threading.Lock()
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()

    def to(self, address: str) -> list[Message]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_mail_sink() -> MailSink:
    sink = MailSink()
    sink.port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    return sink


def body_of(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


# -- the worker, in process -------------------------------------------------------------------------


class _Collector:
    def __init__(self) -> None:
        self.messages: list[OutgoingMessage] = []

    def publish(self, message: OutgoingMessage) -> None:
        self.messages.append(message)


async def run_tasks(client: ServiceClient, *, rounds: int = 5) -> list[tuple[str, Any]]:
    """Do what the worker would: relay the outbox and run the circulation tasks it holds."""
    done: list[tuple[str, Any]] = []
    for _ in range(rounds):
        collector = _Collector()
        await relay_outbox(client.sessionmaker, collector)
        tasks = [m for m in collector.messages if m.task_name in TASKS]
        if not tasks:
            break
        for message in tasks:
            result = await TASKS[message.task_name](client.sessionmaker, client.settings, *message.args)
            done.append((message.task_name, result))
    return done


# -- the world a circulation test needs -------------------------------------------------------------


def catalog_event(event_type: str, payload: dict[str, Any], *, at: datetime = T0) -> Event:
    return Event(
        id=uuid.uuid4(), type=event_type, occurred_at=at, producer="catalog", key=None, payload=payload
    )


async def seed_branches(client: ServiceClient, *codes: str) -> None:
    for code in codes or BRANCHES:
        payload = {
            "code": code,
            "name": f"Perpustakaan Jakarta {code.title()}",
            "active": True,
            "updated_at": T0.isoformat(),
        }
        result = await deliver_event(
            client.sessionmaker, handlers, catalog_event("catalog.branch.created", payload)
        )
        assert result.ok, result.failed


async def seed_item(
    client: ServiceClient,
    barcode: str,
    *,
    record_id: str = "rec-1",
    branch: str = "cikini",
    material_type: str = "buku",
    title: str = "Laskar Pelangi",
    at: datetime = T0,
) -> None:
    payload = {
        "barcode": barcode,
        "record_id": record_id,
        "branch": branch,
        "location": "Rak umum",
        "material_type": material_type,
        "title": title,
        "updated_at": at.isoformat(),
    }
    result = await deliver_event(
        client.sessionmaker, handlers, catalog_event("catalog.item.created", payload, at=at)
    )
    assert result.ok, result.failed


DEFAULT_RULES: list[dict[str, Any]] = [
    {"loan_days": 14, "max_loans": 5, "renewals": 2, "fine_per_day": 500, "fine_cap": 50_000, "max_holds": 5},
    {"patron_category": "anak", "max_loans": 2, "fine_per_day": 200},
    {"material_type": "referensi", "loanable": False, "holds_allowed": False},
    {"material_type": "majalah", "loan_days": 7, "max_loans_of_type": 1, "renewals": 0},
]


async def activate_rules(
    client: ServiceClient, rules: list[dict[str, Any]] | None = None, *, version: str = "t1", **extra: Any
) -> None:
    body = {"version": version, "rules": rules or DEFAULT_RULES, **extra}
    response = await client.post("/rule-sets", json=body, headers=client.bearer(**ADMIN))
    assert response.status_code == 201, response.text
    response = await client.post(f"/rule-sets/{version}/activate", headers=client.bearer(**ADMIN))
    assert response.status_code == 200, response.text


async def seed_categories(client: ServiceClient) -> None:
    from circulation.demo import DEMO_PATRON_CATEGORIES

    for raw in DEMO_PATRON_CATEGORIES:
        response = await client.post("/patron-categories", json=raw, headers=client.bearer(**ADMIN))
        assert response.status_code == 201, response.text


async def import_holidays(client: ServiceClient, year: int = 2026) -> None:
    response = await client.post(
        "/closures/national-holidays", json={"year": year}, headers=client.bearer(**ADMIN)
    )
    assert response.status_code == 200, response.text


async def setup_library(
    client: ServiceClient, *, rules: list[dict[str, Any]] | None = None, **extra: Any
) -> None:
    await seed_branches(client)
    await seed_categories(client)
    await activate_rules(client, rules, **extra)
    await import_holidays(client)


_nik_serial = 0


def make_nik(*, born: str = "150590", female: bool = False, province: str = "31") -> str:
    """A plausible NIK: province, regency 74, district 01, DDMMYY (+40 for women), a fresh serial."""
    global _nik_serial
    _nik_serial += 1
    day = int(born[:2]) + (40 if female else 0)
    return f"{province}7401{day:02d}{born[2:]}{_nik_serial % 10000:04d}"


async def counter_patron(
    client: ServiceClient,
    *,
    category: str = "umum",
    born: str = "150590",
    email: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    body = {
        "name": f"Anggota {uuid.uuid4().hex[:6]}",
        "nik": make_nik(born=born),
        "category": category,
        **extra,
    }
    if email:
        body["email"] = email
    response = await client.post("/patrons", json=body, headers=client.bearer(**LIBRARIAN))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def online_patron(
    client: ServiceClient, *, sub: str | None = None, **extra: Any
) -> tuple[dict[str, Any], str]:
    """A self-registered, email-verified patron and the ``sub`` of their account."""
    sub = sub or f"warga-{uuid.uuid4().hex[:8]}"
    body = {
        "name": "Siti Rahmawati",
        "nik": make_nik(born="150590", female=True),
        "email": f"{sub}@contoh.id",
        "category": "umum",
        **extra,
    }
    response = await client.post(
        "/patrons/register", json=body, headers=client.bearer(roles=["patron"], sub=sub)
    )
    assert response.status_code == 201, response.text
    await run_tasks(client)
    from circulation.patrons.service import verification_token

    async with client.session() as session:
        from sqlalchemy import select

        from circulation.models import EmailVerification

        verification = (
            await session.execute(select(EmailVerification).where(EmailVerification.email == body["email"]))
        ).scalar_one()
    token = verification_token(client.settings.secret_key, verification.id)
    response = await client.post("/patrons/verify-email", json={"token": token})
    assert response.status_code == 200, response.text
    return dict(response.json()), sub


async def checkout(client: ServiceClient, card: str, barcode: str, branch: str = "cikini") -> Any:
    return await client.post(
        "/loans", json={"patron": card, "item": barcode, "branch": branch}, headers=client.bearer(**LIBRARIAN)
    )


async def checkin(client: ServiceClient, barcode: str, branch: str = "cikini", **extra: Any) -> Any:
    return await client.post(
        "/returns", json={"item": barcode, "branch": branch, **extra}, headers=client.bearer(**LIBRARIAN)
    )


def reason_codes(response: Any) -> list[str]:
    body = response.json()
    if "reasons" in body:
        return [r["code"] for r in body["reasons"]]
    return [r["code"] for r in body["error"]["details"]["reasons"]]


# -- the concurrency storms ----------------------------------------------------------------------

STORM_ITEMS = 100
STORM_ATTEMPTS = 1000
STORM_CLIENTS = 64
STORM_ADULTS = 64
STORM_CHILDREN = 4
ADULT_LIMIT = 10
CHILD_LIMIT = 2


async def storm_world(client: ServiceClient) -> tuple[list[str], list[str], list[str]]:
    """100 items at one branch, 64 adults (limit 10) and 4 children (limit 2): cards and barcodes."""
    await seed_branches(client, "cikini")
    await seed_categories(client)
    await activate_rules(
        client,
        [
            {"loan_days": 14, "max_loans": ADULT_LIMIT},
            {"patron_category": "anak", "max_loans": CHILD_LIMIT},
        ],
        version="storm",
    )
    barcodes = [f"S{n:04d}" for n in range(STORM_ITEMS)]
    for n, barcode in enumerate(barcodes):
        await seed_item(client, barcode, record_id=f"rec-{n}", title=f"Judul {n}")
    adults = [(await counter_patron(client))["card_number"] for _ in range(STORM_ADULTS)]
    children = [
        (await counter_patron(client, category="anak", born="150318"))["card_number"]
        for _ in range(STORM_CHILDREN)
    ]
    return adults, children, barcodes


def storm_attempts(adults: list[str], children: list[str], barcodes: list[str]) -> list[tuple[str, str]]:
    """1,000 (card, barcode) attempts: ten per item from distinct adults, two of them by children."""
    attempts = []
    for k in range(STORM_ATTEMPTS):
        item, round_ = k % STORM_ITEMS, k // STORM_ITEMS
        # Children come early, while items are free, so they do reach their limit.
        card = children[k % len(children)] if round_ in (0, 5) else adults[(k * 7 + round_) % len(adults)]
        attempts.append((card, barcodes[item]))
    return attempts


async def assert_storm_outcome(
    client: ServiceClient, adults: list[str], children: list[str], successes: int
) -> dict[str, int]:
    """Exactly 100 loans, one per item, nobody over their limit, and as many 201s as loans."""
    from sqlalchemy import func, select

    from circulation.models import Loan, Patron

    async with client.session() as session:
        loans = (await session.execute(select(Loan.item_barcode, Loan.patron_id))).all()
        per_patron = dict(
            (
                await session.execute(
                    select(Patron.card_number, func.count(Loan.id))
                    .join(Loan, Loan.patron_id == Patron.id)
                    .where(Loan.returned_at.is_(None))
                    .group_by(Patron.card_number)
                )
            ).all()
        )
    assert len(loans) == STORM_ITEMS
    assert len({barcode for barcode, _ in loans}) == STORM_ITEMS
    assert successes == STORM_ITEMS
    assert all(per_patron.get(card, 0) <= ADULT_LIMIT for card in adults)
    assert all(per_patron.get(card, 0) <= CHILD_LIMIT for card in children)
    return {
        "loans": len(loans),
        "children_at_limit": sum(per_patron.get(c, 0) == CHILD_LIMIT for c in children),
    }
