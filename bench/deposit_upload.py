"""A 1 GiB digital deposit through the deposit upload endpoint, against ``cp`` + ``sync`` of the same file.

Targets (issue 5): upload throughput ≥ 0.35× that of ``cp`` + ``sync`` in the same run, and peak RSS
growth of the server process(es) ≤ 64 MB.

Two ways to run it::

    # spawn a deposit service on local storage in a scratch folder (tokens minted by a local issuer)
    uv run python bench/deposit_upload.py --spawn

    # against a running deployment (the service directly, or the gateway in front of it)
    uv run python bench/deposit_upload.py --base-url http://127.0.0.1:8000/api/deposit \\
        --token "$PUBLISHER_TOKEN" --depositor-id <approved depositor> --watch-pid <gateway pid> --watch-pid <deposit pid>

The file is ``%PDF-1.7`` followed by random bytes (the endpoint checks the type by content; it does
not parse PDFs on upload). The client sends it with ``socket.sendfile`` (zero copy), so it costs the
two-core machine almost nothing next to the server. ``cp`` copies the same file on the same file
system as the service's object store (``--workdir``), then ``sync`` flushes it, as the object store
fsyncs what it writes. The server's SHA-256 is checked against the file's.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.server
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

MiB = 1024 * 1024
GiB = 1024 * MiB


# ------------------------------------------------------------------------------------------- memory


def rss_bytes(pid: int) -> int:
    """Resident set size of ``pid`` (psutil when installed, else /proc)."""
    try:
        import psutil  # type: ignore[import-not-found,unused-ignore]

        return int(psutil.Process(pid).memory_info().rss)
    except ImportError:
        pass
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` so far (all its threads)."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class RssWatch:
    """Samples the RSS of some processes every few milliseconds; reports the peak growth of each."""

    pids: list[int]
    interval: float = 0.01
    baseline: dict[int, int] = field(default_factory=dict)
    peak: dict[int, int] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> RssWatch:
        self.baseline = {pid: rss_bytes(pid) for pid in self.pids}
        self.peak = dict(self.baseline)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid in self.pids:
                with contextlib.suppress(OSError):
                    self.peak[pid] = max(self.peak[pid], rss_bytes(pid))
            time.sleep(self.interval)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def growth(self) -> dict[int, int]:
        return {pid: self.peak[pid] - self.baseline[pid] for pid in self.pids}


# --------------------------------------------------------------------------------------- the upload


def make_file(path: Path, size: int) -> str:
    """``%PDF-1.7`` + random bytes, ``size`` in all; returns its SHA-256."""
    digest = hashlib.sha256()
    head = b"%PDF-1.7\n"
    block = os.urandom(4 * MiB)
    with open(path, "wb") as handle:
        handle.write(head)
        digest.update(head)
        left = size - len(head)
        while left > 0:
            piece = block[: min(left, len(block))]
            handle.write(piece)
            digest.update(piece)
            left -= len(piece)
    return digest.hexdigest()


def post_file(
    base_url: str, token: str, metadata: dict[str, Any], path: Path, encoding: str
) -> tuple[int, Any]:
    """POST the file with sendfile(); returns (status, parsed JSON body)."""
    url = urlsplit(base_url)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    prefix = url.path.rstrip("/")
    size = path.stat().st_size
    if encoding == "multipart":
        boundary = f"pusipbench{uuid.uuid4().hex}"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n{json.dumps(metadata)}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        target = f"{prefix}/deposits/digital"
        content_type = f"multipart/form-data; boundary={boundary}"
    else:
        head, tail = b"", b""
        query = httpx.QueryParams({"filename": path.name, "metadata": json.dumps(metadata)})
        target = f"{prefix}/deposits/digital?{query}"
        content_type = "application/pdf"
    length = len(head) + size + len(tail)
    request = (
        f"POST {target} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((host, port)) as sock, open(path, "rb") as handle:
        sock.sendall(request + head)
        sock.sendfile(handle)
        sock.sendall(tail)
        response = b""
        while chunk := sock.recv(65536):
            response += chunk
    header, _, body = response.partition(b"\r\n\r\n")
    status = int(header.split(b" ", 2)[1])
    if b"transfer-encoding: chunked" in header.lower():
        body = _dechunk(body)
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body.decode(errors="replace")


def _dechunk(data: bytes) -> bytes:
    out = b""
    while data:
        size_line, _, rest = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += rest[:size]
        data = rest[size + 2 :]
    return out


def cp_sync(source: Path, target: Path) -> float:
    start = time.perf_counter()
    subprocess.run(["cp", str(source), str(target)], check=True)
    subprocess.run(["sync"], check=True)
    elapsed = time.perf_counter() - start
    target.unlink()
    subprocess.run(["sync"], check=True)
    return elapsed


# ------------------------------------------------------------------------------- a spawned service


class JwksServer:
    """Serves a test issuer's JWKS at ``/auth/jwks`` on a loopback port (spawn mode only)."""

    def __init__(self) -> None:
        self.body = b"{}"
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(owner.body)))
                self.end_headers()
                self.wfile.write(owner.body)

            def log_message(self, *args: object) -> None:
                return

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Spawned:
    base_url: str
    process: subprocess.Popen[bytes]
    publisher_token: str
    depositor_id: str


