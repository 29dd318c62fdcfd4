""" "Did you mean": the nearest words of the catalogue's title vocabulary, by edit distance.

The vocabulary (every folded word of every live title, with its frequency) is built from the
database and kept in memory for ``MAX_AGE`` seconds. A query word that is not in it is replaced by
the most frequent vocabulary word within edit distance 1 (words up to 4 letters) or 2 (longer),
looked for among words with the same first letter and a similar length.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catalog.models import BibRecord
from pusip_kit.search.analysis import words

MAX_AGE = 600.0
MIN_WORD = 3


@dataclass
class Vocabulary:
    counts: Counter[str] = field(default_factory=Counter)
    by_initial: dict[str, list[str]] = field(default_factory=dict)
    built_at: float = 0.0

    @classmethod
    def of(cls, titles: list[str]) -> Vocabulary:
        counts: Counter[str] = Counter()
        for title in titles:
            counts.update(w for w in words(title) if len(w) >= MIN_WORD and not w.isdigit())
        by_initial: dict[str, list[str]] = {}
        for word in counts:
            by_initial.setdefault(word[0], []).append(word)
        return cls(counts, by_initial, time.monotonic())


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (adjacent transpositions) distance, or ``limit + 1`` once above it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        best = current[0]
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
            best = min(best, value)
        if best > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def correct(word: str, vocabulary: Vocabulary) -> str | None:
    """The best replacement of a word missing from the vocabulary, or None."""
    if len(word) < MIN_WORD or word.isdigit() or vocabulary.counts.get(word):
        return None
    limit = 1 if len(word) <= 4 else 2
    best: tuple[int, int, str] | None = None
    for candidate in vocabulary.by_initial.get(word[0], ()):
        if abs(len(candidate) - len(word)) > limit:
            continue
        distance = edit_distance(word, candidate, limit)
        if distance <= limit:
            key = (distance, -vocabulary.counts[candidate], candidate)
            if best is None or key < best:
                best = key
    return best[2] if best else None


def suggest(text: str, vocabulary: Vocabulary) -> str | None:
    """The query with misspelt words replaced, or None when nothing would change."""
    typed = words(text)
    if not typed:
        return None
    changed = False
    out = []
    for word in typed:
        fixed = correct(word, vocabulary)
        if fixed is not None:
            changed = True
        out.append(fixed or word)
    return " ".join(out) if changed else None


class VocabularyCache:
    def __init__(self) -> None:
        self.vocabulary: Vocabulary | None = None

    async def get(self, sessionmaker: async_sessionmaker[AsyncSession]) -> Vocabulary:
        current = self.vocabulary
        if current is not None and time.monotonic() - current.built_at < MAX_AGE:
            return current
        async with sessionmaker() as session:
            titles = list(
                (await session.execute(select(BibRecord.title).where(BibRecord.deleted.is_(False)))).scalars()
            )
        self.vocabulary = Vocabulary.of(titles)
        return self.vocabulary

    def invalidate(self) -> None:
        self.vocabulary = None
