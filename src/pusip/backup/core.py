"""``pusip backup`` and ``pusip restore``: what is saved, in which order, and how it comes back.

What a backup holds, per component, whatever the mode:

=====================  ==========================================  ====================================
what                   embedded (SQLite, local disk)               distributed (PostgreSQL, MinIO)
=====================  ==========================================  ====================================
service databases      online-backup-API copy of each ``.db``      ``pg_dump -Fc`` in one snapshot
gateway identity       ``identity.db`` + ``keys/`` (signing keys)  the same *if* the gateway hosts the
                                                                   issuer; Keycloak keeps its own data
broker                 ``broker.db`` (messages in flight)          not saved (Redis: transient)
objects                every bucket, file by file, SHA-256 checked every ``<service>-*`` bucket, streamed
state                  ``demo-data.json`` (first-start marker)     the same, if present
search indexes         not saved: rebuilt from the database after a restore
=====================  ==========================================  ====================================

Order: databases first, then keys and state, then objects. Objects are immutable once written, so
every object a database copy refers to is still there when the objects are copied (an object written
after the database copy may be in the backup without a row pointing at it: harmless).

Restore: verify every file of the backup against the manifest (a damaged backup is refused before
anything is touched); check that every target is of the same kind (SQLite ↔ SQLite, PostgreSQL ↔
PostgreSQL; objects go to either kind of store), that the code knows the backup's Alembic revisions,
that ``pusip up`` is not running on the data directory, and (without ``--force``) that every target
is empty; then restore, count every table again against the manifest, and rebuild the search indexes.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import socket
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from anyio.from_thread import BlockingPortal, start_blocking_portal

from pusip.components import COMPONENTS, SERVICES
from pusip_kit.config import Mode, ServiceSettings, data_dir, suite_default
from pusip_kit.errors import PusipError

from . import objects as objects_mod
from . import postgres, sqlite
from .archive import ArchiveFormatError, ArchiveReader, ArchiveWriter, open_archive, open_writer
from .manifest import FORMAT, FORMAT_VERSION, encode, verify, versions
from .reindex import REINDEX_TASKS, REINDEXERS

Say = Callable[[str], None]
STATE_FILES = ("demo-data.json",)


class BackupError(PusipError):
    code = "backup_failed"
    message = "Pencadangan atau pemulihan gagal"
    message_en = "Backup or restore failed"


def _problems(message: str, message_en: str, problems: list[str], code: str) -> BackupError:
    return BackupError(message, message_en, code=code, details=problems)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


# ------------------------------------------------------------------------------------- installation


@dataclass
class DatabaseSlot:
    """One database of the installation: where it lives and under which name it is backed up."""

    component: str
    role: str  # service | identity | broker
    engine: str  # sqlite | postgresql
    location: str  # a file path (sqlite) or a URL (postgresql)
    migrations: Path | None = None

    @property
    def file(self) -> str:
        base = self.component if self.role != "identity" else f"{self.component}-identity"
        return f"databases/{base}.{'sqlite' if self.engine == 'sqlite' else 'pgdump'}"

    @property
    def path(self) -> Path:
        return Path(self.location)

    @property
    def shown(self) -> str:
        return postgres.safe_url(self.location) if self.engine == "postgresql" else self.location


@dataclass
class Installation:
    """Everything ``pusip backup`` saves and ``pusip restore`` writes, from the current settings."""

    root: Path
    mode: str
    services: dict[str, ServiceSettings]
    databases: list[DatabaseSlot]
    keys_dir: Path | None
    notes: list[str] = field(default_factory=list)

    def slot(self, component: str, role: str) -> DatabaseSlot | None:
        return next((s for s in self.databases if s.component == component and s.role == role), None)


def current_installation() -> Installation:
    root = data_dir()
    mode = suite_default("mode", Mode.EMBEDDED.value)
    services: dict[str, ServiceSettings] = {}
    databases: list[DatabaseSlot] = []
    notes: list[str] = []
    brokers: dict[Path, str] = {}
    for comp in SERVICES:
        settings = comp.settings()
        services[comp.name] = settings
        path = sqlite.sqlite_path(settings.database_url)
        if path is not None:
            databases.append(DatabaseSlot(comp.name, "service", "sqlite", str(path), comp.migrations_dir()))
        else:
            databases.append(
                DatabaseSlot(comp.name, "service", "postgresql", settings.database_url, comp.migrations_dir())
            )
        broker = sqlite.sqlite_path(settings.broker_url)
        if broker is not None:
            brokers.setdefault(broker, comp.name)
        elif settings.broker_url:
            notes.append(
                f"{comp.name}: broker {settings.broker_url.split('://', 1)[0]} not saved (transient)"
            )
    for index, (path, first) in enumerate(brokers.items()):
        databases.append(
            DatabaseSlot("broker" if index == 0 else f"broker-{first}", "broker", "sqlite", str(path))
        )
    gateway: Any = COMPONENTS["gateway"].settings()
    keys_dir: Path | None = None
    if gateway.embedded_issuer:
        databases.append(DatabaseSlot("gateway", "identity", "sqlite", str(gateway.identity_db_path)))
        keys_dir = gateway.keys_dir
    else:
        notes.append("gateway: accounts live in Keycloak, not saved here (back up Keycloak's own database)")
    return Installation(root, mode, services, databases, keys_dir, sorted(set(notes)))


# ------------------------------------------------------------------------------------------- backup


@dataclass
class BackupResult:
    path: Path
    manifest: dict[str, Any]


def _backup_name(out_dir: Path, mode: str) -> str:
    stamp = _now().strftime("%Y%m%dT%H%M%SZ")
    name = f"pusip-backup-{mode}-{stamp}"
    candidate, n = name, 1
    while any(
        (out_dir / f"{candidate}{suffix}").exists() for suffix in ("", ".tar", ".tar.partial", ".partial")
    ):
        n += 1
        candidate = f"{name}-{n}"
    return candidate


def _walk_files(folder: Path) -> Iterator[tuple[str, Path]]:
    for current, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(current) / name
            if path.is_file() and not path.is_symlink():
                yield path.relative_to(folder).as_posix(), path


def _backup_databases(
    inst: Installation, writer: ArchiveWriter, tmp: Path, say: Say, found_versions: dict[str, str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    databases: list[dict[str, Any]] = []
    files: list[dict[str, Any]] = []
    for slot in inst.databases:
        entry: dict[str, Any] = {
            "component": slot.component,
            "role": slot.role,
            "engine": slot.engine,
            "file": slot.file,
        }
        dest = tmp / Path(slot.file).name
        if slot.engine == "sqlite":
            if not slot.path.exists():
                if slot.role == "service":
                    inst.notes.append(f"{slot.component}: no database at {slot.path} (never migrated?)")
                continue
            facts = sqlite.snapshot(slot.path, dest)
            entry.update(
                journal_mode=facts.journal_mode, alembic=facts.alembic, tables=facts.tables, rows=facts.rows
            )
        else:
            pg_facts, tool = postgres.dump(slot.location, dest)
            found_versions["pg_dump"] = tool.version
            entry.update(
                format="pg_dump custom",
                database=postgres.database_name(slot.location),
                server_version=pg_facts.server_version,
                pg_dump_version=tool.version,
                pg_dump_major=tool.major,
                alembic=pg_facts.alembic,
                tables=pg_facts.tables,
                rows=pg_facts.rows,
            )
        size, sha = writer.add_file(slot.file, dest)
        dest.unlink()
        entry.update(size=size, sha256=sha)
        databases.append(entry)
        files.append({"path": slot.file, "kind": "database", "size": size, "sha256": sha})
        say(f"✓ {slot.component} ({slot.role}, {slot.engine}): {entry['rows']} baris / rows, {size} B")
    return databases, files


def _backup_keys(inst: Installation, writer: ArchiveWriter, say: Say) -> list[dict[str, Any]]:
    files: list[dict[str, Any]] = []
    if inst.keys_dir is None or not inst.keys_dir.is_dir():
        return files
    for relative, path in _walk_files(inst.keys_dir):
        size, sha = writer.add_file(f"keys/{relative}", path, mode=0o600)
        files.append(
            {
                "path": f"keys/{relative}",
                "kind": "key",
                "size": size,
                "sha256": sha,
                "mtime": path.stat().st_mtime,
            }
        )
    if files:
        say(f"✓ gateway: {len(files)} kunci penanda tangan / signing key file(s)")
    return files


def _backup_state(inst: Installation, writer: ArchiveWriter) -> list[dict[str, Any]]:
    files = []
    for name in STATE_FILES:
        path = inst.root / name
        if path.is_file():
            size, sha = writer.add_file(f"state/{name}", path, mode=0o644)
            files.append({"path": f"state/{name}", "kind": "state", "size": size, "sha256": sha})
    return files


def _backup_objects(
    inst: Installation, writer: ArchiveWriter, portal: BlockingPortal, say: Say
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    buckets: list[dict[str, Any]] = []
    files: list[dict[str, Any]] = []
    problems: list[str] = []
    for name, settings in inst.services.items():
        for bucket in objects_mod.service_buckets(settings):
            summary = objects_mod.BucketSummary(name, bucket, settings.storage_backend)
            if settings.storage_backend == "local":
                entries = objects_mod.backup_local_bucket(
                    writer, summary, objects_mod.local_root(settings) / bucket, problems
                )
            else:
                store = objects_mod.make_object_store(settings, bucket)
                try:
                    entries = objects_mod.backup_store_bucket(writer, summary, store, portal, problems)
                finally:
                    portal.call(store.close)
            files += entries
            buckets.append(summary.as_json())
            say(f"✓ {name}/{bucket} ({summary.backend}): {summary.count} objek / objects, {summary.bytes} B")
    if problems:
        raise _problems(
            "Objek rusak: cadangan dibatalkan (periksa dengan fixity arsip, perbaiki, lalu ulangi)",
            "Damaged objects: backup abandoned (check them with the archive's fixity run, repair, retry)",
            problems,
            "damaged_objects",
        )
    return buckets, files


def backup(out_dir: Path, *, fmt: str = "tar", say: Say = print) -> BackupResult:
    """Write a backup of the installation the environment describes into ``out_dir``."""
    inst = current_installation()
    out_dir = out_dir.expanduser().resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    name = _backup_name(out_dir, inst.mode)
    started = _now()
    found_versions = versions()
    writer = open_writer(out_dir, name, fmt)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=out_dir))
    say(f"mencadangkan / backing up {inst.root} ({inst.mode}) → {writer.final_path}")
    try:
        databases, files = _backup_databases(inst, writer, tmp, say, found_versions)
        if not databases:
            raise BackupError(
                f"Tidak ada basis data untuk dicadangkan di {inst.root} (salah --data-dir?)",
                f"No database to back up at {inst.root} (wrong --data-dir?)",
                code="nothing_to_back_up",
            )
        files += _backup_keys(inst, writer, say)
        files += _backup_state(inst, writer)
        with start_blocking_portal() as portal:
            buckets, object_files = _backup_objects(inst, writer, portal, say)
        files += object_files
        recorded = {f["path"] for f in files}
        if recorded != set(writer.files):
            raise RuntimeError("manifest and archive disagree on the files written")  # a bug, never data
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "name": name,
            "created_at": _iso(started),
            "completed_at": _iso(_now()),
            "mode": inst.mode,
            "host": socket.gethostname(),
            "data_dir": str(inst.root),
            "versions": found_versions,
            "databases": databases,
            "objects": buckets,
            "keys": {"component": "gateway", "count": sum(1 for f in files if f["kind"] == "key")},
            "notes": inst.notes,
            "totals": {
                "files": len(files),
                "bytes": sum(int(f["size"]) for f in files),
                "databases": len(databases),
                "rows": sum(int(d["rows"]) for d in databases),
                "objects": sum(int(b["count"]) for b in buckets),
                "object_bytes": sum(int(b["bytes"]) for b in buckets),
            },
            "files": files,
        }
        writer.finish(encode(manifest), mtime=time.time())
    except BaseException:
        writer.abort()
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for note in inst.notes:
        say(f"! {note}")
    return BackupResult(writer.final_path, manifest)


# ------------------------------------------------------------------------------------------ restore


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    reindexed: dict[str, int] = field(default_factory=dict)
    reindex_skipped: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def verify_backup(path: Path, say: Say = print) -> dict[str, Any]:
    """Check every file of the backup at ``path``; :class:`BackupError` when anything is off."""
    try:
        with open_archive(path) as reader:
            manifest, problems = verify(reader)
    except ArchiveFormatError as exc:
        raise BackupError(
            f"Cadangan tidak terbaca: {exc}", f"Unreadable backup: {exc}", code="backup_unreadable"
        ) from None
    if problems:
        raise _problems(
            "Cadangan rusak atau diubah: tidak ada yang dipulihkan",
            "The backup is damaged or was altered: nothing was restored",
            problems,
            "backup_corrupt",
        )
    totals = manifest.get("totals", {})
    say(
        f"✓ cadangan utuh / backup verified: {totals.get('files', 0)} berkas / files, {totals.get('bytes', 0)} B"
    )
    return manifest


def _revision_state(migrations: Path, revisions: list[str]) -> tuple[list[str], bool]:
    """(revisions the code does not know, whether the revisions are the code's heads)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(migrations))
    script = ScriptDirectory.from_config(config)
    unknown = []
    for revision in revisions:
        try:
            if script.get_revision(revision) is None:
                unknown.append(revision)
        except Exception:
            unknown.append(revision)
    return unknown, set(revisions) == set(script.get_heads())


@contextlib.contextmanager
def _suite_not_running(root: Path) -> Iterator[None]:
    """Hold ``pusip up``'s own lock for the data directory while restoring (refuse if it runs)."""
    lock_path = root / "run" / "up.lock"
    if not lock_path.exists():
        yield
        return
    fd = os.open(lock_path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError(
                f"`pusip up` sedang berjalan untuk {root}: hentikan dulu",
                f"`pusip up` is running for {root}: stop it first",
                code="suite_running",
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@dataclass
class _Plan:
    databases: list[tuple[dict[str, Any], DatabaseSlot]]
    behind_head: set[str]
    buckets: dict[str, dict[str, list[dict[str, Any]]]]  # component → bucket → object file entries
    keys: list[dict[str, Any]]
    state: list[dict[str, Any]]


def _plan_restore(manifest: dict[str, Any], inst: Installation) -> _Plan:
    from pusip_kit.db.migrate import KIT_MIGRATIONS

    problems: list[str] = []
    databases: list[tuple[dict[str, Any], DatabaseSlot]] = []
    behind: set[str] = set()
    file_kinds = {str(f.get("path")): f.get("kind") for f in manifest.get("files") or []}
    for entry in manifest.get("databases") or []:
        component, role, engine = entry.get("component"), entry.get("role"), entry.get("engine")
        slot = inst.slot(str(component), str(role))
        if slot is None:
            problems.append(f"{component} ({role}): no such database in this installation's settings")
            continue
        if entry.get("file") != slot.file or file_kinds.get(slot.file) != "database":
            problems.append(f"{component} ({role}): its file {entry.get('file')!r} is not in the backup")
            continue
        if slot.engine != engine:
            problems.append(
                f"{component} ({role}): the backup holds {engine}, this installation uses {slot.engine} "
                "(restore into the same kind of database)"
            )
            continue
        if role == "service" and slot.migrations is not None:
            alembic = entry.get("alembic") or {}
            for table, migrations in (
                ("alembic_version", slot.migrations),
                ("kit_alembic_version", KIT_MIGRATIONS),
            ):
                unknown, at_head = _revision_state(migrations, list(alembic.get(table) or []))
                if unknown:
                    problems.append(
                        f"{component}: revision {', '.join(unknown)} ({table}) is unknown to this code: "
                        "the backup comes from a newer Pusip; upgrade the code first"
                    )
                if not at_head:
                    behind.add(str(component))
        databases.append((entry, slot))
    buckets: dict[str, dict[str, list[dict[str, Any]]]] = {
        slot.component: {} for _, slot in databases if slot.role == "service"
    }
    for summary in manifest.get("objects") or []:
        component, bucket = str(summary.get("component")), str(summary.get("bucket"))
        if component not in inst.services:
            problems.append(f"objects of unknown component {component!r}")
            continue
        if not objects_mod.BUCKET_RE.fullmatch(bucket):
            problems.append(f"invalid bucket name {bucket!r}")
            continue
        buckets.setdefault(component, {})[bucket] = []
    keys: list[dict[str, Any]] = []
    state: list[dict[str, Any]] = []
    for entry in manifest.get("files") or []:
        path, kind = str(entry["path"]), entry.get("kind")
        if kind == "object":
            parts = path.split("/", 3)
            if len(parts) != 4 or parts[0] != "objects" or parts[2] not in buckets.get(parts[1], {}):
                problems.append(f"{path}: object outside the listed buckets")
                continue
            try:
                objects_mod.validate_object_key(parts[3])
            except Exception:
                problems.append(f"{path}: invalid object key")
                continue
            buckets[parts[1]][parts[2]].append(entry)
        elif kind == "key":
            if not path.startswith("keys/"):
                problems.append(f"{path}: a key outside keys/")
            elif inst.keys_dir is None:
                problems.append("the backup holds signing keys, but this gateway does not host the issuer")
            keys.append(entry)
        elif kind == "state":
            if path not in {f"state/{name}" for name in STATE_FILES}:
                problems.append(f"{path}: unknown state file")
            state.append(entry)
    if problems:
        raise _problems(
            "Cadangan tidak cocok dengan instalasi ini: tidak ada yang dipulihkan",
            "The backup does not fit this installation: nothing was restored",
            problems,
            "backup_mismatch",
        )
    return _Plan(databases, behind, buckets, keys, state)


def _non_empty_targets(plan: _Plan, inst: Installation, portal: BlockingPortal) -> list[str]:
    busy: list[str] = []
    for _, slot in plan.databases:
        empty = sqlite.is_empty(slot.path) if slot.engine == "sqlite" else postgres.is_empty(slot.location)
        if not empty:
            busy.append(f"{slot.component} ({slot.role}): {slot.shown}")
    for component in plan.buckets:
        if not objects_mod.target_is_empty(inst.services[component], portal):
            busy.append(f"{component}: objects")
    if plan.keys and inst.keys_dir is not None and any(inst.keys_dir.glob("*.pem")):
        busy.append(f"gateway: signing keys in {inst.keys_dir}")
    return busy


def _check_tools(plan: _Plan) -> None:
    for entry, slot in plan.databases:
        if slot.engine == "postgresql":
            major = int(entry.get("pg_dump_major") or 0)
            try:
                postgres.find_tool("pg_restore", at_least=major, prefer=major)
            except postgres.PostgresError as exc:
                raise BackupError(str(exc), str(exc), code="pg_restore_missing") from None


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _extracted(reader: ArchiveReader, path: str, tmp: Path, expected_sha: str) -> Path:
    """The file itself (folder backups), or a copy of the tar member in ``tmp``; its SHA-256 is checked
    again, as a backup could change between the verification and now."""
    local = reader.local_file(path)
    if local is not None:
        actual = _sha256_file(local)
        dest = local
    else:
        dest = tmp / f"{uuid.uuid4().hex}-{Path(path).name}"
        digest = hashlib.sha256()
        with reader.open(path) as src, dest.open("xb") as out:
            while chunk := src.read(1024 * 1024):
                digest.update(chunk)
                out.write(chunk)
        actual = digest.hexdigest()
    if actual != expected_sha:
        raise BackupError(
            f"{path} berubah sejak diperiksa", f"{path} changed since it was verified", code="backup_changed"
        )
    return dest


def _verified_bytes(reader: ArchiveReader, entry: dict[str, Any]) -> bytes:
    data = reader.read_bytes(str(entry["path"]))
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise BackupError(
            f"{entry['path']} berubah sejak diperiksa",
            f"{entry['path']} changed since it was verified",
            code="backup_changed",
        )
    return data


def _restore_databases(
    plan: _Plan, manifest: dict[str, Any], reader: ArchiveReader, tmp: Path, say: Say
) -> None:
    shas = {f["path"]: f["sha256"] for f in manifest["files"]}
    for entry, slot in plan.databases:
        source = _extracted(reader, entry["file"], tmp, shas[entry["file"]])
        if slot.engine == "sqlite":
            sqlite.restore(
                source,
                slot.path,
                journal_mode=str(entry.get("journal_mode") or "wal"),
                reset_broker=slot.role == "broker",
            )
        else:
            if postgres.create_if_missing(slot.location):
                say(f"  basis data dibuat / database created: {slot.shown}")
            postgres.restore(slot.location, source, archive_major=int(entry.get("pg_dump_major") or 0))
        if source.parent == tmp:
            source.unlink()
        say(f"✓ {slot.component} ({slot.role}, {slot.engine}): dipulihkan / restored ({slot.shown})")


def _restore_keys(plan: _Plan, inst: Installation, reader: ArchiveReader, say: Say) -> None:
    if not plan.keys or inst.keys_dir is None:
        return
    keys_dir = inst.keys_dir
    keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(keys_dir, 0o700)
    wanted = {str(e["path"]).split("/", 1)[1] for e in plan.keys}
    for relative, path in list(_walk_files(keys_dir)):
        if relative not in wanted:
            path.unlink()  # --force: the backup's keys, and only those
    for entry in plan.keys:
        relative = str(entry["path"]).split("/", 1)[1]
        target = keys_dir.joinpath(*relative.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = target.parent / f".{target.name}.{uuid.uuid4().hex}.restore"
        data = _verified_bytes(reader, entry)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        mtime = float(entry.get("mtime") or time.time())
        os.utime(tmp, (mtime, mtime))
        os.replace(tmp, target)
    say(f"✓ gateway: {len(plan.keys)} kunci / key file(s) restored")


def _restore_state(plan: _Plan, inst: Installation, reader: ArchiveReader) -> None:
    for entry in plan.state:
        name = str(entry["path"]).split("/", 1)[1]
        target = inst.root / name
        tmp = target.parent / f".{name}.{uuid.uuid4().hex}.restore"
        tmp.write_bytes(_verified_bytes(reader, entry))
        os.replace(tmp, target)


def _restore_objects(
    plan: _Plan, inst: Installation, reader: ArchiveReader, portal: BlockingPortal, *, force: bool, say: Say
) -> list[str]:
    problems: list[str] = []
    for component, buckets in plan.buckets.items():
        settings = inst.services[component]
        existing = set(objects_mod.service_buckets(settings))
        for bucket in sorted(existing | set(buckets)):
            entries = buckets.get(bucket, [])
            target = objects_mod.BucketTarget(settings, bucket, portal)
            try:
                wanted = {str(e["path"]).split("/", 3)[3] for e in entries}
                removed = 0
                if force and bucket in existing:
                    for key in [k for k in target.list_keys() if k not in wanted]:
                        target.delete(key)
                        removed += 1
                for entry in entries:
                    key = str(entry["path"]).split("/", 3)[3]
                    with reader.open(entry["path"]) as stream:
                        target.write(key, stream, entry)
                count = sum(1 for _ in target.list_keys()) if (entries or bucket in existing) else 0
            finally:
                target.close()
            if count != len(entries):
                problems.append(
                    f"{component}/{bucket}: {count} objects after restore, the backup has {len(entries)}"
                )
            extra = f", {removed} dihapus / removed" if removed else ""
            say(f"✓ {component}/{bucket} ({settings.storage_backend}): {len(entries)} objek / objects{extra}")
    return problems


def _recount(plan: _Plan) -> list[str]:
    problems: list[str] = []
    for entry, slot in plan.databases:
        facts: Any = (
            sqlite.describe(slot.path) if slot.engine == "sqlite" else postgres.describe(slot.location)
        )
        if facts.tables != entry.get("tables"):
            differing = sorted(
                name
                for name in set(facts.tables) | set(entry.get("tables") or {})
                if facts.tables.get(name) != (entry.get("tables") or {}).get(name)
            )
            problems.append(f"{slot.component} ({slot.role}): row counts differ in {', '.join(differing)}")
        if facts.alembic != (entry.get("alembic") or {}):
            problems.append(f"{slot.component} ({slot.role}): Alembic revisions differ after restore")
    return problems


def _reindex(plan: _Plan, inst: Installation, result: RestoreResult, say: Say) -> None:
    import asyncio

    restored = {slot.component for _, slot in plan.databases if slot.role == "service"}
    for component in sorted(restored):
        reindexer = REINDEXERS.get(component)
        if reindexer is None:
            continue
        if component in plan.behind_head:
            result.reindex_skipped[component] = (
                "database behind this code's migrations (--no-migrate): run `pusip migrate`, then the "
                f"service's reindex task ({REINDEX_TASKS[component]})"
            )
            continue
        try:
            count = asyncio.run(reindexer(inst.services[component]))
        except Exception as exc:
            result.reindex_skipped[component] = f"{type(exc).__name__}: {exc}"
            result.problems.append(f"{component}: search index rebuild failed: {exc}")
            continue
        result.reindexed[component] = count
        say(
            f"✓ {component}: indeks pencarian dibangun ulang / search index rebuilt ({count} dokumen / documents)"
        )


def _migrate(plan: _Plan, inst: Installation, say: Say) -> None:
    """Bring restored databases that are behind this code's migrations to head (as ``pusip up`` would)."""
    from pusip_kit.db.migrate import upgrade

    for _, slot in plan.databases:
        if slot.role == "service" and slot.component in plan.behind_head:
            upgrade(inst.services[slot.component].database_url, slot.migrations)
            plan.behind_head.discard(slot.component)
            say(f"✓ {slot.component}: dimigrasi ke versi kode ini / migrated to this code's head")


def restore(
    path: Path, *, force: bool = False, reindex: bool = True, migrate: bool = True, say: Say = print
) -> RestoreResult:
    """Restore the backup at ``path`` into the installation the environment describes."""
    path = path.expanduser().resolve()
    manifest = verify_backup(path, say)
    inst = current_installation()
    plan = _plan_restore(manifest, inst)
    result = RestoreResult(manifest)
    say(
        f"memulihkan / restoring {manifest.get('name')} ({manifest.get('created_at')}) → {inst.root} ({inst.mode})"
    )
    with _suite_not_running(inst.root), start_blocking_portal() as portal:
        _check_tools(plan)
        if not force:
            busy = _non_empty_targets(plan, inst, portal)
            if busy:
                raise _problems(
                    "Tujuan tidak kosong: tidak ada yang ditimpa (pakai --force untuk menimpa)",
                    "Targets are not empty: nothing was overwritten (use --force to overwrite)",
                    busy,
                    "target_not_empty",
                )
        inst.root.mkdir(parents=True, exist_ok=True)
        with (
            open_archive(path) as reader,
            tempfile.TemporaryDirectory(prefix=".restore-", dir=inst.root) as tmp,
        ):
            _restore_databases(plan, manifest, reader, Path(tmp), say)
            _restore_keys(plan, inst, reader, say)
            _restore_state(plan, inst, reader)
            result.problems += _restore_objects(plan, inst, reader, portal, force=force, say=say)
    result.problems += _recount(plan)
    if result.problems:
        raise _problems(
            "Pemulihan selesai dengan selisih",
            "Restore finished with differences",
            result.problems,
            "restore_differs",
        )
    say("✓ jumlah baris dan revisi sama dengan manifes / row counts and revisions match the manifest")
    if migrate:
        _migrate(plan, inst, say)
    if reindex:
        _reindex(plan, inst, result, say)
        if result.problems:
            raise _problems(
                "Data dipulihkan, tetapi indeks pencarian gagal dibangun ulang",
                "Data restored, but rebuilding a search index failed",
                result.problems,
                "reindex_failed",
            )
    return result


def manifest_summary(manifest: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in manifest.items() if k != "files"}, indent=1, ensure_ascii=False)
