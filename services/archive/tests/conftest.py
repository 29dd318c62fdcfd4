from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator, Iterable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from archive.config import ArchiveSettings
from archive.main import MIGRATIONS_DIR, create_app
from archive.runtime import ArchiveRuntime
from archive.tasks import run_task
from pusip_kit.db.migrate import upgrade
from pusip_kit.outbox import relay_outbox
from pusip_kit.testing.outbox import RecordingPublisher
from pusip_kit.testing.service import ServiceClient, run_service, settings_for_test, shared_test_issuer


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database built by the migrations per test process; each test starts from a copy of it."""
    path = tmp_path_factory.mktemp("archive-template") / "archive.db"
    upgrade(f"sqlite+aiosqlite:///{path}", MIGRATIONS_DIR)
    return path


@pytest_asyncio.fixture
async def client(tmp_path: Path, migrated_database: Path) -> AsyncIterator[ServiceClient]:
    """The archive service on a fresh database (a copy of the migrated one) in ``tmp_path``."""
    target = tmp_path / "archive" / "archive.db"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(migrated_database, target)
    issuer = shared_test_issuer()
    settings = settings_for_test(ArchiveSettings, tmp_path, issuer)
    async with run_service(create_app, settings, issuer=issuer) as service:
        yield service


UNIT = "dispusip/bidang-arsip"
PEER_UNIT = "dispusip/bidang-layanan"

SCHEME_CSV = """id,kode,nama,uraian,enabled
1,000,UMUM,-,1
2,000.1,Ketatausahaan,-,1
3,000.1.1,Surat edaran,-,1
4,000.1.2,Laporan pengaduan masyarakat,Berisi identitas pelapor,1
5,000.1.3,Keputusan kepala dinas,-,1
6,000.1.4,Laporan keuangan,-,1
7,000.1.5,Notulen rapat,-,1
8,000.1.6,Berkas perkara,-,1
9,000.1.7,Kode sandi,-,1
10,000.1.8,Surat terbatas,-,1
"""
SCHEDULE = [
    {
        "kode": "000.1.1",
        "retensiAktif": "2 Tahun",
        "retensiInaktif": "3 Tahun",
        "nasibAkhir": "Musnah",
        "keamanan": "Biasa / Terbuka",
    },
    {
        "kode": "000.1.2",
        "retensiAktif": "1 Tahun",
        "retensiInaktif": "1 Tahun",
        "nasibAkhir": "Musnah",
        "keamanan": "Rahasia",
    },
    {
        "kode": "000.1.3",
        "retensiAktif": "2 Tahun setelah tidak berlaku",
        "retensiInaktif": "3 Tahun",
        "nasibAkhir": "Permanen",
        "keamanan": "Biasa / Terbuka",
    },
    {
        "kode": "000.1.4",
        "retensiAktif": "5 Tahun",
        "retensiInaktif": "5 Tahun",
        "nasibAkhir": "Musnah",
        "keamanan": "Terbatas",
    },
    {
        "kode": "000.1.5",
        "retensiAktif": "1 Tahun",
        "retensiInaktif": "1 Tahun",
        "nasibAkhir": "Musnah, kecuali yang bernilai guna sejarah Permanen",
        "keamanan": "Biasa",
    },
    {
        "kode": "000.1.6",
        "retensiAktif": "1 Tahun",
        "retensiInaktif": "2 Tahun",
        "nasibAkhir": "Permanen",
        "keamanan": "Rahasia",
    },
    {
        "kode": "000.1.7",
        "retensiAktif": "1 Tahun",
        "retensiInaktif": "1 Tahun",
        "nasibAkhir": "Musnah",
        "keamanan": "Sangat Rahasia",
    },
    {
        "kode": "000.1.8",
        "retensiAktif": "1 Tahun",
        "retensiInaktif": "1 Tahun",
        "nasibAkhir": "Musnah",
        "keamanan": "Terbatas",
    },
]
SIGNATORIES = [
    {"role": "Yang menyerahkan", "name": "Kepala Bidang Arsip", "nip": "197001012000031001"},
    {"role": "Yang menerima", "name": "Kepala Pusat Arsip", "nip": "197502022001122002"},
]
PANEL = [
    {"name": "Kepala Bidang Kearsipan", "position": "Kepala Bidang", "panel_role": "kepala_unit_kearsipan"},
    {"name": "Kepala Seksi Layanan", "position": "Kepala Seksi", "panel_role": "kepala_unit_pengolah"},
    {"name": "Arsiparis Ahli Muda", "position": "Arsiparis", "panel_role": "arsiparis"},
]
WITNESSES = [
    {"name": "Saksi Inspektorat", "nip": "198001012005011001", "position": "Auditor"},
    {"name": "Saksi Biro Hukum", "nip": "198202022006022002", "position": "Analis Hukum"},
]
EXECUTION = {
    "executed_on": "2026-07-01",
    "method": "pencacahan",
    "place": "Depo Arsip Dispusip, Jakarta",
    "witnesses": WITNESSES,
    "executor": {"name": "Petugas Pemusnahan", "position": "Arsiparis Terampil"},
}
CODE_BY_LEVEL = {"BIASA": "000.1.1", "TERBATAS": "000.1.8", "RAHASIA": "000.1.2", "SANGAT_RAHASIA": "000.1.7"}


class Archive:
    """Domain helpers over one running archive service (a fresh database per test)."""

    UNIT = UNIT
    PEER_UNIT = PEER_UNIT
    CODE_BY_LEVEL = CODE_BY_LEVEL
    EXECUTION = EXECUTION
    WITNESSES = WITNESSES

    def __init__(self, client: ServiceClient) -> None:
        self.client = client
        self._numbers = 0

    @property
    def runtime(self) -> ArchiveRuntime:
        runtime: ArchiveRuntime = self.client.app.state.archive_runtime
        return runtime

    def headers(
        self,
        *,
        roles: Iterable[str] = ("archivist",),
        unit: str | None = "dispusip",
        clearance: str = "SANGAT_RAHASIA",
        category: str | None = "penentu_kebijakan:tertinggi",
        sub: str | None = None,
        **extra: Any,
    ) -> dict[str, str]:
        return self.client.bearer(
            roles=list(roles), unit=unit, clearance=clearance, access_category=category, sub=sub, **extra
        )

    @property
    def archivist(self) -> dict[str, str]:
        """Archivist of the agency, top policy maker of ``dispusip`` (reads everything under it)."""
        return self.headers()

    @property
    def admin(self) -> dict[str, str]:
        return self.headers(roles=["admin"], category="pengawas_internal")

    async def instruments(self) -> dict[str, Any]:
        response = await self.client.post(
            "/instrument-sets/import",
            data={"name": "Instrumen Uji", "version": "1"},
            files=[
                ("files", ("klasifikasi.csv", SCHEME_CSV.encode(), "text/csv")),
                ("files", ("jra.json", json.dumps(SCHEDULE).encode(), "application/json")),
            ],
            headers=self.archivist,
        )
        assert response.status_code == 201, response.text
        item = response.json()
        activated = await self.client.post(f"/instrument-sets/{item['id']}/activate", headers=self.archivist)
        assert activated.status_code == 200, activated.text
        return activated.json()

    async def record(
        self,
        *,
        level: str = "BIASA",
        unit: str = UNIT,
        code: str | None = None,
        record_date: date = date(2015, 3, 2),
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        self._numbers += 1
        body = {
            "reference_number": extra.pop("reference_number", f"B-{self._numbers:04d}/{unit}/2015"),
            "title": extra.pop("title", f"Surat uji {self._numbers}"),
            "record_date": record_date.isoformat(),
            "unit": unit,
            "classification_code": code or CODE_BY_LEVEL[level],
            **extra,
        }
        response = await self.client.post("/records", json=body, headers=headers or self.archivist)
        assert response.status_code == 201, response.text
        return response.json()

    async def upload(
        self, record_id: str, data: bytes, filename: str = "surat.txt", headers: dict[str, str] | None = None
    ) -> Any:
        return await self.client.post(
            f"/records/{record_id}/files",
            params={"filename": filename},
            content=data,
            headers={**(headers or self.archivist), "Content-Type": "application/octet-stream"},
        )

    async def transfer(self, record_ids: list[str]) -> dict[str, Any]:
        """Move active records to the records centre (pemindahan, executed)."""
        created = await self.client.post(
            "/transfers", json={"record_ids": record_ids}, headers=self.archivist
        )
        assert created.status_code == 201, created.text
        done = await self.client.post(
            f"/transfers/{created.json()['id']}/execute",
            json={"signatories": SIGNATORIES},
            headers=self.archivist,
        )
        assert done.status_code == 200, done.text
        return done.json()

    async def decreed_disposal(self, record_ids: list[str]) -> dict[str, Any]:
        """A destruction proposal taken through panel, approvals and decree (ready to execute)."""
        c, h = self.client, self.archivist
        proposal = (
            await c.post("/disposals", json={"title": "Usul musnah arsip keuangan 2015"}, headers=h)
        ).json()
        pid = proposal["id"]
        added = (await c.post(f"/disposals/{pid}/items", json={"record_ids": record_ids}, headers=h)).json()
        assert added["refused"] == [], added
        panel = (await c.put(f"/disposals/{pid}/panel", json={"members": PANEL}, headers=h)).json()["panel"]
        submitted = await c.post(f"/disposals/{pid}/submit", headers=h)
        assert submitted.status_code == 200, submitted.text
        for member in panel:
            decided = await c.post(
                f"/disposals/{pid}/panel/{member['id']}/decision", json={"decision": "setuju"}, headers=h
            )
            assert decided.status_code == 200, decided.text
        state = decided.json()
        levels = ["kepala_dinas", "atasan"] if state["requires_higher_approval"] else ["kepala_dinas"]
        for level in levels:
            approved = await c.post(
                f"/disposals/{pid}/approvals",
                json={
                    "level": level,
                    "approver_name": f"Pejabat {level}",
                    "approver_position": level.replace("_", " "),
                    "decision": "setuju",
                },
                headers=h,
            )
            assert approved.status_code == 200, approved.text
        decreed = await c.post(
            f"/disposals/{pid}/decree",
            json={"decree_number": "KEP-12/2026", "decree_date": "2026-06-01", "signed_by": "Kepala Dinas"},
            headers=h,
        )
        assert decreed.status_code == 200 and decreed.json()["status"] == "ditetapkan", decreed.text
        return decreed.json()

    async def run_tasks(self, *, rounds: int = 5) -> list[tuple[str, Any]]:
        """What the worker would do: relay the outbox and run every archive task, until none are left."""
        done: list[tuple[str, Any]] = []
        for _ in range(rounds):
            publisher = RecordingPublisher()
            await relay_outbox(self.client.sessionmaker, publisher)
            tasks = [
                m
                for m in publisher.messages
                if m.task_name.startswith("archive.") and ".outbox." not in m.task_name
            ]
            if not tasks:
                break
            # Index tasks of one round are coalesced (one engine commit), as a busy worker would batch.
            index_ids = [a for m in tasks if m.task_name == "archive.search.index" for a in m.args]
            if index_ids:
                result = await run_task(
                    "archive.search.index",
                    index_ids,
                    sessionmaker=self.client.sessionmaker,
                    runtime=self.runtime,
                )
                done.append(("archive.search.index", result))
            for message in (m for m in tasks if m.task_name != "archive.search.index"):
                result = await run_task(
                    message.task_name,
                    list(message.args),
                    sessionmaker=self.client.sessionmaker,
                    runtime=self.runtime,
                )
                done.append((message.task_name, result))
        return done


@pytest.fixture
def archive(client: ServiceClient) -> Archive:
    return Archive(client)


@pytest.fixture
def archive_factory() -> type[Archive]:
    """The helper class, for tests that run their own service (another database or backends)."""
    return Archive
