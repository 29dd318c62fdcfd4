"""EAD3 export of a fonds with its series and files: only what the caller may read, audited."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

from pusip_kit.testing.service import ServiceClient

NS = {"ead": "http://ead3.archivists.org/schema/"}


async def test_ead3_export_of_a_fonds(client: ServiceClient, archive: Any) -> None:
    await archive.instruments()
    h = archive.archivist

    async def berkas(number: str, title: str, kind: str, parent: str | None = None) -> str:
        body = {"number": number, "title": title, "kind": kind, "unit": archive.UNIT, "parent_id": parent}
        response = await client.post("/berkas", json=body, headers=h)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    fonds = await berkas("F-01", "Arsip Bidang Kearsipan", "fonds")
    series = await berkas("S-01", "Surat edaran", "series", fonds)
    file = await berkas("B-01", "Surat edaran 2015", "file", series)
    wrong = await client.post(
        "/berkas",
        json={
            "number": "X",
            "title": "Salah tingkat",
            "kind": "fonds",
            "unit": archive.UNIT,
            "parent_id": file,
        },
        headers=h,
    )
    assert wrong.status_code == 409
    open_record = await archive.record(title="Edaran jam layanan", berkas_id=file)
    secret = await archive.record(level="RAHASIA", title="Edaran rahasia", berkas_id=file)

    response = await client.get(f"/berkas/{fonds}/ead", headers=h)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "{http://ead3.archivists.org/schema/}ead"
    assert (
        root.find("ead:control/ead:filedesc/ead:titlestmt/ead:titleproper", NS).text
        == "Arsip Bidang Kearsipan"
    )
    archdesc = root.find("ead:archdesc", NS)
    assert archdesc.get("level") == "fonds"
    assert archdesc.find("ead:did/ead:physdescstructured/ead:quantity", NS).text == "2"
    [c_series] = archdesc.findall("ead:dsc/ead:c", NS)
    assert c_series.get("level") == "series"
    [c_file] = c_series.findall("ead:c", NS)
    items = c_file.findall("ead:c", NS)
    assert [i.find("ead:did/ead:unittitle", NS).text for i in items] == [
        "Edaran jam layanan",
        "Edaran rahasia",
    ]
    assert items[1].find("ead:accessrestrict/ead:p", NS).text == "Klasifikasi keamanan: RAHASIA"

    processor = archive.headers(
        roles=["records_creator"], unit=archive.UNIT, category="pengolah", clearance="TERBATAS"
    )
    limited = ET.fromstring((await client.get(f"/berkas/{fonds}/ead", headers=processor)).content)
    titles = [t.text for t in limited.iter("{http://ead3.archivists.org/schema/}unittitle")]
    assert "Edaran jam layanan" in titles and "Edaran rahasia" not in titles
    exported = (await client.get("/audit", params={"action": "export"}, headers=archive.admin)).json()[
        "items"
    ]
    assert [e["record_id"] for e in exported] == [secret["id"]]
    assert open_record["id"] not in {e["record_id"] for e in exported}
