"""Upload size limits, defined once for the services that take the files and the gateway in front.

Each service's setting defaults to the value here; the gateway derives its per-route body limits
from the same definitions, reading the same environment variables the services' settings read
(``PUSIP_DEPOSIT_MAX_SIZE_RECORDED`` …), so a limit raised for a service is raised at the edge too.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

MiB = 1024 * 1024
GiB = 1024 * MiB

FORM_OVERHEAD = 1 * MiB
"""Room at the gateway for the multipart framing and metadata fields around a request's files."""


@dataclass(frozen=True)
class UploadLimit:
    service: str
    setting: str
    """The field of the service's settings (``max_size_recorded``); empty for a fixed limit."""
    default: int
    routes: tuple[str, ...] = ()
    """The service's routes whose body this limit caps: ``METHOD /path/{param}``, relative to the service."""

    @property
    def env(self) -> str:
        return f"PUSIP_{self.service}_{self.setting}".upper() if self.setting else ""

    def configured(self) -> int:
        """The limit as the service's settings read it: its environment variable, else the default."""
        raw = os.environ.get(self.env, "").strip() if self.env else ""
        return int(raw) if raw.isdigit() and int(raw) > 0 else self.default

    def body_limit(self) -> int:
        """What the gateway lets through to these routes: the limit plus the form around the file."""
        return self.configured() + FORM_OVERHEAD

    def gateway_paths(self) -> tuple[str, ...]:
        """The routes as the gateway's body-limit table names them (``/api/archive/records/*/files``)."""
        return tuple(
            f"/api/{self.service}" + re.sub(r"\{[^}]+\}", "*", route.partition(" ")[2])
            for route in self.routes
        )


CATALOG_ERESOURCE = UploadLimit(
    "catalog", "eresource_max_bytes", 512 * MiB, ("POST /records/{record_id}/eresources",)
)
CATALOG_IMPORT = UploadLimit("catalog", "import_max_bytes", 2 * GiB, ("POST /imports",))
CATALOG_STOCKTAKE_BATCH = UploadLimit(
    "catalog", "", 2 * MiB, ("POST /stocktakes/{stocktake_id}/scans/batch",)
)  # catalog.stocktake.service.BATCH_MAX_BYTES
CIRCULATION_PHOTO = UploadLimit(
    "circulation",
    "photo_max_bytes",
    2 * MiB,
    ("PUT /patrons/me/photo", "PUT /patrons/{card_number}/photo"),
)
DEPOSIT_DIGITAL = UploadLimit("deposit", "max_size_digital", 2 * GiB, ("POST /deposits/digital",))
DEPOSIT_RECORDED = UploadLimit("deposit", "max_size_recorded", 8 * GiB, ("POST /deposits/digital",))
DEPOSIT_PACKAGE = UploadLimit("deposit", "max_size_package", 4 * GiB, ("POST /deposits/digital",))
DEPOSIT_FILES = (DEPOSIT_DIGITAL, DEPOSIT_RECORDED, DEPOSIT_PACKAGE)
DEPOSIT_OBLIGATIONS_CSV = UploadLimit(
    "deposit", "", 10 * MiB, ("POST /obligations/import",)
)  # deposit.obligations.endpoints.CSV_MAX_BYTES
ARCHIVE_FILE = UploadLimit("archive", "max_file_bytes", 512 * MiB, ("POST /records/{record_id}/files",))
ARCHIVE_RECORD_IMPORT = UploadLimit(
    "archive", "", 20 * MiB, ("POST /records/import",)
)  # archive.records.endpoints.MAX_IMPORT_BYTES
ARCHIVE_INSTRUMENT_SOURCE = UploadLimit(
    "archive", "", 20 * MiB, ("POST /instrument-sets/import",)
)  # archive.instruments.service.MAX_SOURCE_BYTES (per file)
ACCREDITATION_EVIDENCE = UploadLimit(
    "accreditation", "evidence_max_bytes", 25 * MiB, ("POST /assessments/{assessment_id}/evidence",)
)
ACCREDITATION_MATERIAL = UploadLimit(
    "accreditation", "material_max_bytes", 100 * MiB, ("POST /guidance/{activity_id}/materials",)
)
ACCREDITATION_IMPORT = UploadLimit(
    "accreditation",
    "import_max_bytes",
    10 * MiB,
    (
        "POST /libraries/import",
        "PUT /instruments/{instrument_id}/indicators",
        "POST /literacy/tgm/surveys/{survey_id}/responses/import",
    ),
)

UPLOAD_LIMITS: tuple[UploadLimit, ...] = (
    CATALOG_ERESOURCE,
    CATALOG_IMPORT,
    CATALOG_STOCKTAKE_BATCH,
    CIRCULATION_PHOTO,
    *DEPOSIT_FILES,
    DEPOSIT_OBLIGATIONS_CSV,
    ARCHIVE_FILE,
    ARCHIVE_RECORD_IMPORT,
    ARCHIVE_INSTRUMENT_SOURCE,
    ACCREDITATION_EVIDENCE,
    ACCREDITATION_MATERIAL,
    ACCREDITATION_IMPORT,
)
"""Every route of every service that takes a file, with the limit the service enforces."""


def deposit_body_limit() -> int:
    """The largest body a deposit upload may need: its largest file kind plus the form around it."""
    return max(limit.body_limit() for limit in DEPOSIT_FILES)


def gateway_body_limits() -> dict[str, int]:
    """The gateway's body limit for each upload route (a route several limits share takes the largest)."""
    table: dict[str, int] = {}
    for limit in UPLOAD_LIMITS:
        for path in limit.gateway_paths():
            table[path] = max(table.get(path, 0), limit.body_limit())
    return table
