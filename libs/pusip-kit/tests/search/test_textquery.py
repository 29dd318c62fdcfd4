"""The OPAC text syntax parser: structure for good input, no exception for bad input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pusip_kit.search import textquery as tq

PREFIXES = {"title": "title", "judul": "title", "authors": "authors", "language": "language"}


def p(text: str) -> str:
    """Parse and prune as the backends do (leaves without any searchable term vanish)."""
    return tq.to_string(tq.prune(tq.parse(text, PREFIXES), tq.analysed_keep({"title", "authors"})))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ""),
        ("   ", ""),
        ("jakarta", "jakarta"),
        ("sejarah jakarta", "(sejarah jakarta)"),
        ("sejarah AND jakarta", "(sejarah jakarta)"),
        ('"ilmu perpustakaan"', '"ilmu perpustakaan"'),
        ('pengantar "ilmu perpustakaan"', '(pengantar "ilmu perpustakaan")'),
        ("jakarta OR batavia", "(jakarta OR batavia)"),
        ("sejarah jakarta OR batavia", "(sejarah (jakarta OR batavia))"),
        ("a OR b OR c", "(a OR b OR c)"),
        ("(kota OR desa) sejarah", "((kota OR desa) sejarah)"),
        ("-anak", "-anak"),
        ("sejarah -anak", "(sejarah -anak)"),
        ("sejarah NOT anak", "(sejarah -anak)"),
        ("NOT NOT anak", "anak"),
        ('-"kota tua"', '-"kota tua"'),
        ("-(a b)", "-(a b)"),
        ("title:arsip", "title:arsip"),
        ("judul:arsip", "title:arsip"),
        ("TITLE:arsip", "title:arsip"),
        ('title:"tata kelola"', 'title:"tata kelola"'),
        ("title:(amir OR budi)", "(title:amir OR title:budi)"),
        ("-title:arsip", "-title:arsip"),
        ("language:ind", "language:ind"),
        ("tahun:2005", "tahun:2005"),  # not a schema field: plain text
        ("http://contoh.id", "http://contoh.id"),
        ("e-book", "e-book"),  # a dash inside a word is no operator
        ("kopi or teh", "(kopi or teh)"),  # lower-case operators are words
        ("+wajib kata", "(wajib kata)"),
    ],
)
def test_structure(text: str, expected: str) -> None:
    assert p(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"ilmu perpustakaan', "(ilmu perpustakaan)"),  # unclosed quote: words
        ('a "b c" "d', '(a "b c" d)'),
        ("((jakarta", "jakarta"),
        ("jakarta))", "jakarta"),
        ("(a OR b", "(a OR b)"),
        ("title:", ""),
        ("title: arsip", "arsip"),
        ("title:(", ""),
        ("OR", ""),
        ("a OR", "a"),
        ("OR a", "a"),
        ("a OR OR b", "(a OR b)"),
        ("NOT", ""),
        ("a NOT", "a"),
        ("-", ""),
        ("a - b", "(a b)"),
        ("--a", "--a"),
        ("()", ""),
        ("(((())))", ""),
        ("a OR (", "a"),
        ("a OR -)", "a"),
    ],
)
def test_malformed_degrades(text: str, expected: str) -> None:
    assert p(text) == expected


def test_limits() -> None:
    deep = "(" * 300 + "x" + ")" * 300
    assert p(deep) == "x"
    many = " ".join(f"w{i}" for i in range(500))
    node = tq.parse(many, PREFIXES)
    assert isinstance(node, tq.AndNode) and len(node.items) == tq.MAX_CLAUSES
    assert tq.parse("a" * 50_000) == tq.WordNode("a" * tq.MAX_TEXT_CHARS)


def test_prune_stopwords_and_empty_negations() -> None:
    keep = tq.analysed_keep({"title", "authors"})
    assert (
        tq.to_string(tq.prune(tq.parse("buku yang dan perpustakaan", PREFIXES), keep))
        == "(buku perpustakaan)"
    )
    assert tq.prune(tq.parse("yang dan", PREFIXES), keep) is None
    assert tq.to_string(tq.prune(tq.parse("buku -yang", PREFIXES), keep)) == "buku"
    assert tq.to_string(tq.prune(tq.parse("yang OR buku", PREFIXES), keep)) == "buku"
    assert tq.to_string(tq.prune(tq.parse("language:yang", PREFIXES), keep)) == "language:yang"  # exact
    assert tq.prune(tq.parse('"!!!"', PREFIXES), keep) is None


def test_positive_leaves() -> None:
    node = tq.parse('a -b (c OR -d) -(e -f) "g h"', PREFIXES)
    assert [leaf.text for leaf in tq.positive_leaves(node)] == ["a", "c", "f", "g h"]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab "()-:OR NOTtitle*\\+!|&\u00e9\u200b')), max_size=60))
def test_never_raises_on_syntax_soup(text: str) -> None:
    node = tq.parse(text, PREFIXES)
    tq.prune(node, tq.analysed_keep({"title"}))
    tq.to_string(node)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_never_raises_on_any_unicode(text: str) -> None:
    tq.prune(tq.parse(text, PREFIXES), tq.analysed_keep({"title"}))
