"""The embedded demo accounts are the Keycloak realm's demo accounts: a demo works the same in both modes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pusip.demo import DEMO_CLIENT, demo_accounts, demo_branch_code
from pusip_kit.auth.subject import Role

REALM = Path(__file__).resolve().parents[2] / "infra" / "keycloak" / "pusip-realm.json"


def _attribute(user: dict, name: str) -> str | None:
    values = (user.get("attributes") or {}).get(name) or []
    return values[0] if values else None


def test_one_demo_account_per_role() -> None:
    roles = [a.role for a in demo_accounts()]
    assert len(roles) == len(set(roles))
    assert set(roles) | set(DEMO_CLIENT.roles) == {r.value for r in Role}
    assert all(a.password == f"pusip-demo-{a.username}" for a in demo_accounts())


def test_the_librarian_works_at_a_catalog_demo_branch() -> None:
    from catalog.demo import DEMO_BRANCHES

    librarian = next(a for a in demo_accounts() if a.role == "librarian")
    assert librarian.branches == (demo_branch_code(),)
    assert demo_branch_code() in {b["code"] for b in DEMO_BRANCHES}


def test_the_library_admin_runs_the_demo_library_with_an_assessment_in_progress() -> None:
    from accreditation.demo import DEMO_LIBRARIES, IN_PROGRESS_LIBRARY

    admin = next(a for a in demo_accounts() if a.role == "library_admin")
    assert admin.unit == IN_PROGRESS_LIBRARY
    library = next(x for x in DEMO_LIBRARIES if x["code"] == admin.unit)
    assert library["type"] == "umum-desa"  # a village library, as in the acceptance test


@pytest.mark.skipif(not REALM.exists(), reason="no Keycloak realm import in this checkout")
def test_the_keycloak_realm_has_the_same_accounts() -> None:
    realm = json.loads(REALM.read_text())
    users = {u["username"]: u for u in realm["users"] if not u.get("serviceAccountClientId")}
    for account in demo_accounts():
        user = users.get(account.username)
        assert user is not None, f"{account.username} missing from the realm"
        passwords = [c["value"] for c in user.get("credentials", []) if c.get("type") == "password"]
        assert passwords == [account.password], account.username
        assert account.role in user.get("realmRoles", []), account.username
        assert _attribute(user, "pusip_unit") == account.unit, account.username
        assert (_attribute(user, "pusip_clearance") or "BIASA") == account.clearance, account.username
        assert _attribute(user, "pusip_access_category") == account.access_category, account.username
        branches = tuple((user.get("attributes") or {}).get("pusip_branches") or ())
        assert branches == account.branches, account.username
    assert set(users) == {a.username for a in demo_accounts()}

    clients = {c["clientId"]: c for c in realm["clients"]}
    agency = clients[DEMO_CLIENT.client_id]
    assert agency["secret"] == DEMO_CLIENT.secret
    assert agency["serviceAccountsEnabled"] is True
    service_user = next(u for u in realm["users"] if u.get("serviceAccountClientId") == DEMO_CLIENT.client_id)
    assert set(DEMO_CLIENT.roles) <= set(service_user["realmRoles"])
    assert _attribute(service_user, "pusip_unit") == DEMO_CLIENT.unit


def test_the_catalog_service_client_matches_the_catalog_settings_and_the_realm() -> None:
    from catalog.config import CatalogSettings
    from pusip.demo import CATALOG_SERVICE_CLIENT, SERVICE_CLIENTS

    settings = CatalogSettings()
    assert CATALOG_SERVICE_CLIENT in SERVICE_CLIENTS
    assert (settings.service_client_id, settings.service_client_secret) == (
        CATALOG_SERVICE_CLIENT.client_id,
        CATALOG_SERVICE_CLIENT.secret,
    )
    assert CATALOG_SERVICE_CLIENT.roles == ("cataloger",)
    if REALM.exists():
        realm = json.loads(REALM.read_text())
        client = next(c for c in realm["clients"] if c["clientId"] == CATALOG_SERVICE_CLIENT.client_id)
        assert client["secret"] == CATALOG_SERVICE_CLIENT.secret and client["serviceAccountsEnabled"] is True
        account = next(
            u for u in realm["users"] if u.get("serviceAccountClientId") == CATALOG_SERVICE_CLIENT.client_id
        )
        assert set(CATALOG_SERVICE_CLIENT.roles) <= set(account["realmRoles"])
        assert _attribute(account, "pusip_unit") == CATALOG_SERVICE_CLIENT.unit
