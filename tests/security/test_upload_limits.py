"""Upload limits: the gateway lets through exactly what each service takes, for every upload route.

The services' routes are walked for the ones that read a file or a raw body; each must be listed in
:data:`pusip_kit.uploads.UPLOAD_LIMITS` (or in ``SMALL_BODIES``, bodies under the gateway's default
that the service bounds itself); the listed limit must be the service's own (its setting, or its
constant); and the gateway's body limit for the route must be that limit plus the form around the file
(:data:`pusip_kit.uploads.FORM_OVERHEAD`), also when the service's limit is raised in the environment.
``gateway/tests/test_upload_limits.py`` sends the oversized uploads through a real gateway.
"""

from __future__ import annotations

import importlib
import inspect
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts

from gateway.config import GatewaySettings
from pusip_kit.config import ServiceSettings
from pusip_kit.uploads import (
    ACCREDITATION_EVIDENCE,
    ARCHIVE_FILE,
    ARCHIVE_INSTRUMENT_SOURCE,
    ARCHIVE_RECORD_IMPORT,
    CATALOG_IMPORT,
    CATALOG_STOCKTAKE_BATCH,
    CIRCULATION_PHOTO,
    DEPOSIT_OBLIGATIONS_CSV,
    FORM_OVERHEAD,
    UPLOAD_LIMITS,
    UploadLimit,
    deposit_body_limit,
)

from .declared import service_apps

MiB = 1024 * 1024

FIXED: dict[UploadLimit, tuple[str, str]] = {
    CATALOG_STOCKTAKE_BATCH: ("catalog.stocktake.service", "BATCH_MAX_BYTES"),
    DEPOSIT_OBLIGATIONS_CSV: ("deposit.obligations.endpoints", "CSV_MAX_BYTES"),
    ARCHIVE_RECORD_IMPORT: ("archive.records.endpoints", "MAX_IMPORT_BYTES"),
    ARCHIVE_INSTRUMENT_SOURCE: ("archive.instruments.service", "MAX_SOURCE_BYTES"),
}
"""Limits the service keeps as a constant rather than a setting: where the constant lives."""

SMALL_BODIES: dict[str, Callable[[], int]] = {
    "POST /api/catalog/records": lambda: _settings("catalog").marc_json_max_bytes,
    "PUT /api/catalog/records/{record_id}": lambda: _settings("catalog").marc_json_max_bytes,
    "POST /api/catalog/oai": lambda: _constant("catalog.protocols.endpoints", "MAX_FORM_BYTES"),
}
"""Routes reading their body themselves that take no file (MARC-in-JSON, the OAI-PMH form): the
service's own limit, under the gateway's default, answers 413 itself."""

PORTAL: dict[str, Callable[[], int]] = {
    "/portal/katalog/impor": CATALOG_IMPORT.body_limit,
    f"/portal/katalog/opname/{uuid.uuid4()}/berkas": CATALOG_STOCKTAKE_BATCH.body_limit,
    f"/portal/akreditasi/penilaian/{uuid.uuid4()}/bukti": ACCREDITATION_EVIDENCE.body_limit,
    f"/portal/serah-simpan/penyerah/{uuid.uuid4()}/unggah": deposit_body_limit,
    f"/portal/kearsipan/unggah/{uuid.uuid4()}": ARCHIVE_FILE.body_limit,
}
"""The portal's upload forms, streamed on to the services' upload routes."""

_READS_BODY = re.compile(r"\brequest\.(?:stream|body|form)\(|\bUploadFile\b")
_CALLED_WITH_REQUEST = re.compile(r"\b([A-Za-z_][\w.]*)\(\s*(?:self\.)?request\b")


def _reads_body(function: Any, depth: int = 2) -> bool:
    """The endpoint reads the request body itself: directly, or through a helper it hands the request."""
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return False
    if _READS_BODY.search(source):
        return True
    if depth == 0:
        return False
    scope = getattr(function, "__globals__", None) or vars(inspect.getmodule(function) or object)
    for name in _CALLED_WITH_REQUEST.findall(source):
        target: Any = scope.get(name.split(".")[0])
        for attribute in name.split(".")[1:]:
            target = getattr(target, attribute, None)
        if target is not None and target is not function and _reads_body(target, depth - 1):
            return True
    return False


def _settings(service: str) -> Any:
    module = importlib.import_module(f"{service}.config")
    classes = [
        c
        for c in vars(module).values()
        if inspect.isclass(c) and issubclass(c, ServiceSettings) and c.service_name == service
    ]
    assert len(classes) == 1, classes
    return classes[0]()


