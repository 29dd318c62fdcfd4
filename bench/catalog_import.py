"""Catalog import: bare pymarc parse rate and end-to-end import rate, measured in the same run.

uv run python -m bench.catalog_import [--records 50000|250000] [--backends embedded,distributed]

Data: the first ``--records`` of the 250,000 Library of Congress records (``bench/data.py``),
cut into a file of their own (cached beside the full file).

* **pymarc** — ``pymarc.MARCReader`` over that file in this process, one core, nothing else done.
* **embedded** — ``pusip catalog import``'s code path (:func:`catalog.imports.cli.import_file`,
  parallel reader, direct indexing) into a fresh SQLite database + Tantivy index.
* **distributed** — the same into a fresh PostgreSQL database + an Elasticsearch index under a
  prefix of its own, on the servers of ``bash infra/dev/services.sh up`` (PostgreSQL
  127.0.0.1:55432, Elasticsearch 127.0.0.1:59200).

Each import runs in a subprocess of its own (this script with ``--one``), watched with psutil
every 100 ms: peak RSS of the importing process, of its largest parse child and of the whole
process tree at once, CPU time of the importer and of its parse children together, and for
the distributed run the CPU the PostgreSQL and Elasticsearch servers spent meanwhile. The load
average before and after each run is printed: on a shared machine the wall clock rate is only
what was left over, and the CPU columns are the steadier figures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
from pymarc import MARCReader

from bench.data import cache_dir, loc_records

PG_PORT = 55432
ES_URL = "http://127.0.0.1:59200"


def records_file(n: int) -> Path:
    """The first ``n`` LoC records as a file of their own (the full file for 250,000)."""
    full = loc_records()
    if n >= 250_000:
        return full
    target = cache_dir() / f"loc-first-{n}.mrc"
    if target.exists():
        return target
    partial = target.with_suffix(".part")
    with full.open("rb") as src, partial.open("wb") as out:
        for _ in range(n):
            head = src.read(5)
            if len(head) < 5:
                break
            out.write(head + src.read(int(head) - 5))
    partial.replace(target)
    return target


def bare_parse(path: Path) -> dict[str, Any]:
    started, cpu = time.perf_counter(), time.process_time()
    n = 0
    with path.open("rb") as stream:
        for _record in MARCReader(stream, to_unicode=True, force_utf8=True):
            n += 1
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"records": n, "wall": wall, "cpu": cpu}


# ----------------------------------------------------------------------------- one import (subprocess)


def run_one(path: Path, backend: str, data_dir: Path, database_url: str, es_prefix: str) -> dict[str, Any]:
    os.environ["PUSIP_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("PUSIP_LOG_JSON", "0")
    import resource

    from catalog.config import CatalogSettings
    from catalog.imports.cli import import_file
    from catalog.main import MIGRATIONS_DIR
    from pusip_kit.db.migrate import upgrade

    options: dict[str, Any] = {"data_dir": data_dir}
    if backend == "distributed":
        options |= {
            "database_url": database_url,
            "search_backend": "elasticsearch",
            "elasticsearch_url": ES_URL,
            "elasticsearch_prefix": es_prefix,
        }
    else:
        options |= {"search_backend": "tantivy"}
    settings = CatalogSettings(**options)
    upgrade(settings.database_url, MIGRATIONS_DIR)
    load = os.getloadavg()[0]
    started, cpu = time.perf_counter(), time.process_time()
    job = import_file(path, settings, index_mode="direct", parallel=True, migrate=False)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "job": job,
        "wall": wall,
        "cpu_main": cpu,
        "cpu_child": children.ru_utime + children.ru_stime,
        "load_before": load,
        "load_after": os.getloadavg()[0],
    }


# ----------------------------------------------------------------------------- watching processes


@dataclass
class Watch:
    """Peak RSS per process of a tree, sampled until stopped."""

    root: psutil.Process
    peak: dict[int, tuple[str, int]] = field(default_factory=dict)
    peak_total: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def sample(self) -> None:
        try:
            procs = [self.root, *self.root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return
        total = 0
        for p in procs:
            try:
                rss = p.memory_info().rss
                role = "import" if p.pid == self.root.pid else "parse child"
            except psutil.Error:
                continue
            total += rss
            if rss > self.peak.get(p.pid, ("", 0))[1]:
                self.peak[p.pid] = (role, rss)
        self.peak_total = max(self.peak_total, total)

    def run(self) -> None:
        while not self.stop.wait(0.1):
            self.sample()


def server_pids(port: int) -> list[psutil.Process]:
    """The server listening on ``port`` and its children (PostgreSQL backends)."""
    for conn in psutil.net_connections("tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port and conn.pid:
            server = psutil.Process(conn.pid)
            return [server, *server.children(recursive=True)]
    return []


def cpu_of(procs: list[psutil.Process]) -> float:
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
        except psutil.Error:
            pass
    return total


def es_pid() -> list[psutil.Process]:
    port = int(ES_URL.rsplit(":", 1)[1])
    return server_pids(port)


def bench_env() -> dict[str, str]:
    """The environment of the measured processes: bytecode cached (outside the tree) as in any
    installation, so a parse child does not spend seconds compiling the code it runs."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(cache_dir() / "pycache")
    return env


