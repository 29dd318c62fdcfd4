"""The circulation desk: check-out + check-in by barcode through the gateway, at catalogue scale.

    uv run python -m bench.circulation_desk --mode embedded|postgres [--items 100000] [--patrons 50000]
        [--rate 200] [--duration 30] [--clients 32] [--workers 1] [--direct] [--json out.json] [--workdir DIR]

Targets (issue 4): at a steady offered load of 200 operations/s p99 ≤ 30 ms; with 32 concurrent
clients ≥ 500 operations/s. An *operation* is one ``POST /api/circulation/loans`` (check-out) or one
``POST /api/circulation/returns`` (check-in), each its own transaction.

What it does:

1. **World.** Migrates a fresh circulation database (a SQLite file under ``--workdir``, or a new
   database on the development PostgreSQL at 127.0.0.1:55432 with ``--mode postgres``) and bulk-loads
   it (:mod:`bench.circulation_data`: policy through the service's demo loader, then branches,
   records, ``--items`` items and ``--patrons`` patrons by bulk ``INSERT``/``COPY`` straight into the
   replica tables). With ``--workdir`` the world is kept and reused by later runs of the same size.
2. **Servers.** Starts the circulation service and the gateway exactly as ``pusip up`` does
   (``python -m pusip serve <name>``: uvicorn, one worker, uvloop + httptools, no access log) on free
   ports, the gateway's rate limit raised out of the way. A librarian token is signed with the
   gateway's own (embedded issuer) key; the gateway validates it at the edge and the service again.
   No Celery worker runs: the outbox rows each transaction writes (availability events) are written
   and the relay is kicked, but not relayed.
3. **Open loop** at ``--rate`` operations/s for ``--duration`` seconds: a fixed timetable alternating a
   check-out (a fresh item, a patron of its own) and the check-in of the item checked out one second
   earlier at its home branch. Each operation's latency runs from its *scheduled* time, so a stall
   counts against every request queued behind it (no coordinated omission). ``--warmup`` seconds of
   the same load go first and are not counted.
4. **Saturation**: ``--clients`` concurrent clients, each checking an item out and back in as fast
   as it is answered, for ``--duration`` seconds: operations/s and latency.

With ``--direct`` both runs are repeated straight against the service (no gateway), which shows what
the gateway adds. CPU seconds of the service, the gateway and this load generator are reported per
run (the machine is usually shared, so CPU per operation is the steadier figure), with the load
average before and after. ``--profile FILE`` records the service with py-spy (on ``PATH``) during
the saturation run through the gateway. ``--workers N`` runs the service as ``pusip serve
circulation --workers N`` (its CPU is then summed over the worker processes). Each run also records
the machine's CPU split (``bench/machine.py``), steal included: time the host gave to other VMs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import psutil

from bench.circulation_data import BRANCH_NAMES, World, load, loanable_items
from bench.machine import CpuShare

ROOT = Path(__file__).resolve().parents[1]
CHECKOUT, CHECKIN = "checkout", "checkin"


# ----------------------------------------------------------------------------------------- processes


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_base() -> int:
    """Six free ports (the suite's layout: gateway, then the five services) off the ephemeral range."""
    try:
        low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    except (OSError, ValueError):
        low, high = 32768, 60999
    rng = random.Random()
    for _ in range(500):
        base = rng.randrange(10_000, 32_000, 10)
        if any(low <= p <= high or not _port_free(p) for p in range(base, base + 6)):
            continue
        return base
    raise RuntimeError("no free block of six ports")


def cpu_seconds(pid: int) -> float:
    """CPU seconds of ``pid`` and its live children (uvicorn's worker processes with ``--workers``)."""
    parent = psutil.Process(pid)
    total = 0.0
    for proc in [parent, *parent.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            times = proc.cpu_times()
            total += times.user + times.system
    return total


def own_cpu() -> float:
    t = os.times()
    return t.user + t.system


@dataclass
class Server:
    name: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    def cpu(self) -> float:
        return cpu_seconds(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def wait_ready(server: Server, path: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"{server.name} exited:\n{server.log.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{server.name} not ready on {server.port}{path}")


def serve(name: str, port: int, env: dict[str, str], workdir: Path, workers: int = 1) -> Server:
    log = workdir / f"{name}.log"
    command = [sys.executable, "-m", "pusip", "serve", name, "--workers", str(workers)]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(name, port, proc, log)
    try:
        wait_ready(server, "/healthz" if name == "gateway" else "/readyz")
    except BaseException:
        server.stop()
        raise
    return server


def suite_env(args: argparse.Namespace, data_dir: Path, port_base: int, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUSIP_")}
    env |= {
        "PUSIP_DATA_DIR": str(data_dir),
        "PUSIP_PORT_BASE": str(port_base),
        "PUSIP_ENVIRONMENT": "development",
        "PUSIP_LOG_LEVEL": args.log_level,
        "PUSIP_CIRCULATION_DATABASE_URL": database_url,
        "PUSIP_CIRCULATION_MAIL_ENABLED": "0",
        # out of the benchmark's way (a fixed window keeps one counter, not one timestamp per request)
        "PUSIP_GATEWAY_RATE_LIMIT_DEFAULT": "100000000/minute",
        "PUSIP_GATEWAY_RATE_LIMIT_STRATEGY": "fixed-window",
        "PYTHONUNBUFFERED": "1",
    }
    return env


def librarian_token(data_dir: Path, gateway_port: int) -> str:
    import jwt

    from pusip_kit.auth.issuer import load_or_create_signing_key

    key = load_or_create_signing_key(data_dir / "gateway" / "keys")
    now = int(time.time())
    claims = {
        "iss": f"http://127.0.0.1:{gateway_port}/auth",
        "sub": "bench-librarian",
        "preferred_username": "bench-pustakawan",
        "aud": "pusip",
        "iat": now,
        "exp": now + 4 * 3600,
        "typ": "Bearer",
        "realm_access": {"roles": ["librarian"]},
    }
    return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})


# --------------------------------------------------------------------------------------------- world


@contextlib.contextmanager
def database(args: argparse.Namespace, workdir: Path) -> Iterator[tuple[str, bool]]:
    """``(url, fresh)``: the world's database, created (and migrated) unless a kept one is reused."""
    meta = workdir / "world.json"
    wanted = {"mode": args.mode, "items": args.items, "patrons": args.patrons}
    if meta.exists():
        kept = json.loads(meta.read_text())
        if {k: kept.get(k) for k in wanted} == wanted:
            yield kept["url"], False
            return
        raise SystemExit(f"{workdir} holds another world ({kept}); use another --workdir")
    if args.mode == "postgres":
        from pusip_kit.testing.db import create_postgres_database, drop_postgres_database

        url = create_postgres_database("pusip_bench_circulation")
    else:
        url = f"sqlite+aiosqlite:///{workdir / 'data' / 'circulation' / 'circulation.db'}"
    try:
        yield url, True
        if args.workdir is not None:
            meta.write_text(json.dumps(wanted | {"url": url}))
    finally:
        if args.mode == "postgres" and args.workdir is None:
            drop_postgres_database(url)


def on_loan(url: str) -> set[str]:
    """Barcodes a kept world still has on loan (a run that was interrupted): the workload skips them."""
    from sqlalchemy import create_engine, text

    from pusip_kit.db.engine import make_sync_url

    engine = create_engine(make_sync_url(url))
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT item_barcode FROM loans WHERE returned_at IS NULL"))
            return {row[0] for row in rows}
    finally:
        engine.dispose()


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "pusip", "migrate", "gateway", "circulation"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


# ---------------------------------------------------------------------------------------------- load


@dataclass
class Run:
    label: str
    latencies: dict[str, list[float]] = field(default_factory=lambda: {CHECKOUT: [], CHECKIN: []})
    errors: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)
    load: tuple[float, float] = (0.0, 0.0)
    machine: dict[str, float] = field(default_factory=dict)

    def all(self) -> list[float]:
        return self.latencies[CHECKOUT] + self.latencies[CHECKIN]

    def summary(self) -> dict[str, Any]:
        ops = len(self.all())
        out: dict[str, Any] = {
            "run": self.label,
            "operations": ops,
            "seconds": round(self.seconds, 2),
            "ops_per_s": round(ops / self.seconds, 1) if self.seconds else 0.0,
            "errors": dict(self.errors),
            "load_average": list(self.load),
            "machine_cpu": self.machine,
        }
        out |= latency_figures(self.all())
        for kind, values in self.latencies.items():
            out[kind] = latency_figures(values)
        out["cpu_s"] = {k: round(v, 2) for k, v in self.cpu.items()}
        out["cpu_ms_per_op"] = {k: round(1000 * v / max(ops, 1), 2) for k, v in self.cpu.items()}
        return out


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def latency_figures(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(1000 * pct(values, 50), 2),
        "p90_ms": round(1000 * pct(values, 90), 2),
        "p99_ms": round(1000 * pct(values, 99), 2),
        "max_ms": round(1000 * max(values, default=float("nan")), 2),
    }


class Desk:
    """Posts check-outs and check-ins; records latency (from a given start) or the error."""

    def __init__(self, session: aiohttp.ClientSession, base: str, run: Run) -> None:
        self.session, self.base, self.run = session, base, run

    async def post(self, kind: str, body: dict[str, str], start: float) -> bool:
        path = "/loans" if kind == CHECKOUT else "/returns"
        try:
            async with self.session.post(self.base + path, json=body) as response:
                payload = await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.run.errors[f"{kind} {type(exc).__name__}"] += 1
            return False
        elapsed = time.perf_counter() - start
        if status != (201 if kind == CHECKOUT else 200):
            code = ""
            with contextlib.suppress(ValueError, AttributeError, TypeError):
                code = json.loads(payload).get("code", "")
            self.run.errors[f"{kind} {status} {code}".strip()] += 1
            return False
        self.run.latencies[kind].append(elapsed)
        return True


def session_for(token: str, limit: int) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=limit),
        headers={"Authorization": f"Bearer {token}"},
        timeout=aiohttp.ClientTimeout(total=60),
    )


