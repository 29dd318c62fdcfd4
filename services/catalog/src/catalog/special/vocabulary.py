"""Conservation statuses and access conditions of digitised documents, loaded as data.

The codes are stable; labels, descriptions and which access rule a condition implies live in
``vocabulary.json`` (versioned), so the agency can adjust them without a code change.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from pusip_kit.schemas import Schema

VOCABULARY_FILE = Path(__file__).with_name("vocabulary.json")


class Term(Schema):
    code: str
    label: str
    label_en: str
    description: str = ""
    description_en: str = ""
    original_handling: str | None = None
    access_rule: str | None = None


class Vocabulary(Schema):
    version: str
    source: str = ""
    conservation_statuses: list[Term]
    access_conditions: list[Term]

    def conservation(self, code: str) -> Term | None:
        return next((t for t in self.conservation_statuses if t.code == code), None)

    def access(self, code: str) -> Term | None:
        return next((t for t in self.access_conditions if t.code == code), None)


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    return Vocabulary.model_validate(json.loads(VOCABULARY_FILE.read_text(encoding="utf-8")))
