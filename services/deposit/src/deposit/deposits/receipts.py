"""The receipt (*tanda terima*) of a deposit: numbered per year, its facts frozen when issued.

The PDF is rendered from those frozen facts whenever it is asked for (the same document each time),
so issuing a receipt is one row update in the deposit's own transaction: nothing can be left
behind in storage if that transaction fails.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from deposit.common import JAKARTA, next_number
from deposit.config import DepositSettings
from deposit.models import Deposit, DepositFile, Depositor
from pusip_kit.db import utcnow
from pusip_kit.documents import OfficialDocument, Signatory, render_pdf

KIND_NAMES = {"karya_cetak": "Karya cetak", "karya_rekam": "Karya rekam", "karya_digital": "Karya digital"}


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


async def issue_receipt(
    session: AsyncSession,
    settings: DepositSettings,
    deposit: Deposit,
    depositor: Depositor,
    files: list[DepositFile],
    *,
    received_by: str,
) -> str:
    """Number the receipt (``TT/<AGENCY>/<year>/<000123>``) and freeze what it states."""
    now = utcnow()
    year = now.astimezone(JAKARTA).year
    sequence = await next_number(session, "receipt", year)
    number = f"TT/{settings.agency_code}/{year}/{sequence:06d}"
    deposit.receipt_number = number
    deposit.received_at = now
    deposit.received_by = received_by
    identifiers = ", ".join(
        f"{label} {value}"
        for label, value in (("ISBN", deposit.isbn), ("ISSN", deposit.issn), ("ISMN", deposit.ismn))
        if value
    )
    deposit.receipt_facts = {
        "number": number,
        "issued_on": now.astimezone(JAKARTA).date().isoformat(),
        "received_at": now.isoformat(),
        "depositor": depositor.name,
        "depositor_identity": f"{depositor.legal_identity_kind.upper()} {depositor.legal_identity_number}",
        "depositor_city": f"{depositor.domicile_city}, {depositor.domicile_province}",
        "title": deposit.title + (f": {deposit.subtitle}" if deposit.subtitle else ""),
        "creators": "; ".join(deposit.creators),
        "kind": KIND_NAMES.get(deposit.kind, deposit.kind),
        "identifiers": identifiers or "-",
        "edition": deposit.edition or "-",
        "year": str(deposit.year),
        "publisher": deposit.publisher,
        "channel": deposit.channel,
        "copies": deposit.copies_received,
        "received_by": received_by,
        "files": [
            {
                "filename": f.path_in_package or f.filename,
                "type": f.content_type,
                "size": f.size,
                "sha256": f.sha256,
            }
            for f in files
        ],
    }
    return number


def receipt_document(settings: DepositSettings, facts: dict[str, Any]) -> OfficialDocument:
    printed = facts.get("channel") == "printed"
    rows = [
        [str(n), f["filename"], f["type"], human_size(int(f["size"])), f["sha256"]]
        for n, f in enumerate(facts.get("files") or [], start=1)
    ]
    what = (
        f"{facts['copies']} (eksemplar) diterima di loket"
        if printed
        else f"{len(rows)} berkas digital, disimpan dengan sidik SHA-256"
    )
    return OfficialDocument(
        agency=settings.agency_name,
        unit=settings.agency_unit,
        title="Tanda Terima Serah Simpan Karya Cetak dan Karya Rekam",
        number=facts["number"],
        issued_on=date.fromisoformat(facts["issued_on"]),
        place=settings.agency_city,
        facts=[
            ("Penyerah", facts["depositor"]),
            ("Identitas", facts["depositor_identity"]),
            ("Domisili", facts["depositor_city"]),
            ("Judul", facts["title"]),
            ("Pengarang", facts["creators"]),
            ("Jenis karya", facts["kind"]),
            ("ISBN/ISSN/ISMN", facts["identifiers"]),
            ("Edisi / tahun", f"{facts['edition']} / {facts['year']}"),
            ("Penerbit", facts["publisher"]),
            ("Diterima", what),
            ("Diterima oleh", facts["received_by"]),
        ],
        paragraphs=[
            "Telah diterima karya tersebut di atas sebagai pelaksanaan Undang-Undang Nomor 13 Tahun 2018 "
            "tentang Serah Simpan Karya Cetak dan Karya Rekam dan Peraturan Pemerintah Nomor 55 Tahun 2021. "
            "Tanda terima ini bukan bukti penerimaan akhir: karya akan diverifikasi oleh petugas serah simpan.",
            "Received the work above under Law 13/2018 on the Legal Deposit of Printed and Recorded Works and "
            "Government Regulation 55/2021. The work will now be verified by a deposit officer.",
        ],
        table_header=["No", "Berkas", "Jenis", "Ukuran", "SHA-256"] if rows else [],
        table_rows=rows,
        signatories=[Signatory("Petugas Serah Simpan", facts["received_by"])],
        footer_note="Dokumen ini dibuat oleh sistem Pusip (serah simpan).",
    )


def render_receipt(settings: DepositSettings, facts: dict[str, Any]) -> bytes:
    return render_pdf(receipt_document(settings, facts))
