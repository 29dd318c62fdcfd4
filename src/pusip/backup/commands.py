"""``pusip backup`` and ``pusip restore`` (registered on the main ``pusip`` app by :func:`register`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from pusip_kit.errors import PusipError

FORMATS = ("tar", "dir")


def _environment(data_dir_option: Path | None) -> Path:
    from pusip.cli import apply_environment

    return apply_environment(data_dir_option)


def _fail(exc: PusipError) -> typer.Exit:
    from rich.markup import escape

    from pusip.cli import err_console

    text = exc.message if exc.message == exc.message_en else f"{exc.message} / {exc.message_en}"
    err_console.print(f"[bold red]galat / error:[/] {escape(text)}")
    details = exc.details if isinstance(exc.details, list) else []
    for line in details[:200]:
        err_console.print(f"  - {escape(str(line))}")
    if len(details) > 200:
        err_console.print(f"  … {len(details) - 200} lagi / more")
    return typer.Exit(1)


def _operational_errors() -> tuple[type[BaseException], ...]:
    """Failures of the environment (a server down, a disk full, a tool missing): a message, no traceback."""
    from minio.error import MinioException
    from sqlalchemy.exc import SQLAlchemyError

    from pusip.backup.archive import ArchiveFormatError
    from pusip.backup.objects import ObjectProblem
    from pusip.backup.postgres import PostgresError
    from pusip.backup.sqlite import SqliteError

    return (
        OSError,
        SQLAlchemyError,
        MinioException,
        ArchiveFormatError,
        ObjectProblem,
        PostgresError,
        SqliteError,
    )


def _fail_operational(exc: BaseException) -> typer.Exit:
    return _fail(
        PusipError(
            f"{type(exc).__name__}: {exc}",
            f"{type(exc).__name__}: {exc}",
            code="backup_failed",
        )
    )


def _say(line: str) -> None:
    from pusip.cli import console

    console.print(line, markup=False)


DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Direktori data / data directory (PUSIP_DATA_DIR, bawaan / default ./var).",
        show_default=False,
    ),
]


def backup_command(
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="Folder tujuan cadangan / where the backup is written."),
    ] = Path("backups"),
    fmt: Annotated[
        str,
        typer.Option("--format", help="tar (satu berkas, dialirkan / one streamed file) atau / or dir."),
    ] = "tar",
    as_json: Annotated[bool, typer.Option("--json", help="Ringkasan JSON / JSON summary on stdout.")] = False,
    data_dir_option: DataDirOption = None,
) -> None:
    """Cadangkan basis data, objek dan kunci / back up databases, objects and keys (suite may run)."""
    from pusip.backup.core import backup

    if fmt not in FORMATS:
        raise typer.BadParameter(f"--format: {' | '.join(FORMATS)}")
    _environment(data_dir_option)
    try:
        result = backup(out, fmt=fmt, say=(lambda _line: None) if as_json else _say)
    except PusipError as exc:
        raise _fail(exc) from None
    except _operational_errors() as exc:
        raise _fail_operational(exc) from None
    totals = result.manifest["totals"]
    if as_json:
        print(json.dumps({"path": str(result.path), "name": result.manifest["name"], "totals": totals}))
        return
    _say(
        f"✓ cadangan selesai / backup complete: {result.path} — {totals['databases']} basis data / databases "
        f"({totals['rows']} baris / rows), {totals['objects']} objek / objects, {totals['files']} berkas / files, "
        f"{totals['bytes']} B"
    )


def restore_command(
    archive: Annotated[
        Path, typer.Argument(help="Berkas .tar atau folder cadangan / backup .tar or folder.")
    ],
    force: Annotated[
        bool,
        typer.Option("--force", help="Timpa tujuan yang tidak kosong / overwrite non-empty targets."),
    ] = False,
    reindex: Annotated[
        bool,
        typer.Option(
            "--reindex/--no-reindex", help="Bangun ulang indeks pencarian / rebuild search indexes."
        ),
    ] = True,
    migrate: Annotated[
        bool,
        typer.Option(
            "--migrate/--no-migrate",
            help="Migrasikan basis data lama ke versi kode ini / bring older databases to this code's schema.",
        ),
    ] = True,
    verify_only: Annotated[
        bool,
        typer.Option(
            "--verify-only", help="Hanya periksa cadangan / only verify the backup, change nothing."
        ),
    ] = False,
    data_dir_option: DataDirOption = None,
) -> None:
    """Pulihkan cadangan / restore a backup (diperiksa dulu / verified first; --force to overwrite)."""
    from pusip.backup.core import restore, verify_backup

    _environment(data_dir_option)
    try:
        if verify_only:
            verify_backup(archive, say=_say)
            return
        result = restore(archive, force=force, reindex=reindex, migrate=migrate, say=_say)
    except PusipError as exc:
        raise _fail(exc) from None
    except _operational_errors() as exc:
        raise _fail_operational(exc) from None
    _say(f"✓ pemulihan selesai / restore complete: {result.manifest.get('name')}")
    for component, why in result.reindex_skipped.items():
        _say(f"! {component}: {why}")


def register(app: typer.Typer) -> None:
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
