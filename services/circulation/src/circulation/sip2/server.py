"""The SIP2 server for self-check kiosks: an asyncio TCP server speaking SIP2 2.00.

Start it inside the web process by setting ``PUSIP_CIRCULATION_SIP2_PORT`` (e.g. 6001), or on its
own with ``python -m circulation.sip2.server [--host H] [--port P]``.

One kiosk connection is one :class:`Sip2Session`: it logs in with a kiosk account (93/94) kept as
data, then every transaction runs through the very service functions and named validators the
HTTP desk uses, each in its own unit of work, as a subject with the ``kiosk`` role at the
account's branch. Frames end with CR; a request carrying ``AY…AZ`` gets its sequence number and a
checksum back; a garbled frame is answered with 96 (please resend) and 97 resends the last
response. Nothing a kiosk sends can stop the server: every failure becomes a SIP2 answer.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from circulation import clock
from circulation.config import CirculationSettings
from circulation.models import Item, Patron, SipAccount
from circulation.models.item import (
    ITEM_AVAILABLE,
    ITEM_IN_TRANSIT,
    ITEM_LOST,
    ITEM_MISSING,
    ITEM_ON_HOLD_SHELF,
    ITEM_ON_LOAN,
)
from circulation.models.patron import BLOCK_FINES, BLOCK_OVERDUE, PATRON_ANONYMISED
from circulation.patrons.blocks import current_blocks
from circulation.patrons.repository import PatronRepository
from circulation.patrons.service import patron_service
from circulation.patrons.validators import patron_reasons
from circulation.sip2 import patron_messages
from circulation.sip2.accounts import sip_account_service
from circulation.sip2.codec import MAX_MESSAGE_BYTES, Sip2Error, Sip2Message, decode, encode, sip_datetime
from circulation.transactions.routing import HOLD_SHELF, TRANSIT
from circulation.transactions.service import CHANNEL_SIP2, transaction_service
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.errors import PusipError, Refused
from pusip_kit.uow import unit_of_work

log = logging.getLogger(__name__)

# BX: patron status, checkout, checkin, block patron, status, resend, login, patron info, end session,
# fee paid, item info, (item status update), (patron enable), hold, renew, renew all.
SUPPORTED = "YYYYYYYYYYYNNYYY"
ITEM_STATUS_CODES = {
    ITEM_AVAILABLE: "03",
    ITEM_ON_LOAN: "04",
    ITEM_ON_HOLD_SHELF: "08",
    ITEM_IN_TRANSIT: "10",
    ITEM_LOST: "12",
    ITEM_MISSING: "13",
}
RESEND = encode(Sip2Message("96"), error_detection=False)


class NotLoggedIn(Exception):
    pass


@dataclass
class Sip2Session:
    peer: str
    account: SipAccount | None = None
    last_response: bytes | None = None
    subject: AuthSubject | None = None
    branch: str = ""
    institution: str = "dispusip"
    extra: dict[str, str] = field(default_factory=dict)


def _now_field() -> str:
    return sip_datetime(clock.now().astimezone(clock.WIB).replace(tzinfo=None))


def _due_field(day: date) -> str:
    return sip_datetime(datetime.combine(day, time(23, 59, 0)))


def _flag(value: bool) -> str:
    return "Y" if value else "N"


def _message(reasons: list[dict[str, object]] | str) -> str:
    if isinstance(reasons, str):
        return reasons[:240]
    return " | ".join(str(r.get("message", "")) for r in reasons)[:240]


class Sip2Handler:
    """Turns one request into one response (all of the protocol except the socket)."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], settings: CirculationSettings) -> None:
        self.sessionmaker = sessionmaker
        self.settings = settings
        self.handlers: dict[str, Callable[[Sip2Session, Sip2Message], Awaitable[Sip2Message]]] = {
            "93": self.login,
            "99": self.status,
            "23": self.patron_status,
            "63": self.patron_information,
            "11": self.checkout,
            "09": self.checkin,
            "29": self.renew,
            "35": self.end_session,
            "17": self.item_information,
            "15": self._extra(patron_messages.hold),
            "37": self._extra(patron_messages.fee_paid),
            "65": self._extra(patron_messages.renew_all),
            "01": self._extra(patron_messages.block_patron),
        }

    def _extra(
        self, body: Callable[[Sip2Handler, Sip2Session, Sip2Message, str], Awaitable[Sip2Message]]
    ) -> Callable[[Sip2Session, Sip2Message], Awaitable[Sip2Message]]:
        async def run(state: Sip2Session, request: Sip2Message) -> Sip2Message:
            return await body(self, state, request, _now_field())

        return run

    async def respond(self, state: Sip2Session, frame: bytes) -> bytes:
        try:
            request = decode(frame, require_checksum=self.settings.sip2_require_checksum)
        except Sip2Error as exc:
            log.info("SIP2 frame refused from %s: %s", state.peer, exc.reason)
            return RESEND
        if request.code == "97":
            return state.last_response or RESEND
        handler = self.handlers.get(request.code)
        if handler is None:  # a response code sent to us, say
            return RESEND
        try:
            response = await handler(state, request)
        except NotLoggedIn:
            response = self.failure(state, request, "Kios belum login / kiosk not logged in")
        except Exception:
            log.exception("SIP2 %s failed for %s", request.code, state.peer)
            response = self.failure(state, request, "Kesalahan sistem, coba lagi / system error, try again")
        response.sequence = request.sequence
        out = encode(response, error_detection=request.sequence is not None)
        state.last_response = out
        return out

    # -- helpers ---------------------------------------------------------------------------------

    def _require_login(self, state: Sip2Session) -> AuthSubject:
        if state.subject is None:
            raise NotLoggedIn
        return state.subject

    def failure(self, state: Sip2Session, request: Sip2Message, text: str) -> Sip2Message:
        now = _now_field()
        ao = ("AO", request.get("AO") or state.institution)
        af = ("AF", text)
        code = request.code
        extra = patron_messages.failure(state, request, text, now)
        if extra is not None:
            return extra
        if code == "93":
            return Sip2Message("94", {"ok": "0"})
        if code == "99":
            return self._status_message(state, online=False)
        if code == "23":
            return Sip2Message(
                "24",
                {"patron_status": "Y" * 14, "language": "000", "transaction_date": now},
                [ao, ("AA", request.get("AA") or ""), ("AE", ""), ("BL", "N"), af],
            )
        if code == "63":
            counts = {k: "0000" for k in ("hold_items_count", "overdue_items_count", "charged_items_count",
                                           "fine_items_count", "recall_items_count", "unavailable_holds_count")}  # fmt: skip
            return Sip2Message(
                "64",
                {"patron_status": "Y" * 14, "language": "000", "transaction_date": now, **counts},
                [ao, ("AA", request.get("AA") or ""), ("AE", ""), ("BL", "N"), af],
            )
        if code == "11":
            return Sip2Message(
                "12",
                {
                    "ok": "0",
                    "renewal_ok": "N",
                    "magnetic_media": "N",
                    "desensitize": "N",
                    "transaction_date": now,
                },
                [ao, ("AA", request.get("AA") or ""), ("AB", request.get("AB") or ""), ("AJ", ""), af],
            )
        if code == "09":
            return Sip2Message(
                "10",
                {"ok": "0", "resensitize": "Y", "magnetic_media": "N", "alert": "Y", "transaction_date": now},
                [ao, ("AB", request.get("AB") or ""), ("AQ", ""), af],
            )
        if code == "29":
            return Sip2Message(
                "30",
                {
                    "ok": "0",
                    "renewal_ok": "N",
                    "magnetic_media": "N",
                    "desensitize": "N",
                    "transaction_date": now,
                },
                [ao, ("AA", request.get("AA") or ""), ("AB", request.get("AB") or ""), ("AJ", ""), af],
            )
        if code == "35":
            return Sip2Message(
                "36", {"end_session": "N", "transaction_date": now}, [ao, ("AA", request.get("AA") or ""), af]
            )
        return Sip2Message(
            "18",
            {"circulation_status": "01", "security_marker": "00", "fee_type": "01", "transaction_date": now},
            [("AB", request.get("AB") or ""), ("AJ", ""), af],
        )

    def _status_message(self, state: Sip2Session, *, online: bool = True) -> Sip2Message:
        return Sip2Message(
            "98",
            {
                "online_status": _flag(online),
                "checkin_ok": _flag(online),
                "checkout_ok": _flag(online),
                "acs_renewal_policy": _flag(online),
                "status_update_ok": "N",
                "offline_ok": "N",
                "timeout_period": "030",
                "retries_allowed": "003",
                "date_time_sync": _now_field(),
                "protocol_version": "2.00",
            },
            [
                ("AO", state.institution),
                ("AM", "Perpustakaan Jakarta"),
                ("BX", SUPPORTED),
                ("AN", state.branch),
                ("AF", "Selamat datang / welcome" if online else "Kios belum login / not logged in"),
            ],
        )

    async def _patron(self, session: AsyncSession, card: str) -> Patron | None:
        patron = await PatronRepository(session).by_card(card)
        return None if patron is None or patron.status == PATRON_ANONYMISED else patron

    async def _password_ok(self, patron: Patron, request: Sip2Message) -> bool:
        if patron.pin_hash is None:
            return True
        pin = request.get("AD")
        return bool(pin) and await patron_service.pin_matches(patron, pin or "")

    async def _status_flags(self, session: AsyncSession, patron: Patron) -> tuple[str, list[str]]:
        blocks = await current_blocks(session, patron, today=clock.today())
        refused = bool(patron_reasons(patron, blocks))
        kinds = {b.kind for b in blocks}
        flags = [" "] * 14
        for index in (0, 1, 3):
            flags[index] = "Y" if refused else " "
        flags[6] = "Y" if BLOCK_OVERDUE in kinds else " "
        flags[10] = "Y" if BLOCK_FINES in kinds else " "
        return "".join(flags), [b.reason for b in blocks]

    # -- messages --------------------------------------------------------------------------------

    async def login(self, state: Sip2Session, request: Sip2Message) -> Sip2Message:
        login, password = request.get("CN") or "", request.get("CO") or ""
        async with unit_of_work(self.sessionmaker) as session:
            account = await sip_account_service.authenticate(session, login=login, password=password)
        if account is None:
            state.account = state.subject = None
            return Sip2Message("94", {"ok": "0"})
        state.account = account
        state.branch = account.branch
        state.institution = account.institution_id
        state.subject = AuthSubject(
            subject=f"sip2:{account.login}",
            username=account.login,
            roles=frozenset({"kiosk"}),
            branches=frozenset({account.branch}),
        )
        return Sip2Message("94", {"ok": "1"})

    async def status(self, state: Sip2Session, request: Sip2Message) -> Sip2Message:
        return self._status_message(state, online=True)

    async def patron_status(self, state: Sip2Session, request: Sip2Message) -> Sip2Message:
        self._require_login(state)
        card = request.get("AA") or ""
        async with self.sessionmaker() as session:
            patron = await self._patron(session, card)
            if patron is None:
                return self.failure(state, request, "Anggota tidak dikenal / unknown patron")
            flags, reasons = await self._status_flags(session, patron)
            balance = await PatronRepository(session).fines_balance(patron.id)
            password_ok = await self._password_ok(patron, request)
        fields = [
            ("AO", state.institution),
            ("AA", patron.card_number),
            ("AE", patron.name),
            ("BL", "Y"),
            ("CQ", _flag(password_ok)),
            ("BH", "IDR"),
            ("BV", str(balance)),
        ]
        if reasons:
            fields.append(("AF", "; ".join(reasons)[:240]))
        return Sip2Message(
            "24", {"patron_status": flags, "language": "000", "transaction_date": _now_field()}, fields
        )

    async def patron_information(self, state: Sip2Session, request: Sip2Message) -> Sip2Message:
        from circulation.models import Fine, Hold, Loan
        from circulation.models.fine import FINE_OPEN
        from circulation.models.loan import HOLD_IN_TRANSIT, HOLD_READY, HOLD_WAITING

        self._require_login(state)
        card = request.get("AA") or ""
        summary = (request.fixed.get("summary") or "").ljust(10)
        async with self.sessionmaker() as session:
            patron = await self._patron(session, card)
            if patron is None:
                return self.failure(state, request, "Anggota tidak dikenal / unknown patron")
            from sqlalchemy import select

            flags, reasons = await self._status_flags(session, patron)
            loans = (
                (
                    await session.execute(
                        select(Loan).where(Loan.patron_id == patron.id, Loan.returned_at.is_(None))
                    )
                )
                .scalars()
                .all()
            )
            holds = (
                (
                    await session.execute(
                        select(Hold).where(
                            Hold.patron_id == patron.id,
                            Hold.status.in_((HOLD_WAITING, HOLD_IN_TRANSIT, HOLD_READY)),
                        )
                    )
                )
                .scalars()
                .all()
            )
            fines = (
                (
                    await session.execute(
                        select(Fine).where(Fine.patron_id == patron.id, Fine.status == FINE_OPEN)
                    )
                )
                .scalars()
                .all()
            )
            password_ok = await self._password_ok(patron, request)
        today = clock.today()
        overdue = [loan for loan in loans if loan.due_on < today]
        ready = [h for h in holds if h.status == HOLD_READY]
        fixed = {
            "patron_status": flags,
            "language": "000",
            "transaction_date": _now_field(),
            "hold_items_count": f"{len(ready):04d}",
            "overdue_items_count": f"{len(overdue):04d}",
            "charged_items_count": f"{len(loans):04d}",
            "fine_items_count": f"{len(fines):04d}",
            "recall_items_count": "0000",
            "unavailable_holds_count": f"{len(holds) - len(ready):04d}",
        }
        fields = [
            ("AO", state.institution),
            ("AA", patron.card_number),
            ("AE", patron.name),
            ("BL", "Y"),
            ("CQ", _flag(password_ok)),
            ("BH", "IDR"),
            ("BV", str(sum(f.balance for f in fines))),
        ]
        if patron.email:
            fields.append(("BE", patron.email))
        if summary[0] == "Y":
            fields += [("AS", h.trapped_barcode or h.record_id) for h in ready]
        if summary[1] == "Y":
            fields += [("AT", loan.item_barcode) for loan in overdue]
        if summary[2] == "Y":
            fields += [("AU", loan.item_barcode) for loan in loans]
        if summary[3] == "Y":
            fields += [("AV", f"{f.id.hex[:8]} {f.balance}") for f in fines]
        if reasons:
            fields.append(("AF", "; ".join(reasons)[:240]))
        return Sip2Message("64", fixed, fields)

    async def checkout(self, state: Sip2Session, request: Sip2Message) -> Sip2Message:
        subject = self._require_login(state)
        card, barcode = request.get("AA") or "", request.get("AB") or ""
        async with self.sessionmaker() as session:
            patron = await self._patron(session, card)
            if patron is not None and not await self._password_ok(patron, request):
                return self.failure(state, request, "PIN salah / wrong PIN")
        try:
            async with unit_of_work(self.sessionmaker) as session:
                outcome = await transaction_service.checkout(
                    session,
                    subject,
                    patron_card=card,
                    barcode=barcode,
                    branch=state.branch,
                    channel=CHANNEL_SIP2,
                )
        except Refused as exc:
            return self.failure(state, request, _message(exc.details["reasons"]))
        except PusipError as exc:
            return self.failure(state, request, f"{exc.message} / {exc.message_en}")
        assert outcome.due_date is not None
        return Sip2Message(
            "12",
            {
                "ok": "1",
                "renewal_ok": "N",
                "magnetic_media": "N",
                "desensitize": "Y",
                "transaction_date": _now_field(),
            },
            [
                ("AO", state.institution),
                ("AA", card),
                ("AB", barcode),
                ("AJ", outcome.item.title if outcome.item else ""),
                ("AH", _due_field(outcome.due_date)),
                (
                    "AF",
                    f"Kembalikan paling lambat {outcome.due_date:%d-%m-%Y} / due {outcome.due_date:%Y-%m-%d}",
                ),
            ],
        )

    async def checkin(self, state: Sip2Session, request: Sip2Message) -> Sip2Message:
        subject = self._require_login(state)
        barcode = request.get("AB") or ""
        returned_on = None
        raw = request.fixed.get("return_date", "").strip()
        if request.fixed.get("no_block") == "Y" and len(raw) >= 8 and raw[:8].isdigit():
            with contextlib.suppress(ValueError):
                returned_on = date(int(raw[:4]), int(raw[4:6]), int(raw[6:8]))
        try:
            async with unit_of_work(self.sessionmaker) as session:
                outcome = await transaction_service.checkin(
                    session,
                    subject,
                    barcode=barcode,
                    branch=state.branch,
                    settings=self.settings,
                    returned_on=min(returned_on, clock.today()) if returned_on else None,
                )
        except Refused as exc:
            return self.failure(state, request, _message(exc.details["reasons"]))
        except PusipError as exc:
            return self.failure(state, request, f"{exc.message} / {exc.message_en}")
        routing = outcome.routing
        item = outcome.item
        fields = [("AO", state.institution), ("AB", barcode), ("AQ", item.home_branch), ("AJ", item.title)]
        text = "Terima kasih / thank you"
        if routing.action == HOLD_SHELF and routing.hold is not None:
            fields += [("CT", routing.hold.pickup_branch), ("CV", "01")]
            text = "Simpan di rak pesanan / put on the hold shelf"
        elif routing.action == TRANSIT and routing.transit is not None:
            fields += [("CT", routing.transit.to_branch), ("CV", "02" if routing.hold is not None else "04")]
            text = f"Kirim ke {routing.transit.to_branch} / send to {routing.transit.to_branch}"
        if outcome.fine is not None:
            text += f" | Denda / fine Rp{outcome.fine.amount}"
        fields.append(("AF", text))
        alert = routing.action in (HOLD_SHELF, TRANSIT)
        return Sip2Message(
            "10",
            {
                "ok": "1",
                "resensitize": _flag(not alert),
                "magnetic_media": "N",
                "alert": _flag(alert),
                "transaction_date": _now_field(),
            },
            fields,
        )

    async def renew(self, state: Sip2Session, request: Sip2Message) -> Sip2Message:
        subject = self._require_login(state)
        card, barcode = request.get("AA") or "", request.get("AB") or ""
        async with self.sessionmaker() as session:
            patron = await self._patron(session, card)
            if patron is None:
                return self.failure(state, request, "Anggota tidak dikenal / unknown patron")
            if not await self._password_ok(patron, request):
                return self.failure(state, request, "PIN salah / wrong PIN")
        try:
            async with unit_of_work(self.sessionmaker) as session:
                outcome = await transaction_service.renew(session, subject, barcode=barcode, patron_card=card)
        except Refused as exc:
            return self.failure(state, request, _message(exc.details["reasons"]))
        except PusipError as exc:
            return self.failure(state, request, f"{exc.message} / {exc.message_en}")
        return Sip2Message(
            "30",
            {
                "ok": "1",
                "renewal_ok": "Y",
                "magnetic_media": "N",
                "desensitize": "N",
                "transaction_date": _now_field(),
            },
            [
                ("AO", state.institution),
                ("AA", card),
                ("AB", barcode),
                ("AJ", outcome.item.title if outcome.item else ""),
                ("AH", _due_field(outcome.new_due)),
            ],
        )

    async def end_session(self, state: Sip2Session, request: Sip2Message) -> Sip2Message:
        self._require_login(state)
        return Sip2Message(
            "36",
            {"end_session": "Y", "transaction_date": _now_field()},
            [("AO", state.institution), ("AA", request.get("AA") or "")],
        )

    async def item_information(self, state: Sip2Session, request: Sip2Message) -> Sip2Message:
        from circulation.items.service import item_service
        from circulation.transactions.repository import TransactionRepository

        self._require_login(state)
        barcode = request.get("AB") or ""
        async with self.sessionmaker() as session:
            item = await session.get(Item, barcode)
            if item is None:
                return self.failure(state, request, "Eksemplar tidak dikenal / unknown item")
            due, queue = await item_service.availability(session, item)
            repository = TransactionRepository(session)
            transit = await repository.open_transit(barcode)
            hold = await repository.trapped_hold(barcode)
        fields = [
            ("AB", item.barcode),
            ("AJ", item.title),
            ("CF", str(queue)),
            ("AQ", item.home_branch),
            ("AP", item.current_branch),
        ]
        if due is not None:
            fields.append(("AH", _due_field(due)))
        if transit is not None:
            fields.append(("CT", transit.to_branch))
        if hold is not None and hold.pickup_deadline is not None:
            fields.append(("CM", _due_field(hold.pickup_deadline)))
        return Sip2Message(
            "18",
            {
                "circulation_status": ITEM_STATUS_CODES.get(item.status, "01"),
                "security_marker": "00",
                "fee_type": "01",
                "transaction_date": _now_field(),
            },
            fields,
        )


