import pytest

from catalog.sru.cql import (
    QUERY_SYNTAX_ERROR,
    UNSUPPORTED_BOOLEAN,
    UNSUPPORTED_INDEX,
    UNSUPPORTED_RELATION,
    CqlError,
    cql_to_text,
)
from pusip_kit.search.textquery import parse, to_string

INDEXES = {
    "cql.serverChoice": None,
    "dc.title": "title",
    "dc.creator": "author",
    "dc.subject": "subject",
    "bath.isbn": "isbn",
}


@pytest.mark.parametrize(
    ("cql", "text"),
    [
        ("perpustakaan", "perpustakaan"),
        ("dc.title = perpustakaan", "title:perpustakaan"),
        ('dc.title = "ilmu perpustakaan"', "(title:ilmu title:perpustakaan)"),
        ('dc.title == "ilmu perpustakaan"', 'title:"ilmu perpustakaan"'),
        ('dc.title any "kota desa"', "(title:kota OR title:desa)"),
        ("dc.creator = amir and dc.subject = sejarah", "(author:amir subject:sejarah)"),
        ("a or b and c", "((a OR b) c)"),  # CQL booleans are left-associative with equal precedence
        ("a and (b or c)", "(a (b OR c))"),
        ("sejarah not jakarta", "(sejarah -jakarta)"),
        ("bath.isbn = 9786020332949", "isbn:9786020332949"),
        ("DC.TITLE = arsip", "title:arsip"),
    ],
)
def test_cql_compiles_to_search_text(cql: str, text: str) -> None:
    compiled = cql_to_text(cql, INDEXES)
    assert compiled == text
    # what the catalogue's own parser reads back is the same tree
    assert (
        to_string(
            parse(compiled, {"title": "title", "author": "author", "subject": "subject", "isbn": "isbn"})
        )
        == text
    )


@pytest.mark.parametrize(
    ("cql", "diagnostic"),
    [
        ("", QUERY_SYNTAX_ERROR),
        ("(a and b", QUERY_SYNTAX_ERROR),
        ("a and", QUERY_SYNTAX_ERROR),
        ("a b", QUERY_SYNTAX_ERROR),
        ("dc.date = 2020", UNSUPPORTED_INDEX),
        ("dc.title > arsip", UNSUPPORTED_RELATION),
        ("dc.title =/stem arsip", UNSUPPORTED_RELATION),
        ("a prox b", UNSUPPORTED_BOOLEAN),
        ("(" * 50 + "a" + ")" * 50, QUERY_SYNTAX_ERROR),
    ],
)
def test_errors_carry_sru_diagnostics(cql: str, diagnostic: int) -> None:
    with pytest.raises(CqlError) as err:
        cql_to_text(cql, INDEXES)
    assert err.value.diagnostic == diagnostic
