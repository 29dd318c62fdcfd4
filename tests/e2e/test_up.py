"""``pusip up`` as a real process: the whole suite on its own ports and data directory.

Starts ``pusip up`` (gateway, five services, five Celery workers), waits for it to be ready, then
checks the portal, the aggregated health, every printed demo account (password grant, then an
authenticated call through the gateway), the agency client (client credentials), that a service
killed with SIGKILL is answered 503 by the gateway while the others keep answering and is then
restarted by the supervisor, and that SIGINT stops every child and exits 0.

No external server is needed (embedded mode): this runs in the normal ``make test`` tier.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from pusip.supervisor import group_members
from pusip_kit.config import SERVICE_NAMES
from pusip_kit.processes import pid_alive
from pusip_kit.testing import suite
from pusip_kit.testing.suite import STOP_TIMEOUT

RESTART_TIMEOUT = 90.0
KILLED = "catalog"
OTHER = "circulation"

pytestmark = pytest.mark.timeout(600)

ACCOUNT_ROW = re.compile(
    r"│\s*(?P<username>[a-z0-9][a-z0-9._@-]+)\s*│\s*(?P<password>pusip-demo-\S+)\s*│\s*(?P<role>[a-z_]+)\s*│"
)
CLIENT_ROW = re.compile(r"│\s*(?P<client>pusip-agency-demo)\s*│\s*(?P<secret>\S+)\s*│")


@dataclass
class Up(suite.Up):
    def status(self) -> dict[str, Any]:
        return json.loads((self.data_dir / "run" / "up.json").read_text())

    def pid(self, name: str) -> int:
        return int((self.data_dir / "run" / f"{name}.pid").read_text().strip())

    def child_pids(self) -> dict[str, int]:
        pids = {}
        for name, child in self.status()["children"].items():
            if child.get("pid"):
                pids[name] = int(child["pid"])
        return pids


def _kill_everything(up: Up) -> None:
    """Last resort after a failure: no process of this run may outlive the test."""
    pids: set[int] = set()
    with contextlib.suppress(Exception):
        pids.update(up.child_pids().values())
    for pid_file in (up.data_dir / "run").glob("*.pid"):
        with contextlib.suppress(Exception):
            pids.add(int(pid_file.read_text().strip()))
    if up.process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(up.process.pid, signal.SIGKILL)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        up.process.wait(10)


@pytest.fixture(scope="module")
def up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Up]:
    handle = suite.launch(tmp_path_factory.mktemp("pusip-up"), cls=Up)
    try:
        suite.wait_ready(handle, "/api/health", interval=1, client_timeout=5)
        yield handle
    finally:
        _kill_everything(handle)


def _wait_for(check: Any, timeout: float, what: str, up: Up, interval: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError, OSError, ValueError):
            last = check()
            if last:
                return last
        time.sleep(interval)
    pytest.fail(f"{what} not seen within {timeout:.0f} s (last: {last!r}):\n{up.tail()}")


# -- the checks, in order ---------------------------------------------------------------------


def test_run_files_name_every_process(up: Up) -> None:
    status = up.status()
    assert status["pid"] == up.process.pid
    expected = {"gateway", *SERVICE_NAMES, *(f"{s}-worker" for s in SERVICE_NAMES)}
    assert set(status["children"]) == expected
    for name in expected:
        assert pid_alive(up.pid(name)), name
    assert all(status["children"][n]["ready"] for n in ("gateway", *SERVICE_NAMES))


def test_portal_answers(up: Up) -> None:
    response = httpx.get(f"{up.url}/", timeout=10, follow_redirects=True)
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    docs = httpx.get(f"{up.url}/docs", timeout=10)
    assert docs.status_code == 200


def test_health_reports_all_services(up: Up) -> None:
    response = httpx.get(f"{up.url}/api/health", timeout=10)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body["services"]) == set(SERVICE_NAMES)
    assert all(s["status"] == "ready" for s in body["services"].values()), body


def test_banner_shows_urls_and_demo_accounts(up: Up) -> None:
    output = up.output()
    assert f"{up.url}/" in output
    assert f"{up.url}/docs" in output
    accounts = {m["username"]: m["password"] for m in ACCOUNT_ROW.finditer(output)}
    assert len(accounts) >= 11, output[-4000:]
    assert CLIENT_ROW.search(output)


def test_every_demo_account_signs_in_and_calls_through_the_gateway(up: Up) -> None:
    output = up.output()
    accounts = {m["username"]: (m["password"], m["role"]) for m in ACCOUNT_ROW.finditer(output)}
    assert accounts
    with httpx.Client(base_url=up.url, timeout=20) as client:
        anonymous = client.get(f"/api/{OTHER}/branches")
        assert anonymous.status_code == 401, anonymous.text
        for username, (password, role) in accounts.items():
            token = client.post(
                "/auth/token",
                data={
                    "grant_type": "password",
                    "username": username,
                    "password": password,
                    "client_id": "pusip-portal",
                    "scope": "openid profile",
                },
            )
            assert token.status_code == 200, (username, token.text)
            bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
            me = client.get("/auth/userinfo", headers=bearer)
            assert me.status_code == 200, (username, me.text)
            assert me.json()["preferred_username"] == username
            assert role in me.json()["roles"], me.json()
            if username == "arsiparis":
                assert me.json()["pusip_unit"] == "dispusip"
                assert me.json()["pusip_clearance"] == "RAHASIA"
                assert me.json()["pusip_access_category"] == "pengolah"
            # Through the edge (token checked there) to a service (token checked again).
            proxied = client.get(f"/api/{OTHER}/branches", headers=bearer)
            assert proxied.status_code == 200, (username, proxied.status_code, proxied.text)

        client_row = CLIENT_ROW.search(output)
        assert client_row
        agency = client.post(
            "/auth/token",
            data={"grant_type": "client_credentials"},
            auth=(client_row["client"], client_row["secret"]),
        )
        assert agency.status_code == 200, agency.text
        bearer = {"Authorization": f"Bearer {agency.json()['access_token']}"}
        me = client.get("/auth/userinfo", headers=bearer)
        assert me.status_code == 200, me.text
        assert me.json()["roles"] == ["agency_system"] and me.json()["pusip_unit"] == "dinas-demo"
        proxied = client.get(f"/api/{OTHER}/branches", headers=bearer)
        assert proxied.status_code == 200, proxied.text


def test_workers_carry_events_between_services(up: Up) -> None:
    """The demo branches created in the catalog reach circulation's replica through the broker."""
    from catalog.demo import DEMO_BRANCHES

    with httpx.Client(base_url=up.url, timeout=20) as client:
        token = client.post(
            "/auth/token",
            data={
                "grant_type": "password",
                "username": "admin",
                "password": "pusip-demo-admin",
                "client_id": "pusip-portal",
            },
        )
        assert token.status_code == 200, token.text
        bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}

        def replicated() -> int | None:
            page = client.get(f"/api/{OTHER}/branches", headers=bearer).json()
            total = page["pagination"]["total_count"]
            return total if total >= len(DEMO_BRANCHES) else None

        _wait_for(replicated, RESTART_TIMEOUT, "catalog branches replicated to circulation", up, interval=1)


