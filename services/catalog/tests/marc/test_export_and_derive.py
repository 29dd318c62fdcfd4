import csv
import io
import json
from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring
from pymarc import Field, Record, Subfield

from catalog.marc import read_records
from catalog.marc.derive import derive, isbn10_to_13, normalize_isbn
from catalog.marc.export import (
    TooLongForIso2709,
    csv_rows,
    dublin_core,
    marc_json_array,
    marcxml_collection,
    to_iso2709,
    to_marcxml,
    to_oai_dc,
)

CORPUS = Path(__file__).resolve().parents[4].parent / "shared" / "corpus" / "marc21"


def good_records() -> list[Record]:
    records = []
    for path in sorted(CORPUS.rglob("*")):
        if path.is_file() and path.suffix not in {".tsv", ".txt", ".mrk"}:
            with path.open("rb") as stream:
                records += [o.record for o in read_records(stream) if o.record]
    return records


GOOD = good_records()


def reread(data: bytes) -> Record:
    (outcome,) = list(read_records(io.BytesIO(data)))
    assert outcome.record is not None, outcome.problem
    return outcome.record


def test_iso2709_export_reimport_is_byte_identical_for_every_good_corpus_record() -> None:
    assert len(GOOD) > 900
    exported = 0
    for record in GOOD:
        try:
            first = to_iso2709(record)
        except TooLongForIso2709:
            continue
        assert to_iso2709(reread(first)) == first
        exported += 1
    assert exported >= len(GOOD) - 5


def test_marcxml_and_json_round_trips_give_the_same_marc() -> None:
    sample = [r for r in GOOD[:200]]
    xml = "".join(marcxml_collection(sample)).encode()
    from_xml = [o.record for o in read_records(io.BytesIO(xml))]
    js = "".join(marc_json_array(sample)).encode()
    from_json = [o.record for o in read_records(io.BytesIO(js))]
    assert len(from_xml) == len(from_json) == len(sample)
    for original, a, b in zip(sample, from_xml, from_json, strict=True):
        assert a is not None and b is not None
        assert to_iso2709(a) == to_iso2709(original) == to_iso2709(b)


def test_marcxml_strips_xml_illegal_control_characters() -> None:
    record = Record(leader="00000nam a2200000 a 4500", force_utf8=True)
    record.add_field(
        Field(tag="245", indicators=["0", "0"], subfields=[Subfield("a", "Judul\x01 <aneh> & \x0bok")])
    )
    xml = to_marcxml(record)
    parsed = fromstring(xml)
    assert parsed[1][0].text == "Judul <aneh> & ok"


def test_oversized_field_is_refused_not_corrupted() -> None:
    record = Record(leader="00000nam a2200000 a 4500", force_utf8=True)
    record.add_field(Field(tag="001", data="BIG1"))
    record.add_field(Field(tag="520", indicators=[" ", " "], subfields=[Subfield("a", "x" * 12000)]))
    with pytest.raises(TooLongForIso2709) as err:
        to_iso2709(record)
    assert err.value.control_number == "BIG1" and "520" in err.value.detail
    # the long field survives intact in the formats that can hold it
    assert "x" * 12000 in to_marcxml(record)


def indonesian_book() -> Record:
    record = Record(leader="00000nam a2200000 a 4500", force_utf8=True)
    record.add_field(Field(tag="001", data="INLIS000001"))
    record.add_field(Field(tag="008", data="230105s2022    io a          000 0 ind d"))
    record.add_field(
        Field(tag="020", indicators=[" ", " "], subfields=[Subfield("a", "978-602-03-3294-9 (pbk.)")])
    )
    record.add_field(Field(tag="020", indicators=[" ", " "], subfields=[Subfield("a", "978-602-03-3294-0")]))
    record.add_field(Field(tag="082", indicators=["0", "4"], subfields=[Subfield("a", "020.1")]))
    record.add_field(Field(tag="100", indicators=["1", " "], subfields=[Subfield("a", "Sulistyo-Basuki,")]))
    record.add_field(
        Field(
            tag="245",
            indicators=["1", "3"],
            subfields=[Subfield("a", "Di balik ilmu perpustakaan :"), Subfield("b", "sebuah pengantar /")],
        )
    )
    record.add_field(Field(tag="250", indicators=[" ", " "], subfields=[Subfield("a", "Cet. 2.")]))
    record.add_field(
        Field(
            tag="264",
            indicators=[" ", "1"],
            subfields=[Subfield("a", "Jakarta :"), Subfield("b", "Gramedia,"), Subfield("c", "2022.")],
        )
    )
    record.add_field(
        Field(
            tag="650",
            indicators=[" ", "4"],
            subfields=[Subfield("a", "Perpustakaan"), Subfield("z", "Indonesia.")],
        )
    )
    record.add_field(Field(tag="700", indicators=["1", " "], subfields=[Subfield("a", "Hasugian, Jonner.")]))
    return record


def test_derive_reads_the_fields_a_librarian_expects() -> None:
    b = derive(indonesian_book())
    assert b.control_number == "INLIS000001"
    assert b.title == "Di balik ilmu perpustakaan : sebuah pengantar"
    assert b.title_sort.startswith("balik ilmu")
    assert b.authors == ["Sulistyo-Basuki", "Hasugian, Jonner"]
    assert b.subjects == ["Perpustakaan -- Indonesia"]
    assert b.isbns == ["9786020332949"]  # the second ISBN has a wrong check digit
    assert (b.publisher, b.place, b.year, b.language) == ("Gramedia", "Jakarta", 2022, "ind")
    assert (b.material_type, b.ddc, b.call_number, b.edition) == ("book", "020.1", "020.1", "Cet. 2")


def test_isbn_normalisation() -> None:
    assert normalize_isbn("0-306-40615-2 (hbk)") == "0306406152"
    assert normalize_isbn("0-306-40615-3") is None
    assert isbn10_to_13("0306406152") == "9780306406157"


def test_dublin_core_and_csv() -> None:
    record = indonesian_book()
    dc = dublin_core(record)
    assert dc["creator"] == ["Sulistyo-Basuki"] and dc["contributor"] == ["Hasugian, Jonner"]
    assert "ISBN 9786020332949" in dc["identifier"]
    assert "<dc:title>Di balik ilmu perpustakaan : sebuah pengantar</dc:title>" in to_oai_dc(record)
    rows = list(csv.reader(io.StringIO("".join(csv_rows([record, record])))))
    assert rows[0][0] == "control_number" and len(rows) == 3
    assert rows[1][2] == "Sulistyo-Basuki; Hasugian, Jonner"


def test_json_export_is_valid_marc_in_json() -> None:
    data = json.loads("".join(marc_json_array([indonesian_book()])))
    assert data[0]["fields"][0] == {"001": "INLIS000001"}
