"""The reverse proxy: ``/api/<service>/<path>`` to each service, streamed both ways."""

from gateway.proxy.app import SERVICE_LABELS, ProxyApp, ProxyMetrics
from gateway.proxy.client import (
    AiohttpUpstream,
    HttpxUpstream,
    UpstreamClient,
    make_upstream_client,
)

__all__ = [
    "SERVICE_LABELS",
    "AiohttpUpstream",
    "HttpxUpstream",
    "ProxyApp",
    "ProxyMetrics",
    "UpstreamClient",
    "make_upstream_client",
]
