"""Deposit service settings (environment prefix ``PUSIP_DEPOSIT_``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from pusip_kit.config import ServiceSettings


class DepositSettings(ServiceSettings):
    service_name: ClassVar[str] = "deposit"
    model_config = SettingsConfigDict(env_prefix="PUSIP_DEPOSIT_", extra="ignore")
