"""The edge route table: which path prefixes are public, need a token, or need a role."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gateway.config import Access, AccessRule
from pusip_kit.auth.tokens import refuse


@dataclass(frozen=True)
class CompiledRule:
    segments: tuple[str, ...]
    trailing: bool
    """The prefix ended in ``/``: the last segment must match whole (``/api/*/admin/``)."""
    access: Access
    methods: frozenset[str]
    roles: tuple[str, ...]
    source: str
    exact: bool = False
    """Only the path itself matches (``/api/deposit/rules``, not ``/api/deposit/rules/7``)."""

    def matches(self, parts: Sequence[str], method: str) -> bool:
        if self.methods and method not in self.methods:
            return False
        n = len(self.segments)
        if self.exact:
            return len(parts) == n and all(
                w in ("*", got) for w, got in zip(self.segments, parts, strict=True)
            )
        if len(parts) < n:
            return False
        for i, want in enumerate(self.segments):
            got = parts[i]
            last = i == n - 1
            if want == "*":
                continue
            if last and not self.trailing:
                if not got.startswith(want):  # plain prefix on the last segment
                    return False
            elif got != want:
                return False
        return True


def _split(path: str) -> list[str]:
    return [p for p in path.split("/") if p != ""] if path != "/" else []


class RouteTable:
    """First matching rule wins; paths matching no rule are public (the portal, docs …)."""

    def __init__(self, rules: Sequence[AccessRule]) -> None:
        self.rules = [
            CompiledRule(
                segments=tuple(_split(rule.prefix)),
                trailing=rule.prefix.endswith("/"),
                access=Access(rule.access),
                methods=frozenset(m.upper() for m in rule.methods),
                roles=tuple(rule.roles),
                source=rule.prefix,
                exact=rule.exact,
            )
            for rule in rules
        ]

    def match(self, path: str, method: str) -> CompiledRule | None:
        parts = _split(path)
        for rule in self.rules:
            if rule.matches(parts, method.upper()):
                return rule
        return None


def bearer_token(authorization: str | None) -> str | None:
    """The token of a ``Bearer`` Authorization header; ``None`` without one.

    Any other scheme on a route that accepts tokens is refused as malformed.
    """
    if authorization is None:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise refuse("token_malformed", "Authorization header is not 'Bearer <token>'")
    return token.strip()
