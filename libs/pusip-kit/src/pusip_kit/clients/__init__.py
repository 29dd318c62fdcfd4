"""Typed HTTP clients for calling another service's API (never its database)."""

from pusip_kit.clients.accreditation import AccreditationClient
from pusip_kit.clients.base import ClientCredentialsTokens, ServiceClient, StaticToken, TokenProvider
from pusip_kit.clients.catalog import Branch, CatalogClient

__all__ = [
    "AccreditationClient",
    "Branch",
    "CatalogClient",
    "ClientCredentialsTokens",
    "ServiceClient",
    "StaticToken",
    "TokenProvider",
]
