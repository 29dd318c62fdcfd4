from pathlib import Path

import pytest

from archive.instruments import Disposition, parse_disposition, parse_retention, parse_security
from archive.instruments.parse import Severity, parent_of, valid_code
from archive.instruments.readers import check_hierarchy, kinds, merge, read_file, read_opensid_csv, summary
from pusip_kit.auth.subject import SecurityLevel

ARCHIVES = Path(__file__).resolve().parents[4].parent / "shared" / "corpus" / "archives"


@pytest.mark.parametrize(
    ("raw", "years", "event"),
    [
        ("2 Tahun", 2, None),
        ("2 Tahun setelah tidak berlaku", 2, "setelah tidak berlaku"),
        ("2 Tahun Setelah diperbaharui", 2, "setelah diperbaharui"),
        ("2 Tahun\nsetelah hak\ndan\nkewajibannya\nhabis", 2, "setelah hak dan kewajibannya habis"),
        ("10 Tahun", 10, None),
        ("-", 0, None),
    ],
)
def test_retention_parses(raw: str, years: int, event: str | None) -> None:
    retention, issues = parse_retention(raw)
    assert retention is not None and (retention.years, retention.event) == (years, event)
    assert issues == []


def test_retention_typos_are_read_but_reported() -> None:
    retention, issues = parse_retention("2 Tshun  setelah Undang-Undang disahkan")
    assert retention is not None and retention.years == 2
    assert [i[0] for i in issues] == ["retention_unit_misspelled"]
    assert parse_retention("1 Tanun setelah ditetapkan")[0] is not None


@pytest.mark.parametrize("raw", ["dua tahun", "2 Bulan", "selamanya"])
def test_unreadable_retention_is_an_error_not_a_guess(raw: str) -> None:
    retention, issues = parse_retention(raw)
    assert retention is None and issues[0][1] is Severity.ERROR


def test_dispositions() -> None:
    assert parse_disposition("Musnah")[0].disposition is Disposition.MUSNAH
    assert parse_disposition("Permanen")[0].disposition is Disposition.PERMANEN
    rule, issues = parse_disposition("Musnah, kecuali yang\nbernilai guna sejarah\nPermanen")
    assert rule.disposition is Disposition.MUSNAH
    assert rule.exception_condition == "kecuali yang bernilai guna sejarah"
    assert rule.exception_disposition is Disposition.PERMANEN and issues == []
    rule, issues = parse_disposition("Miusnah")
    assert rule.disposition is Disposition.MUSNAH and issues[0][0] == "disposition_misspelled"
    rule, issues = parse_disposition("Masuk berkas Perorangan")
    assert rule.disposition is None and rule.follows_file == "Masuk berkas Perorangan"
    assert issues[0][0] == "disposition_follows_file"
    rule, _ = parse_disposition("Musnah, setelah masuk menjadi evaluasi program")
    assert rule.disposition is Disposition.MUSNAH and rule.note == "setelah masuk menjadi evaluasi program"
    assert parse_disposition("Simpan saja")[0] is None


def test_security_levels() -> None:
    assert parse_security("Biasa / Terbuka")[0] is SecurityLevel.BIASA
    assert parse_security("Biasa/Terbuka")[0] is SecurityLevel.BIASA
    assert parse_security("Terbatas")[0] is SecurityLevel.TERBATAS
    assert parse_security("Rahasia")[0] is SecurityLevel.RAHASIA
    assert parse_security("Rahasia sekali")[0] is None


def test_code_formats_and_parents() -> None:
    for code in ("000", "000.1", "000.1.1", "KP", "KP.01", "KP.01.02", "UM.02.03.a"):
        assert valid_code(code), code
    for code in ("00", "abc", "KP.1.x.y", "000..1"):
        assert not valid_code(code), code
    assert parent_of("000.1.1") == "000.1" and parent_of("000") is None


def test_duplicates_and_missing_parents_are_reported() -> None:
    text = "id,kode,nama,uraian,enabled\n1,000,UMUM,-,1\n2,000.1,A,-,1\n3,000.1,B,-,1\n4,001.2,C,-,1\n"
    result = read_opensid_csv(text)
    check_hierarchy(result)
    assert result.entries["000.1"].title == "A"
    assert kinds(result) == {"duplicate_code": 1, "missing_parent": 1}


def test_real_opensid_scheme() -> None:
    result = read_file(ARCHIVES / "opensid" / "klasifikasi_surat.csv")
    check_hierarchy(result)
    assert summary(result)["codes"] == 2330  # 2,331 rows, one duplicate code
    assert kinds(result)["duplicate_code"] == 1
    assert result.entries["001.1"].title == "Garuda"


def test_real_tvri_jra_reports_every_problem() -> None:
    result = read_file(ARCHIVES / "tvri_jra" / "masterKlasifikasi_JRA_TVRI.json")
    check_hierarchy(result)
    k = kinds(result)
    assert k["header_row"] == 2 and k["empty_code"] == 1 and k["duplicate_code"] == 5
    assert k["retention_unit_misspelled"] >= 11 and k["disposition_misspelled"] == 5
    assert k["disposition_follows_file"] >= 18
    entry = result.entries["PR.00.01"]
    assert entry.active_retention.years == 2 and entry.active_retention.event == "setelah tidak berlaku"
    assert entry.inactive_retention.years == 3
    assert entry.disposition.disposition is Disposition.PERMANEN
    assert entry.security_level is SecurityLevel.BIASA
    assert sum(1 for e in result.entries.values() if e.has_schedule) >= 500
    assert all(p.message and p.message_en for p in result.problems)


def test_merge_lays_a_schedule_over_a_scheme() -> None:
    scheme = read_file(ARCHIVES / "simpel_kemenag" / "simpel.sql")
    assert scheme.entries["KU.00.1"].title == "RENCANA ANGGARAN"
    jra = read_file(ARCHIVES / "tvri_jra" / "masterKlasifikasi_JRA_TVRI.json")
    merged = merge(scheme, jra)
    assert len(merged.entries) >= len(scheme.entries)
    assert merged.entries["KU.00.1"].title == "RENCANA ANGGARAN"
