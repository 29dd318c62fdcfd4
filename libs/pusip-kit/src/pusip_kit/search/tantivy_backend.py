"""Embedded search on Tantivy (the Rust Lucene-class engine) through its Python binding.

Layout of one index: ``<path>/v-<fingerprint>/`` holds the Tantivy files for the current
schema (a changed schema opens a fresh, empty directory; the owning service then rebuilds
it from its database). Field layout per :class:`FieldSpec`:

=========  =====================================================================
TEXT       ``f`` pre-analysed tokens (Indonesian analysis, positions kept, BM25)
KEYWORD    ``f`` exact value, fast (filters, exists)
numbers    ``f`` indexed + fast (filters, ranges, numeric facets, sort)
facet      TEXT/KEYWORD: ``f__fh`` the 64-bit hashes of the distinct values (u64, fast and
           indexed), counted by a terms aggregation; the top hashes are turned back into
           values from the stored documents (``_source``, or ``f__fv`` when the field is not
           stored) and kept per index (:meth:`TantivyIndex._facet_values`). Counting strings
           costs Tantivy a walk of each segment's compressed term dictionary per bucket asked
           (most of a search's CPU on a large catalogue); hashes are plain numbers. Numbers and
           booleans are counted on the field itself.
autocomp.  ``f__ac`` folded unstemmed words (prefix queries)
sortable   ``f__sort`` folded sort key (text); ``f__ska``/``f__skd`` (+``2`` for text):
           order-preserving u64 sort proxies, used only when sorting by more than one key
           (Tantivy sorts natively by one; several keys go through a ``top_hits``
           aggregation, which can only sort numeric columns)
=========  =====================================================================

``_id`` (exact), ``_key`` (u64 hash of the id, indexed + fast; only where several sort keys
are allowed, see :attr:`IndexSchema.multi_key_sort`) and ``_source`` (the stored JSON) complete
every document. TEXT fields use the ``pusip_terms`` tokenizer: the analysis runs in Python
(:class:`TantivyEncoder`, anywhere) and hands Tantivy one string of terms per value.

One process writes (the writer is opened lazily on the first write, with a modest heap);
any number of processes read. Readers notice a commit by the change of ``meta.json`` and
reload before the next query. Every blocking Tantivy call runs in a worker thread.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import logging
import os
import shutil
import struct
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread
import orjson
import tantivy
from tantivy import Occur, Query

from pusip_kit.search import analysis, common, textquery
from pusip_kit.search import model as m
from pusip_kit.search.base import SearchIndex

log = logging.getLogger(__name__)

LAYOUT_VERSION = 5
TERMS_TOKENIZER = "pusip_terms"
"""TEXT fields receive their analysed terms as one string (:func:`analysis.term_string`): this
tokenizer splits it on spaces and drops the gap marker, keeping the positions after it."""
WRITER_HEAP_BYTES = 64_000_000
FACET_SEGMENT_SIZE = 10_000
"""Facet buckets each segment hands on. Counts are exact while no segment has more values among
the hits (Tantivy then reports no error bound); otherwise the facet is counted again unbounded."""
FACET_ASK = 64
"""Facet buckets asked at first (at least four times the facet size): values tied with the last
shown one must all be seen to order ties by value, so more are asked when the tie runs on."""
FACET_TIE_MAX = 1024
"""At most this many values tied at the last place are ordered by value (more: any of them)."""
_UNBOUNDED = 2**31 - 1
_MULTI_SORT_REFINE = 16
_FACET_CACHE_SIZE = 256
_FACET_VALUE_CACHE_SIZE = 200_000
_SUGGEST_CACHE_SIZE = 2048
_SUGGEST_DOCS_SIZE = 16_384
"""Documents whose autocomplete values are remembered (roughly 10-15 MB when full)."""
_U64_MAX = 2**64 - 1
_T = TypeVar("_T")

_TANTIVY_TYPE = {
    m.FieldType.INTEGER: tantivy.FieldType.Integer,
    m.FieldType.FLOAT: tantivy.FieldType.Float,
    m.FieldType.DATE: tantivy.FieldType.Date,
}


def _count(res: tantivy.SearchResult) -> int:
    return int(getattr(res, "count", 0) or 0)  # the stub lacks ``count``


def _clamp(u: int) -> int:
    return min(max(u, 1), _U64_MAX - 1)


def _id_key(doc_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(doc_id.encode(), digest_size=8).digest(), "big")


def _text_proxies(value: str) -> tuple[int, int]:
    raw = analysis.sort_key(value).encode()[:16].ljust(16, b"\0")
    return _clamp(int.from_bytes(raw[:8], "big")), int.from_bytes(raw[8:], "big")


def _number_proxy(spec: m.FieldSpec, value: Any) -> int:
    if spec.type is m.FieldType.FLOAT:
        bits: int = struct.unpack(">Q", struct.pack(">d", float(value)))[0]
        return _clamp(bits ^ _U64_MAX if bits >> 63 else bits | (1 << 63))
    if spec.type is m.FieldType.DATE:
        delta = common.to_datetime(value) - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        return _clamp((delta // dt.timedelta(microseconds=1)) + (1 << 63))
    if spec.type is m.FieldType.BOOLEAN:
        return 2 if value else 1
    return _clamp(int(value) + (1 << 63))


def _hashed_facet(f: m.FieldSpec) -> bool:
    """TEXT/KEYWORD facets are counted on value hashes (numbers and booleans on the field)."""
    return f.facet and f.type in (m.FieldType.TEXT, m.FieldType.KEYWORD)


def value_hash(value: str) -> int:
    """The u64 a facet value is counted as (64 bits: a collision among a million values has
    odds of about 1 in 30 million)."""
    return int.from_bytes(hashlib.blake2b(value.encode(), digest_size=8).digest(), "big")


def _facet_strings(value: Any) -> list[str]:
    """A document's values of a TEXT/KEYWORD field as they are indexed (distinct, as strings)."""
    items = value if isinstance(value, (list, tuple)) else (value,)
    return list(dict.fromkeys(v if type(v) is str else str(v) for v in items if v is not None))


