"""OPAC search behaviour: one suite, run on Tantivy and on Elasticsearch."""

from __future__ import annotations

import csv
import io

import pytest
from defusedxml.ElementTree import fromstring

from ..helpers import CATALOGER, PATRON
from .conftest import CIKINI, ISBN_LASKAR, ISBN_PENGANTAR, KOJA, MENTENG, RECORDS, Opac

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_keyword_and_indonesian_stemming(opac: Opac) -> None:
    assert await opac.found(q="laskar") == {"laskar"}
    # "perpustakaan" and "pustaka" share the stem: each finds the other
    assert {"pengantar", "pustaka", "majalah", "laporan"} <= await opac.found(q="perpustakaan")
    assert {"pengantar", "pustaka"} <= await opac.found(q="kepustakaan")
    assert await opac.found(q="LASKAR Pelangi") == {"laskar"}


async def test_phrases_and_boolean_operators(opac: Opac) -> None:
    assert await opac.found(q='"bumi manusia"') == {"bumi"}
    assert await opac.found(q='"manusia bumi"') == set()
    assert await opac.found(q="hirata -pemimpi") == {"laskar"}
    assert await opac.found(q="hirata NOT pemimpi") == {"laskar"}
    assert await opac.found(q="pelangi OR batavia") == {"laskar", "sejarah", "batavia"}
    assert await opac.found(q="(pelangi OR pemimpi) hirata") == {"laskar", "pemimpi"}
    assert await opac.found(q="pengarang:toer") == {"bumi", "anak"}


async def test_fielded_search(opac: Opac) -> None:
    assert await opac.found(author="hirata") == {"laskar", "pemimpi"}
    assert await opac.found(title="sejarah") == {"sejarah"}  # "Batavia" has it only as a subject
    assert await opac.found(subject="sejarah") == {"sejarah", "batavia", "bumi", "anak"}
    assert await opac.found(subject='"novel sejarah"') == {"bumi", "anak"}
    assert await opac.found(publisher="mcgraw") == {"library"}
    assert await opac.found(title="pelangi", author="toer") == set()
    hyphenated = f"{ISBN_LASKAR[:3]}-{ISBN_LASKAR[3:6]}-{ISBN_LASKAR[6:12]}-{ISBN_LASKAR[12]}"
    assert await opac.found(isbn=hyphenated) == {"laskar"}
    ten = ISBN_PENGANTAR[3:12]
    check = (11 - sum((10 - i) * int(c) for i, c in enumerate(ten)) % 11) % 11
    assert await opac.found(isbn=ten + ("X" if check == 10 else str(check))) == {"pengantar"}
    assert await opac.found(call_number="020 SUL") == {"pengantar"}
    assert await opac.found(q="laskar", isbn="9780000000002") == set()


async def test_filters(opac: Opac) -> None:
    assert await opac.found(branch=MENTENG) == {"pengantar", "laskar", "bumi"}
    assert await opac.found(material_type="map") == {"peta"}
    assert await opac.found(material_type="serial") == {"majalah"}
    assert await opac.found(language="eng") == {"library"}
    assert await opac.found(year_from=2005, year_to=2008) == {"laskar", "pemimpi", "pustaka"}
    assert await opac.found(available="true") == {"pengantar", "pustaka", "laskar", "bumi", "sejarah"}
    assert await opac.found(available="false") == {"pemimpi"}
    assert await opac.found(branch=CIKINI, available="true") == {"pengantar", "laskar", "sejarah"}
    assert await opac.found(branch=MENTENG, available="false") == {"laskar"}
    assert await opac.found(q="novel", branch=KOJA) == set()
    bad = await opac.client.get("/search", params={"year_from": 2010, "year_to": 2000})
    assert bad.status_code == 422
    assert (await opac.client.get("/search", params={"sort": "random"})).status_code == 422
    assert (await opac.client.get("/search", params={"limit": 500})).status_code == 422
    assert (await opac.client.get("/search", params={"page": 999, "limit": 100})).status_code == 422


async def test_facets(opac: Opac) -> None:
    result = await opac.search()
    assert result["total"] == len(RECORDS)
    facets = {
        name: {str(v["value"]): v["count"] for v in values} for name, values in result["facets"].items()
    }
    assert facets["branch"] == {CIKINI: 4, MENTENG: 3, KOJA: 1}
    assert facets["material_type"] == {"book": 10, "map": 1, "serial": 1}
    assert facets["language"] == {"ind": 11, "eng": 1}
    assert facets["availability"] == {"available": 5, "unavailable": 1}
    assert (
        facets["year"]["1900-1944"] == 1 and facets["year"]["2000-2009"] == 3 and facets["year"]["2020-"] == 1
    )
    assert facets["subject"]["Novel Indonesia"] == 2 and facets["subject"]["Sejarah"] == 2
    narrowed = await opac.search(q="novel")
    assert {v["value"]: v["count"] for v in narrowed["facets"]["branch"]} == {CIKINI: 2, MENTENG: 2}


