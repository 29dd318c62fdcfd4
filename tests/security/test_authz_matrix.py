"""Authorization matrix: every service endpoint × every principal, through the gateway.

The expected answer of each cell comes from what the route declares (:mod:`declared`): the kit's
``require_roles`` / ``authenticated`` dependencies in the service and the gateway's edge table.
Anonymous callers of a protected route must get 401 ``authentication_required``, callers without
one of the required roles 403 ``missing_role`` (both in the kit's bilingual shape); everyone else
must get past authorization (any other answer but a 5xx: 404 for the placeholder ids, 422 for the
empty bodies, 200 …). A request that would pass authorization with an empty body and no
parameters really runs, so the routes that would damage the shared demo data are listed in
``NOT_EXECUTED`` and probed only for the principals that must be refused.

Every route that declares no rule is listed in ``PUBLIC`` with the reason it is public.
"""

from __future__ import annotations

import dataclasses
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from gateway.auth.rules import RouteTable
from gateway.config import Access, default_access_rules

from .declared import ALLOW, UNAUTHENTICATED, Declared
from .suite import ANONYMOUS, DEMO_USERS, PRINCIPALS, Suite

pytestmark = pytest.mark.timeout(900)

ROLES: dict[str, frozenset[str] | None] = {
    ANONYMOUS: None,
    **{user: frozenset({role}) for user, role in DEMO_USERS.items()},
}

NOT_EXECUTED: dict[str, str] = {
    "POST /api/circulation/patrons/me/delete": (
        "erases the caller's own patron record; the demo accounts are shared by every test "
        "(the erasure is covered by services/circulation/tests/patrons)"
    ),
}

IN_CODE: dict[str, tuple[tuple[str, ...], str]] = {
    "GET /api/catalog/records/export": (
        ("cataloger", "librarian"),
        "exporting the whole catalogue (no query, as probed here) is staff-only, checked in the endpoint; "
        "exporting a search result is public",
    ),
}
"""Routes whose role check is made in the endpoint body rather than declared: (roles, reason)."""

OPS = "liveness/readiness probe, answered without data"
METRICS = "Prometheus counters, no personal data; the gateway restricts /api/*/metrics to admin"
OPAC = "public catalogue (OPAC): open to everyone; staff-only fields are cut by the service"
HARVEST = "public metadata harvesting/search protocol (OAI-PMH, SRU)"
SIGNED = "presigned object download: the HMAC signature in the URL is the authorization"
OPEN_ARCHIVE = "open archives (UU 14/2008 KIP): the shared access policy shows only public records"
DIRECTORY = "public accreditation directory and dashboard, guidance calendar and literacy figures"
LOAN_RULES = "circulation reference data (categories, loan rules, calendars) for registration and the OPAC"
AVAILABILITY = "item/licence availability shown with OPAC records"
READER = "e-resource reading through a time-limited loan token carried in the URL"
VERIFY = "e-mail verification: the signed token in the body is the proof"
DEPOSIT_PUBLISHED = "regional bibliography, deposit rules and compliance published under PP 55/2021"
REFERENCE = "reference lists (legal access grounds for KIP requests, webhook event types)"

