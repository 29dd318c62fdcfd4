"""Portal pages of the circulation service, under ``/portal/sirkulasi``.

For patrons ("Akun saya"): online registration with the NIK check and email verification, loans
with renew, holds with their place in the queue and cancel, fines and payments, digital loans with
the access link, notices, the opt-in reading history, export and deletion of their data, and the
"For you" block (recommendations and branch announcements). For staff: the circulation desk (scan a
card, scan items to check out, check in or renew, every refusal reason, a printable receipt, fine
payments with receipts), the pick list, transits with their slips and receiving, the hold shelf,
and statistics with server-side SVG charts. Reserving from the catalogue's record page goes to
circulation's holds too (:mod:`gateway.portal.catalog.holds`).

Registered through the ``pusip.portal`` entry-point group (``gateway.portal.circulation:register``).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from gateway.portal.circulation.pages import register_pages
from gateway.portal.core import NavItem, Portal

HERE = Path(__file__).parent
TEMPLATES_DIR = HERE / "templates"
I18N_DIR = HERE / "i18n"
NAV = NavItem("nav.circulation", "/portal/sirkulasi", "sirkulasi", "circulation", "loop")


def register(portal: Portal, app: FastAPI) -> None:
    """Mount the pages (they take over the shell's placeholder for the section)."""
    portal.include(app, register_pages(app), templates_dir=TEMPLATES_DIR, i18n_dir=I18N_DIR, nav=[NAV])


__all__ = ["register"]
