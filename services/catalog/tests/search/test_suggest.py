"""The spelling suggestion: the fast vocabulary walk agrees with the plain distance on every word."""

from __future__ import annotations

import asyncio
import random
import string
from typing import Any

import pytest

from catalog.search import suggest as sg
from catalog.search.suggest import Vocabulary, VocabularyCache, correct, edit_distance, within

TITLES = [
    "Laskar pelangi",
    "Bumi manusia",
    "Anak semua bangsa",
    "Jejak langkah",
    "Rumah kaca",
    "Perpustakaan dan masyarakat",
    "Pustaka digital untuk sekolah",
    "Sejarah Jakarta",
    "Sejarah perpustakaan nasional",
    "Kamus besar bahasa Indonesia",
    "Pemrograman komputer dasar",
    "Komputer dan kita",
    "Manusia dan kebudayaan",
    "Bahasa dan sastra",
    "Sastra lama",
    "Bangsa yang besar",
]


def brute_force(word: str, vocabulary: Vocabulary) -> str | None:
    """The definition: the most frequent word within the limit among every same-initial word."""
    if len(word) < sg.MIN_WORD or word.isdigit() or vocabulary.counts.get(word):
        return None
    limit = 1 if len(word) <= 4 else 2
    best: tuple[int, int, str] | None = None
    for candidate in vocabulary.by_initial.get(word[0], ()):
        distance = edit_distance(word, candidate, limit)
        if distance <= limit:
            key = (distance, -vocabulary.counts[candidate], candidate)
            best = key if best is None or key < best else best
    return best[2] if best else None


def mangle(word: str, rng: random.Random) -> str:
    letters = list(word)
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(letters))
        op = rng.randrange(4)
        if op == 0 and len(letters) > 1:
            del letters[at]
        elif op == 1:
            letters.insert(at, rng.choice("aeiknrstu"))
        elif op == 2:
            letters[at] = rng.choice("aeiknrstu")
        elif at + 1 < len(letters):
            letters[at], letters[at + 1] = letters[at + 1], letters[at]
    return "".join(letters)


def test_walk_finds_exactly_the_words_within_the_limit() -> None:
    rng = random.Random(11)
    words = sorted({"".join(rng.choice("abkst") for _ in range(rng.randint(1, 7))) for _ in range(3000)})
    for _ in range(300):
        word = "".join(rng.choice("abkst") for _ in range(rng.randint(1, 8)))
        for limit in (1, 2):
            expected = sorted((edit_distance(word, w, limit), w) for w in words)
            assert sorted(within(word, words, limit)) == [e for e in expected if e[0] <= limit]


def test_corrections_match_the_brute_force_definition() -> None:
    rng = random.Random(5)
    extra = [
        " ".join(rng.choice(string.ascii_lowercase) * rng.randint(3, 6) for _ in range(3)) for _ in range(50)
    ]
    vocabulary = Vocabulary.of(TITLES * 3 + TITLES[:5] + extra)
    known = list(vocabulary.counts)
    typed = [mangle(rng.choice(known), rng) for _ in range(400)] + ["perpustkaan", "komputr", "sjarah"]
    changed = 0
    for word in typed:
        expected = brute_force(word, vocabulary)
        assert correct(word, vocabulary) == expected, word
        assert correct(word, vocabulary) == expected, word  # again, from the cache
        changed += expected is not None
    assert changed > 100  # the typed words really exercise corrections
    assert correct("perpustkaan", vocabulary) == "perpustakaan"
    assert correct("omputer", vocabulary) is None  # one letter from "komputer", but another initial


class FakeSessions:
    """Stands in for the sessionmaker: counts builds, can hold one until released."""

    def __init__(self) -> None:
        self.builds = 0
        self.gate = asyncio.Event()
        self.gate.set()
        self.titles = list(TITLES)

    def __call__(self) -> FakeSessions:
        return self

    async def __aenter__(self) -> FakeSessions:
        self.builds += 1
        await self.gate.wait()
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def execute(self, _statement: Any) -> Any:
        titles = list(self.titles)

        class Result:
            def scalars(self) -> list[str]:
                return titles

        return Result()


async def test_vocabulary_is_built_once_and_refreshed_in_the_background(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sessions = FakeSessions()
    cache = VocabularyCache()
    sessions.gate.clear()
    waiting = [asyncio.create_task(cache.get(sessions)) for _ in range(5)]
    await asyncio.sleep(0.05)
    sessions.gate.set()
    built = await asyncio.gather(*waiting)
    assert sessions.builds == 1 and all(v is built[0] for v in built)
    assert "laskar" in built[0].counts

    sessions.titles.append("Gadis pantai")
    assert await cache.get(sessions) is built[0]  # fresh enough: no build
    monkeypatch.setattr(sg, "MAX_AGE", 0.0)
    sessions.gate.clear()
    assert await cache.get(sessions) is built[0]  # stale answers at once
    sessions.gate.set()
    for _ in range(100):
        await asyncio.sleep(0.01)
        if cache.vocabulary is not built[0]:
            break
    assert cache.vocabulary is not None and "gadis" in cache.vocabulary.counts
    assert sessions.builds == 2

    cache.invalidate()
    monkeypatch.setattr(sg, "MAX_AGE", 600.0)
    again = await cache.get(sessions)
    assert sessions.builds == 3 and again is not built[0]
