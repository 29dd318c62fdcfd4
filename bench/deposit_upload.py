"""A 1 GiB digital deposit through the gateway (or straight to the deposit service), against ``cp`` + ``sync``.

Targets (issue 5), on local disk and on MinIO: upload throughput ≥ 0.35× that of ``cp`` + ``sync`` of
the same file in the same run, and peak RSS growth of every process involved ≤ 64 MB.

::

    # the issue's case: gateway + deposit service on local storage, 1 GiB, 5 rounds, median
    uv run python bench/deposit_upload.py --via gateway --storage local --repeat 5

    # every combination in one run (MinIO: the dev server of `make services-up`, 127.0.0.1:59000);
    # "bare" adds MinIO's own floor: the SDK's fput_object of the same file, no Pusip in the way
    uv run python bench/deposit_upload.py --via gateway,direct,bare --storage local,minio --repeat 5 --json

    # against a running deployment instead (nothing spawned)
    uv run python bench/deposit_upload.py --base-url http://127.0.0.1:8000/api/deposit \\
        --token "$PUBLISHER_TOKEN" --depositor-id <approved depositor> --watch-pid <gateway pid> …

What it starts, the way ``pusip up`` does (``python -m pusip serve <name>``, settings from the
environment): the deposit service, and for ``--via gateway`` the gateway in front of it, both in a
scratch data folder; tokens come from a local test issuer whose JWKS both of them trust. For
``--storage minio`` the service stores in buckets with a one-off prefix on the MinIO dev server
(``--minio-endpoint``; access key and secret as in ``pusip_kit.testing.servers``), removed afterwards.

Each round: ``cp`` of the file on the file system of the scratch folder, then ``sync`` (the object
store fsyncs what it writes); then the upload, timed from the first byte sent to the receipt. The
file is ``%PDF-1.7`` + random bytes (the endpoint checks the type by content); the client sends it
with ``socket.sendfile`` as ``multipart/form-data`` (``--encoding raw``: the bare body). The server's
SHA-256 and size are checked against the file's.

Memory: the RSS of the gateway, the deposit service and the client (this process) is sampled from
``/proc`` every 5 ms; for the spawned processes the kernel's own peak (``VmHWM``, reset through
``/proc/<pid>/clear_refs`` before each upload) is read as well, so a short spike between samples is
not missed. Growth = peak during the upload − RSS just before it. The MinIO server's RSS is sampled
too, for information (it is not ours). CPU seconds (user + system) per process are reported next to
wall time, and the load average, because the machine may be shared.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.server
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

try:
    from bench.machine import CpuShare
except ModuleNotFoundError:  # run as a script (python bench/deposit_upload.py): bench/ is on the path
    from machine import CpuShare  # type: ignore[no-redef]

MiB = 1024 * 1024
GiB = 1024 * MiB
MINIO_ENDPOINT = os.environ.get("PUSIP_TEST_MINIO_ENDPOINT", "127.0.0.1:59000")
MINIO_ACCESS_KEY = os.environ.get("PUSIP_TEST_MINIO_ACCESS_KEY", "pusip")
MINIO_SECRET_KEY = os.environ.get("PUSIP_TEST_MINIO_SECRET_KEY", "pusip-dev-minio-secret")
FILES_BUCKET = "deposit-files"


# ------------------------------------------------------------------------------------------- /proc


def _status_kib(pid: int, field_name: str) -> int:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith(field_name):
                return int(line.split()[1]) * 1024
    return 0


def rss_bytes(pid: int) -> int:
    return _status_kib(pid, "VmRSS:")


def hwm_bytes(pid: int) -> int:
    """The kernel's peak RSS of ``pid`` since it started or since :func:`reset_hwm`."""
    return _status_kib(pid, "VmHWM:")


