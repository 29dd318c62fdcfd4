"""Upload size limits, defined once for the services that take the files and the gateway in front.

Each service's setting defaults to the value here; the gateway derives its per-route body limits
from the same definitions, reading the same environment variables the services' settings read
(``PUSIP_DEPOSIT_MAX_SIZE_RECORDED`` …), so a limit raised for a service is raised at the edge too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

MiB = 1024 * 1024
GiB = 1024 * MiB

FORM_OVERHEAD = 1 * MiB
"""Room at the gateway for the multipart framing and metadata fields around a request's files."""


@dataclass(frozen=True)
class UploadLimit:
    service: str
    setting: str
    """The field of the service's settings (``max_size_recorded``)."""
    default: int

    @property
    def env(self) -> str:
        return f"PUSIP_{self.service}_{self.setting}".upper()

    def configured(self) -> int:
        """The limit as the service's settings read it: its environment variable, else the default."""
        raw = os.environ.get(self.env, "").strip()
        return int(raw) if raw.isdigit() and int(raw) > 0 else self.default


CATALOG_ERESOURCE = UploadLimit("catalog", "eresource_max_bytes", 512 * MiB)
CATALOG_IMPORT = UploadLimit("catalog", "import_max_bytes", 2 * GiB)
DEPOSIT_DIGITAL = UploadLimit("deposit", "max_size_digital", 2 * GiB)
DEPOSIT_RECORDED = UploadLimit("deposit", "max_size_recorded", 8 * GiB)
DEPOSIT_PACKAGE = UploadLimit("deposit", "max_size_package", 4 * GiB)
DEPOSIT_FILES = (DEPOSIT_DIGITAL, DEPOSIT_RECORDED, DEPOSIT_PACKAGE)


def deposit_body_limit() -> int:
    """The largest body a deposit upload may need: its largest file kind plus the form around it."""
    return max(limit.configured() for limit in DEPOSIT_FILES) + FORM_OVERHEAD