class Pool:
    """Hands out items and patrons nobody else in this process is using."""

    def __init__(
        self, items: list[tuple[str, str]], patrons: int, world: World, seed: int, busy: set[str]
    ) -> None:
        rng = random.Random(seed)
        self.items = [item for item in items if item[0] not in busy]
        rng.shuffle(self.items)
        self.cards = [world.card(n) for n in range(patrons)]
        rng.shuffle(self.cards)
        self.next_item = self.next_card = 0

    def item(self) -> tuple[str, str]:
        value = self.items[self.next_item % len(self.items)]
        self.next_item += 1
        return value

    def card(self) -> str:
        value = self.cards[self.next_card % len(self.cards)]
        self.next_card += 1
        return value


async def open_loop(
    base: str, token: str, pool: Pool, rate: float, seconds: float, label: str, lag: float = 1.0
) -> Run:
    """Alternate check-out (new item) and check-in (the item checked out ``lag`` s before), on a timetable."""
    run = Run(label)
    pairs = max(1, int(rate * seconds / 2))
    depth = max(1, int(rate * lag / 2))  # loans open at any time
    async with session_for(token, 512) as session:
        desk = Desk(session, base, run)
        scratch = Desk(session, base, Run("setup"))
        # The first ``depth`` loans are opened before the clock starts, so every slot has work.
        backlog: list[tuple[str, str, asyncio.Event]] = []
        for _ in range(depth):
            barcode, branch = pool.item()
            await scratch.post(CHECKOUT, {"patron": pool.card(), "item": barcode, "branch": branch}, 0.0)
            done = asyncio.Event()
            done.set()
            backlog.append((barcode, branch, done))
        t0 = time.perf_counter() + 0.1
        tasks = []

        async def checkout(barcode: str, branch: str, card: str, due: float, done: asyncio.Event) -> None:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            try:
                await desk.post(CHECKOUT, {"patron": card, "item": barcode, "branch": branch}, due)
            finally:
                done.set()

        async def checkin(barcode: str, branch: str, due: float, after: asyncio.Event) -> None:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            await after.wait()  # never return a book before its check-out was answered
            await desk.post(CHECKIN, {"item": barcode, "branch": branch}, due)

        for k in range(pairs):
            barcode, branch = pool.item()
            done = asyncio.Event()
            backlog.append((barcode, branch, done))
            tasks.append(asyncio.create_task(checkout(barcode, branch, pool.card(), t0 + 2 * k / rate, done)))
            old, old_branch, old_done = backlog[k]
            tasks.append(asyncio.create_task(checkin(old, old_branch, t0 + (2 * k + 1) / rate, old_done)))
        await asyncio.gather(*tasks)
        run.seconds = time.perf_counter() - t0
        for barcode, branch, done in backlog[pairs:]:  # leave the shelves as they were
            await done.wait()
            await scratch.post(CHECKIN, {"item": barcode, "branch": branch}, 0.0)
    return run


