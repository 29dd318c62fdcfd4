"""The application as a whole: every route documented, health endpoints up."""

from __future__ import annotations

from pusip_kit.testing.service import ServiceClient


async def test_openapi_lists_every_archive_resource(client: ServiceClient) -> None:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    paths = set(response.json()["paths"])
    for path in (
        "/instrument-sets/import",
        "/records",
        "/records/search",
        "/records/{record_id}/files",
        "/disposals/{proposal_id}/execute",
        "/transfers",
        "/handovers",
        "/public/records",
        "/access-requests",
        "/agency/submissions",
        "/berkas/{berkas_id}/ead",
        "/webhooks",
        "/audit/verify",
        "/fixity/runs",
    ):
        assert path in paths, path
    assert (await client.get("/readyz")).status_code == 200
