"""Serialise records: MARC21 (ISO 2709), MARCXML, MARC-in-JSON, Dublin Core and CSV.

Every writer works one record at a time, so a whole catalogue streams in constant memory.
ISO 2709 cannot hold a field over 9,999 bytes or a record over 99,999 bytes; such a record is
refused with :class:`TooLongForIso2709` rather than written with a corrupt directory.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape, quoteattr

from pymarc import Leader, Record

from catalog.marc.derive import derive

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MARCXML_NS = "http://www.loc.gov/MARC21/slim"


class TooLongForIso2709(ValueError):
    def __init__(self, control_number: str | None, detail: str) -> None:
        super().__init__(f"{control_number or '?'}: {detail}")
        self.control_number = control_number
        self.detail = detail


def _control_number(record: Record) -> str | None:
    field = record.get("001")  # record["001"] raises KeyError when the record has none
    return field.data if field is not None else None


def to_iso2709(record: Record) -> bytes:
    """The record in transmission format, UTF-8, leader length and base address recomputed."""
    leader = str(record.leader)
    if leader[9] != "a":
        record.leader = Leader(leader[:9] + "a" + leader[10:])
    for f in record.fields:
        size = len(f.as_marc("utf-8"))
        if size > 9999:
            raise TooLongForIso2709(_control_number(record), f"field {f.tag} is {size} bytes (limit 9999)")
    data: bytes = record.as_marc()
    if len(data) > 99999:
        raise TooLongForIso2709(_control_number(record), f"record is {len(data)} bytes")
    return data


def _x(text: str) -> str:
    return escape(_XML_ILLEGAL.sub("", text))


def _attr(text: str) -> str:
    return quoteattr(_XML_ILLEGAL.sub("", text))


def to_marcxml(record: Record, *, namespace: bool = True) -> str:
    """One ``<record>`` element; XML-illegal control characters are stripped."""
    ns = f' xmlns="{MARCXML_NS}"' if namespace else ""
    parts = [f"<record{ns}>", f"<leader>{_x(str(record.leader))}</leader>"]
    for f in record.fields:
        if f.is_control_field():
            parts.append(f"<controlfield tag={_attr(f.tag)}>{_x(f.data or '')}</controlfield>")
            continue
        parts.append(f"<datafield tag={_attr(f.tag)} ind1={_attr(f.indicator1)} ind2={_attr(f.indicator2)}>")
        parts.extend(f"<subfield code={_attr(sf.code)}>{_x(sf.value)}</subfield>" for sf in f.subfields)
        parts.append("</datafield>")
    parts.append("</record>")
    return "".join(parts)


def marcxml_collection(records: Iterable[Record]) -> Iterator[str]:
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="{MARCXML_NS}">\n'
    for record in records:
        yield to_marcxml(record, namespace=False) + "\n"
    yield "</collection>\n"


def to_marc_json(record: Record) -> dict[str, object]:
    fields: list[dict[str, object]] = []
    for f in record.fields:
        if f.is_control_field():
            fields.append({f.tag: f.data})
        else:
            fields.append(
                {
                    f.tag: {
                        "ind1": f.indicator1,
                        "ind2": f.indicator2,
                        "subfields": [{sf.code: sf.value} for sf in f.subfields],
                    }
                }
            )
    return {"leader": str(record.leader), "fields": fields}


def marc_json_array(records: Iterable[Record]) -> Iterator[str]:
    yield "["
    for i, record in enumerate(records):
        yield ("," if i else "") + json.dumps(to_marc_json(record), ensure_ascii=False)
    yield "]\n"


DC_NS = (
    'xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/"'
)


def dublin_core(record: Record) -> dict[str, list[str]]:
    """Simple Dublin Core elements, following the Library of Congress MARC→DC crosswalk."""
    b = derive(record)
    dc: dict[str, list[str]] = {
        "title": [b.title] if b.title else [],
        "creator": b.authors[:1],
        "contributor": b.authors[1:],
        "subject": b.subjects,
        "publisher": [b.publisher] if b.publisher else [],
        "date": [str(b.year)] if b.year else [],
        "type": ["Text"] if b.material_type in ("book", "serial", "manuscript") else [b.material_type],
        "identifier": [f"ISBN {i}" for i in b.isbns] + [f"ISSN {i}" for i in b.issns],
        "language": [b.language] if b.language else [],
        "description": [b.summary] if b.summary else [],
    }
    return {k: v for k, v in dc.items() if v}


def to_oai_dc(record: Record) -> str:
    body = "".join(
        f"<dc:{name}>{_x(value)}</dc:{name}>"
        for name, values in dublin_core(record).items()
        for value in values
    )
    return (
        f'<oai_dc:dc {DC_NS} xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc/ '
        f'http://www.openarchives.org/OAI/2.0/oai_dc.xsd">{body}</oai_dc:dc>'
    )


CSV_COLUMNS = (
    "control_number", "title", "authors", "subjects", "isbns", "issns", "publisher", "place", "year",
    "language", "material_type", "call_number", "series", "edition",
)  # fmt: skip


def csv_rows(records: Iterable[Record]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for record in records:
        fields = derive(record).as_dict()
        writer.writerow(
            [
                "; ".join(v) if isinstance(v, list) else ("" if v is None else v)
                for v in (fields[c] for c in CSV_COLUMNS)
            ]
        )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()
