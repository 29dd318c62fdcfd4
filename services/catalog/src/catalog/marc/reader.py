"""Streaming, lenient MARC readers for ISO 2709 (UTF-8 and MARC-8), MARCXML and MARC-in-JSON.

Each reader yields one :class:`ReadOutcome` per record it meets, in file order: either a parsed
``pymarc.Record`` (always Unicode, leader position 9 set to ``a``) or a :class:`RecordProblem`
saying where and why the record was refused. Nothing is dropped silently, so an import's books
balance: records read = records stored + records reported.

ISO 2709 records are framed on the record terminator (0x1D), never on the leader's length, so a
wrong length cannot pull one record's bytes into the next. Before pymarc decodes a record its
structure is checked: leader, base address, directory entries, each field ending with a field
terminator where the directory says, exactly two indicators and a code for every subfield —
pymarc itself would otherwise drop extra indicators or slice fields wrongly without a word.

XML is parsed with defusedxml (DTDs, entities and external references refused) and cleared as it
goes; JSON is streamed with ijson. Memory stays constant whatever the file size.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import IO, Any, cast

import ijson
import pymarc.marc8
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from pymarc import Field, Indicators, Record, Subfield
from pymarc.marc8 import MARC8ToUnicode

RECORD_TERMINATOR = b"\x1d"
FIELD_TERMINATOR = b"\x1e"
SUBFIELD_DELIMITER = b"\x1f"
MARCXML_NS = "http://www.loc.gov/MARC21/slim"
CHUNK = 1 << 20
MAX_RECORD_BYTES = 1 << 20  # a run of bytes this long without a record terminator is not MARC


class MarcFormat(StrEnum):
    ISO2709 = "marc21"
    MARCXML = "marcxml"
    JSON = "marc-json"


@dataclass(frozen=True)
class RecordProblem:
    """Why one record was refused, and where it stood in the file."""

    position: int  # 1-based ordinal of the record in the file
    offset: int | None  # byte offset where the record started (ISO 2709), else None
    control_number: str | None
    code: str
    message: str
    message_en: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "offset": self.offset,
            "control_number": self.control_number,
            "code": self.code,
            "message": self.message,
            "message_en": self.message_en,
        }


@dataclass(frozen=True)
class ReadOutcome:
    position: int
    record: Record | None = None
    problem: RecordProblem | None = None
    warnings: tuple[str, ...] = ()


class _Marc8Unmappable(ValueError):
    pass


class _LoudStderr:
    """pymarc's MARC-8 converter reports an unmappable byte only on stderr and puts a blank in
    its place. Routing its stderr here turns that silent substitution into an error."""

    def write(self, text: str) -> int:
        if text.startswith("Unable to parse character 0x20 "):
            return len(text)  # the space is missing from some of pymarc's tables; a blank is right
        raise _Marc8Unmappable(text.strip())

    def flush(self) -> None:
        return None


class _Marc8Sys:
    stderr = _LoudStderr()


pymarc.marc8.sys = _Marc8Sys()  # type: ignore[assignment]


class _Bad(Exception):
    def __init__(self, code: str, message: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code, self.message, self.message_en = code, message, message_en


def detect_format(head: bytes) -> MarcFormat:
    """Guess the format from the first bytes of a file."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<"):
        return MarcFormat.MARCXML
    if text[:1] in (b"{", b"["):
        return MarcFormat.JSON
    return MarcFormat.ISO2709


def read_records(
    stream: IO[bytes], fmt: MarcFormat | None = None, *, only: Callable[[int], bool] | None = None
) -> Iterator[ReadOutcome]:
    """Every record of the stream as a :class:`ReadOutcome`, in file order.

    ``only`` (ISO 2709): decode just the records whose position it accepts; the others come as
    a bare ``ReadOutcome(position)`` (no record, no problem). A parallel import splits a file
    between processes this way, framing being cheap and decoding not.
    """
    buffered = (
        stream if isinstance(stream, io.BufferedReader) else io.BufferedReader(cast(io.RawIOBase, stream))
    )
    fmt = fmt or detect_format(buffered.peek(64)[:64])
    if fmt is MarcFormat.ISO2709:
        return _read_iso2709(buffered, only)
    if fmt is MarcFormat.MARCXML:
        return _read_marcxml(buffered)
    return _read_json(buffered)


