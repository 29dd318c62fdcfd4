"""The search interface every backend implements (all methods are async)."""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pusip_kit.search.model import Filter, IndexSchema, SearchQuery, SearchResult


def _identity(doc: dict[str, Any]) -> dict[str, Any]:
    return doc


class SearchIndex(abc.ABC):
    """One named index of documents described by an :class:`IndexSchema`.

    Documents are plain dicts keyed by field name; ``schema.id_field`` holds the id (turned
    into a string). Writes become visible to searches after :meth:`commit`. The index can
    always be rebuilt from the owning database: :meth:`all_ids` supports reconciliation.
    """

    schema: IndexSchema

    @abc.abstractmethod
    async def ensure(self) -> None:
        """Create the index (and template/alias) if missing. Idempotent."""

    @abc.abstractmethod
    async def index(self, docs: Iterable[dict[str, Any]]) -> int:
        """Add or replace documents (by id). Returns how many were written."""

    def document_encoder(self) -> Callable[[dict[str, Any]], Any]:
        """A picklable function turning one document into what :meth:`index_encoded` writes.

        It needs no connection and no open index, so a bulk load can run it in another process
        (analysis, serialisation) and hand the results to the one that writes. By default the
        document itself.
        """
        return _identity

    async def index_encoded(self, encoded: Sequence[Any], *, new: bool = False) -> int:
        """Add or replace documents given as :meth:`document_encoder` made them.

        ``new=True`` promises that no document with these ids is in the index (fresh ids of new
        records): a backend may then skip replacing.
        """
        return await self.index(encoded)

    async def outdated(self) -> bool:
        """The index holds documents written for an older schema: the owner should rebuild it
        (then :meth:`mark_current`). A backend that opens a fresh, empty index for a changed
        schema (Tantivy) never is; the owner's reconciliation refills it."""
        return False

    async def mark_current(self) -> None:
        """Record that every document was (re)written for the current schema."""
        return None

    @abc.abstractmethod
    async def delete(self, ids: Iterable[str]) -> None:
        """Remove documents by id (missing ids are ignored)."""

    @abc.abstractmethod
    async def commit(self) -> None:
        """Make every write so far visible to readers."""

    @abc.abstractmethod
    async def search(self, q: SearchQuery) -> SearchResult: ...

    @abc.abstractmethod
    async def autocomplete(
        self, prefix: str, fields: Sequence[str] | None = None, size: int = 10
    ) -> list[str]:
        """Distinct values of autocomplete fields matching what was typed so far.

        Every typed word must occur in the value; the last word may be incomplete (prefix).
        Values come ordered by how many documents carry them. ``fields`` defaults to every
        field marked ``autocomplete``.
        """

    @abc.abstractmethod
    async def get(self, id: str) -> dict[str, Any] | None:
        """The stored source of one document, or ``None``."""

    @abc.abstractmethod
    async def count(self, filter: Filter | None = None) -> int: ...

    @abc.abstractmethod
    async def all_ids(self) -> set[str]:
        """Every document id currently searchable (after the last commit)."""

    @abc.abstractmethod
    async def clear(self) -> None:
        """Delete every document (the index itself stays). Visible after commit."""

    @abc.abstractmethod
    async def drop(self) -> None:
        """Remove the index and its files/templates entirely."""

    @abc.abstractmethod
    async def close(self) -> None: ...

    async def __aenter__(self) -> SearchIndex:
        await self.ensure()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