def reset_hwm(pid: int) -> bool:
    """Reset the peak RSS counter (``echo 5 > /proc/pid/clear_refs``); False where not allowed."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        return False
    return True


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` so far (all its threads)."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Watched:
    name: str
    pid: int
    own: bool  # spawned by us (or us): its peak counter may be reset


@dataclass
class RssWatch:
    """Samples the RSS of some processes every few milliseconds; reports each one's peak growth."""

    processes: list[Watched]
    interval: float = 0.005
    baseline: dict[str, int] = field(default_factory=dict)
    peak: dict[str, int] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    hwm_used: dict[str, bool] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> RssWatch:
        for proc in self.processes:
            self.hwm_used[proc.name] = proc.own and reset_hwm(proc.pid)
            self.baseline[proc.name] = rss_bytes(proc.pid)
            self.peak[proc.name] = self.baseline[proc.name]
            self.cpu[proc.name] = cpu_seconds(proc.pid)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        for proc in self.processes:
            with contextlib.suppress(OSError):
                self.peak[proc.name] = max(self.peak[proc.name], rss_bytes(proc.pid))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            time.sleep(self.interval)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._sample()
        for proc in self.processes:
            with contextlib.suppress(OSError):
                self.cpu[proc.name] = cpu_seconds(proc.pid) - self.cpu[proc.name]
                if self.hwm_used[proc.name]:
                    self.peak[proc.name] = max(self.peak[proc.name], hwm_bytes(proc.pid))

    def growth(self) -> dict[str, int]:
        return {p.name: self.peak[p.name] - self.baseline[p.name] for p in self.processes}


def find_minio_pid(endpoint: str) -> int | None:
    """The MinIO server listening on ``endpoint``'s port (by its command line), if it runs here."""
    port = endpoint.rsplit(":", 1)[-1]
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            if argv and argv[0].endswith(b"minio") and any(a.endswith(f":{port}".encode()) for a in argv):
                return int(entry.name)
    return None


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


def cp_sync(source: Path, target: Path) -> tuple[float, float]:
    """``cp`` then ``sync``: (wall seconds, CPU seconds of both commands)."""
    before = os.times()
    start = time.perf_counter()
    subprocess.run(["cp", str(source), str(target)], check=True)
    subprocess.run(["sync"], check=True)
    elapsed = time.perf_counter() - start
    after = os.times()
    target.unlink()
    subprocess.run(["sync"], check=True)
    return elapsed, (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )


# ------------------------------------------------------------------------------- spawned processes


class JwksServer:
    """Serves a test issuer's JWKS at ``/auth/jwks`` on a loopback port."""

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


def wait_ready(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the process ended\n" + log.read_text()[-3000:])
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"{url} not ready after 90 s\n" + log.read_text()[-3000:])


@dataclass
class Stack:
    """The spawned processes of one configuration, and what the upload needs."""

    base_url: str
    token: str
    depositor_id: str
    watched: list[Watched]
    objects_dir: Path | None  # local storage: the deposited files (removed after each round)
    minio_prefix: str | None  # MinIO: the buckets' one-off prefix


