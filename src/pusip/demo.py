"""Demo accounts (one per role) and each service's demo records.

The same accounts, with the same passwords, are in the Keycloak realm import used by the
distributed deployment, so a demo works the same in both modes. Passwords follow one rule,
``pusip-demo-<username>``; they are for demonstrations only.
"""

from __future__ import annotations

import inspect
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pusip.components import Component
from pusip.identity import AccountChanges, ClientView, Directory

DEMO_PASSWORD_PREFIX = "pusip-demo-"  # noqa: S105 - a published demo convention, not a secret
DEMO_UNIT = "dispusip"
DEMO_MARKER = "demo-data.json"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    display_name: str
    description: str  # Indonesian / English
    unit: str | None = None
    clearance: str = "BIASA"
    access_category: str | None = None
    branches: tuple[str, ...] = ()

    @property
    def password(self) -> str:
        return f"{DEMO_PASSWORD_PREFIX}{self.username}"

    def changes(self) -> AccountChanges:
        return AccountChanges(
            display_name=self.display_name,
            email=f"{self.username}@demo.pusip.invalid",
            roles=(self.role,),
            unit=self.unit,
            clearance=self.clearance,
            access_category=self.access_category,
            branches=self.branches,
        )


@dataclass(frozen=True)
class DemoClient:
    client_id: str = "pusip-agency-demo"
    secret: str = "pusip-agency-demo-secret"  # noqa: S105 - published demo credentials
    name: str = "Sistem instansi demo / Demo agency system"
    roles: tuple[str, ...] = ("agency_system",)
    unit: str = "dinas-demo"


def demo_branch_code() -> str:
    """The librarian's home branch: the first branch of the catalog's demo network."""
    from catalog.demo import DEMO_BRANCHES

    return str(DEMO_BRANCHES[0]["code"])


def demo_library_code() -> str:
    """The library admin's library: the demo village library with a self-assessment in progress."""
    from accreditation.demo import IN_PROGRESS_LIBRARY

    return IN_PROGRESS_LIBRARY


def demo_accounts() -> list[DemoAccount]:
    branch = demo_branch_code()
    return [
        DemoAccount("admin", "admin", "Admin Pusip", "administrator sistem / system administrator"),
        DemoAccount(
            "pustakawan",
            "librarian",
            "Pustakawan Demo",
            "sirkulasi di cabang / circulation at a branch",
            branches=(branch,),
        ),
        DemoAccount("katalog", "cataloger", "Katalogisasi Demo", "katalogisasi / cataloguing"),
        DemoAccount("pemustaka", "patron", "Pemustaka Demo", "anggota perpustakaan / library patron"),
        DemoAccount("penerbit", "publisher", "Penerbit Demo", "serah simpan karya / legal deposit"),
        DemoAccount(
            "petugas-deposit",
            "deposit_officer",
            "Petugas Deposit Demo",
            "penerimaan serah simpan / deposit intake",
        ),
        DemoAccount(
            "arsiparis",
            "archivist",
            "Arsiparis Demo",
            "pengolahan arsip / archives processing",
            unit=DEMO_UNIT,
            clearance="RAHASIA",
            access_category="pengolah",
        ),
        DemoAccount(
            "pencipta-arsip",
            "records_creator",
            "Pencipta Arsip Demo",
            "unit pencipta arsip / records-creating unit",
            unit=DEMO_UNIT,
        ),
        DemoAccount(
            "admin-perpus",
            "library_admin",
            "Pengelola Perpustakaan Demo",
            "perpustakaan binaan / guided library",
            unit=demo_library_code(),
        ),
        DemoAccount("asesor", "assessor", "Asesor Demo", "penilai akreditasi / accreditation assessor"),
        DemoAccount(
            "petugas-akreditasi",
            "accreditation_officer",
            "Petugas Akreditasi Demo",
            "pengelola akreditasi / accreditation officer",
        ),
    ]


DEMO_CLIENT = DemoClient()
CATALOG_SERVICE_CLIENT = DemoClient(
    client_id="catalog-service",
    secret="catalog-service-secret",  # noqa: S106 - the catalog's development default, refused in production
    name="Layanan katalog (teks serah simpan) / catalog service (legal deposit texts)",
    roles=("cataloger",),
    unit=DEMO_UNIT,
)
"""The catalog's own service client (``PUSIP_CATALOG_SERVICE_CLIENT_ID/SECRET``): it reads the full
text of accepted digital deposits from the deposit service to index them."""
SERVICE_CLIENTS: tuple[DemoClient, ...] = (CATALOG_SERVICE_CLIENT,)


@dataclass
class AccountsResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    client: ClientView | None = None
    client_created: bool = False


async def ensure_demo_accounts(directory: Directory, *, reset: bool = False) -> AccountsResult:
    """Create missing demo accounts; with ``reset`` also restore existing ones (roles, password)."""
    result = AccountsResult()
    for account in demo_accounts():
        existing = await directory.get_account(account.username)
        if existing is None:
            await directory.create_account(account.username, account.password, account.changes())
            result.created.append(account.username)
        elif reset:
            await directory.update_account(account.username, account.changes())
            await directory.set_password(account.username, account.password)
            if not existing.active:
                await directory.set_active(account.username, True)
            result.updated.append(account.username)
        else:
            result.unchanged.append(account.username)
    result.client, result.client_created = await directory.ensure_client(
        DEMO_CLIENT.client_id,
        DEMO_CLIENT.secret,
        name=DEMO_CLIENT.name,
        roles=DEMO_CLIENT.roles,
        unit=DEMO_CLIENT.unit,
    )
    for service_client in SERVICE_CLIENTS:
        await directory.ensure_client(
            service_client.client_id,
            service_client.secret,
            name=service_client.name,
            roles=service_client.roles,
            unit=service_client.unit,
        )
    return result


async def load_service_demo(component: Component) -> dict[str, int]:
    """Run ``<s>.demo.load_demo_data`` in one unit of work on the service's own database."""
    from pusip_kit.db.engine import Database
    from pusip_kit.uow import unit_of_work

    loader = component.demo_loader()
    database = Database(component.settings().database_url)
    try:
        async with unit_of_work(database.sessionmaker) as session:
            counts = loader(session)
            if inspect.isawaitable(counts):
                counts = await counts
    finally:
        await database.dispose()
    return {str(k): int(v) for k, v in dict(counts or {}).items()}


def marker_path(data_dir: Path) -> Path:
    return data_dir / DEMO_MARKER


def read_marker(data_dir: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(marker_path(data_dir).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_marker(data_dir: Path, counts: dict[str, dict[str, int]], accounts: AccountsResult) -> None:
    """Record what was loaded; services loaded earlier (another ``--only``) stay recorded."""
    data_dir.mkdir(parents=True, exist_ok=True)
    previous = read_marker(data_dir) or {}
    services = {**(previous.get("services") or {}), **counts}
    marker_path(data_dir).write_text(
        json.dumps(
            {
                "loaded_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "accounts": sorted(accounts.created + accounts.updated + accounts.unchanged)
                or previous.get("accounts", []),
                "client": DEMO_CLIENT.client_id,
                "services": services,
            },
            indent=2,
        )
    )
