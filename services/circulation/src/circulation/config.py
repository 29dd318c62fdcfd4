"""Circulation service settings (environment prefix ``PUSIP_CIRCULATION_``).

Every setting of the kit's :class:`~pusip_kit.config.ServiceSettings` applies too. For the desk's
throughput the database pool matters (one per process, web or worker):

* ``PUSIP_CIRCULATION_DATABASE_POOL_SIZE``: connections kept open (unset: 10 on PostgreSQL, 5 on SQLite);
* ``PUSIP_CIRCULATION_DATABASE_MAX_OVERFLOW``: more opened in a burst (unset: as many as the pool on
  PostgreSQL, 10 on SQLite);
* ``PUSIP_CIRCULATION_DATABASE_POOL_TIMEOUT``: seconds a request waits for a connection before the
  503 ``database_busy`` with ``Retry-After`` (unset: 30).

Keep processes × (pool + overflow) under PostgreSQL's ``max_connections`` (``docs/operations.md``).
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from pusip_kit.config import ServiceSettings
from pusip_kit.uploads import CIRCULATION_PHOTO


class CirculationSettings(ServiceSettings):
    service_name: ClassVar[str] = "circulation"
    model_config = SettingsConfigDict(env_prefix="PUSIP_CIRCULATION_", extra="ignore")

    # -- email (SMTP) for verification mails and notices ---------------------------------------
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_timeout: float = 10.0
    mail_from: str = "Dispusip DKI Jakarta <no-reply@dispusip.jakarta.go.id>"
    # ``False`` records notices in the patron's account without mailing them.
    mail_enabled: bool = True

    # -- patrons -------------------------------------------------------------------------------
    email_verification_hours: int = Field(default=48, ge=1, le=720)
    card_prefix: str = Field(default="31", pattern=r"^\d{2}$")  # 31 = DKI Jakarta's province code
    # Where links in mails point (the portal); the API path is appended.
    portal_url: str = ""

    # -- For you and patron photos ---------------------------------------------------------------
    # Popular-in-category counts the loans of this many past days.
    for_you_window_days: int = Field(default=365, ge=7, le=3660)
    photo_max_bytes: int = Field(default=CIRCULATION_PHOTO.default, ge=1024, le=20 * 1024 * 1024)

    # -- digital lending -----------------------------------------------------------------------
    digital_access_minutes: int = Field(default=60, ge=1, le=24 * 60)

    # -- notices -------------------------------------------------------------------------------
    due_soon_days: int = Field(default=2, ge=0, le=14)

    # -- SIP2 self-check server ----------------------------------------------------------------
    # 0 = off. With a port (e.g. 6001) the web process also serves SIP2 on it; or run the server on
    # its own: ``python -m circulation.sip2.server``.
    sip2_port: int = Field(default=0, ge=0, le=65535)
    sip2_host: str = "127.0.0.1"
    sip2_idle_timeout: float = Field(default=600.0, gt=0)
    sip2_require_checksum: bool = False

    @property
    def public_url(self) -> str:
        return (self.portal_url or self.gateway_url).rstrip("/")
