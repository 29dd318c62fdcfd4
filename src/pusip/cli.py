"""The ``pusip`` command: run, migrate, fill and administer a Pusip installation.

``pusip up`` starts everything on one machine (embedded mode); ``pusip serve`` and
``pusip worker`` run one process each (what ``pusip up`` runs, and what docker-compose runs);
``pusip migrate`` and ``pusip demo-data`` prepare the databases; ``pusip users`` manages
accounts (the gateway's built-in ones, or Keycloak's in distributed mode).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import functools
import json
import os
import socket
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from pusip.backup.commands import register as register_backup_commands
from pusip.components import (
    COMPONENT_NAMES,
    COMPONENTS,
    SERVICES,
    Component,
    ComponentError,
    component,
    parse_selection,
)
from pusip.domain_commands import register as register_domain_commands
from pusip.identity import (
    AccountChanges,
    AccountView,
    Directory,
    check_clearance,
    check_roles,
    open_directory,
)
from pusip.reconcile import register as register_reconcile_command
from pusip_kit.config import Mode, data_dir, service_port, suite_default
from pusip_kit.errors import PusipError

# Piped output (a log file, CI) gets wide tables rather than rich's 80-column default.
_WIDTH = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 160
console = Console(highlight=False, soft_wrap=True, width=_WIDTH)
err_console = Console(stderr=True, highlight=False, soft_wrap=True, width=_WIDTH)

app = typer.Typer(
    name="pusip",
    help="Pusip: perpustakaan, serah simpan, arsip, akreditasi / library, legal deposit, archives, "
    "accreditation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
users_app = typer.Typer(
    help="Akun pengguna / user accounts (bawaan gateway atau Keycloak / built-in or Keycloak).",
    no_args_is_help=True,
)
app.add_typer(users_app, name="users")

F = TypeVar("F", bound=Callable[..., Any])

DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Direktori data / data directory (PUSIP_DATA_DIR, bawaan / default ./var).",
        show_default=False,
    ),
]
PortBaseOption = Annotated[
    int | None,
    typer.Option(
        "--port-base",
        help="Port gateway; layanan mengikuti +1…+5 / gateway port, services follow at +1…+5 "
        "(PUSIP_PORT_BASE, bawaan / default 8000).",
        show_default=False,
    ),
]


# -- helpers ----------------------------------------------------------------------------------


def fail(message: str, message_en: str | None = None, *, code: int = 1) -> typer.Exit:
    from rich.markup import escape

    text = message if message_en is None else f"{message} / {message_en}"
    err_console.print(f"[bold red]galat / error:[/] {escape(text)}", markup=True)
    return typer.Exit(code)


def handles_errors(func: F) -> F:
    """Domain and component errors end the command with a readable message and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PusipError as exc:
            raise fail(exc.message, exc.message_en) from None
        except ComponentError as exc:
            raise fail(str(exc)) from None

    return wrapper  # type: ignore[return-value]


def apply_environment(data_dir_option: Path | None = None, port_base: int | None = None) -> Path:
    """Put ``--data-dir`` / ``--port-base`` into the environment every settings class reads."""
    if data_dir_option is not None:
        os.environ["PUSIP_DATA_DIR"] = str(data_dir_option.expanduser().resolve())
    if port_base is not None:
        os.environ["PUSIP_PORT_BASE"] = str(port_base)
    return data_dir()


def current_mode() -> Mode:
    return Mode(suite_default("mode", "embedded"))


def identity_settings() -> Any:
    """The gateway's settings: whether it hosts the identity provider, and the issuer URL."""
    return COMPONENTS["gateway"].settings()


def identity_in_keycloak() -> bool:
    """Accounts live in Keycloak unless the gateway hosts the embedded issuer (embedded mode default)."""
    return not identity_settings().embedded_issuer


def gateway_url() -> str:
    return suite_default("gateway_url", f"http://127.0.0.1:{service_port('gateway')}").rstrip("/")


@app.callback()
def main(
    data_dir_option: DataDirOption = None,
    port_base: PortBaseOption = None,
) -> None:
    """Pusip: satu perintah untuk menjalankan semuanya / one command to run it all: `pusip up`."""
    apply_environment(data_dir_option, port_base)


# -- serve / worker ---------------------------------------------------------------------------

