"""Portal pages of the deposit service (legal deposit), under ``/portal/serah-simpan``.

For the public: the regional bibliography and the appreciation list of compliant publishers with
the compliance ranking. For publishers: their depositors (register one), each with its obligations,
deposits, receipts and compliance (with a chart), declaring titles, submitting a digital deposit
with an upload progress bar (``static/serah-simpan.js``, no inline script) or announcing printed
copies, and the yearly data refresh (``/portal/serah-simpan/penyerah/{id}/pemutakhiran``, the page
the reminder mail links to). For deposit officers: the workbench (verification queue, registrations
to decide, copies awaited, overdue titles), each deposit's decision form (accept, request fixes,
reject, with reasons) and counter intake. Every call to the service goes through
:class:`~pusip_kit.clients.deposit.DepositClient` with the signed-in user's token.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from gateway.portal.core import NavItem, Portal
from gateway.portal.deposit.pages import register_pages

HERE = Path(__file__).parent
TEMPLATES_DIR = HERE / "templates"
I18N_DIR = HERE / "i18n"
NAV = NavItem("nav.deposit", "/portal/serah-simpan", "serah-simpan", "deposit", "inbox")


def register(portal: Portal, app: FastAPI) -> None:
    """Mount the pages (they take over the shell's placeholder for the section)."""
    portal.include(app, register_pages(), templates_dir=TEMPLATES_DIR, i18n_dir=I18N_DIR, nav=[NAV])


__all__ = ["register"]
