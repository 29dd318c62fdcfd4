"""``pusip users``: embedded accounts in the gateway's identity store."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pusip.cli import app
from pusip_kit.auth.accounts import AccountStore, LoginRefused


def _store(data_dir: Path) -> AccountStore:
    return AccountStore(f"sqlite+aiosqlite:///{data_dir / 'gateway' / 'identity.db'}")


def _login(data_dir: Path, username: str, password: str) -> str:
    """``ok`` or the refusal code."""

    async def run() -> str:
        store = _store(data_dir)
        try:
            await store.verify_password(username, password)
            return "ok"
        except LoginRefused as exc:
            return exc.code
        finally:
            await store.dispose()

    return asyncio.run(run())


def _accounts(runner: CliRunner) -> dict[str, dict]:
    result = runner.invoke(app, ["users", "list", "--json"])
    assert result.exit_code == 0, result.output
    return {a["username"]: a for a in json.loads(result.output)["accounts"]}


def test_add_list_passwd_disable_enable(runner: CliRunner, data_dir: Path) -> None:
    result = runner.invoke(
        app,
        [
            "users",
            "add",
            "Siti",
            "--role",
            "archivist",
            "--role",
            "records_creator",
            "--password",
            "rahasia-siti-1",
            "--name",
            "Siti Aminah",
            "--unit",
            "dispusip",
            "--clearance",
            "rahasia",
            "--access-category",
            "pengolah",
            "--branch",
            "perpustakaan-jakarta-cikini,pds-hb-jassin",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "akun dibuat / account created: siti" in result.output
    assert (data_dir / "gateway" / "identity.db").is_file()

    siti = _accounts(runner)["siti"]
    assert siti["roles"] == ["archivist", "records_creator"]
    assert siti["unit"] == "dispusip"
    assert siti["clearance"] == "RAHASIA"
    assert siti["access_category"] == "pengolah"
    assert siti["branches"] == ["perpustakaan-jakarta-cikini", "pds-hb-jassin"]
    assert siti["display_name"] == "Siti Aminah"
    assert siti["active"] is True

    table = runner.invoke(app, ["users", "list"])
    assert table.exit_code == 0 and "siti" in table.output

    assert _login(data_dir, "siti", "rahasia-siti-1") == "ok"
    result = runner.invoke(app, ["users", "passwd", "siti", "--password", "kata-sandi-baru"])
    assert result.exit_code == 0, result.output
    assert _login(data_dir, "siti", "rahasia-siti-1") == "invalid_credentials"
    assert _login(data_dir, "siti", "kata-sandi-baru") == "ok"

    result = runner.invoke(app, ["users", "disable", "siti"])
    assert result.exit_code == 0, result.output
    assert _accounts(runner)["siti"]["active"] is False
    assert _login(data_dir, "siti", "kata-sandi-baru") == "account_disabled"

    result = runner.invoke(app, ["users", "enable", "siti"])
    assert result.exit_code == 0, result.output
    assert _login(data_dir, "siti", "kata-sandi-baru") == "ok"


def test_set_changes_only_what_is_given(runner: CliRunner, data_dir: Path) -> None:
    runner.invoke(
        app, ["users", "add", "budi", "-r", "librarian", "--password", "budi-12345", "--branch", "cabang-a"]
    )
    result = runner.invoke(
        app, ["users", "set", "budi", "--role", "librarian,cataloger", "--unit", "dispusip"]
    )
    assert result.exit_code == 0, result.output
    budi = _accounts(runner)["budi"]
    assert budi["roles"] == ["librarian", "cataloger"]
    assert budi["unit"] == "dispusip"
    assert budi["branches"] == ["cabang-a"]  # untouched
    assert budi["clearance"] == "BIASA"


def test_password_prompt_with_confirmation(runner: CliRunner, data_dir: Path) -> None:
    result = runner.invoke(
        app, ["users", "add", "citra", "-r", "patron"], input="citra-pass-1\ncitra-pass-1\n"
    )
    assert result.exit_code == 0, result.output
    assert _login(data_dir, "citra", "citra-pass-1") == "ok"

    result = runner.invoke(app, ["users", "passwd", "citra", "--password-stdin"], input="citra-pass-2\n")
    assert result.exit_code == 0, result.output
    assert _login(data_dir, "citra", "citra-pass-2") == "ok"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["users", "add", "dewi", "-r", "wizard", "--password", "dewi-12345"], "Peran tidak dikenal"),
        (["users", "add", "dewi", "-r", "patron", "--password", "short"], "Kata sandi minimal"),
        (["users", "add", "dewi", "--clearance", "TOP", "--password", "dewi-12345"], "Klasifikasi keamanan"),
        (["users", "passwd", "nobody", "--password", "whatever-123"], "tidak ditemukan"),
        (["users", "disable", "nobody"], "not found"),
    ],
)
def test_refusals_are_readable(runner: CliRunner, data_dir: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_duplicate_username_is_refused(runner: CliRunner, data_dir: Path) -> None:
    assert runner.invoke(app, ["users", "add", "eka", "--password", "eka-123456"]).exit_code == 0
    result = runner.invoke(app, ["users", "add", "EKA", "--password", "eka-123456"])
    assert result.exit_code == 1
    assert "sudah dipakai" in result.output and "already taken" in result.output