# --------------------------------------------------------------------------- ISO 2709


def _frames(stream: IO[bytes]) -> Iterator[tuple[int, bytes, bool]]:
    """Yield (offset, bytes, terminated) per record; ``terminated`` is False for a cut-off tail."""
    pending = bytearray()
    offset = 0
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        pending += chunk
        start = 0
        while (end := pending.find(RECORD_TERMINATOR, start)) != -1:
            yield offset, bytes(pending[start : end + 1]), True
            offset += end + 1 - start
            start = end + 1
        del pending[:start]
        if len(pending) > MAX_RECORD_BYTES:
            # No terminator within any plausible record: report it and resynchronise on the next one.
            cut = pending.find(RECORD_TERMINATOR)
            yield offset, bytes(pending), False
            offset += len(pending)
            pending.clear()
            del cut
    tail = bytes(pending)
    if tail.strip(b" \r\n\t\x00\x1a"):
        yield offset, tail, False


def _control_number_guess(data: bytes) -> str | None:
    """The 001 of a damaged record: through its directory when readable, else the first field
    when it looks like a control number (001 comes first in practice)."""
    try:
        base = int(data[12:17])
    except ValueError:
        return None
    directory = data[24 : base - 1]
    try:
        for i in range(0, len(directory) - 11, 12):
            if directory[i : i + 3] == b"001":
                length, start = int(directory[i + 3 : i + 7]), int(directory[i + 7 : i + 12])
                value = data[base + start : base + start + length].rstrip(FIELD_TERMINATOR)
                return value.decode("utf-8", "replace").strip() or None
    except ValueError:
        pass
    first = data[base : base + 41].split(FIELD_TERMINATOR, 1)
    if len(first) == 2 and first[0] and SUBFIELD_DELIMITER not in first[0] and first[0].isascii():
        return first[0].decode("ascii").strip() or None
    return None


def _read_iso2709(stream: IO[bytes], only: Callable[[int], bool] | None = None) -> Iterator[ReadOutcome]:
    marc8 = MARC8ToUnicode(quiet=False)
    for position, (offset, data, terminated) in enumerate(_frames(stream), start=1):
        if only is not None and not only(position):
            yield ReadOutcome(position)
            continue
        try:
            if not terminated:
                raise _Bad(
                    "record_unterminated",
                    "Rekaman terpotong: tanda akhir rekaman (0x1D) tidak ditemukan",
                    "Truncated record: no record terminator (0x1D) found",
                )
            record, warnings = _decode_iso2709(data, marc8)
            yield ReadOutcome(position, record=record, warnings=warnings)
        except _Bad as bad:
            yield ReadOutcome(
                position,
                problem=RecordProblem(
                    position, offset, _control_number_guess(data), bad.code, bad.message, bad.message_en
                ),
            )


