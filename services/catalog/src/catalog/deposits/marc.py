"""A MARC21 bibliographic record from an accepted legal deposit.

The deposit's metadata is the publisher's own (checked by the deposit officer, identifiers
validated by the deposit service), so the record is coded as minimal level (leader/17 ``7``) for
a cataloguer to enrich. What it carries:

* leader (type from the kind of work and its files, level ``m`` or ``s`` for a serial with an ISSN
  only), 003, 007 (``cr`` for online works), 008 (date entered, publication date, country
  ``io``, form of item ``o`` for online works, language);
* 020 ISBN, 022 ISSN, 024 2_ ISMN, 035 ``(PUSIP-SERAHSIMPAN)<deposit id>`` (the record's match
  key: the same deposit is never catalogued twice), 040, 041;
* 100 / 700 creators in the order given, 245 with statement of responsibility, 250, 264 _1, 300,
  336/337/338 (RDA content, media, carrier);
* 500 and 590 legal-deposit notes with the receipt number, 520 description, 541 acquisition
  (depositor, date, receipt), 856 40 per readable file (the deposit service's reading link), and the
  local 910 ``$a serah-simpan $b <receipt> $c <deposit id> $d <depositor id> $e <obligation id>``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from pymarc import Field, Indicators, Record, Subfield

from catalog.deposits.payload import AcceptedDeposit, DepositedFile

SYSTEM_NUMBER_PREFIX = "(PUSIP-SERAHSIMPAN)"
LEGAL_BASIS = "UU No. 13 Tahun 2018 tentang Serah Simpan Karya Cetak dan Karya Rekam; PP No. 55 Tahun 2021"
LOCAL_TAG = "910"
MAX_CREATORS_IN_245 = 3

# kind of work → (content term, code) for text; recorded works are decided by their files
_TEXT = ("teks", "txt")


def system_number(deposit_id: object) -> str:
    return f"{SYSTEM_NUMBER_PREFIX}{deposit_id}"


def _field(tag: str, ind1: str, ind2: str, *pairs: tuple[str, str | None]) -> Field | None:
    subfields = [Subfield(code, " ".join(value.split())) for code, value in pairs if value and value.strip()]
    if not subfields:
        return None
    return Field(tag=tag, indicators=Indicators(ind1, ind2), subfields=subfields)


def _media(deposit: AcceptedDeposit) -> str:
    """``text``, ``audio``, ``music`` or ``video``: what the work is, for the leader and 33X."""
    types = [f.content_type for f in deposit.readable_files]
    if deposit.kind == "karya_rekam":
        if any(t.startswith("video/") for t in types):
            return "video"
        if deposit.ismn:
            return "music"
        return "audio"
    return "text"


def _record_type(media: str) -> str:
    return {"text": "a", "audio": "i", "music": "j", "video": "g"}[media]


def _online(deposit: AcceptedDeposit) -> bool:
    return not deposit.printed and bool(deposit.readable_files)


def leader(deposit: AcceptedDeposit) -> str:
    level = "s" if deposit.issn and not deposit.isbn else "m"
    return f"00000n{_record_type(_media(deposit))}{level} a22000007i 4500"


def field_008(deposit: AcceptedDeposit, entered: date) -> str:
    year = deposit.year or (deposit.published_on.year if deposit.published_on else None)
    dates = f"s{year:04d}    " if year else "nuuuu    "
    language = (deposit.language or "und").strip().lower()[:3].ljust(3, " ")
    if _media(deposit) == "text":
        form = "o" if _online(deposit) else " "
        middle = f"    {' '}{form}    {' '}000 0 "  # 18-34: illus, audience, form, contents … literary form
    else:
        middle = "|" * 17  # 18-34 of sound recordings and visual materials: not coded here
    value = f"{entered:%y%m%d}{dates}io {middle}{language} d"
    assert len(value) == 40, value
    return value


def _statement(creators: list[str]) -> str | None:
    if not creators:
        return None
    shown = creators[:MAX_CREATORS_IN_245]
    text = ", ".join(shown)
    if len(creators) > MAX_CREATORS_IN_245:
        text += f" [dan {len(creators) - MAX_CREATORS_IN_245} lainnya]"
    return text


def _name_field(tag: str, name: str, relator: str) -> Field | None:
    ind1 = "1" if "," in name else "0"
    return _field(tag, ind1, " ", ("a", name), ("e", relator))


def _extent(deposit: AcceptedDeposit, media: str) -> str:
    if media in ("audio", "music", "video"):
        unit = "berkas video" if media == "video" else "berkas audio"
        carrier = (
            f"1 {unit}"
            if not deposit.printed
            else ("1 cakram video" if media == "video" else "1 cakram audio")
        )
        return f"{carrier} ({deposit.duration_minutes} menit)" if deposit.duration_minutes else carrier
    if deposit.printed:
        return f"{deposit.pages} halaman" if deposit.pages else "1 jilid"
    pages = deposit.pages or next((f.pages for f in deposit.readable_files if f.pages), None)
    return f"1 sumber daring ({pages} halaman)" if pages else "1 sumber daring"


def _rda(deposit: AcceptedDeposit, media: str) -> list[Field | None]:
    content = {
        "text": _TEXT,
        "audio": ("kata terucap", "spw"),
        "music": ("musik pertunjukan", "prm"),
        "video": ("gambar bergerak dua dimensi", "tdi"),
    }[media]
    if not deposit.printed:
        medium, carrier = ("komputer", "c"), ("sumber daring", "cr")
    elif media == "text":
        medium, carrier = ("tanpa perantara", "n"), ("volume", "nc")
    elif media == "video":
        medium, carrier = ("video", "v"), ("cakram video", "vd")
    else:
        medium, carrier = ("audio", "s"), ("cakram audio", "sd")
    return [
        _field("336", " ", " ", ("a", content[0]), ("b", content[1]), ("2", "rdacontent")),
        _field("337", " ", " ", ("a", medium[0]), ("b", medium[1]), ("2", "rdamedia")),
        _field("338", " ", " ", ("a", carrier[0]), ("b", carrier[1]), ("2", "rdacarrier")),
    ]


def reading_url(gateway_url: str, deposit: AcceptedDeposit, file: DepositedFile) -> str:
    path = file.download_path or f"/deposits/{deposit.deposit_id}/files/{file.file_id}/download"
    return f"{gateway_url.rstrip('/')}/api/deposit{path}"


def build_record(
    deposit: AcceptedDeposit,
    *,
    agency_code: str,
    gateway_url: str,
    access: str,
    now: datetime | None = None,
) -> Record:
    """The bibliographic record of ``deposit`` (001 and 005 are set by the record service)."""
    now = now or datetime.now(UTC)
    entered = (deposit.accepted_at or now).date()
    media = _media(deposit)
    receipt = deposit.receipt_number or str(deposit.deposit_id)
    record = Record(leader=leader(deposit), force_utf8=True)
    fields: list[Field | None] = [Field(tag="003", data=agency_code)]
    if _online(deposit):
        fields.append(Field(tag="007", data="cr |||||||||||"))
    fields.append(Field(tag="008", data=field_008(deposit, entered)))
    fields.append(_field("020", " ", " ", ("a", deposit.isbn)))
    fields.append(_field("022", " ", " ", ("a", deposit.issn)))
    fields.append(_field("024", "2", " ", ("a", deposit.ismn)))
    fields.append(_field("035", " ", " ", ("a", system_number(deposit.deposit_id))))
    fields.append(_field("040", " ", " ", ("a", agency_code), ("b", "ind"), ("e", "rda"), ("c", agency_code)))
    if deposit.language:
        fields.append(_field("041", "0", " ", ("a", deposit.language.lower()[:3])))
    creators = deposit.creators
    if creators:
        fields.append(_name_field("100", creators[0], "pengarang"))
    title_a = deposit.title
    statement = _statement(creators)
    if deposit.subtitle:
        title_a += " :"
    elif statement:
        title_a += " /"
    subtitle = f"{deposit.subtitle} /" if deposit.subtitle and statement else deposit.subtitle
    fields.append(
        _field("245", "1" if creators else "0", "0", ("a", title_a), ("b", subtitle), ("c", statement))
    )
    fields.append(_field("250", " ", " ", ("a", deposit.edition)))
    year = deposit.year or (deposit.published_on.year if deposit.published_on else None)
    fields.append(
        _field(
            "264",
            " ",
            "1",
            ("a", f"{deposit.place} :" if deposit.place else "[Tempat terbit tidak diketahui] :"),
            ("b", f"{deposit.publisher}," if deposit.publisher else "[Penerbit tidak diketahui],"),
            ("c", str(year) if year else "[tahun tidak diketahui]"),
        )
    )
    fields.append(_field("300", " ", " ", ("a", _extent(deposit, media))))
    fields.extend(_rda(deposit, media))
    fields.append(
        _field("500", " ", " ", ("a", f"Karya serah simpan ({LEGAL_BASIS}); tanda terima {receipt}."))
    )
    fields.append(_field("520", " ", " ", ("a", deposit.description)))
    accepted = (deposit.accepted_at or now).date().isoformat()
    fields.append(
        _field(
            "541",
            "1",
            " ",
            ("a", deposit.depositor.name or None),
            ("c", "Serah simpan"),
            ("d", accepted),
            ("e", receipt),
        )
    )
    fields.append(
        _field(
            "590",
            " ",
            " ",
            (
                "a",
                f"Serah simpan karya cetak dan karya rekam; nomor tanda terima {receipt}; diterima {accepted}.",
            ),
        )
    )
    for name in creators[1:]:
        fields.append(_name_field("700", name, "pengarang"))
    note = (
        "Akses khusus petugas perpustakaan; setiap akses dicatat"
        if access == "restricted"
        else "Akses untuk anggota yang masuk; setiap akses dicatat dan PDF diberi tanda air"
    )
    for file in deposit.readable_files:
        fields.append(
            _field(
                "856",
                "4",
                "0",
                ("u", reading_url(gateway_url, deposit, file)),
                ("q", file.content_type),
                ("y", file.filename),
                ("z", note),
            )
        )
    fields.append(
        _field(
            LOCAL_TAG,
            " ",
            " ",
            ("a", "serah-simpan"),
            ("b", receipt),
            ("c", str(deposit.deposit_id)),
            ("d", str(deposit.depositor.id) if deposit.depositor.id else None),
            ("e", str(deposit.obligation_id) if deposit.obligation_id else None),
        )
    )
    record.fields = [f for f in fields if f is not None]
    return record
