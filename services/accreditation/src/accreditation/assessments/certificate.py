"""The accreditation certificate as an official PDF document (rendered on request from stored data)."""

from __future__ import annotations

from decimal import Decimal

from accreditation.assessments.service import Loaded
from accreditation.config import AccreditationSettings
from accreditation.models import CITY_NAMES
from pusip_kit.documents import OfficialDocument, Signatory, render_pdf
from pusip_kit.documents.pdf import tanggal

LIBRARY_TYPE_LABELS = {
    "umum-provinsi": "Perpustakaan Umum Provinsi",
    "umum-kota": "Perpustakaan Umum Kabupaten/Kota",
    "umum-kecamatan": "Perpustakaan Kecamatan",
    "umum-desa": "Perpustakaan Desa/Kelurahan",
    "sekolah": "Perpustakaan Sekolah/Madrasah",
    "perguruan-tinggi": "Perpustakaan Perguruan Tinggi",
    "khusus": "Perpustakaan Khusus",
}


def certificate_document(loaded: Loaded, settings: AccreditationSettings) -> OfficialDocument:
    assessment, library, instrument = loaded.assessment, loaded.library, loaded.instrument
    assert assessment.certificate_number and assessment.certified_on and assessment.valid_until
    facts = [
        ("Nama perpustakaan", library.name),
        ("Jenis perpustakaan", LIBRARY_TYPE_LABELS.get(library.type, library.type)),
        ("Nomor Pokok Perpustakaan", library.npp or "-"),
        ("Lembaga induk", library.owner_agency or "-"),
        ("Alamat", ", ".join(p for p in (library.address, CITY_NAMES.get(library.city)) if p)),
        ("Instrumen", f"{instrument.title} (versi {instrument.version})"),
        ("Nomor penilaian", assessment.number),
        ("Nilai akhir", f"{assessment.total}"),
        ("Peringkat", assessment.grade_label or assessment.grade or "-"),
        ("Berlaku sampai", tanggal(assessment.valid_until)),
    ]
    rows = [
        [
            c["name"],
            f"{Decimal(c['weight']).normalize():f}",
            f"{c['points']} / {c['maximum']}",
            f"{Decimal(c['score']):.2f}",
        ]
        for c in assessment.component_scores or []
    ]
    rows.append(["Jumlah", "100", "", f"{assessment.total}"])
    return OfficialDocument(
        agency=settings.agency_name,
        unit=settings.agency_unit,
        title="Sertifikat Akreditasi Perpustakaan",
        number=assessment.certificate_number,
        issued_on=assessment.certified_on,
        facts=facts,
        paragraphs=[
            f"Berdasarkan penilaian mandiri, verifikasi dan visitasi asesor menurut {instrument.legal_basis}, "
            f"{library.name} dinyatakan {assessment.grade_label} dengan nilai akhir {assessment.total}.",
            "Nilai komponen = poin ÷ poin maksimum komponen × bobot; nilai akhir = jumlah nilai komponen.",
        ],
        table_header=["Komponen", "Bobot", "Poin", "Nilai"],
        table_rows=rows,
        signatories=[
            Signatory(
                settings.certificate_signatory_role,
                settings.certificate_signatory_name,
                settings.certificate_signatory_nip,
            )
        ],
        footer_note=(
            "Sertifikat ini dibuat oleh sistem Pusip; keasliannya dapat diperiksa dengan nomor sertifikat dan "
            "kode verifikasi di kaki halaman."
        ),
    )


def certificate_pdf(loaded: Loaded, settings: AccreditationSettings) -> bytes:
    return render_pdf(certificate_document(loaded, settings))
