"""SRU 1.1/1.2 over HTTP GET: explain and searchRetrieve, with diagnostics as SRU defines them.

The catalogue supplies ``search(text, offset, limit) -> (total, records)``; this module validates
the request, compiles CQL, renders records as MARCXML or Dublin Core and wraps the response.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from pymarc import Record

from catalog.marc.export import dublin_core, to_marcxml
from catalog.sru.cql import CqlError, cql_to_text

SRW_NS = "http://www.loc.gov/zing/srw/"
DIAG_NS = "http://www.loc.gov/zing/srw/diagnostic/"
MAX_RECORDS = 100

SCHEMAS = {
    "marcxml": "info:srw/schema/1/marcxml-v1.1",
    "dc": "info:srw/schema/1/dc-v1.1",
}
_SCHEMA_ALIASES = {
    "marcxml": "marcxml",
    "marc21": "marcxml",
    "info:srw/schema/1/marcxml-v1.1": "marcxml",
    "dc": "dc",
    "info:srw/schema/1/dc-v1.1": "dc",
}

INDEXES: dict[str, str | None] = {
    "cql.serverChoice": None,
    "cql.anywhere": None,
    "dc.title": "title",
    "dc.creator": "authors",
    "dc.subject": "subjects",
    "dc.publisher": "publisher",
    "bath.isbn": "isbns",
    "rec.id": "control_number",
}

Search = Callable[[str, int, int], Awaitable[tuple[int, Sequence[Record]]]]


@dataclass(frozen=True)
class ExplainInfo:
    host: str
    port: int
    database: str
    title: str
    description: str


class _Diagnostic(Exception):
    def __init__(self, number: int, message: str, details: str = "") -> None:
        super().__init__(message)
        self.number, self.message, self.details = number, message, details


def _diagnostic_xml(d: _Diagnostic) -> str:
    details = f"<details>{escape(d.details)}</details>" if d.details else ""
    return (
        f'<diagnostics><diagnostic xmlns="{DIAG_NS}"><uri>info:srw/diagnostic/1/{d.number}</uri>'
        f"{details}<message>{escape(d.message)}</message></diagnostic></diagnostics>"
    )


def _int(params: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < minimum:
        raise _Diagnostic(6, "Unsupported parameter value", name)
    return int(raw)


def _dc_xml(record: Record) -> str:
    body = "".join(
        f"<dc:{name}>{escape(value)}</dc:{name}>"
        for name, values in dublin_core(record).items()
        for value in values
    )
    return f'<srw_dc:dc xmlns:srw_dc="info:srw/schema/1/dc-schema" xmlns:dc="http://purl.org/dc/elements/1.1/">{body}</srw_dc:dc>'


async def handle_sru(params: Mapping[str, str], *, search: Search, info: ExplainInfo) -> str:
    version = params.get("version", "1.2")
    try:
        if version not in ("1.1", "1.2"):
            raise _Diagnostic(5, "Unsupported version", version)
        operation = params.get("operation", "explain" if "query" not in params else "searchRetrieve")
        if operation == "explain":
            return _envelope("explainResponse", version, _explain(info))
        if operation != "searchRetrieve":
            raise _Diagnostic(4, "Unsupported operation", operation)
        return _envelope("searchRetrieveResponse", version, await _search_retrieve(params, search))
    except _Diagnostic as d:
        name = "explainResponse" if params.get("operation") == "explain" else "searchRetrieveResponse"
        count = "" if name == "explainResponse" else "<numberOfRecords>0</numberOfRecords>"
        return _envelope(name, version, count + _diagnostic_xml(d))


async def _search_retrieve(params: Mapping[str, str], search: Search) -> str:
    query = params.get("query")
    if not query:
        raise _Diagnostic(7, "Mandatory parameter not supplied", "query")
    start = _int(params, "startRecord", 1, 1)
    maximum = _int(params, "maximumRecords", 10, 0)
    if maximum > MAX_RECORDS:
        raise _Diagnostic(6, "Unsupported parameter value", f"maximumRecords > {MAX_RECORDS}")
    schema = _SCHEMA_ALIASES.get(params.get("recordSchema", "marcxml").lower())
    if schema is None:
        raise _Diagnostic(66, "Unknown schema for retrieval", params.get("recordSchema", ""))
    packing = params.get("recordPacking", "xml")
    if packing not in ("xml", "string"):
        raise _Diagnostic(71, "Unsupported record packing", packing)
    try:
        text = cql_to_text(query, INDEXES)
    except CqlError as err:
        raise _Diagnostic(err.diagnostic, err.message, err.details) from err
    total, records = await search(text, start - 1, maximum)
    if start > 1 and start > total and total:
        raise _Diagnostic(61, "First record position out of range", str(start))
    rendered = []
    for position, record in enumerate(records, start=start):
        data = to_marcxml(record) if schema == "marcxml" else _dc_xml(record)
        if packing == "string":
            data = escape(data)
        rendered.append(
            f"<record><recordSchema>{SCHEMAS[schema]}</recordSchema><recordPacking>{packing}</recordPacking>"
            f"<recordData>{data}</recordData><recordPosition>{position}</recordPosition></record>"
        )
    next_position = start + len(records)
    nxt = (
        f"<nextRecordPosition>{next_position}</nextRecordPosition>"
        if next_position <= total and records
        else ""
    )
    return f"<numberOfRecords>{total}</numberOfRecords><records>{''.join(rendered)}</records>{nxt}"


def _explain(info: ExplainInfo) -> str:
    indexes = "".join(
        f'<index><title>{escape(name)}</title><map><name set="{escape(name.split(".")[0])}">'
        f"{escape(name.split('.', 1)[1])}</name></map></index>"
        for name in INDEXES
    )
    schemas = "".join(
        f'<schema identifier="{uri}" name="{name}"><title>{name}</title></schema>'
        for name, uri in SCHEMAS.items()
    )
    return (
        "<record><recordSchema>http://explain.z3950.org/dtd/2.0/</recordSchema><recordPacking>xml</recordPacking>"
        '<recordData><explain xmlns="http://explain.z3950.org/dtd/2.0/">'
        f'<serverInfo protocol="SRU"><host>{escape(info.host)}</host><port>{info.port}</port>'
        f"<database>{escape(info.database)}</database></serverInfo>"
        f"<databaseInfo><title>{escape(info.title)}</title><description>{escape(info.description)}</description></databaseInfo>"
        f'<indexInfo><set identifier="info:srw/cql-context-set/1/cql-v1.2" name="cql"/>'
        f'<set identifier="info:srw/cql-context-set/1/dc-v1.1" name="dc"/>'
        f'<set identifier="http://zing.z3950.org/cql/bath/2.0/" name="bath"/>{indexes}</indexInfo>'
        f"<schemaInfo>{schemas}</schemaInfo>"
        f'<configInfo><default type="numberOfRecords">10</default><setting type="maximumRecords">{MAX_RECORDS}</setting></configInfo>'
        "</explain></recordData></record>"
    )


def _envelope(name: str, version: str, body: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<srw:{name} xmlns:srw="{SRW_NS}" xmlns="{SRW_NS}">'
        f"<srw:version>{escape(version)}</srw:version>{body}</srw:{name}>"
    )
