"""Circulation service settings (environment prefix ``PUSIP_CIRCULATION_``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from pusip_kit.config import ServiceSettings


class CirculationSettings(ServiceSettings):
    service_name: ClassVar[str] = "circulation"
    model_config = SettingsConfigDict(env_prefix="PUSIP_CIRCULATION_", extra="ignore")