def test_a_killed_service_is_503_then_restarted(up: Up) -> None:
    victim = up.pid(KILLED)
    restarts_before = up.status()["children"][KILLED]["restarts"]
    with httpx.Client(base_url=up.url, timeout=5) as client:
        assert client.get(f"/api/{KILLED}/healthz").status_code == 200
        os.kill(victim, signal.SIGKILL)
        # While it is down the gateway answers 503 for it, and only for it.
        _wait_for(
            lambda: client.get(f"/api/{KILLED}/healthz").status_code == 503,
            20,
            f"503 for {KILLED}",
            up,
            interval=0.05,
        )
        for other in SERVICE_NAMES:
            if other != KILLED:
                assert client.get(f"/api/{other}/healthz").status_code == 200, other
        # The supervisor starts it again.
        _wait_for(
            lambda: client.get(f"/api/{KILLED}/healthz").status_code == 200,
            RESTART_TIMEOUT,
            f"{KILLED} answering again",
            up,
            interval=0.25,
        )
        _wait_for(lambda: client.get("/api/health").status_code == 200, RESTART_TIMEOUT, "health", up)
    assert not pid_alive(victim)
    new_pid = up.pid(KILLED)
    assert new_pid != victim and pid_alive(new_pid)
    assert up.status()["children"][KILLED]["restarts"] == restarts_before + 1
    assert "dimulai ulang / restarted" in up.output()


def test_a_killed_worker_is_restarted_and_its_beat_goes_too(up: Up) -> None:
    name = f"{KILLED}-worker"
    victim = up.pid(name)
    group_before = group_members(victim)
    assert victim in group_before
    os.kill(victim, signal.SIGKILL)

    def replaced() -> int | None:
        try:
            pid = up.pid(name)
        except (OSError, ValueError):
            return None
        return pid if pid != victim else None

    new_pid = _wait_for(replaced, RESTART_TIMEOUT, f"{name} restarted", up)
    # The old worker's whole process group (its embedded beat included) is gone.
    _wait_for(lambda: not group_members(victim), 15, f"{name}'s old process group gone", up)
    assert pid_alive(new_pid)
    assert up.status()["children"][name]["restarts"] == 1


def test_sigint_stops_everything_and_exits_zero(up: Up) -> None:
    children = up.child_pids()
    assert len(children) == 1 + 2 * len(SERVICE_NAMES)
    up.process.send_signal(signal.SIGINT)
    try:
        code = up.process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`pusip up` did not stop within {STOP_TIMEOUT:.0f} s:\n{up.tail()}")
    assert code == 0, up.tail()
    still = {name: pid for name, pid in children.items() if pid_alive(pid)}
    assert not still, still
    # Nothing left in the children's process groups either (a worker's embedded beat, say).
    left = {name: group_members(pid) for name, pid in children.items()}
    assert not any(left.values()), left
    for port in range(up.base, up.base + 6):
        assert suite.port_free(port), port
    assert not list((up.data_dir / "run").glob("*.pid")), list((up.data_dir / "run").iterdir())
    assert "Pusip berhenti / stopped." in up.output()