def _decode_iso2709(data: bytes, marc8: MARC8ToUnicode) -> tuple[Record, tuple[str, ...]]:
    warnings: list[str] = []
    if len(data) < 25:
        raise _Bad("record_too_short", "Rekaman terlalu pendek", "Record too short")
    leader_bytes = data[:24]
    if not leader_bytes.isascii() or not leader_bytes[:5].isdigit() or not leader_bytes[12:17].isdigit():
        raise _Bad(
            "leader_invalid",
            "Leader tidak valid (panjang atau alamat dasar bukan angka)",
            "Invalid leader (record length or base address not numeric)",
        )
    declared = int(leader_bytes[:5])
    if declared != len(data):
        warnings.append(f"leader length {declared} corrected to {len(data)}")
    base = int(leader_bytes[12:17])
    if base < 25 or base > len(data) or data[base - 1 : base] != FIELD_TERMINATOR:
        raise _Bad(
            "base_address_invalid",
            "Alamat dasar data pada leader tidak valid",
            "Invalid base address of data in the leader",
        )
    directory = data[24 : base - 1]
    if len(directory) % 12 or not directory.isascii() or not directory.replace(b" ", b"0").isalnum():
        raise _Bad("directory_invalid", "Direktori rekaman rusak", "Corrupt record directory")
    utf8 = leader_bytes[9:10] == b"a"
    fields: list[Field] = []
    body_end = len(data) - 1  # the record terminator
    for i in range(0, len(directory), 12):
        entry = directory[i : i + 12]
        tag = entry[:3].decode("ascii")
        if not entry[3:12].isdigit():
            raise _Bad("directory_invalid", f"Entri direktori {tag} rusak", f"Corrupt directory entry {tag}")
        length, start = int(entry[3:7]), int(entry[7:12])
        begin, stop = base + start, base + start + length
        if length < 1 or stop > body_end or data[stop - 1 : stop] != FIELD_TERMINATOR:
            raise _Bad(
                "field_boundary_invalid",
                f"Ruas {tag} tidak berakhir di tempat yang ditunjuk direktori",
                f"Field {tag} does not end where the directory says",
            )
        fields.append(_decode_field(tag, data[begin : stop - 1], utf8, marc8, warnings))
    leader = leader_bytes.decode("ascii")
    record = Record(leader=leader[:9] + "a" + leader[10:], force_utf8=True)
    record.fields = fields
    return record, tuple(warnings)


def _text(raw: bytes, utf8: bool, marc8: MARC8ToUnicode, tag: str, warnings: list[str]) -> str:
    """Decode one field in the encoding the leader names.

    A field that fails there but is clean in the other MARC21 encoding (a common mislabelling,
    e.g. a MARC-8 pound sign 0xB9 in a UTF-8 record, or MARC-8 escape sequences in one) is
    recovered with a warning. Text still holding an escape character (0x1B) was not converted,
    so it refuses the record like any other undecodable field.
    """
    decoders = [("UTF-8", _utf8), ("MARC-8", lambda b: _marc8(b, marc8))]
    if not utf8:
        decoders.reverse()
    for attempt, (label, decode) in enumerate(decoders):
        try:
            text = decode(raw)
        except (_Marc8Unmappable, UnicodeDecodeError, ValueError, KeyError, IndexError, TypeError):
            continue
        if "\x1b" in text:
            continue
        if attempt:
            warnings.append(f"field {tag}: not {decoders[0][0]}, read as {label}")
        return text
    expected = decoders[0][0]
    raise _Bad(
        "encoding_invalid",
        f"Ruas {tag} berisi karakter yang tidak dapat dibaca ({expected})",
        f"Field {tag} holds undecodable characters ({expected})",
    )


def _utf8(raw: bytes) -> str:
    return raw.decode("utf-8")


def _marc8(raw: bytes, marc8: MARC8ToUnicode) -> str:
    marc8.g0, marc8.g1 = marc8.basic_latin, marc8.ansel  # each field starts in the default sets
    return str(marc8.translate(raw))


def _decode_field(tag: str, raw: bytes, utf8: bool, marc8: MARC8ToUnicode, warnings: list[str]) -> Field:
    if not (tag.isalnum() and len(tag) == 3):
        raise _Bad("tag_invalid", f"Tag ruas tidak valid: {tag!r}", f"Invalid field tag: {tag!r}")
    if tag < "010" and tag.isdigit():
        return Field(tag=tag, data=_text(raw, utf8, marc8, tag, warnings))
    if utf8 and (fast := _utf8_datafield(tag, raw)) is not None:
        return fast
    parts = raw.split(SUBFIELD_DELIMITER)
    if len(parts[0]) != 2 or not parts[0].isascii():
        raise _Bad(
            "indicators_invalid",
            f"Ruas {tag} harus memiliki tepat dua indikator (ada {len(parts[0])})",
            f"Field {tag} must have exactly two indicators (found {len(parts[0])})",
        )
    indicators = parts[0].decode("ascii")
    subfields: list[Subfield] = []
    for part in parts[1:]:
        if not part:
            raise _Bad(
                "subfield_code_missing",
                f"Ruas {tag} memiliki subruas tanpa kode",
                f"Field {tag} has a subfield without a code",
            )
        value = _text(part, utf8, marc8, tag, warnings)
        subfields.append(Subfield(code=value[0], value=value[1:]))
    return Field(tag=tag, indicators=Indicators(indicators[0], indicators[1]), subfields=subfields)


