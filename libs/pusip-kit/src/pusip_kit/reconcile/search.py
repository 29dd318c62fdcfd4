"""A search index against its database: missing, stale and orphan documents, and their repair.

The owning service says which ids are live and how to build their documents (the very functions
its indexer uses); this module compares them with what the index holds. *Stale* means the stored
document differs from the one the database gives now (a change whose re-index was lost). Stored
sources are compared after the same normalisation both backends apply (hidden fields dropped,
typed fields coerced), so Tantivy's and Elasticsearch's sources compare alike.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

import orjson

from pusip_kit.reconcile.report import CheckResult
from pusip_kit.search import SearchIndex
from pusip_kit.search.common import DocumentError, coerce
from pusip_kit.search.model import FieldType, IndexSchema

BATCH = 500

LiveIds = Callable[[], Awaitable[set[str]]]
"""Every id the database says should be searchable."""
BuildDocuments = Callable[[list[str]], Awaitable[tuple[list[dict[str, Any]], list[str]]]]
"""Documents for these ids as the indexer would write them, and the ids that must not be indexed."""
Reindex = Callable[[list[str]], Awaitable[Any]]
"""(Re)index these ids from the database and remove the gone ones (the service's indexer, no commit)."""

_PLAIN = (FieldType.TEXT, FieldType.STORED_ONLY)


def _norm(spec: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_norm(spec, v) for v in value if v is not None]
    if spec is None or spec.type in _PLAIN:
        return value
    try:
        out = coerce(spec, value)
    except DocumentError:
        return value
    return out.isoformat() if hasattr(out, "isoformat") else out


def fingerprint(schema: IndexSchema, doc: dict[str, Any]) -> str:
    """A digest of what the index stores for ``doc``, equal for equal content on either backend."""
    specs = {f.name: f for f in schema.fields}
    hidden = {f.name for f in schema.fields if not f.stored}
    plain = orjson.loads(orjson.dumps(doc, default=str, option=orjson.OPT_NON_STR_KEYS))
    canonical = {
        k: _norm(specs.get(k), v) for k, v in plain.items() if k not in hidden and v not in (None, [])
    }
    canonical[schema.id_field] = str(doc.get(schema.id_field))
    body = orjson.dumps(canonical, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    return hashlib.sha256(body).hexdigest()


async def stored_documents(index: SearchIndex, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The stored sources of ``ids`` (one multi-get on Elasticsearch, point reads on Tantivy)."""
    client = getattr(index, "client", None)
    alias = getattr(index, "alias", None)
    if client is not None and alias is not None and hasattr(client, "mget"):
        response = await client.mget(index=alias, ids=list(ids), realtime=False)
        return {d["_id"]: dict(d.get("_source") or {}) for d in response.body["docs"] if d.get("found")}
    out: dict[str, dict[str, Any]] = {}
    for doc_id in ids:
        found = await index.get(doc_id)
        if found is not None:
            out[doc_id] = found
    return out


def _batches(ids: Iterable[str], size: int = BATCH) -> Iterable[list[str]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


async def reconcile_index(
    index: SearchIndex,
    *,
    check: str,
    live_ids: LiveIds,
    build: BuildDocuments,
    reindex: Reindex,
    repair: bool,
    compare_content: bool = True,
) -> CheckResult:
    """Compare ``index`` with the database; with ``repair``, re-index and remove until they agree."""
    result = CheckResult(check)
    await index.ensure()
    in_index = await index.all_ids()
    live = await live_ids()
    result.examined = len(live | in_index)
    missing = live - in_index
    orphans = in_index - live
    stale: set[str] = set()
    if compare_content:
        for batch in _batches(live & in_index):
            docs, gone = await build(batch)
            orphans.update(gone)  # turned unindexable between the two reads
            stored = await stored_documents(index, [d[index.schema.id_field] for d in docs])
            for doc in docs:
                doc_id = str(doc[index.schema.id_field])
                held = stored.get(doc_id)
                if held is None:
                    missing.add(doc_id)
                elif fingerprint(index.schema, held) != fingerprint(index.schema, doc):
                    stale.add(doc_id)
    for doc_id in sorted(missing):
        result.add("missing_from_index", doc_id, "row without a search document")
    for doc_id in sorted(stale):
        result.add("stale_in_index", doc_id, "search document older than its row")
    for doc_id in sorted(orphans):
        result.add("orphan_in_index", doc_id, "search document without a live row")
    if repair and result.findings:
        try:
            if orphans:
                await index.delete(sorted(orphans))
            if missing or stale:
                for batch in _batches(missing | stale):
                    await reindex(batch)
            await index.commit()
            result.repaired = len(result.findings)
        except Exception as exc:  # a busy writer, a server down: said, not raised
            result.errors.append(f"{type(exc).__name__}: {exc}")
    return result
