"""Catalog service settings (environment prefix ``PUSIP_CATALOG_``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from pusip_kit.config import ServiceSettings

MiB = 1024 * 1024


class CatalogSettings(ServiceSettings):
    service_name: ClassVar[str] = "catalog"
    model_config = SettingsConfigDict(env_prefix="PUSIP_CATALOG_", extra="ignore")

    elasticsearch_prefix: str = "pusip"
    """Index names on Elasticsearch are ``<prefix>-catalog_records``."""

    copy_cataloging_sru_url: str = ""
    """SRU base URL queried by copy cataloging (e.g. another union catalogue); empty = not set up."""
    copy_cataloging_timeout: float = 15.0

    import_max_bytes: int = 2048 * MiB
    import_batch_size: int = Field(default=500, ge=1, le=5000)
    import_parallel_min_bytes: int = 16 * MiB
    """Files at least this big are parsed in a second process while this one writes."""

    eresource_max_bytes: int = 512 * MiB
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
