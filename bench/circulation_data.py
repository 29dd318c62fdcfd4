"""A circulation world for the desk benchmark, bulk-loaded straight into the circulation tables.

What goes in, and how:

* patron categories, the active loan rule set and the 2026 national holidays: through the service's
  own demo loader (``circulation.demo.load_demo_data``, the same code ``pusip demo-data`` runs), so
  the policy the hot path reads is exactly what a real installation has;
* branches (with closed weekdays for some), records, items (``--items``) and patrons (``--patrons``):
  bulk ``INSERT`` with SQLAlchemy Core straight into the replica tables (``branches``, ``records``,
  ``items``) and ``patrons`` — ``executemany`` in chunks on SQLite, ``COPY`` on PostgreSQL.
  Going through the catalog events (``catalog.item.created`` applied one by one by the replica
  code) would cost ~1 ms per item; the rows written here are the ones those events produce.

Seeded, so two loads of the same size hold the same barcodes and card numbers.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import create_engine, insert
from sqlalchemy.engine import Connection

from pusip_kit.db.engine import Database, make_sync_url

BRANCH_NAMES = (
    ("pusat", "Perpustakaan Jakarta Cikini", "Jakarta Pusat"),
    ("kuningan", "Perpustakaan Kuningan", "Jakarta Selatan"),
    ("tebet", "Perpustakaan Tebet", "Jakarta Selatan"),
    ("jaktim", "Perpustakaan Jakarta Timur", "Jakarta Timur"),
    ("jakbar", "Perpustakaan Jakarta Barat", "Jakarta Barat"),
    ("jakut", "Perpustakaan Jakarta Utara", "Jakarta Utara"),
    ("seribu", "Perpustakaan Kepulauan Seribu", "Kepulauan Seribu"),
    ("menteng", "Perpustakaan Menteng", "Jakarta Pusat"),
    ("cilandak", "Perpustakaan Cilandak", "Jakarta Selatan"),
    ("duren-sawit", "Perpustakaan Duren Sawit", "Jakarta Timur"),
)
# Loanable material types the workload uses, with their share of the collection; reference works
# exist too (not loanable) so the rule matrix has something to refuse.
MATERIALS = (("buku", 0.82), ("majalah", 0.07), ("audiovisual", 0.04), ("referensi", 0.07))
LOANABLE = ("buku", "majalah", "audiovisual")
CATEGORIES = (("umum", 0.55), ("pelajar", 0.2), ("mahasiswa", 0.15), ("lansia", 0.06), ("disabilitas", 0.04))
WORDS = [
    "sejarah",
    "kota",
    "jakarta",
    "betawi",
    "budaya",
    "bahasa",
    "indonesia",
    "anak",
    "cerita",
    "rakyat",
    "laut",
    "pulau",
    "ekonomi",
    "hukum",
    "tata",
    "negara",
    "kesehatan",
    "ibu",
    "resep",
    "masakan",
    "nusantara",
    "puisi",
    "novel",
    "remaja",
    "sains",
    "fisika",
    "kimia",
    "biologi",
    "matematika",
    "dasar",
    "kamus",
    "arsip",
    "perpustakaan",
    "pendidikan",
    "agama",
    "seni",
    "musik",
    "tari",
    "wayang",
    "batik",
    "rempah",
]
CHUNK = 5_000


@dataclass(frozen=True)
class World:
    items: int
    patrons: int
    branches: tuple[str, ...]
    records: int

    def barcode(self, n: int) -> str:
        return f"B{n:08d}"

    def card(self, n: int) -> str:
        return f"3199{n:08d}"


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    roll, acc = rng.random(), 0.0
    for value, share in weighted:
        acc += share
        if roll < acc:
            return value
    return weighted[-1][0]


def item_rows(world: World, seed: int = 11) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    rows = []
    for n in range(world.items):
        home = world.branches[n % len(world.branches)]
        record = n % world.records
        rows.append(
            {
                "barcode": world.barcode(n),
                "record_id": f"bench-{record:07d}",
                "home_branch": home,
                "current_branch": home,
                "location": f"Rak {rng.randint(1, 40)}",
                "material_type": _pick(rng, MATERIALS),
                "title": _title(record),
                "status": "available",
                "source_updated_at": now,
                "synced_at": now,
                "status_changed_at": now,
            }
        )
    return rows


def _title(record: int) -> str:
    rng = random.Random(record)
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 6))).capitalize()


def record_rows(world: World) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    return [
        {
            "record_id": f"bench-{r:07d}",
            "title": _title(r),
            "deleted": False,
            "source_updated_at": now,
            "synced_at": now,
        }
        for r in range(world.records)
    ]


def patron_rows(world: World, seed: int = 13) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    today = date.today()
    rows = []
    for n in range(world.patrons):
        rows.append(
            {
                "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                "card_number": world.card(n),
                "subject": None,
                "nik": None,
                "name": f"Anggota Uji {n}",
                "email": f"anggota{n}@contoh.test",
                "phone": None,
                "birth_date": None,
                "gender": rng.choice(("L", "P")),
                "address": None,
                "category_code": _pick(rng, CATEGORIES),
                "home_branch": world.branches[n % len(world.branches)],
                "status": "active",
                "channel": "counter",
                "email_verified_at": now,
                "expires_on": today + timedelta(days=365 + n % 700),
                "reading_history": n % 5 == 0,
                "pin_hash": None,
                "registered_by": "bench",
                "anonymised_at": None,
                "pseudonym": uuid.UUID(int=rng.getrandbits(128)).hex,
                "created_at": now,
                "updated_at": now,
            }
        )
    return rows


def branch_rows(world: World) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    now = datetime.now(UTC)
    names = {code: (name, city) for code, name, city in BRANCH_NAMES}
    branches = [
        {
            "code": code,
            "name": names.get(code, (code, None))[0],
            "city": names.get(code, (code, None))[1],
            "active": True,
            "source_updated_at": now,
            "synced_at": now,
        }
        for code in world.branches
    ]
    calendars = [
        {"branch": code, "closed_weekdays": "6" if i % 2 == 0 else "0", "created_at": now, "updated_at": now}
        for i, code in enumerate(world.branches)
    ]
    return branches, calendars


def _bulk(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    """COPY on PostgreSQL (psycopg 3), chunked executemany elsewhere."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        columns = list(rows[0])
        raw: Any = conn.connection.driver_connection
        with raw.cursor() as cursor:
            names = ", ".join(f'"{c}"' for c in columns)
            with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(tuple(row[c] for c in columns))
        return
    for start in range(0, len(rows), CHUNK):
        conn.execute(insert(table), rows[start : start + CHUNK])


