"""Typed client for the catalog service: branches, OPAC search, records, e-resources, imports,
stock-taking, special collections, reviews and reading lists.

Used by other services (branches) and by the portal on behalf of the signed-in user
(``tokens=StaticToken(user_token)``; public pages pass no token). Every model is a tolerant reader:
unknown fields are ignored and most fields have defaults, so the catalog may grow its responses
freely without breaking its callers.

A refused action (HTTP 409, code ``refused``) is raised as :class:`~pusip_kit.errors.Conflict`;
:func:`refusal_reasons` reads its named reasons back. Dry runs (``dry_run=True``) return an
:class:`ActionCheck` instead of doing anything.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterable, Mapping
from datetime import date, datetime
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, Field

from pusip_kit.clients.base import ServiceClient
from pusip_kit.clients.shapes import Download, Model, Page, Reason, query
from pusip_kit.clients.shapes import PageInfo as PageInfo  # re-exported: this module's API
from pusip_kit.clients.shapes import refusal_reasons as refusal_reasons
from pusip_kit.errors import PusipError

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
Id = uuid.UUID | str


# -- shared shapes --------------------------------------------------------------------------------


class ActionCheck(Model):
    """A dry run: would the action go through now, and if not, every named reason."""

    subject_id: uuid.UUID | None = None
    action: str = ""
    allowed: bool = False
    reasons: list[Reason] = Field(default_factory=list)
    preview: dict[str, Any] | None = None


# -- branches -------------------------------------------------------------------------------------


class Branch(Model):
    """A branch of the library network as other services need it."""

    code: str
    name: str
    city: str | None = None
    type: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    active: bool = True


class BranchPage(Model):
    items: list[Branch]


# -- search ---------------------------------------------------------------------------------------


class Availability(Model):
    branch: str
    available: int = 0
    total: int = 0


class HitEResource(Model):
    id: uuid.UUID
    filename: str = ""
    format: str = ""
    access: str = "public"


class SearchHit(Model):
    id: uuid.UUID
    title: str = ""
    authors: list[str] = Field(default_factory=list)
    year: int | None = None
    material_type: str = "book"
    language: str | None = None
    publisher: str | None = None
    edition: str | None = None
    call_number: str | None = None
    isbns: list[str] = Field(default_factory=list)
    available: bool = False
    availability: list[Availability] = Field(default_factory=list)
    eresources: list[HitEResource] = Field(default_factory=list)
    snippets: dict[str, list[str]] = Field(default_factory=dict)


class FacetValue(Model):
    value: str | int | float | bool
    count: int = 0


class SearchResult(Model):
    total: int = 0
    page: int = 1
    limit: int = 20
    max_page: int = 1
    hits: list[SearchHit] = Field(default_factory=list)
    facets: dict[str, list[FacetValue]] = Field(default_factory=dict)
    suggestion: str | None = None


class Suggestions(Model):
    q: str = ""
    suggestions: list[str] = Field(default_factory=list)


SEARCH_PARAMS = (
    "q", "title", "author", "subject", "isbn", "call_number", "publisher", "branch", "material_type",
    "language", "year_from", "year_to", "available", "sort", "page", "limit",
)  # fmt: skip


# -- records, items, e-resources ------------------------------------------------------------------


class BranchAvailability(Model):
    branch: str
    name: str | None = None
    available: int = 0
    total: int = 0


class Record(Model):
    id: uuid.UUID
    control_number: str | None = None
    title: str = ""
    authors: list[str] = Field(default_factory=list)
    subjects: list[str] = Field(default_factory=list)
    isbns: list[str] = Field(default_factory=list)
    issns: list[str] = Field(default_factory=list)
    publisher: str | None = None
    place: str | None = None
    year: int | None = None
    language: str | None = None
    material_type: str = "book"
    call_number: str | None = None
    ddc: str | None = None
    series: list[str] = Field(default_factory=list)
    edition: str | None = None
    summary: str | None = None
    source: str = ""
    regional: bool = False
    version: int = 1
    availability: list[BranchAvailability] = Field(default_factory=list)
    marc: dict[str, Any] = Field(default_factory=dict)
    updated_at: datetime | None = None


class PublicItem(Model):
    barcode: str
    branch: str
    location: str | None = None
    call_number: str | None = None
    material_type: str = "book"
    status: str = "available"


class EResource(Model):
    id: uuid.UUID
    record_id: uuid.UUID | None = None
    filename: str = ""
    content_type: str = "application/octet-stream"
    format: str = ""
    size: int = 0
    sha256: str = ""
    access: str = "public"
    text_status: str = ""
    text_chars: int = 0
    can_download: bool = False


class DownloadLink(Model):
    url: str
    expires_at: datetime | None = None
    filename: str = ""


# -- imports --------------------------------------------------------------------------------------


class ImportProgress(Model):
    bytes_read: int = 0
    total_bytes: int = 0
    percent: float = 0.0


class ImportCounts(Model):
    read: int = 0
    stored: int = 0
    created: int = 0
    replaced: int = 0
    merged: int = 0
    skipped_duplicates: int = 0
    reported: int = 0
    items_created: int = 0
    warnings: int = 0
    balanced: bool = True


class JobError(Model):
    code: str = ""
    message: str = ""
    message_en: str = ""


class ImportJob(Model):
    id: uuid.UUID
    status: str = "queued"
    filename: str | None = None
    format: str | None = None
    dedupe: str = "skip"
    target_branch: str | None = None
    progress: ImportProgress = Field(default_factory=ImportProgress)
    counts: ImportCounts = Field(default_factory=ImportCounts)
    error: JobError | None = None
    created_by: str | None = None
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def finished(self) -> bool:
        return self.status in ("completed", "failed")


# -- stock-taking ---------------------------------------------------------------------------------


class StocktakeSummary(Model):
    expected: int = 0
    scanned: int = 0
    scans: int = 0
    found: int = 0
    missing: int = 0
    misplaced: int = 0
    unexpected: int = 0
    progress: float = 0.0


class Stocktake(Model):
    id: uuid.UUID
    number: str = ""
    branch: str = ""
    branch_name: str | None = None
    location: str | None = None
    note: str | None = None
    status: str = "open"
    summary: StocktakeSummary = Field(default_factory=StocktakeSummary)
    statuses_updated: bool = False
    opened_by: str | None = None
    created_at: datetime | None = None
    closed_by: str | None = None
    closed_at: datetime | None = None


class StocktakeEntry(Model):
    barcode: str
    result: str
    item_id: uuid.UUID | None = None
    record_id: uuid.UUID | None = None
    title: str | None = None
    call_number: str | None = None
    item_branch: str | None = None
    item_location: str | None = None
    item_status: str | None = None
    scan_count: int = 0
    source: str = ""
    last_scanned_at: datetime | None = None


class ScanOutcome(Model):
    barcode: str
    result: str
    repeat: bool = False
    message: str = ""
    message_en: str = ""
    entry: StocktakeEntry | None = None
    summary: StocktakeSummary = Field(default_factory=StocktakeSummary)


class RejectedLine(Model):
    line: int = 0
    value: str = ""
    code: str = ""
    message: str = ""
    message_en: str = ""


class BatchReport(Model):
    lines: int = 0
    accepted: int = 0
    repeats: int = 0
    results: dict[str, int] = Field(default_factory=dict)
    rejected: list[RejectedLine] = Field(default_factory=list)
    summary: StocktakeSummary = Field(default_factory=StocktakeSummary)


# -- special collections --------------------------------------------------------------------------


class Curator(Model):
    code: str
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None


class SpecialCollection(Model):
    id: uuid.UUID | None = None
    code: str
    name: str
    name_en: str | None = None
    description: str | None = None
    curator: Curator | None = None
    public: bool = True
    records: int = 0
    documents: int = 0
    conservation: dict[str, int] = Field(default_factory=dict)


class CollectionRef(Model):
    code: str
    name: str
    name_en: str | None = None


class CollectionRecord(Model):
    record_id: uuid.UUID
    title: str = ""
    authors: list[str] = Field(default_factory=list)
    year: int | None = None
    material_type: str = "book"
    note: str | None = None
    documents: int = 0


class DigitisedDocument(Model):
    eresource: EResource
    collection: CollectionRef | None = None
    record_title: str = ""
    conservation_status: str = ""
    conservation_label: str = ""
    conservation_label_en: str = ""
    original_handling: str | None = None
    access_condition: str = ""
    access_label: str = ""
    access_label_en: str = ""
    original_description: str | None = None
    digitised_on: date | None = None
    notes: str | None = None


class Term(Model):
    code: str
    label: str = ""
    label_en: str = ""
    description: str = ""
    description_en: str = ""
    original_handling: str | None = None
    access_rule: str | None = None


class Vocabulary(Model):
    version: str = ""
    conservation_statuses: list[Term] = Field(default_factory=list)
    access_conditions: list[Term] = Field(default_factory=list)


# -- reviews and reading lists --------------------------------------------------------------------


class Review(Model):
    id: uuid.UUID
    record_id: uuid.UUID
    author_name: str = ""
    rating: int = 0
    text: str | None = None
    status: str = "approved"
    mine: bool = False
    moderated_by: str | None = None
    moderated_at: datetime | None = None
    moderation_reason: str | None = None
    record_title: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class Rating(Model):
    record_id: uuid.UUID | None = None
    count: int = 0
    average: float | None = None
    distribution: dict[str, int] = Field(default_factory=dict)
    reviews: int = 0


class ReadingListEntry(Model):
    record_id: uuid.UUID
    title: str = ""
    authors: list[str] = Field(default_factory=list)
    year: int | None = None
    material_type: str = "book"
    note: str | None = None
    position: int = 0
    added_at: datetime | None = None


class ReadingList(Model):
    id: uuid.UUID
    name: str = ""
    description: str | None = None
    public: bool = False
    owner_name: str = ""
    mine: bool = False
    entries: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None
    items: list[ReadingListEntry] = Field(default_factory=list)


def _check_or(body: Any, model: type[M]) -> M | ActionCheck:
    if isinstance(body, Mapping) and "allowed" in body and "action" in body and "reasons" in body:
        return ActionCheck.model_validate(body)
    return model.model_validate(body)


def _q(value: str) -> str:
    return quote(value, safe="")


class CatalogClient(ServiceClient):
    service = "catalog"

    # -- branches ---------------------------------------------------------------------------------

    async def get_branch(self, code: str) -> Branch:
        return await self.get_model(f"/branches/{_q(code)}", Branch)

    async def list_branches(self, *, page: int = 1, limit: int = 100) -> list[Branch]:
        page_ = await self.get_model("/branches", BranchPage, params={"page": page, "limit": limit})
        return page_.items

    # -- search -----------------------------------------------------------------------------------

    async def search(self, **params: Any) -> SearchResult:
        """OPAC search; keyword arguments as the API's (``q``, ``branch``, ``year_from`` …, ``page``)."""
        unknown = set(params) - set(SEARCH_PARAMS)
        if unknown:
            raise ValueError(f"unknown search parameters {sorted(unknown)}")
        return await self.get_model("/search", SearchResult, params=query(**params))

    async def autocomplete(self, q: str, *, limit: int = 8, field: str | None = None) -> list[str]:
        body = await self.get_model(
            "/search/autocomplete", Suggestions, params=query(q=q, limit=limit, field=field)
        )
        return body.suggestions

    # -- records ----------------------------------------------------------------------------------

    async def record(self, record_id: Id) -> Record:
        return await self.get_model(f"/records/{record_id}", Record)

    async def record_jsonld(self, record_id: Id) -> dict[str, Any]:
        body = (await self.request("GET", f"/records/{record_id}/jsonld")).json()
        return body if isinstance(body, dict) else {}

    async def record_items(
        self, record_id: Id, *, branch: str | None = None, page: int = 1, limit: int = 100
    ) -> Page[PublicItem]:
        params = query(branch=branch, page=page, limit=limit)
        return await self.get_model(f"/records/{record_id}/items", Page[PublicItem], params=params)

    async def record_eresources(self, record_id: Id, *, client_ip: str | None = None) -> list[EResource]:
        response = await self.request(
            "GET", f"/records/{record_id}/eresources", headers=_forwarded(client_ip)
        )
        return [EResource.model_validate(e) for e in response.json()]

    async def eresource(self, eresource_id: Id, *, client_ip: str | None = None) -> EResource:
        return await self.get_model(f"/eresources/{eresource_id}", EResource, headers=_forwarded(client_ip))

    async def download_link(self, eresource_id: Id, *, client_ip: str | None = None) -> DownloadLink:
        """A short-lived link to the file (the access rule is checked for the caller and ``client_ip``)."""
        return await self.get_model(
            f"/eresources/{eresource_id}/download",
            DownloadLink,
            params={"redirect": "false"},
            headers=_forwarded(client_ip),
        )

    async def open_url(self, url: str, *, with_token: bool = False) -> httpx.Response:
        """Stream a download link's body (the caller iterates ``aiter_bytes()`` and ``aclose()``s)."""
        headers: dict[str, str] = {}
        if with_token and (token := await self.tokens.token()):
            headers["Authorization"] = f"Bearer {token}"
        return await self._send(self._http.build_request("GET", url, headers=headers))

    async def record_collections(self, record_id: Id) -> list[CollectionRef]:
        response = await self.request("GET", f"/records/{record_id}/special-collections")
        return [CollectionRef.model_validate(c) for c in response.json()]

    async def record_documents(
        self, record_id: Id, *, client_ip: str | None = None
    ) -> list[DigitisedDocument]:
        response = await self.request(
            "GET", f"/records/{record_id}/digitised-documents", headers=_forwarded(client_ip)
        )
        return [DigitisedDocument.model_validate(d) for d in response.json()]

    # -- reviews ----------------------------------------------------------------------------------

    async def rating(self, record_id: Id) -> Rating:
        return await self.get_model(f"/records/{record_id}/rating", Rating)

    async def reviews(self, record_id: Id, *, page: int = 1, limit: int = 20) -> Page[Review]:
        return await self.get_model(
            f"/records/{record_id}/reviews", Page[Review], params={"page": page, "limit": limit}
        )

    async def my_review(self, record_id: Id) -> Review | None:
        try:
            return await self.get_model(f"/records/{record_id}/reviews/mine", Review)
        except PusipError as exc:
            if exc.code == "review_not_found":
                return None
            raise

    async def write_review(self, record_id: Id, *, rating: int, text: str | None = None) -> Review:
        body = {"rating": rating, **({"text": text} if text else {})}
        response = await self.request("PUT", f"/records/{record_id}/reviews/mine", json=body)
        return Review.model_validate(response.json())

    async def delete_my_review(self, record_id: Id) -> None:
        await self.request("DELETE", f"/records/{record_id}/reviews/mine")

    async def review_queue(
        self, *, status: str | None = "pending", page: int = 1, limit: int = 20
    ) -> Page[Review]:
        params = query(page=page, limit=limit, status=status)
        return await self.get_model("/reviews", Page[Review], params=params)

    async def moderate_review(
        self, review_id: Id, action: str, *, reason: str | None = None, dry_run: bool = False
    ) -> Review | ActionCheck:
        if action not in ("approve", "hide"):
            raise ValueError(f"unknown moderation action {action!r}")
        response = await self.request(
            "POST",
            f"/reviews/{review_id}/{action}",
            params={"dry_run": "true"} if dry_run else None,
            json={"reason": reason} if reason else None,
        )
        return _check_or(response.json(), Review)

    # -- reading lists ----------------------------------------------------------------------------

    async def my_reading_lists(self, *, record_id: Id | None = None, limit: int = 100) -> Page[ReadingList]:
        params = query(record_id=record_id, limit=limit)
        return await self.get_model("/reading-lists/mine", Page[ReadingList], params=params)

    async def public_reading_lists(self, *, page: int = 1, limit: int = 20) -> Page[ReadingList]:
        return await self.get_model(
            "/reading-lists", Page[ReadingList], params={"page": page, "limit": limit}
        )

    async def record_reading_lists(self, record_id: Id, *, limit: int = 10) -> Page[ReadingList]:
        return await self.get_model(
            f"/records/{record_id}/reading-lists", Page[ReadingList], params={"limit": limit}
        )

    async def reading_list(self, list_id: Id) -> ReadingList:
        return await self.get_model(f"/reading-lists/{list_id}", ReadingList)

    async def create_reading_list(
        self, name: str, *, description: str | None = None, public: bool = False
    ) -> ReadingList:
        body = {"name": name, "public": public, **({"description": description} if description else {})}
        return ReadingList.model_validate((await self.request("POST", "/reading-lists", json=body)).json())

    async def update_reading_list(self, list_id: Id, changes: Mapping[str, Any]) -> ReadingList:
        response = await self.request("PATCH", f"/reading-lists/{list_id}", json=dict(changes))
        return ReadingList.model_validate(response.json())

    async def delete_reading_list(self, list_id: Id) -> None:
        await self.request("DELETE", f"/reading-lists/{list_id}")

    async def add_to_reading_list(
        self, list_id: Id, record_id: Id, *, note: str | None = None
    ) -> ReadingList:
        response = await self.request(
            "PUT", f"/reading-lists/{list_id}/entries/{record_id}", json={"note": note} if note else None
        )
        return ReadingList.model_validate(response.json())

    async def remove_from_reading_list(self, list_id: Id, record_id: Id) -> None:
        await self.request("DELETE", f"/reading-lists/{list_id}/entries/{record_id}")

    # -- special collections ----------------------------------------------------------------------

    async def special_collections(self, *, page: int = 1, limit: int = 50) -> Page[SpecialCollection]:
        return await self.get_model(
            "/special-collections", Page[SpecialCollection], params={"page": page, "limit": limit}
        )

    async def special_collection(self, code: str) -> SpecialCollection:
        return await self.get_model(f"/special-collections/{_q(code)}", SpecialCollection)

    async def collection_records(
        self, code: str, *, page: int = 1, limit: int = 20
    ) -> Page[CollectionRecord]:
        return await self.get_model(
            f"/special-collections/{_q(code)}/records",
            Page[CollectionRecord],
            params={"page": page, "limit": limit},
        )

    async def collection_documents(
        self,
        code: str,
        *,
        conservation_status: str | None = None,
        page: int = 1,
        limit: int = 20,
        client_ip: str | None = None,
    ) -> Page[DigitisedDocument]:
        return await self.get_model(
            f"/special-collections/{_q(code)}/documents",
            Page[DigitisedDocument],
            params=query(conservation_status=conservation_status, page=page, limit=limit),
            headers=_forwarded(client_ip),
        )

    async def collection_vocabulary(self) -> Vocabulary:
        return await self.get_model("/special-collections/vocabulary", Vocabulary)

    # -- imports ----------------------------------------------------------------------------------

    async def start_import(
        self,
        *,
        filename: str,
        content: bytes | AsyncIterable[bytes],
        format: str | None = None,
        dedupe: str = "skip",
        branch: str | None = None,
        acquisition_source: str | None = None,
    ) -> ImportJob:
        """Upload a MARC file as the raw body (streamed when ``content`` is an async iterable)."""
        params = query(
            filename=filename,
            format=format,
            dedupe=dedupe,
            branch=branch,
            acquisition_source=acquisition_source,
        )
        response = await self.request(
            "POST",
            "/imports",
            params=params,
            content=content,
            headers={"content-type": "application/octet-stream"},
        )
        return ImportJob.model_validate(response.json())

    async def import_job(self, job_id: Id) -> ImportJob:
        return await self.get_model(f"/imports/{job_id}", ImportJob)

    async def import_jobs(
        self, *, status: str | None = None, page: int = 1, limit: int = 20
    ) -> Page[ImportJob]:
        return await self.get_model(
            "/imports", Page[ImportJob], params=query(status=status, page=page, limit=limit)
        )

    async def import_problems(self, job_id: Id) -> Download:
        return await self._download(f"/imports/{job_id}/problems", params={"format": "csv"})

    # -- stock-taking -----------------------------------------------------------------------------

    async def stocktakes(
        self, *, branch: str | None = None, status: str | None = None, page: int = 1, limit: int = 20
    ) -> Page[Stocktake]:
        params = query(branch=branch, status=status, page=page, limit=limit)
        return await self.get_model("/stocktakes", Page[Stocktake], params=params)

    async def open_stocktake(
        self, branch: str, *, location: str | None = None, note: str | None = None, dry_run: bool = False
    ) -> Stocktake | ActionCheck:
        body = {"branch": branch, **query(location=location, note=note)}
        response = await self.request(
            "POST", "/stocktakes", json=body, params={"dry_run": "true"} if dry_run else None
        )
        return _check_or(response.json(), Stocktake)

    async def stocktake(self, stocktake_id: Id) -> Stocktake:
        return await self.get_model(f"/stocktakes/{stocktake_id}", Stocktake)

    async def scan(
        self, stocktake_id: Id, barcode: str, *, dry_run: bool = False
    ) -> ScanOutcome | ActionCheck:
        response = await self.request(
            "POST",
            f"/stocktakes/{stocktake_id}/scans",
            json={"barcode": barcode},
            params={"dry_run": "true"} if dry_run else None,
        )
        return _check_or(response.json(), ScanOutcome)

    async def scan_batch(self, stocktake_id: Id, *, filename: str, content: bytes) -> BatchReport:
        response = await self.request(
            "POST",
            f"/stocktakes/{stocktake_id}/scans/batch",
            files={"file": (filename or "pindai.txt", content, "text/plain")},
        )
        return BatchReport.model_validate(response.json())

    async def stocktake_entries(
        self, stocktake_id: Id, *, result: str | None = None, page: int = 1, limit: int = 50
    ) -> Page[StocktakeEntry]:
        return await self.get_model(
            f"/stocktakes/{stocktake_id}/entries",
            Page[StocktakeEntry],
            params=query(result=result, page=page, limit=limit),
        )

    async def close_stocktake(
        self, stocktake_id: Id, *, update_statuses: bool = False, dry_run: bool = False
    ) -> Stocktake | ActionCheck:
        response = await self.request(
            "POST",
            f"/stocktakes/{stocktake_id}/close",
            json={"update_statuses": update_statuses},
            params={"dry_run": "true"} if dry_run else None,
        )
        return _check_or(response.json(), Stocktake)

    async def stocktake_report(self, stocktake_id: Id, fmt: str = "pdf") -> httpx.Response:
        """The report (``pdf`` or ``csv``) as an open streaming response: iterate, then ``aclose()``."""
        if fmt not in ("pdf", "csv"):
            raise ValueError(f"unknown report format {fmt!r}")
        return await self.stream("GET", f"/stocktakes/{stocktake_id}/report.{fmt}")


def _forwarded(client_ip: str | None) -> dict[str, str]:
    """The reader's address, so on-site access rules judge the reader and not the portal."""
    return {"X-Forwarded-For": client_ip} if client_ip else {}


__all__ = [
    "ActionCheck",
    "Branch",
    "CatalogClient",
    "ImportJob",
    "Page",
    "Reason",
    "Record",
    "SearchResult",
    "Stocktake",
    "refusal_reasons",
]