QUIET_LOGGERS = ("alembic.runtime.plugins",)


def _configure_process_logging(name: str, settings: Any, *, level: str | None = None) -> None:
    """JSON logs from the first line on; Python warnings go through logging (one line each)."""
    import logging

    from pusip_kit.observability import configure_logging

    configure_logging(name, level=level or settings.log_level, json_logs=settings.log_json)
    logging.captureWarnings(True)
    for noisy in QUIET_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)


ROUTINE_TASK_LOGGERS = ("celery.worker.strategy", "celery.app.trace", "celery.beat")


def _configure_celery_logging(name: str, settings: Any, level: str, *, quiet: bool) -> None:
    """The worker logs like the web process (JSON lines) instead of Celery's own format.

    With ``quiet`` the routine lines (task received / succeeded, beat sending a due task: every
    few seconds for the outbox relay) are left out; failures are still logged.
    """
    import logging

    from celery.signals import setup_logging

    def configure(**_: Any) -> None:
        _configure_process_logging(name, settings, level=level)
        if quiet:
            for logger in ROUTINE_TASK_LOGGERS:
                logging.getLogger(logger).setLevel(logging.WARNING)

    setup_logging.connect(configure, weak=False)
    configure()


@app.command()
@handles_errors
def serve(
    name: Annotated[str, typer.Argument(help=f"Komponen / component: {', '.join(COMPONENT_NAMES)}")],
    host: Annotated[str | None, typer.Option(help="Alamat / bind address (bawaan dari setelan).")] = None,
    port: Annotated[
        int | None, typer.Option(help="Port (bawaan dari setelan / default from settings).")
    ] = None,
    workers: Annotated[int, typer.Option(help="Proses uvicorn / uvicorn worker processes.")] = 1,
) -> None:
    """Jalankan satu layanan web / run one web service (uvicorn, setelan dari env / settings from env)."""
    import uvicorn

    from pusip_kit.app import KEEP_ALIVE_SECONDS

    comp = component(name)
    settings = comp.settings()
    _configure_process_logging(comp.name, settings)
    uvicorn.run(
        comp.app_path,
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_config=None,
        access_log=False,
        server_header=False,
        # services read X-Forwarded-* themselves, from their trusted proxies only (pusip_kit.forwarded)
        proxy_headers=comp.name == "gateway",
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        timeout_graceful_shutdown=10,
    )


@app.command()
@handles_errors
def worker(
    name: Annotated[str, typer.Argument(help=f"Layanan / service: {', '.join(c.name for c in SERVICES)}")],
    beat: Annotated[
        bool, typer.Option("--beat/--no-beat", help="Jadwal berkala tertanam / embedded beat scheduler.")
    ] = True,
    pool: Annotated[
        str | None,
        typer.Option(
            help="Celery pool: threads | prefork | solo (bawaan dari aplikasi / default from the app)."
        ),
    ] = None,
    concurrency: Annotated[
        int | None,
        typer.Option(help="Tugas bersamaan / concurrent tasks (bawaan dari aplikasi / app default)."),
    ] = None,
    loglevel: Annotated[str | None, typer.Option(help="Tingkat log / log level.")] = None,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet",
            help="Tanpa banner dan log rutin per tugas / no banner, no routine per-task lines.",
        ),
    ] = False,
) -> None:
    """Jalankan worker Celery satu layanan / run one service's Celery worker (antrean / queue = nama).

    Pool and concurrency come from the service's Celery app (the kit: a thread pool of 4 in
    embedded mode, so one process holds the search index writer; Celery's prefork elsewhere).
    """
    comp = component(name)
    if comp.is_gateway:
        raise fail("gateway tidak punya worker", "the gateway has no worker")
    settings = comp.settings()
    level = (loglevel or settings.log_level).upper()
    _configure_celery_logging(comp.name, settings, level, quiet=quiet)
    celery_app = comp.celery_app()
    argv = [
        *(["--quiet"] if quiet else []),
        "worker",
        f"--queues={comp.name}",
        f"--hostname={comp.name}@%h",
        f"--loglevel={level}",
    ]
    if pool:
        argv.append(f"--pool={pool}")
    if concurrency:
        argv.append(f"--concurrency={concurrency}")
    if beat:
        argv.append("--beat")
        if not Path(str(celery_app.conf.beat_schedule_filename)).is_absolute():
            argv.append(f"--schedule={settings.service_dir / 'celerybeat-schedule'}")
    if settings.mode is Mode.EMBEDDED:
        # The local broker has no fanout: no gossip, mingle or remote-control heartbeats.
        argv += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    celery_app.worker_main(argv)


