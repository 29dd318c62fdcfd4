"""Distributed search on Elasticsearch 8 through the official async client.

Naming: searches and writes go through the alias ``<prefix>-<name>``, which points at one
physical index ``<prefix>-<name>-v<N>``. An index template ``<prefix>-<name>-template``
(patterns ``<prefix>-<name>-v*``) carries settings and mappings, so every new version gets
the current schema; :meth:`ElasticsearchIndex.reindex_into_new_version` builds ``v<N+1>``
and swaps the alias atomically (readers never see an empty index).

Analysis: ``pusip_indonesian`` rebuilds Elasticsearch's built-in ``indonesian`` analyzer
(lowercase, Indonesian stopwords, Indonesian stemmer) from its parts so that it tokenises,
folds accents, drops the *same* stopwords (``stopwords_id.txt``) and stems with the same
Snowball algorithm as the embedded backend's Python analysis. Sub-fields: ``.keyword`` (exact values: facets, autocomplete
values), ``.sort`` (case/accent-folded sort key), ``.ac`` (folded unstemmed words with
``index_prefixes``: an edge-n-gram index for fast autocomplete prefixes).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from typing import Any

import orjson
from elasticsearch import ApiError, AsyncElasticsearch, NotFoundError
from elasticsearch.helpers import async_bulk, async_scan

from pusip_kit.search import analysis, common, textquery
from pusip_kit.search import model as m
from pusip_kit.search.base import SearchIndex

log = logging.getLogger(__name__)

LAYOUT_VERSION = 1
MAX_RESULT_WINDOW = 101_000

STEMMER_FILTER: dict[str, Any] = {"type": "snowball", "language": "Indonesian"}
"""Snowball Indonesian: the very algorithm (and output) of the embedded backend's PyStemmer.

