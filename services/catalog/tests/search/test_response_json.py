"""Search answers are written as JSON without the response models: they must be what the models give."""

from __future__ import annotations

import pytest

from catalog.search.schemas import AutocompleteResponse, SearchResponse
from catalog.search.service import text

from .conftest import Opac

pytestmark = pytest.mark.asyncio(loop_scope="module")

SEARCHES = [
    {},
    {"q": "pustaka"},
    {"q": "gamelanologi"},
    {"q": "laskr pelangii"},
    {"title": "bumi manusa"},
    {"q": "novel", "sort": "year_desc", "limit": 2, "page": 2},
    {"q": "sejarah", "available": "true"},
    {"branch": "perpustakaan-jakarta-cikini", "available": "false"},
]


@pytest.mark.parametrize("params", SEARCHES)
async def test_search_answer_is_the_models_json(opac: Opac, params: dict[str, str]) -> None:
    response = await opac.client.get("/search", params=params)
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["hits"] or body["total"] == 0
    assert response.content == SearchResponse.model_validate(body).model_dump_json().encode()


@pytest.mark.parametrize(("q", "field"), [("lask", None), (" hira", "author"), ("novel ", "subject")])
async def test_autocomplete_answer_is_the_models_json(opac: Opac, q: str, field: str | None) -> None:
    params = {"q": q} | ({"field": field} if field else {})
    response = await opac.client.get("/search/autocomplete", params=params)
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["suggestions"] and body["q"] == q.strip()
    assert response.content == AutocompleteResponse(**body).model_dump_json().encode()


async def test_text_trims_what_the_schemas_trim() -> None:
    for raw in [" a ", "\u3000a\u00a0", "\x1fa\x1e", "a\t\n", "a"]:
        assert (
            text(raw)
            == SearchResponse(
                total=0, page=1, limit=1, max_page=1, hits=[], facets={}, suggestion=raw
            ).suggestion
        )
    assert text(5) == 5 and text(None) is None
