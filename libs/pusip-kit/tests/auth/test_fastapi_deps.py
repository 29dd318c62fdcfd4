"""The FastAPI dependencies through a tiny service app: 401 vs 403, anonymous, roles, scopes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import Depends, FastAPI

from pusip_kit.auth import (
    ANONYMOUS,
    Authenticated,
    AuthSubject,
    CurrentSubject,
    Role,
    configure_auth,
    require_roles,
    require_scopes,
)
from pusip_kit.errors import install_error_handlers


@pytest.fixture
async def service(idp) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    install_error_handlers(app)
    configure_auth(app, idp.validator)

    @app.get("/public")
    async def public(subject: CurrentSubject) -> dict:
        return {"anonymous": subject is ANONYMOUS, "username": subject.username}

    @app.get("/me")
    async def me(subject: Authenticated) -> dict:
        return {"sub": subject.subject, "roles": sorted(subject.roles)}

    @app.post("/records")
    async def create_record(
        subject: AuthSubject = Depends(require_roles(Role.ARCHIVIST, Role.RECORDS_CREATOR)),
    ) -> dict:
        return {"by": subject.username}

    @app.get("/feed", dependencies=[Depends(require_scopes("archive:read"))])
    async def feed() -> dict:
        return {"ok": True}

    @app.get("/write-feed", dependencies=[Depends(require_scopes("archive:write"))])
    async def write_feed() -> dict:
        return {"ok": True}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc") as client:
        client.app = app  # type: ignore[attr-defined]
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_anonymous_is_allowed_where_optional(service):
    response = await service.get("/public")
    assert response.json() == {"anonymous": True, "username": None}


async def test_bad_token_on_an_optional_route_is_still_401(service):
    response = await service.get("/public", headers=bearer("not-a-token"))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_malformed"
    assert response.headers["www-authenticate"].startswith("Bearer")
    basic = await service.get("/public", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert basic.status_code == 401


async def test_authenticated_requires_a_token(service, idp):
    response = await service.get("/me")
    assert response.status_code == 401
    body = response.json()["error"]
    assert body["code"] == "authentication_required"
    assert body["message"].startswith("Autentikasi diperlukan")
    assert body["message_en"].startswith("Authentication required")

    ok = await service.get("/me", headers=bearer(await idp.access_token("pemustaka")))
    assert ok.status_code == 200 and ok.json()["roles"] == ["patron"]


async def test_expired_token_gives_its_own_code(service, idp):
    import time

    now = int(time.time())
    claims = idp.issuer.account_claims(idp.seeded["arsiparis"], client_id="pusip-portal", scope="", sid=None)
    claims.update(exp=now - 3600, iat=now - 4000, nbf=now - 4000)
    response = await service.get("/me", headers=bearer(idp.issuer.sign(claims)))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_expired"
    assert response.json()["error"]["message"] == "Token sudah kedaluwarsa"


async def test_require_roles_401_then_403_then_200(service, idp):
    assert (await service.post("/records")).status_code == 401

    patron = await service.post("/records", headers=bearer(await idp.access_token("pemustaka")))
    assert patron.status_code == 403
    err = patron.json()["error"]
    assert err["code"] == "missing_role"
    assert "archivist" in err["message"] and "records_creator" in err["message"]
    assert err["details"] == {"required_roles": ["archivist", "records_creator"]}

    archivist = await service.post("/records", headers=bearer(await idp.access_token("arsiparis")))
    assert archivist.status_code == 200 and archivist.json() == {"by": "arsiparis"}

    admin = await service.post("/records", headers=bearer(await idp.access_token("admin")))
    assert admin.status_code == 200  # admin passes every role check


async def test_require_scopes_for_client_credentials(service, idp):
    token = (await idp.client_credentials()).json()["access_token"]
    assert (await service.get("/feed", headers=bearer(token))).status_code == 200
    refused = await service.get("/write-feed", headers=bearer(token))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "missing_scope"
    assert refused.json()["error"]["details"]["missing_scopes"] == ["archive:write"]

    narrow = (await idp.client_credentials(scope="catalog:read")).json()["access_token"]
    assert (await service.get("/feed", headers=bearer(narrow))).status_code == 403
    # People are governed by roles, not scopes.
    person = await idp.access_token("pemustaka")
    assert (await service.get("/write-feed", headers=bearer(person))).status_code == 200
    assert (await service.get("/feed")).status_code == 401


async def test_openapi_shows_the_bearer_scheme(service):
    schema = service.app.openapi()
    assert schema["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "Token akses OIDC (Keycloak atau penerbit bawaan) / OIDC access token",
    }
    assert schema["paths"]["/me"]["get"]["security"] == [{"bearer": []}]


def test_require_roles_needs_roles():
    with pytest.raises(ValueError):
        require_roles()
    with pytest.raises(ValueError):
        require_scopes()


async def test_unconfigured_app_is_a_programming_error(idp):
    app = FastAPI()

    @app.get("/me")
    async def me(subject: Authenticated) -> dict:
        return {}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc") as client:
        with pytest.raises(RuntimeError, match="configure_auth"):
            await client.get("/me", headers=bearer(await idp.access_token("pemustaka")))