# -- migrate ----------------------------------------------------------------------------------


def migrate_components(components: list[Component], *, echo: Callable[[str], None] | None = None) -> None:
    """Bring every selected database to the newest schema (and create the identity store)."""
    from pusip_kit.db.migrate import upgrade

    say = echo or (lambda line: console.print(line))
    for comp in components:
        settings = comp.settings()
        if comp.is_gateway:
            if not identity_in_keycloak():
                from pusip.identity import EmbeddedDirectory

                directory = EmbeddedDirectory.from_settings()

                async def create(d: EmbeddedDirectory = directory) -> None:
                    await d.open()
                    await d.close()

                asyncio.run(create())
                say(f"✓ gateway: penyimpanan identitas / identity store {directory.database_url}")
            else:
                say("✓ gateway: identitas di Keycloak / identity lives in Keycloak")
            migrations = comp.migrations_dir()
            if migrations is None:
                continue
        else:
            migrations = comp.migrations_dir()
        upgrade(settings.database_url, migrations)
        say(f"✓ {comp.name}: dimigrasi / migrated ({_safe_url(settings.database_url)})")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command()
@handles_errors
def migrate(
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Komponen (bawaan semua) / components (default all).", show_default=False),
    ] = None,
    data_dir_option: DataDirOption = None,
) -> None:
    """Migrasikan basis data / migrate the databases (Alembic; identity store of the gateway)."""
    apply_environment(data_dir_option)
    migrate_components(parse_selection(names))


# -- demo data --------------------------------------------------------------------------------


def _counts_table(counts: dict[str, dict[str, int]]) -> Table:
    table = Table(title="Data demo layanan / service demo data", title_justify="left")
    table.add_column("layanan / service")
    table.add_column("data / records")
    table.add_column("jumlah / count", justify="right")
    for service, items in counts.items():
        if not items:
            table.add_row(service, "—", "0")
        for key, value in items.items():
            table.add_row(service, key, str(value))
    return table


def accounts_table(title: str | None = None) -> Table:
    from pusip.demo import DEMO_CLIENT, demo_accounts

    table = Table(title=title, title_justify="left")
    table.add_column("pengguna / username", no_wrap=True)
    table.add_column("kata sandi / password", no_wrap=True)
    table.add_column("peran / role", no_wrap=True)
    table.add_column("keterangan / description")
    for account in demo_accounts():
        table.add_row(account.username, account.password, account.role, account.description)
    table.add_row(
        DEMO_CLIENT.client_id,
        DEMO_CLIENT.secret,
        ",".join(DEMO_CLIENT.roles),
        f"klien OAuth2 (client credentials), unit {DEMO_CLIENT.unit}",
    )
    return table


@app.command("demo-data")
@handles_errors
def demo_data(
    force: Annotated[
        bool,
        typer.Option("--force", help="Muat lagi dan pulihkan akun demo / load again, reset demo accounts."),
    ] = False,
    only: Annotated[
        str | None, typer.Option(help="Hanya layanan ini / only these services (catalog,archive…).")
    ] = None,
    data_dir_option: DataDirOption = None,
) -> None:
    """Muat akun dan data demo / load demo accounts and records (aman diulang / idempotent)."""
    from pusip.demo import ensure_demo_accounts, load_service_demo, read_marker, write_marker

    root = apply_environment(data_dir_option)
    marker = read_marker(root)
    services = [c for c in parse_selection(only) if not c.is_gateway]
    if marker and not force:
        done = set(marker.get("services") or {})
        services = [c for c in services if c.name not in done]
        if not services:
            console.print(
                f"Data demo sudah dimuat pada {marker.get('loaded_at')} / demo data already loaded "
                "(--force untuk memuat lagi / to load again)."
            )
            if not identity_in_keycloak():
                console.print(accounts_table("Akun demo / demo accounts"))
            return
    migrate_components([COMPONENTS["gateway"], *services], echo=lambda _line: None)

    keycloak = identity_in_keycloak()
    from pusip.demo import AccountsResult

    accounts = AccountsResult()
    if keycloak:
        console.print(
            "Mode terdistribusi: akun demo sudah ada di impor realm Keycloak; hanya data layanan yang "
            "dimuat / distributed mode: the demo accounts come with the Keycloak realm import; loading "
            "service data only."
        )
    else:
        directory = open_directory(keycloak=False, issuer=identity_settings().oidc_issuer)

        async def load_accounts() -> AccountsResult:
            try:
                return await ensure_demo_accounts(directory, reset=force)
            finally:
                await directory.close()

        accounts = asyncio.run(load_accounts())

    counts: dict[str, dict[str, int]] = {}
    for comp in services:
        counts[comp.name] = asyncio.run(load_service_demo(comp))

    if not keycloak:
        console.print(
            f"Akun demo: {len(accounts.created)} dibuat / created, {len(accounts.updated)} dipulihkan / "
            f"reset, {len(accounts.unchanged)} sudah ada / already there; klien / client "
            f"{'dibuat / created' if accounts.client_created else 'diperbarui / refreshed'}."
        )
        console.print(accounts_table("Akun demo / demo accounts"))
    console.print(_counts_table(counts))
    write_marker(root, counts, accounts)


