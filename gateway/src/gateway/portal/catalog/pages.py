"""The public catalogue pages: OPAC search, record pages, files, reviews, reading lists, special
collections — and the routes of the staff pages (:mod:`gateway.portal.catalog.staff`).

Writes are POST forms carrying the CSRF token; after a write the browser is sent back (303) with a
message, or — when the service refuses — the page is shown again with every named reason.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response, StreamingResponse
from starlette.background import BackgroundTask

from gateway.portal.catalog import staff
from gateway.portal.catalog.holds import Hold
from gateway.portal.catalog.view import (
    PREFIX,
    Problem,
    View,
    close_with,
    json_for_script,
    text_field,
    view_of,
)
from gateway.portal.charts import ChartData, Dataset
from pusip_kit.clients.catalog import Branch, Rating, Record, SearchResult
from pusip_kit.errors import NotFound, PusipError, ServiceUnavailable, Unauthorized

T = TypeVar("T")

FIELDS = ("all", "title", "author", "subject", "isbn", "publisher")
SORTS = ("relevance", "year_desc", "year_asc", "title")
FILTERS = ("branch", "material_type", "language", "year", "subject", "available")
FACET_ORDER = ("branch", "material_type", "language", "year", "subject", "availability")
PAGE_SIZE = 10
CONSERVATION_COLORS = {
    "baik": "#1e8a4c",
    "rusak_ringan": "#e0ad31",
    "rusak_sedang": "#e69f00",
    "rusak_berat": "#c0392b",
    "dalam_perawatan": "#0072b2",
}
INLINE_FORMATS = {"pdf", "text", "image", "audio", "video"}


# -- helpers ----------------------------------------------------------------------------------------


async def _quiet(call: Awaitable[T], default: T) -> T:
    """A secondary block of a page: shown when it answers, left out when it does not."""
    try:
        return await call
    except PusipError:
        return default


async def branch_names(v: View) -> dict[str, str]:
    branches: list[Branch] = await _quiet(v.client.list_branches(limit=100), [])
    return {b.code: b.name for b in branches}


def year_range(key: str) -> tuple[int | None, int | None]:
    """A year facet bucket (``<1900``, ``1900-1944``, ``2020-``) as ``year_from``, ``year_to``."""
    if key.startswith("<") and key[1:].isdigit():
        return None, int(key[1:]) - 1
    low, _, high = key.partition("-")
    if not low.isdigit():
        return None, None
    return int(low), int(high) if high.isdigit() else None


class SearchForm:
    """The search page's query string, read leniently (anything unknown is dropped)."""

    def __init__(self, params: Mapping[str, str]) -> None:
        self.q = (params.get("q") or "").strip()[:500]
        field, sort = params.get("field") or "all", params.get("sort") or "relevance"
        self.field: str = field if field in FIELDS else "all"
        self.sort: str = sort if sort in SORTS else "relevance"
        self.filters = {
            k: (params.get(k) or "").strip()[:200] for k in FILTERS if (params.get(k) or "").strip()
        }
        if self.filters.get("available") not in (None, "available", "unavailable"):
            self.filters.pop("available")
        try:
            self.page = max(1, min(int(params.get("page") or 1), 500))
        except ValueError:
            self.page = 1

    @property
    def active(self) -> bool:
        return bool(self.q or self.filters)

    def api_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"sort": self.sort, "page": self.page, "limit": PAGE_SIZE}
        if self.q:
            params["q" if self.field == "all" else self.field] = self.q
        for name, value in self.filters.items():
            if name == "year":
                params["year_from"], params["year_to"] = year_range(value)
            elif name == "subject":
                params["subject"] = '"' + value.replace('"', " ") + '"'
            elif name == "available":
                params["available"] = value == "available"
            else:
                params[name] = value
        return params

    def url(self, **changes: Any) -> str:
        """This search with some parameters changed (``None`` removes one); back to page 1."""
        values: dict[str, Any] = {"q": self.q, "field": self.field, "sort": self.sort, **self.filters}
        values.update(changes)
        if "page" not in changes:
            values.pop("page", None)
        query = {
            k: v
            for k, v in values.items()
            if v not in (None, "")
            and not (k == "field" and v == "all")
            and not (k == "sort" and v == "relevance")
        }
        return f"{PREFIX}?{urlencode(query)}" if query else PREFIX


