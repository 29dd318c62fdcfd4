"""Public OPAC search routes.

Answers are written as JSON bytes straight from the service's data (``response_model`` still
documents them in the OpenAPI schema); the runtime is read from the request in the handler, since
FastAPI runs a plain-function dependency in a worker thread (one more hop per query).
"""

from __future__ import annotations

import functools
from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Query, Request, Response

from catalog.deps import Anyone, get_runtime, get_sessionmaker
from catalog.search.audience import audience_of
from catalog.search.schemas import AutocompleteResponse, SearchParams, SearchResponse
from catalog.search.service import search_service, text

router = APIRouter(prefix="/search", tags=["pencarian / search"])

AUTOCOMPLETE_FIELDS = {"title": "title", "author": "authors", "subject": "subjects"}


def _json(data: object) -> Response:
    return Response(orjson.dumps(data), media_type="application/json")


@router.get("", response_model=SearchResponse, summary="Pencarian OPAC / catalogue search")
async def search(
    request: Request,
    auth_subject: Anyone,
    params: Annotated[SearchParams, Query()],
) -> Response:
    runtime = get_runtime(request)
    vocabulary = (
        None if params.is_empty else functools.partial(runtime.vocabulary.get, get_sessionmaker(request))
    )
    data = await search_service.search(
        runtime.index, params, audience=audience_of(auth_subject), vocabulary=vocabulary
    )
    return _json(data)


@router.get(
    "/autocomplete",
    response_model=AutocompleteResponse,
    summary="Saran ketik-otomatis judul, pengarang, subjek / autocomplete",
)
async def autocomplete(
    request: Request,
    auth_subject: Anyone,
    q: Annotated[str, Query(min_length=1, max_length=200)],
    limit: Annotated[int, Query(ge=1, le=20)] = 10,
    field: Literal["title", "author", "subject"] | None = None,
) -> Response:
    fields = [AUTOCOMPLETE_FIELDS[field]] if field else None
    suggestions = await search_service.autocomplete(get_runtime(request).index, q, size=limit, fields=fields)
    return _json({"q": text(q), "suggestions": [text(s) for s in suggestions]})