PUBLIC: dict[str, str] = {
    "GET /api/catalog/healthz": OPS,
    "GET /api/catalog/readyz": OPS,
    "GET /api/catalog/metrics": METRICS,
    "GET /api/catalog/branches": OPAC,
    "GET /api/catalog/branches/{code}": OPAC,
    "GET /api/catalog/search": OPAC,
    "GET /api/catalog/search/autocomplete": OPAC,
    "GET /api/catalog/records/export": OPAC + " (the whole-catalogue export: see IN_CODE)",
    "GET /api/catalog/records/{record_id}": OPAC,
    "GET /api/catalog/records/{record_id}/jsonld": OPAC,
    "GET /api/catalog/records/{record_id}/export": OPAC,
    "GET /api/catalog/records/{record_id}/items": OPAC,
    "GET /api/catalog/records/{record_id}/eresources": OPAC,
    "GET /api/catalog/eresources/{eresource_id}": OPAC,
    "GET /api/catalog/eresources/{eresource_id}/download": OPAC,
    "GET /api/catalog/oai": HARVEST,
    "POST /api/catalog/oai": HARVEST,
    "GET /api/catalog/sru": HARVEST,
    "GET /api/catalog/special-collections/vocabulary": OPAC,
    "GET /api/catalog/special-collections": OPAC,
    "GET /api/catalog/special-collections/{code}": OPAC,
    "GET /api/catalog/special-collections/{code}/records": OPAC,
    "GET /api/catalog/special-collections/{code}/documents": OPAC,
    "GET /api/catalog/records/{record_id}/special-collections": OPAC,
    "GET /api/catalog/records/{record_id}/digitised-documents": OPAC,
    "GET /api/catalog/records/{record_id}/reviews": OPAC,
    "GET /api/catalog/records/{record_id}/rating": OPAC,
    "GET /api/catalog/reading-lists": OPAC,
    "GET /api/catalog/reading-lists/{list_id}": OPAC,
    "GET /api/catalog/records/{record_id}/reading-lists": OPAC,
    "GET /api/catalog/storage/catalog-eresources/objects/{key}": SIGNED,
    "GET /api/circulation/healthz": OPS,
    "GET /api/circulation/readyz": OPS,
    "GET /api/circulation/metrics": METRICS,
    "GET /api/circulation/patron-categories": LOAN_RULES,
    "GET /api/circulation/patron-categories/{code}": LOAN_RULES,
    "GET /api/circulation/validators": LOAN_RULES,
    "GET /api/circulation/licences": AVAILABILITY,
    "GET /api/circulation/licences/{eresource_id}": AVAILABILITY,
    "GET /api/circulation/digital-access/{token}": READER,
    "POST /api/circulation/patrons/verify-email": VERIFY,
    "GET /api/circulation/items": AVAILABILITY,
    "GET /api/circulation/items/{barcode}": AVAILABILITY,
    "GET /api/circulation/rule-sets/active/resolve": LOAN_RULES,
    "GET /api/circulation/rule-sets/{version}": LOAN_RULES,
    "GET /api/circulation/calendars/{branch}": LOAN_RULES,
    "GET /api/circulation/calendars/{branch}/due-date": LOAN_RULES,
    "GET /api/circulation/closures": LOAN_RULES,
    "GET /api/deposit/healthz": OPS,
    "GET /api/deposit/readyz": OPS,
    "GET /api/deposit/metrics": METRICS,
    "GET /api/deposit/bibliography": DEPOSIT_PUBLISHED,
    "GET /api/deposit/compliance/ranking": DEPOSIT_PUBLISHED,
    "GET /api/deposit/compliance/appreciation": DEPOSIT_PUBLISHED,
    "GET /api/deposit/compliance/chart": DEPOSIT_PUBLISHED,
    "GET /api/deposit/rules": DEPOSIT_PUBLISHED,
    "GET /api/deposit/rules/in-force": DEPOSIT_PUBLISHED,
    "GET /api/archive/healthz": OPS,
    "GET /api/archive/readyz": OPS,
    "GET /api/archive/metrics": METRICS,
    "GET /api/archive/access-grounds": REFERENCE,
    "GET /api/archive/public/records": OPEN_ARCHIVE,
    "GET /api/archive/public/records/{record_id}": OPEN_ARCHIVE,
    "GET /api/archive/public/records/{record_id}/files/{file_id}": OPEN_ARCHIVE,
    "GET /api/archive/webhooks/event-types": REFERENCE,
    "GET /api/accreditation/healthz": OPS,
    "GET /api/accreditation/readyz": OPS,
    "GET /api/accreditation/metrics": METRICS,
    "GET /api/accreditation/public/libraries": DIRECTORY,
    "GET /api/accreditation/public/guidance": DIRECTORY,
    "GET /api/accreditation/public/guidance/calendar.ics": DIRECTORY,
    "GET /api/accreditation/public/guidance/{activity_id}": DIRECTORY,
    "GET /api/accreditation/public/guidance/{activity_id}/calendar.ics": DIRECTORY,
    "GET /api/accreditation/public/guidance/{activity_id}/materials/{material_id}": DIRECTORY,
    "GET /api/accreditation/dashboard/libraries": DIRECTORY,
    "GET /api/accreditation/dashboard/grades": DIRECTORY,
    "GET /api/accreditation/dashboard/literacy": DIRECTORY,
}


def test_every_route_without_a_declared_rule_is_listed_public(routes: tuple[Declared, ...]) -> None:
    undeclared = {r.key for r in routes if not r.declared}
    unlisted = sorted(undeclared - set(PUBLIC))
    stale = sorted(set(PUBLIC) - undeclared)
    assert not unlisted, "routes with no declared rule and no reason to be public:\n" + "\n".join(unlisted)
    assert not stale, "listed public but declaring a rule (or gone):\n" + "\n".join(stale)


