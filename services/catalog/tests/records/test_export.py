"""Exports: one record in every format, export → re-import byte identity, oversize binary MARC."""

from __future__ import annotations

import csv
import io
import json

from defusedxml.ElementTree import fromstring

from catalog.marc import read_records
from pusip_kit.testing.service import ServiceClient

from ..helpers import CATALOGER, CORPUS, import_bytes, json_file, marc

MARCXML = "{http://www.loc.gov/MARC21/slim}"


async def test_one_record_in_every_format_and_a_byte_identical_round_trip(client: ServiceClient) -> None:
    source = CORPUS / "marc4j" / "summerland.mrc"
    job = await import_bytes(client, source.read_bytes(), filename=source.name)
    assert job["counts"]["created"] == 1
    listed = (await client.get("/records", headers=client.bearer(**CATALOGER))).json()
    record_id = listed["items"][0]["id"]
    url = f"/records/{record_id}/export"

    first = await client.get(url, params={"format": "marc21"})
    assert first.status_code == 200 and first.headers["content-type"] == "application/marc"
    assert first.headers["content-disposition"].endswith('.mrc"')
    (outcome,) = list(read_records(io.BytesIO(first.content)))
    assert outcome.record is not None and outcome.record["245"]["a"].startswith("Summerland")

    again = await import_bytes(client, first.content, filename="export.mrc", dedupe="replace")
    assert again["counts"]["replaced"] == 1
    second = await client.get(url, params={"format": "marc21"})
    assert second.content == first.content

    xml = fromstring((await client.get(url, params={"format": "marcxml"})).content)
    assert xml.tag == f"{MARCXML}record" and xml.find(f"{MARCXML}leader") is not None
    as_json = (await client.get(url, params={"format": "json"})).json()
    assert set(as_json) == {"leader", "fields"}
    dc = fromstring((await client.get(url, params={"format": "dc"})).content)
    assert dc.find("{http://purl.org/dc/elements/1.1/}title").text.startswith("Summerland")
    rows = list(
        csv.DictReader(
            io.StringIO((await client.get(url, params={"format": "csv"})).content.decode("utf-8-sig"))
        )
    )
    assert rows[0]["id"] == record_id and rows[0]["title"].startswith("Summerland")
    assert (await client.get(url, params={"format": "pdf"})).status_code == 422


async def test_a_record_too_long_for_iso2709_is_refused_in_binary_only(client: ServiceClient) -> None:
    long_note = {"500": {"ind1": " ", "ind2": " ", "subfields": [{"a": "catatan " * 1500}]}}
    job = await import_bytes(client, json_file([marc("Catatan panjang", extra=[long_note]), marc("Pendek")]))
    assert job["counts"]["created"] == 2  # stored whole: nothing is cut to fit ISO 2709
    listed = (await client.get("/records", headers=client.bearer(**CATALOGER))).json()["items"]
    long_id = next(r["id"] for r in listed if r["title"] == "Catatan panjang")
    refused = await client.get(f"/records/{long_id}/export", params={"format": "marc21"})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "record_too_long_for_iso2709"
    stored = (await client.get(f"/records/{long_id}/export", params={"format": "json"})).json()
    assert stored["fields"][-1]["500"]["subfields"][0]["a"] == "catatan " * 1500

    whole = await client.get(
        "/records/export", params={"format": "marc21"}, headers=client.bearer(**CATALOGER)
    )
    assert [o.record["245"]["a"] for o in read_records(io.BytesIO(whole.content))] == ["Pendek"]
    everything = await client.get(
        "/records/export", params={"format": "json"}, headers=client.bearer(**CATALOGER)
    )
    assert len(json.loads(everything.content)) == 2
