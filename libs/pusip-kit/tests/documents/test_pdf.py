import io
from datetime import date

from pypdf import PdfReader

from pusip_kit.documents import OfficialDocument, Signatory, render_pdf
from pusip_kit.documents.pdf import tanggal


def berita_acara(rows: int) -> OfficialDocument:
    return OfficialDocument(
        agency="Dinas Perpustakaan dan Kearsipan Provinsi DKI Jakarta",
        unit="Bidang Pengelolaan Kearsipan",
        title="Berita Acara Pemusnahan Arsip",
        number="BA-PMS/2026/0007",
        issued_on=date(2026, 11, 21),
        facts=[("Dasar", "Keputusan Kepala Dinas Nomor 12 Tahun 2026"), ("Jumlah arsip", f"{rows} berkas")],
        paragraphs=[
            "Pada hari ini telah dilaksanakan pemusnahan arsip <sesuai> daftar terlampir & disaksikan."
        ],
        table_header=["No", "Kode", "Uraian", "Kurun waktu"],
        table_rows=[[str(i), "800.1.2", f"Surat cuti pegawai {i}", "2015"] for i in range(1, rows + 1)],
        signatories=[
            Signatory("Kepala Dinas", "Nama Pejabat", "197001011990031001"),
            Signatory("Saksi", "Saksi Satu"),
            Signatory("Saksi", "Saksi Dua"),
        ],
    )


def test_pdf_carries_the_text_and_a_verification_footer() -> None:
    doc = berita_acara(3)
    data = render_pdf(doc)
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "BERITA ACARA PEMUSNAHAN ARSIP" in text
    assert "BA-PMS/2026/0007" in text
    assert "Surat cuti pegawai 3" in text
    assert "<sesuai>" in text and "&" in text  # escaped, not swallowed as markup
    assert f"verifikasi {doc.fingerprint()}" in text
    assert reader.metadata.title == "Berita Acara Pemusnahan Arsip"


def test_long_lists_flow_over_pages_with_numbers() -> None:
    reader = PdfReader(io.BytesIO(render_pdf(berita_acara(120))))
    assert len(reader.pages) >= 3
    assert "Halaman 3" in reader.pages[2].extract_text()


def test_fingerprint_changes_with_content() -> None:
    assert berita_acara(3).fingerprint() != berita_acara(4).fingerprint()


def test_indonesian_dates() -> None:
    assert tanggal(date(2026, 8, 17)) == "17 Agustus 2026"
