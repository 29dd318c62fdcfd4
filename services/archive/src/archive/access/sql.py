"""Compile the access policy to a SQLAlchemy filter over the records table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_

from archive.access.policy import Condition

CaseMatch = Callable[[frozenset[str]], ColumnElement[bool]]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class SqlCompiler:
    """Maps each condition to SQL over the columns the service names.

    ``case_match(values)`` builds the predicate "this record is tied to one of these cases"
    (an EXISTS over the service's record–case link table).
    """

    def __init__(
        self,
        *,
        id_column: ColumnElement[Any],
        level_column: ColumnElement[Any],
        unit_column: ColumnElement[Any],
        case_match: CaseMatch,
    ) -> None:
        self.id = id_column
        self.level = level_column
        self.unit = unit_column
        self.case_match = case_match

    def compile(self, condition: Condition) -> ColumnElement[bool]:
        match condition.op:
            case "any":
                return or_(false(), *(self.compile(c) for c in condition.children))
            case "all":
                return and_(*(self.compile(c) for c in condition.children))
            case "level_in":
                return self.level.in_(sorted(condition.values))
            case "unit_is":
                return self.unit.in_(sorted(condition.values))
            case "unit_under":
                return or_(
                    *(
                        or_(self.unit == u, self.unit.like(_escape_like(u) + "/%", escape="\\"))
                        for u in sorted(condition.values)
                    )
                )
            case "case_in":
                return self.case_match(condition.values)
            case "id_in":
                return self.id.in_(sorted(condition.values))
            case "never":
                return false()
        raise ValueError(f"unknown condition {condition.op}")
