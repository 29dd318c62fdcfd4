"""Token checks at the edge: the route table (public / authenticated / role) and bearer parsing."""

from gateway.auth.rules import CompiledRule, RouteTable, bearer_token

__all__ = ["CompiledRule", "RouteTable", "bearer_token"]
