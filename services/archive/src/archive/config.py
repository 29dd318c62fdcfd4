"""Archive service settings (environment prefix ``PUSIP_ARCHIVE_``)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from pusip_kit.config import ServiceSettings, suite_default


def _corpus_dir() -> Path:
    """``PUSIP_CORPUS_DIR``, else the shared corpus checked out beside the repository."""
    return Path(suite_default("corpus_dir", str(Path.cwd().parent / "shared" / "corpus")))


class ArchiveSettings(ServiceSettings):
    service_name: ClassVar[str] = "archive"
    model_config = SettingsConfigDict(env_prefix="PUSIP_ARCHIVE_", extra="ignore")

    classification_seed_csv: Path = Field(
        default_factory=lambda: _corpus_dir() / "archives" / "opensid" / "klasifikasi_surat.csv",
        description="CSV (kode,nama,uraian) of a records classification scheme loaded as demo data",
    )
