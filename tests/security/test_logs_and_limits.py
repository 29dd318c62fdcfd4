"""Secrets never reach the logs; rate limits are per client; the archive's audit chain verifies.

* The suite's whole log (gateway, services, workers) is read after a portal sign-in, password and
  client-credentials grants, a wrong password, a forged token and token-bearing calls to every
  service: no password, token (or its signature), client secret or session cookie appears in it.
* ``/auth/token`` and ``/portal/login`` (60 a minute) throttle one client (429 with Retry-After and
  the bilingual error) while another address, and a signed-in caller at the same address, pass.
* ``pusip archive verify-audit`` finds the running archive's hash chain intact after audited work,
  and reports a copy with one altered entry as broken.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

from gateway.config import GatewaySettings
from gateway.main import create_app

from .suite import PORTAL_CLIENT, Suite, fetch_token, password_of

pytestmark = pytest.mark.timeout(600)

AGENCY_CLIENT = ("pusip-agency-demo", "pusip-agency-demo-secret")
CSRF_INPUT = re.compile(r'name="csrf_token"\s+value="([^"]+)"')


def _portal_sign_in(client: httpx.Client, username: str, password: str) -> httpx.Response:
    page = client.get("/portal/login")
    match = CSRF_INPUT.search(page.text)
    assert match, page.text[:500]
    return client.post(
        "/portal/login",
        data={"username": username, "password": password, "next": "/", "csrf_token": match.group(1)},
    )


def _log_text(suite: Suite, start: int) -> str:
    with suite.log.open("rb") as handle:
        handle.seek(start)
        text = handle.read().decode("utf-8", errors="replace")
    for extra in suite.data_dir.rglob("*.log"):
        text += extra.read_text(errors="replace")
    return text


def test_secrets_never_logged(suite: Suite) -> None:
    start = suite.log.stat().st_size
    wrong = f"salah-{secrets.token_hex(6)}"
    secrets_seen: dict[str, str] = {}
    with httpx.Client(base_url=suite.url, timeout=60, headers={"X-Forwarded-For": "198.51.100.20"}) as client:
        signed_in = _portal_sign_in(client, "arsiparis", password_of("arsiparis"))
        assert signed_in.status_code == 303, signed_in.text[:300]
        secrets_seen["session cookie"] = client.cookies["pusip_session"]
        secrets_seen["portal password"] = password_of("arsiparis")
        assert client.get("/portal/kearsipan").status_code == 200
        refused = _portal_sign_in(httpx.Client(base_url=suite.url, timeout=60), "arsiparis", wrong)
        assert refused.status_code == 401
        secrets_seen["wrong password"] = wrong

        grant = fetch_token(suite.url, "pemustaka", forwarded_for="198.51.100.21")
        secrets_seen["patron password"] = password_of("pemustaka")
        secrets_seen["access token"] = grant["access_token"]
        secrets_seen["access token signature"] = grant["access_token"].rsplit(".", 1)[1]
        if grant.get("refresh_token"):
            secrets_seen["refresh token"] = grant["refresh_token"]
        agency = client.post("/auth/token", data={"grant_type": "client_credentials"}, auth=AGENCY_CLIENT)
        assert agency.status_code == 200, agency.text
        secrets_seen["client secret"] = AGENCY_CLIENT[1]
        secrets_seen["agency token"] = agency.json()["access_token"]
        bad_client = client.post(
            "/auth/token", data={"grant_type": "client_credentials"}, auth=(AGENCY_CLIENT[0], wrong + "x")
        )
        assert bad_client.status_code == 401
        secrets_seen["wrong client secret"] = wrong + "x"

        bearer = {"Authorization": f"Bearer {grant['access_token']}"}
        for path in (
            "/api/circulation/branches",
            "/api/catalog/search?q=jakarta",
            "/api/deposit/deposits",
            "/api/archive/records",
            "/api/accreditation/libraries",
            "/auth/userinfo",
        ):
            assert client.get(path, headers=bearer).status_code < 500, path
        forged = grant["access_token"][:-8] + "AAAAAAAA"
        assert (
            client.get("/api/circulation/branches", headers={"Authorization": f"Bearer {forged}"}).status_code
            == 401
        )
        secrets_seen["forged token"] = forged
        assert (
            client.get(
                "/api/archive/records", headers={"Authorization": f"Bearer {agency.json()['access_token']}"}
            )
        ).status_code < 500
    marker = f"penanda-{secrets.token_hex(4)}"
    with socket.create_connection(("127.0.0.1", suite.sip2_port), timeout=30) as kiosk:
        kiosk.sendall(f"{marker}\r".encode())  # logged by the circulation service: "SIP2 frame refused"
        assert kiosk.recv(100).startswith(b"96")
    deadline = time.monotonic() + 30
    while "SIP2 frame refused" not in (text := _log_text(suite, start)):
        assert time.monotonic() < deadline, "the suite's log is not being captured"
        time.sleep(0.5)
    leaked = sorted(name for name, value in secrets_seen.items() if value and value in text)
    assert not leaked, f"secrets in the logs: {leaked}"


async def test_secrets_never_logged_at_debug_level(suite: Suite) -> None:
    """The gateway in-process at DEBUG (every library's debug lines too), on the suite's identity
    store and keys, proxying to the suite's services: a sign-in, grants and token-bearing calls."""
    ports = json.loads((suite.data_dir / "run" / "up.json").read_text())["ports"]
    settings = GatewaySettings(
        data_dir=suite.data_dir,
        oidc_issuer=f"{suite.url}/auth",
        gateway_url=suite.url,
        service_urls={name: f"http://127.0.0.1:{port}" for name, port in ports.items() if name != "gateway"},
        rate_limit_enabled=False,
        log_level="DEBUG",
        log_json=True,
    )
    app = create_app(settings)
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    wrong = f"salah-{secrets.token_hex(6)}"
    seen: dict[str, str] = {"password": password_of("pustakawan"), "wrong password": wrong}
    async with LifespanManager(app) as manager:
        root = logging.getLogger()
        keep = Keep(level=logging.DEBUG)
        root.addHandler(keep)
        root.setLevel(logging.DEBUG)
        try:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url=suite.url, timeout=60) as client:
                page = await client.get("/portal/login")
                token = CSRF_INPUT.search(page.text)
                assert token
                form = {"username": "pustakawan", "next": "/", "csrf_token": token.group(1)}
                assert (
                    await client.post("/portal/login", data={**form, "password": wrong})
                ).status_code == 401
                signed = await client.post(
                    "/portal/login", data={**form, "password": password_of("pustakawan")}
                )
                assert signed.status_code == 303, signed.text[:300]
                seen["session cookie"] = client.cookies["pusip_session"]
                assert (await client.get("/portal/sirkulasi")).status_code < 500
                grant = await client.post(
                    "/auth/token",
                    data={
                        "grant_type": "password",
                        "username": "pustakawan",
                        "password": password_of("pustakawan"),
                        "client_id": PORTAL_CLIENT,
                    },
                )
                assert grant.status_code == 200, grant.text
                seen["access token"] = grant.json()["access_token"]
                seen["signature"] = seen["access token"].rsplit(".", 1)[1]
                if grant.json().get("refresh_token"):
                    seen["refresh token"] = grant.json()["refresh_token"]
                bearer = {"Authorization": f"Bearer {seen['access token']}"}
                for path in ("/api/circulation/branches", "/api/catalog/records", "/auth/userinfo"):
                    assert (await client.get(path, headers=bearer)).status_code == 200, path
                agency = await client.post(
                    "/auth/token", data={"grant_type": "client_credentials"}, auth=AGENCY_CLIENT
                )
                assert agency.status_code == 200
                seen["client secret"] = AGENCY_CLIENT[1]
                seen["agency token"] = agency.json()["access_token"]
        finally:
            root.removeHandler(keep)
    text = "\n".join(f"{r.getMessage()} {r.args!r} {getattr(r, '__dict__', {})!r}" for r in records)
    assert len(records) > 20 and any(r.levelno == logging.DEBUG for r in records), len(records)
    leaked = sorted(name for name, value in seen.items() if value in text)
    assert not leaked, f"secrets in DEBUG logs: {leaked}"


