"""OPAC search: latency at a steady load through the gateway and direct, saturation, and the engine.

uv run python -m bench.opac_search [--backend tantivy|elasticsearch|both] [--records 250000]
    [--rate 100] [--duration 60] [--clients 16] [--saturation 15] [--json]

Data: the first ``--records`` Library of Congress records (``bench/data.py``) imported through
``pusip catalog import``'s code path (:func:`bench.catalog_import.run_import`) into a catalogue
kept in ``~/.cache/pusip/bench/opac-<records>/<embedded|distributed>`` and reused by later runs
(imported again when missing or on ``--rebuild``; when only its search index does not hold every
record, e.g. after a change of the index layout, the index is rebuilt from the kept database as
the worker's reconciliation would). The distributed catalogue lives in PostgreSQL
(127.0.0.1:55432) and Elasticsearch (127.0.0.1:59200) under names of its own.

Per backend the catalog service and the gateway run as they do in production (uvicorn, one worker
each; the gateway's rate limiter on, with a limit no benchmark reaches). The query mix is fixed
(seeded) and drawn from the records themselves:

* keyword (``q`` = one or two title words of middling frequency),
* fielded (``title`` + ``author`` surname of one record, or ``subject``),
* faceted (``q`` plus a language, material type or year range filter),
* autocomplete (``/search/autocomplete`` with the first 3-5 letters of a title word).

1. **open loop** at ``--rate`` queries/s for ``--duration`` s: query *i* is due at
   ``t0 + i / rate`` and its latency runs from that due time to the last byte of the answer, so
   a stall delays every query behind it (no coordinated omission). The stream alternates every
   ``--block`` seconds between the gateway and the catalog service directly, so both paths see
   the same neighbours on a shared machine and the catalog sees the offered rate throughout;
2. **saturation**: ``--clients`` concurrent clients, each sending its next query when the last
   one answered, for ``--saturation`` s via the gateway, then direct;
3. **engine**: the same queries as the service builds them (``build_query``), run on the index in
   this process one at a time: the search backend alone (Tantivy in process; for Elasticsearch
   the client round trip, with Elasticsearch's own ``took`` beside it), without HTTP, parameter
   validation, the response model or spelling suggestions.

CPU per query is read from ``/proc`` (catalog, gateway, Elasticsearch server) around the open
loop; the load average is printed before and after every phase.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import psutil
from pymarc import MARCReader

from bench.data import cache_dir, loc_records
from bench.machine import CpuShare

ES_URL = "http://127.0.0.1:59200"
BACKENDS = {"tantivy": "embedded", "elasticsearch": "distributed"}
LABELS = {"tantivy": "SQLite + Tantivy", "elasticsearch": "PostgreSQL + Elasticsearch"}
TARGETS = {"tantivy": (5.0, 20.0), "elasticsearch": (None, 60.0)}  # p50, p99 ms at the offered load
MISSPELT = {"q": "pemrograman komputr"}  # few results: exercises the spelling suggestion

Query = tuple[str, str, dict[str, str]]


# ----------------------------------------------------------------------------- query mix


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[^\W\d_]{4,}", text.lower()) if w.isascii()]


def query_mix(n_queries: int, seed: int = 7, sample: int = 20_000) -> list[Query]:
    """``(kind, path, params)`` drawn from the first ``sample`` LoC records (cached as JSON)."""
    cached = cache_dir() / f"opac-queries-{seed}-{sample}-{n_queries}.json"
    if cached.exists():
        return [(k, p, dict(q)) for k, p, q in json.loads(cached.read_text())]
    titles: collections.Counter[str] = collections.Counter()
    surnames: list[tuple[str, str]] = []
    subjects: collections.Counter[str] = collections.Counter()
    with loc_records().open("rb") as stream:
        for i, record in enumerate(MARCReader(stream, to_unicode=True, force_utf8=True)):
            if i >= sample:
                break
            if record is None:
                continue
            title_field = record.get("245")
            title = " ".join(title_field.get_subfields("a")) if title_field is not None else ""
            words = _words(title)
            titles.update(words)
            author = record.get("100")
            if author is not None and words:
                surname = (author.get_subfields("a") or [""])[0].split(",")[0].strip()
                if surname.isalpha() and surname.isascii():
                    surnames.append((words[0], surname.lower()))
            for f in record.get_fields("650"):
                head = (f.get_subfields("a") or [""])[0].strip(" .").lower()
                if head:
                    subjects[head.split()[0]] += 1
    ranked = [w for w, c in titles.most_common() if 20 <= c <= 2000]
    subject_terms = [w for w, c in subjects.most_common(300) if len(w) > 3 and w.isalpha()]
    rng = random.Random(seed)
    out: list[Query] = []
    for _ in range(n_queries):
        roll = rng.random()
        if roll < 0.4:
            words = rng.sample(ranked[:400], 2) if rng.random() < 0.3 else [rng.choice(ranked)]
            out.append(("keyword", "/search", {"q": " ".join(words)}))
        elif roll < 0.6:
            if rng.random() < 0.5 and surnames:
                word, surname = rng.choice(surnames)
                out.append(("fielded", "/search", {"title": word, "author": surname}))
            else:
                out.append(("fielded", "/search", {"subject": rng.choice(subject_terms)}))
        elif roll < 0.8:
            params = {"q": rng.choice(ranked)}
            extra = rng.choice(["language", "material_type", "year"])
            if extra == "language":
                params["language"] = rng.choice(["eng", "eng", "spa", "ger", "fre"])
            elif extra == "material_type":
                params["material_type"] = "book"
            else:
                start = rng.choice([1950, 1970, 1990, 2000])
                params |= {"year_from": str(start), "year_to": str(start + 19)}
            out.append(("faceted", "/search", params))
        else:
            word = rng.choice(ranked)
            out.append(("autocomplete", "/search/autocomplete", {"q": word[: rng.randint(3, 5)]}))
    cached.write_text(json.dumps(out))
    return out


def url_of(query: Query) -> str:
    return f"{query[1]}?{urlencode(query[2])}"


# ----------------------------------------------------------------------------- the catalogue


def catalog_options(dataset: dict[str, Any]) -> dict[str, Any]:
    """``CatalogSettings`` keyword arguments of a kept catalogue (as ``bench.catalog_import`` wrote it)."""
    options: dict[str, Any] = {"data_dir": dataset["data_dir"]}
    if dataset["backend"] == "distributed":
        return options | {
            "database_url": dataset["database_url"],
            "search_backend": "elasticsearch",
            "elasticsearch_url": ES_URL,
            "elasticsearch_prefix": dataset["es_prefix"],
        }
    return options | {"search_backend": "tantivy"}


@contextlib.contextmanager
def catalog_runtime(dataset: dict[str, Any]) -> Iterator[Any]:
    from catalog.config import CatalogSettings
    from catalog.runtime import acquire_runtime

    runtime = acquire_runtime(CatalogSettings(**catalog_options(dataset)))
    try:
        yield runtime
    finally:
        from catalog.runtime import release_runtime

        asyncio.run(release_runtime(runtime))


def indexed_count(dataset: dict[str, Any]) -> int:
    with catalog_runtime(dataset) as runtime:

        async def count() -> int:
            await runtime.index.ensure()
            return int(await runtime.index.count())

        try:
            return asyncio.run(count())
        except Exception:  # a dropped database or index: rebuild
            return -1


def stored_count(dataset: dict[str, Any]) -> int:
    """Live records in the kept catalogue's database (-1: no usable database)."""
    from sqlalchemy import func, select

    from catalog.models import BibRecord
    from pusip_kit.tasks import dispose_worker_databases, worker_sessionmaker

    with catalog_runtime(dataset) as runtime:

        async def count() -> int:
            try:
                async with worker_sessionmaker(runtime.settings)() as session:
                    live = select(func.count()).select_from(BibRecord).where(BibRecord.deleted.is_(False))
                    return int((await session.execute(live)).scalar_one())
            finally:
                await dispose_worker_databases()

        try:
            return asyncio.run(count())
        except Exception:
            return -1