def _constant(module: str, name: str) -> int:
    return int(getattr(importlib.import_module(module), name))


def _service_value(limit: UploadLimit) -> int:
    if limit.setting:
        return int(getattr(_settings(limit.service), limit.setting))
    return _constant(*FIXED[limit])


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), path)


@pytest.fixture(scope="module")
def upload_routes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """``METHOD /api/<service>/path`` → endpoint, for every route that reads its own body."""
    found: dict[str, Any] = {}
    for service, app in service_apps(Path(tmp_path_factory.mktemp("apps"))).items():
        for context in iter_route_contexts(app.routes):
            endpoint = getattr(context, "endpoint", None)
            for method in sorted(set(context.methods or ()) & {"POST", "PUT", "PATCH"}):
                if endpoint is not None and _reads_body(endpoint):
                    found[f"{method} /api/{service}{context.path_format}"] = endpoint
    assert len(found) > 10, f"only {sorted(found)}: the introspection broke"
    return found


def _registered() -> dict[str, list[UploadLimit]]:
    table: dict[str, list[UploadLimit]] = {}
    for limit in UPLOAD_LIMITS:
        for route in limit.routes:
            method, _, path = route.partition(" ")
            table.setdefault(f"{method} /api/{limit.service}{path}", []).append(limit)
    return table


def test_every_upload_route_has_its_limit_listed(upload_routes: dict[str, Any]) -> None:
    registered = _registered()
    unlisted = sorted(set(upload_routes) - set(registered) - set(SMALL_BODIES))
    assert not unlisted, "routes reading a body with no limit in pusip_kit.uploads:\n" + "\n".join(unlisted)
    gone = sorted((set(registered) | set(SMALL_BODIES)) - set(upload_routes))
    assert not gone, f"listed but not a route reading its body (renamed? gone?): {gone}"


def test_listed_limits_are_the_services_own(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PUSIP_DATA_DIR", str(tmp_path))
    for limit in UPLOAD_LIMITS:
        if limit.env:
            monkeypatch.delenv(limit.env, raising=False)
        assert _service_value(limit) == limit.configured() == limit.default, limit
    # raised for a service, raised in both places
    for limit in UPLOAD_LIMITS:
        if limit.env:
            monkeypatch.setenv(limit.env, str(limit.default + 3 * MiB))
            assert _service_value(limit) == limit.configured() == limit.default + 3 * MiB, limit


@pytest.mark.parametrize("raised", [False, True], ids=["defaults", "raised"])
def test_gateway_limit_is_the_service_limit_for_every_upload_route(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, raised: bool
) -> None:
    for limit in UPLOAD_LIMITS:
        if limit.env:
            monkeypatch.delenv(limit.env, raising=False)
            if raised:
                monkeypatch.setenv(limit.env, str(limit.default * 2 + 5 * MiB))
    gateway = GatewaySettings(data_dir=tmp_path)
    wrong = []
    for route, limits in _registered().items():
        path = _concrete(route.partition(" ")[2])
        # several limits on one route (the deposit kinds): the largest file any of them takes
        want = max(limit.configured() for limit in limits) + FORM_OVERHEAD
        if gateway.body_limit_for(path) != want:
            wrong.append(f"{route}: gateway {gateway.body_limit_for(path)}, service {want - FORM_OVERHEAD}")
    for path, expected in PORTAL.items():
        if gateway.body_limit_for(path) != expected():
            wrong.append(f"{path}: gateway {gateway.body_limit_for(path)}, expected {expected()}")
    assert not wrong, "\n".join(wrong)
    if raised:
        assert gateway.body_limit_for(f"/api/archive/records/{uuid.uuid4()}/files") == (
            2 * ARCHIVE_FILE.default + 5 * MiB + FORM_OVERHEAD
        )
        assert gateway.body_limit_for("/api/circulation/patrons/me/photo") == (
            2 * CIRCULATION_PHOTO.default + 5 * MiB + FORM_OVERHEAD
        )


def test_small_bodies_stay_under_the_gateway_default(tmp_path: Path) -> None:
    gateway = GatewaySettings(data_dir=tmp_path)
    for route, service_limit in SMALL_BODIES.items():
        path = _concrete(route.partition(" ")[2])
        assert service_limit() < gateway.body_limit_for(path) == gateway.max_body_bytes, route
