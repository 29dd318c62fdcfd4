""" "Did you mean": the nearest words of the catalogue's title vocabulary, by edit distance.

The vocabulary (every folded word of every live title, with its frequency) is built from the
database when a search first finds few results, and kept in memory; once older than ``MAX_AGE``
seconds it is still used while a fresh one is built in the background (one build at a time, off
the event loop, so a rebuild never stalls the searches around it). A query word that is not in it
is replaced by the most frequent vocabulary word within edit distance 1 (words up to 4 letters) or
2 (longer) with the same first letter. The words of one first letter are kept sorted, so the
distance table of a shared prefix is computed once and a prefix already too far away skips every
word that starts with it (a trie walk without the trie).
"""

from __future__ import annotations

import asyncio
import bisect
import logging
import time
from collections import Counter
from dataclasses import dataclass, field

import anyio.to_thread
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catalog.models import BibRecord
from pusip_kit.search.analysis import words

log = logging.getLogger(__name__)

MAX_AGE = 600.0
MIN_WORD = 3
_CORRECTIONS_MAX = 10_000
_AFTER_ALL = "\U0010ffff"


@dataclass
class Vocabulary:
    counts: Counter[str] = field(default_factory=Counter)
    by_initial: dict[str, list[str]] = field(default_factory=dict)
    """Words by first letter, sorted."""
    built_at: float = 0.0
    corrections: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def of(cls, titles: list[str]) -> Vocabulary:
        counts: Counter[str] = Counter()
        for title in titles:
            counts.update(w for w in words(title) if len(w) >= MIN_WORD and not w.isdigit())
        by_initial: dict[str, list[str]] = {}
        for word in sorted(counts):
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


def within(word: str, candidates: list[str], limit: int) -> list[tuple[int, str]]:
    """``(distance, candidate)`` for every sorted candidate within ``limit`` of ``word``.

    The same distances as :func:`edit_distance`, one table row per candidate letter: rows of the
    prefix shared with the previous candidate are kept, and once every cell of a row exceeds the
    limit no word with that prefix can come back within it (a transposition reaches two rows back
    only through a cell of the row between), so they are all skipped.
    """
    n = len(word)
    over = limit + 1  # cells farther than the limit all read ``over``: only the band is computed
    rows = [[j if j <= limit else over for j in range(n + 1)]]  # rows[d]: word[:j] vs d letters
    previous = ""
    found: list[tuple[int, str]] = []
    i, end = 0, len(candidates)
    while i < end:
        candidate = candidates[i]
        k, top = 0, min(len(candidate), len(previous), len(rows) - 1)
        while k < top and candidate[k] == previous[k]:
            k += 1
        del rows[k + 1 :]
        previous = candidate
        pruned = 0
        for d in range(k, len(candidate)):
            ch = candidate[d]
            before = candidate[d - 1] if d else ""
            above = rows[d]
            row = [over] * (n + 1)
            if d < limit:
                row[0] = d + 1
            best = row[0]
            for j in range(max(1, d + 1 - limit), min(n, d + 1 + limit) + 1):
                value = above[j - 1] if word[j - 1] == ch else above[j - 1] + 1
                if above[j] + 1 < value:
                    value = above[j] + 1
                if row[j - 1] + 1 < value:
                    value = row[j - 1] + 1
                if j > 1 and ch == word[j - 2] and before == word[j - 1] and rows[d - 1][j - 2] + 1 < value:
                    value = rows[d - 1][j - 2] + 1
                if value > over:
                    value = over
                row[j] = value
                if value < best:
                    best = value
            rows.append(row)
            if best > limit:
                pruned = d + 1
                break
        if pruned:
            i = bisect.bisect_left(candidates, candidate[:pruned] + _AFTER_ALL, i + 1)
            continue
        if rows[-1][n] <= limit:
            found.append((rows[-1][n], candidate))
        i += 1
    return found


def correct(word: str, vocabulary: Vocabulary) -> str | None:
    """The best replacement of a word missing from the vocabulary, or None."""
    if len(word) < MIN_WORD or word.isdigit() or vocabulary.counts.get(word):
        return None
    cache = vocabulary.corrections
    if word in cache:
        return cache[word]
    limit = 1 if len(word) <= 4 else 2
    counts = vocabulary.counts
    found = within(word, vocabulary.by_initial.get(word[0], []), limit)
    best = min(((d, -counts[c], c) for d, c in found), default=None)
    if len(cache) >= _CORRECTIONS_MAX:
        cache.clear()
    cache[word] = best[2] if best else None
    return cache[word]


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
        self._building: asyncio.Task[Vocabulary] | None = None
        self._generation = 0

    async def get(self, sessionmaker: async_sessionmaker[AsyncSession]) -> Vocabulary:
        current = self.vocabulary
        if current is None:
            return await asyncio.shield(self._build(sessionmaker))
        if time.monotonic() - current.built_at >= MAX_AGE:
            self._build(sessionmaker)  # the stale one answers meanwhile
        return current

    def _build(self, sessionmaker: async_sessionmaker[AsyncSession]) -> asyncio.Task[Vocabulary]:
        """The build under way in this event loop, or a new one."""
        task = self._building
        if task is None or task.done() or task.get_loop() is not asyncio.get_running_loop():
            task = asyncio.get_running_loop().create_task(self._load(sessionmaker, self._generation))
            task.add_done_callback(_log_failure)
            self._building = task
        return task

    async def _load(self, sessionmaker: async_sessionmaker[AsyncSession], generation: int) -> Vocabulary:
        async with sessionmaker() as session:
            titles = list(
                (await session.execute(select(BibRecord.title).where(BibRecord.deleted.is_(False)))).scalars()
            )
        vocabulary = await anyio.to_thread.run_sync(Vocabulary.of, titles)
        if generation == self._generation:  # not invalidated meanwhile
            self.vocabulary = vocabulary
        return vocabulary

    def invalidate(self) -> None:
        self.vocabulary = None
        self._building = None
        self._generation += 1


def _log_failure(task: asyncio.Task[Vocabulary]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("building the spelling vocabulary failed", exc_info=task.exception())