def facet_label(v: View, facet: str, value: object, names: Mapping[str, str]) -> str:
    if facet == "branch":
        return names.get(str(value), str(value))
    if facet in ("material_type", "language", "availability"):
        return v.label(facet, value)
    return str(value)


def facet_filter(facet: str) -> str:
    return {"availability": "available"}.get(facet, facet)


def jsonld_for(v: View, record: Record, base: Mapping[str, Any], rating: Rating | None) -> dict[str, Any]:
    """The catalogue's JSON-LD with this page as its address and the readers' rating added."""
    doc = dict(base)
    url = str(v.request.url_for("catalog_record", record_id=str(record.id)))
    doc["@id"] = doc["url"] = url
    if rating is not None and rating.count:
        doc["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": rating.average,
            "ratingCount": rating.count,
            "reviewCount": rating.reviews,
            "bestRating": 5,
            "worstRating": 1,
        }
    return doc


# -- the router ---------------------------------------------------------------------------------------


def register_pages(app: FastAPI) -> APIRouter:
    close_with(app)
    router = APIRouter(include_in_schema=False)
    add_public_routes(router)
    staff.add_staff_routes(router)
    return router


def add_public_routes(router: APIRouter) -> None:
    # -- OPAC search ----------------------------------------------------------------------------------

    @router.get(PREFIX)
    async def search(request: Request) -> Response:
        v = await view_of(request)
        form = SearchForm(request.query_params)
        names = await branch_names(v)
        result: SearchResult | None = None
        problem: Problem | None = None
        if form.active:
            try:
                result = await v.client.search(**form.api_params())
            except PusipError as exc:
                if isinstance(exc, ServiceUnavailable):
                    raise
                problem = v.problem(exc)
        collections = await _quiet(v.client.special_collections(limit=6), None)
        facets: list[tuple[str, list[dict[str, Any]]]] = []
        if result is not None:
            for facet in FACET_ORDER:
                values = result.facets.get(facet) or []
                entries = []
                for fv in values:
                    if not fv.count:
                        continue
                    name = facet_filter(facet)
                    value = str(fv.value)
                    selected = form.filters.get(name) == value
                    entries.append(
                        {
                            "label": facet_label(v, facet, fv.value, names),
                            "count": fv.count,
                            "selected": selected,
                            "href": form.url(**{name: None if selected else value}),
                        }
                    )
                if entries:
                    facets.append((facet, entries))
        chips = [
            {
                "facet": name,
                "label": facet_label(v, "availability" if name == "available" else name, value, names),
                "href": form.url(**{name: None}),
            }
            for name, value in form.filters.items()
        ]
        return await v.render(
            "katalog/cari.html",
            sub="search",
            form=form,
            result=result,
            problem=problem,
            facets=facets,
            chips=chips,
            names=names,
            fields=FIELDS,
            sorts=SORTS,
            collections=collections,
        )

    @router.get(f"{PREFIX}/saran")
    async def suggestions(request: Request, q: str = "") -> Response:
        v = await view_of(request)
        text = q.strip()[:200]
        items: list[str] = []
        if len(text) >= 2:
            items = await _quiet(v.client.autocomplete(text, limit=8), [])
        return await v.render("katalog/_saran.html", q=text, items=items)

    # -- a record -------------------------------------------------------------------------------------

    @router.get(PREFIX + "/rekaman/{record_id}", name="catalog_record")
    async def record_page(request: Request, record_id: uuid.UUID) -> Response:
        v = await view_of(request)
        return await render_record(v, record_id)

    @router.post(PREFIX + "/rekaman/{record_id}/ulasan")
    async def write_review(request: Request, record_id: uuid.UUID) -> Response:
        v = await view_of(request)
        form = await v.form()
        if not v.roles.signed_in:
            return v.login_redirect(f"{PREFIX}/rekaman/{record_id}#ulasan")
        if text_field(form, "action") == "delete":
            try:
                await v.client.delete_my_review(record_id)
            except PusipError as exc:
                return await render_record(v, record_id, problems={"review": v.problem(exc)}, status_code=409)
            return v.redirect(f"/rekaman/{record_id}", "review_deleted", "ulasan")
        try:
            rating = int(text_field(form, "rating") or 0)
        except ValueError:
            rating = 0
        if not 1 <= rating <= 5:
            problem = Problem(message=v.t("kat.review.rating_required"), code="rating_required", reasons=[])
            return await render_record(v, record_id, problems={"review": problem}, status_code=422)
        try:
            review = await v.client.write_review(
                record_id, rating=rating, text=text_field(form, "text") or None
            )
        except PusipError as exc:
            return await render_record(v, record_id, problems={"review": v.problem(exc)}, status_code=409)
        ok = "review_pending" if review.status == "pending" else "review_saved"
        return v.redirect(f"/rekaman/{record_id}", ok, "ulasan")

    @router.post(PREFIX + "/rekaman/{record_id}/daftar")
    async def add_to_list(request: Request, record_id: uuid.UUID) -> Response:
        v = await view_of(request)
        form = await v.form()
        if not v.roles.signed_in:
            return v.login_redirect(f"{PREFIX}/rekaman/{record_id}#daftar")
        name = text_field(form, "new_name", 200)
        try:
            if name:
                created = await v.client.create_reading_list(name, public=form.get("public") == "on")
                list_id = str(created.id)
            else:
                list_id = text_field(form, "list_id", 64)
                uuid.UUID(list_id)
            await v.client.add_to_reading_list(
                list_id, record_id, note=text_field(form, "note", 1000) or None
            )
        except ValueError:
            problem = Problem(message=v.t("kat.lists.pick_one"), code="list_required", reasons=[])
            return await render_record(v, record_id, problems={"list": problem}, status_code=422)
        except PusipError as exc:
            return await render_record(v, record_id, problems={"list": v.problem(exc)}, status_code=409)
        return v.redirect(f"/rekaman/{record_id}", "listed", "daftar")

    @router.post(PREFIX + "/rekaman/{record_id}/pesan")
    async def reserve(request: Request, record_id: uuid.UUID) -> Response:
        v = await view_of(request)
        form = await v.form()
        if not v.roles.signed_in:
            return v.login_redirect(f"{PREFIX}/rekaman/{record_id}#pesan")
        pickup = text_field(form, "pickup_branch", 64)
        try:
            hold = await v.holds().place(str(record_id), pickup)
        except PusipError as exc:
            return await render_record(v, record_id, problems={"hold": v.problem(exc)}, status_code=409)
        position = hold.position if isinstance(hold, Hold) else None
        return v.redirect(f"/rekaman/{record_id}?antrean={position or ''}", "hold_placed", "pesan")

    # -- files ----------------------------------------------------------------------------------------

    @router.get(PREFIX + "/berkas/{eresource_id}")
    async def open_file(request: Request, eresource_id: uuid.UUID, unduh: bool = False) -> Response:
        v = await view_of(request)
        try:
            eresource = await v.client.eresource(eresource_id, client_ip=v.client_ip)
            link = await v.client.download_link(eresource_id, client_ip=v.client_ip)
        except Unauthorized:
            return v.login_redirect()
        upstream = await v.client.open_url(link.url, with_token="/api/" in urlsplit(link.url).path)
        content_type = eresource.content_type or "application/octet-stream"
        if content_type.startswith("text/") and "charset" not in content_type:
            content_type += "; charset=utf-8"
        inline = not unduh and eresource.format in INLINE_FORMATS
        filename = link.filename or eresource.filename or "berkas"
        safe = "".join(c if c.isalnum() or c in "-_. " else "_" for c in filename)[:150] or "berkas"
        headers = {
            "content-disposition": f'{"inline" if inline else "attachment"}; filename="{safe}"',
            "cache-control": "private, no-store",
        }
        if length := upstream.headers.get("content-length"):
            headers["content-length"] = length
        return StreamingResponse(
            upstream.aiter_bytes(),
            media_type=content_type,
            headers=headers,
            background=BackgroundTask(upstream.aclose),
        )

    # -- reading lists --------------------------------------------------------------------------------

    @router.get(PREFIX + "/daftar-bacaan")
    async def reading_lists(request: Request) -> Response:
        v = await view_of(request)
        mine = await v.client.my_reading_lists() if v.roles.signed_in else None
        public = await v.client.public_reading_lists(limit=20)
        return await v.render("katalog/daftar.html", sub="lists", mine=mine, public=public, problem=None)

    @router.post(PREFIX + "/daftar-bacaan")
    async def create_list(request: Request) -> Response:
        v = await view_of(request)
        form = await v.form()
        if not v.roles.signed_in:
            return v.login_redirect(f"{PREFIX}/daftar-bacaan")
        try:
            created = await v.client.create_reading_list(
                text_field(form, "name", 200),
                description=text_field(form, "description", 2000) or None,
                public=form.get("public") == "on",
            )
        except PusipError as exc:
            mine = await v.client.my_reading_lists()
            public = await v.client.public_reading_lists(limit=20)
            return await v.render(
                "katalog/daftar.html",
                status_code=409 if exc.status_code == 409 else 422,
                sub="lists",
                mine=mine,
                public=public,
                problem=v.problem(exc),
            )
        return v.redirect(f"/daftar-bacaan/{created.id}", "list_created")

    @router.get(PREFIX + "/daftar-bacaan/{list_id}", name="catalog_reading_list")
    async def reading_list(request: Request, list_id: uuid.UUID) -> Response:
        v = await view_of(request)
        return await render_list(v, list_id)

    @router.post(PREFIX + "/daftar-bacaan/{list_id}")
    async def change_list(request: Request, list_id: uuid.UUID) -> Response:
        v = await view_of(request)
        form = await v.form()
        if not v.roles.signed_in:
            return v.login_redirect(f"{PREFIX}/daftar-bacaan/{list_id}")
        action = text_field(form, "action", 20)
        try:
            if action == "delete":
                await v.client.delete_reading_list(list_id)
                return v.redirect("/daftar-bacaan", "list_deleted")
            if action == "remove":
                await v.client.remove_from_reading_list(list_id, text_field(form, "record_id", 64))
                return v.redirect(f"/daftar-bacaan/{list_id}", "unlisted")
            await v.client.update_reading_list(
                list_id,
                {
                    "name": text_field(form, "name", 200),
                    "description": text_field(form, "description", 2000) or None,
                    "public": form.get("public") == "on",
                },
            )
        except PusipError as exc:
            if isinstance(exc, NotFound):
                raise
            return await render_list(v, list_id, problem=v.problem(exc), status_code=409)
        return v.redirect(f"/daftar-bacaan/{list_id}", "list_saved")

    # -- special collections --------------------------------------------------------------------------

    @router.get(PREFIX + "/koleksi-khusus")
    async def collections(request: Request) -> Response:
        v = await view_of(request)
        page = await v.client.special_collections(limit=50)
        return await v.render("katalog/koleksi.html", sub="collections", collections=page.items)

    @router.get(PREFIX + "/koleksi-khusus/{code}")
    async def collection(request: Request, code: str, page: int = 1, kondisi: str = "") -> Response:
        v = await view_of(request)
        found = await v.client.special_collection(code)
        vocabulary, records, documents = await asyncio.gather(
            v.client.collection_vocabulary(),
            v.client.collection_records(code, page=max(page, 1), limit=20),
            v.client.collection_documents(
                code, conservation_status=kondisi or None, limit=50, client_ip=v.client_ip
            ),
        )
        labels = {t.code: v.bilingual(t, "label") for t in vocabulary.conservation_statuses}
        chart = None
        colors: list[str] = []
        if found.conservation:
            shown = [t.code for t in vocabulary.conservation_statuses if found.conservation.get(t.code)]
            colors = [CONSERVATION_COLORS.get(c, "#7f8c8d") for c in shown]
            chart = ChartData(
                tuple(labels[c] for c in shown),
                (
                    Dataset(
                        v.t("kat.collection.documents"), tuple(float(found.conservation[c]) for c in shown)
                    ),
                ),
            )
        return await v.render(
            "katalog/koleksi_detail.html",
            sub="collections",
            collection=found,
            vocabulary=vocabulary,
            labels=labels,
            records=records,
            documents=documents,
            conservation_chart=chart,
            chart_colors=colors,
            kondisi=kondisi,
        )