The built-in ``indonesian`` analyzer uses Lucene's ``IndonesianStemmer`` instead, a close
relative that differs on some words (``penerbit``: ``terbit`` there, ``erbit`` in Snowball);
``{"type": "stemmer", "language": "indonesian"}`` selects it if ever preferred.
"""

_ES_TYPE = {
    m.FieldType.INTEGER: "long",
    m.FieldType.FLOAT: "double",
    m.FieldType.DATE: "date",
    m.FieldType.BOOLEAN: "boolean",
    m.FieldType.KEYWORD: "keyword",
}


def _body(
    schema: m.IndexSchema, specs: dict[str, m.FieldSpec], doc: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    prepared = common.prepare(schema, doc, with_source=False)  # validates and coerces like Tantivy
    body = orjson.loads(orjson.dumps(dict(doc), default=str, option=orjson.OPT_NON_STR_KEYS))
    body[schema.id_field] = prepared.id
    for name, values in prepared.values.items():
        if specs[name].type is not m.FieldType.TEXT:
            coerced = [v.isoformat() if hasattr(v, "isoformat") else v for v in values]
            body[name] = coerced if isinstance(doc.get(name), (list, tuple, set)) else coerced[0]
    return prepared.id, body


class ElasticsearchEncoder:
    """Documents as ``(id, JSON body)`` for :meth:`ElasticsearchIndex.index_encoded` (picklable)."""

    kind = "elasticsearch"

    def __init__(self, schema: m.IndexSchema) -> None:
        self.schema = schema
        self._specs = {f.name: f for f in schema.fields}

    def __call__(self, doc: dict[str, Any]) -> tuple[str, bytes]:
        doc_id, body = _body(self.schema, self._specs, doc)
        return doc_id, orjson.dumps(body)


class ElasticsearchIndex(SearchIndex):
    def __init__(
        self,
        url: str,
        schema: m.IndexSchema,
        *,
        prefix: str = "pusip",
        client: AsyncElasticsearch | None = None,
        shards: int = 1,
        replicas: str = "0-1",
        request_timeout: float = 30.0,
    ) -> None:
        self.schema = schema
        self.alias = f"{prefix}-{schema.name}"
        self.template = f"{self.alias}-template"
        self.shards = shards
        self.replicas = replicas
        self._own_client = client is None
        self.client = client or AsyncElasticsearch(
            url, request_timeout=request_timeout, retry_on_timeout=True, max_retries=3
        )
        self._specs = {f.name: f for f in schema.fields}
        self._ensured = False

    # ------------------------------------------------------------------ template, versions

    def fingerprint(self) -> str:
        blob = orjson.dumps(
            {"layout": LAYOUT_VERSION, "template": self._template_body()}, option=orjson.OPT_SORT_KEYS
        )
        return hashlib.sha256(blob).hexdigest()[:12]

    def index_template(self) -> dict[str, Any]:
        """Settings and mappings of every physical version of this index (the mappings' ``_meta``
        names the schema's fingerprint: an index made from an older template lacks it)."""
        template = self._template_body()
        template["mappings"]["_meta"] = {"pusip_fingerprint": self.fingerprint()}
        return template

    def _template_body(self) -> dict[str, Any]:
        props: dict[str, Any] = {self.schema.id_field: {"type": "keyword"}}
        for f in self.schema.fields:
            if f.type is m.FieldType.STORED_ONLY:
                continue
            sub: dict[str, Any] = {}
            if f.type is m.FieldType.TEXT:
                prop: dict[str, Any] = {"type": "text", "analyzer": "pusip_indonesian"}
                if f.facet or f.autocomplete:
                    sub["keyword"] = {"type": "keyword", "ignore_above": 4096}
            else:
                prop = {"type": _ES_TYPE[f.type]}
            if f.sortable and f.type in (m.FieldType.TEXT, m.FieldType.KEYWORD):
                sub["sort"] = {"type": "keyword", "normalizer": "pusip_sort", "ignore_above": 1024}
            if f.autocomplete:
                sub["ac"] = {
                    "type": "text",
                    "analyzer": "pusip_words",
                    "index_options": "docs",
                    "norms": False,
                    "index_prefixes": {"min_chars": 1, "max_chars": 12},
                }
            if sub:
                prop["fields"] = sub
            props[f.name] = prop
        hidden = [f.name for f in self.schema.fields if not f.stored]
        mappings: dict[str, Any] = {"dynamic": False, "properties": props}
        if hidden:
            mappings["_source"] = {"excludes": hidden}
        word = "[^\\p{L}\\p{N}\\p{M}]+"
        settings = {
            "number_of_shards": self.shards,
            "auto_expand_replicas": self.replicas,
            "max_result_window": MAX_RESULT_WINDOW,
            "analysis": {
                "tokenizer": {"pusip_words": {"type": "pattern", "pattern": word}},
                "char_filter": {
                    "pusip_trim": {
                        "type": "pattern_replace",
                        "pattern": f"^{word}|{word}$",
                        "replacement": "",
                    },
                    "pusip_space": {"type": "pattern_replace", "pattern": word, "replacement": " "},
                },
                "filter": {
                    "pusip_long": {"type": "length", "max": analysis.MAX_TOKEN_CHARS},
                    "pusip_stop": {"type": "stop", "stopwords": sorted(analysis.STOPWORDS)},
                    "pusip_stem": STEMMER_FILTER,
                },
                "analyzer": {
                    "pusip_indonesian": {
                        "type": "custom",
                        "tokenizer": "pusip_words",
                        "filter": ["lowercase", "asciifolding", "pusip_long", "pusip_stop", "pusip_stem"],
                    },
                    "pusip_words": {
                        "type": "custom",
                        "tokenizer": "pusip_words",
                        "filter": ["lowercase", "asciifolding", "pusip_long"],
                    },
                },
                "normalizer": {
                    "pusip_sort": {
                        "type": "custom",
                        "char_filter": ["pusip_trim", "pusip_space"],
                        "filter": ["lowercase", "asciifolding"],
                    }
                },
            },
        }
        return {"settings": settings, "mappings": mappings}

    async def _put_template(self) -> None:
        await self.client.indices.put_index_template(
            name=self.template,
            index_patterns=[f"{self.alias}-v*"],
            # longer names are more specific; equal lengths cannot overlap (see module docs)
            priority=100 + len(self.alias),
            template=self.index_template(),
            meta={"pusip_schema": self.schema.name, "pusip_fingerprint": self.fingerprint()},
        )

    async def current_index(self) -> str | None:
        """The physical index behind the alias, or ``None``."""
        try:
            res = await self.client.indices.get_alias(name=self.alias)
        except NotFoundError:
            return None
        names = sorted(res.body, key=self._version)
        return names[-1] if names else None

    def _version(self, index_name: str) -> int:
        try:
            return int(index_name.rsplit("-v", 1)[1])
        except (IndexError, ValueError):
            return 0

    async def ensure(self) -> None:
        first_time = not self._ensured
        await self._put_template()
        self._ensured = True
        if await self.current_index() is not None:
            if first_time:
                await self._add_new_fields()
            return
        first = f"{self.alias}-v1"
        try:
            await self.client.indices.create(index=first, aliases={self.alias: {}})
        except Exception as exc:  # created concurrently by another worker?
            if await self.current_index() is None:
                raise exc

    async def _live_mapping(self) -> dict[str, Any]:
        res = await self.client.indices.get_mapping(index=self.alias)
        for physical in dict(res.body).values():
            mappings: dict[str, Any] = physical.get("mappings", {})
            return mappings
        return {}

    async def _add_new_fields(self) -> None:
        """Map the fields the schema gained since the live index was made (mappings only grow in
        place; anything else needs :meth:`reindex_into_new_version`)."""
        live = (await self._live_mapping()).get("properties", {})
        wanted = self.index_template()["mappings"]["properties"]
        new = {name: prop for name, prop in wanted.items() if name not in live}
        if new:
            try:
                await self.client.indices.put_mapping(index=self.alias, properties=new)
            except ApiError as exc:
                log.warning("cannot map new fields %s of %s in place: %s", sorted(new), self.alias, exc)

    async def outdated(self) -> bool:
        if not self._ensured:
            await self.ensure()
        meta = (await self._live_mapping()).get("_meta") or {}
        return bool(meta.get("pusip_fingerprint") != self.fingerprint())

    async def mark_current(self) -> None:
        await self.client.indices.put_mapping(
            index=self.alias, meta={"pusip_fingerprint": self.fingerprint()}
        )

    async def reindex_into_new_version(self, docs: Iterable[dict[str, Any]] | None = None) -> str:
        """Build ``v<N+1>`` from the current template and swap the alias to it atomically.

        Without ``docs`` the documents of the current version are copied server-side
        (``_reindex``; analysis and mappings are re-applied). With ``docs`` - typically a
        rebuild from the database - those are indexed instead. Searches keep hitting the old
        version until the swap; writes made during the copy must be replayed (the outbox
        relay is idempotent, so a reconcile pass after the swap suffices). A server-side copy
        only has what ``_source`` kept: fields declared ``stored=False`` need a rebuild.
        """
        await self._put_template()
        old = await self.current_index()
        version = max([self._version(n) for n in await self._versions()] + [0]) + 1
        new = f"{self.alias}-v{version}"
        await self.client.indices.create(index=new, settings={"refresh_interval": "-1"})
        try:
            if docs is not None:
                await self._bulk(
                    new, ({"_op_type": "index", "_index": new, **a} for a in self._actions(docs))
                )
            elif old is not None:
                await self.client.reindex(
                    source={"index": old}, dest={"index": new}, wait_for_completion=True, refresh=False
                )
            await self.client.indices.put_settings(index=new, settings={"refresh_interval": None})
            await self.client.indices.refresh(index=new)
            actions: list[dict[str, Any]] = [{"add": {"index": new, "alias": self.alias}}]
            if old is not None:
                actions.insert(0, {"remove": {"index": old, "alias": self.alias}})
            await self.client.indices.update_aliases(actions=actions)
        except BaseException:
            await self.client.indices.delete(index=new, ignore_unavailable=True)
            raise
        if old is not None:
            await self.client.indices.delete(index=old, ignore_unavailable=True)
        return new

    # ------------------------------------------------------------------ writing

    def _actions(self, docs: Iterable[dict[str, Any]]) -> Iterable[dict[str, Any]]:
        for doc in docs:
            doc_id, body = _body(self.schema, self._specs, doc)
            yield {"_id": doc_id, "_source": body}

    def document_encoder(self) -> ElasticsearchEncoder:
        return ElasticsearchEncoder(self.schema)

    async def index_encoded(self, encoded: Sequence[Any], *, new: bool = False) -> int:
        """Write ``(id, JSON body)`` pairs from :class:`ElasticsearchEncoder` as one bulk request."""
        if not encoded:
            return 0
        await self._writable()
        lines = bytearray()
        for doc_id, body in encoded:
            lines += orjson.dumps({"index": {"_id": doc_id}})
            lines += b"\n"
            lines += body
            lines += b"\n"
        response = await self.client.bulk(
            operations=bytes(lines),  # type: ignore[arg-type]  # NDJSON as is; the client sends bytes unchanged
            index=self.alias,
            require_alias=True,
            refresh=False,
        )
        if response.get("errors"):
            failed = [i for i in response["items"] if "error" in next(iter(i.values()))]
            if failed:
                raise RuntimeError(
                    f"Elasticsearch bulk write failed for {len(failed)} documents: {failed[:3]}"
                )
        return len(encoded)

    async def _bulk(
        self, index: str, actions: Iterable[dict[str, Any]], *, require_alias: bool = False
    ) -> int:
        extra: dict[str, Any] = {"require_alias": True} if require_alias else {}
        ok, errors = await async_bulk(
            self.client,
            actions,
            index=index,
            raise_on_error=False,
            ignore_status=(404,),
            chunk_size=1000,
            **extra,
        )
        failed = [e for e in (errors if isinstance(errors, list) else []) if self._real_error(e)]
        if failed:
            raise RuntimeError(f"Elasticsearch bulk write failed for {len(failed)} documents: {failed[:3]}")
        return int(ok)

    @staticmethod
    def _real_error(item: dict[str, Any]) -> bool:
        return not any(op.get("status") == 404 and op.get("result") == "not_found" for op in item.values())

    async def _writable(self) -> None:
        # Writing to a missing alias would auto-create a concrete index of that name with
        # guessed mappings; make sure template, index and alias exist first.
        if not self._ensured:
            await self.ensure()

    async def index(self, docs: Iterable[dict[str, Any]]) -> int:
        actions = list(self._actions(docs))
        if not actions:
            return 0
        await self._writable()
        return await self._bulk(self.alias, ({"_op_type": "index", **a} for a in actions), require_alias=True)

    async def delete(self, ids: Iterable[str]) -> None:
        actions = [{"_op_type": "delete", "_id": str(i)} for i in ids]
        if actions:
            await self._writable()
            await self._bulk(self.alias, actions, require_alias=True)

    async def commit(self) -> None:
        await self.client.indices.refresh(index=self.alias, ignore_unavailable=True)

    async def clear(self) -> None:
        await self._writable()
        await self.client.delete_by_query(
            index=self.alias,
            query={"match_all": {}},
            conflicts="proceed",
            refresh=False,
            wait_for_completion=True,
        )

    async def _versions(self) -> list[str]:
        res = await self.client.indices.get(
            index=f"{self.alias}-v*", allow_no_indices=True, ignore_unavailable=True
        )
        return sorted(res.body, key=self._version)

    async def drop(self) -> None:
        # by name: clusters refuse wildcard deletes (action.destructive_requires_name)
        names = await self._versions()
        if names:
            await self.client.indices.delete(index=",".join(names), ignore_unavailable=True)
        with contextlib.suppress(NotFoundError):
            await self.client.indices.delete_index_template(name=self.template)

    async def close(self) -> None:
        if self._own_client:
            await self.client.close()

    # ------------------------------------------------------------------ query compilation

    def _fields(self, specs: list[m.FieldSpec]) -> list[str]:
        return [f.name if f.boost == 1.0 else f"{f.name}^{f.boost:g}" for f in specs]

    def _leaf(
        self, leaf: textquery.WordNode | textquery.PhraseNode, fields: list[m.FieldSpec]
    ) -> dict[str, Any]:
        if leaf.field is not None:
            spec = self._specs[leaf.field]
            if spec.type is m.FieldType.KEYWORD:
                return {"term": {spec.name: leaf.text.strip()}}
            fields = [spec]
        if not fields:
            return {"match_none": {}}
        if isinstance(leaf, textquery.PhraseNode):
            return {"multi_match": {"query": leaf.text, "fields": self._fields(fields), "type": "phrase"}}
        return {
            "multi_match": {
                "query": leaf.text,
                "fields": self._fields(fields),
                "type": "best_fields",
                "operator": "and",
            }
        }

    def _text(self, node: textquery.Node, fields: list[m.FieldSpec]) -> dict[str, Any]:
        if isinstance(node, (textquery.WordNode, textquery.PhraseNode)):
            return self._leaf(node, fields)
        if isinstance(node, textquery.NotNode):
            return {"bool": {"must_not": [self._text(node.item, fields)]}}
        if isinstance(node, textquery.OrNode):
            return {
                "bool": {"should": [self._text(c, fields) for c in node.items], "minimum_should_match": 1}
            }
        must = [self._text(c, fields) for c in node.items if not isinstance(c, textquery.NotNode)]
        must_not = [self._text(c.item, fields) for c in node.items if isinstance(c, textquery.NotNode)]
        out: dict[str, Any] = {}
        if must:
            out["must"] = must
        if must_not:
            out["must_not"] = must_not
        return {"bool": out}

    @staticmethod
    def _bad_value(spec: m.FieldSpec, value: Any) -> m.SearchQueryError:
        return m.SearchQueryError(
            f"Nilai tidak cocok untuk ruas {spec.name!r}",
            f"Value does not fit field {spec.name!r}",
            details={"field": spec.name, "value": str(value)},
        )

    def _value(self, spec: m.FieldSpec, value: Any) -> Any:
        try:
            v = common.coerce(spec, value)
        except common.DocumentError as exc:
            raise self._bad_value(spec, value) from exc
        return v.isoformat() if spec.type is m.FieldType.DATE else v

    def _spec(self, name: str, why: str) -> m.FieldSpec:
        if name == self.schema.id_field and name not in self._specs:
            return m.FieldSpec.model_construct(name=name, type=m.FieldType.KEYWORD)
        return self.schema.require(name, why=why)

    def _term(self, spec: m.FieldSpec, value: Any) -> dict[str, Any]:
        if spec.type is m.FieldType.TEXT:
            if not analysis.analyze(str(value)):
                return {"match_none": {}}
            return {"match_phrase": {spec.name: str(value)}}
        v = self._value(spec, value)
        if spec.type is m.FieldType.DATE:
            return {"range": {spec.name: {"gte": v, "lte": v}}}
        return {"term": {spec.name: v}}

    def _filter(self, f: m.Filter) -> dict[str, Any]:
        if isinstance(f, m.Term):
            return self._term(self._spec(f.field, "filters"), f.value)
        if isinstance(f, m.Terms):
            spec = self._spec(f.field, "filters")
            if not f.values:
                return {"match_none": {}}
            if spec.type in (m.FieldType.TEXT, m.FieldType.DATE):
                return {
                    "bool": {"should": [self._term(spec, v) for v in f.values], "minimum_should_match": 1}
                }
            return {"terms": {spec.name: [self._value(spec, v) for v in f.values]}}
        if isinstance(f, m.Range):
            spec = self.schema.require(f.field, why="range filters")
            bounds: dict[str, Any] = {}
            try:
                if spec.type is m.FieldType.INTEGER:
                    low, high = common.int_bounds(f)
                    if low is not None:
                        bounds["gte"] = low
                    if high is not None:
                        bounds["lte"] = high
                else:
                    (lo, lo_inc), (hi, hi_inc) = f.lower, f.upper
                    for key, v in (("gte" if lo_inc else "gt", lo), ("lte" if hi_inc else "lt", hi)):
                        if v is not None:
                            bound = common.range_value(spec, v)
                            bounds[key] = bound.isoformat() if isinstance(bound, dt.datetime) else bound
            except (common.DocumentError, TypeError, ValueError) as exc:
                raise self._bad_value(spec, f) from exc
            return {"range": {spec.name: bounds}} if bounds else {"match_all": {}}
        if isinstance(f, m.Exists):
            return {"exists": {"field": self._spec(f.field, "exists filters").name}}
        if isinstance(f, m.Not):
            return {"bool": {"must_not": [self._filter(f.filter)]}}
        if isinstance(f, m.Any):
            if not f.filters:
                return {"match_none": {}}
            return {"bool": {"should": [self._filter(s) for s in f.filters], "minimum_should_match": 1}}
        if not f.filters:
            return {"match_all": {}}
        return {"bool": {"filter": [self._filter(s) for s in f.filters]}}

    def compile(self, q: m.SearchQuery, plan: common.TextPlan) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if plan.node is not None:
            out["must"] = [self._text(plan.node, plan.default_fields)]
        if q.filters:
            out["filter"] = [self._filter(f) for f in q.filters]
        return {"bool": out} if out else {"match_all": {}}

    def _value_field(self, spec: m.FieldSpec) -> str:
        return f"{spec.name}.keyword" if spec.type is m.FieldType.TEXT else spec.name

    def _sort_field(self, spec: m.FieldSpec) -> str:
        return f"{spec.name}.sort" if spec.type in (m.FieldType.TEXT, m.FieldType.KEYWORD) else spec.name

    # ------------------------------------------------------------------ searching

    async def search(self, q: m.SearchQuery) -> m.SearchResult:
        m.validate_query(self.schema, q)
        plan = common.plan_text(self.schema, q)
        body: dict[str, Any] = {
            "query": self.compile(q, plan),
            "from_": q.offset,
            "size": q.limit,
            "track_total_hits": True,
        }
        sort = [s for s in q.sort if s.field != m.RELEVANCE]
        if sort:
            body["sort"] = [
                {self._sort_field(self.schema.field(s.field)): {"order": s.order.value, "missing": "_last"}}
                for s in sort
            ]
        aggs: dict[str, Any] = {}
        for i, facet in enumerate(q.facets):
            spec = self.schema.field(facet.field)
            if isinstance(facet, m.FacetRequest):
                aggs[f"f{i}"] = {"terms": {"field": self._value_field(spec), "size": facet.size}}
            else:
                ranges = []
                for r in facet.ranges:
                    bucket: dict[str, Any] = {"key": r.label}
                    if r.gte is not None:
                        bucket["from"] = r.gte
                    if r.lt is not None:
                        bucket["to"] = r.lt
                    ranges.append(bucket)
                aggs[f"f{i}"] = {"range": {"field": spec.name, "ranges": ranges}}
        if aggs:
            body["aggs"] = aggs
        if plan.highlight_terms:
            body["highlight"] = {
                "pre_tags": [common.MARK_OPEN],
                "post_tags": [common.MARK_CLOSE],
                "encoder": "html",
                "fields": {
                    name: {
                        "number_of_fragments": common.MAX_FRAGMENTS,
                        "fragment_size": common.FRAGMENT_CHARS,
                    }
                    for name in plan.highlight_terms
                },
            }
        if q.offset + q.limit > MAX_RESULT_WINDOW:
            body["from_"], body["size"] = 0, 0
        try:
            res = (await self.client.search(index=self.alias, **body)).body
        except NotFoundError:  # not created yet: nothing to find
            res = {"hits": {"total": {"value": 0}, "hits": []}}
        total = int(res["hits"]["total"]["value"])
        hits = []
        if q.offset + q.limit <= MAX_RESULT_WINDOW:
            for h in res["hits"]["hits"]:
                score = h.get("_score")
                hits.append(
                    m.Hit(
                        id=h["_id"],
                        score=None if sort or score is None else float(score),
                        source=h.get("_source", {}),
                        highlights={k: list(v) for k, v in h.get("highlight", {}).items()},
                    )
                )
        facets: dict[str, list[m.FacetBucket]] = {}
        for i, facet in enumerate(q.facets):
            buckets = res.get("aggregations", {}).get(f"f{i}", {}).get("buckets", [])
            spec = self.schema.field(facet.field)
            if isinstance(facet, m.FacetRequest):
                items = [
                    m.FacetBucket(value=common.facet_value(b["key"], spec), count=int(b["doc_count"]))
                    for b in buckets
                ]
                items.sort(key=lambda b: (-b.count, str(b.value)))
                facets[facet.field] = items
            else:
                by_key = {b["key"]: int(b["doc_count"]) for b in buckets}
                facets[facet.key] = [
                    m.FacetBucket(value=r.label, count=by_key.get(r.label, 0)) for r in facet.ranges
                ]
        return m.SearchResult(total=total, hits=hits, facets=facets)

    async def autocomplete(
        self, prefix: str, fields: Sequence[str] | None = None, size: int = 10
    ) -> list[str]:
        typed = common.parse_typed(prefix)
        specs = common.autocomplete_fields(self.schema, fields)
        if typed is None or not specs or size <= 0:
            return []
        aggs: dict[str, Any] = {}
        for i, spec in enumerate(specs):
            must: list[dict[str, Any]] = [{"term": {f"{spec.name}.ac": w}} for w in typed.done]
            if typed.last is not None:
                must.append({"prefix": {f"{spec.name}.ac": typed.last}})
            aggs[f"a{i}"] = {
                "filter": {"bool": {"filter": must}},
                "aggs": {"v": {"terms": {"field": self._value_field(spec), "size": size * 3}}},
            }
        try:
            res = (await self.client.search(index=self.alias, size=0, aggs=aggs, track_total_hits=False)).body
        except NotFoundError:
            return []
        candidates = [
            (str(b["key"]), int(b["doc_count"]))
            for i in range(len(specs))
            for b in res["aggregations"][f"a{i}"]["v"]["buckets"]
        ]
        return common.merge_suggestions(candidates, typed, size)

    async def get(self, id: str) -> dict[str, Any] | None:
        try:
            res = await self.client.get(index=self.alias, id=str(id), realtime=False)
        except NotFoundError:
            return None
        return dict(res.body.get("_source") or {}) if res.body.get("found") else None

    async def count(self, filter: m.Filter | None = None) -> int:
        if filter is not None:
            m.validate_filter(self.schema, filter)
        query = self._filter(filter) if filter is not None else {"match_all": {}}
        try:
            res = await self.client.count(index=self.alias, query=query)
        except NotFoundError:
            return 0
        return int(res.body["count"])

    async def all_ids(self) -> set[str]:
        if await self.current_index() is None:
            return set()
        return {hit["_id"] async for hit in self._scan()}

    async def _scan(self) -> AsyncIterator[dict[str, Any]]:
        async for hit in async_scan(
            self.client, index=self.alias, query={"query": {"match_all": {}}, "_source": False}, size=2000
        ):
            yield hit