# -- users ------------------------------------------------------------------------------------


def _run_with_directory(action: Callable[[Directory], Any]) -> Any:
    keycloak = identity_in_keycloak()
    if not keycloak:
        migrate_components([COMPONENTS["gateway"]], echo=lambda _line: None)
    directory = open_directory(keycloak=keycloak, issuer=identity_settings().oidc_issuer)

    async def run() -> Any:
        try:
            return await action(directory)
        finally:
            await directory.close()

    return asyncio.run(run())


def _account_table(accounts: list[AccountView]) -> Table:
    table = Table(title="Akun / accounts", title_justify="left")
    for column in (
        "pengguna / username",
        "nama / name",
        "peran / roles",
        "unit",
        "klasifikasi / clearance",
        "kategori akses / access",
        "cabang / branches",
        "status",
    ):
        table.add_column(column)
    for a in accounts:
        status = "aktif / active" if a.active else "nonaktif / disabled"
        if a.locked:
            status += ", terkunci / locked"
        table.add_row(
            a.username,
            a.display_name or "",
            ", ".join(a.roles),
            a.unit or "",
            a.clearance,
            a.access_category or "",
            ", ".join(a.branches),
            status,
        )
    return table


def _read_password(password: str | None, *, stdin: bool) -> str:
    if password is not None:
        return password
    if stdin:
        return sys.stdin.readline().rstrip("\r\n")
    value: str = typer.prompt("Kata sandi / password", hide_input=True, confirmation_prompt=True)
    return value


def _changes(
    *,
    roles: list[str] | None,
    name: str | None,
    email: str | None,
    unit: str | None,
    clearance: str | None,
    access_category: str | None,
    branches: list[str] | None,
    base: AccountView | None = None,
) -> AccountChanges:
    """New values where given, the account's current ones (``base``) elsewhere."""

    def pick(new: Any, old: Any) -> Any:
        return new if new is not None else old

    split_branches = (
        None if branches is None else [b.strip() for v in branches for b in v.split(",") if b.strip()]
    )
    return AccountChanges(
        display_name=pick(name, base.display_name if base else None),
        email=pick(email, base.email if base else None),
        roles=check_roles(roles) if roles is not None else (list(base.roles) if base else []),
        unit=pick(unit, base.unit if base else None),
        clearance=check_clearance(clearance) if clearance else (base.clearance if base else "BIASA"),
        access_category=pick(access_category, base.access_category if base else None),
        branches=pick(split_branches, list(base.branches) if base else []),
    )