def spawn_service(workdir: Path, storage: str) -> tuple[Spawned, JwksServer]:
    from pusip_kit.testing.service import TestIssuer

    jwks = JwksServer()
    issuer_url = f"http://127.0.0.1:{jwks.port}/auth"
    issuer = TestIssuer.create(workdir / "keys", issuer_url=issuer_url)
    jwks.body = json.dumps(issuer.jwks()).encode()
    port = free_port()
    env = {
        **os.environ,
        "PUSIP_DATA_DIR": str(workdir / "data"),
        "PUSIP_DEPOSIT_PORT": str(port),
        "PUSIP_OIDC_ISSUER": issuer_url,
        "PUSIP_OIDC_JWKS_URL": f"{issuer_url}/jwks",
        "PUSIP_OIDC_AUDIENCE": issuer.audience,
        "PUSIP_ENVIRONMENT": "development",
        "PUSIP_LOG_LEVEL": "WARNING",
        "PUSIP_STORAGE_BACKEND": storage,
    }
    command = [
        sys.executable, "-m", "uvicorn", "--factory", "deposit.main:create_app",
        "--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    log = open(workdir / "service.log", "wb")  # noqa: SIM115 - lives as long as the process
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError((workdir / "service.log").read_text()[-3000:])
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base_url}/readyz", timeout=1).status_code == 200:
                break
        time.sleep(0.2)
    publisher = issuer.token_for(roles=["publisher"], sub="bench-publisher", username="bench-penerbit")
    officer = issuer.token_for(roles=["deposit_officer"], sub="bench-officer", username="bench-petugas")
    created = httpx.post(
        f"{base_url}/depositors",
        json={
            "type": "penerbit",
            "name": "Penerbit Uji Kinerja",
            "legal_identity_kind": "nib",
            "legal_identity_number": "7770000000001",
            "domicile_province": "DKI Jakarta",
            "domicile_city": "Jakarta Pusat",
        },
        headers={"Authorization": f"Bearer {publisher}"},
        timeout=30,
    )
    created.raise_for_status()
    depositor_id = created.json()["id"]
    approved = httpx.post(
        f"{base_url}/depositors/{depositor_id}/approve",
        headers={"Authorization": f"Bearer {officer}"},
        timeout=30,
    )
    approved.raise_for_status()
    return Spawned(base_url, process, publisher, depositor_id), jwks


