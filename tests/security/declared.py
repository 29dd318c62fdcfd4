"""What each route declares about its callers, read from the services' own FastAPI apps.

Every service route's dependency tree is walked for the kit's auth dependencies
(:func:`pusip_kit.auth.fastapi.require_roles` closures, ``authenticated``, ``current_subject``);
the gateway's edge table (:func:`gateway.config.default_access_rules`) is applied on top. The
result is the expected answer of every route for every principal, with no hand-kept list to drift.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import os
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from fastapi.routing import iter_route_contexts

from gateway.auth.rules import RouteTable
from gateway.config import Access, default_access_rules
from pusip_kit.auth.fastapi import authenticated, current_subject
from pusip_kit.config import SERVICE_NAMES

ALLOW = "allow"
UNAUTHENTICATED = 401
FORBIDDEN = 403
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Declared:
    service: str
    method: str
    path: str
    """The service's path template (``/records/{record_id}``)."""
    role_sets: tuple[tuple[str, ...], ...]
    """One tuple per ``require_roles`` in the tree; the caller needs one role of each."""
    needs_token: bool
    reads_subject: bool
    param_types: tuple[tuple[str, Any], ...]
    has_body: bool
    in_schema: bool

    @property
    def gateway_path(self) -> str:
        return f"/api/{self.service}{self.path}"

    @property
    def key(self) -> str:
        return f"{self.method} {self.gateway_path}"

    @property
    def declared(self) -> bool:
        return self.needs_token or bool(self.role_sets)

    def concrete_path(self) -> str:
        """The gateway path with every parameter filled with a value naming nothing that exists."""
        path = self.gateway_path
        for name, annotation in self.param_types:
            path = path.replace(f"{{{name}:path}}", _dummy(annotation)).replace(
                f"{{{name}}}", _dummy(annotation)
            )
        return path

    def expected(self, roles: frozenset[str] | None) -> str | int:
        """``roles`` ``None`` is the anonymous caller."""
        gateway = RouteTable(default_access_rules()).match(self.gateway_path, self.method)
        if gateway is not None and gateway.access is not Access.PUBLIC:
            if roles is None:
                return UNAUTHENTICATED
            if gateway.access is Access.ROLE and not _has(roles, gateway.roles):
                return FORBIDDEN
        if self.declared and roles is None:
            return UNAUTHENTICATED
        if roles is not None and any(not _has(roles, wanted) for wanted in self.role_sets):
            return FORBIDDEN
        return ALLOW


def _has(roles: frozenset[str], wanted: tuple[str, ...] | list[str]) -> bool:
    return "admin" in roles or any(r in roles for r in wanted)


def _dummy(annotation: Any) -> str:
    if annotation is uuid.UUID:
        return "00000000-0000-4000-8000-00000000dead"
    if annotation is int:
        return "987654"
    if annotation is dt.date:
        return "2001-01-01"
    return "zz-tidak-ada"


def _walk(dependant: Any, found: dict[str, Any]) -> None:
    call = dependant.call
    if inspect.isfunction(call):
        if call.__name__.startswith("require_roles_"):
            wanted = inspect.getclosurevars(call).nonlocals.get("wanted")
            if wanted:
                found["roles"].add(tuple(wanted))
        elif call is authenticated:
            found["token"] = True
        elif call is current_subject:
            found["subject"] = True
    for param in dependant.path_params:
        found["params"].setdefault(param.name, param.field_info.annotation)
    for child in dependant.dependencies:
        _walk(child, found)


@cache
def service_apps(scratch: Path) -> dict[str, Any]:
    """The five services' FastAPI apps, built once (``scratch``: a data directory the apps may touch)."""
    apps: dict[str, Any] = {}
    for service in SERVICE_NAMES:
        saved = os.environ.get("PUSIP_DATA_DIR")
        os.environ["PUSIP_DATA_DIR"] = str(scratch)  # the apps' settings; restored at once
        try:
            apps[service] = importlib.import_module(f"{service}.main").create_app()
        finally:
            if saved is None:
                os.environ.pop("PUSIP_DATA_DIR", None)
            else:
                os.environ["PUSIP_DATA_DIR"] = saved
    return apps


@cache
def declared_routes(scratch: Path) -> tuple[Declared, ...]:
    """Every HTTP route of the five services (``scratch``: a data directory the apps may touch)."""
    out: list[Declared] = []
    for service, app in service_apps(scratch).items():
        for context in iter_route_contexts(app.routes):
            dependant = getattr(context, "dependant", None)
            if dependant is None:
                continue
            found: dict[str, Any] = {"roles": set(), "token": False, "subject": False, "params": {}}
            _walk(dependant, found)
            params = tuple(found["params"].items())
            for method in sorted(context.methods or ()):
                if method == "HEAD":
                    continue
                out.append(
                    Declared(
                        service=service,
                        method=method,
                        path=str(context.path_format),
                        role_sets=tuple(sorted(found["roles"])),
                        needs_token=found["token"] or bool(found["roles"]),
                        reads_subject=found["subject"],
                        param_types=params,
                        has_body=getattr(context, "body_field", None) is not None,
                        in_schema=bool(getattr(context, "include_in_schema", True)),
                    )
                )
    return tuple(out)
