"""Micro-benchmark of the embedded search backend (TantivyIndex).

Indexes N synthetic catalogue records (Indonesian words drawn Zipf-like from the Sastrawi root
word list when available) and times typical OPAC queries: top-20 hits + exact total + two facets.

    uv run python bench/search_engine/bench_tantivy.py --n 50000
    uv run python bench/search_engine/bench_tantivy.py --n 250000 --keep /tmp/idx250k

Latencies are measured on ``search_sync`` (the engine plus our query compilation and result
building, no thread hop) and, for one query type, through the async ``search`` as a service
calls it.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pusip_kit.search import (
    FacetRequest,
    FieldSpec,
    FieldType,
    IndexSchema,
    Range,
    SearchQuery,
    Sort,
    SortOrder,
    TantivyIndex,
    Term,
    tantivy_backend,
)

WORDS_FILE = Path("/work/shared/corpus/indonesian_text/sastrawi/kata-dasar.txt")
FALLBACK_WORDS = [
    *("buku", "pustaka", "ilmu", "sejarah", "kota", "arsip", "naskah", "budaya", "bahasa", "sastra", "hukum"),
    *("ekonomi", "agama", "sosial", "politik", "pendidikan", "anak", "desa", "laut", "tanah", "air", "hutan"),
]
FIRST_NAMES = ["Ahmad", "Budi", "Citra", "Dewi", "Eka", "Fajar", "Gita", "Hadi", "Indah", "Joko", "Kartika"]
LAST_NAMES = ["Wijaya", "Santoso", "Hidayat", "Kurniawan", "Lubis", "Siregar", "Nasution", "Pratama", "Utami"]

F = FieldType
SCHEMA = IndexSchema(
    name="bench",
    fields=(
        FieldSpec(name="id", type=F.KEYWORD),
        FieldSpec(name="title", type=F.TEXT, sortable=True, autocomplete=True, boost=3.0),
        FieldSpec(name="authors", type=F.TEXT, multi=True, facet=True, autocomplete=True, boost=2.0),
        FieldSpec(name="subjects", type=F.TEXT, multi=True, facet=True),
        FieldSpec(name="abstract", type=F.TEXT),
        FieldSpec(name="year", type=F.INTEGER, sortable=True, facet=True),
        FieldSpec(name="language", type=F.KEYWORD, facet=True),
        FieldSpec(name="branches", type=F.KEYWORD, multi=True, facet=True),
        FieldSpec(name="material", type=F.KEYWORD, facet=True),
        FieldSpec(name="available", type=F.BOOLEAN),
    ),
)


def vocabulary(rng: random.Random) -> list[str]:
    words = FALLBACK_WORDS
    if WORDS_FILE.exists():
        words = [w.strip() for w in WORDS_FILE.read_text(encoding="utf-8").split() if w.strip().isalpha()]
    words = sorted(set(words))
    rng.shuffle(words)
    return words[:8000]


class Zipf:
    """Draws items with probability ~ 1/rank."""

    def __init__(self, items: list[str], rng: random.Random) -> None:
        self.items = items
        self.rng = rng
        self.weights = [1.0 / (i + 1) for i in range(len(items))]
        acc, total = [], 0.0
        for w in self.weights:
            total += w
            acc.append(total)
        self.cum = acc

    def draw(self, k: int) -> list[str]:
        return self.rng.choices(self.items, cum_weights=self.cum, k=k)


def documents(n: int, rng: random.Random, words: Zipf) -> Iterator[dict[str, Any]]:
    pairs = [f"{a} {b}" for a in FIRST_NAMES for b in LAST_NAMES]
    authors = pairs * 3 + [f"{p} {c}" for p in pairs for c in ("A", "B", "C", "D", "E")]
    subjects = [" ".join(words.items[i : i + 2]).title() for i in range(0, 600, 2)]
    branches = [f"Cabang {i:02d}" for i in range(44)]
    materials = ["buku", "e-book", "majalah", "surat kabar", "peta", "rekaman suara", "video", "naskah"]
    for i in range(n):
        yield {
            "id": f"d{i:07d}",
            "title": " ".join(words.draw(rng.randint(3, 8))).capitalize(),
            "authors": rng.sample(authors, rng.choice((1, 1, 1, 2))),
            "subjects": rng.sample(subjects[:80] if rng.random() < 0.7 else subjects, rng.randint(1, 3)),
            "abstract": " ".join(words.draw(rng.randint(15, 40))),
            "year": rng.randint(1950, 2024),
            "language": rng.choices(["ind", "eng", "jav", "sun", "ara"], weights=[80, 14, 3, 2, 1])[0],
            "branches": rng.sample(branches, rng.randint(1, 3)),
            "material": rng.choices(materials, weights=[70, 10, 6, 4, 3, 3, 2, 2])[0],
            "available": rng.random() < 0.8,
        }


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def measure(
    name: str, make: Callable[[], SearchQuery], run: Callable[[SearchQuery], Any], iters: int
) -> None:
    """Wall-clock and this thread's CPU time (the machine may be shared: CPU time is the steadier one)."""
    queries = [make() for _ in range(iters)]
    for q in queries[:20]:  # warm-up
        run(q)
    wall, cpu, totals = [], [], []
    for q in queries:
        c0, t0 = time.thread_time(), time.perf_counter()
        res = run(q)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
        totals.append(res.total)
    print(
        f"{name:<46} wall p50 {statistics.median(wall):6.3f} p99 {percentile(wall, 99):7.3f} ms | "
        f"cpu p50 {statistics.median(cpu):6.3f} p99 {percentile(cpu, 99):7.3f} ms | "
        f"hits p50 {int(statistics.median(totals)):>6}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=50_000, help="documents to index (default 50k)")
    ap.add_argument("--iters", type=int, default=1000, help="queries per query type")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", type=Path, help="index folder to reuse/keep (default: a temporary one)")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    vocab = vocabulary(rng)
    words = Zipf(vocab, rng)
    path = args.keep or Path(tempfile.mkdtemp(prefix="pusip-bench-"))
    idx = TantivyIndex(path, SCHEMA)

    async def build() -> None:
        await idx.ensure()
        if await idx.count() >= args.n:
            print(f"reusing {path} ({await idx.count()} docs)")
            return
        await idx.clear()
        t0 = time.perf_counter()
        batch: list[dict[str, Any]] = []
        for doc in documents(args.n, rng, words):
            batch.append(doc)
            if len(batch) == 5000:
                await idx.index(batch)
                batch = []
        await idx.index(batch)
        await idx.commit()
        took = time.perf_counter() - t0
        print(f"indexed {args.n} docs in {took:.1f} s ({args.n / took:,.0f} docs/s) into {path}")

    asyncio.run(build())
    tantivy_backend._FACET_CACHE_SIZE = 0  # measure the engine, not the per-commit facet cache
    common_words = vocab[:200]  # the frequent end of the Zipf vocabulary
    mid_words = vocab[200:3000]
    facets = (FacetRequest(field="language"), FacetRequest(field="branches"))
    run = idx.search_sync
    n = args.iters

    def one_word() -> SearchQuery:
        return SearchQuery(text=rng.choice(mid_words), limit=20, facets=facets)

    def frequent_word() -> SearchQuery:
        return SearchQuery(text=rng.choice(common_words), limit=20, facets=facets)

    def two_words() -> SearchQuery:
        return SearchQuery(
            text=f"{rng.choice(common_words)} {rng.choice(mid_words)}", limit=20, facets=facets
        )

    def phrase() -> SearchQuery:
        a, b = words.draw(2)
        return SearchQuery(text=f'"{a} {b}"', limit=20, facets=facets)

    def or_not() -> SearchQuery:
        return SearchQuery(
            text=f"{rng.choice(common_words)} OR {rng.choice(mid_words)} -{rng.choice(common_words)}",
            limit=20,
            facets=facets,
        )

    def filtered() -> SearchQuery:
        return SearchQuery(
            text=rng.choice(common_words),
            filters=(Term(field="language", value="ind"), Range(field="year", gte=rng.randint(1950, 2000))),
            limit=20,
            facets=facets,
        )

    def browse_all() -> SearchQuery:
        return SearchQuery(limit=20, facets=facets)

    def sorted_year() -> SearchQuery:
        return SearchQuery(
            text=rng.choice(common_words),
            sort=(Sort(field="year", order=SortOrder.DESC),),
            limit=20,
            facets=facets,
        )

    def sorted_two_keys() -> SearchQuery:
        return SearchQuery(
            text=rng.choice(common_words),
            sort=(Sort(field="year", order=SortOrder.DESC), Sort(field="title")),
            limit=20,
        )

    def highlighted() -> SearchQuery:
        return SearchQuery(
            text=rng.choice(common_words), limit=20, facets=facets, highlight=("title", "abstract")
        )

    print(f"-- top-20 + exact total + facets(language, branches), {n} queries each, {args.n} docs --")
    measure("1 word (mid-frequency)", one_word, run, n)
    measure("1 word (frequent)", frequent_word, run, n)
    measure("2 words AND", two_words, run, n)
    measure('phrase "a b"', phrase, run, n)
    measure("a OR b -c", or_not, run, n)
    measure("1 frequent word + term & range filters", filtered, run, n)
    measure("browse all (no text)", browse_all, run, n)
    tantivy_backend._FACET_CACHE_SIZE = 256
    measure("browse all (no text), facet cache warm", browse_all, run, n)
    tantivy_backend._FACET_CACHE_SIZE = 0
    measure("1 frequent word, sort year desc", sorted_year, run, n)
    measure("1 frequent word, sort year desc + title (no facets)", sorted_two_keys, run, n // 4)
    measure("1 frequent word + highlights title/abstract", highlighted, run, n // 4)

    async def via_async(q: SearchQuery) -> Any:
        return await idx.search(q)

    loop = asyncio.new_event_loop()
    measure(
        "1 word (mid) via async search (thread hop)",
        one_word,
        lambda q: loop.run_until_complete(via_async(q)),
        n,
    )

    prefixes = [w[: rng.randint(2, 5)] for w in rng.sample(vocab[:3000], 200)]
    wall, cpu = [], []
    for p in prefixes * 2:
        c0, t0 = time.thread_time(), time.perf_counter()
        idx._autocomplete_sync(p, None, 10)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
    print(
        f"{'autocomplete (title+authors, 2-5 chars)':<46} wall p50 {statistics.median(wall):6.3f} "
        f"p99 {percentile(wall, 99):7.3f} ms | cpu p50 {statistics.median(cpu):6.3f} p99 {percentile(cpu, 99):7.3f} ms"
    )
    loop.run_until_complete(idx.close())
    loop.close()
    if args.keep is None:
        shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    main()