async def saturate(base: str, token: str, pool: Pool, clients: int, seconds: float, label: str) -> Run:
    """``clients`` desks, each checking an item out and in again as fast as it is answered."""
    run = Run(label)
    async with session_for(token, clients) as session:
        desk = Desk(session, base, run)
        end = time.perf_counter() + seconds

        async def client() -> None:
            while time.perf_counter() < end:
                barcode, branch = pool.item()
                start = time.perf_counter()
                out = await desk.post(
                    CHECKOUT, {"patron": pool.card(), "item": barcode, "branch": branch}, start
                )
                if out:
                    await desk.post(CHECKIN, {"item": barcode, "branch": branch}, time.perf_counter())

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        run.seconds = time.perf_counter() - started
    return run


def measured(servers: dict[str, Server], label: str, coroutine_factory: Any) -> Run:
    load0 = os.getloadavg()[0]
    cpu0 = {name: s.cpu() for name, s in servers.items()} | {"load generator": own_cpu()}
    with CpuShare() as share:
        run: Run = asyncio.run(coroutine_factory())
    cpu1 = {name: s.cpu() for name, s in servers.items()} | {"load generator": own_cpu()}
    run.cpu = {name: cpu1[name] - cpu0[name] for name in cpu0}
    run.load = (round(load0, 2), round(os.getloadavg()[0], 2))
    run.machine = share.split
    run.label = label
    print(json.dumps(run.summary()), file=sys.stderr, flush=True)
    return run


