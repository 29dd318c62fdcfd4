"""Compile the access policy to a search filter, and give the index the fields it filters on."""

from __future__ import annotations

from typing import Any

from archive.access.policy import Condition, RecordFacts, unit_ancestors
from pusip_kit.search.model import All, FieldSpec, FieldType, Filter, Term, Terms
from pusip_kit.search.model import Any as AnyOf

# The fields an archive search document must carry for the policy filter.
POLICY_FIELDS = (
    FieldSpec(name="record_id", type=FieldType.KEYWORD),
    FieldSpec(name="level", type=FieldType.KEYWORD, facet=True),
    FieldSpec(name="unit", type=FieldType.KEYWORD, facet=True),
    FieldSpec(name="unit_ancestors", type=FieldType.KEYWORD, multi=True),
    FieldSpec(name="cases", type=FieldType.KEYWORD, multi=True),
)

_NOTHING = Term(field="level", value="__tidak_ada__")  # no record carries this level


def policy_fields(record: RecordFacts) -> dict[str, Any]:
    return {
        "record_id": record.id,
        "level": record.level.value,
        "unit": record.unit,
        "unit_ancestors": unit_ancestors(record.unit),
        "cases": sorted(record.cases),
    }


def to_search_filter(condition: Condition) -> Filter:
    match condition.op:
        case "any":
            return (
                AnyOf(filters=tuple(to_search_filter(c) for c in condition.children))
                if condition.children
                else _NOTHING
            )
        case "all":
            return All(filters=tuple(to_search_filter(c) for c in condition.children))
        case "level_in":
            return Terms(field="level", values=tuple(sorted(condition.values)))
        case "unit_is":
            return Terms(field="unit", values=tuple(sorted(condition.values)))
        case "unit_under":
            return Terms(field="unit_ancestors", values=tuple(sorted(condition.values)))
        case "case_in":
            return Terms(field="cases", values=tuple(sorted(condition.values)))
        case "id_in":
            return Terms(field="record_id", values=tuple(sorted(condition.values)))
        case "never":
            return _NOTHING
    raise ValueError(f"unknown condition {condition.op}")