# -- the record page --------------------------------------------------------------------------------


async def render_record(
    v: View, record_id: uuid.UUID, *, problems: Mapping[str, Problem] | None = None, status_code: int = 200
) -> Response:
    record = await v.client.record(record_id)
    signed_in = v.roles.signed_in
    items, eresources, rating, reviews, documents = await asyncio.gather(
        _quiet(v.client.record_items(record_id), None),
        _quiet(v.client.record_eresources(record_id, client_ip=v.client_ip), []),
        _quiet(v.client.rating(record_id), None),
        _quiet(v.client.reviews(record_id, limit=20), None),
        _quiet(v.client.record_documents(record_id, client_ip=v.client_ip), []),
    )
    collections, lists, base_jsonld, names = await asyncio.gather(
        _quiet(v.client.record_collections(record_id), []),
        _quiet(v.client.record_reading_lists(record_id), None),
        _quiet(v.client.record_jsonld(record_id), {}),
        branch_names(v),
    )
    my_review = await _quiet(v.client.my_review(record_id), None) if signed_in else None
    my_lists = await _quiet(v.client.my_reading_lists(), None) if signed_in else None
    listed_in = await _quiet(v.client.my_reading_lists(record_id=record_id), None) if signed_in else None
    circulation = await v.service_ready("circulation")
    by_branch: dict[str, list[Any]] = {}
    for item in items.items if items else []:
        by_branch.setdefault(item.branch, []).append(item)
    documented = {d.eresource.id: d for d in documents}
    jsonld = json_for_script(jsonld_for(v, record, base_jsonld, rating)) if base_jsonld else None
    return await v.render(
        "katalog/rekaman.html",
        status_code=status_code,
        sub="search",
        record=record,
        by_branch=by_branch,
        eresources=eresources,
        documented=documented,
        rating=rating,
        reviews=reviews,
        my_review=my_review,
        my_lists=my_lists,
        listed_in={li.id for li in listed_in.items} if listed_in else set(),
        lists=lists,
        collections=collections,
        names=names,
        circulation=circulation,
        jsonld=jsonld,
        problems=problems or {},
        queue_position=v.request.query_params.get("antrean") or "",
        inline_formats=INLINE_FORMATS,
    )


async def render_list(
    v: View, list_id: uuid.UUID, *, problem: Problem | None = None, status_code: int = 200
) -> Response:
    found = await v.client.reading_list(list_id)
    share = str(v.request.url_for("catalog_reading_list", list_id=str(list_id)))
    return await v.render(
        "katalog/daftar_detail.html",
        status_code=status_code,
        sub="lists",
        reading_list=found,
        share=share,
        problem=problem,
    )
