"""The merged OpenAPI document and the Swagger UI page."""

from __future__ import annotations

from typing import Any

import httpx

from gateway.config import GatewaySettings
from gateway.openapi import merge_service

from .conftest import Suite


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        out = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        for value in node.values():
            out.extend(_refs(value))
        return out
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def _resolve(doc: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"unresolved $ref {ref}"
        node = node[part]
    return node


async def test_merged_openapi(suite: Suite) -> None:
    async with httpx.AsyncClient(base_url=suite.url) as client:
        r = await client.get("/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["openapi"].startswith("3.")
    paths = doc["paths"]
    # prefixed paths of both upstreams
    assert "/api/catalog/items/{item_id}" in paths
    assert "/api/circulation/items/{code}" in paths
    assert "/api/circulation/items" in paths and "post" in paths["/api/circulation/items"]
    # the gateway's own routes
    assert "/api/health" in paths and "/auth/token" in paths and "/healthz" in paths
    assert not any(p.startswith("/api/{service}") for p in paths)
    # clashing component names kept apart
    schemas = doc["components"]["schemas"]
    assert {"catalog.Item", "circulation.Item", "circulation.ItemV2", "catalog.Page"} <= set(schemas)
    assert "Item" not in schemas
    assert set(schemas["catalog.Item"]["properties"]) == {"id", "title", "owner"}
    # every $ref resolves
    refs = _refs(doc)
    assert refs
    for ref in refs:
        _resolve(doc, ref)
    assert any(ref == "#/components/schemas/circulation.ItemV2" for ref in refs)
    # tagged by service, operation ids unique
    op_ids: list[str] = []
    for path, item in paths.items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            op_ids.append(op["operationId"])
            if path.startswith("/api/catalog/"):
                assert all(t.startswith("catalog") for t in op["tags"]), op["tags"]
            if path.startswith("/api/circulation/"):
                assert all(t.startswith("circulation") for t in op["tags"]), op["tags"]
    assert len(op_ids) == len(set(op_ids))
    # security schemes
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearer"]["scheme"] == "bearer"
    flows = schemes["oauth2"]["flows"]
    assert flows["password"]["tokenUrl"].endswith("/auth/token")
    assert flows["clientCredentials"]["tokenUrl"].endswith("/auth/token")


async def test_openapi_tolerates_a_down_service(suite: Suite, tmp_path) -> None:
    from .conftest import free_port, start_gateway

    urls = {
        "catalog": suite.alpha.url,
        "circulation": f"http://127.0.0.1:{free_port()}",
        "deposit": suite.alpha.url,
        "archive": suite.alpha.url,
        "accreditation": suite.alpha.url,
    }
    gateway = start_gateway(tmp_path, urls)
    try:
        async with httpx.AsyncClient(base_url=gateway.url) as client:
            r = await client.get("/openapi.json")
    finally:
        gateway.stop()
    assert r.status_code == 200
    doc = r.json()
    assert "/api/catalog/items/{item_id}" in doc["paths"]
    assert not any(p.startswith("/api/circulation/") for p in doc["paths"])
    assert "circulation" in doc["x-pusip-unavailable"]


def test_merge_rewrites_nested_refs_and_security() -> None:
    doc: dict[str, Any] = {"paths": {}, "components": {}, "tags": []}
    spec = {
        "paths": {
            "/records": {
                "get": {
                    "operationId": "list",
                    "security": [{"HTTPBearer": []}],
                    "parameters": [{"$ref": "#/components/parameters/Page"}],
                    "responses": {"200": {"$ref": "#/components/responses/Ok"}},
                }
            }
        },
        "components": {
            "schemas": {"Rec": {"properties": {"child": {"$ref": "#/components/schemas/Rec"}}}},
            "parameters": {"Page": {"name": "page", "in": "query", "schema": {"type": "integer"}}},
            "responses": {
                "Ok": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Rec"}}}}
            },
            "securitySchemes": {"HTTPBearer": {"type": "http", "scheme": "bearer"}},
        },
    }
    merge_service(doc, "archive", spec)
    op = doc["paths"]["/api/archive/records"]["get"]
    assert op["operationId"] == "archive__list"
    assert op["security"] == [{"bearer": []}]
    assert op["parameters"][0]["$ref"] == "#/components/parameters/archive.Page"
    assert doc["components"]["schemas"]["archive.Rec"]["properties"]["child"]["$ref"] == (
        "#/components/schemas/archive.Rec"
    )
    assert "archive.HTTPBearer" not in doc["components"].get("securitySchemes", {})
    assert GatewaySettings is not None


async def test_swagger_ui_is_served_locally(suite: Suite) -> None:
    async with httpx.AsyncClient(base_url=suite.url) as client:
        page = await client.get("/docs")
        assert page.status_code == 200
        assert "/portal/static/swagger/swagger-ui-bundle.js" in page.text
        assert "<script>" not in page.text  # no inline script: the CSP forbids it
        bundle = await client.get("/portal/static/swagger/swagger-ui-bundle.js")
        assert bundle.status_code == 200
        init = await client.get("/portal/static/docs-init.js")
        assert "/openapi.json" in init.text
