"""Public OPAC search routes."""

from __future__ import annotations

import functools
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from catalog.deps import Anyone, RuntimeDep, SessionmakerDep
from catalog.search.audience import audience_of
from catalog.search.schemas import AutocompleteResponse, SearchParams, SearchResponse
from catalog.search.service import search_service

router = APIRouter(prefix="/search", tags=["pencarian / search"])

AUTOCOMPLETE_FIELDS = {"title": "title", "author": "authors", "subject": "subjects"}


@router.get("", response_model=SearchResponse, summary="Pencarian OPAC / catalogue search")
async def search(
    auth_subject: Anyone,
    runtime: RuntimeDep,
    sessionmaker: SessionmakerDep,
    params: Annotated[SearchParams, Query()],
) -> SearchResponse:
    vocabulary = None if params.is_empty else functools.partial(runtime.vocabulary.get, sessionmaker)
    return await search_service.search(
        runtime.index, params, audience=audience_of(auth_subject), vocabulary=vocabulary
    )


@router.get(
    "/autocomplete",
    response_model=AutocompleteResponse,
    summary="Saran ketik-otomatis judul, pengarang, subjek / autocomplete",
)
async def autocomplete(
    auth_subject: Anyone,
    runtime: RuntimeDep,
    q: Annotated[str, Query(min_length=1, max_length=200)],
    limit: Annotated[int, Query(ge=1, le=20)] = 10,
    field: Literal["title", "author", "subject"] | None = None,
) -> AutocompleteResponse:
    fields = [AUTOCOMPLETE_FIELDS[field]] if field else None
    suggestions = await search_service.autocomplete(runtime.index, q, size=limit, fields=fields)
    return AutocompleteResponse(q=q, suggestions=suggestions)