def _hammer(client: httpx.Client, path: str, count: int, **kwargs: object) -> list[httpx.Response]:
    return [client.request("GET" if "data" not in kwargs else "POST", path, **kwargs) for _ in range(count)]  # type: ignore[arg-type]


def test_sign_in_routes_are_rate_limited_per_client(suite: Suite) -> None:
    flooder = httpx.Client(base_url=suite.url, timeout=60, headers={"X-Forwarded-For": "203.0.113.7"})
    neighbour = httpx.Client(base_url=suite.url, timeout=60, headers={"X-Forwarded-For": "203.0.113.8"})
    try:
        answers = [flooder.get("/portal/login").status_code for _ in range(61)]
        assert answers[:60] == [200] * 60 and answers[60] == 429, answers
        refused = flooder.get("/portal/login")
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.headers["ratelimit-limit"] == "60"
        error = refused.json()["error"]
        assert error["code"] == "rate_limited" and error["message"] != error["message_en"]
        # another address is not affected; a signed-in caller is counted by subject, not address
        assert neighbour.get("/portal/login").status_code == 200
        signed = flooder.get(
            "/portal/login", headers={"Authorization": f"Bearer {suite.tokens['pemustaka']}"}
        )
        assert signed.status_code != 429, signed.status_code

        # password guessing on the token endpoint: 60 a minute per address
        guesses = []
        for _ in range(61):
            response = flooder.post(
                "/auth/token",
                data={
                    "grant_type": "password",
                    "username": f"tidak-ada-{secrets.token_hex(3)}",
                    "password": "tebakan",
                    "client_id": PORTAL_CLIENT,
                },
            )
            guesses.append(response.status_code)
        assert set(guesses[:60]) <= {400, 401} and guesses[60] == 429, guesses
    finally:
        flooder.close()
        neighbour.close()


