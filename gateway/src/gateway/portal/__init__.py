"""The web portal shell (Jinja2 + htmx): layout, navigation, i18n (id default, en), sign-in."""

from gateway.portal.core import DEFAULT_NAV, NavItem, Portal, PortalContext, get_portal, safe_next
from gateway.portal.i18n import Catalogs, Translator

__all__ = [
    "DEFAULT_NAV",
    "Catalogs",
    "NavItem",
    "Portal",
    "PortalContext",
    "Translator",
    "get_portal",
    "safe_next",
]