def _proxy_names(schema: m.IndexSchema, f: m.FieldSpec) -> list[str]:
    if not f.sortable or not schema.multi_key_sort:
        return []
    names = [f"{f.name}__ska", f"{f.name}__skd"]
    if f.type in (m.FieldType.TEXT, m.FieldType.KEYWORD):
        names += [f"{f.name}__ska2", f"{f.name}__skd2"]
    return names


class TantivyEncoder:
    """Documents as Tantivy takes them, analysis included (``__call__``: JSON text, ``encode``:
    the dict ``tantivy.Document.from_dict`` takes).

    Needs only the schema, never the index: it runs wherever is convenient (a bulk import runs it
    in its parse process) and what it returns pickles cheaply. :meth:`TantivyIndex.index_encoded`
    writes the result.
    """

    kind = "tantivy"

    def __init__(self, schema: m.IndexSchema) -> None:
        self.schema = schema
        self._specs = {f.name: f for f in schema.fields}
        self._hashed = [f for f in schema.fields if _hashed_facet(f)]
        self._proxied = [f for f in schema.fields if _proxy_names(schema, f)]
        self._hidden = frozenset(f.name for f in schema.fields if not f.stored)

    def __getstate__(self) -> m.IndexSchema:
        return self.schema

    def __setstate__(self, schema: m.IndexSchema) -> None:
        self.__init__(schema)  # type: ignore[misc]

    def __call__(self, doc: dict[str, Any]) -> tuple[str, str]:
        """``(id, JSON text)``: the document as ``IndexWriter.add_json`` takes it (``_source`` in
        base64, as JSON carries bytes fields). One string pickles and crosses a pipe far cheaper
        than the nested dict, and Tantivy parses it without building Python objects."""
        prepared, source = self.prepare(doc)
        out = self.encode(prepared, b"")
        out["_source"] = base64.b64encode(source).decode("ascii")
        return prepared.id, orjson.dumps(out).decode()

    def prepare(self, doc: dict[str, Any]) -> tuple[common.PreparedDoc, bytes]:
        """The document's indexed values and its stored source (JSON)."""
        prepared = common.prepare(self.schema, doc, with_source=False)
        source = {k: v for k, v in doc.items() if k not in self._hidden}
        source[self.schema.id_field] = prepared.id
        return prepared, orjson.dumps(source, default=str, option=orjson.OPT_NON_STR_KEYS)

    def encode(self, prepared: common.PreparedDoc, source: bytes | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "_id": prepared.id,
            "_source": orjson.dumps(prepared.source) if source is None else source,
        }
        if self.schema.multi_key_sort:  # only multi-key sorting looks documents up by it
            out["_key"] = _id_key(prepared.id)
        strings = analysis.index_strings
        for name, values in prepared.values.items():
            spec = self._specs[name]
            t = spec.type
            if t is m.FieldType.TEXT:
                pairs = [strings(v) for v in values]
                out[name] = [p[0] for p in pairs]
                if spec.autocomplete:
                    out[f"{name}__ac"] = [p[1] for p in pairs]
            else:
                out[name] = values
                if spec.autocomplete:
                    out[f"{name}__ac"] = [strings(v)[1] for v in values]
            if spec.sortable and t in (m.FieldType.TEXT, m.FieldType.KEYWORD):
                out[f"{name}__sort"] = [analysis.sort_key(values[0])]
        for spec in self._hashed:
            distinct = _facet_strings(prepared.values.get(spec.name, ()))
            if distinct:
                out[f"{spec.name}__fh"] = [value_hash(v) for v in distinct]
                if not spec.stored:  # where the values are read back from
                    out[f"{spec.name}__fv"] = distinct
        for spec in self._proxied:
            present = prepared.values.get(spec.name)
            name = spec.name
            if present is None:  # missing sort values: last in both directions
                out[f"{name}__ska"], out[f"{name}__skd"] = [_U64_MAX], [0]
                if spec.type in (m.FieldType.TEXT, m.FieldType.KEYWORD):
                    out[f"{name}__ska2"], out[f"{name}__skd2"] = [_U64_MAX], [0]
            elif spec.type in (m.FieldType.TEXT, m.FieldType.KEYWORD):
                hi, lo = _text_proxies(present[0])
                out[f"{name}__ska"] = out[f"{name}__skd"] = [hi]
                out[f"{name}__ska2"] = out[f"{name}__skd2"] = [lo]
            else:
                proxy = _number_proxy(spec, present[0])
                out[f"{name}__ska"] = out[f"{name}__skd"] = [proxy]
        return out


@functools.cache
def _terms_analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
        .filter(tantivy.Filter.custom_stopword([analysis.GAP]))
        .build()
    )


class IndexWriterBusy(RuntimeError):
    """A second process tried to write an index (Tantivy allows one writer per index)."""