def _register_record(suite: Suite, title: str) -> str:
    with httpx.Client(base_url=suite.url, timeout=60, headers=suite.headers("arsiparis")) as client:
        response = client.post(
            "/api/archive/records",
            json={
                "reference_number": f"SEC/{secrets.token_hex(3)}/2024",
                "title": title,
                "record_date": "2024-02-01",
                "unit": "dispusip",
                "classification_code": "PR.01.02",
            },
        )
        assert response.status_code == 201, response.text
        record_id = str(response.json()["id"])
        assert client.get(f"/api/archive/records/{record_id}").status_code == 200
        return record_id


def _verify_audit(data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUSIP_")}
    env.update({"PUSIP_MODE": "embedded", "COLUMNS": "200"})
    return subprocess.run(
        [sys.executable, "-m", "pusip", "archive", "verify-audit", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_audit_chain_verifies_and_a_tampered_copy_does_not(suite: Suite, tmp_path: Path) -> None:
    _register_record(suite, f"Nota dinas uji audit {secrets.token_hex(3)}")
    result = _verify_audit(suite.data_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    match = re.search(r"audit chain intact: ([\d,]+) entri", result.stdout)
    assert match and int(match.group(1).replace(",", "")) >= 2, result.stdout

    copy_dir = tmp_path / "var"
    (copy_dir / "archive").mkdir(parents=True)
    source = sqlite3.connect(suite.data_dir / "archive" / "archive.db")
    target = sqlite3.connect(copy_dir / "archive" / "archive.db")
    with target:
        source.backup(target)
    source.close()
    seq, details = target.execute("SELECT seq, details FROM audit_log ORDER BY seq LIMIT 1").fetchone()
    changed = json.loads(details) if isinstance(details, str) else {}
    changed["tampered"] = True
    with target:
        target.execute("UPDATE audit_log SET details = ? WHERE seq = ?", (json.dumps(changed), seq))
    target.close()
    broken = _verify_audit(copy_dir)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "BROKEN" in broken.stderr and f"#{seq}" in broken.stderr, broken.stderr
