"""Domain commands: ``pusip catalog import`` and ``pusip archive verify-audit``.

Registered on the main app by :func:`register`; each command runs the same service code the API
and the workers run, against the database the current environment selects.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

EXIT_JOB_FAILED = 3
"""``pusip catalog import``: the file was read but the job failed (its error is printed)."""

COUNT_LABELS = (
    ("read", "dibaca / read"),
    ("stored", "disimpan / stored"),
    ("created", "baru / created"),
    ("replaced", "diganti / replaced"),
    ("merged", "digabung / merged"),
    ("skipped_duplicates", "dilewati (duplikat) / skipped duplicates"),
    ("items_created", "eksemplar baru / items created"),
    ("warnings", "peringatan / warnings"),  # problems noted (a record may have several), not records
    ("reported", "dilaporkan / reported"),
)

catalog_app = typer.Typer(help="Katalog / catalog.", no_args_is_help=True)
archive_app = typer.Typer(help="Kearsipan / archives.", no_args_is_help=True)


@catalog_app.command("import")
def catalog_import(
    file: Annotated[Path, typer.Argument(help="Berkas MARC21, MARCXML atau MARC-in-JSON / MARC file.")],
    format: Annotated[
        str | None, typer.Option(help="marc21 | marcxml | marc-json (bawaan: dikenali / detected)")
    ] = None,
    dedupe: Annotated[str, typer.Option(help="skip | replace | merge_items")] = "skip",
    branch: Annotated[
        str | None, typer.Option(help="Cabang untuk eksemplar tanpa cabang / branch for holdings")
    ] = None,
    data_dir_option: Annotated[
        Path | None, typer.Option("--data-dir", help="Folder data / data directory")
    ] = None,
) -> None:
    """Impor rekaman MARC dengan bilah kemajuan / import MARC records with a progress bar.

    Keluar 1 untuk berkas/opsi yang salah, 3 bila tugas impor gagal / exits 1 for a bad file or
    option, 3 when the import job failed.
    """
    from catalog.imports.cli import import_file
    from pusip.cli import apply_environment, console, fail
    from pusip_kit.errors import PusipError

    apply_environment(data_dir_option)
    if not file.is_file():
        raise fail(f"Berkas tidak ditemukan: {file}", f"File not found: {file}")
    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task("Impor / import", total=100)

        def on_progress(progress: Any) -> None:
            bar.update(
                task,
                completed=progress.percent,
                description=f"Impor / import: {progress.records_read:,} dibaca / read",
            )

        try:
            result = import_file(
                file, progress_callback=on_progress, format=format, dedupe=dedupe, branch=branch
            )
        except PusipError as exc:
            raise fail(exc.message, exc.message_en) from exc
        bar.update(task, completed=100)
    counts = result["counts"]
    table = Table(title=f"Hasil impor / import result ({result['status']})")
    table.add_column("jumlah / count")
    table.add_column("", justify="right")
    for key, label in COUNT_LABELS:
        if key in counts:
            table.add_row(label, f"{counts[key]:,}")
    console.print(table)
    if counts.get("reported"):
        console.print(
            f"Laporan masalah / problem report: {result['links'].get('problems', '')}", markup=False
        )
    error = result.get("error")
    if result["status"] == "failed":
        raise fail(
            (error or {}).get("message") or "Impor gagal",
            (error or {}).get("message_en") or "The import failed",
            code=EXIT_JOB_FAILED,
        )


@archive_app.command("verify-audit")
def verify_audit(
    data_dir_option: Annotated[
        Path | None, typer.Option("--data-dir", help="Folder data / data directory")
    ] = None,
) -> None:
    """Periksa rantai hash log audit / verify the audit log's hash chain (exit 1 when broken)."""
    from archive.audit import verify
    from archive.config import ArchiveSettings
    from pusip.cli import apply_environment, console, err_console
    from pusip_kit.db import Database

    apply_environment(data_dir_option)

    async def run() -> Any:
        database = Database(ArchiveSettings().database_url)
        try:
            async with database.session() as session:
                return await verify(session)
        finally:
            await database.dispose()

    result = asyncio.run(run())
    if result.ok:
        console.print(
            f"✓ Rantai audit utuh / audit chain intact: {result.entries:,} entri / entries, "
            f"terakhir / last #{result.last_seq} {result.last_hash[:16]}…",
            markup=False,
        )
        return
    err_console.print("✗ Rantai audit RUSAK / audit chain BROKEN:", markup=False)
    for problem in result.problems[:50]:
        err_console.print(
            f"  #{problem.get('seq')}: {problem.get('message')} / {problem.get('message_en')}", markup=False
        )
    raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(catalog_app, name="catalog")
    app.add_typer(archive_app, name="archive")
