"""EAD3 export of a fonds, series or berkas (Encoded Archival Description 3, ISAD(G)-compatible).

Only the records the caller may read are described (the policy decides; every non-``BIASA``
record exported is audited as ``export``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from xml.etree import ElementTree as ET

from archive.models import Berkas, Record
from pusip_kit.db import utcnow

EAD_NS = "http://ead3.archivists.org/schema/"
LEVELS = {"fonds": "fonds", "series": "series", "file": "file"}


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k.rstrip("_"): v for k, v in attrs.items()})
    if text is not None:
        element.text = text
    return element


def _dates(did: ET.Element, records: Sequence[Record]) -> None:
    if not records:
        return
    first = min(r.record_date for r in records)
    last = max(r.record_date for r in records)
    _sub(
        did,
        "unitdate",
        f"{first.year}–{last.year}" if first.year != last.year else str(first.year),
        normal=f"{first.isoformat()}/{last.isoformat()}",
    )


def _did(parent: ET.Element, berkas: Berkas, records: Sequence[Record]) -> ET.Element:
    did = _sub(parent, "did")
    _sub(did, "unitid", berkas.number)
    if berkas.classification_code:
        _sub(did, "unitid", berkas.classification_code, localtype="kode_klasifikasi")
    _sub(did, "unittitle", berkas.title)
    _dates(did, records)
    origination = _sub(did, "origination")
    corp = _sub(origination, "corpname")
    _sub(corp, "part", berkas.unit)
    phys = _sub(did, "physdescstructured", coverage="whole", physdescstructuredtype="materialtype")
    _sub(phys, "quantity", str(len(records)))
    _sub(phys, "unittype", "arsip")
    return did


def _item(parent: ET.Element, record: Record) -> None:
    c = _sub(parent, "c", level="item", id=f"r-{record.id}")
    did = _sub(c, "did")
    _sub(did, "unitid", record.reference_number)
    _sub(did, "unitid", record.classification_code, localtype="kode_klasifikasi")
    _sub(did, "unittitle", record.title)
    _sub(did, "unitdate", record.record_date.isoformat(), normal=record.record_date.isoformat())
    if record.description:
        scope = _sub(c, "scopecontent")
        _sub(scope, "p", record.description)
    restrict = _sub(c, "accessrestrict")
    _sub(restrict, "p", f"Klasifikasi keamanan: {record.security_level}")
    if record.disposition:
        appraisal = _sub(c, "appraisal")
        _sub(
            appraisal,
            "p",
            f"JRA: aktif {record.active_years if record.active_years is not None else '-'} th, inaktif "
            f"{record.inactive_years if record.inactive_years is not None else '-'} th, nasib akhir {record.disposition}",
        )


def render_ead(
    root: Berkas,
    children: dict[uuid.UUID, list[Berkas]],
    records: dict[uuid.UUID, list[Record]],
    *,
    agency: str,
) -> bytes:
    ead = ET.Element("ead", {"xmlns": EAD_NS})
    control = _sub(ead, "control")
    _sub(control, "recordid", f"pusip-berkas-{root.id}")
    filedesc = _sub(control, "filedesc")
    titlestmt = _sub(filedesc, "titlestmt")
    _sub(titlestmt, "titleproper", root.title)
    _sub(control, "maintenancestatus", value="derived")
    agency_el = _sub(control, "maintenanceagency")
    _sub(agency_el, "agencyname", agency)
    languages = _sub(control, "languagedeclaration")
    _sub(languages, "language", "Bahasa Indonesia", langcode="ind")
    _sub(languages, "script", "Latin", scriptcode="Latn")
    history = _sub(control, "maintenancehistory")
    event = _sub(history, "maintenanceevent")
    _sub(event, "eventtype", value="derived")
    now = utcnow()
    _sub(
        event,
        "eventdatetime",
        now.strftime("%Y-%m-%d %H:%M"),
        standarddatetime=now.isoformat(timespec="seconds"),
    )
    _sub(event, "agenttype", value="machine")
    _sub(event, "agent", "Pusip")

    def everything(node: Berkas) -> list[Record]:
        out = list(records.get(node.id, []))
        for child in children.get(node.id, []):
            out.extend(everything(child))
        return out

    archdesc = _sub(ead, "archdesc", level=LEVELS.get(root.kind, "otherlevel"))
    _did(archdesc, root, everything(root))
    if root.description:
        scope = _sub(archdesc, "scopecontent")
        _sub(scope, "p", root.description)
    dsc = _sub(archdesc, "dsc")

    def component(parent: ET.Element, node: Berkas) -> None:
        for child in children.get(node.id, []):
            c = _sub(parent, "c", level=LEVELS.get(child.kind, "otherlevel"), id=f"b-{child.id}")
            _did(c, child, everything(child))
            component(c, child)
        for record in records.get(node.id, []):
            _item(parent, record)

    component(dsc, root)
    ET.indent(ead)
    body: bytes = ET.tostring(ead, encoding="utf-8", xml_declaration=True)
    return body


def ead_filename(berkas: Berkas, day: date | None = None) -> str:
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in berkas.number)[:80]
    return f"ead3-{safe}-{(day or date.today()).isoformat()}.xml"
