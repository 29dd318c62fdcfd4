"""Deposit service settings (environment prefix ``PUSIP_DEPOSIT_``)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from pusip_kit.config import ServiceSettings, suite_default
from pusip_kit.uploads import DEPOSIT_DIGITAL, DEPOSIT_PACKAGE, DEPOSIT_RECORDED

MiB = 1024 * 1024


def _seed_dir() -> Path:
    """``PUSIP_CORPUS_DIR``/seeds, else the shared corpus checked out beside the repository."""
    return Path(suite_default("corpus_dir", str(Path.cwd().parent / "shared" / "corpus"))) / "seeds"


GiB = 1024 * MiB


class DepositSettings(ServiceSettings):
    service_name: ClassVar[str] = "deposit"
    model_config = SettingsConfigDict(env_prefix="PUSIP_DEPOSIT_", extra="ignore")

    # -- the agency, as printed on receipts and letters -------------------------------------------
    agency_name: str = "Dinas Perpustakaan dan Kearsipan Provinsi DKI Jakarta"
    agency_unit: str = "Bidang Deposit, Pengembangan dan Pelestarian Bahan Perpustakaan"
    agency_code: str = Field(default="DISPUSIP", pattern=r"^[A-Z0-9.\-]{2,20}$")
    agency_city: str = "Jakarta"
    officer_title: str = "Kepala Dinas Perpustakaan dan Kearsipan"
    officer_name: str = "(nama pejabat)"

    # -- uploads: size limits per kind of work (bytes) --------------------------------------------
    max_size_digital: int = Field(
        default=DEPOSIT_DIGITAL.default, ge=1
    )  # karya_digital: e-books, e-journals …
    max_size_recorded: int = Field(default=DEPOSIT_RECORDED.default, ge=1)  # karya_rekam: audio and video
    max_size_package: int = Field(default=DEPOSIT_PACKAGE.default, ge=1)  # a BagIt package (zip)
    max_files_per_deposit: int = Field(default=20, ge=1, le=200)
    # How far the network may be read ahead of the store's hashing and writing (0: off). Off by
    # default: measured slower on two cores, where the read-ahead task and the hashing thread
    # contend for the GIL (see bench/deposit_upload.py and docs/benchmarks.md).
    upload_read_ahead: int = Field(default=0, ge=0, le=256 * MiB)
    # BagIt extraction guards (zip bombs): entries, total unpacked bytes, compression ratio.
    bag_max_entries: int = Field(default=10_000, ge=1)
    bag_max_unpacked: int = Field(default=8 * GiB, ge=1)
    bag_max_ratio: int = Field(default=200, ge=1)

    # -- reading digital deposits -----------------------------------------------------------------
    # Watermarking loads the pages it stamps: whole files up to this size, page ranges beyond it.
    watermark_max_bytes: int = Field(default=256 * MiB, ge=1)
    watermark_max_pages: int = Field(default=200, ge=1)
    # Text extraction limits (characters kept, PDF pages read).
    text_max_chars: int = Field(default=5_000_000, ge=1000)
    text_max_pages: int = Field(default=3000, ge=1)

    # -- yearly data refresh of depositors ---------------------------------------------------------
    refresh_interval_days: int = Field(default=365, ge=30, le=3650)
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_timeout: float = 10.0
    mail_from: str = "Serah Simpan Dispusip DKI Jakarta <serahsimpan@dispusip.jakarta.go.id>"
    mail_enabled: bool = True
    # Where links in mails point (the publisher portal); defaults to the gateway.
    portal_url: str = ""

    # The seed publications the demo data deposits (as PDFs generated from their text).
    demo_seed_dir: Path = Field(default_factory=_seed_dir)

    @property
    def public_url(self) -> str:
        return (self.portal_url or self.gateway_url).rstrip("/")
