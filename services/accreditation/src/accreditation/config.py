"""Accreditation service settings (environment prefix ``PUSIP_ACCREDITATION_``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from pusip_kit.config import ServiceSettings


class AccreditationSettings(ServiceSettings):
    service_name: ClassVar[str] = "accreditation"
    model_config = SettingsConfigDict(env_prefix="PUSIP_ACCREDITATION_", extra="ignore")
