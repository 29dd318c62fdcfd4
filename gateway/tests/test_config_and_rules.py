"""Gateway settings per mode, the edge route table, and the rate limiter's storage."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest

from catalog.config import CatalogSettings
from deposit.config import DepositSettings
from gateway.auth.cache import TokenCache
from gateway.auth.rules import RouteTable, bearer_token
from gateway.config import Access, AccessRule, GatewaySettings, default_access_rules
from gateway.ratelimit import ClientRateLimiter
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.config import Mode
from pusip_kit.errors import Unauthorized


def test_embedded_defaults(tmp_path: Path) -> None:
    s = GatewaySettings(data_dir=tmp_path, mode=Mode.EMBEDDED)
    assert s.port == 8000 or s.port > 0
    assert s.embedded_issuer is True
    assert s.oidc_jwks_url == f"{s.oidc_issuer.rstrip('/')}/jwks"
    assert s.token_endpoint == f"{s.oidc_issuer.rstrip('/')}/token"
    assert s.rate_limit_storage_url == "memory://"
    assert s.identity_db_path == tmp_path / "gateway" / "identity.db"
    assert s.keys_dir == tmp_path / "gateway" / "keys"
    assert set(s.service_urls) >= {"catalog", "circulation", "deposit", "archive", "accreditation"}
    assert s.body_limit_for("/api/catalog/records") == 10 * 1024**2
    assert s.rate_limit_for("/auth/token") == "60/minute"


def test_body_limits_follow_the_services_upload_limits(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The edge never refuses an upload the service behind it would take (nor much more)."""
    for name in ("ERESOURCE_MAX_BYTES", "IMPORT_MAX_BYTES"):
        monkeypatch.delenv(f"PUSIP_CATALOG_{name}", raising=False)
    for name in ("DIGITAL", "RECORDED", "PACKAGE"):
        monkeypatch.delenv(f"PUSIP_DEPOSIT_MAX_SIZE_{name}", raising=False)
    catalog, deposit = CatalogSettings(data_dir=tmp_path), DepositSettings(data_dir=tmp_path)
    largest_deposit = max(deposit.max_size_digital, deposit.max_size_recorded, deposit.max_size_package)
    assert largest_deposit == 8 * 1024**3
    s = GatewaySettings(data_dir=tmp_path)
    routes = {
        f"/api/catalog/records/{uuid.uuid4()}/eresources": catalog.eresource_max_bytes,
        "/api/catalog/imports": catalog.import_max_bytes,
        "/portal/katalog/impor": catalog.import_max_bytes,
        "/api/deposit/deposits/digital": largest_deposit,
        f"/api/deposit/deposits/{uuid.uuid4()}/resubmit": largest_deposit,
        "/portal/serah-simpan/unggah": largest_deposit,
    }
    for path, service_limit in routes.items():
        assert service_limit < s.body_limit_for(path) <= service_limit + 2 * 1024**2, path
    # the wildcard covers one segment only; other record routes keep the default
    assert s.body_limit_for("/api/catalog/records/x/y/eresources") == s.max_body_bytes
    assert s.body_limit_for(f"/api/catalog/records/{uuid.uuid4()}/items") == s.max_body_bytes

    # a limit raised for the service is raised at the edge too
    monkeypatch.setenv("PUSIP_DEPOSIT_MAX_SIZE_PACKAGE", str(16 * 1024**3))
    monkeypatch.setenv("PUSIP_CATALOG_ERESOURCE_MAX_BYTES", str(3 * 1024**3))
    raised = GatewaySettings(data_dir=tmp_path)
    assert DepositSettings(data_dir=tmp_path).max_size_package == 16 * 1024**3
    assert raised.body_limit_for("/api/deposit/deposits/digital") > 16 * 1024**3
    assert raised.body_limit_for(f"/api/catalog/records/{uuid.uuid4()}/eresources") > 3 * 1024**3


