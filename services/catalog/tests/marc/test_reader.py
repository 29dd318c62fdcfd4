import io
from pathlib import Path

import pytest
from pymarc import Field, Leader, Record, Subfield

from catalog.marc import MarcFormat, detect_format, read_records

CORPUS = Path(__file__).resolve().parents[4].parent / "shared" / "corpus" / "marc21"
MARC_FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix not in {".tsv", ".txt", ".mrk"})


def outcomes(data: bytes, fmt: MarcFormat | None = None):
    return list(read_records(io.BytesIO(data), fmt))


def iso(fields: list[Field], leader: str = "00000nam a2200000 a 4500") -> bytes:
    record = Record(leader=Leader(leader), force_utf8=True)
    record.fields = fields
    return record.as_marc()


def test_corpus_is_present() -> None:
    assert len(MARC_FILES) > 100


@pytest.mark.parametrize("path", MARC_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_corpus_file_reads_without_crashing_and_accounts_for_each_record(path: Path) -> None:
    with path.open("rb") as stream:
        result = list(read_records(stream))
    assert [o.position for o in result] == list(range(1, len(result) + 1))
    for o in result:
        assert (o.record is None) != (o.problem is None)
        if o.problem:
            assert o.problem.message and o.problem.message_en and o.problem.code
        else:
            assert o.record is not None and o.record.leader[9] == "a"


def test_pride_and_prejudice_with_many_errors_keeps_good_records_and_reports_bad_ones() -> None:
    with (CORPUS / "marc4j" / "pride-and-prejudice-with-many-errors.mrc").open("rb") as stream:
        result = list(read_records(stream))
    good = [o for o in result if o.record]
    bad = [o for o in result if o.problem]
    assert len(result) == 383
    assert (len(good), len(bad)) == (366, 17)
    assert sorted({o.problem.code for o in bad}) == ["directory_invalid", "encoding_invalid"]
    assert all(o.problem.offset is not None for o in bad)
    assert sum(1 for o in bad if o.problem.control_number) >= 10
    # the fixed edition of the same file reads completely
    with (CORPUS / "marc4j" / "pride-and-prejudice-fixed.mrc").open("rb") as stream:
        assert sum(1 for o in read_records(stream) if o.record) == 383


def test_wrong_leader_length_never_pulls_in_the_next_record() -> None:
    first = bytearray(iso([Field(tag="001", data="A1"), Field("245", ["1", "0"], [Subfield("a", "Satu")])]))
    first[0:5] = b"99999"
    second = iso([Field(tag="001", data="B2"), Field("245", ["1", "0"], [Subfield("a", "Dua")])])
    result = outcomes(bytes(first) + second)
    assert [o.record["001"].data for o in result] == ["A1", "B2"]
    assert result[0].warnings and "corrected" in result[0].warnings[0]
    assert result[1].record["245"]["a"] == "Dua"


def test_truncated_tail_is_reported_not_dropped() -> None:
    whole = iso([Field(tag="001", data="A1"), Field("245", ["1", "0"], [Subfield("a", "Satu")])])
    result = outcomes(whole + whole[:40])
    assert result[0].record is not None
    assert result[1].problem and result[1].problem.code == "record_unterminated"


def test_three_indicators_refuse_the_record_instead_of_dropping_one() -> None:
    data = bytearray(iso([Field(tag="001", data="X"), Field("245", ["1", "0"], [Subfield("a", "Judul")])]))
    at = data.index(b"10\x1fa")
    broken = bytes(data[:at]) + b"100\x1faJudul\x1e\x1d"
    result = outcomes(broken)
    assert result[0].problem and result[0].problem.code in {"indicators_invalid", "field_boundary_invalid"}


def test_marc8_is_converted_to_unicode() -> None:
    # ANSEL 0xE2 (acute, combining, precedes its base letter) + e
    marc8 = bytearray(
        iso(
            [Field(tag="001", data="M8"), Field("245", ["1", "0"], [Subfield("a", "Caf")])],
            "00000nam  2200000 a 4500",
        )
    )
    at = marc8.index(b"Caf") + 3
    marc8[at:at] = b"\xe2e"
    # the field grew by two bytes: rebuild via the directory-free path of pymarc is awkward, so patch lengths
    record = outcomes(bytes(_fix_lengths(bytes(marc8))))[0].record
    assert record is not None
    assert record["245"]["a"] == "Café"


def _fix_lengths(data: bytes) -> bytes:
    """Recompute the 245 directory length after an in-place insertion of two bytes."""
    base = int(data[12:17])
    directory = bytearray(data[24 : base - 1])
    for i in range(0, len(directory), 12):
        if directory[i : i + 3] == b"245":
            length = int(directory[i + 3 : i + 7]) + 2
            directory[i + 3 : i + 7] = f"{length:04d}".encode()
    body = data[base:]
    return f"{len(data):05d}".encode() + data[5:24] + bytes(directory) + b"\x1e" + body


def test_mislabelled_marc8_pound_sign_is_recovered_with_a_warning() -> None:
    data = bytearray(iso([Field(tag="001", data="P1"), Field("020", [" ", " "], [Subfield("c", "X0.75")])]))
    data[data.index(b"X0.75")] = 0xB9
    result = outcomes(bytes(data))
    assert result[0].record["020"]["c"] == "£0.75"
    assert result[0].warnings == ("field 020: not UTF-8, read as MARC-8",)


def test_unmappable_marc8_bytes_refuse_the_record_instead_of_blanking_them() -> None:
    data = bytearray(
        iso(
            [Field(tag="001", data="Q1"), Field("245", ["1", "0"], [Subfield("a", "abc")])],
            "00000nam  2200000 a 4500",
        )
    )
    data[data.index(b"abc")] = 0xFF  # not MARC-8, and not UTF-8 either
    result = outcomes(bytes(data))
    assert result[0].problem and result[0].problem.code == "encoding_invalid"
    assert result[0].problem.control_number == "Q1"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<collection xmlns="http://www.loc.gov/MARC21/slim"><record><leader>00000nam a2200000 a 4500</leader>
<datafield tag="245" ind1="1" ind2="0"><subfield code="a">&lol2;</subfield></datafield></record></collection>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<collection xmlns="http://www.loc.gov/MARC21/slim"><record><leader>00000nam a2200000 a 4500</leader>
<datafield tag="245" ind1="1" ind2="0"><subfield code="a">&xxe;</subfield></datafield></record></collection>"""


@pytest.mark.parametrize("payload", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "xxe"])
def test_hostile_xml_is_refused(payload: bytes) -> None:
    result = outcomes(payload)
    assert len(result) == 1
    assert result[0].record is None and result[0].problem.code == "xml_refused"
    assert "passwd" not in result[0].problem.message_en


def test_malformed_xml_reports_where_it_broke_and_keeps_what_came_before() -> None:
    with (CORPUS / "ruby-marc" / "three-records-second-bad.xml").open("rb") as stream:
        result = list(read_records(stream))
    assert result[0].record is not None
    assert result[-1].problem.code == "xml_malformed"


def test_json_array_and_single_object_both_stream() -> None:
    one = b'{"leader":"00000nam a2200000 a 4500","fields":[{"001":"J1"},{"245":{"ind1":"1","ind2":"0","subfields":[{"a":"Buku"}]}}]}'
    assert outcomes(one)[0].record["245"]["a"] == "Buku"
    many = b"[" + one + b"," + one.replace(b"J1", b"J2") + b"]"
    assert [o.record["001"].data for o in outcomes(many)] == ["J1", "J2"]
    bad = b'[{"leader":"short","fields":[]}]'
    assert outcomes(bad)[0].problem.code == "leader_invalid"


def test_format_detection() -> None:
    assert detect_format(b"\xef\xbb\xbf  <?xml") is MarcFormat.MARCXML
    assert detect_format(b"\n[{") is MarcFormat.JSON
    assert detect_format(b"01234nam") is MarcFormat.ISO2709
