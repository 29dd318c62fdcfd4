"""Whatever arrives, the answer is a 2xx or a precise 4xx, never a 5xx."""

from __future__ import annotations

import pytest

from pusip_kit.testing.service import ServiceClient

from ..helpers import CATALOGER, create_record, marc, run_tasks

NASTY = [
    '"unclosed phrase',
    "((((((((((((((((((((((((((((((deep",
    "title: author: subject:",
    "-",
    "OR OR AND NOT",
    "judul:(laskar OR) -(",
    "isbn:978-602",
    "x" * 999,
    "\x00\x01\x1d\x1e",
    "🙂 perpustakaan",
    "year:2000",
    "*?~^",
]


async def test_hostile_queries_never_break_search(client: ServiceClient) -> None:
    await create_record(client, marc("Laskar pelangi", author="Hirata, Andrea"))
    await run_tasks(client)
    for q in NASTY:
        for path, params in (
            ("/search", {"q": q}),
            ("/search", {"title": q, "author": q, "subject": q}),
            ("/search/autocomplete", {"q": q or "x"}),
            ("/sru", {"query": q}),
            ("/records/export", {"q": q, "format": "csv"}),
        ):
            response = await client.get(path, params=params)
            assert response.status_code < 500, (path, q, response.text)
    assert (await client.get("/search", params={"q": "x" * 1001})).status_code == 422
    assert (await client.get("/search", params={"isbn": "bukan isbn"})).json()["total"] == 0


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data", b"--x\r\n"),
        ("multipart/form-data; boundary=abc", b"garbage without any boundary"),
        (
            "multipart/form-data; boundary=abc",
            b'--abc\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\n',
        ),
    ],
)
async def test_malformed_uploads_are_4xx(client: ServiceClient, content_type: str, body: bytes) -> None:
    response = await client.post(
        "/imports", content=body, headers={**client.bearer(**CATALOGER), "Content-Type": content_type}
    )
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["error"]["message_en"]


async def test_oai_date_ranges(client: ServiceClient) -> None:
    record = await create_record(client, marc("Hikayat Betawi"))
    stamp = record["datestamp"][:19] + "Z"
    day = record["datestamp"][:10]

    async def identifiers(**params: str) -> str:
        return (
            await client.get("/oai", params={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", **params})
        ).text

    assert record["id"] in await identifiers(**{"from": day, "until": day})
    assert record["id"] in await identifiers(until=stamp)  # the datestamp's second is included
    assert 'code="noRecordsMatch"' in await identifiers(until="2000-01-01")
    assert 'code="badArgument"' in await identifiers(**{"from": day, "until": stamp})
    marc21 = (
        await client.get(
            "/oai",
            params={
                "verb": "GetRecord",
                "metadataPrefix": "marc21",
                "identifier": f"oai:perpustakaan.jakarta.go.id:{record['id']}",
            },
        )
    ).text
    assert "<leader>" in marc21 and "Hikayat Betawi" in marc21
