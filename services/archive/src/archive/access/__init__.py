"""Who may see an archive record: one policy (SKKAAD, UU 43/2009), several compilers."""

from archive.access.policy import (
    AccessCategory,
    Condition,
    PolicyTier,
    RecordFacts,
    Viewer,
    can_read,
    readable,
    unit_ancestors,
)

__all__ = [
    "AccessCategory",
    "Condition",
    "PolicyTier",
    "RecordFacts",
    "Viewer",
    "can_read",
    "readable",
    "unit_ancestors",
]
