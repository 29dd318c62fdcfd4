"""The running suite the security tests attack: ``pusip up`` (gateway, five services, five workers).

One session-scoped suite on its own ports and data directory (embedded mode, demo data, the shared
corpus), with the circulation service's SIP2 server on, ``127.0.0.1`` a trusted proxy (so a test can
pose as many clients through ``X-Forwarded-For``) and the general rate limits raised so the fuzzing
is not throttled (the sign-in limits keep their defaults and are what the rate-limit test hits).

``PUSIP_SECURITY_SUITE=<data_dir>`` reuses a suite already started by hand with the same
environment (see ``docs-security``): a development shortcut; ``make test`` starts its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from pusip_kit.testing.suite import (
    READY_TIMEOUT,
    corpus_dir,
    environment,
    free_port_base,
    start,
    stop,
    wait_for,
)

REPO = Path(__file__).resolve().parents[2]
PORTAL_CLIENT = "pusip-portal"
DEMO_PASSWORD_PREFIX = "pusip-demo-"
# username → realm role, as in ``pusip.demo.demo_accounts``
DEMO_USERS: dict[str, str] = {
    "pemustaka": "patron",
    "penerbit": "publisher",
    "pustakawan": "librarian",
    "katalog": "cataloger",
    "petugas-deposit": "deposit_officer",
    "arsiparis": "archivist",
    "pencipta-arsip": "records_creator",
    "admin-perpus": "library_admin",
    "asesor": "assessor",
    "petugas-akreditasi": "accreditation_officer",
    "admin": "admin",
}
ANONYMOUS = "anonymous"
PRINCIPALS: tuple[str, ...] = (ANONYMOUS, *DEMO_USERS)
RATE_LIMITED = {"/auth/token": "60/minute", "/portal/login": "60/minute"}


def suite_environment(data_dir: Path, base: int, sip2_port: int) -> dict[str, str]:
    return environment(
        data_dir,
        base,
        {
            "PUSIP_CORPUS_DIR": str(corpus_dir(REPO)),
            "PUSIP_CIRCULATION_SIP2_PORT": str(sip2_port),
            "PUSIP_GATEWAY_TRUSTED_PROXIES": json.dumps(["127.0.0.1"]),
            "PUSIP_GATEWAY_RATE_LIMIT_DEFAULT": "100000/minute",
            "PUSIP_GATEWAY_RATE_LIMITS": json.dumps(RATE_LIMITED),
            # copy cataloguing asks the suite's own catalogue over SRU (no outside server)
            "PUSIP_CATALOG_COPY_CATALOGING_SRU_URL": f"http://127.0.0.1:{base + 1}/sru",
        },
    )


def start_suite(root: Path) -> Suite:
    """``pusip up`` with every service, on seven free ports (the last one SIP2)."""
    base = free_port_base(7)
    handle = Suite(data_dir=root / "var", base=base, log=root / "up.log")
    env = suite_environment(handle.data_dir, base, handle.sip2_port)
    handle.process = start(root, handle.log, env, ready_timeout=400)
    return handle


@dataclass
class Suite:
    data_dir: Path
    base: int
    log: Path
    process: subprocess.Popen[bytes] | None = None
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.base}"

    @property
    def sip2_port(self) -> int:
        return self.base + 6

    def tail(self, lines: int = 80) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def client(self, principal: str = ANONYMOUS, *, forwarded_for: str | None = None) -> httpx.Client:
        headers = {}
        if principal != ANONYMOUS:
            headers["Authorization"] = f"Bearer {self.tokens[principal]}"
        if forwarded_for:
            headers["X-Forwarded-For"] = forwarded_for
        return httpx.Client(base_url=self.url, headers=headers, timeout=60, follow_redirects=False)

    def headers(self, principal: str) -> dict[str, str]:
        return {} if principal == ANONYMOUS else {"Authorization": f"Bearer {self.tokens[principal]}"}


def password_of(username: str) -> str:
    return f"{DEMO_PASSWORD_PREFIX}{username}"


def fetch_token(url: str, username: str, *, forwarded_for: str = "198.51.100.1") -> dict[str, Any]:
    response = httpx.post(
        f"{url}/auth/token",
        data={
            "grant_type": "password",
            "username": username,
            "password": password_of(username),
            "client_id": PORTAL_CLIENT,
            "scope": "openid",
        },
        headers={"X-Forwarded-For": forwarded_for},
        timeout=60,
    )
    assert response.status_code == 200, (username, response.status_code, response.text)
    body: dict[str, Any] = response.json()
    return body


def stop_suite(suite: Suite) -> None:
    if suite.process is not None:
        stop(suite.process, suite.data_dir)


def wait_ready(suite: Suite) -> None:
    """Health answers and the OpenAPI document names no unavailable service."""

    def ready(client: httpx.Client) -> Any:
        health = client.get("/api/health").status_code
        return health == 200 and not client.get("/openapi.json").json().get("x-pusip-unavailable")

    wait_for(suite, ready, READY_TIMEOUT, "the suite ready", interval=1.0, client_timeout=20)


def main() -> None:  # pragma: no cover - `python tests/security/suite.py DIR`: start a reusable suite
    root = Path(sys.argv[1]).resolve()
    root.mkdir(parents=True, exist_ok=True)
    handle = start_suite(root)
    (root / "suite.json").write_text(json.dumps({"base": handle.base, "log": str(handle.log)}))
    assert handle.process is not None
    print(f"PUSIP_SECURITY_SUITE={handle.data_dir} (pid {handle.process.pid}, {handle.base})")


if __name__ == "__main__":  # pragma: no cover
    main()
