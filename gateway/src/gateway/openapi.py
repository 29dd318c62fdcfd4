"""One OpenAPI document for the whole suite.

Each service's ``/openapi.json`` is fetched (cached for ``openapi_cache_seconds``; a service
that is down keeps its last good copy or is listed under ``x-pusip-unavailable``), its paths
prefixed with ``/api/<service>``, its component names prefixed with ``<service>.`` (every
``$ref`` rewritten), its operations tagged by service, and the gateway's own routes and
security schemes (bearer JWT and OAuth2 password / client-credentials at ``/auth/token``)
added.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from collections.abc import Callable
from typing import Any

from gateway.config import GatewaySettings
from gateway.proxy.app import SERVICE_LABELS
from gateway.proxy.client import UpstreamClient, UpstreamError

log = logging.getLogger(__name__)

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
COMPONENT_KINDS = (
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "links",
    "callbacks",
    "pathItems",
)
BEARER = "bearer"
OAUTH2 = "oauth2"

ERROR_SCHEMA = "PusipError"
ERROR_RESPONSES: dict[str, str] = {
    "400": "Permintaan tidak sah / bad request",
    "401": "Token tidak ada atau tidak sah / missing or invalid access token",
    "403": "Ditolak karena peran atau kebijakan / refused by role or policy",
    "404": "Tidak ditemukan / not found",
    "409": "Bertentangan dengan keadaan saat ini atau ditolak validator / conflict or named refusal",
    "413": "Data melebihi batas alamat ini / payload over this route's limit",
    "415": "Jenis media tidak didukung / unsupported media type",
    "429": "Terlalu banyak permintaan / rate limited (Retry-After)",
}
"""What any operation may answer: the edge's refusals and the kit's error handlers (one JSON shape)."""


def _rewrite_refs(node: Any, service: str) -> Any:
    """Copy of ``node`` with every local component ``$ref`` pointing at the prefixed name."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/components/"):
                _, _, kind, name = value.split("/", 3)
                out[key] = f"#/components/{kind}/{service}.{name}"
            else:
                out[key] = _rewrite_refs(value, service)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(v, service) for v in node]
    return node


def _map_security(requirements: list[dict[str, list[str]]], schemes: dict[str, Any]) -> list[dict]:
    """Point a service's security requirements at the gateway's schemes."""
    mapped: list[dict[str, list[str]]] = []
    for requirement in requirements:
        out: dict[str, list[str]] = {}
        for name, scopes in requirement.items():
            scheme = schemes.get(name, {})
            target = OAUTH2 if scheme.get("type") in ("oauth2", "openIdConnect") else BEARER
            out[target] = list(scopes)
        mapped.append(out)
    return mapped


def unique_operation_id(op_id: str, method: str, seen: set[str]) -> str:
    if op_id in seen:
        op_id = f"{op_id}_{method}"
    base, n = op_id, 2
    while op_id in seen:
        op_id, n = f"{base}_{n}", n + 1
    seen.add(op_id)
    return op_id