CLOSED_AT_THE_EDGE = frozenset({METRICS})
"""Reasons whose routes the gateway may keep stricter than the service; every other public route
must be let through without a sign-in (a patron opening a digital-loan link, a verification mail …)."""


def _edge(route: Declared) -> Any:
    return RouteTable(default_access_rules()).match(route.gateway_path, route.method)


def test_public_routes_are_open_at_the_gateway(routes: tuple[Declared, ...]) -> None:
    closed = []
    for route in routes:
        if route.declared or PUBLIC.get(route.key) in CLOSED_AT_THE_EDGE:
            continue
        rule = _edge(route)
        if rule is not None and rule.access is not Access.PUBLIC:
            closed.append(f"{route.key} (gateway rule {rule.source})")
    assert not closed, "declared public but refused at the gateway:\n" + "\n".join(sorted(closed))


def test_exact_gateway_rules_open_only_declared_public_routes(routes: tuple[Declared, ...]) -> None:
    """An ``exact`` public rule names public routes, one by one: never a route that needs a sign-in
    (a ``*`` standing for a literal segment), never a route that is gone."""
    exact = [rule for rule in RouteTable(default_access_rules()).rules if rule.exact]
    assert exact
    opened: dict[str, list[str]] = {rule.source: [] for rule in exact}
    wrong = []
    for route in routes:
        rule = _edge(route)
        if rule is None or not rule.exact:
            continue
        opened[rule.source].append(route.key)
        if route.declared:
            wrong.append(f"{route.key} needs a sign-in but {rule.source} opens it")
    assert not wrong, "\n".join(sorted(wrong))
    stale = sorted(source for source, keys in opened.items() if not keys)
    assert not stale, f"exact gateway rules matching no service route: {stale}"


def test_routes_closed_at_the_edge_are_only_the_listed_ones(routes: tuple[Declared, ...]) -> None:
    stricter = sorted(
        route.key
        for route in routes
        if not route.declared and (rule := _edge(route)) is not None and rule.access is not Access.PUBLIC
    )
    listed = sorted(key for key, reason in PUBLIC.items() if reason in CLOSED_AT_THE_EDGE)
    assert stricter == listed


def test_listed_exceptions_name_existing_routes(routes: tuple[Declared, ...]) -> None:
    keys = {r.key for r in routes}
    assert set(NOT_EXECUTED) <= keys, sorted(set(NOT_EXECUTED) - keys)
    assert set(IN_CODE) <= keys, sorted(set(IN_CODE) - keys)


def _cell(response: httpx.Response, expected: str | int) -> str | None:
    """``None`` when the answer fits the expected class, else what is wrong."""
    status = response.status_code
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) and isinstance(body.get("error"), dict) else {}
    code = error.get("code")
    if status >= 500:
        return f"{status} {response.text[:200]}"
    if expected == ALLOW:
        if status == 401 or (status == 403 and code == "missing_role"):
            return f"refused {status} {code}"
        return None
    if status != expected:
        return f"got {status} {code or response.text[:120]}, expected {expected}"
    want = "authentication_required" if expected == UNAUTHENTICATED else "missing_role"
    if code != want:
        return f"code {code!r}, expected {want!r}"
    if not error.get("message") or not error.get("message_en") or error["message"] == error["message_en"]:
        return f"not the bilingual error shape: {body!r}"
    return None


def test_every_endpoint_for_every_role(suite: Suite, routes: tuple[Declared, ...]) -> None:
    cells: list[tuple[Declared, str, str | int]] = []
    for route in routes:
        if route.key in IN_CODE:
            route = dataclasses.replace(route, role_sets=(IN_CODE[route.key][0],), needs_token=True)
        for principal in PRINCIPALS:
            expected = route.expected(ROLES[principal])
            if expected == ALLOW and route.key in NOT_EXECUTED:
                continue
            cells.append((route, principal, expected))
    local = threading.local()

    def probe(cell: tuple[Declared, str, str | int]) -> tuple[str, str, str | int, str | None]:
        route, principal, expected = cell
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(base_url=suite.url, timeout=120)
        response = client.request(route.method, route.concrete_path(), headers=suite.headers(principal))
        return route.key, principal, expected, _cell(response, expected)

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(probe, cells))
    wrong = [f"{key} as {who}: {problem}".replace("\n", " ") for key, who, _, problem in results if problem]
    allowed = sum(1 for _, _, expected, _ in results if expected == ALLOW)
    assert allowed > 0 and len(results) - allowed > 0
    assert not wrong, f"{len(wrong)} of {len(results)} cells wrong:\n" + "\n".join(sorted(wrong))
