"""A CQL (Contextual Query Language) parser compiled into the catalogue's search syntax.

Supported: indexes mapped by the caller (e.g. ``cql.serverChoice``, ``dc.title``, ``dc.creator``,
``dc.subject``, ``bath.isbn``), relations ``=``, ``==``, ``exact``, ``all``, ``any``, ``adj``,
booleans ``and``, ``or``, ``not`` (left-associative, equal precedence, as CQL defines), brackets and
quoted terms. Anything else raises :class:`CqlError` carrying the SRU diagnostic number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from pusip_kit.search.textquery import AndNode, Node, NotNode, OrNode, PhraseNode, WordNode, to_string

MAX_QUERY_CHARS = 2000
MAX_DEPTH = 20

# SRU diagnostics (info:srw/diagnostic/1/N)
QUERY_SYNTAX_ERROR = 10
UNSUPPORTED_INDEX = 16
UNSUPPORTED_RELATION = 19
UNSUPPORTED_BOOLEAN = 37


class CqlError(ValueError):
    def __init__(self, diagnostic: int, message: str, details: str = "") -> None:
        super().__init__(message)
        self.diagnostic, self.message, self.details = diagnostic, message, details


@dataclass(frozen=True)
class _Tok:
    kind: str  # "word" | "string" | "(" | ")" | "rel" | "/"
    text: str


_TOKEN = re.compile(
    r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<rel>==|<>|>=|<=|[=<>])|(?P<punct>[()/])|(?P<word>[^\s()"=<>/]+))'
)


def _lex(text: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        m = _TOKEN.match(text, position)
        if not m or m.end() == position:
            raise CqlError(QUERY_SYNTAX_ERROR, "Query syntax error", text[position : position + 20])
        if m["str"] is not None:
            tokens.append(_Tok("string", re.sub(r"\\(.)", r"\1", m["str"][1:-1])))
        elif m["rel"] is not None:
            tokens.append(_Tok("rel", m["rel"]))
        elif m["punct"] is not None:
            tokens.append(_Tok(m["punct"], m["punct"]))
        else:
            tokens.append(_Tok("word", m["word"]))
        position = m.end()
    return tokens


_BOOLEANS = {"and", "or", "not", "prox"}
_NAMED_RELATIONS = {"exact", "all", "any", "adj", "within", "encloses"}


class _Parser:
    def __init__(self, tokens: list[_Tok], indexes: Mapping[str, str | None]) -> None:
        self.tokens, self.i, self.indexes = tokens, 0, {k.lower(): v for k, v in indexes.items()}

    def peek(self, offset: int = 0) -> _Tok | None:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else None

    def take(self) -> _Tok:
        tok = self.peek()
        if tok is None:
            raise CqlError(QUERY_SYNTAX_ERROR, "Query syntax error", "unexpected end of query")
        self.i += 1
        return tok

    def query(self, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise CqlError(QUERY_SYNTAX_ERROR, "Query syntax error", "too deeply nested")
        node = self.clause(depth)
        while (tok := self.peek()) is not None and tok.kind == "word" and tok.text.lower() in _BOOLEANS:
            op = self.take().text.lower()
            if self.peek() is not None and self.peek().kind == "/":  # type: ignore[union-attr]
                raise CqlError(UNSUPPORTED_BOOLEAN, "Unsupported boolean modifier", op)
            if op == "prox":
                raise CqlError(UNSUPPORTED_BOOLEAN, "Unsupported boolean operator", op)
            right = self.clause(depth)
            if op == "and":
                node = AndNode((node, right))
            elif op == "or":
                node = OrNode((node, right))
            else:
                node = AndNode((node, NotNode(right)))
        return node

    def clause(self, depth: int) -> Node:
        tok = self.take()
        if tok.kind == "(":
            node = self.query(depth + 1)
            if self.take().kind != ")":
                raise CqlError(QUERY_SYNTAX_ERROR, "Query syntax error", "missing )")
            return node
        if tok.kind not in ("word", "string"):
            raise CqlError(QUERY_SYNTAX_ERROR, "Query syntax error", tok.text)
        nxt = self.peek()
        relation_follows = nxt is not None and (
            nxt.kind == "rel" or (nxt.kind == "word" and nxt.text.lower() in _NAMED_RELATIONS)
        )
        if tok.kind == "word" and relation_follows:
            index = tok.text.lower()
            relation = self.take().text.lower()
            if self.peek() is not None and self.peek().kind == "/":  # type: ignore[union-attr]
                raise CqlError(UNSUPPORTED_RELATION, "Unsupported relation modifier", relation)
            term = self.take()
            if term.kind not in ("word", "string"):
                raise CqlError(QUERY_SYNTAX_ERROR, "Query syntax error", term.text)
            return self.search(index, relation, term.text)
        return self.search("cql.serverchoice", "=", tok.text)

    def search(self, index: str, relation: str, term: str) -> Node:
        if index not in self.indexes:
            raise CqlError(UNSUPPORTED_INDEX, "Unsupported index", index)
        field = self.indexes[index]
        words = [_clean(w) for w in term.split()]
        words = [w for w in words if w]
        if not words:
            raise CqlError(QUERY_SYNTAX_ERROR, "Query syntax error", "empty search term")
        if relation in ("==", "exact", "adj"):
            return PhraseNode(" ".join(words), field)
        if relation in ("=", "all"):
            leaves = [WordNode(w, field) for w in words]
            return leaves[0] if len(leaves) == 1 else AndNode(tuple(leaves))
        if relation == "any":
            leaves = [WordNode(w, field) for w in words]
            return leaves[0] if len(leaves) == 1 else OrNode(tuple(leaves))
        raise CqlError(UNSUPPORTED_RELATION, "Unsupported relation", relation)


def _clean(word: str) -> str:
    # characters the catalogue's text syntax would read as operators; CQL masking is not supported
    return word.replace('"', "").replace("(", "").replace(")", "").replace(":", "").strip("*?^-")


def parse_cql(query: str, indexes: Mapping[str, str | None]) -> Node:
    if not query or not query.strip():
        raise CqlError(QUERY_SYNTAX_ERROR, "Query syntax error", "empty query")
    if len(query) > MAX_QUERY_CHARS:
        raise CqlError(QUERY_SYNTAX_ERROR, "Query syntax error", "query too long")
    parser = _Parser(_lex(query), indexes)
    node = parser.query(0)
    if parser.peek() is not None:
        raise CqlError(QUERY_SYNTAX_ERROR, "Query syntax error", f"unexpected {parser.peek().text!r}")  # type: ignore[union-attr]
    return node


def cql_to_text(query: str, indexes: Mapping[str, str | None]) -> str:
    """The catalogue search text equivalent to a CQL query."""
    return to_string(parse_cql(query, indexes))