async def test_sorting_and_paging(opac: Opac) -> None:
    newest = await opac.search(sort="year_desc", limit=3)
    assert opac.names(newest["hits"]) == ["laporan", "sejarah", "pustaka"]
    oldest = await opac.search(sort="year_asc", limit=2)
    assert opac.names(oldest["hits"]) == ["peta", "majalah"]
    by_title = await opac.search(sort="title", limit=3)
    assert opac.names(by_title["hits"]) == ["anak", "batavia", "bumi"]
    page = await opac.search(sort="title", limit=5, page=3)
    assert (page["total"], page["page"], page["max_page"], len(page["hits"])) == (12, 3, 3, 2)
    relevance = await opac.search(q="pustaka")
    assert relevance["hits"][0]["score"] is not None


async def test_hits_show_availability_snippets_and_full_text(opac: Opac) -> None:
    (hit,) = (await opac.search(q="pengantar"))["hits"]
    assert hit["availability"] == [
        {"branch": CIKINI, "available": 2, "total": 2},
        {"branch": MENTENG, "available": 1, "total": 1},
    ]
    assert hit["available"] is True and hit["authors"] == ["Sulistyo-Basuki"] and hit["year"] == 1991
    assert "<mark>Pengantar</mark>" in hit["snippets"]["title"][0]
    (inside,) = (await opac.search(q="gamelanologi"))["hits"]
    assert opac.names([inside]) == ["laporan"]
    assert any("<mark>gamelanologi</mark>" in s for s in inside["snippets"]["fulltext"])
    assert inside["eresources"][0]["filename"] == "laporan-2020.txt"


async def test_autocomplete_and_spelling_suggestion(opac: Opac) -> None:
    response = await opac.client.get("/search/autocomplete", params={"q": "lask"})
    assert response.json() == {"q": "lask", "suggestions": ["Laskar pelangi"]}
    authors = (await opac.client.get("/search/autocomplete", params={"q": "hira", "field": "author"})).json()
    assert authors["suggestions"] == ["Hirata, Andrea"]
    subjects = (
        await opac.client.get("/search/autocomplete", params={"q": "novel s", "field": "subject"})
    ).json()
    assert subjects["suggestions"] == ["Novel sejarah"]
    assert (await opac.client.get("/search/autocomplete", params={"q": ""})).status_code == 422

    typo = await opac.search(q="laskr pelangii")
    assert typo["total"] == 0 and typo["suggestion"] == "laskar pelangi"
    assert (await opac.search(q="laskar"))["suggestion"] is None  # found: no suggestion
    assert (await opac.search(title="bumi manusa"))["suggestion"] == "bumi manusia"


async def test_record_page_and_jsonld(opac: Opac) -> None:
    record = (await opac.client.get(f"/records/{opac.ids['pengantar']}")).json()
    assert [(a["branch"], a["available"], a["total"]) for a in record["availability"]] == [
        (CIKINI, 2, 2),
        (MENTENG, 1, 1),
    ]
    assert record["availability"][0]["name"] == "Perpustakaan Jakarta Cikini"
    response = await opac.client.get(f"/records/{opac.ids['pengantar']}/jsonld")
    assert response.headers["content-type"] == "application/ld+json"
    doc = response.json()
    assert doc["@type"] == "Book" and doc["name"] == "Pengantar ilmu perpustakaan"
    assert doc["author"] == [{"@type": "Person", "name": "Sulistyo-Basuki"}] and doc["isbn"] == [
        ISBN_PENGANTAR
    ]
    assert [o["availability"] for o in doc["offers"]] == ["https://schema.org/InStock"] * 2
    assert doc["offers"][0]["offeredBy"]["name"] == "Perpustakaan Jakarta Cikini"
    peta = (await opac.client.get(f"/records/{opac.ids['peta']}/jsonld")).json()
    assert peta["@type"] == "Map" and "offers" not in peta


async def test_sru_search_and_exports(opac: Opac) -> None:
    xml = (await opac.client.get("/sru", params={"query": "dc.creator = hirata", "recordSchema": "dc"})).text
    root = fromstring(xml)
    assert root.find("{http://www.loc.gov/zing/srw/}numberOfRecords").text == "2"
    titles = sorted(e.text for e in root.iter("{http://purl.org/dc/elements/1.1/}title"))
    assert titles == ["Laskar pelangi", "Sang pemimpi"]
    isbn = fromstring((await opac.client.get("/sru", params={"query": f"bath.isbn = {ISBN_LASKAR}"})).text)
    assert isbn.find("{http://www.loc.gov/zing/srw/}numberOfRecords").text == "1"

    exported = await opac.client.get("/records/export", params={"q": "hirata", "format": "csv"})
    assert exported.status_code == 200 and exported.headers["content-disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert sorted(r["title"] for r in rows) == ["Laskar pelangi", "Sang pemimpi"]
    assert (await opac.client.get("/records/export", params={"format": "marcxml"})).status_code == 401
    patron = await opac.client.get("/records/export", headers=opac.client.bearer(**PATRON))
    assert patron.status_code == 403
    whole = await opac.client.get(
        "/records/export", params={"format": "marcxml"}, headers=opac.client.bearer(**CATALOGER)
    )
    records = fromstring(whole.content).findall("{http://www.loc.gov/MARC21/slim}record")
    assert len(records) == len(RECORDS)
