"""Warning letters as official PDF documents (rendered by a task, stored in ``deposit-documents``)."""

from __future__ import annotations

from collections.abc import Sequence

from deposit.config import DepositSettings
from deposit.models import Depositor, Obligation, Warning, WarningStep
from pusip_kit.documents import OfficialDocument, Signatory, render_pdf
from pusip_kit.documents.pdf import tanggal

KIND_NAMES = {"karya_cetak": "Karya cetak", "karya_rekam": "Karya rekam", "karya_digital": "Karya digital"}


def letter_key(warning: Warning) -> str:
    return f"letters/{warning.issued_on.year}/{warning.id}.pdf"


def warning_document(
    settings: DepositSettings,
    warning: Warning,
    depositor: Depositor,
    step: WarningStep | None,
    obligations: Sequence[Obligation],
) -> OfficialDocument:
    body = step.letter_text if step is not None else warning.name
    rows = [
        [
            str(n),
            o.title,
            (o.identifier or "-").split(":", 1)[-1],
            KIND_NAMES.get(o.kind, o.kind),
            tanggal(o.published_on),
            tanggal(o.due_on),
        ]
        for n, o in enumerate(obligations, start=1)
    ]
    return OfficialDocument(
        agency=settings.agency_name,
        unit=settings.agency_unit,
        title=f"Surat {warning.name}",
        number=warning.number,
        issued_on=warning.issued_on,
        place=settings.agency_city,
        facts=[
            ("Kepada", depositor.name),
            ("Alamat", depositor.address or f"{depositor.domicile_city}, {depositor.domicile_province}"),
            ("Identitas", f"{depositor.legal_identity_kind.upper()} {depositor.legal_identity_number}"),
            ("Tingkat sanksi", f"{warning.level} — {warning.name}"),
            ("Jumlah karya terlambat", str(len(obligations))),
        ],
        paragraphs=[
            body,
            "Apabila karya telah diserahkan, mohon abaikan surat ini dan tunjukkan tanda terima penyerahan.",
        ],
        table_header=["No", "Judul", "ISBN/ISSN/ISMN", "Jenis", "Terbit", "Jatuh tempo"],
        table_rows=rows,
        signatories=[Signatory(settings.officer_title, settings.officer_name)],
        footer_note="Dokumen ini dibuat oleh sistem Pusip (serah simpan).",
    )


def render_warning_letter(
    settings: DepositSettings,
    warning: Warning,
    depositor: Depositor,
    step: WarningStep | None,
    obligations: Sequence[Obligation],
) -> bytes:
    return render_pdf(warning_document(settings, warning, depositor, step, obligations))
