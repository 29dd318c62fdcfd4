"""OPAC search latency: through the gateway and straight to the catalog service, beside the engine.

uv run python -m bench.opac_search --dataset DIR [--rate 100] [--seconds 60] [--clients 16]

``DIR`` is a catalogue imported by ``python -m bench.catalog_import --records 250000 --keep DIR``
(``DIR/embedded`` with SQLite + Tantivy, ``DIR/distributed`` with PostgreSQL + Elasticsearch);
every backend found there is measured.

Per backend it starts the catalog service and the gateway (uvicorn, one worker each, the
gateway's rate limit out of the way), then runs one fixed query mix drawn from the records
themselves (seeded):

* keyword (``q`` = one or two title words of middling frequency),
* fielded (``title`` + ``author`` surname, or ``subject``),
* faceted (``q`` plus language / material type / year range filters),
* autocomplete (``/search/autocomplete`` with the first 3–5 letters of a title word).

1. **open loop** at a steady ``--rate`` queries/s: request *i* is due at ``t0 + i / rate`` and
   its latency runs from that due time to the end of the response, so a stall delays every
   request behind it (no coordinated omission); via the gateway and direct;
2. **saturation**: ``--clients`` concurrent clients, each sending its next query as soon as the
   last one answered, for ``--seconds / 2``: queries/s and latency;
3. **engine**: the same queries compiled by the service's own code (``build_query``) and run on
   the index in this process, one at a time — the engine's own time, without HTTP, JSON
   validation and the response model.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import http.client
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from pymarc import MARCReader

from bench.data import loc_records

ES_URL = "http://127.0.0.1:59200"


# ----------------------------------------------------------------------------- query mix


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[^\W\d_]{4,}", text.lower()) if w.isascii()]


def query_mix(n_queries: int, seed: int = 7, sample: int = 20_000) -> list[tuple[str, str, dict[str, str]]]:
    """``(kind, path, params)`` drawn from the first ``sample`` LoC records."""
    titles: collections.Counter[str] = collections.Counter()
    surnames: list[tuple[str, str]] = []
    subjects: collections.Counter[str] = collections.Counter()
    with loc_records().open("rb") as stream:
        for i, record in enumerate(MARCReader(stream, to_unicode=True, force_utf8=True)):
            if i >= sample:
                break
            if record is None:
                continue
            title = " ".join(record["245"].get_subfields("a")) if record["245"] else ""
            words = _words(title)
            titles.update(words)
            author = record["100"]
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
    out: list[tuple[str, str, dict[str, str]]] = []
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
    return out


# ----------------------------------------------------------------------------- processes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    name: str
    port: int
    proc: subprocess.Popen[bytes]

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def wait_ready(port: int, path: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"nothing ready on port {port}{path}")


def uvicorn(name: str, app: str, env: dict[str, str], ready: str) -> Server:
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", "--factory", app, "--host", "127.0.0.1", "--port", str(port)]
    argv += ["--log-level", "warning", "--no-access-log"]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(port, ready)
    except RuntimeError:
        proc.kill()
        raise
    return Server(name, port, proc)


def catalog_env(dataset: dict[str, Any]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUSIP_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env |= {
        "PUSIP_DATA_DIR": dataset["data_dir"],
        "PUSIP_LOG_JSON": "0",
        "PUSIP_LOG_LEVEL": "WARNING",
    }
    if dataset["backend"] == "distributed":
        env |= {
            "PUSIP_CATALOG_DATABASE_URL": dataset["database_url"],
            "PUSIP_CATALOG_SEARCH_BACKEND": "elasticsearch",
            "PUSIP_CATALOG_ELASTICSEARCH_URL": ES_URL,
            "PUSIP_CATALOG_ELASTICSEARCH_PREFIX": dataset["es_prefix"],
        }
    else:
        env["PUSIP_CATALOG_SEARCH_BACKEND"] = "tantivy"
    return env


def gateway_env(dataset: dict[str, Any], catalog_url: str, port_hint: Path) -> dict[str, str]:
    env = catalog_env(dataset)
    env |= {
        "PUSIP_DATA_DIR": str(port_hint),
        "PUSIP_GATEWAY_SERVICE_URLS": json.dumps({"catalog": catalog_url}),
        "PUSIP_GATEWAY_RATE_LIMIT_DEFAULT": "100000000/minute",
        "PUSIP_GATEWAY_RATE_LIMIT_STRATEGY": "fixed-window",
    }
    return env


# ----------------------------------------------------------------------------- load


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@dataclass
class Outcome:
    latencies: list[float]
    errors: int
    seconds: float
    by_kind: dict[str, list[float]]

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


async def open_loop(base: str, queries: list[tuple[str, str, dict[str, str]]], rate: float) -> Outcome:
    latencies: list[float] = []
    by_kind: dict[str, list[float]] = collections.defaultdict(list)
    errors = 0
    connector = aiohttp.TCPConnector(limit=256)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(kind: str, url: str, due: float) -> None:
            nonlocal errors
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                async with session.get(url) as response:
                    await response.read()
                    ok = response.status == 200
            except aiohttp.ClientError:
                ok = False
            latency = time.perf_counter() - due  # from when it was due, not when it left
            if ok:
                latencies.append(latency)
                by_kind[kind].append(latency)
            else:
                errors += 1

        start = time.perf_counter() + 0.2
        tasks = [
            asyncio.create_task(one(kind, f"{base}{path}?{urlencode(params)}", start + i / rate))
            for i, (kind, path, params) in enumerate(queries)
        ]
        await asyncio.gather(*tasks)
        seconds = time.perf_counter() - start
    return Outcome(latencies, errors, seconds, dict(by_kind))


async def closed_loop(
    base: str, queries: list[tuple[str, str, dict[str, str]]], clients: int, seconds: float
) -> Outcome:
    latencies: list[float] = []
    by_kind: dict[str, list[float]] = collections.defaultdict(list)
    errors = 0
    connector = aiohttp.TCPConnector(limit=clients)
    position = 0
    async with aiohttp.ClientSession(connector=connector) as session:
        end = time.perf_counter() + seconds

        async def client() -> None:
            nonlocal errors, position
            while time.perf_counter() < end:
                kind, path, params = queries[position % len(queries)]
                position += 1
                sent = time.perf_counter()
                try:
                    async with session.get(f"{base}{path}?{urlencode(params)}") as response:
                        await response.read()
                        ok = response.status == 200
                except aiohttp.ClientError:
                    ok = False
                if ok:
                    latencies.append(time.perf_counter() - sent)
                    by_kind[kind].append(latencies[-1])
                else:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        took = time.perf_counter() - started
    return Outcome(latencies, errors, took, dict(by_kind))


def engine_times(dataset: dict[str, Any], queries: list[tuple[str, str, dict[str, str]]]) -> Outcome:
    """The same queries on the index in this process (the service's query building included)."""
    os.environ.update({k: v for k, v in catalog_env(dataset).items() if k.startswith("PUSIP_")})
    from catalog.config import CatalogSettings
    from catalog.runtime import acquire_runtime, release_runtime
    from catalog.search.schemas import SearchParams
    from catalog.search.service import build_query

    runtime = acquire_runtime(CatalogSettings())
    index = runtime.index
    latencies: list[float] = []
    by_kind: dict[str, list[float]] = collections.defaultdict(list)

    async def run() -> float:
        await index.ensure()
        started = time.perf_counter()
        for kind, path, params in queries:
            t = time.perf_counter()
            if path.endswith("autocomplete"):
                await index.autocomplete(params["q"], None, 10)
            else:
                await index.search(build_query(SearchParams(**params)))
            latencies.append(time.perf_counter() - t)
            by_kind[kind].append(latencies[-1])
        took = time.perf_counter() - started
        await release_runtime(runtime)
        return took

    took = asyncio.run(run())
    return Outcome(latencies, 0, took, dict(by_kind))


# ----------------------------------------------------------------------------- report


def ms(x: float) -> str:
    return f"{1000 * x:.1f}"


def row(label: str, o: Outcome, extra: str = "") -> str:
    return (
        f"| {label} | {len(o.latencies):,} | {o.rate:,.0f} | {ms(pct(o.latencies, 50))} | "
        f"{ms(pct(o.latencies, 99))} | {ms(max(o.latencies, default=0))} | {o.errors} | {extra} |"
    )


def kinds(o: Outcome) -> str:
    return ", ".join(f"{k} {ms(statistics.median(v))}/{ms(pct(v, 99))}" for k, v in sorted(o.by_kind.items()))


def bench_backend(dataset: dict[str, Any], args: argparse.Namespace) -> list[str]:
    backend = dataset["backend"]
    n_open = int(args.rate * args.seconds)
    queries = query_mix(max(n_open, 2000))
    lines: list[str] = []
    catalog = uvicorn("catalog", "catalog.main:create_app", catalog_env(dataset), "/readyz")
    gateway_dir = Path(dataset["data_dir"]) / "bench-gateway"
    gateway = uvicorn(
        "gateway",
        "gateway.main:create_app",
        gateway_env(dataset, f"http://127.0.0.1:{catalog.port}", gateway_dir),
        "/healthz",
    )
    try:
        direct = f"http://127.0.0.1:{catalog.port}"
        via = f"http://127.0.0.1:{gateway.port}/api/catalog"
        warm = queries[: min(300, len(queries))]
        asyncio.run(closed_loop(direct, warm, 4, 5))  # caches, connection pools, lazy imports
        load = os.getloadavg()[0]
        cpu0 = (catalog.cpu_seconds(), gateway.cpu_seconds())
        o_gw = asyncio.run(open_loop(via, queries[:n_open], args.rate))
        cpu1 = (catalog.cpu_seconds(), gateway.cpu_seconds())
        o_direct = asyncio.run(open_loop(direct, queries[:n_open], args.rate))
        cpu2 = (catalog.cpu_seconds(), gateway.cpu_seconds())
        s_gw = asyncio.run(closed_loop(via, queries, args.clients, args.seconds / 2))
        s_direct = asyncio.run(closed_loop(direct, queries, args.clients, args.seconds / 2))
        load_after = os.getloadavg()[0]
        per_q = lambda a, b, n: 1e3 * (b - a) / max(n, 1)  # noqa: E731
        cat_gw, gw_gw = (
            per_q(cpu0[0], cpu1[0], len(o_gw.latencies)),
            per_q(cpu0[1], cpu1[1], len(o_gw.latencies)),
        )
        cat_direct = per_q(cpu1[0], cpu2[0], len(o_direct.latencies))
    finally:
        gateway.stop()
        catalog.stop()
    engine = engine_times(dataset, queries[: min(n_open, 3000)])
    label = "SQLite + Tantivy" if backend == "embedded" else "PostgreSQL + Elasticsearch"
    lines.append(f"\n### {backend} ({label}), {dataset['records']:,} records\n")
    lines.append(f"load average {load:.1f} → {load_after:.1f} during the HTTP runs\n")
    lines.append("| run | queries | queries/s | p50 ms | p99 ms | max ms | errors | CPU per query |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---|")
    lines.append(
        row(
            f"open loop {args.rate:g} q/s, via gateway",
            o_gw,
            f"catalog {cat_gw:.2f} ms + gateway {gw_gw:.2f} ms",
        )
    )
    lines.append(row(f"open loop {args.rate:g} q/s, direct", o_direct, f"catalog {cat_direct:.2f} ms"))
    lines.append(row(f"saturation, {args.clients} clients, via gateway", s_gw))
    lines.append(row(f"saturation, {args.clients} clients, direct", s_direct))
    lines.append(row("engine only (in process, one at a time)", engine))
    lines.append("")
    lines.append(f"p50/p99 ms by kind — via gateway: {kinds(o_gw)}")
    lines.append(f"direct: {kinds(o_direct)}")
    lines.append(f"engine: {kinds(engine)}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", required=True, help="folder given to bench.catalog_import --keep")
    parser.add_argument("--backends", default="embedded,distributed")
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    print(f"# OPAC search benchmark, {os.cpu_count()} CPU")
    print(f"load average at start: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        meta = Path(args.dataset) / backend / "dataset.json"
        if not meta.exists():
            print(f"\n({backend}: no dataset at {meta.parent}; run bench.catalog_import --keep first)")
            continue
        for line in bench_backend(json.loads(meta.read_text()), args):
            print(line, flush=True)
    print(f"\nload average at end: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