class TantivyIndex(SearchIndex):
    def __init__(
        self, path: str | os.PathLike[str], schema: m.IndexSchema, *, writer_heap: int = WRITER_HEAP_BYTES
    ) -> None:
        self.schema = schema
        self.root = Path(path)
        self.dir = self.root / f"v-{self.fingerprint(schema)}"
        self.writer_heap = writer_heap
        self._index: tantivy.Index | None = None
        self._tschema: tantivy.Schema | None = None
        self._writer: tantivy.IndexWriter | None = None
        self._write_lock = threading.Lock()
        self._open_lock = threading.Lock()
        self._meta_stamp: tuple[int, int] | None = None
        self._specs = {f.name: f for f in schema.fields}
        self._text_names = {f.name for f in schema.text_fields}
        self.encoder = TantivyEncoder(schema)
        self._facet_cache: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
        self._facet_cache_lock = threading.Lock()
        self._suggest_cache: OrderedDict[tuple[Any, ...], tuple[str, ...]] = OrderedDict()
        self._suggest_docs: OrderedDict[tuple[Any, int, int], dict[str, Any]] = OrderedDict()
        self._autocomplete_names = [f.name for f in schema.fields if f.autocomplete]
        self._facet_values: OrderedDict[tuple[str, int], str] = OrderedDict()
        """Facet value by (field, hash): true for good (a hash stands for one value), so kept
        across commits; recent ones only."""

    # ------------------------------------------------------------------ layout

    @staticmethod
    def fingerprint(schema: m.IndexSchema) -> str:
        shape = [
            (f.name, f.type.value, f.stored, f.facet, f.sortable, f.autocomplete, f.multi)
            for f in schema.fields
        ]
        layout: dict[str, Any] = {"layout": LAYOUT_VERSION, "id": schema.id_field, "fields": shape}
        if not schema.multi_key_sort:
            layout["multi_key_sort"] = False
        blob = orjson.dumps(layout)
        return hashlib.sha256(blob).hexdigest()[:12]

    def _build_schema(self) -> tantivy.Schema:
        sb = tantivy.SchemaBuilder()
        sb.add_text_field("_id", tokenizer_name="raw", index_option="basic")
        if self.schema.multi_key_sort:
            sb.add_unsigned_field("_key", indexed=True, fast=True)
        sb.add_bytes_field("_source", stored=True)
        for f in self.schema.fields:
            name = f.name
            if f.type is m.FieldType.TEXT:
                sb.add_text_field(name, tokenizer_name=TERMS_TOKENIZER, index_option="position")
            elif f.type is m.FieldType.KEYWORD:
                sb.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
            elif f.type is m.FieldType.INTEGER:
                sb.add_integer_field(name, indexed=True, fast=True)
            elif f.type is m.FieldType.FLOAT:
                sb.add_float_field(name, indexed=True, fast=True)
            elif f.type is m.FieldType.DATE:
                sb.add_date_field(name, indexed=True, fast=True)
            elif f.type is m.FieldType.BOOLEAN:
                sb.add_boolean_field(name, indexed=True, fast=True)
            if _hashed_facet(f):
                sb.add_unsigned_field(f"{name}__fh", indexed=True, fast=True)
                if not f.stored:
                    sb.add_text_field(f"{name}__fv", stored=True, tokenizer_name="raw", index_option="basic")
            if f.autocomplete:
                sb.add_text_field(f"{name}__ac", tokenizer_name="whitespace", index_option="basic")
            if f.sortable:
                for proxy in _proxy_names(self.schema, f):
                    sb.add_unsigned_field(proxy, fast=True)
                if f.type in (m.FieldType.TEXT, m.FieldType.KEYWORD):
                    sb.add_text_field(f"{name}__sort", fast=True, tokenizer_name="raw", index_option="basic")
        return sb.build()

    def _sort_field(self, spec: m.FieldSpec) -> str:
        if spec.type in (m.FieldType.TEXT, m.FieldType.KEYWORD):
            return f"{spec.name}__sort"
        return spec.name

    # ------------------------------------------------------------------ opening

    async def _run(self, fn: Callable[..., _T], *args: Any) -> _T:
        return await anyio.to_thread.run_sync(functools.partial(fn, *args))

    def _open(self) -> tantivy.Index:
        index = self._index
        if index is not None:
            return index
        with self._open_lock:
            if self._index is None:
                self._tschema = self._build_schema()
                self.dir.mkdir(parents=True, exist_ok=True)
                self._index = tantivy.Index(self._tschema, path=str(self.dir), reuse=True)
                self._index.register_tokenizer(TERMS_TOKENIZER, _terms_analyzer())
                self._meta_stamp = self._stamp()
            return self._index

    @property
    def tschema(self) -> tantivy.Schema:
        self._open()
        assert self._tschema is not None
        return self._tschema

    def _stamp(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.dir / "meta.json")
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns)

    def _searcher(self) -> tantivy.Searcher:
        index = self._open()
        stamp = self._stamp()
        if stamp != self._meta_stamp:  # another process (or our writer) committed
            self._meta_stamp = stamp
            index.reload()
        return index.searcher()

    def _writer_locked(self) -> tantivy.IndexWriter:
        if self._writer is None:
            index = self._open()
            # Indexing threads beyond half the cores only compete with the application (and with
            # one thread per 16 MB of heap, small segments that cost merges): on two cores, one.
            threads = max(1, min(4, (os.cpu_count() or 2) // 2, self.writer_heap // 16_000_000))
            try:
                self._writer = index.writer(self.writer_heap, threads)
            except ValueError as exc:
                raise IndexWriterBusy(
                    f"{self.dir}: another process holds the index writer; only the service worker writes"
                ) from exc
        return self._writer

    async def ensure(self) -> None:
        await self._run(self._open)

    # ------------------------------------------------------------------ writing

    def _write_encoded(self, encoded: Sequence[tuple[str, str]], new: bool = False) -> int:
        """Write ``(id, JSON)`` pairs of :class:`TantivyEncoder`."""
        self._open()
        with self._write_lock:
            writer = self._writer_locked()
            for doc_id, text in encoded:
                if not new:
                    writer.delete_documents_by_term("_id", doc_id)
                writer.add_json(text)
        return len(encoded)

    def _index_sync(self, docs: list[dict[str, Any]]) -> int:
        ts, encoder = self.tschema, self.encoder
        built = []
        for d in docs:
            e = encoder.encode(*encoder.prepare(d))
            built.append((e["_id"], tantivy.Document.from_dict(e, ts)))
        with self._write_lock:
            writer = self._writer_locked()
            for doc_id, doc in built:
                writer.delete_documents_by_term("_id", doc_id)
                writer.add_document(doc)
        return len(built)

    def document_encoder(self) -> TantivyEncoder:
        return self.encoder

    async def index_encoded(self, encoded: Sequence[Any], *, new: bool = False) -> int:
        if not encoded:
            return 0
        return await self._run(self._write_encoded, encoded, new)

    async def index(self, docs: Iterable[dict[str, Any]]) -> int:
        batch = list(docs)
        if not batch:
            return 0
        return await self._run(self._index_sync, batch)

    def _delete_sync(self, ids: list[str]) -> None:
        with self._write_lock:
            writer = self._writer_locked()
            for i in ids:
                writer.delete_documents_by_term("_id", i)

    async def delete(self, ids: Iterable[str]) -> None:
        batch = [str(i) for i in ids]
        if batch:
            await self._run(self._delete_sync, batch)

    def _commit_sync(self) -> None:
        with self._write_lock:
            if self._writer is not None:
                self._writer.commit()
        index = self._open()
        index.reload()
        self._meta_stamp = self._stamp()

    async def commit(self) -> None:
        await self._run(self._commit_sync)

    def _clear_sync(self) -> None:
        with self._write_lock:
            self._writer_locked().delete_all_documents()

    async def clear(self) -> None:
        await self._run(self._clear_sync)

    def _close_sync(self) -> None:
        with self._write_lock:
            writer, self._writer = self._writer, None
            if writer is not None:
                writer.commit()  # pending writes persist, as Elasticsearch's do without a refresh
                writer.wait_merging_threads()
        self._index = None

    async def close(self) -> None:
        await self._run(self._close_sync)

    async def drop(self) -> None:
        await self.close()
        await self._run(functools.partial(shutil.rmtree, self.root, ignore_errors=True))

    # ------------------------------------------------------------------ query compilation

    def _bool(self, clauses: list[tuple[Occur, Query]]) -> Query:
        if len(clauses) == 1 and clauses[0][0] == Occur.Must:
            return clauses[0][1]
        if clauses and all(occ == Occur.MustNot for occ, _ in clauses):
            clauses = [(Occur.Must, Query.all_query()), *clauses]
        return Query.boolean_query(clauses)

    def _text_field_query(self, spec: m.FieldSpec, text: str, phrase: bool) -> Query | None:
        tokens = analysis.analyze(text)
        if not tokens:
            return None
        ts = self.tschema
        if len(tokens) == 1:
            q = Query.term_query(ts, spec.name, tokens[0].term)
        elif phrase:
            base = tokens[0].position
            q = Query.phrase_query(ts, spec.name, [(tok.position - base, tok.term) for tok in tokens])
        else:
            q = self._bool([(Occur.Must, Query.term_query(ts, spec.name, tok.term)) for tok in tokens])
        return Query.boost_query(q, spec.boost) if spec.boost != 1.0 else q

    def _leaf(self, leaf: textquery.WordNode | textquery.PhraseNode, fields: list[m.FieldSpec]) -> Query:
        phrase = isinstance(leaf, textquery.PhraseNode)
        if leaf.field is not None:
            spec = self._specs[leaf.field]
            if spec.type is m.FieldType.KEYWORD:
                return Query.term_query(self.tschema, spec.name, leaf.text.strip())
            fields = [spec]
        subs = [q for q in (self._text_field_query(f, leaf.text, phrase) for f in fields) if q is not None]
        if not subs:
            return Query.empty_query()
        return subs[0] if len(subs) == 1 else Query.disjunction_max_query(subs)

    def _text(self, node: textquery.Node, fields: list[m.FieldSpec]) -> Query:
        if isinstance(node, (textquery.WordNode, textquery.PhraseNode)):
            return self._leaf(node, fields)
        if isinstance(node, textquery.NotNode):
            return self._bool([(Occur.MustNot, self._text(node.item, fields))])
        if isinstance(node, textquery.OrNode):
            return Query.boolean_query([(Occur.Should, self._text(c, fields)) for c in node.items])
        clauses = [
            (Occur.MustNot, self._text(c.item, fields))
            if isinstance(c, textquery.NotNode)
            else (Occur.Must, self._text(c, fields))
            for c in node.items
        ]
        return self._bool(clauses)

    @staticmethod
    def _bad_value(spec: m.FieldSpec, value: Any) -> m.SearchQueryError:
        return m.SearchQueryError(
            f"Nilai tidak cocok untuk ruas {spec.name!r}",
            f"Value does not fit field {spec.name!r}",
            details={"field": spec.name, "value": str(value)},
        )

    def _value(self, spec: m.FieldSpec, value: Any) -> Any:
        try:
            return common.coerce(spec, value)
        except common.DocumentError as exc:
            raise self._bad_value(spec, value) from exc

    def _spec(self, name: str) -> m.FieldSpec:
        spec = self._specs.get(name)
        if spec is None and name == self.schema.id_field:
            return m.FieldSpec.model_construct(name="_id", type=m.FieldType.KEYWORD)
        return self.schema.require(name, why="filters")

    def _term(self, spec: m.FieldSpec, value: Any) -> Query:
        ts = self.tschema
        if spec.type is m.FieldType.TEXT:
            q = self._text_field_query(spec.model_copy(update={"boost": 1.0}), str(value), phrase=True)
            return q if q is not None else Query.empty_query()
        v = self._value(spec, value)
        if spec.type is m.FieldType.DATE:
            return Query.range_query(ts, spec.name, tantivy.FieldType.Date, v, v)
        return Query.term_query(ts, spec.name, v)

    def _filter(self, f: m.Filter) -> Query:
        ts = self.tschema
        if isinstance(f, m.Term):
            return self._term(self._spec(f.field), f.value)
        if isinstance(f, m.Terms):
            spec = self._spec(f.field)
            if not f.values:
                return Query.empty_query()
            if spec.type in (m.FieldType.KEYWORD, m.FieldType.INTEGER, m.FieldType.BOOLEAN):
                return Query.term_set_query(ts, spec.name, [self._value(spec, v) for v in f.values])
            return Query.boolean_query([(Occur.Should, self._term(spec, v)) for v in f.values])
        if isinstance(f, m.Range):
            spec = self.schema.require(f.field, why="range filters")
            ftype = _TANTIVY_TYPE[spec.type]
            try:
                if spec.type is m.FieldType.INTEGER:
                    low, high = common.int_bounds(f)
                    if low is None and high is None:
                        return Query.all_query()
                    if low is not None and high is not None and low > high:
                        return Query.empty_query()
                    return Query.range_query(ts, spec.name, ftype, low, high)
                (lo, lo_inc), (hi, hi_inc) = f.lower, f.upper
                if lo is None and hi is None:
                    return Query.all_query()
                return Query.range_query(
                    ts,
                    spec.name,
                    ftype,
                    None if lo is None else common.range_value(spec, lo),
                    None if hi is None else common.range_value(spec, hi),
                    include_lower=lo_inc or lo is None,
                    include_upper=hi_inc or hi is None,
                )
            except (common.DocumentError, TypeError, ValueError) as exc:
                raise self._bad_value(spec, f) from exc
        if isinstance(f, m.Exists):
            spec = self._spec(f.field)
            return Query.all_query() if spec.name == "_id" else Query.exists_query(spec.name)
        if isinstance(f, m.Not):
            return self._bool([(Occur.MustNot, self._filter(f.filter))])
        if isinstance(f, m.Any):
            if not f.filters:
                return Query.empty_query()
            return Query.boolean_query([(Occur.Should, self._filter(s)) for s in f.filters])
        if not f.filters:
            return Query.all_query()
        return self._bool([(Occur.Must, self._filter(s)) for s in f.filters])

    def compile(self, q: m.SearchQuery, plan: common.TextPlan) -> Query:
        clauses: list[tuple[Occur, Query]] = []
        if plan.node is not None:
            clauses.append((Occur.Must, self._text(plan.node, plan.default_fields)))
        if q.filters:
            filt = self._bool([(Occur.Must, self._filter(f)) for f in q.filters])
            clauses.append((Occur.Must, Query.const_score_query(filt, 0.0)))
        if not clauses:
            return Query.all_query()
        return self._bool(clauses)

    # ------------------------------------------------------------------ searching

    def _terms_agg(self, facet: m.FacetRequest, ask: int, segment_size: int) -> dict[str, Any]:
        spec = self.schema.field(facet.field)
        column = f"{spec.name}__fh" if _hashed_facet(spec) else spec.name
        return {"terms": {"field": column, "size": ask, "segment_size": max(segment_size, ask)}}

    def _facets_raw(
        self, searcher: tantivy.Searcher, query: Query, q: m.SearchQuery, pages: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """Facet counts as plain data: ``{key: [(value, count), ...]}``, largest first, ties by value.

        Every terms facet is asked for its top :data:`FACET_ASK` buckets, each segment handing on at
        most :data:`FACET_SEGMENT_SIZE`. A facet is asked again, in one more aggregation for all of
        them, when a segment had more values than that (the counts could be short: now unbounded)
        or when the values tied with the last shown one may go on past the buckets returned.
        """
        aggs: dict[str, Any] = {}
        asked: dict[int, tuple[int, int]] = {}
        for i, facet in enumerate(q.facets):
            if isinstance(facet, m.RangeFacetRequest):
                ranges = []
                for r in facet.ranges:
                    bucket: dict[str, Any] = {"key": r.label}
                    if r.gte is not None:
                        bucket["from"] = r.gte
                    if r.lt is not None:
                        bucket["to"] = r.lt
                    ranges.append(bucket)
                aggs[f"f{i}"] = {"range": {"field": self.schema.field(facet.field).name, "ranges": ranges}}
                continue
            asked[i] = (max(FACET_ASK, facet.size * 4), FACET_SEGMENT_SIZE)
            aggs[f"f{i}"] = self._terms_agg(facet, *asked[i])
        result = searcher.aggregate(query, aggs)
        out: dict[str, Any] = {}
        for i, facet in enumerate(q.facets):
            if isinstance(facet, m.RangeFacetRequest):
                by_key = {b["key"]: int(b["doc_count"]) for b in result.get(f"f{i}", {}).get("buckets", [])}
                out[facet.key] = [(r.label, by_key.get(r.label, 0)) for r in facet.ranges]
        while asked:
            again: dict[int, tuple[int, int]] = {}
            for i, (ask, segment_size) in asked.items():
                facet = q.facets[i]
                assert isinstance(facet, m.FacetRequest)
                part = result.get(f"f{i}", {})
                buckets = part.get("buckets", [])
                if part.get("doc_count_error_upper_bound") and segment_size < _UNBOUNDED:
                    again[i] = (ask, _UNBOUNDED)
                elif (
                    len(buckets) >= ask
                    and part.get("sum_other_doc_count")
                    and buckets[-1]["doc_count"] == buckets[facet.size - 1]["doc_count"]
                    and ask < FACET_TIE_MAX
                ):
                    again[i] = (min(ask * 8, FACET_TIE_MAX), segment_size)
                else:
                    out[facet.field] = self._top_values(searcher, facet, buckets, pages)
            asked = again
            if again:
                aggs = {f"f{i}": self._terms_agg(q.facets[i], *a) for i, a in again.items()}  # type: ignore[arg-type]
                result = searcher.aggregate(query, aggs)
        keys = [f.key if isinstance(f, m.RangeFacetRequest) else f.field for f in q.facets]
        return {k: out[k] for k in keys}  # in the order asked

    def _top_values(
        self,
        searcher: tantivy.Searcher,
        facet: m.FacetRequest,
        buckets: list[dict[str, Any]],
        pages: list[dict[str, Any]],
    ) -> list[tuple[Any, int]]:
        """The facet's first ``size`` (value, count): by count, ties by value."""
        if not buckets:
            return []
        spec = self.schema.field(facet.field)
        last = int(buckets[min(facet.size, len(buckets)) - 1]["doc_count"])
        shown = [(b["key"], int(b["doc_count"])) for b in buckets if int(b["doc_count"]) >= last]
        ranked: list[tuple[Any, int]]
        if _hashed_facet(spec):
            names = self._facet_value_names(searcher, spec, [k for k, _ in shown], pages)
            ranked = [(names[k], n) for k, n in shown if k in names]
        else:
            ranked = [(common.facet_value(k, spec), n) for k, n in shown]
        ranked.sort(key=lambda vn: (-vn[1], str(vn[0])))
        return ranked[: facet.size]

    def _facet_value_names(
        self, searcher: tantivy.Searcher, spec: m.FieldSpec, keys: list[int], pages: list[dict[str, Any]]
    ) -> dict[int, str]:
        """Values of facet hashes: remembered ones, those in this page's hits, then a few documents
        holding the rest (each document read names all its values)."""
        name, found, missing = spec.name, {}, []
        with self._facet_cache_lock:
            for k in keys:
                v = self._facet_values.get((name, k))
                if v is None:
                    missing.append(k)
                else:
                    found[k] = v
                    self._facet_values.move_to_end((name, k))
        if not missing:
            return found
        learnt: dict[int, str] = {}
        if spec.stored:
            for src in pages:
                learnt.update((value_hash(v), v) for v in _facet_strings(src.get(name)))
        ts, column = self.tschema, f"{name}__fh"
        for k in missing:
            if k in learnt:
                continue
            # one document holding the value (a lone term query skips to its first hit; a union of
            # several would score every posting of popular values), which names all its values
            for _, addr in searcher.search(Query.term_query(ts, column, k), 1, count=False).hits:
                if spec.stored:
                    values = _facet_strings(self._source(searcher, addr).get(name))
                else:
                    values = _facet_strings(searcher.doc(addr).get_all(f"{name}__fv"))
                learnt.update((value_hash(v), v) for v in values)
        with self._facet_cache_lock:
            for k in missing:
                if k in learnt:
                    found[k] = self._facet_values[(name, k)] = learnt[k]
            while len(self._facet_values) > _FACET_VALUE_CACHE_SIZE:
                self._facet_values.popitem(last=False)
        return found

    def _cached_facets(
        self, searcher: tantivy.Searcher, query: Query, q: m.SearchQuery, pages: list[dict[str, Any]]
    ) -> dict[str, list[m.FacetBucket]]:
        # Facets over broad queries (the catalogue's home page, popular subjects) are the expensive
        # part; they only change on commit, so keep recent ones per reader generation.
        key = (self._meta_stamp, q.text, q.text_fields, q.filters, q.facets)
        with self._facet_cache_lock:
            raw = self._facet_cache.get(key)
            if raw is not None:
                self._facet_cache.move_to_end(key)
        if raw is None:
            raw = self._facets_raw(searcher, query, q, pages)
            with self._facet_cache_lock:
                self._facet_cache[key] = raw
                while len(self._facet_cache) > _FACET_CACHE_SIZE:
                    self._facet_cache.popitem(last=False)
        bucket = m.FacetBucket.model_construct
        return {name: [bucket(value=v, count=n) for v, n in items] for name, items in raw.items()}

    def _source(self, searcher: tantivy.Searcher, addr: tantivy.DocAddress) -> dict[str, Any]:
        raw = searcher.doc(addr).get_first("_source")
        return orjson.loads(raw) if raw else {}

    def _search_sync(self, q: m.SearchQuery) -> m.SearchResult:
        m.validate_query(self.schema, q)
        plan = common.plan_text(self.schema, q)
        query = self.compile(q, plan)
        searcher = self._searcher()
        sort = [s for s in q.sort if s.field != m.RELEVANCE]
        hits: list[tuple[float | None, dict[str, Any]]] = []
        if len(sort) <= 1:
            kwargs: dict[str, Any] = {}
            if sort:
                kwargs["order_by_field"] = self._sort_field(self.schema.field(sort[0].field))
                kwargs["order"] = (
                    tantivy.Order.Asc if sort[0].order is m.SortOrder.ASC else tantivy.Order.Desc
                )
            match_all = plan.node is None and not q.filters  # counting every document is not needed
            res = searcher.search(query, max(q.limit, 1), count=not match_all, offset=q.offset, **kwargs)
            total = int(searcher.num_docs) if match_all else _count(res)
            if q.limit:
                hits = [(None if sort else float(k), self._source(searcher, a)) for k, a in res.hits]
        else:
            match_all = plan.node is None and not q.filters
            total = int(searcher.num_docs) if match_all else _count(searcher.search(query, 1, count=True))
            if q.limit and q.offset < total:
                hits = [(None, src) for src in self._multi_sorted(searcher, query, q, sort)]
        facets: dict[str, list[m.FacetBucket]] = {}
        if q.facets:
            if total:
                facets = self._cached_facets(searcher, query, q, [src for _, src in hits])
            else:
                facets = {
                    f.key if isinstance(f, m.RangeFacetRequest) else f.field: (
                        [m.FacetBucket(value=r.label, count=0) for r in f.ranges]
                        if isinstance(f, m.RangeFacetRequest)
                        else []
                    )
                    for f in q.facets
                }
        out = []
        for score, src in hits:
            hl = common.highlights_for(src, plan.highlight_terms) if plan.highlight_terms else {}
            out.append(
                m.Hit.model_construct(
                    id=str(src.get(self.schema.id_field, "")), score=score, source=src, highlights=hl
                )
            )
        return m.SearchResult.model_construct(total=total, hits=out, facets=facets)

    def _multi_sorted(
        self, searcher: tantivy.Searcher, query: Query, q: m.SearchQuery, sort: list[m.Sort]
    ) -> list[dict[str, Any]]:
        """Several sort keys: ``top_hits`` over the u64 proxies, then refined within the page.

        Text keys compare by their first 16 bytes in the proxies; documents that tie there are
        put in exact order within the page window (page + 16), which covers real catalogues.
        """
        if not self.schema.multi_key_sort:
            raise m.SearchQueryError(
                "Indeks ini hanya dapat diurutkan menurut satu kunci",
                "This index sorts by one key only",
                details={"sort": [s.field for s in sort]},
            )
        keys: list[dict[str, str]] = []
        for s in sort:
            spec = self.schema.field(s.field)
            suffix = "ska" if s.order is m.SortOrder.ASC else "skd"
            keys.append({f"{spec.name}__{suffix}": s.order.value})
            if spec.type in (m.FieldType.TEXT, m.FieldType.KEYWORD):
                keys.append({f"{spec.name}__{suffix}2": s.order.value})
        window = q.limit + _MULTI_SORT_REFINE
        agg = {
            "top": {"top_hits": {"sort": keys, "size": window, "from": q.offset, "docvalue_fields": ["_key"]}}
        }
        rows = searcher.aggregate(query, agg)["top"]["hits"]
        order = [row["docvalue_fields"]["_key"][0] for row in rows if row["docvalue_fields"].get("_key")]
        if not order:
            return []
        ts = self.tschema
        # a TermSetQuery builds a bitset over every document; a few term lookups are cheaper
        wanted = Query.boolean_query(
            [(Occur.Should, Query.term_query(ts, "_key", k)) for k in dict.fromkeys(order)]
        )
        found = searcher.search(wanted, len(order) * 2, count=False)
        by_key: dict[int, list[dict[str, Any]]] = {}
        for _, addr in found.hits:
            src = self._source(searcher, addr)
            by_key.setdefault(_id_key(str(src.get(self.schema.id_field))), []).append(src)
        ordered: list[dict[str, Any]] = []
        for k in dict.fromkeys(order):
            ordered.extend(by_key.get(k, ()))
        return self._refine(ordered, sort)[: q.limit]

    def _refine(self, docs: list[dict[str, Any]], sort: list[m.Sort]) -> list[dict[str, Any]]:
        """Exact multi-key order of a few documents (stable; missing values last both ways)."""
        for s in reversed(sort):
            spec = self.schema.field(s.field)
            keyed = [(self._sort_value(spec, d), d) for d in docs]
            present = [kd for kd in keyed if kd[0] is not None]
            present.sort(key=lambda kd: kd[0], reverse=s.order is m.SortOrder.DESC)
            docs = [d for _, d in present] + [d for k, d in keyed if k is None]
        return docs

    @staticmethod
    def _sort_value(spec: m.FieldSpec, src: dict[str, Any]) -> Any:
        v = src.get(spec.name)
        if isinstance(v, list):
            v = v[0] if v else None
        if v is None:
            return None
        try:
            if spec.type in (m.FieldType.TEXT, m.FieldType.KEYWORD):
                return analysis.sort_key(v)
            return common.coerce(spec, v)
        except (ValueError, TypeError):
            return None

    async def search(self, q: m.SearchQuery) -> m.SearchResult:
        return await self._run(self._search_sync, q)

    def search_sync(self, q: m.SearchQuery) -> m.SearchResult:
        """Search in the calling thread (benchmarks, CLI tools)."""
        return self._search_sync(q)

    # ------------------------------------------------------------------ the rest

    def _autocomplete_sync(self, prefix: str, fields: Sequence[str] | None, size: int) -> list[str]:
        """Values of the first matching documents, ranked by how often they occur among them.

        A terms aggregation would rank by exact frequency but costs a pass over every match
        (a two-letter prefix matches most of a catalogue); a sample of ``size * 5`` documents
        per field keeps this well under a millisecond and still puts common values first.
        """
        typed = common.parse_typed(prefix)
        specs = common.autocomplete_fields(self.schema, fields)
        if typed is None or not specs or size <= 0:
            return []
        searcher = self._searcher()
        # Reading the sampled documents is the cost (about 3 ms for 150 of them); what people
        # type repeats, and the answer only changes on commit: keep recent ones per generation.
        key = self._suggest_key(prefix, specs, size)
        cached = self._cached_suggestions(key)
        if cached is not None:
            return cached
        ts = self.tschema
        candidates: Counter[str] = Counter()
        for spec in specs:
            ac = f"{spec.name}__ac"
            clauses = [(Occur.Must, Query.term_query(ts, ac, w)) for w in typed.done]
            if typed.last is not None:
                clauses.append((Occur.Must, Query.phrase_prefix_query(ts, ac, [typed.last])))
            res = searcher.search(self._bool(clauses), size * 5, count=False)
            for _, addr in res.hits:
                value = self._suggest_values(searcher, key[0], addr).get(spec.name)
                candidates.update(
                    v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)
                )
        found = common.merge_suggestions(candidates.items(), typed, size)
        with self._facet_cache_lock:
            self._suggest_cache[key] = tuple(found)
            while len(self._suggest_cache) > _SUGGEST_CACHE_SIZE:
                self._suggest_cache.popitem(last=False)
        return found

    def _suggest_values(
        self, searcher: tantivy.Searcher, stamp: Any, addr: tantivy.DocAddress
    ) -> dict[str, Any]:
        """The autocomplete fields of one document; recently read ones are remembered, as the
        letters typed one after another keep matching the same documents."""
        at = (stamp, addr.segment_ord, addr.doc)  # an address holds until the next commit
        with self._facet_cache_lock:
            values = self._suggest_docs.get(at)
            if values is not None:
                self._suggest_docs.move_to_end(at)
                return values
        source = self._source(searcher, addr)
        values = {name: source.get(name) for name in self._autocomplete_names}
        with self._facet_cache_lock:
            self._suggest_docs[at] = values
            while len(self._suggest_docs) > _SUGGEST_DOCS_SIZE:
                self._suggest_docs.popitem(last=False)
        return values

    def _suggest_key(self, prefix: str, specs: Sequence[m.FieldSpec], size: int) -> tuple[Any, ...]:
        return (self._meta_stamp, prefix, tuple(s.name for s in specs), size)

    def _cached_suggestions(self, key: tuple[Any, ...]) -> list[str] | None:
        with self._facet_cache_lock:
            cached = self._suggest_cache.get(key)
            if cached is not None:
                self._suggest_cache.move_to_end(key)
        return None if cached is None else list(cached)

    async def autocomplete(
        self, prefix: str, fields: Sequence[str] | None = None, size: int = 10
    ) -> list[str]:
        # A remembered answer of the index as it is now needs no worker thread.
        if self._index is not None and size > 0 and self._stamp() == self._meta_stamp:
            specs = common.autocomplete_fields(self.schema, fields)
            cached = self._cached_suggestions(self._suggest_key(prefix, specs, size))
            if cached is not None:
                return cached
        return await self._run(self._autocomplete_sync, prefix, fields, size)

    def _get_sync(self, doc_id: str) -> dict[str, Any] | None:
        searcher = self._searcher()
        res = searcher.search(Query.term_query(self.tschema, "_id", doc_id), 1, count=False)
        return self._source(searcher, res.hits[0][1]) if res.hits else None

    async def get(self, id: str) -> dict[str, Any] | None:
        return await self._run(self._get_sync, str(id))

    def _count_sync(self, f: m.Filter | None) -> int:
        if f is not None:
            m.validate_filter(self.schema, f)
        searcher = self._searcher()
        if f is None:
            return int(searcher.num_docs)
        return _count(searcher.search(self._filter(f), 1, count=True))

    async def count(self, filter: m.Filter | None = None) -> int:
        return await self._run(self._count_sync, filter)

    def _all_ids_sync(self) -> set[str]:
        searcher = self._searcher()
        return {t for t, n in searcher.terms_with_prefix("_id", "", filter_query=Query.all_query()) if n}

    async def all_ids(self) -> set[str]:
        return await self._run(self._all_ids_sync)