RoleOption = Annotated[
    list[str] | None,
    typer.Option("--role", "-r", help="Peran (boleh berulang atau dipisah koma) / role (repeat or comma)."),
]
BranchOption = Annotated[
    list[str] | None, typer.Option("--branch", "-b", help="Kode cabang / branch code (repeatable).")
]
NameOption = Annotated[str | None, typer.Option("--name", help="Nama tampilan / display name.")]
EmailOption = Annotated[str | None, typer.Option(help="Surel / email.")]
UnitOption = Annotated[str | None, typer.Option(help="Unit kerja / organisational unit (e.g. dispusip).")]
ClearanceOption = Annotated[
    str | None,
    typer.Option(help="Klasifikasi keamanan / clearance: BIASA, TERBATAS, RAHASIA, SANGAT_RAHASIA."),
]
AccessOption = Annotated[
    str | None, typer.Option("--access-category", help="Kategori akses arsip / archive access category.")
]
PasswordOption = Annotated[
    str | None,
    typer.Option(
        help="Kata sandi (tanpa ini: ditanyakan) / password (prompted when absent).", show_default=False
    ),
]
StdinOption = Annotated[
    bool, typer.Option("--password-stdin", help="Baca kata sandi dari stdin / read the password from stdin.")
]


@users_app.command("list")
@handles_errors
def users_list(
    as_json: Annotated[bool, typer.Option("--json", help="Keluaran JSON / JSON output.")] = False,
) -> None:
    """Daftar akun dan klien / list accounts and clients."""

    async def action(directory: Directory) -> tuple[list[AccountView], list[Any]]:
        return await directory.list_accounts(), await directory.list_clients()

    accounts, clients = _run_with_directory(action)
    if as_json:
        from dataclasses import asdict

        print(
            json.dumps({"accounts": [asdict(a) for a in accounts], "clients": [asdict(c) for c in clients]})
        )
        return
    console.print(_account_table(accounts))
    if clients:
        table = Table(title="Klien instansi / agency clients", title_justify="left")
        for column in ("client_id", "nama / name", "peran / roles", "unit", "status"):
            table.add_column(column)
        for c in clients:
            table.add_row(
                c.client_id,
                c.name or "",
                ", ".join(c.roles),
                c.unit or "",
                "aktif / active" if c.active else "nonaktif / disabled",
            )
        console.print(table)


@users_app.command("add")
@handles_errors
def users_add(
    username: Annotated[str, typer.Argument(help="Nama pengguna / username.")],
    role: RoleOption = None,
    password: PasswordOption = None,
    password_stdin: StdinOption = False,
    name: NameOption = None,
    email: EmailOption = None,
    unit: UnitOption = None,
    clearance: ClearanceOption = None,
    access_category: AccessOption = None,
    branch: BranchOption = None,
) -> None:
    """Tambah akun / add an account."""
    changes = _changes(
        roles=role or [],
        name=name,
        email=email,
        unit=unit,
        clearance=clearance,
        access_category=access_category,
        branches=branch,
    )
    secret = _read_password(password, stdin=password_stdin)

    async def action(directory: Directory) -> AccountView:
        return await directory.create_account(username, secret, changes)

    view = _run_with_directory(action)
    console.print(f"✓ akun dibuat / account created: {view.username} ({', '.join(view.roles) or '—'})")


@users_app.command("set")
@handles_errors
def users_set(
    username: Annotated[str, typer.Argument(help="Nama pengguna / username.")],
    role: RoleOption = None,
    name: NameOption = None,
    email: EmailOption = None,
    unit: UnitOption = None,
    clearance: ClearanceOption = None,
    access_category: AccessOption = None,
    branch: BranchOption = None,
) -> None:
    """Ubah peran dan atribut akun / change an account's roles and attributes (yang diberikan saja)."""

    async def action(directory: Directory) -> AccountView:
        current = await directory.get_account(username)
        if current is None:
            raise PusipError(
                f"Akun '{username}' tidak ditemukan",
                f"Account '{username}' not found",
                code="account_not_found",
            )
        changes = _changes(
            roles=role,
            name=name,
            email=email,
            unit=unit,
            clearance=clearance,
            access_category=access_category,
            branches=branch,
            base=current,
        )
        return await directory.update_account(username, changes)

    view = _run_with_directory(action)
    console.print(_account_table([view]))


@users_app.command("passwd")
@handles_errors
def users_passwd(
    username: Annotated[str, typer.Argument(help="Nama pengguna / username.")],
    password: PasswordOption = None,
    password_stdin: StdinOption = False,
) -> None:
    """Ganti kata sandi / set a new password (sesi lama dicabut / old sessions revoked)."""
    secret = _read_password(password, stdin=password_stdin)

    async def action(directory: Directory) -> None:
        await directory.set_password(username, secret)

    _run_with_directory(action)
    console.print(f"✓ kata sandi diganti / password changed: {username}")


