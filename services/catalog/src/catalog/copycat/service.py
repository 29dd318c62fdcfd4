"""Copy cataloguing: find records for an ISBN in another catalogue over SRU (MARCXML).

The target's answer is parsed with defusedxml (no DTDs, entities or external references) and its
records go through the same lenient MARCXML reader as imports. Each candidate says whether the
catalogue already holds a matching record.
"""

from __future__ import annotations

import io
import logging
from typing import Any

import httpx
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring, tostring
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.marc import MarcFormat, read_records
from catalog.marc.derive import derive, normalize_isbn
from catalog.marc.export import to_marc_json
from catalog.records.marcdata import isbn_forms, match_keys
from catalog.records.repository import RecordRepository
from pusip_kit.errors import PusipError, ServiceUnavailable, Unprocessable

log = logging.getLogger(__name__)

SRW = "{http://www.loc.gov/zing/srw/}"
MARCXML = "{http://www.loc.gov/MARC21/slim}"
MAX_RESPONSE_BYTES = 8 * 1024 * 1024
MAX_CANDIDATES = 10


class BadGateway(PusipError):
    status_code = 502
    code = "copy_cataloging_target_error"
    message = "Katalog sumber memberi jawaban yang tidak dapat dipakai"
    message_en = "The source catalogue gave an unusable answer"


class GatewayTimeout(PusipError):
    status_code = 504
    code = "copy_cataloging_timeout"
    message = "Katalog sumber tidak menjawab tepat waktu"
    message_en = "The source catalogue did not answer in time"


def isbn_query(isbn: str) -> tuple[str, str]:
    """The normalised ISBN and a CQL query matching its 10- and 13-digit forms."""
    normalised = normalize_isbn(isbn.replace(" ", ""))
    if normalised is None:
        raise Unprocessable("ISBN tidak sah", "Invalid ISBN", code="isbn_invalid", details={"isbn": isbn})
    forms = isbn_forms(normalised)
    return forms[0], " or ".join(f'bath.isbn="{form}"' for form in forms)


async def _fetch(url: str, query: str, timeout_seconds: float) -> bytes:
    params = {
        "version": "1.1",
        "operation": "searchRetrieve",
        "query": query,
        "recordSchema": "marcxml",
        "recordPacking": "xml",
        "maximumRecords": str(MAX_CANDIDATES),
    }
    try:
        async with (
            httpx.AsyncClient(timeout=timeout_seconds, follow_redirects=True) as client,
            client.stream(
                "GET", url, params=params, headers={"Accept": "text/xml, application/xml"}
            ) as response,
        ):
            if response.status_code != 200:
                raise BadGateway(details={"status": response.status_code})
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_RESPONSE_BYTES:
                    raise BadGateway(details={"reason": "response too large"})
            return bytes(body)
    except httpx.TimeoutException as exc:
        raise GatewayTimeout(details={"target": url}) from exc
    except httpx.HTTPError as exc:
        raise BadGateway(
            "Katalog sumber tidak dapat dihubungi",
            "The source catalogue cannot be reached",
            details={"error": str(exc)[:200]},
        ) from exc


def parse_response(body: bytes) -> list[bytes]:
    """MARCXML ``<record>`` elements of an SRU response, as standalone documents."""
    try:
        root = fromstring(body, forbid_dtd=True)
    except (DefusedXmlException, SyntaxError) as exc:
        raise BadGateway(details={"reason": f"unreadable XML: {type(exc).__name__}"}) from exc
    diagnostic = root.find(".//{http://www.loc.gov/zing/srw/diagnostic/}diagnostic")
    if diagnostic is not None:
        message = diagnostic.findtext("{http://www.loc.gov/zing/srw/diagnostic/}message") or ""
        uri = diagnostic.findtext("{http://www.loc.gov/zing/srw/diagnostic/}uri") or ""
        raise BadGateway(details={"diagnostic": uri, "message": message[:200]})
    out: list[bytes] = []
    for data in root.iter(f"{SRW}recordData"):
        found = data.find(f"{MARCXML}record")
        if found is not None:
            out.append(tostring(found, encoding="utf-8"))
        elif data.text and data.text.strip().startswith("<"):  # recordPacking=string
            out.append(data.text.strip().encode())
    return out


class CopyCatalogingService:
    async def candidates(
        self, session: AsyncSession, *, url: str, isbn: str, timeout_seconds: float
    ) -> dict[str, Any]:
        if not url:
            raise ServiceUnavailable(
                "Sumber katalogisasi salin (SRU) belum diatur", "No copy-cataloguing SRU target is configured",
                code="copy_cataloging_unconfigured",
            )  # fmt: skip
        normalised, query = isbn_query(isbn)
        body = await _fetch(url, query, timeout_seconds)
        repository = RecordRepository(session)
        candidates: list[dict[str, Any]] = []
        problems: list[dict[str, Any]] = []
        for xml in parse_response(body):
            for outcome in read_records(io.BytesIO(xml), MarcFormat.MARCXML):
                if outcome.record is None:
                    if outcome.problem is not None:
                        problems.append(outcome.problem.as_dict())
                    continue
                fields = derive(outcome.record)
                existing = await repository.first_match(match_keys(outcome.record, fields))
                candidates.append(
                    {
                        "title": fields.title,
                        "authors": fields.authors,
                        "year": fields.year,
                        "publisher": fields.publisher,
                        "isbns": fields.isbns,
                        "control_number": fields.control_number,
                        "existing_record_id": str(existing) if existing else None,
                        "marc": to_marc_json(outcome.record),
                    }
                )
        return {
            "isbn": normalised,
            "target": url,
            "candidates": candidates[:MAX_CANDIDATES],
            "problems": problems,
        }


copy_cataloging_service = CopyCatalogingService()