@contextlib.contextmanager
def spawn_stack(workdir: Path, *, via: str, storage: str, minio_endpoint: str) -> Iterator[Stack]:
    from pusip_kit.testing.service import TestIssuer

    jwks = JwksServer()
    issuer_url = f"http://127.0.0.1:{jwks.port}/auth"
    issuer = TestIssuer.create(workdir / "keys", issuer_url=issuer_url)
    jwks.body = json.dumps(issuer.jwks()).encode()
    deposit_port, gateway_port = free_port(), free_port()
    minio_prefix = f"pb{uuid.uuid4().hex[:8]}-" if storage == "minio" else None
    env = {
        **os.environ,
        "PUSIP_DATA_DIR": str(workdir / "data"),
        "PUSIP_DEPOSIT_PORT": str(deposit_port),
        "PUSIP_GATEWAY_PORT": str(gateway_port),
        "PUSIP_OIDC_ISSUER": issuer_url,
        "PUSIP_OIDC_JWKS_URL": f"{issuer_url}/jwks",
        "PUSIP_OIDC_AUDIENCE": issuer.audience,
        "PUSIP_GATEWAY_EMBEDDED_ISSUER": "false",
        "PUSIP_ENVIRONMENT": "development",
        "PUSIP_LOG_LEVEL": "WARNING",
        "PUSIP_STORAGE_BACKEND": storage,
        "PUSIP_MINIO_ENDPOINT": minio_endpoint,
        "PUSIP_MINIO_ACCESS_KEY": MINIO_ACCESS_KEY,
        "PUSIP_MINIO_SECRET_KEY": MINIO_SECRET_KEY,
        "PUSIP_MINIO_BUCKET_PREFIX": minio_prefix or "",
    }
    processes: list[subprocess.Popen[bytes]] = []
    logs: list[Any] = []

    def serve(name: str, port: int) -> subprocess.Popen[bytes]:
        log_path = workdir / f"{name}.log"
        log = open(log_path, "wb")  # noqa: SIM115 - lives as long as the process
        logs.append(log)
        process = subprocess.Popen(
            [sys.executable, "-m", "pusip", "serve", name], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        processes.append(process)
        # the gateway's /readyz waits for every service; only the deposit service runs here
        probe = "healthz" if name == "gateway" else "readyz"
        wait_ready(process, f"http://127.0.0.1:{port}/{probe}", log_path)
        return process

    try:
        deposit = serve("deposit", deposit_port)
        watched = [Watched("deposit", deposit.pid, True)]
        direct_url = f"http://127.0.0.1:{deposit_port}"
        base_url = direct_url
        if via == "gateway":
            gateway = serve("gateway", gateway_port)
            watched.insert(0, Watched("gateway", gateway.pid, True))
            base_url = f"http://127.0.0.1:{gateway_port}/api/deposit"
        watched.append(Watched("client", os.getpid(), True))
        if storage == "minio":
            minio_pid = find_minio_pid(minio_endpoint)
            if minio_pid is not None:
                watched.append(Watched("minio (server)", minio_pid, False))
        print("watching " + ", ".join(f"{w.name} (pid {w.pid})" for w in watched), file=sys.stderr)
        publisher = issuer.token_for(roles=["publisher"], sub="bench-publisher", username="bench-penerbit")
        officer = issuer.token_for(roles=["deposit_officer"], sub="bench-officer", username="bench-petugas")
        created = httpx.post(
            f"{direct_url}/depositors",
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
        httpx.post(
            f"{direct_url}/depositors/{depositor_id}/approve",
            headers={"Authorization": f"Bearer {officer}"},
            timeout=30,
        ).raise_for_status()
        objects_dir = workdir / "data" / "deposit" / "objects" / FILES_BUCKET / "files"
        yield Stack(
            base_url,
            publisher,
            depositor_id,
            watched,
            objects_dir if storage == "local" else None,
            minio_prefix,
        )
    finally:
        for process in reversed(processes):
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=20)
        for log in logs:
            log.close()
        jwks.close()
        if minio_prefix is not None:
            remove_minio_buckets(minio_endpoint, minio_prefix)


def _minio_client(endpoint: str) -> Any:
    from minio import Minio

    return Minio(endpoint, MINIO_ACCESS_KEY, MINIO_SECRET_KEY, secure=False)


def empty_minio_bucket(endpoint: str, bucket: str, *, remove: bool = False) -> None:
    from minio.deleteobjects import DeleteObject

    client = _minio_client(endpoint)
    if not client.bucket_exists(bucket):
        return
    names = [
        DeleteObject(o.object_name) for o in client.list_objects(bucket, recursive=True) if o.object_name
    ]
    for error in client.remove_objects(bucket, names):
        print(f"could not remove {error}", file=sys.stderr)
    if remove:
        client.remove_bucket(bucket)


def remove_minio_buckets(endpoint: str, prefix: str) -> None:
    client = _minio_client(endpoint)
    for bucket in client.list_buckets():
        if bucket.name.startswith(prefix):
            with contextlib.suppress(Exception):
                empty_minio_bucket(endpoint, bucket.name, remove=True)


def forget_objects(stack: Stack, minio_endpoint: str) -> None:
    """Keep the disk from filling up between rounds: the stored objects are not needed any more."""
    if stack.objects_dir is not None:
        for leftover in stack.objects_dir.glob("*"):
            shutil.rmtree(leftover, ignore_errors=True)
    if stack.minio_prefix is not None:
        empty_minio_bucket(minio_endpoint, f"{stack.minio_prefix}{FILES_BUCKET}")
    subprocess.run(["sync"], check=True)


# ------------------------------------------------------------------------------------------- rounds


def round_figures(
    size: int, cp: tuple[float, float], upload_seconds: float, watch: RssWatch, share: CpuShare, load: float
) -> dict[str, Any]:
    """One round's figures: cp + sync (wall, CPU) against the upload, memory, CPU, the machine's share."""
    cp_wall, cp_cpu = cp
    return {
        "cp_sync_s": round(cp_wall, 3),
        "cp_sync_cpu_s": round(cp_cpu, 2),
        "upload_s": round(upload_seconds, 3),
        "cp_sync_MiB_s": round(size / MiB / cp_wall, 1),
        "upload_MiB_s": round(size / MiB / upload_seconds, 1),
        "ratio": round(cp_wall / upload_seconds, 3),
        "rss_growth_MiB": {name: round(value / MiB, 1) for name, value in watch.growth().items()},
        "cpu_s": {name: round(value, 2) for name, value in watch.cpu.items()},
        "load_1min": round(load, 2),
        "machine_cpu": share.split,
    }


def one_round(
    stack: Stack, source: Path, digest: str, size: int, encoding: str, workdir: Path
) -> dict[str, Any]:
    metadata = {
        "depositor_id": stack.depositor_id,
        "kind": "karya_digital",
        "title": "Berkas uji kinerja unggahan serah simpan",
        "creators": ["Pusip"],
        "year": 2026,
        "language": "ind",
        "publisher": "Penerbit Uji Kinerja",
    }
    cp_wall, cp_cpu = cp_sync(source, workdir / "bench-copy.pdf")
    load = os.getloadavg()[0]
    with RssWatch(stack.watched) as watch, CpuShare() as share:
        start = time.perf_counter()
        status, body = post_file(stack.base_url, stack.token, metadata, source, encoding)
        upload_seconds = time.perf_counter() - start
    if status != 201:
        raise RuntimeError(f"upload failed: {status} {str(body)[:500]}")
    stored = body["files"][0]
    if stored["sha256"] != digest or stored["size"] != size:
        raise RuntimeError("the service stored different bytes than were sent")
    figures = round_figures(size, (cp_wall, cp_cpu), upload_seconds, watch, share, load)
    return {**figures, "receipt": body.get("receipt_number")}


def minio_floor_round(endpoint: str, source: Path, size: int, workdir: Path) -> dict[str, Any]:
    """The same file put straight into MinIO by its own SDK (``fput_object``, no Pusip at all).

    What any S3 client gets from this MinIO server on this machine: the ceiling for ``--storage minio``.
    """
    client = _minio_client(endpoint)
    bucket = f"pb{uuid.uuid4().hex[:8]}-floor"
    client.make_bucket(bucket)
    try:
        cp_wall, cp_cpu = cp_sync(source, workdir / "bench-copy.pdf")
        load = os.getloadavg()[0]
        watched = [Watched("client", os.getpid(), True)]
        minio_pid = find_minio_pid(endpoint)
        if minio_pid is not None:
            watched.append(Watched("minio (server)", minio_pid, False))
        with RssWatch(watched) as watch, CpuShare() as share:
            start = time.perf_counter()
            client.fput_object(bucket, "floor.pdf", str(source), content_type="application/pdf")
            upload_seconds = time.perf_counter() - start
        if client.stat_object(bucket, "floor.pdf").size != size:
            raise RuntimeError("MinIO stored a different size than was sent")
    finally:
        empty_minio_bucket(endpoint, bucket, remove=True)
    return round_figures(size, (cp_wall, cp_cpu), upload_seconds, watch, share, load)


def summarise(config: dict[str, Any], rounds: list[dict[str, Any]]) -> dict[str, Any]:
    ours = [name for name in rounds[0]["rss_growth_MiB"] if "(server)" not in name]
    return {
        **config,
        "rounds": rounds,
        "median_ratio": round(statistics.median(r["ratio"] for r in rounds), 3),
        "median_upload_s": round(statistics.median(r["upload_s"] for r in rounds), 3),
        "median_cp_sync_s": round(statistics.median(r["cp_sync_s"] for r in rounds), 3),
        "max_rss_growth_MiB": {name: max(r["rss_growth_MiB"][name] for r in rounds) for name in ours},
        "median_cpu_s": {
            name: round(statistics.median(r["cpu_s"][name] for r in rounds), 2) for name in rounds[0]["cpu_s"]
        },
    }


def print_table(summary: dict[str, Any]) -> None:
    print(f"\n== via {summary['via']}, storage {summary['storage']}, {summary['encoding']}, "
          f"{summary['size_bytes'] / MiB:.0f} MiB")  # fmt: skip
    print(f"{'round':>5} {'cp+sync s':>9} {'upload s':>8} {'ratio':>6} {'load':>5} {'steal%':>6}  "
          "RSS growth MiB / CPU s")  # fmt: skip
    for number, r in enumerate(summary["rounds"], 1):
        steal = r.get("machine_cpu", {}).get("steal_pct", "–")
        procs = ", ".join(
            f"{name} {r['rss_growth_MiB'][name]}/{r['cpu_s'][name]}" for name in r["rss_growth_MiB"]
        )
        print(
            f"{number:>5} {r['cp_sync_s']:>9} {r['upload_s']:>8} {r['ratio']:>6} {r['load_1min']:>5} "
            f"{steal:>6}  {procs}"
        )
    print(f"median ratio {summary['median_ratio']} (target ≥ 0.35); max RSS growth "
          f"{summary['max_rss_growth_MiB']} MiB (target ≤ 64 each)")  # fmt: skip


def parse_size(text: str) -> int:
    match = re.fullmatch(r"(\d+)\s*([KMG]i?B?)?", text.strip(), re.IGNORECASE)
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 1G, 256M, 1048576)")
    unit = (match.group(2) or "").upper()[:1]
    return int(match.group(1)) * {"": 1, "K": 1024, "M": MiB, "G": GiB}[unit]