@users_app.command("disable")
@handles_errors
def users_disable(username: Annotated[str, typer.Argument(help="Nama pengguna / username.")]) -> None:
    """Nonaktifkan akun / disable an account (tidak bisa masuk / can no longer sign in)."""

    async def action(directory: Directory) -> AccountView:
        return await directory.set_active(username, False)

    _run_with_directory(action)
    console.print(f"✓ akun dinonaktifkan / account disabled: {username}")


@users_app.command("enable")
@handles_errors
def users_enable(username: Annotated[str, typer.Argument(help="Nama pengguna / username.")]) -> None:
    """Aktifkan lagi akun / enable an account again (kuncian dihapus / lockout cleared)."""

    async def action(directory: Directory) -> AccountView:
        return await directory.set_active(username, True)

    _run_with_directory(action)
    console.print(f"✓ akun diaktifkan / account enabled: {username}")


# -- up / status ------------------------------------------------------------------------------

PROCESS_STYLES: dict[str, str] = {
    "gateway": "bold bright_white",
    "catalog": "cyan",
    "circulation": "green",
    "deposit": "yellow",
    "archive": "magenta",
    "accreditation": "blue",
}


@contextlib.contextmanager
def _single_instance(run_dir: Path) -> Iterator[None]:
    run_dir.mkdir(parents=True, exist_ok=True)
    lock_path = run_dir / "up.lock"
    with lock_path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = (run_dir / "up.pid").read_text().strip() if (run_dir / "up.pid").exists() else "?"
            raise fail(
                f"`pusip up` sudah berjalan untuk {run_dir.parent} (pid {pid})",
                f"`pusip up` is already running for this data directory (pid {pid})",
            ) from None
        (run_dir / "up.pid").write_text(f"{os.getpid()}\n")
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                (run_dir / "up.pid").unlink()
            fcntl.flock(handle, fcntl.LOCK_UN)


def _port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def _banner(selected: list[Component], *, demo: bool) -> None:
    gateway = gateway_url()
    lines = []
    if any(c.is_gateway for c in selected):
        lines += [
            f"Portal:                       {gateway}/",
            f"Dokumentasi API / API docs:   {gateway}/docs",
            f"Kesehatan / health:           {gateway}/api/health",
        ]
    for comp in selected:
        if not comp.is_gateway:
            lines.append(f"{comp.name + ':':<30}http://127.0.0.1:{comp.port}/docs")
    lines.append("Berhenti / stop:              Ctrl-C")
    console.print(
        Panel("\n".join(lines), title="Pusip siap / Pusip is ready", title_align="left", border_style="green")
    )
    if demo:
        console.print(accounts_table("Akun demo / demo accounts"))
    else:
        console.print(
            "Belum ada akun demo / no demo accounts: `pusip demo-data` atau / or `pusip users add`."
        )


