"""An OAI-PMH 2.0 data provider over any service's records."""

from pusip_kit.oai.provider import (
    MetadataFormat,
    OaiHeader,
    OaiProvider,
    OaiRecord,
    OaiSet,
    RecordSource,
    RepositoryInfo,
)

__all__ = [
    "MetadataFormat",
    "OaiHeader",
    "OaiProvider",
    "OaiRecord",
    "OaiSet",
    "RecordSource",
    "RepositoryInfo",
]
