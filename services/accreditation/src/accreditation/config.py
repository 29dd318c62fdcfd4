"""Accreditation service settings (environment prefix ``PUSIP_ACCREDITATION_``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from pusip_kit.config import ServiceSettings
from pusip_kit.uploads import ACCREDITATION_EVIDENCE, ACCREDITATION_IMPORT, ACCREDITATION_MATERIAL

MiB = 1024 * 1024


class AccreditationSettings(ServiceSettings):
    service_name: ClassVar[str] = "accreditation"
    model_config = SettingsConfigDict(env_prefix="PUSIP_ACCREDITATION_", extra="ignore")

    evidence_max_bytes: int = Field(
        default=ACCREDITATION_EVIDENCE.default, ge=1, description="Largest evidence file accepted"
    )
    material_max_bytes: int = Field(
        default=ACCREDITATION_MATERIAL.default, ge=1, description="Largest activity material"
    )
    import_max_bytes: int = Field(
        default=ACCREDITATION_IMPORT.default, ge=1, description="Largest CSV/XLSX/JSON import"
    )
    # Who issues the certificates and reminders (the province's library agency by default).
    agency_name: str = "Dinas Perpustakaan dan Kearsipan Provinsi DKI Jakarta"
    agency_unit: str = "Bidang Pengembangan Perpustakaan dan Pembudayaan Kegemaran Membaca"
    certificate_signatory_role: str = "Kepala Dinas Perpustakaan dan Kearsipan Provinsi DKI Jakarta"
    certificate_signatory_name: str = "(nama pejabat)"
    certificate_signatory_nip: str | None = None
    # Yearly data refresh: reminders go out from this month on to libraries that have not
    # confirmed their profile during the year.
    refresh_reminder_month: int = Field(default=1, ge=1, le=12)
    # Public iCalendar feed: the host part of event UIDs.
    calendar_domain: str = "accreditation.pusip.local"
