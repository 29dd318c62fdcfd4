"""Portal pages of the accreditation service, under ``/portal/akreditasi``.

For the public: the library directory, guidance activities with their calendar, literacy
indicators (TGM and IPLM per city) and a dashboard with exports. For library administrators:
their library's profile and staff, the self-assessment form (saved per component with htmx,
evidence uploads) and submission. For officers: the verification queue (verify or return with
notes) and certification. For assessors: the visit scoring form beside the library's answers and
completing the visit. Every call to the service goes through
:class:`~pusip_kit.clients.accreditation.AccreditationClient` with the signed-in user's token.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from gateway.portal.accreditation.pages import register_pages
from gateway.portal.core import NavItem, Portal

HERE = Path(__file__).parent
TEMPLATES_DIR = HERE / "templates"
I18N_DIR = HERE / "i18n"
NAV = NavItem("nav.accreditation", "/portal/akreditasi", "akreditasi", "accreditation", "award")


def register(portal: Portal, app: FastAPI) -> None:
    """Mount the pages (they take over the shell's placeholder for the section)."""
    router = register_pages(app)
    portal.include(app, router, templates_dir=TEMPLATES_DIR, i18n_dir=I18N_DIR, nav=[NAV])


__all__ = ["register"]
