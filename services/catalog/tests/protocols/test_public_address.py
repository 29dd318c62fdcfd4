"""OAI-PMH, SRU and a record's JSON-LD name the address the caller used: the gateway's public path, never the service's own.

The gateway forwards ``X-Forwarded-Proto/-Host/-Prefix``; the service believes them from its trusted
proxies only (loopback by default, which is the in-process test client's address).
"""

from __future__ import annotations

from xml.etree.ElementTree import fromstring

from catalog.config import CatalogSettings
from catalog.main import create_app
from pusip_kit.testing.service import ServiceClient, service_fixture

from ..helpers import create_record, marc

OAI = "{http://www.openarchives.org/OAI/2.0/}"
EXPLAIN = "{http://explain.z3950.org/dtd/2.0/}"
GATEWAY = {
    "x-forwarded-proto": "https",
    "x-forwarded-host": "perpustakaan.jakarta.go.id",
    "x-forwarded-prefix": "/api/catalog",
}

untrusted = service_fixture(create_app, CatalogSettings, name="untrusted", trusted_proxies=[])


def _oai_addresses(xml: str) -> tuple[str | None, str | None]:
    root = fromstring(xml)
    base = root.find(f"{OAI}Identify/{OAI}baseURL")
    return (base.text if base is not None else None), root.find(f"{OAI}request").text  # type: ignore[union-attr]


async def test_identify_behind_the_gateway_names_the_public_path(client: ServiceClient) -> None:
    response = await client.get("/oai", params={"verb": "Identify"}, headers=GATEWAY)
    assert response.status_code == 200
    base, request = _oai_addresses(response.text)
    assert base == "https://perpustakaan.jakarta.go.id/api/catalog/oai"
    assert request == base

    # every response's <request>, and the POST form of the protocol
    listed = await client.post(
        "/oai",
        content="verb=ListMetadataFormats",
        headers={**GATEWAY, "content-type": "application/x-www-form-urlencoded"},
    )
    assert listed.status_code == 200
    assert _oai_addresses(listed.text)[1] == "https://perpustakaan.jakarta.go.id/api/catalog/oai"


async def test_identify_without_a_proxy_names_the_service(client: ServiceClient) -> None:
    base, _ = _oai_addresses((await client.get("/oai", params={"verb": "Identify"})).text)
    assert base == "http://catalog.test/oai"


async def test_malformed_forwarded_values_are_ignored(client: ServiceClient) -> None:
    headers = {"x-forwarded-host": "evil.example/<x>", "x-forwarded-prefix": "/api/../catalog?x"}
    base, _ = _oai_addresses((await client.get("/oai", params={"verb": "Identify"}, headers=headers)).text)
    assert base == "http://catalog.test/oai"


async def test_forwarded_headers_from_an_untrusted_peer_are_ignored(untrusted: ServiceClient) -> None:
    base, _ = _oai_addresses((await untrusted.get("/oai", params={"verb": "Identify"}, headers=GATEWAY)).text)
    assert base == "http://catalog.test/oai"
    explain = fromstring((await untrusted.get("/sru", headers=GATEWAY)).text)
    assert explain.find(f".//{EXPLAIN}host").text == "catalog.test"  # type: ignore[union-attr]


async def test_sru_explain_behind_the_gateway(client: ServiceClient) -> None:
    response = await client.get("/sru", params={"operation": "explain", "version": "1.2"}, headers=GATEWAY)
    assert response.status_code == 200
    info = fromstring(response.text).find(f".//{EXPLAIN}serverInfo")
    assert info is not None
    assert [info.find(f"{EXPLAIN}{tag}").text for tag in ("host", "port", "database")] == [  # type: ignore[union-attr]
        "perpustakaan.jakarta.go.id",
        "443",
        "api/catalog/sru",
    ]
    direct = fromstring((await client.get("/sru")).text).find(f".//{EXPLAIN}serverInfo")
    assert direct is not None
    assert [direct.find(f"{EXPLAIN}{tag}").text for tag in ("host", "port", "database")] == [  # type: ignore[union-attr]
        "catalog.test",
        "80",
        "sru",
    ]


async def test_jsonld_identifies_the_record_at_the_public_address(client: ServiceClient) -> None:
    record = await create_record(client, marc("Ondel-ondel Betawi", year=2019))
    behind = (await client.get(f"/records/{record['id']}/jsonld", headers=GATEWAY)).json()
    assert behind["@id"] == f"https://perpustakaan.jakarta.go.id/api/catalog/records/{record['id']}"
    direct = (await client.get(f"/records/{record['id']}/jsonld")).json()
    assert direct["@id"] == f"http://catalog.test/records/{record['id']}"