def merge_service(
    doc: dict[str, Any], service: str, spec: dict[str, Any], seen_ids: set[str] | None = None
) -> list[str]:
    """Fold one service's OpenAPI document into ``doc``; returns the tags it added.

    Operation ids are prefixed with the service and kept unique across the document
    (``seen_ids``), as client generators need.
    """
    seen = seen_ids if seen_ids is not None else set()
    spec = _rewrite_refs(spec, service)
    schemes: dict[str, Any] = spec.get("components", {}).get("securitySchemes", {}) or {}
    label_id, label_en = SERVICE_LABELS.get(service, (service, service))
    tags_added: list[str] = []
    descriptions = {t.get("name"): t.get("description") for t in spec.get("tags", []) if isinstance(t, dict)}

    def tag_for(original: str | None) -> str:
        name = service if not original else f"{service} · {original}"
        if name not in tags_added:
            tags_added.append(name)
            desc = f"{label_id} / {label_en}"
            if original and descriptions.get(original):
                desc += f" — {descriptions[original]}"
            doc["tags"].append({"name": name, "description": desc})
        return name

    for path, item in (spec.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        new_item = copy.deepcopy(item)
        for method in HTTP_METHODS:
            op = new_item.get(method)
            if not isinstance(op, dict):
                continue
            original_tags = op.get("tags") or [None]
            op["tags"] = [tag_for(t) for t in original_tags]
            if "operationId" in op:
                op["operationId"] = unique_operation_id(f"{service}__{op['operationId']}", method, seen)
            if "security" in op:
                op["security"] = _map_security(op["security"], schemes)
        doc["paths"][f"/api/{service}{path if path.startswith('/') else '/' + path}"] = new_item

    components = spec.get("components") or {}
    for kind in COMPONENT_KINDS:
        for name, value in (components.get(kind) or {}).items():
            doc["components"].setdefault(kind, {})[f"{service}.{name}"] = value
    return tags_added


def security_schemes(settings: GatewaySettings) -> dict[str, Any]:
    token_url = (
        f"{settings.gateway_url.rstrip('/')}/auth/token"
        if settings.embedded_issuer
        else (settings.token_endpoint)
    )
    return {
        BEARER: {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "Token akses OIDC / OIDC access token (Authorization: Bearer …)",
        },
        OAUTH2: {
            "type": "oauth2",
            "description": "OAuth2 di /auth/token: password (orang) dan client_credentials (sistem instansi)",
            "flows": {
                "password": {"tokenUrl": token_url, "scopes": {}},
                "clientCredentials": {"tokenUrl": token_url, "scopes": {}},
            },
        },
    }


class OpenAPIMerger:
    def __init__(
        self,
        settings: GatewaySettings,
        client: Callable[[], UpstreamClient],
        own: Callable[[], dict[str, Any]],
    ) -> None:
        self.settings = settings
        self._client = client
        self._own = own
        self._specs: dict[str, tuple[float, dict[str, Any]]] = {}
        self._lock = asyncio.Lock()

    async def _fetch(self, service: str, base: str) -> tuple[str, dict[str, Any] | None, str | None]:
        cached = self._specs.get(service)
        if cached and time.monotonic() - cached[0] < self.settings.openapi_cache_seconds:
            return service, cached[1], None
        try:
            result = await self._client().get_json(f"{base}/openapi.json", wait=3.0)
        except UpstreamError as exc:
            error = f"{type(exc).__name__}: {exc}"[:200]
        else:
            if result.status == 200 and isinstance(result.body, dict) and "paths" in result.body:
                self._specs[service] = (time.monotonic(), result.body)
                return service, result.body, None
            error = f"HTTP {result.status}"
        log.info("OpenAPI of %s unavailable (%s)%s", service, error, "; using cached" if cached else "")
        return service, cached[1] if cached else None, error

    async def document(self) -> dict[str, Any]:
        own = copy.deepcopy(self._own())
        doc: dict[str, Any] = {
            "openapi": own.get("openapi", "3.1.0"),
            "info": {
                "title": "Pusip API",
                "version": own.get("info", {}).get("version", "0.1.0"),
                "description": (
                    "API terpadu Dinas Perpustakaan dan Kearsipan: katalog, sirkulasi, serah simpan, "
                    "kearsipan dan akreditasi, melalui gateway.\n\n"
                    "Unified API of the library & archives agency, through the gateway. "
                    "Paths of each service are under `/api/<service>`."
                ),
            },
            "servers": [{"url": "/"}],
            "tags": [{"name": "gateway", "description": "Gateway: kesehatan, identitas / health, identity"}],
            "paths": {},
            "components": {"securitySchemes": security_schemes(self.settings)},
        }
        # The gateway's own routes (health, identity …).
        seen_ids: set[str] = set()
        for path, item in (own.get("paths") or {}).items():
            for method in HTTP_METHODS:
                op = item.get(method)
                if isinstance(op, dict):
                    op["tags"] = ["gateway"]
                    if "operationId" in op:
                        op["operationId"] = unique_operation_id(op["operationId"], method, seen_ids)
                    if "security" in op:
                        op["security"] = _map_security(
                            op["security"], own.get("components", {}).get("securitySchemes", {})
                        )
            doc["paths"][path] = item
        for kind, entries in (own.get("components") or {}).items():
            if kind == "securitySchemes":
                continue
            doc["components"].setdefault(kind, {}).update(entries)

        results = await asyncio.gather(
            *(self._fetch(name, base) for name, base in self.settings.service_urls.items())
        )
        unavailable: dict[str, str] = {}
        groups: list[dict[str, Any]] = [{"name": "gateway", "tags": ["gateway"]}]
        for service, spec, error in results:
            if error:
                unavailable[service] = error
            if spec is None:
                continue
            tags = merge_service(doc, service, spec, seen_ids)
            label_id, label_en = SERVICE_LABELS.get(service, (service, service))
            groups.append({"name": f"{label_id} / {label_en}", "tags": tags})
        doc["x-tagGroups"] = groups
        if unavailable:
            doc["x-pusip-unavailable"] = unavailable
        doc["security"] = [{}, {BEARER: []}, {OAUTH2: []}]
        document_errors(doc)
        return doc


def _error_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "Galat Pusip (Indonesia + Inggris) / a Pusip error (Indonesian + English)",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "message_en"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "message_en": {"type": "string"},
                    "details": {},
                },
            },
            "request_id": {"type": ["string", "null"]},
        },
    }


def _naive_times(node: Any) -> None:
    """Pydantic documents a ``datetime.time`` as JSON Schema ``format: time``, which requires a UTC
    offset; the services send local times (``09:00:00``): RFC 3339's ``partial-time``."""
    if isinstance(node, dict):
        if node.get("format") == "time":
            node["format"] = "partial-time"
        for value in node.values():
            _naive_times(value)
    elif isinstance(node, list):
        for value in node:
            _naive_times(value)


def document_errors(doc: dict[str, Any]) -> None:
    """Document on every operation what the edge and the kit may answer besides its own responses.

    The kit's error shape for the services, any JSON object for the OAuth endpoints (RFC 6749
    errors); an operation taking ``dry_run`` answers its dry run with 200 even where it creates
    (201) otherwise.
    """
    components = doc.setdefault("components", {})
    components.setdefault("schemas", {})[ERROR_SCHEMA] = _error_schema()
    _naive_times(components.get("schemas"))
    kit_error = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}}}
    oauth_error = {"application/json": {"schema": {"type": "object"}}}
    for path, item in (doc.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        _naive_times(item)
        content = oauth_error if path.startswith("/auth/") else kit_error
        for method in HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            responses = op.setdefault("responses", {})
            for status, description in ERROR_RESPONSES.items():
                responses.setdefault(status, {"description": description, "content": content})
            names = {p.get("name") for p in op.get("parameters", []) if isinstance(p, dict)}
            if "dry_run" in names and "201" in responses and "200" not in responses:
                responses["200"] = {"description": "Hasil uji (dry run) / the dry-run answer"}
