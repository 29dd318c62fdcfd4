"""Portal pages of the archive service, under ``/portal/kearsipan``.

For the public: search of open archives with facets, the record page (with Schema.org JSON-LD)
and its files, and access requests (KIP) for what is not open. For archivists: the workbench —
register a record with the classification code search (what the code's JRA and SKKAAD give it),
files with upload progress, the due list, transfers and hand-overs with their PDFs, the
destruction workflow from proposal to berita acara — and the decisions on access requests. For
records creators: their unit's records. For administrators and auditors: the audit chain and its
verification. Every call goes through :class:`~pusip_kit.clients.archive.ArchiveClient` with the
signed-in user's token.

Registered through the ``pusip.portal`` entry-point group (``gateway.portal.archive:register``).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from gateway.portal.archive.pages import register_pages
from gateway.portal.core import NavItem, Portal

HERE = Path(__file__).parent
TEMPLATES_DIR = HERE / "templates"
I18N_DIR = HERE / "i18n"
NAV = NavItem("nav.archive", "/portal/kearsipan", "kearsipan", "archive", "archive")


def register(portal: Portal, app: FastAPI) -> None:
    """Mount the pages (they take over the shell's placeholder for the section)."""
    portal.include(app, register_pages(app), templates_dir=TEMPLATES_DIR, i18n_dir=I18N_DIR, nav=[NAV])


__all__ = ["register"]