def test_distributed_defaults_point_at_keycloak_and_redis(tmp_path: Path) -> None:
    realm = "http://127.0.0.1:58080/realms/pusip"
    s = GatewaySettings(data_dir=tmp_path, mode=Mode.DISTRIBUTED, oidc_issuer=realm)
    assert s.embedded_issuer is False
    assert s.oidc_jwks_url == f"{realm}/protocol/openid-connect/certs"
    assert s.token_endpoint == f"{realm}/protocol/openid-connect/token"
    assert s.rate_limit_storage_url.startswith("redis://")
    explicit = GatewaySettings(
        data_dir=tmp_path, mode=Mode.DISTRIBUTED, oidc_issuer=realm, oidc_jwks_url="http://jwks.example/k"
    )
    assert explicit.oidc_jwks_url == "http://jwks.example/k"


def test_environment_configures_the_route_tables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PUSIP_GATEWAY_BODY_LIMITS", '{"/api/archive/files": 5}')
    monkeypatch.setenv(
        "PUSIP_GATEWAY_ACCESS_RULES", '[{"prefix": "/api/", "access": "role", "roles": ["librarian"]}]'
    )
    monkeypatch.setenv("PUSIP_GATEWAY_SERVICE_URLS", '{"catalog": "http://10.0.0.5:8001/"}')
    s = GatewaySettings(data_dir=tmp_path)
    assert s.body_limit_for("/api/archive/files/1") == 5
    assert s.access_rules == [AccessRule(prefix="/api/", access=Access.ROLE, roles=["librarian"])]
    assert s.service_urls["catalog"] == "http://10.0.0.5:8001"
    assert "circulation" in s.service_urls


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/api/catalog/admin/users", Access.ROLE),
        ("POST", "/api/archive/admin", Access.ROLE),
        ("GET", "/api/catalog/administrasi", Access.PUBLIC),  # a segment, not a text prefix
        ("GET", "/api/catalog/records/1", Access.PUBLIC),
        ("POST", "/api/catalog/records", Access.AUTHENTICATED),
        ("GET", "/api/circulation/loans", Access.AUTHENTICATED),
        ("GET", "/api/archive/public/records", Access.PUBLIC),
        ("GET", "/api/deposit/healthz", Access.PUBLIC),
        ("GET", "/api/health", Access.PUBLIC),
        # what the deposit service publishes, and OAI-PMH's POST form: exactly those routes
        ("GET", "/api/deposit/bibliography", Access.PUBLIC),
        ("GET", "/api/deposit/compliance/ranking", Access.PUBLIC),
        ("GET", "/api/deposit/compliance/appreciation", Access.PUBLIC),
        ("GET", "/api/deposit/compliance/chart", Access.PUBLIC),
        ("GET", "/api/deposit/rules", Access.PUBLIC),
        ("GET", "/api/deposit/rules/in-force", Access.PUBLIC),
        ("POST", "/api/catalog/oai", Access.PUBLIC),
        ("POST", "/api/deposit/rules", Access.AUTHENTICATED),
        ("GET", "/api/deposit/rules/3", Access.AUTHENTICATED),
        ("GET", "/api/deposit/compliance/overdue", Access.AUTHENTICATED),
        ("GET", "/api/deposit/compliance/export", Access.AUTHENTICATED),
        ("GET", "/api/deposit/bibliographyx", Access.AUTHENTICATED),
        ("POST", "/api/catalog/oai/x", Access.AUTHENTICATED),
        ("POST", "/api/catalog/records", Access.AUTHENTICATED),
        # a digital loan's link, e-mail verification, the accreditation dashboard, reference data
        ("GET", "/api/circulation/digital-access/eyJ0.abc", Access.PUBLIC),
        ("POST", "/api/circulation/patrons/verify-email", Access.PUBLIC),
        ("GET", "/api/accreditation/dashboard/grades", Access.PUBLIC),
        ("GET", "/api/circulation/rule-sets/3", Access.PUBLIC),
        ("GET", "/api/archive/webhooks/event-types", Access.PUBLIC),
        ("GET", "/api/circulation/digital-access/eyJ0.abc/x", Access.AUTHENTICATED),
        ("POST", "/api/circulation/patrons/verify-email/x", Access.AUTHENTICATED),
        ("POST", "/api/circulation/digital-access/eyJ0.abc", Access.AUTHENTICATED),
        ("GET", "/api/accreditation/dashboard/summary", Access.AUTHENTICATED),
        ("GET", "/api/circulation/rule-sets", Access.AUTHENTICATED),
        ("PUT", "/api/circulation/calendars/pusat", Access.AUTHENTICATED),
        ("GET", "/api/archive/webhooks/7", Access.AUTHENTICATED),
        ("GET", "/", None),
        ("POST", "/portal/login", None),
    ],
)
def test_route_table(method: str, path: str, expected: Access | None) -> None:
    rule = RouteTable(default_access_rules()).match(path, method)
    assert (rule.access if rule else None) == expected