@app.command()
@handles_errors
def up(
    no_demo: Annotated[
        bool, typer.Option("--no-demo", help="Tanpa data demo / no demo data on first start.")
    ] = False,
    only: Annotated[
        str | None,
        typer.Option(
            help="Hanya komponen ini / only these components (gateway,catalog,…).", show_default=False
        ),
    ] = None,
    no_workers: Annotated[
        bool, typer.Option("--no-workers", help="Tanpa worker Celery / no workers.")
    ] = False,
    ready_timeout: Annotated[
        float, typer.Option(help="Detik menunggu siap / seconds to wait for readiness.")
    ] = 180.0,
    stop_timeout: Annotated[
        float, typer.Option(help="Detik sebelum SIGKILL / seconds before SIGKILL on stop.")
    ] = 20.0,
    data_dir_option: DataDirOption = None,
    port_base: PortBaseOption = None,
) -> None:
    """Jalankan seluruh suite di mesin ini / run the whole suite on this machine (embedded mode)."""
    from pusip.demo import read_marker
    from pusip.supervisor import ChildSpec, Supervisor

    root = apply_environment(data_dir_option, port_base)
    selected = parse_selection(only)
    run_dir = root / "run"
    root.mkdir(parents=True, exist_ok=True)
    os.environ["PUSIP_DATA_DIR"] = str(root)

    python = sys.executable
    specs: list[ChildSpec] = []
    for comp in selected:
        style = PROCESS_STYLES.get(comp.name, "")
        specs.append(
            ChildSpec(
                name=comp.name,
                argv=[python, "-m", "pusip", "serve", comp.name],
                style=style,
                port=comp.port,
                # The gateway's own /readyz aggregates the services; its liveness is enough here.
                ready_path="/healthz" if comp.is_gateway else "/readyz",
                component=comp.name,
                kind="web",
            )
        )
    if not no_workers:
        for comp in selected:
            if comp.is_gateway:
                continue
            specs.append(
                ChildSpec(
                    name=f"{comp.name}-worker",
                    argv=[python, "-m", "pusip", "worker", comp.name, "--quiet"],
                    style=f"dim {PROCESS_STYLES.get(comp.name, '')}".strip(),
                    component=comp.name,
                    kind="worker",
                )
            )

    with _single_instance(run_dir):
        taken = [f"{c.name}:{c.port}" for c in selected if _port_taken(c.port)]
        if taken:
            raise fail(
                f"port sudah dipakai: {', '.join(taken)} — apakah Pusip lain berjalan? pakai --port-base",
                "port already in use — is another Pusip running? use --port-base",
            )
        supervisor = Supervisor(
            specs,
            run_dir=run_dir,
            console=console,
            stop_timeout=stop_timeout,
            ready_timeout=ready_timeout,
            status_extra={
                "data_dir": str(root),
                "gateway_url": gateway_url(),
                "ports": {c.name: c.port for c in selected},
            },
        )

        async def main() -> int:
            supervisor.install_signal_handlers()
            supervisor.say(f"direktori data / data directory: {root}")
            names = [c.name for c in selected]
            code = await supervisor.run_step("migrate", [python, "-m", "pusip", "migrate", *names])
            if supervisor.stopping:
                return 0
            if code != 0:
                supervisor.say(f"migrasi gagal / migration failed (kode / code {code})", style="bold red")
                return code or 1
            marker = read_marker(root)
            loaded = set((marker or {}).get("services") or {})
            missing = [c.name for c in selected if not c.is_gateway and c.name not in loaded]
            if not no_demo and (marker is None or missing):
                supervisor.say("memuat data demo (start pertama) / loading demo data (first start)")
                code = await supervisor.run_step(
                    "demo", [python, "-m", "pusip", "demo-data", "--only", ",".join(missing) or "gateway"]
                )
                if supervisor.stopping:
                    return 0
                if code != 0:
                    supervisor.say(
                        f"data demo gagal / demo data failed (kode / code {code})", style="bold red"
                    )
                    return code or 1
            supervisor.on_ready = lambda: _banner(selected, demo=read_marker(root) is not None)
            return await supervisor.run()

        code = asyncio.run(main())
    if code:
        raise typer.Exit(code)
    console.print("Pusip berhenti / stopped.")


@app.command()
@handles_errors
def status(
    data_dir_option: DataDirOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Keluaran JSON / JSON output.")] = False,
) -> None:
    """Status `pusip up` yang berjalan / status of a running `pusip up`."""
    root = apply_environment(data_dir_option)
    path = root / "run" / "up.json"
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError):
        raise fail(f"tidak ada `pusip up` di {root}", "no `pusip up` running here") from None
    alive = _pid_alive(state.get("pid"))
    if as_json:
        print(json.dumps({**state, "running": alive}))
        return
    console.print(
        f"pusip up pid {state.get('pid')}: {'berjalan / running' if alive else 'tidak berjalan / not running'}"
    )
    table = Table()
    for column in ("proses / process", "pid", "port", "siap / ready", "dimulai ulang / restarts"):
        table.add_column(column)
    for name, child in state.get("children", {}).items():
        pid = child.get("pid")
        table.add_row(
            name,
            str(pid) if pid and _pid_alive(pid) else "—",
            str(child.get("port") or ""),
            "ya / yes" if child.get("ready") else ("—" if child.get("kind") == "worker" else "tidak / no"),
            str(child.get("restarts", 0)),
        )
    console.print(table)


def _pid_alive(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# -- backup / restore (pusip.backup) ----------------------------------------------------------

register_backup_commands(app)
register_domain_commands(app)
register_reconcile_command(app)
