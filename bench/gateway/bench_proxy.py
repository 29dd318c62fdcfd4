"""What the gateway's proxy adds to a request: aiohttp against httpx as the upstream client.

Starts a trivial upstream (uvicorn, one worker) and two gateways (uvicorn, one worker each) whose
proxies use ``aiohttp`` and ``httpx`` (``PUSIP_GATEWAY_PROXY_CLIENT``), then measures
``GET /ping`` directly and through each gateway (``/api/catalog/ping``: public, so the edge
runs its route table, rate limiter and request-id middleware but no token check; ``--token``
adds a signed bearer token so the JWT validation is included).

Latency is measured one request at a time over a kept-alive connection (``http.client``, so the
measuring client adds as little as possible), interleaving the targets round by round so a
noisy neighbour hurts them alike. Throughput is measured with 16 concurrent aiohttp clients.

    uv run python bench/gateway/bench_proxy.py [--requests 3000] [--token] [--markdown out.md]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Proc:
    name: str
    port: int
    proc: subprocess.Popen[bytes]

    def cpu_seconds(self) -> float:
        """User + system CPU time of the process so far (robust to other load on the machine)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def _wait(port: int, path: str = "/healthz", timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"nothing answers on {port}")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUSIP_")}
    env.update({"PUSIP_LOG_JSON": "0", "PUSIP_LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1"})
    return env


def start(name: str, app: str, env: dict[str, str], app_dir: Path | None = None) -> Proc:
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    if app_dir:
        argv += ["--app-dir", str(app_dir)]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait(port)
    return Proc(name, port, proc)


def start_gateway(client: str, upstream_url: str, data_dir: Path) -> Proc:
    port = free_port()
    env = _env() | {
        "PUSIP_DATA_DIR": str(data_dir / client),
        "PUSIP_GATEWAY_PROXY_CLIENT": client,
        "PUSIP_GATEWAY_SERVICE_URLS": json.dumps({"catalog": upstream_url}),
        "PUSIP_GATEWAY_RATE_LIMIT_DEFAULT": "100000000/minute",
        # a moving window keeps one timestamp per request: with this huge limit that list would grow
        # through the run and be measured instead of the proxy
        "PUSIP_GATEWAY_RATE_LIMIT_STRATEGY": "fixed-window",
        "PUSIP_GATEWAY_OIDC_ISSUER": f"http://127.0.0.1:{port}/auth",
    }
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "gateway.main:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait(port)
    return Proc(f"gateway ({client})", port, proc)


def mint_token(data_dir: Path, client: str, port: int) -> str:
    import jwt

    from pusip_kit.auth.issuer import load_or_create_signing_key

    key = load_or_create_signing_key(data_dir / client / "gateway" / "keys")
    now = int(time.time())
    claims = {
        "iss": f"http://127.0.0.1:{port}/auth",
        "sub": "bench",
        "aud": "pusip",
        "iat": now,
        "exp": now + 3600,
        "typ": "Bearer",
        "realm_access": {"roles": ["librarian"]},
    }
    return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})


def latency(
    targets: dict[str, tuple[int, str, dict[str, str]]], n: int, warmup: int
) -> dict[str, list[float]]:
    conns = {name: http.client.HTTPConnection("127.0.0.1", port) for name, (port, _, _) in targets.items()}
    samples: dict[str, list[float]] = {name: [] for name in targets}
    for i in range(warmup + n):
        for name, (_port, path, headers) in targets.items():
            conn = conns[name]
            started = time.perf_counter_ns()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            elapsed = (time.perf_counter_ns() - started) / 1e6
            if response.status != 200:
                raise RuntimeError(f"{name}: HTTP {response.status}")
            if i >= warmup:
                samples[name].append(elapsed)
    for conn in conns.values():
        conn.close()
    return samples


async def throughput(
    port: int, path: str, headers: dict[str, str], seconds: float, concurrency: int
) -> float:
    done = 0
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                async with session.get(f"http://127.0.0.1:{port}{path}", headers=headers) as r:
                    await r.read()
                    if r.status != 200:
                        raise RuntimeError(f"HTTP {r.status}")
                done += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done / seconds


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=5.0, help="throughput run per target")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--token", action="store_true", help="send a bearer token (edge validates it)")
    parser.add_argument("--markdown", type=Path, help="also write the table here")
    args = parser.parse_args()

    procs: list[Proc] = []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            upstream = start("upstream", "upstream:create_app", _env(), HERE)
            procs.append(upstream)
            up_url = f"http://127.0.0.1:{upstream.port}"
            gw_aiohttp = start_gateway("aiohttp", up_url, Path(tmp))
            procs.append(gw_aiohttp)
            gw_httpx = start_gateway("httpx", up_url, Path(tmp))
            procs.append(gw_httpx)
            headers_a: dict[str, str] = {}
            headers_h: dict[str, str] = {}
            if args.token:
                headers_a = {"Authorization": f"Bearer {mint_token(Path(tmp), 'aiohttp', gw_aiohttp.port)}"}
                headers_h = {"Authorization": f"Bearer {mint_token(Path(tmp), 'httpx', gw_httpx.port)}"}
            targets = {
                "direct": (upstream.port, "/ping", {}),
                "via gateway (aiohttp)": (gw_aiohttp.port, "/api/catalog/ping", headers_a),
                "via gateway (httpx)": (gw_httpx.port, "/api/catalog/ping", headers_h),
            }
            cpu_before = {p.name: p.cpu_seconds() for p in procs}
            samples = latency(targets, args.requests, args.warmup)
            cpu_used = {p.name: p.cpu_seconds() - cpu_before[p.name] for p in procs}
            rates = {
                name: asyncio.run(throughput(port, path, hdrs, args.seconds, args.concurrency))
                for name, (port, path, hdrs) in targets.items()
            }
        finally:
            for p in reversed(procs):
                p.stop()

    direct_p50 = pct(samples["direct"], 0.5)
    direct_p99 = pct(samples["direct"], 0.99)
    lines = [
        f"Proxy benchmark: {args.requests} sequential GETs per target (after {args.warmup} warm-up), "
        f"keep-alive; throughput with {args.concurrency} concurrent clients for {args.seconds:.0f} s; "
        f"token: {'yes' if args.token else 'no'}; {os.cpu_count()} CPUs.",
        "",
        "| target | p50 ms | p99 ms | mean ms | added p50 ms | added p99 ms | req/s (c="
        f"{args.concurrency}) | proxy CPU µs/req |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, values in samples.items():
        p50, p99 = pct(values, 0.5), pct(values, 0.99)
        added = "" if name == "direct" else f"{p50 - direct_p50:+.3f}"
        added99 = "" if name == "direct" else f"{p99 - direct_p99:+.3f}"
        proc_name = {
            "via gateway (aiohttp)": "gateway (aiohttp)",
            "via gateway (httpx)": "gateway (httpx)",
        }.get(name, "upstream")
        per_request = cpu_used[proc_name] / (args.requests + args.warmup) * 1e6
        cpu = f"{per_request:.0f}" if name != "direct" else f"({per_request / 3:.0f} upstream, shared)"
        lines.append(
            f"| {name} | {p50:.3f} | {p99:.3f} | {statistics.fmean(values):.3f} | {added} | {added99} | "
            f"{rates[name]:.0f} | {cpu} |"
        )
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")


if __name__ == "__main__":
    main()
