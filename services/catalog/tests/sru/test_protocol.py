from collections.abc import Sequence

import pytest
from defusedxml.ElementTree import fromstring
from pymarc import Field, Record, Subfield

from catalog.sru.protocol import ExplainInfo, handle_sru

SRW = "{http://www.loc.gov/zing/srw/}"
INFO = ExplainInfo("127.0.0.1", 8001, "sru", "Katalog Induk Perpustakaan Jakarta", "Union catalogue")


def book(n: int) -> Record:
    r = Record(leader="00000nam a2200000 a 4500", force_utf8=True)
    r.add_field(Field(tag="001", data=f"B{n}"))
    r.add_field(
        Field(tag="245", indicators=["1", "0"], subfields=[Subfield("a", f"Sejarah Jakarta jilid {n}")])
    )
    return r


BOOKS = [book(n) for n in range(1, 26)]
calls: list[tuple[str, int, int]] = []


async def search(text: str, offset: int, limit: int) -> tuple[int, Sequence[Record]]:
    calls.append((text, offset, limit))
    return len(BOOKS), BOOKS[offset : offset + limit]


async def test_search_retrieve_marcxml_with_paging() -> None:
    calls.clear()
    xml = await handle_sru(
        {
            "operation": "searchRetrieve",
            "version": "1.2",
            "query": 'dc.title = "sejarah"',
            "startRecord": "21",
            "maximumRecords": "10",
        },
        search=search,
        info=INFO,
    )
    root = fromstring(xml)
    assert root.find(f"{SRW}numberOfRecords").text == "25"
    records = root.findall(f"{SRW}records/{SRW}record")
    assert len(records) == 5
    assert records[0].find(f"{SRW}recordPosition").text == "21"
    marc = records[0].find(f"{SRW}recordData/{{http://www.loc.gov/MARC21/slim}}record")
    assert marc is not None
    assert root.find(f"{SRW}nextRecordPosition") is None
    assert calls == [("title:sejarah", 20, 10)]


async def test_dublin_core_schema() -> None:
    xml = await handle_sru(
        {"query": "sejarah", "recordSchema": "dc", "maximumRecords": "1"}, search=search, info=INFO
    )
    root = fromstring(xml)
    assert root.find(".//{http://purl.org/dc/elements/1.1/}title").text == "Sejarah Jakarta jilid 1"
    assert root.find(f"{SRW}nextRecordPosition").text == "2"


async def test_explain() -> None:
    root = fromstring(await handle_sru({"operation": "explain", "version": "1.1"}, search=search, info=INFO))
    assert root.tag == f"{SRW}explainResponse"
    assert (
        "Katalog Induk"
        in fromstring(await handle_sru({}, search=search, info=INFO))
        .find(".//{http://explain.z3950.org/dtd/2.0/}title")
        .text
    )


@pytest.mark.parametrize(
    ("params", "number"),
    [
        ({"operation": "searchRetrieve"}, "7"),
        ({"query": "dc.date = 1"}, "16"),
        ({"query": "a", "maximumRecords": "1000"}, "6"),
        ({"query": "a", "startRecord": "0"}, "6"),
        ({"query": "a", "recordSchema": "mods"}, "66"),
        ({"query": "a", "version": "2.0"}, "5"),
        ({"operation": "scan", "scanClause": "a"}, "4"),
        ({"query": "(a"}, "10"),
    ],
)
async def test_diagnostics(params: dict[str, str], number: str) -> None:
    root = fromstring(await handle_sru(params, search=search, info=INFO))
    uri = root.find(".//{http://www.loc.gov/zing/srw/diagnostic/}uri").text
    assert uri == f"info:srw/diagnostic/1/{number}"
