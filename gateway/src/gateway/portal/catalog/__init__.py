"""Portal pages of the catalog service, under ``/portal/katalog``.

For everyone: the OPAC (search with facets and autocomplete, results with availability), record
pages (availability per branch, e-resources by access rule, Schema.org JSON-LD, reviews and
ratings, public reading lists, the "reserve" button wired to circulation's holds), special
collections and shared reading lists. For signed-in readers: reviewing, rating and their own
reading lists. For staff: the MARC import page with a live progress bar, stock-taking with a scan
box, and the review moderation queue. Every call goes through
:class:`~pusip_kit.clients.catalog.CatalogClient` with the signed-in user's token.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from gateway.portal.catalog.pages import register_pages
from gateway.portal.core import NavItem, Portal

HERE = Path(__file__).parent
TEMPLATES_DIR = HERE / "templates"
I18N_DIR = HERE / "i18n"
NAV = NavItem("nav.catalog", "/portal/katalog", "katalog", "catalog", "book")


def register(portal: Portal, app: FastAPI) -> None:
    """Mount the pages (they take over the shell's placeholder for the section)."""
    router = register_pages(app)
    portal.include(app, router, templates_dir=TEMPLATES_DIR, i18n_dir=I18N_DIR, nav=[NAV])


__all__ = ["register"]