def warm_up() -> None:
    code = (
        "import catalog.imports.cli, catalog.imports.reader_process, pusip_kit.search.elasticsearch_backend"
    )
    subprocess.run([sys.executable, "-c", code], env=bench_env(), check=True)


def run_import(path: Path, backend: str, keep: Path | None = None) -> dict[str, Any]:
    """Import ``path`` in a subprocess and watch it. With ``keep`` the imported catalogue stays
    (``keep/dataset.json`` says where: data folder, database, Elasticsearch prefix)."""
    if keep is not None:
        shutil.rmtree(keep, ignore_errors=True)
        keep.mkdir(parents=True)
    work = keep or Path(tempfile.mkdtemp(prefix=f"pusip-bench-import-{backend}-"))
    database_url, es_prefix = "", f"bench{uuid.uuid4().hex[:8]}"
    if backend == "distributed":
        from pusip_kit.testing.db import create_postgres_database

        database_url = create_postgres_database("pusip_bench")
    servers: dict[str, list[psutil.Process]] = {}
    servers_cpu: dict[str, float] = {}
    if backend == "distributed":
        servers = {"postgresql": server_pids(PG_PORT), "elasticsearch": es_pid()}
    try:
        command = [
            sys.executable,
            "-m",
            "bench.catalog_import",
            "--one",
            backend,
            "--file",
            str(path),
            "--data-dir",
            str(work),
            "--database-url",
            database_url,
            "--es-prefix",
            es_prefix,
        ]
        before = {name: cpu_of(procs) for name, procs in servers.items()}
        process = subprocess.Popen(command, stdout=subprocess.PIPE, env=bench_env())
        watch = Watch(psutil.Process(process.pid))
        watcher = threading.Thread(target=watch.run, daemon=True)
        watcher.start()
        out, _ = process.communicate()
        watch.stop.set()
        watcher.join()
        if backend == "distributed":  # PostgreSQL backends come and go: count the live ones again
            servers["postgresql"] = server_pids(PG_PORT)
        servers_cpu = {name: cpu_of(procs) - before[name] for name, procs in servers.items()}
        if process.returncode != 0:
            raise RuntimeError(f"{backend} import failed (exit {process.returncode})")
        result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
        result["rss"] = {}
        for role, rss in watch.peak.values():  # the largest parse child
            result["rss"][role] = max(rss, result["rss"].get(role, 0))
        result["rss"]["tree"] = watch.peak_total
        result["children"] = sum(1 for role, _ in watch.peak.values() if role == "parse child")
        result["rss_by_pid"] = sorted(watch.peak.values(), key=lambda r: -r[1])
        result["servers_cpu"] = servers_cpu
        if keep is not None:
            dataset = {"backend": backend, "data_dir": str(work), "database_url": database_url}
            dataset |= {"es_prefix": es_prefix, "records": result["job"]["counts"]["stored"]}
            (keep / "dataset.json").write_text(json.dumps(dataset))
        return result
    finally:
        if keep is None:
            drop_import(backend, work, database_url, es_prefix)


