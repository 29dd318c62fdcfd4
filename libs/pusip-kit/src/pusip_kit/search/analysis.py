"""Indonesian text analysis for the embedded (Tantivy) search backend.

The pipeline mirrors the Elasticsearch analyzer the distributed backend declares
(``pusip_indonesian``), so both backends find the same documents:

1. split on anything that is not a letter or digit (combining accents stay with their letter),
2. Unicode NFKC, case-fold, strip accents (``é`` → ``e``),
3. drop stopwords (``stopwords_id.txt``; positions still advance, as in Lucene),
4. Snowball Indonesian stemming through PyStemmer (``perpustakaan`` → ``pustaka``).

Tokens keep their character offsets in the *original* text, which is what snippets need.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

import Stemmer

MAX_TOKEN_CHARS = 64
"""Longer tokens are dropped (they are noise such as encoded data, and bloat the index)."""

_TOKEN_RE = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+")
_local = threading.local()


def _load_stopwords() -> frozenset[str]:
    text = resources.files(__package__).joinpath("stopwords_id.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    )


STOPWORDS: frozenset[str] = _load_stopwords()


class AnalyzedToken(NamedTuple):
    term: str
    position: int
    start: int  # character offsets in the original text
    end: int


def _stemmer() -> Stemmer.Stemmer:
    # PyStemmer objects are not safe to share between threads; keep one per thread.
    stemmer: Stemmer.Stemmer | None = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = Stemmer.Stemmer("indonesian")
        _local.stemmer = stemmer
    return stemmer


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """NFKC, case-fold and strip accents; keeps letters and digits only."""
    text = unicodedata.normalize("NFKC", word).casefold()
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
        text = unicodedata.normalize("NFC", text)
    if not text.isalnum():
        text = "".join(c for c in text if c.isalnum())
    return text


def stem(word: str) -> str:
    """Snowball Indonesian stem of one already folded word."""
    return str(_stemmer().stemWord(word))


def raw_tokens(text: str) -> list[AnalyzedToken]:
    """Folded, unstemmed tokens, stopwords kept (autocomplete words, snippets)."""
    out: list[AnalyzedToken] = []
    for pos, m in enumerate(_TOKEN_RE.finditer(text)):
        word = fold(m.group())
        if word and len(word) <= MAX_TOKEN_CHARS:
            out.append(AnalyzedToken(word, pos, m.start(), m.end()))
    return out


_TERM_CACHE: dict[str, str] = {}
_TERM_CACHE_MAX = 500_000


def _term(raw: str) -> str:
    """The indexed term of one surface token ('' when it is dropped). Cached: words repeat a lot."""
    term = _TERM_CACHE.get(raw)
    if term is None:
        word = fold(raw)
        term = (
            "" if not word or word in STOPWORDS or len(word) > MAX_TOKEN_CHARS else _stemmer().stemWord(word)
        )
        if len(_TERM_CACHE) >= _TERM_CACHE_MAX:
            _TERM_CACHE.clear()
        _TERM_CACHE[raw] = term
    return term


def analyze(text: str) -> list[AnalyzedToken]:
    """Full analysis: folded, stopwords removed (positions kept), stemmed."""
    out: list[AnalyzedToken] = []
    for pos, m in enumerate(_TOKEN_RE.finditer(text)):
        term = _TERM_CACHE.get(m.group()) or _term(m.group())
        if term:
            start, end = m.span()
            out.append(AnalyzedToken(term, pos, start, end))
    return out


GAP = "_"
"""Stands for a dropped token (stopword, over-long word) in :func:`term_string`; never a term itself
(tokens are letters and digits only), and the index's ``pusip_terms`` tokenizer drops it again, so
the positions after it keep their gap."""

_TOKEN_CACHE: dict[str, tuple[str, str]] = {}
_TOKEN_CACHE_MAX = 100_000
_VALUE_CACHE: dict[str, tuple[str, str]] = {}
_VALUE_CACHE_MAX = 50_000
_VALUE_CACHE_CHARS = 300
"""Short values (authors, subjects, publishers, series) repeat across a catalogue: their whole
analysed form is cached, not only their words (about 20 MB when full)."""


def _token(raw: str) -> tuple[str, str]:
    """(indexed term or :data:`GAP`, folded word or '') of one surface token, cached."""
    hit = _TOKEN_CACHE.get(raw)
    if hit is None:
        word = fold(raw)
        kept = bool(word) and len(word) <= MAX_TOKEN_CHARS
        term = _stemmer().stemWord(word) if kept and word not in STOPWORDS else ""
        hit = (term or GAP, word if kept else "")
        if len(_TOKEN_CACHE) >= _TOKEN_CACHE_MAX:  # about 30 MB; words are Zipfian, so a fresh
            _TOKEN_CACHE.clear()  # start soon holds the frequent ones again
        _TOKEN_CACHE[raw] = hit
    return hit


def index_strings(text: str) -> tuple[str, str]:
    """``(term_string(text), word_string(text))`` in one pass over the text."""
    hit = _VALUE_CACHE.get(text)
    if hit is not None:
        return hit
    get = _TOKEN_CACHE.get
    pairs = [get(raw) or _token(raw) for raw in _TOKEN_RE.findall(text)]
    hit = (" ".join([p[0] for p in pairs]), " ".join([p[1] for p in pairs if p[1]]))
    if len(text) <= _VALUE_CACHE_CHARS:
        if len(_VALUE_CACHE) >= _VALUE_CACHE_MAX:
            _VALUE_CACHE.clear()
        _VALUE_CACHE[text] = hit
    return hit


def term_string(text: str) -> str:
    """The analysed terms of ``text`` joined by single spaces, :data:`GAP` where a token was dropped.

    Indexed with a whitespace tokenizer that drops :data:`GAP`, this gives the same terms at the
    same positions as :func:`analyze`, with one Python call per text instead of an object per token.
    """
    return index_strings(text)[0]


def word_string(text: str) -> str:
    """:func:`words` joined by single spaces (autocomplete columns, sort keys)."""
    return index_strings(text)[1]


def matches(text: str, terms: set[str] | frozenset[str]) -> list[AnalyzedToken]:
    """Tokens of ``text`` whose analysed term is in ``terms`` (for snippets)."""
    out: list[AnalyzedToken] = []
    for pos, m in enumerate(_TOKEN_RE.finditer(text)):
        raw = m.group()
        term = _TERM_CACHE.get(raw) or _term(raw)
        if term in terms:
            start, end = m.span()
            out.append(AnalyzedToken(term, pos, start, end))
    return out


def analyze_terms(text: str) -> list[str]:
    out = []
    for raw in _TOKEN_RE.findall(text):
        term = _TERM_CACHE.get(raw) or _term(raw)
        if term:
            out.append(term)
    return out


def words(text: str) -> list[str]:
    """Folded words (no stemming, stopwords kept): what autocomplete matches against."""
    out = []
    for raw in _TOKEN_RE.findall(text):
        word = fold(raw)
        if word and len(word) <= MAX_TOKEN_CHARS:
            out.append(word)
    return out


def sort_key(value: object) -> str:
    """Case- and accent-insensitive sort key for a text value (words joined by one space)."""
    return word_string(value if isinstance(value, str) else str(value))
