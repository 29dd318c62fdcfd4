"""Real servers for the gateway tests: two upstream FastAPI apps and the gateway, each a uvicorn
subprocess on a free port, so streaming, connection refusal and memory use are real."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from pusip_kit.auth.accounts import AccountStore
from pusip_kit.auth.issuer import load_or_create_signing_key

HERE = Path(__file__).parent
MiB = 1024 * 1024

ADMIN = ("admin.dinas", "Rahasia-Admin-2024")
LIBRARIAN = ("pustakawan", "Rahasia-Pustaka-2024")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    name: str
    port: int
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None
    _log: Any = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120.0) -> Server:  # generous: CI machines are shared
        self._log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            self.argv, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, cwd=str(HERE)
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited early:\n{self.log_path.read_text()[-4000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=0.5).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not start:\n{self.log_path.read_text()[-4000:]}")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def rss_bytes(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        if self._log is not None:
            self._log.close()


def _base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUSIP_")}
    env.update({"PUSIP_LOG_JSON": "0", "PUSIP_ENVIRONMENT": "test", "PYTHONUNBUFFERED": "1"})
    return env


def start_upstream(name: str, tmp: Path, *, ready: bool = True) -> Server:
    port = free_port()
    env = _base_env() | {"UPSTREAM_NAME": name, "UPSTREAM_READY": "1" if ready else "0"}
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "upstream_app:create_app",
        "--app-dir",
        str(HERE),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    return Server(name, port, argv, env, tmp / f"upstream-{name}-{port}.log").start()


def start_gateway(
    tmp: Path,
    service_urls: dict[str, str],
    *,
    extra_env: dict[str, str] | None = None,
    port: int | None = None,
) -> Server:
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    env = _base_env() | {
        "PUSIP_DATA_DIR": str(tmp / "data"),
        "PUSIP_GATEWAY_SERVICE_URLS": json.dumps(service_urls),
        "PUSIP_GATEWAY_OIDC_ISSUER": f"{url}/auth",
        "PUSIP_GATEWAY_GATEWAY_URL": url,
        "PUSIP_GATEWAY_HEALTH_TIMEOUT": "1.0",
        "PUSIP_GATEWAY_HEALTH_CACHE_SECONDS": "0",
        "PUSIP_GATEWAY_OPENAPI_CACHE_SECONDS": "0",
        "PUSIP_GATEWAY_UPSTREAM_READ_TIMEOUT": "2.0",
    }
    env.update(extra_env or {})
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
    return Server("gateway", port, argv, env, tmp / f"gateway-{port}.log").start()


async def _create_accounts(db: Path) -> None:
    store = AccountStore(f"sqlite+aiosqlite:///{db}")
    await store.create_all()
    await store.create_account(
        ADMIN[0], ADMIN[1], display_name="Admin Dinas", roles=["admin"], unit="Bidang TI"
    )
    await store.create_account(
        LIBRARIAN[0],
        LIBRARIAN[1],
        display_name="Siti Pustakawan",
        roles=["librarian", "cataloger"],
        unit="Perpustakaan Jakarta Cikini",
    )
    await store.dispose()


def prepare_identity(data_dir: Path) -> Path:
    """Accounts and the signing key, made before the gateway starts (it uses the same files)."""
    gw = data_dir / "gateway"
    gw.mkdir(parents=True, exist_ok=True)
    asyncio.run(_create_accounts(gw / "identity.db"))
    load_or_create_signing_key(gw / "keys")
    return gw / "keys"


class TokenMint:
    """Signs tokens with the gateway's own key (or deliberately wrong ones) for the tests."""

    def __init__(self, keys_dir: Path, issuer: str, audience: str = "pusip") -> None:
        self.key = load_or_create_signing_key(keys_dir)
        self.issuer = issuer
        self.audience = audience

    def claims(self, sub: str = "user-1", roles: tuple[str, ...] = (), **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": sub,
            "aud": self.audience,
            "iat": now,
            "nbf": now,
            "exp": now + 300,
            "jti": uuid.uuid4().hex,
            "typ": "Bearer",
            "azp": "pusip-portal",
            "preferred_username": sub,
            "realm_access": {"roles": list(roles)},
        }
        claims.update(overrides)
        return claims

    def token(self, sub: str = "user-1", roles: tuple[str, ...] = (), **overrides: Any) -> str:
        return jwt.encode(
            self.claims(sub, roles, **overrides),
            self.key.private_key,
            algorithm="RS256",
            headers={"kid": self.key.kid},
        )


@dataclass
class Suite:
    alpha: Server
    beta: Server
    gateway: Server
    mint: TokenMint
    tmp: Path

    @property
    def url(self) -> str:
        return self.gateway.url


SUITE_ENV = {
    "PUSIP_GATEWAY_BODY_LIMITS": json.dumps({"/api/catalog/upload": 128 * MiB}),
    "PUSIP_GATEWAY_RATE_LIMITS": json.dumps(
        {"/api/circulation/ping": "5/minute", "/auth/token": "100/minute"}
    ),
    "PUSIP_GATEWAY_RATE_LIMIT_DEFAULT": "100000/minute",
}


@pytest.fixture(scope="session")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Suite]:
    tmp = tmp_path_factory.mktemp("gateway-suite")
    keys = prepare_identity(tmp / "data")
    alpha = start_upstream("alpha", tmp)
    beta = start_upstream("beta", tmp)
    urls = {
        "catalog": alpha.url,
        "circulation": beta.url,
        "deposit": alpha.url,
        "archive": alpha.url,
        "accreditation": alpha.url,
    }
    port = free_port()
    mint = TokenMint(keys, f"http://127.0.0.1:{port}/auth")
    gateway = start_gateway(tmp, urls, extra_env=SUITE_ENV, port=port)
    try:
        yield Suite(alpha, beta, gateway, mint, tmp)
    finally:
        gateway.stop()
        alpha.stop()
        beta.stop()