def choices(allowed: set[str]) -> Any:
    def parse(text: str) -> list[str]:
        values = [v.strip() for v in text.split(",") if v.strip()]
        if not values or not set(values) <= allowed:
            raise argparse.ArgumentTypeError(f"choose from {', '.join(sorted(allowed))} (comma-separated)")
        return values

    return parse


# ------------------------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--via", type=choices({"gateway", "direct", "bare"}), default=["gateway"],
                        help="through the gateway or straight to the service (comma list: both); bare: "
                             "no Pusip, the MinIO SDK puts the file straight into MinIO (--storage minio)")  # fmt: skip
    parser.add_argument("--storage", type=choices({"local", "minio"}), default=["local"],
                        help="the service's object store (comma list: both)")  # fmt: skip
    parser.add_argument("--size", type=parse_size, default=GiB, help="file size: 1G (default), 256M, bytes")
    parser.add_argument("--repeat", type=int, default=5, help="rounds per configuration (median reported)")
    parser.add_argument("--encoding", default="multipart", choices=["multipart", "raw"])
    parser.add_argument("--minio-endpoint", default=MINIO_ENDPOINT)
    parser.add_argument("--workdir", type=Path, default=None, help="scratch folder (same disk as the store)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--spawn", action="store_true", help=argparse.SUPPRESS
    )  # the default; kept for old notes
    external = parser.add_argument_group("a running deployment instead of spawned processes")
    external.add_argument("--base-url", help="the deposit API root (service or gateway prefix)")
    external.add_argument("--token", help="bearer token of a publisher acting for the depositor")
    external.add_argument("--depositor-id", help="an approved depositor the token may submit for")
    external.add_argument(
        "--watch-pid", type=int, action="append", default=[], help="a server process to watch"
    )
    args = parser.parse_args()
    if args.base_url and not (args.token and args.depositor_id):
        parser.error("with --base-url, give --token and --depositor-id")

    var = Path.cwd() / "var"
    workdir = args.workdir or Path(
        tempfile.mkdtemp(prefix="pusip-bench-deposit-", dir=var if var.is_dir() else None)
    )
    workdir.mkdir(parents=True, exist_ok=True)
    results: list[dict[str, Any]] = []
    try:
        source = workdir / "bench-deposit.pdf"
        print(f"writing a {args.size / MiB:.0f} MiB test file in {workdir} …", file=sys.stderr)
        digest = make_file(source, args.size)
        subprocess.run(["sync"], check=True)
        if args.base_url:
            watched = [Watched(f"pid {pid}", pid, False) for pid in args.watch_pid]
            watched.append(Watched("client", os.getpid(), True))
            stack = Stack(args.base_url.rstrip("/"), args.token, args.depositor_id, watched, None, None)
            configs: list[tuple[dict[str, str], tuple[str, str] | None]] = [
                ({"via": "external", "storage": "external", "base_url": stack.base_url}, None)
            ]
        else:
            configs = [
                ({"via": v, "storage": s}, (v, s))
                for s in args.storage
                for v in args.via
                if v != "bare" or s == "minio"
            ]
        for config, spawn in configs:
            if spawn is not None and spawn[0] == "bare":
                rounds = []
                for number in range(1, args.repeat + 1):
                    result = minio_floor_round(args.minio_endpoint, source, args.size, workdir)
                    print(json.dumps({**config, "round": number, **result}), file=sys.stderr)
                    rounds.append(result)
                info = {**config, "encoding": "s3", "size_bytes": args.size, "cpus": os.cpu_count()}
                results.append(summarise(info, rounds))
                continue
            with contextlib.ExitStack() as scope:
                if spawn is not None:
                    print(f"starting: via {spawn[0]}, storage {spawn[1]} …", file=sys.stderr)
                    stack = scope.enter_context(
                        spawn_stack(
                            workdir, via=spawn[0], storage=spawn[1], minio_endpoint=args.minio_endpoint
                        )
                    )
                rounds = []
                for number in range(1, args.repeat + 1):
                    result = one_round(stack, source, digest, args.size, args.encoding, workdir)
                    print(json.dumps({**config, "round": number, **result}), file=sys.stderr)
                    rounds.append(result)
                    if spawn is not None:
                        forget_objects(stack, args.minio_endpoint)
                info = {**config, "encoding": args.encoding, "size_bytes": args.size, "cpus": os.cpu_count()}
                results.append(summarise(info, rounds))
            if spawn is not None:
                shutil.rmtree(workdir / "data", ignore_errors=True)
                shutil.rmtree(workdir / "keys", ignore_errors=True)
        if args.json:
            print(json.dumps(results, indent=2))
        else:
            for summary in results:
                print_table(summary)
        return 0
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            (workdir / "bench-deposit.pdf").unlink(missing_ok=True)


if __name__ == "__main__":
    raise SystemExit(main())
