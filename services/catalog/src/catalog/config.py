"""Catalog service settings (environment prefix ``PUSIP_CATALOG_``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from pusip_kit.config import Environment, Mode, ServiceSettings, service_url
from pusip_kit.uploads import CATALOG_ERESOURCE, CATALOG_IMPORT

MiB = 1024 * 1024
DEVELOPMENT_SERVICE_SECRET = "catalog-service-secret"  # noqa: S105 - the demo client's, refused in production


class CatalogSettings(ServiceSettings):
    service_name: ClassVar[str] = "catalog"
    model_config = SettingsConfigDict(env_prefix="PUSIP_CATALOG_", extra="ignore")

    elasticsearch_prefix: str = "pusip"
    """Index names on Elasticsearch are ``<prefix>-catalog_records``."""

    copy_cataloging_sru_url: str = ""
    """SRU base URL queried by copy cataloging (e.g. another union catalogue); empty = not set up."""
    copy_cataloging_timeout: float = 15.0

    import_max_bytes: int = CATALOG_IMPORT.default
    import_batch_size: int = Field(default=500, ge=1, le=5000)
    import_parallel_min_bytes: int = 16 * MiB
    """Files at least this big are parsed in a second process while this one writes."""

    eresource_max_bytes: int = CATALOG_ERESOURCE.default
    eresource_text_max_chars: int = 2_000_000
    """Extracted full text kept per e-resource (the rest is cut off, and said so)."""
    index_fulltext_max_chars: int = 200_000
    """Full text put into a record's search document (snippets come from here)."""
    on_site_networks: list[str] = Field(default_factory=list)
    """Networks (CIDR) counted as inside a library, for ``on_site`` e-resources."""
    download_link_seconds: int = 900

    marc_json_max_bytes: int = 1 * MiB
    export_search_max: int = 10_000

    oai_repository_identifier: str = "perpustakaan.jakarta.go.id"
    oai_admin_email: str = "perpustakaan@jakarta.go.id"
    oai_page_size: int = 100

    # -- legal deposit (the consumer of ``deposit.deposit.accepted``, ``catalog.deposits``) ---------
    deposit_url: str = Field(default_factory=lambda: service_url("deposit"))
    """The deposit service, for the full text of accepted digital deposits."""
    legal_deposit_branch: str = "perpustakaan-jakarta-cikini"
    """Branch code of the provincial library, which holds the printed deposit copies."""
    legal_deposit_location: str = "Koleksi Deposit"
    legal_deposit_access: str = Field(default="members", pattern="^(members|restricted)$")
    """Access rule of deposited digital works (unless the event says otherwise): ``members`` (any
    signed-in reader) or ``restricted`` (staff); the deposit service logs and watermarks each read."""
    legal_deposit_barcode_prefix: str = "DEP"
    marc_agency_code: str = "JKPD"
    """The cataloguing agency in 003/040 of records the catalog creates itself."""

    # -- the catalog's own service client (OAuth2 client credentials) -------------------------------
    service_client_id: str = "catalog-service"
    service_client_secret: str = DEVELOPMENT_SERVICE_SECRET
    token_url: str = ""
    """Token endpoint for the service client; default: the embedded issuer's ``<issuer>/token``, or
    Keycloak's ``<issuer>/protocol/openid-connect/token`` in distributed mode."""

    @model_validator(mode="after")
    def _service_client(self) -> CatalogSettings:
        if not self.token_url:
            issuer = self.oidc_issuer.rstrip("/")
            embedded = self.mode is Mode.EMBEDDED
            self.token_url = f"{issuer}/token" if embedded else f"{issuer}/protocol/openid-connect/token"
        if (
            self.environment is Environment.PRODUCTION
            and self.service_client_secret == DEVELOPMENT_SERVICE_SECRET
        ):
            raise ValueError(
                "Rahasia klien layanan katalog bawaan tidak boleh dipakai di produksi / the default catalog "
                "service client secret is refused in production (PUSIP_CATALOG_SERVICE_CLIENT_SECRET)"
            )
        return self
