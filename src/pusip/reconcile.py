"""``pusip reconcile``: find (and with ``--repair`` put right) drift between what services derive and
their databases — search indexes, stored objects, the outbox. Exit code 1 while drift remains.

Each service's checks live in ``<service>.reconcile`` (see :mod:`pusip_kit.reconcile`); this module
picks the services, runs them with the current environment's settings (embedded or distributed), and
prints or emits the report. After a repair every service is looked at again, and that second look
decides the exit code.
"""

from __future__ import annotations

import asyncio
import importlib
import json
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

if TYPE_CHECKING:  # the kit's checks import the search and storage backends: only when run
    from pusip_kit.reconcile import ReconcileOptions, ReconcileReport, ServiceReport

RECONCILED = ("catalog", "circulation", "deposit", "archive", "accreditation")
"""Services with a ``reconcile`` module, in the order they are checked."""


def selected(service: str) -> list[str]:
    from pusip.components import ComponentError

    wanted = service.strip().lower()
    if wanted == "all":
        return list(RECONCILED)
    names = [part.strip() for part in wanted.split(",") if part.strip()]
    unknown = [n for n in names if n not in RECONCILED]
    if unknown or not names:
        raise ComponentError(
            f"layanan tidak dikenal: {', '.join(unknown) or service!r} (pilihan: {', '.join(RECONCILED)}, all) / "
            f"unknown service"
        )
    return [n for n in RECONCILED if n in names]


async def reconcile_service(name: str, options: ReconcileOptions) -> ServiceReport:
    from pusip.components import component

    module = importlib.import_module(f"{name}.reconcile")
    report: ServiceReport = await module.reconcile(component(name).settings(), options)
    return report


async def run_reconcile(services: list[str], options: ReconcileOptions) -> ReconcileReport:
    """Every selected service; after a repair, a second look without repairing."""
    from pusip_kit.reconcile import ReconcileOptions, ReconcileReport

    report = ReconcileReport(repair=options.repair)
    for name in services:
        report.found.append(await reconcile_service(name, options))
    if options.repair:
        check_only = ReconcileOptions(
            repair=False,
            grace=options.grace,
            verify_content=options.verify_content,
            compare_content=options.compare_content,
        )
        report.remaining = [await reconcile_service(name, check_only) for name in services]
    return report


def _print(report: ReconcileReport) -> None:
    from pusip.cli import console

    table = Table(title="Rekonsiliasi / reconcile")
    for column in ("layanan / service", "pemeriksaan / check", "diperiksa / examined", "selisih / drift"):
        table.add_column(column)
    table.add_column("diperbaiki / repaired", justify="right")
    table.add_column("tersisa / remaining", justify="right")
    remaining = {(s.service, c.check): c for s in report.remaining or [] for c in s.checks}
    for service in report.found:
        for check in service.checks:
            kinds = ", ".join(f"{k}: {n}" for k, n in check.by_kind().items()) or "0"
            after = remaining.get((service.service, check.check))
            left = check.drift if report.remaining is None else (after.drift if after else 0)
            table.add_row(
                service.service, check.check, str(check.examined), kinds, str(check.repaired), str(left)
            )
    console.print(table)
    for service in report.remaining or report.found:
        for check in service.checks:
            for finding in check.findings[:20]:
                console.print(
                    f"  {service.service} {check.check}: {finding.kind} {finding.subject} {finding.detail}",
                    markup=False,
                )
            for error in check.errors:
                console.print(f"  {service.service} {check.check}: galat / error: {error}", markup=False)
    if report.clean:
        console.print("✓ Tidak ada selisih / no drift", markup=False)
    else:
        console.print(
            f"✗ Selisih tersisa / drift remains: {report.remaining_drift}, galat / errors: {report.errors}",
            markup=False,
        )


def reconcile_command(
    service: Annotated[
        str, typer.Option("--service", help="catalog | circulation | deposit | archive | accreditation | all")
    ] = "all",
    repair: Annotated[bool, typer.Option("--repair", help="Perbaiki / repair what can be repaired")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Laporan JSON / JSON report")] = False,
    grace_seconds: Annotated[
        float,
        typer.Option(
            "--grace-seconds",
            help="Objek lebih muda tidak dianggap yatim / younger objects are not called orphans",
        ),
    ] = 900.0,
    verify_content: Annotated[
        bool, typer.Option("--verify-content", help="Baca ulang dan hash setiap objek / re-hash every object")
    ] = False,
    data_dir_option: Annotated[
        Path | None, typer.Option("--data-dir", help="Folder data / data directory")
    ] = None,
) -> None:
    """Periksa & perbaiki selisih indeks, objek, outbox / find and repair drift (exit 1 while any remains)."""
    from pusip.cli import apply_environment, fail
    from pusip.components import ComponentError
    from pusip_kit.reconcile import ReconcileOptions

    apply_environment(data_dir_option)
    try:
        services = selected(service)
    except ComponentError as exc:
        raise fail(str(exc)) from None
    options = ReconcileOptions(
        repair=repair, grace=timedelta(seconds=max(0.0, grace_seconds)), verify_content=verify_content
    )
    report = asyncio.run(run_reconcile(services, options))
    if as_json:
        typer.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        _print(report)
    if not report.clean:
        raise typer.Exit(1)


def register(app: Any) -> None:
    app.command("reconcile")(reconcile_command)