def reindex(dataset: dict[str, Any]) -> dict[str, float]:
    """Rebuild the kept catalogue's search index from its database, as the worker's reconciliation
    does after an index layout change (far cheaper than importing again); its time and CPU."""
    from catalog.search.indexer import reindex_all
    from pusip_kit.tasks import dispose_worker_databases, worker_sessionmaker

    with catalog_runtime(dataset) as runtime:

        async def run() -> int:
            try:
                return await reindex_all(runtime.index, worker_sessionmaker(runtime.settings))
            finally:
                await runtime.index.close()  # the last commit, and the merges it started
                await dispose_worker_databases()

        wall, cpu = time.perf_counter(), time.process_time()
        n = asyncio.run(run())
        return {
            "documents": n,
            "seconds": time.perf_counter() - wall,
            "cpu_seconds": time.process_time() - cpu,
        }


def index_segments(dataset: dict[str, Any]) -> int | None:
    """Segments of a kept Tantivy index (its search cost grows with them)."""
    if dataset["backend"] != "embedded":
        return None
    with catalog_runtime(dataset) as runtime:
        return int(runtime.index._searcher().num_segments)


def dataset_for(backend: str, records: int, rebuild: bool) -> dict[str, Any]:
    """The kept catalogue of ``records`` records, imported first when missing; its index rebuilt
    from its database when only the index is stale (e.g. after an index layout change)."""
    from bench.catalog_import import drop_import, records_file, run_import

    mode = BACKENDS[backend]
    keep = cache_dir() / f"opac-{records}" / mode
    meta = keep / "dataset.json"
    if meta.exists():
        dataset: dict[str, Any] = json.loads(meta.read_text())
        if not rebuild:
            have = indexed_count(dataset)
            if have == dataset["records"]:
                return dataset
            if stored_count(dataset) == dataset["records"]:
                print(
                    f"({mode}: the kept index holds {have:,} of {dataset['records']:,} records; reindexing)"
                )
                done = reindex(dataset)
                print(
                    f"({mode}: {done['documents']:,} reindexed in {done['seconds']:.0f} s, "
                    f"{done['cpu_seconds']:.0f} s CPU)",
                    flush=True,
                )
                if indexed_count(dataset) == dataset["records"]:
                    return dataset
            print(f"({mode}: the kept index holds {have:,} of {dataset['records']:,} records; rebuilding)")
        drop_import(mode, keep, dataset.get("database_url", ""), dataset.get("es_prefix", ""))
    path = records_file(records)
    print(f"({mode}: importing {records:,} records into {keep}; reused by later runs)", flush=True)
    started = time.perf_counter()
    result = run_import(path, mode, keep)
    counts = result["job"]["counts"]
    print(f"({mode}: {counts['stored']:,} stored in {time.perf_counter() - started:.0f} s)", flush=True)
    dataset = json.loads(meta.read_text())
    return dataset


