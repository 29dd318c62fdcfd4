"""Stateless fuzzing of every operation of the merged OpenAPI document, through the gateway.

schemathesis generates requests from ``/openapi.json`` (every service's operations plus the
gateway's own): valid ones and deliberately invalid ones. Each operation is fuzzed anonymously and
as a demo account its declared requirement admits (the first non-admin one, else ``admin``), with a
fixed seed and a bounded number of examples (invalid ones only where the operation takes input). Every answer must be no 5xx, have a documented status
code and content type, and match the documented body schema.

Operations not fuzzed as an admitted caller are listed in ``EXCLUDED`` with the reason (they are
still fuzzed anonymously, where they must refuse).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .declared import ALLOW, Declared
from .suite import ANONYMOUS, DEMO_USERS, Suite

pytestmark = pytest.mark.timeout(1200)

EXAMPLES = {ANONYMOUS: (1, 0), "caller": (2, 1)}  # (valid, invalid) examples per operation
SEED = 20261121
FORWARDED_FOR = "192.0.2.80"  # the fuzzer's own rate-limit key
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

EXCLUDED: dict[str, str] = {
    "POST /api/circulation/patrons/me/delete": (
        "erases the calling demo patron, whom the other security tests still use"
    ),
    "POST /api/archive/webhooks": "registers deliveries to generated URLs: the worker would call them",
}


def _template(path: str) -> str:
    return re.sub(r"\{([^}:]+)(:[^}]*)?\}", r"{\1}", path)


def _caller(key: str, by_key: dict[str, Declared]) -> str:
    route = by_key.get(key)
    if route is None:  # the gateway's own routes
        return "admin" if not key.startswith("GET /auth/userinfo") else "pemustaka"
    for username, role in DEMO_USERS.items():
        if username != "admin" and route.expected(frozenset({role})) == ALLOW:
            return username
    return "admin"


def _fuzz(operation: Any, suite: Suite, principal: str, counts: tuple[int, int]) -> list[str]:
    problems: list[str] = []
    headers = {**suite.headers(principal), "X-Forwarded-For": FORWARDED_FOR}
    modes = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
    raw = operation.definition.raw
    takes_input = bool(raw.get("parameters") or raw.get("requestBody"))
    for mode, examples in zip(modes, counts, strict=True):
        if mode is schemathesis.GenerationMode.NEGATIVE and not takes_input:
            continue  # nothing to make invalid: no parameter, no body
        if examples:
            problems += _run(operation, suite, f"{principal} ({mode.value})", headers, mode, examples)
    return problems


def _run(
    operation: Any, suite: Suite, who: str, headers: dict[str, str], mode: Any, examples: int
) -> list[str]:
    problems: list[str] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        response = case.call(base_url=suite.url, headers=headers, timeout=120)
        try:
            case.validate_response(response, checks=CHECKS)
        except BaseException as exc:  # FailureGroup is a BaseExceptionGroup
            if isinstance(exc, KeyboardInterrupt):
                raise
            problems.append(
                f"{operation.label} as {who}: {response.status_code} {type(exc).__name__}: {str(exc)[:600]}"
                f"\n    request: {case.as_curl_command()[:300]}"
            )

    try:
        run()
    except Unsatisfiable:
        problems.append(f"{operation.label} as {who}: no example could be generated")
    return problems


def test_every_operation_survives_fuzzing(suite: Suite, routes: tuple[Declared, ...]) -> None:
    schema = schemathesis.openapi.from_url(f"{suite.url}/openapi.json", timeout=120)
    by_key = {f"{r.method} {_template(r.gateway_path)}": r for r in routes}
    problems: list[str] = []
    fuzzed = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        key = f"{operation.method.upper()} {operation.path}"
        problems += _fuzz(operation, suite, ANONYMOUS, EXAMPLES[ANONYMOUS])
        if key in EXCLUDED:
            continue
        problems += _fuzz(operation, suite, _caller(key, by_key), EXAMPLES["caller"])
        fuzzed += 1
    assert fuzzed > 400, fuzzed
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
