"""The CLI's import function: the same pipeline, synchronously, with a second process for parsing."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.config import CatalogSettings
from catalog.imports.cli import import_file
from catalog.worker import make_worker
from pusip_kit.errors import PusipError

from ..helpers import CORPUS

PRIDE = CORPUS / "marc4j" / "pride-and-prejudice-with-many-errors.mrc"


def test_parallel_parsing_gives_the_same_books(tmp_path: Path) -> None:
    seen: list[float] = []
    parallel = import_file(
        PRIDE,
        CatalogSettings(data_dir=tmp_path / "b", log_json=False, import_batch_size=50),
        parallel=True,
        progress_callback=lambda p: seen.append(p.percent),
    )
    counts = parallel["counts"]  # the same books as the in-process import of test_imports.py
    assert (counts["read"], counts["stored"], counts["skipped_duplicates"], counts["reported"]) == (
        383,
        323,
        26,
        34,
    )
    assert len(seen) >= 8 and seen[-1] == 100.0


def test_bad_options_are_refused(tmp_path: Path) -> None:
    with pytest.raises(PusipError) as refused:
        import_file(PRIDE, CatalogSettings(data_dir=tmp_path, log_json=False), branch="tidak-ada")
    assert refused.value.code == "branch_unknown"
    with pytest.raises(ValueError):
        import_file(PRIDE, CatalogSettings(data_dir=tmp_path, log_json=False), dedupe="sometimes")


def test_the_worker_registers_every_catalog_task(tmp_path: Path) -> None:
    app = make_worker(CatalogSettings(data_dir=tmp_path, log_json=False))
    names = set(app.tasks)
    assert {
        "catalog.index.records",
        "catalog.index.reindex",
        "catalog.index.reconcile",
        "catalog.imports.run",
        "catalog.eresources.extract",
        "catalog.events.handle",
        "catalog.branches.republish",
    } <= names