def _utf8_datafield(tag: str, raw: bytes) -> Field | None:
    """The common case in one decode: a clean UTF-8 data field. None sends it the careful way."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\x1b" in text:
        return None
    parts = text.split("\x1f")
    indicators = parts[0]
    if len(indicators) != 2 or not indicators.isascii():
        return None
    subfields = []
    for part in parts[1:]:
        if not part:
            return None
        subfields.append(Subfield(part[0], part[1:]))
    return Field(tag=tag, indicators=Indicators(indicators[0], indicators[1]), subfields=subfields)


# --------------------------------------------------------------------------- MARCXML


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _read_marcxml(stream: IO[bytes]) -> Iterator[ReadOutcome]:
    position = 0
    try:
        for _event, elem in iterparse(stream, events=("end",), forbid_dtd=True):
            if _local(elem.tag) != "record":
                continue
            position += 1
            try:
                yield ReadOutcome(position, record=_xml_record(elem))
            except _Bad as bad:
                control = elem.find(f"{{{MARCXML_NS}}}controlfield[@tag='001']")
                if control is None:
                    control = elem.find("controlfield[@tag='001']")
                yield ReadOutcome(
                    position,
                    problem=RecordProblem(
                        position,
                        None,
                        (control.text or "").strip() or None if control is not None else None,
                        bad.code,
                        bad.message,
                        bad.message_en,
                    ),
                )
            elem.clear()
    except DefusedXmlException as exc:
        yield _file_problem(
            position + 1,
            "xml_refused",
            f"XML ditolak demi keamanan ({type(exc).__name__}): DTD, entitas dan rujukan eksternal tidak diizinkan",
            f"XML refused for safety ({type(exc).__name__}): DTDs, entities and external references are not allowed",
        )
    except SyntaxError as exc:  # ParseError subclasses SyntaxError
        yield _file_problem(
            position + 1,
            "xml_malformed",
            f"XML tidak sah setelah rekaman ke-{position}: {exc}",
            f"Malformed XML after record {position}: {exc}",
        )


def _file_problem(position: int, code: str, message: str, message_en: str) -> ReadOutcome:
    return ReadOutcome(position, problem=RecordProblem(position, None, None, code, message, message_en))


def _xml_record(elem: Any) -> Record:
    leader_text = None
    fields: list[Field] = []
    for child in elem:
        name = _local(child.tag)
        if name == "leader":
            leader_text = child.text or ""
        elif name == "controlfield":
            tag = child.get("tag")
            if not tag:
                raise _Bad("tag_missing", "Ruas kontrol tanpa tag", "Control field without a tag")
            fields.append(Field(tag=tag, data=child.text or ""))
        elif name == "datafield":
            fields.append(_xml_datafield(child))
    if leader_text is None or len(leader_text) != 24:
        raise _Bad(
            "leader_invalid", "Leader tidak ada atau panjangnya bukan 24", "Leader missing or not 24 long"
        )
    record = Record(leader=leader_text[:9] + "a" + leader_text[10:], force_utf8=True)
    record.fields = fields
    return record


def _xml_datafield(node: Any) -> Field:
    tag = node.get("tag")
    if not tag or len(tag) != 3:
        raise _Bad("tag_missing", "Ruas data tanpa tag yang sah", "Data field without a valid tag")
    ind1, ind2 = node.get("ind1", " ") or " ", node.get("ind2", " ") or " "
    if len(ind1) != 1 or len(ind2) != 1:
        raise _Bad(
            "indicators_invalid", f"Indikator ruas {tag} tidak sah", f"Invalid indicators in field {tag}"
        )
    subfields = []
    for sub in node:
        if _local(sub.tag) != "subfield":
            raise _Bad(
                "subfield_invalid",
                f"Ruas {tag} berisi elemen selain subfield",
                f"Field {tag} holds an element other than subfield",
            )
        code = sub.get("code")
        if not code or len(code) != 1:
            raise _Bad(
                "subfield_code_missing", f"Subruas ruas {tag} tanpa kode", f"Subfield of {tag} has no code"
            )
        subfields.append(Subfield(code=code, value=sub.text or ""))
    return Field(tag=tag, indicators=Indicators(ind1, ind2), subfields=subfields)


# --------------------------------------------------------------------------- MARC-in-JSON


def _read_json(stream: io.BufferedReader) -> Iterator[ReadOutcome]:
    head = stream.peek(64)[:64].lstrip()
    prefix = "item" if head.startswith(b"[") else ""
    position = 0
    try:
        for obj in ijson.items(stream, prefix, use_float=True):
            position += 1
            try:
                yield ReadOutcome(position, record=_json_record(obj))
            except _Bad as bad:
                yield ReadOutcome(
                    position,
                    problem=RecordProblem(
                        position, None, _json_control_number(obj), bad.code, bad.message, bad.message_en
                    ),
                )
    except (ijson.JSONError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        yield _file_problem(
            position + 1,
            "json_malformed",
            f"JSON tidak sah setelah rekaman ke-{position}: {exc}",
            f"Malformed JSON after record {position}: {exc}",
        )


def _json_control_number(obj: Any) -> str | None:
    try:
        for entry in obj.get("fields", []):
            if "001" in entry:
                return str(entry["001"])
    except AttributeError:
        return None
    return None


def _json_record(obj: Any) -> Record:
    if not isinstance(obj, dict) or not isinstance(obj.get("leader"), str) or len(obj["leader"]) != 24:
        raise _Bad(
            "leader_invalid", "Leader tidak ada atau panjangnya bukan 24", "Leader missing or not 24 long"
        )
    raw_fields = obj.get("fields")
    if not isinstance(raw_fields, list):
        raise _Bad("fields_missing", "Daftar ruas (fields) tidak ada", "No fields list")
    fields: list[Field] = []
    for entry in raw_fields:
        if not isinstance(entry, dict) or len(entry) != 1:
            raise _Bad(
                "field_invalid", "Ruas harus berupa objek dengan satu tag", "A field must be a one-tag object"
            )
        ((tag, value),) = entry.items()
        if len(tag) != 3:
            raise _Bad("tag_invalid", f"Tag ruas tidak valid: {tag!r}", f"Invalid field tag: {tag!r}")
        if isinstance(value, str):
            fields.append(Field(tag=tag, data=value))
            continue
        if not isinstance(value, dict) or not isinstance(value.get("subfields"), list):
            raise _Bad("field_invalid", f"Ruas {tag} tidak berisi subruas", f"Field {tag} has no subfields")
        ind1, ind2 = str(value.get("ind1", " ")), str(value.get("ind2", " "))
        if len(ind1) != 1 or len(ind2) != 1:
            raise _Bad(
                "indicators_invalid", f"Indikator ruas {tag} tidak sah", f"Invalid indicators in {tag}"
            )
        subfields = []
        for sub in value["subfields"]:
            if not isinstance(sub, dict) or len(sub) != 1:
                raise _Bad("subfield_invalid", f"Subruas {tag} tidak sah", f"Invalid subfield in {tag}")
            ((code, text),) = sub.items()
            if len(code) != 1 or not isinstance(text, str):
                raise _Bad("subfield_invalid", f"Subruas {tag} tidak sah", f"Invalid subfield in {tag}")
            subfields.append(Subfield(code=code, value=text))
        fields.append(Field(tag=tag, indicators=Indicators(ind1, ind2), subfields=subfields))
    leader = obj["leader"]
    record = Record(leader=leader[:9] + "a" + leader[10:], force_utf8=True)
    record.fields = fields
    return record