# ------------------------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--spawn", action="store_true", help="start a deposit service on local storage")
    parser.add_argument(
        "--storage", default="local", choices=["local", "minio"], help="spawned service's store"
    )
    parser.add_argument("--base-url", help="the deposit API root (service or gateway prefix)")
    parser.add_argument("--token", help="bearer token of a publisher (or officer) acting for the depositor")
    parser.add_argument("--depositor-id", help="an approved depositor the token may submit for")
    parser.add_argument(
        "--watch-pid", type=int, action="append", default=[], help="a server process to watch"
    )
    parser.add_argument("--size", type=int, default=GiB, help="file size in bytes (default 1 GiB)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--encoding", default="multipart", choices=["multipart", "raw"])
    parser.add_argument("--workdir", type=Path, default=None, help="scratch folder (same disk as the store)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="pusip-bench-deposit-", dir=Path.cwd() / "var"
                                                    if (Path.cwd() / "var").is_dir() else None))  # fmt: skip
    workdir.mkdir(parents=True, exist_ok=True)
    spawned: Spawned | None = None
    jwks: JwksServer | None = None
    try:
        if args.spawn:
            spawned, jwks = spawn_service(workdir, args.storage)
            base_url, token, depositor_id = spawned.base_url, spawned.publisher_token, spawned.depositor_id
            pids = [spawned.process.pid, *args.watch_pid]
        else:
            if not (args.base_url and args.token and args.depositor_id):
                parser.error("without --spawn, give --base-url, --token and --depositor-id")
            base_url, token, depositor_id = args.base_url.rstrip("/"), args.token, args.depositor_id
            pids = list(args.watch_pid)
        source = workdir / "bench-deposit.pdf"
        print(f"writing {args.size / MiB:.0f} MiB test file in {workdir} …", file=sys.stderr)
        digest = make_file(source, args.size)
        subprocess.run(["sync"], check=True)
        metadata = {
            "depositor_id": depositor_id,
            "kind": "karya_digital",
            "title": "Berkas uji kinerja unggahan serah simpan",
            "creators": ["Pusip"],
            "year": 2026,
            "language": "ind",
            "publisher": "Penerbit Uji Kinerja",
        }
        rounds: list[dict[str, Any]] = []
        for number in range(1, args.rounds + 1):
            cp_seconds = cp_sync(source, workdir / "bench-copy.pdf")
            cpu_before = {pid: cpu_seconds(pid) for pid in pids}
            with RssWatch(pids) as watch:
                start = time.perf_counter()
                status, body = post_file(base_url, token, metadata, source, args.encoding)
                upload_seconds = time.perf_counter() - start
            cpu_used = {pid: round(cpu_seconds(pid) - cpu_before[pid], 2) for pid in pids}
            if status != 201:
                raise RuntimeError(f"upload failed: {status} {str(body)[:500]}")
            stored = body["files"][0]
            if stored["sha256"] != digest or stored["size"] != args.size:
                raise RuntimeError("the service stored different bytes than were sent")
            growth = watch.growth()
            result = {
                "round": number,
                "cp_sync_s": round(cp_seconds, 3),
                "upload_s": round(upload_seconds, 3),
                "cp_sync_MiB_s": round(args.size / MiB / cp_seconds, 1),
                "upload_MiB_s": round(args.size / MiB / upload_seconds, 1),
                "ratio": round(cp_seconds / upload_seconds, 3),
                "rss_growth_MiB": {str(pid): round(value / MiB, 1) for pid, value in growth.items()},
                "server_cpu_s": {str(pid): value for pid, value in cpu_used.items()},
                "receipt": body.get("receipt_number"),
            }
            rounds.append(result)
            print(json.dumps(result), file=sys.stderr)
            if spawned is not None:  # keep the disk from filling up: the object is not needed any more
                for leftover in (workdir / "data" / "deposit" / "objects" / "deposit-files" / "files").glob(
                    "*"
                ):
                    shutil.rmtree(leftover, ignore_errors=True)
        summary = {
            "size_bytes": args.size,
            "encoding": args.encoding,
            "base_url": base_url,
            "rounds": rounds,
            "median_ratio": round(statistics.median(r["ratio"] for r in rounds), 3),
            "max_rss_growth_MiB": max(
                (max(r["rss_growth_MiB"].values(), default=0.0) for r in rounds), default=0.0
            ),
        }
        if args.json:
            print(json.dumps(summary, indent=2))
        else:
            print(
                f"\n{'round':>5} {'cp+sync s':>10} {'upload s':>9} {'cp MiB/s':>9} {'up MiB/s':>9} {'ratio':>6}  RSS growth"
            )
            for r in rounds:
                rss = ", ".join(f"pid {pid}: {mib} MiB" for pid, mib in r["rss_growth_MiB"].items())
                print(f"{r['round']:>5} {r['cp_sync_s']:>10} {r['upload_s']:>9} {r['cp_sync_MiB_s']:>9} "
                      f"{r['upload_MiB_s']:>9} {r['ratio']:>6}  {rss}")  # fmt: skip
            print(f"median ratio {summary['median_ratio']} (target ≥ 0.35), "
                  f"max RSS growth {summary['max_rss_growth_MiB']} MiB (target ≤ 64)")  # fmt: skip
        return 0
    finally:
        if spawned is not None:
            spawned.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                spawned.process.wait(timeout=20)
        if jwks is not None:
            jwks.close()
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            (workdir / "bench-deposit.pdf").unlink(missing_ok=True)


if __name__ == "__main__":
    raise SystemExit(main())