class Sip2Server:
    """The TCP side: frames in, frames out, one :class:`Sip2Session` per connection."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], settings: CirculationSettings) -> None:
        self.handler = Sip2Handler(sessionmaker, settings)
        self.settings = settings
        self.server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()

    async def start(self, host: str | None = None, port: int | None = None) -> asyncio.Server:
        self.server = await asyncio.start_server(
            self._serve,
            host or self.settings.sip2_host,
            self.settings.sip2_port if port is None else port,
            limit=MAX_MESSAGE_BYTES * 2,
        )
        return self.server

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
            for task in list(self._connections):
                task.cancel()
            with contextlib.suppress(Exception):
                await self.server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        peer = str(writer.get_extra_info("peername"))
        state = Sip2Session(peer=peer)
        try:
            while True:
                try:
                    frame = await asyncio.wait_for(
                        reader.readuntil(b"\r"), timeout=self.settings.sip2_idle_timeout
                    )
                except asyncio.LimitOverrunError as exc:
                    # An endless frame: drop what was read up to the next CR and ask for a resend.
                    await reader.read(exc.consumed)
                    with contextlib.suppress(asyncio.LimitOverrunError, asyncio.IncompleteReadError):
                        await reader.readuntil(b"\r")
                    writer.write(RESEND)
                    await writer.drain()
                    continue
                except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
                    break
                frame = frame.lstrip(b"\r\n")
                if not frame.strip(b"\r\n"):
                    continue
                response = await self.handler.respond(state, frame)
                writer.write(response)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        except Exception:
            log.exception("SIP2 connection %s failed", peer)
        finally:
            if task is not None:
                self._connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()


async def serve_forever(
    settings: CirculationSettings, *, host: str | None = None, port: int | None = None
) -> None:
    """The standalone server: migrate, open the database, serve until cancelled."""
    import anyio

    from circulation.main import MIGRATIONS_DIR
    from pusip_kit.db.engine import Database
    from pusip_kit.db.migrate import upgrade
    from pusip_kit.observability import configure_logging

    configure_logging("circulation-sip2", level=settings.log_level, json_logs=settings.log_json)
    await anyio.to_thread.run_sync(upgrade, settings.database_url, MIGRATIONS_DIR)
    database = Database.from_settings(settings)
    server = Sip2Server(database.sessionmaker, settings)
    tcp = await server.start(host, port if port is not None else (settings.sip2_port or 6001))
    log.info("SIP2 server listening on %s", [s.getsockname() for s in tcp.sockets])
    try:
        await tcp.serve_forever()
    finally:
        await server.close()
        await database.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Pusip SIP2 server for self-check kiosks")
    parser.add_argument("--host", default=None)
    parser.add_argument("--port", type=int, default=None, help="default: PUSIP_CIRCULATION_SIP2_PORT or 6001")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_forever(CirculationSettings(), host=args.host, port=args.port))


if __name__ == "__main__":
    main()