# ----------------------------------------------------------------------------- processes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            t = psutil.Process(pid).cpu_times()
            total += t.user + t.system
    return total


@dataclass
class Server:
    name: str
    port: int
    proc: subprocess.Popen[bytes]

    def cpu(self) -> float:
        return cpu_seconds([self.proc.pid])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def wait_ready(port: int, path: str, proc: subprocess.Popen[bytes], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server for port {port} exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"nothing ready on port {port}{path}")


def uvicorn(name: str, app: str, env: dict[str, str], ready: str, log: Path) -> Server:
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", "--factory", app, "--host", "127.0.0.1", "--port", str(port)]
    argv += ["--log-level", "warning", "--no-access-log"]
    with log.open("ab") as out:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_ready(port, ready, proc)
    except RuntimeError:
        proc.kill()
        proc.wait()
        raise RuntimeError(f"{name} did not start; see {log}") from None
    return Server(name, port, proc)


def base_env(data_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUSIP_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(cache_dir() / "pycache")
    return env | {"PUSIP_DATA_DIR": data_dir, "PUSIP_LOG_JSON": "0", "PUSIP_LOG_LEVEL": "WARNING"}


def catalog_env(dataset: dict[str, Any]) -> dict[str, str]:
    env = base_env(dataset["data_dir"])
    for key, value in catalog_options(dataset).items():
        env[f"PUSIP_CATALOG_{key.upper()}"] = str(value)
    return env


def gateway_env(catalog_url: str, data_dir: Path) -> dict[str, str]:
    return base_env(str(data_dir)) | {
        "PUSIP_GATEWAY_SERVICE_URLS": json.dumps({"catalog": catalog_url}),
        # the limiter stays on (its cost is part of the edge); its limit is out of reach
        "PUSIP_GATEWAY_RATE_LIMIT_DEFAULT": "100000000/minute",
        "PUSIP_GATEWAY_RATE_LIMIT_STRATEGY": "fixed-window",
    }


def es_pids() -> list[int]:
    port = int(ES_URL.rsplit(":", 1)[1])
    for conn in psutil.net_connections("tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port and conn.pid:
            return [conn.pid]
    return []


# ----------------------------------------------------------------------------- load


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=lambda: collections.defaultdict(list))
    lag: list[float] = field(default_factory=list)
    """How late each query left the load generator (its own stalls; included in the latency)."""
    errors: int = 0
    error_statuses: collections.Counter[int] = field(default_factory=collections.Counter)
    seconds: float = 0.0
    engine_took: list[float] = field(default_factory=list)

    def add(self, kind: str, latency: float) -> None:
        self.latencies.append(latency)
        self.by_kind[kind].append(latency)

    def record(self, kind: str, status: int, latency: float) -> None:
        if status == 200:
            self.add(kind, latency)
        else:
            self.errors += 1
            self.error_statuses[status] += 1

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "queries": len(self.latencies),
            "errors": self.errors,
            "error_statuses": {str(k): v for k, v in sorted(self.error_statuses.items())},
            "seconds": round(self.seconds, 2),
            "queries_per_s": round(self.rate, 1),
            **{f"p{p}_ms": round(1000 * pct(self.latencies, p), 2) for p in (50, 90, 99)},
            "max_ms": round(1000 * max(self.latencies, default=0), 2),
            "mean_ms": round(1000 * sum(self.latencies) / max(1, len(self.latencies)), 2),
            "by_kind": {
                k: {
                    "queries": len(v),
                    "p50_ms": round(1000 * pct(v, 50), 2),
                    "p99_ms": round(1000 * pct(v, 99), 2),
                }
                for k, v in sorted(self.by_kind.items())
            },
        }
        if self.lag:
            out["send_lag_p99_ms"] = round(1000 * pct(self.lag, 99), 2)
        if self.engine_took:
            out["engine_took_p50_ms"] = round(pct(self.engine_took, 50), 2)
            out["engine_took_p99_ms"] = round(pct(self.engine_took, 99), 2)
        return out