def test_bearer_parsing() -> None:
    assert bearer_token(None) is None
    assert bearer_token("Bearer abc.def.ghi") == "abc.def.ghi"
    assert bearer_token("bearer   abc") == "abc"
    for bad in ("Basic xyz", "Bearer", "Token abc"):
        with pytest.raises(Unauthorized):
            bearer_token(bad)


async def test_memory_rate_limiter_counts_per_key(tmp_path: Path) -> None:
    s = GatewaySettings(data_dir=tmp_path, rate_limits={"/x": "3/minute"}, rate_limit_exempt=["/healthz"])
    limiter = ClientRateLimiter(s)
    decisions = [await limiter.check("ip:1", "/x/y") for _ in range(4)]
    assert [d.allowed for d in decisions if d] == [True, True, True, False]
    assert decisions[-1] is not None and decisions[-1].reset_after >= 1
    other = await limiter.check("ip:2", "/x/y")
    assert other is not None and other.allowed
    assert await limiter.check("ip:1", "/healthz") is None


@pytest.mark.services
async def test_redis_rate_limit_is_shared_between_gateways(tmp_path: Path) -> None:
    from pusip_kit.testing.servers import require

    servers = require("redis")
    s = GatewaySettings(
        data_dir=tmp_path,
        rate_limit_storage_url=servers.redis_url,
        rate_limits={"/shared": "4/minute"},
    )
    first, second = ClientRateLimiter(s), ClientRateLimiter(s)
    key = f"sub:{uuid.uuid4().hex}"
    try:
        answers = [await (first if i % 2 else second).check(key, "/shared") for i in range(5)]
        assert [a.allowed for a in answers if a] == [True, True, True, True, False]
    finally:
        await first.aclose()
        await second.aclose()


class _CountingValidator:
    def __init__(self, exp: float) -> None:
        self.calls = 0
        self.exp = exp

    async def validate(self, token: str) -> AuthSubject:
        self.calls += 1
        if token == "bad":
            raise Unauthorized(code="token_invalid_signature")
        return AuthSubject(subject=token, claims={"exp": self.exp})


async def test_token_cache_reuses_valid_tokens_but_never_refusals() -> None:
    cache = TokenCache(ttl=30)
    validator = _CountingValidator(exp=time.time() + 300)
    for _ in range(3):
        assert (await cache.validate(validator, "tok-a")).subject == "tok-a"  # type: ignore[arg-type]
    assert validator.calls == 1
    for _ in range(2):
        with pytest.raises(Unauthorized):
            await cache.validate(validator, "bad")  # type: ignore[arg-type]
    assert validator.calls == 3
    expiring = _CountingValidator(exp=time.time() - 1)  # already past exp: never served from cache
    await cache.validate(expiring, "tok-b")  # type: ignore[arg-type]
    await cache.validate(expiring, "tok-b")  # type: ignore[arg-type]
    assert expiring.calls == 2
    small = TokenCache(ttl=30, max_entries=2)
    for name in ("x", "y", "z"):
        await small.validate(validator, name)  # type: ignore[arg-type]
    await small.validate(validator, "x")  # evicted, validated again
    assert validator.calls == 3 + 4
