"""Transit slips: the paper that travels with an item between branches (PDF)."""

from __future__ import annotations

from circulation import clock
from circulation.models import Hold, Item, Transit
from pusip_kit.documents import OfficialDocument, render_pdf

AGENCY = "Dinas Perpustakaan dan Kearsipan Provinsi DKI Jakarta"


def transit_slip(transit: Transit, item: Item, hold: Hold | None, pickup_card: str | None) -> bytes:
    reason = (
        "Pesanan anggota / reservation"
        if transit.reason == "hold"
        else "Kembali ke cabang asal / return home"
    )
    facts = [
        ("Barcode", item.barcode),
        ("Judul / title", item.title or item.record_id),
        ("Dari / from", transit.from_branch),
        ("Ke / to", transit.to_branch),
        ("Alasan / reason", reason),
        ("Dibuat / created", transit.created_at.astimezone(clock.WIB).strftime("%d-%m-%Y %H:%M WIB")),
    ]
    if hold is not None:
        facts.append(("Pemesan / for", pickup_card or "-"))
    document = OfficialDocument(
        agency=AGENCY,
        unit="Layanan Sirkulasi / Circulation",
        title="Slip Pengiriman Antarcabang",
        number=f"TR-{transit.id.hex[:12].upper()}",
        issued_on=clock.local_day(transit.created_at),
        facts=facts,
        paragraphs=[
            f"Kirimkan eksemplar ini ke {transit.to_branch} dan lakukan 'terima kiriman' di sana. "
            f"Send this item to {transit.to_branch} and receive it there."
        ],
    )
    return render_pdf(document)