async def _demo(url: str) -> None:
    from circulation.demo import load_demo_data

    database = Database(url)
    try:
        async with database.session() as session:
            await load_demo_data(session)
    finally:
        await database.dispose()


def load(url: str, world: World) -> dict[str, float]:
    """Fill an empty, migrated circulation database; returns seconds per step."""
    from circulation.models import Branch, Item, Patron, Record
    from circulation.models.policy import BranchCalendarRow

    timings: dict[str, float] = {}
    started = time.perf_counter()
    asyncio.run(_demo(url))
    timings["policy_s"] = time.perf_counter() - started

    started = time.perf_counter()
    branches, calendars = branch_rows(world)
    records, items, patrons = record_rows(world), item_rows(world), patron_rows(world)
    timings["generate_s"] = time.perf_counter() - started

    engine = create_engine(make_sync_url(url))
    try:
        started = time.perf_counter()
        with engine.begin() as conn:
            _bulk(conn, Branch.__table__, branches)
            _bulk(conn, BranchCalendarRow.__table__, calendars)
            _bulk(conn, Record.__table__, records)
            _bulk(conn, Item.__table__, items)
            _bulk(conn, Patron.__table__, patrons)
        timings["insert_s"] = time.perf_counter() - started
        started = time.perf_counter()
        with engine.connect() as conn:  # fresh planner statistics for the new rows
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
        timings["analyze_s"] = time.perf_counter() - started
    finally:
        engine.dispose()
    return {k: round(v, 2) for k, v in timings.items()}


def loanable_items(world: World) -> list[tuple[str, str]]:
    """``(barcode, home branch)`` of every loanable item, in load order (recomputed, no query)."""
    return [
        (row["barcode"], row["home_branch"]) for row in item_rows(world) if row["material_type"] in LOANABLE
    ]
