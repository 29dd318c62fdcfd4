"""Archive service settings (environment prefix ``PUSIP_ARCHIVE_``)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from pusip_kit.config import ServiceSettings, suite_default
from pusip_kit.uploads import ARCHIVE_FILE


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
    demo_instrument_files: list[Path] = Field(
        default_factory=lambda: [
            _corpus_dir() / "archives" / "opensid" / "klasifikasi_surat.csv",
            _corpus_dir() / "archives" / "tvri_jra" / "masterKlasifikasi_JRA_TVRI.json",
        ],
        description="Instrument files imported (and activated) as the demo instrument set",
    )
    demo_decree_file: Path = Field(
        default_factory=lambda: (
            _corpus_dir() / "seeds" / "kepkadis-dispusip-dki-e-0049-2022-arsitektur-spbe.txt"
        ),
        description="The seed decree registered as a BIASA sample record in the demo data",
    )
    elasticsearch_prefix: str = Field(default="pusip", description="Index name prefix on Elasticsearch")
    agency_name: str = Field(
        default="Dinas Perpustakaan dan Kearsipan Provinsi DKI Jakarta",
        description="Agency named on the letterhead of berita acara and lists",
    )
    records_centre: str = Field(
        default="dispusip/pusat-arsip", description="Unit of the records centre (destination of transfers)"
    )
    static_archive_institution: str = Field(
        default="Dinas Perpustakaan dan Kearsipan Provinsi DKI Jakarta (Depo Arsip Statis)",
        description="Archival institution receiving hand-overs of permanent records",
    )
    static_closure_years: int = Field(
        default=25,
        ge=0,
        le=100,
        description="Closed static archives open after this many years (from the record date)",
    )
    higher_approval_min_years: int = Field(
        default=10,
        ge=1,
        description="Destruction of records with retention of at least this many years needs higher approval",
    )
    max_file_bytes: int = Field(default=ARCHIVE_FILE.default, description="Largest record file accepted")
    fulltext_max_chars: int = Field(default=500_000, description="Text kept per file for full-text search")
    webhook_max_attempts: int = Field(default=6, ge=1, le=20)
    webhook_backoff_seconds: float = Field(
        default=30.0, gt=0, description="First retry delay (doubles each time)"
    )
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_require_https: bool | None = Field(
        default=None, description="Refuse http:// webhook URLs (default: outside development and test)"
    )
    lifecycle_hour_utc: int = Field(
        default=18, ge=0, le=23, description="Hour (UTC) of the daily lifecycle job"
    )
    fixity_hour_utc: int = Field(default=19, ge=0, le=23, description="Hour (UTC) of the daily fixity check")
