"""Search over records through the policy's search compilation.

The engine applies :func:`~archive.access.search.to_search_filter` of the caller's policy condition,
so it can only return what a direct read allows. As a second line, every hit is re-checked against
the database with :func:`~archive.access.can_read` before it is shown (an index a moment behind a
security change can therefore never leak); such stale hits are dropped and re-indexed.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from archive.access.policy import AccessCategory, Viewer, can_read, readable
from archive.access.records import access_drafts, facts_for, viewer_for
from archive.access.search import to_search_filter
from archive.audit import append_many
from archive.models import Record
from archive.models.records import STATUS_DESTROYED
from archive.records.repository import RecordRepository
from archive.runtime import ArchiveRuntime
from archive.search.indexer import enqueue_index
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.errors import Unprocessable
from pusip_kit.search import FacetRequest, Not, SearchQuery, Term, Terms
from pusip_kit.search.model import Filter

log = logging.getLogger(__name__)

MAX_OFFSET: int = next(m.le for m in SearchQuery.model_fields["offset"].metadata if hasattr(m, "le"))
"""The deepest page a search may ask for (the search model's own bound)."""
FACET_FIELDS = ("classification_code", "year", "kind", "unit", "level", "status")


@dataclass
class SearchFilters:
    classification_code: str | None = None
    unit: str | None = None
    year: int | None = None
    kind: str | None = None
    status: str | None = None
    level: str | None = None


@dataclass
class SearchPage:
    total: int
    records: list[Record]
    scores: dict[uuid.UUID, float | None]
    facets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    dropped: int = 0


def _filters(f: SearchFilters) -> list[Filter]:
    out: list[Filter] = [Not(filter=Term(field="status", value=STATUS_DESTROYED))]
    if f.classification_code:
        out.append(Term(field="classification_code", value=f.classification_code))
    if f.unit:
        out.append(Terms(field="unit_ancestors", values=(f.unit.strip("/"),)))
    if f.year:
        out.append(Term(field="year", value=f.year))
    if f.kind:
        out.append(Term(field="kind", value=f.kind))
    if f.status:
        out.append(Term(field="status", value=f.status))
    if f.level:
        out.append(Term(field="level", value=f.level))
    return out


class SearchService:
    async def search(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        runtime: ArchiveRuntime,
        *,
        text: str | None,
        filters: SearchFilters,
        offset: int,
        limit: int,
        public: bool = False,
        facets: bool = True,
    ) -> SearchPage:
        """``public``: search as the public (``BIASA`` records only), whoever is calling."""
        if offset > MAX_OFFSET:
            raise Unprocessable(
                f"Halaman pencarian terlalu jauh (lebih dari {MAX_OFFSET} hasil); persempit pencarian",
                f"Search page too deep (past {MAX_OFFSET} results); narrow the search",
                code="page_too_deep",
                details={"max_offset": MAX_OFFSET},
            )
        viewer = Viewer(AccessCategory.PUBLIK) if public else await viewer_for(session, auth_subject)
        query = SearchQuery(
            text=text or None,
            filters=(to_search_filter(readable(viewer)), *_filters(filters)),
            facets=tuple(FacetRequest(field=name, size=30) for name in FACET_FIELDS) if facets else (),
            offset=offset,
            limit=limit,
        )
        result = await runtime.index.search(query)
        ids = []
        for hit in result.hits:
            try:
                ids.append(uuid.UUID(hit.id))
            except ValueError:
                continue
        records = await RecordRepository(session).get_many(ids)
        known = await facts_for(session, records)
        shown = [r for r in records if r.status != STATUS_DESTROYED and can_read(viewer, known[r.id])]
        stale = [r.id for r in records if r not in shown] + [
            i for i in ids if i not in {r.id for r in records}
        ]
        if stale:
            log.warning("search index behind the database for %d records; re-indexing", len(stale))
            await enqueue_index(session, stale)
        if not public:
            await append_many(session, access_drafts(auth_subject, viewer, shown, "search"))
        return SearchPage(
            total=max(0, result.total - len(stale)),
            records=shown,
            scores={uuid.UUID(h.id): h.score for h in result.hits if _is_uuid(h.id)},
            facets={k: [{"value": b.value, "count": b.count} for b in v] for k, v in result.facets.items()},
            dropped=len(stale),
        )


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


search_service = SearchService()