async def _get(session: aiohttp.ClientSession, url: str) -> int:
    """The answer's status (0: no answer)."""
    try:
        async with session.get(url) as response:
            await response.read()
            return response.status
    except aiohttp.ClientError:
        return 0


async def open_loop(
    bases: dict[str, str], queries: list[Query], rate: float, block: float
) -> dict[str, Outcome]:
    """``queries`` at ``rate``/s, alternating between ``bases`` every ``block`` seconds."""
    outcomes = {name: Outcome() for name in bases}
    names = list(bases)
    per_block = max(1, round(rate * block))
    connector = aiohttp.TCPConnector(limit=512)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(name: str, query: Query, due: float) -> None:
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            outcome = outcomes[name]
            outcome.lag.append(max(0.0, time.perf_counter() - due))
            status = await _get(session, bases[name] + url_of(query))
            outcome.record(query[0], status, time.perf_counter() - due)  # from when it was due

        start = time.perf_counter() + 0.2
        tasks = [
            asyncio.create_task(one(names[(i // per_block) % len(names)], q, start + i / rate))
            for i, q in enumerate(queries)
        ]
        await asyncio.gather(*tasks)
        took = time.perf_counter() - start
    for outcome in outcomes.values():
        outcome.seconds = took / len(names)
    return outcomes


async def closed_loop(base: str, queries: list[Query], clients: int, seconds: float) -> Outcome:
    outcome = Outcome()
    position = 0
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as session:
        end = time.perf_counter() + seconds

        async def client() -> None:
            nonlocal position
            while time.perf_counter() < end:
                query = queries[position % len(queries)]
                position += 1
                sent = time.perf_counter()
                status = await _get(session, base + url_of(query))
                outcome.record(query[0], status, time.perf_counter() - sent)

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        outcome.seconds = time.perf_counter() - started
    return outcome


def engine_times(dataset: dict[str, Any], queries: list[Query]) -> tuple[Outcome, float]:
    """The same queries on the index in this process, one at a time; and CPU s per query."""
    from catalog.search.schemas import SearchParams
    from catalog.search.service import build_query

    outcome = Outcome()
    built = [
        (kind, params["q"] if path.endswith("autocomplete") else build_query(SearchParams(**params)))
        for kind, path, params in queries
    ]
    with catalog_runtime(dataset) as runtime:
        index = runtime.index
        if dataset["backend"] == "embedded":  # in process, in this thread: the engine and nothing else
            index._open()
            cpu = time.process_time()
            started = time.perf_counter()
            for kind, q in built:
                t = time.perf_counter()
                if isinstance(q, str):
                    index._autocomplete_sync(q, None, 10)
                else:
                    index.search_sync(q)
                outcome.add(kind, time.perf_counter() - t)
            outcome.seconds = time.perf_counter() - started
            return outcome, (time.process_time() - cpu) / max(1, len(built))

        client = index.client
        search = client.search

        async def timed_search(*args: Any, **kwargs: Any) -> Any:
            response = await search(*args, **kwargs)
            outcome.engine_took.append(float(response.body.get("took", 0)))
            return response

        client.search = timed_search  # Elasticsearch's own ``took`` of each query

        async def run() -> None:
            await index.ensure()
            started = time.perf_counter()
            for kind, q in built:
                t = time.perf_counter()
                if isinstance(q, str):
                    await index.autocomplete(q, None, 10)
                else:
                    await index.search(q)
                outcome.add(kind, time.perf_counter() - t)
            outcome.seconds = time.perf_counter() - started

        es = es_pids()
        es_cpu = cpu_seconds(es)
        asyncio.run(run())
        return outcome, (cpu_seconds(es) - es_cpu) / max(1, len(built))


# ----------------------------------------------------------------------------- one backend


def load_avg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def bench_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    dataset = dataset_for(backend, args.records, args.rebuild)
    n_open = int(args.rate * args.duration)
    queries = query_mix(max(n_open, 3000))
    logs = Path(dataset["data_dir"]) / "bench-logs"
    logs.mkdir(exist_ok=True)
    gateway_dir = Path(dataset["data_dir"]) / "bench-gateway"
    shutil.rmtree(gateway_dir, ignore_errors=True)
    result: dict[str, Any] = {
        "backend": backend,
        "label": LABELS[backend],
        "records": dataset["records"],
        "index_segments": index_segments(dataset),
        "rate": args.rate,
        "duration": args.duration,
        "clients": args.clients,
        "load_avg": {},
        "machine_cpu": {},
    }
    catalog = uvicorn(
        "catalog", "catalog.main:create_app", catalog_env(dataset), "/readyz", logs / "catalog.log"
    )
    gateway = None
    try:
        direct = f"http://127.0.0.1:{catalog.port}"
        gateway_url = gateway_env(direct, gateway_dir)
        gateway = uvicorn("gateway", "gateway.main:create_app", gateway_url, "/healthz", logs / "gateway.log")
        bases = {"gateway": f"http://127.0.0.1:{gateway.port}/api/catalog", "direct": direct}
        # warm-up: lazy imports, connection pools, the spelling vocabulary, the OS page cache
        asyncio.run(closed_loop(direct, [("keyword", "/search", MISSPELT)], 1, 0.1))
        for base in bases.values():
            asyncio.run(closed_loop(base, queries[-500:], 4, args.warmup))
        es = es_pids() if backend == "elasticsearch" else []

        result["load_avg"]["open_loop_before"] = load_avg()
        cpu0 = (catalog.cpu(), gateway.cpu(), cpu_seconds(es), time.process_time())
        with CpuShare() as share:
            opened = asyncio.run(open_loop(bases, queries[:n_open], args.rate, args.block))
        result["machine_cpu"]["open_loop"] = share.split
        cpu1 = (catalog.cpu(), gateway.cpu(), cpu_seconds(es), time.process_time())
        result["load_avg"]["open_loop_after"] = load_avg()
        n_all = sum(len(o.latencies) + o.errors for o in opened.values())
        n_gw = len(opened["gateway"].latencies) + opened["gateway"].errors
        result["open_loop"] = {name: o.summary() for name, o in opened.items()}
        result["cpu_ms_per_query"] = {
            "catalog": round(1000 * (cpu1[0] - cpu0[0]) / max(1, n_all), 3),
            "gateway": round(1000 * (cpu1[1] - cpu0[1]) / max(1, n_gw), 3),
            "load_generator": round(1000 * (cpu1[3] - cpu0[3]) / max(1, n_all), 3),
        }
        if es:
            result["cpu_ms_per_query"]["elasticsearch"] = round(1000 * (cpu1[2] - cpu0[2]) / max(1, n_all), 3)
        gw, dr = opened["gateway"], opened["direct"]
        result["gateway_overhead"] = {
            "p50_ratio": round(pct(gw.latencies, 50) / pct(dr.latencies, 50), 2),
            "p50_added_ms": round(1000 * (pct(gw.latencies, 50) - pct(dr.latencies, 50)), 2),
            "mean_ratio": round(
                (sum(gw.latencies) / max(1, len(gw.latencies)))
                / (sum(dr.latencies) / max(1, len(dr.latencies))),
                2,
            ),
            "p99_added_ms": round(1000 * (pct(gw.latencies, 99) - pct(dr.latencies, 99)), 2),
        }

        result["load_avg"]["saturation_before"] = load_avg()
        saturation = {}
        with CpuShare() as share:
            for name, base in bases.items():
                c0 = (catalog.cpu(), gateway.cpu())
                o = asyncio.run(closed_loop(base, queries, args.clients, args.saturation))
                c1 = (catalog.cpu(), gateway.cpu())
                saturation[name] = o.summary() | {
                    "cpu_ms_per_query": {
                        "catalog": round(1000 * (c1[0] - c0[0]) / max(1, len(o.latencies)), 3),
                        "gateway": round(1000 * (c1[1] - c0[1]) / max(1, len(o.latencies)), 3),
                    }
                }
        result["saturation"] = saturation
        result["machine_cpu"]["saturation"] = share.split
        result["load_avg"]["saturation_after"] = load_avg()
    finally:
        if gateway is not None:
            gateway.stop()
        catalog.stop()
    result["load_avg"]["engine_before"] = load_avg()
    with CpuShare() as share:
        engine, engine_cpu = engine_times(dataset, queries[: min(n_open, args.engine_queries)])
    result["machine_cpu"]["engine"] = share.split
    result["engine"] = engine.summary() | {
        "cpu_ms_per_query": round(1000 * engine_cpu, 3),
        "cpu_of": "this process" if backend == "tantivy" else "the Elasticsearch server",
    }
    result["load_avg"]["engine_after"] = load_avg()
    return result


# ----------------------------------------------------------------------------- report


def steal(r: dict[str, Any]) -> str:
    shares = r.get("machine_cpu") or {}
    return ", ".join(f"{run} {split['steal_pct']} %" for run, split in shares.items()) or "not recorded"


def statuses(s: dict[str, Any]) -> str:
    found = s.get("error_statuses") or {}
    return (
        " (" + ", ".join(f"{n}× {k if k != '0' else 'no answer'}" for k, n in found.items()) + ")"
        if found
        else ""
    )


def markdown(r: dict[str, Any]) -> list[str]:
    p50_target, p99_target = TARGETS[r["backend"]]
    gw = r["open_loop"]["gateway"]
    met = gw["p99_ms"] <= p99_target and (p50_target is None or gw["p50_ms"] <= p50_target)
    la = r["load_avg"]
    cpu = r["cpu_ms_per_query"]
    lines = [
        f"\n### {r['backend']} ({r['label']}), {r['records']:,} records\n",
        f"load average (1/5/15 min): open loop {la['open_loop_before']} → {la['open_loop_after']}, "
        f"saturation → {la['saturation_after']}, engine → {la['engine_after']}; CPU stolen by the "
        f"host: {steal(r)}\n",
        "| run | queries | queries/s | p50 ms | p90 ms | p99 ms | max ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def row(label: str, s: dict[str, Any]) -> str:
        return (
            f"| {label} | {s['queries']:,} | {s['queries_per_s']:,.0f} | {s['p50_ms']:.2f} | {s['p90_ms']:.2f} "
            f"| {s['p99_ms']:.2f} | {s['max_ms']:.1f} | {s['errors']}{statuses(s)} |"
        )

    lines.append(row(f"open loop {r['rate']:g} q/s, via gateway", gw))
    lines.append(row(f"open loop {r['rate']:g} q/s, direct to catalog", r["open_loop"]["direct"]))
    for name, s in r["saturation"].items():
        label = "via gateway" if name == "gateway" else "direct"
        lines.append(row(f"saturation, {r['clients']} clients, {label}", s))
    lines.append(row("engine alone (in process, one at a time)", r["engine"]))
    target = f"p50 ≤ {p50_target:g} ms, " if p50_target else ""
    lines.append("")
    lines.append(
        f"target at {r['rate']:g} q/s via the gateway: {target}p99 ≤ {p99_target:g} ms → "
        f"{'met' if met else 'NOT met'}; gateway overhead: p50 ×{r['gateway_overhead']['p50_ratio']} "
        f"(+{r['gateway_overhead']['p50_added_ms']} ms), mean ×{r['gateway_overhead']['mean_ratio']}, "
        f"p99 +{r['gateway_overhead']['p99_added_ms']} ms (target ≤ ×1.3, under 1 ms added)"
    )
    cpu_text = ", ".join(f"{k} {v:.2f}" for k, v in cpu.items())
    lines.append(f"CPU ms per query in the open loop: {cpu_text}")
    sat_cpu = {k: v["cpu_ms_per_query"] for k, v in r["saturation"].items()}
    lines.append(
        "CPU ms per query at saturation: "
        + "; ".join(
            f"{k}: catalog {v['catalog']:.2f}, gateway {v['gateway']:.2f}" for k, v in sat_cpu.items()
        )
    )
    e = r["engine"]
    extra = (
        f"; Elasticsearch's own took p50 {e['engine_took_p50_ms']:.0f} / p99 {e['engine_took_p99_ms']:.0f} ms"
        if "engine_took_p50_ms" in e
        else ""
    )
    lines.append(f"engine CPU ms per query ({e['cpu_of']}): {e['cpu_ms_per_query']:.2f}{extra}")
    lines.append("")
    lines.append("p50 / p99 ms by kind:")
    for label, s in (
        ("via gateway", gw),
        ("direct", r["open_loop"]["direct"]),
        ("engine", e),
    ):
        kinds = ", ".join(f"{k} {v['p50_ms']:.2f} / {v['p99_ms']:.2f}" for k, v in s["by_kind"].items())
        lines.append(f"- {label}: {kinds}")
    lag = gw.get("send_lag_p99_ms")
    if lag is not None:
        lines.append(f"- load generator send lag p99: {lag:.2f} ms (included in the latencies)")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--backend", choices=["tantivy", "elasticsearch", "both"], default="tantivy")
    parser.add_argument("--records", type=int, default=250_000)
    parser.add_argument("--rate", type=float, default=100.0, help="offered load, queries/s")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of open loop (both paths)")
    parser.add_argument("--block", type=float, default=5.0, help="seconds per path before switching")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients at saturation")
    parser.add_argument("--saturation", type=float, default=15.0, help="seconds of saturation per path")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of warm-up per path")
    parser.add_argument("--engine-queries", type=int, default=3000)
    parser.add_argument("--rebuild", action="store_true", help="import the catalogue again")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--report", metavar="JSON", help="print the tables of a saved --json run")
    args = parser.parse_args()
    if args.report:
        report = json.loads(Path(args.report).read_text())
    else:
        backends = ["tantivy", "elasticsearch"] if args.backend == "both" else [args.backend]
        started = load_avg()
        results = [bench_backend(b, args) for b in backends]
        report = {
            "machine": {"cpus": os.cpu_count(), "load_avg_start": started, "load_avg_end": load_avg()},
            "results": results,
        }
        if args.json:
            print(json.dumps(report, indent=2))
            return
    started = report["machine"]["load_avg_start"]
    print(f"# OPAC search benchmark, {report['machine']['cpus']} CPU; load average at start {started}")
    for r in report["results"]:
        print("\n".join(markdown(r)))
    print(f"\nload average at end: {report['machine']['load_avg_end']}")


if __name__ == "__main__":
    main()
