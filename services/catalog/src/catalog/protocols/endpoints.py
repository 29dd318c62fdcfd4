"""OAI-PMH 2.0 at ``/oai`` (GET and POST) and SRU 1.1/1.2 at ``/sru``."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError
from pymarc import Record

from catalog.deps import RuntimeDep, SessionmakerDep
from catalog.protocols.oai import CatalogRecordSource
from catalog.records.export import rows_by_ids
from catalog.records.marcdata import record_from_text
from catalog.search.audience import Audience, restrict_text
from catalog.search.service import text_fields
from catalog.sru.protocol import ExplainInfo, handle_sru
from catalog.uploads import too_large
from pusip_kit.forwarded import public_base_url, public_host_port
from pusip_kit.oai import OaiProvider, RepositoryInfo
from pusip_kit.search import SearchQuery

router = APIRouter(tags=["protokol / protocols"])

XML = "text/xml; charset=utf-8"
MAX_FORM_BYTES = 16 * 1024
MAX_OFFSET = 100_000


def _base(request: Request) -> str:
    """The endpoint's public address: behind the gateway ``…/api/catalog/oai`` (trusted proxies only)."""
    return public_base_url(request, request.url.path)


async def _oai(
    request: Request, runtime: RuntimeDep, sessionmaker: SessionmakerDep, args: list[tuple[str, str]]
) -> Response:
    settings = runtime.settings
    source = CatalogRecordSource(sessionmaker)
    info = RepositoryInfo(
        name="Katalog Induk Perpustakaan Jakarta (Dinas Perpustakaan dan Kearsipan Provinsi DKI Jakarta)",
        base_url=_base(request),
        admin_email=settings.oai_admin_email,
        repository_identifier=settings.oai_repository_identifier,
        earliest_datestamp=await source.earliest(),
    )
    provider = OaiProvider(info, source, secret=settings.secret_key, page_size=settings.oai_page_size)
    return Response(await provider.handle(args), media_type=XML)


@router.get("/oai", summary="OAI-PMH 2.0", response_class=Response)
async def oai_get(request: Request, runtime: RuntimeDep, sessionmaker: SessionmakerDep) -> Response:
    return await _oai(request, runtime, sessionmaker, list(request.query_params.multi_items()))


@router.post("/oai", summary="OAI-PMH 2.0 (POST)", response_class=Response)
async def oai_post(request: Request, runtime: RuntimeDep, sessionmaker: SessionmakerDep) -> Response:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise too_large(MAX_FORM_BYTES)
    args = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    return await _oai(request, runtime, sessionmaker, args)


@router.get("/sru", summary="SRU 1.1/1.2 (explain, searchRetrieve; CQL)", response_class=Response)
async def sru(request: Request, runtime: RuntimeDep, sessionmaker: SessionmakerDep) -> Response:
    async def search(text: str, offset: int, limit: int) -> tuple[int, Sequence[Record]]:
        try:
            query = SearchQuery(
                text=restrict_text(text, Audience.PUBLIC),  # SRU is public
                text_fields=text_fields(Audience.PUBLIC),
                offset=min(offset, MAX_OFFSET),
                limit=min(limit, 1000),
            )
        except ValidationError:
            return 0, []
        result = await runtime.index.search(query)
        if offset > MAX_OFFSET:
            return result.total, []
        ids = [uuid.UUID(h.id) for h in result.hits]
        records = [record_from_text(row.marc) async for row in rows_by_ids(sessionmaker, ids)]
        return result.total, records

    host, port = public_host_port(request)
    info = ExplainInfo(
        host=host,
        port=port,
        database=public_base_url(request, request.url.path).split("://", 1)[1].partition("/")[2],
        title="Katalog Induk Perpustakaan Jakarta",
        description="Union catalogue of the Jakarta public library network (SRU, CQL)",
    )
    params = dict(request.query_params)
    return Response(await handle_sru(params, search=search, info=info), media_type=XML)