def drop_import(backend: str, work: Path, database_url: str, es_prefix: str) -> None:
    shutil.rmtree(work, ignore_errors=True)
    if backend == "distributed":
        import httpx

        from pusip_kit.testing.db import drop_postgres_database

        drop_postgres_database(database_url)
        httpx.delete(f"{ES_URL}/{es_prefix}-*", timeout=60)
        httpx.delete(f"{ES_URL}/_index_template/{es_prefix}-*", timeout=60)


# ----------------------------------------------------------------------------- report


def mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=50_000, help="50000 or 250000 (any count works)")
    parser.add_argument("--backends", default="embedded,distributed")
    parser.add_argument("--keep", help="keep the imported catalogues under this folder (bench.opac_search)")
    parser.add_argument("--one", choices=["embedded", "distributed"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", default="", help=argparse.SUPPRESS)
    parser.add_argument("--es-prefix", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        result = run_one(Path(args.file), args.one, Path(args.data_dir), args.database_url, args.es_prefix)
        print(json.dumps(result, default=str))
        return

    path = records_file(args.records)
    cpu = f"{os.cpu_count()} CPU"
    print(
        f"# Catalog import benchmark: {args.records:,} LoC records ({path.stat().st_size / 2**20:,.0f} MB), {cpu}"
    )
    print(f"load average at start: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}\n")
    warm_up()
    parse = bare_parse(path)
    n = parse["records"]
    rows = [
        "| run | records/s (wall) | CPU µs/record: importer / parse children / servers | peak RSS: importer / largest parse child / whole tree | load avg before → after | books |",
        "|---|---:|---|---|---|---|",
        f"| pymarc `MARCReader`, bare parse, one core | {n / parse['wall']:,.0f} | {1e6 * parse['cpu'] / n:,.0f} / – / – | – | – | {n:,} read |",
    ]
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        keep = Path(args.keep) / backend if args.keep else None
        r = run_import(path, backend, keep)
        counts = r["job"]["counts"]
        read = counts["read"]
        servers = sum(r["servers_cpu"].values())
        server_text = (
            " + ".join(f"{name} {1e6 * cpu / read:,.0f}" for name, cpu in r["servers_cpu"].items())
            if r["servers_cpu"]
            else "–"
        )
        label = "SQLite + Tantivy" if backend == "embedded" else "PostgreSQL + Elasticsearch"
        rows.append(
            f"| import, {backend} ({label}) | {read / r['wall']:,.0f} "
            f"| {1e6 * r['cpu_main'] / read:,.0f} / {1e6 * r['cpu_child'] / read:,.0f} / {server_text} "
            f"| {mb(r['rss'].get('import', 0))} / {mb(r['rss'].get('parse child', 0))} "
            f"({r['children']} children) / {mb(r['rss']['tree'])} "
            f"| {r['load_before']:.1f} → {r['load_after']:.1f} "
            f"| {read:,} read = {counts['stored']:,} stored + {counts['skipped_duplicates']:,} duplicates"
            f" + {counts['reported']:,} reported ({'balanced' if counts['balanced'] else 'NOT balanced'}) |"
        )
        total_cpu = r["cpu_main"] + r["cpu_child"] + servers
        print(
            f"{backend}: {read:,} records in {r['wall']:.1f} s; CPU {total_cpu:.1f} s in all "
            f"({1e6 * total_cpu / read:,.0f} µs/record: on two otherwise idle cores at most "
            f"{2 * read / total_cpu:,.0f} records/s); status {r['job']['status']}",
            flush=True,
        )
    print()
    print("\n".join(rows))
    print(f"\nload average at end: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