# ---------------------------------------------------------------------------------------------- main


def stop_all(servers: dict[str, Server]) -> None:
    for server in reversed(list(servers.values())):
        server.stop()


def profile_format(path: Path) -> str:
    """py-spy's output format from the file name: ``.svg`` flame graph, ``.json`` speedscope, else raw."""
    return {".svg": "flamegraph", ".json": "speedscope"}.get(path.suffix, "raw")


def table(runs: list[dict[str, Any]]) -> str:
    lines = [
        "| run | ops | ops/s | p50 ms | p99 ms | max ms | out p50/p99 | in p50/p99 | errors | CPU ms/op | steal % |",
        "|---|---:|---:|---:|---:|---:|---|---|---|---|---:|",
    ]
    for r in runs:
        cpu = ", ".join(f"{k} {v}" for k, v in r["cpu_ms_per_op"].items())
        errors = ", ".join(f"{k}: {v}" for k, v in r["errors"].items()) or "0"
        lines.append(
            f"| {r['run']} | {r['operations']:,} | {r['ops_per_s']:,.0f} | {r['p50_ms']} | {r['p99_ms']} | "
            f"{r['max_ms']} | {r[CHECKOUT]['p50_ms']}/{r[CHECKOUT]['p99_ms']} | "
            f"{r[CHECKIN]['p50_ms']}/{r[CHECKIN]['p99_ms']} | {errors} | {cpu} | "
            f"{r.get('machine_cpu', {}).get('steal_pct', '–')} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mode", choices=["embedded", "postgres"], default="embedded")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--patrons", type=int, default=50_000)
    parser.add_argument("--branches", type=int, default=len(BRANCH_NAMES))
    parser.add_argument("--rate", type=float, default=200.0, help="open-loop operations/s")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per measured run")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of open loop not counted")
    parser.add_argument("--clients", type=int, default=32, help="saturation clients")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes of the circulation service (pusip serve --workers)",
    )
    parser.add_argument("--direct", action="store_true", help="repeat both runs straight to the service")
    parser.add_argument("--skip", default="", help="comma list of runs to leave out: open,saturation")
    parser.add_argument("--log-level", default="INFO", help="PUSIP_LOG_LEVEL of both servers (as pusip up)")
    parser.add_argument("--workdir", type=Path, help="keep the world here and reuse it on later runs")
    parser.add_argument(
        "--profile",
        type=Path,
        help="py-spy recording of the service (.svg, .json speedscope, else collapsed stacks)",
    )
    parser.add_argument("--json", type=Path, help="write every figure here as JSON")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    names = [code for code, _, _ in BRANCH_NAMES]
    branches = tuple(names[: args.branches]) + tuple(f"cabang-{i}" for i in range(len(names), args.branches))
    world = World(args.items, args.patrons, branches, records=max(1, args.items * 2 // 3))
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="pusip-bench-circulation-"))
    workdir.mkdir(parents=True, exist_ok=True)
    data_dir = workdir / "data"
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    result: dict[str, Any] = {
        "benchmark": "circulation desk (check-out + check-in)",
        "mode": args.mode,
        "items": args.items,
        "patrons": args.patrons,
        "branches": len(branches),
        "rate": args.rate,
        "duration_s": args.duration,
        "clients": args.clients,
        "service_workers": args.workers,
        "cpus": os.cpu_count(),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average_start": [round(x, 2) for x in os.getloadavg()],
    }
    servers: dict[str, Server] = {}
    runs: list[Run] = []
    try:
        with database(args, workdir) as (url, fresh), contextlib.ExitStack() as stack:
            stack.callback(stop_all, servers)
            port_base = free_port_base()
            env = suite_env(args, data_dir, port_base, url)
            if fresh:
                started = time.perf_counter()
                migrate(env)
                result["migrate_s"] = round(time.perf_counter() - started, 2)
                print(f"loading {args.items:,} items and {args.patrons:,} patrons …", file=sys.stderr)
                started = time.perf_counter()
                result["load"] = load(url, world) | {"total_s": round(time.perf_counter() - started, 2)}
                print(f"loaded: {result['load']}", file=sys.stderr)
            servers["circulation"] = serve("circulation", port_base + 2, env, workdir, args.workers)
            servers["gateway"] = serve("gateway", port_base, env, workdir)
            token = librarian_token(data_dir, port_base)
            pool = Pool(loanable_items(world), args.patrons, world, args.seed, on_loan(url))
            targets = {"gateway": f"http://127.0.0.1:{port_base}/api/circulation"}
            if args.direct:
                targets["direct"] = f"http://127.0.0.1:{port_base + 2}"
            for via, base in targets.items():
                if "open" not in skip:
                    if args.warmup > 0:
                        asyncio.run(open_loop(base, token, pool, args.rate, args.warmup, "warm-up"))
                    runs.append(
                        measured(
                            servers,
                            f"open loop {args.rate:g} ops/s, {via}",
                            lambda b=base: open_loop(b, token, pool, args.rate, args.duration, ""),
                        )
                    )
                if "saturation" not in skip:
                    profiler = None
                    if args.profile is not None and via == "gateway":
                        profiler = subprocess.Popen(
                            [os.environ.get("PY_SPY", "py-spy"), "record", "--pid", str(servers["circulation"].proc.pid),
                             "--format", profile_format(args.profile), "--output", str(args.profile), "--rate", "200", "--gil",
                             "--duration", str(int(args.duration))],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                        )  # fmt: skip
                    runs.append(
                        measured(
                            servers,
                            f"saturation, {args.clients} clients, {via}",
                            lambda b=base: saturate(b, token, pool, args.clients, args.duration, ""),
                        )
                    )
                    if profiler is not None:
                        profiler.wait(60)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    result["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    result["runs"] = [r.summary() for r in runs]
    print(f"\n## circulation desk, {args.mode}: {args.items:,} items, {args.patrons:,} patrons, "
          f"{len(branches)} branches, {os.cpu_count()} CPUs")  # fmt: skip
    print(f"load average {result['load_average_start']} → {result['load_average_end']}\n")
    print(table(result["runs"]))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
