"""Parse what a patron types into a small query tree both search backends compile.

Syntax (OPAC style, forgiving)::

    sejarah jakarta            both words (AND is implicit)
    "ilmu perpustakaan"        exact phrase
    jakarta OR batavia         either word; OR binds tighter than the implicit AND,
                               so ``sejarah jakarta OR batavia`` = sejarah AND (jakarta OR batavia)
    -anak   NOT anak           exclude
    (kota OR desa) sejarah     grouping
    judul:arsip  title:"tata kelola"  author:(amir OR budi)
                               field prefix, only for schema TEXT/KEYWORD fields (and aliases);
                               any other ``x:y`` is ordinary text

Operators are recognised in upper case only (``or``/``dan``/``atau`` are words). Nothing
here raises on bad input: an unclosed quote is dropped, unbalanced parentheses are closed
or ignored, dangling operators and empty field prefixes are ignored, and very long or deeply
nested input is cut down (``MAX_TEXT_CHARS``, ``MAX_DEPTH``, ``MAX_CLAUSES``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pusip_kit.search import analysis

MAX_TEXT_CHARS = 1000
MAX_DEPTH = 16
MAX_CLAUSES = 64


@dataclass(frozen=True, slots=True)
class WordNode:
    text: str
    field: str | None = None


@dataclass(frozen=True, slots=True)
class PhraseNode:
    text: str
    field: str | None = None


@dataclass(frozen=True, slots=True)
class AndNode:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class OrNode:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class NotNode:
    item: Node


Node = WordNode | PhraseNode | AndNode | OrNode | NotNode


# --------------------------------------------------------------------------- lexer

_LPAREN, _RPAREN, _OR, _AND, _NOT, _NEG, _WORD, _PHRASE, _FIELD = range(9)
_STOP_CHARS = frozenset('()"')


def _lex(text: str, prefixes: Mapping[str, str]) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c == "(":
            out.append((_LPAREN, c))
            i += 1
        elif c == ")":
            out.append((_RPAREN, c))
            i += 1
        elif c == '"':
            j = text.find('"', i + 1)
            if j < 0:  # unclosed quote: forget the quote, keep the words
                i += 1
                continue
            out.append((_PHRASE, text[i + 1 : j]))
            i = j + 1
        elif c in "-+!" and i + 1 < n and not text[i + 1].isspace() and text[i + 1] not in "-+!":
            if c != "+":
                out.append((_NEG, c))
            i += 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in _STOP_CHARS:
                j += 1
            if j == i:  # a lone sign
                i += 1
                continue
            raw = text[i:j]
            i = j
            if raw in ("OR", "||"):
                out.append((_OR, raw))
            elif raw in ("AND", "&&"):
                out.append((_AND, raw))
            elif raw == "NOT":
                out.append((_NOT, raw))
            else:
                name, colon, rest = raw.partition(":")
                field = prefixes.get(name.lower()) if colon else None
                if field is None:
                    out.append((_WORD, raw))
                elif rest:
                    out.extend(((_FIELD, field), (_WORD, rest)))
                elif i < n and text[i] in '("':
                    out.append((_FIELD, field))
                # else ``title:`` followed by nothing usable: dropped
    return out


# --------------------------------------------------------------------------- parser


class _Parser:
    def __init__(self, tokens: list[tuple[int, str]]) -> None:
        self.toks = tokens
        self.pos = 0
        self.clauses = 0

    def peek(self) -> int | None:
        return self.toks[self.pos][0] if self.pos < len(self.toks) else None

    def query(self, depth: int, field: str | None) -> Node | None:
        items: list[Node] = []
        while self.pos < len(self.toks):
            kind = self.peek()
            if kind == _RPAREN:
                if depth > 0:
                    break
                self.pos += 1  # stray ')' at top level
                continue
            if kind in (_AND, _OR):  # dangling operator
                self.pos += 1
                continue
            node = self.disjunction(depth, field)
            if node is not None:
                items.append(node)
        return _and(items)

    def disjunction(self, depth: int, field: str | None) -> Node | None:
        items: list[Node] = []
        node = self.unary(depth, field)
        if node is not None:
            items.append(node)
        while self.peek() == _OR:
            while self.peek() in (_OR, _AND):  # ``a OR OR b``, ``a OR AND b``
                self.pos += 1
            if self.peek() in (None, _RPAREN):
                break
            node = self.unary(depth, field)
            if node is not None:
                items.append(node)
        return _or(items)

    def unary(self, depth: int, field: str | None) -> Node | None:
        negate = False
        while self.peek() in (_NEG, _NOT):
            negate = not negate
            self.pos += 1
        node = self.primary(depth, field)
        if node is None:
            return None
        return NotNode(node) if negate else node

    def primary(self, depth: int, field: str | None) -> Node | None:
        if self.pos >= len(self.toks):
            return None
        kind, value = self.toks[self.pos]
        if kind == _FIELD:
            self.pos += 1
            if self.peek() in (_WORD, _PHRASE, _LPAREN):
                return self.primary(depth, value)
            return None
        if kind == _LPAREN:
            self.pos += 1
            if depth >= MAX_DEPTH:  # too deep: read on as if the parenthesis were not there
                return None
            node = self.query(depth + 1, field)
            if self.peek() == _RPAREN:
                self.pos += 1
            return node
        if kind in (_WORD, _PHRASE):
            self.pos += 1
            self.clauses += 1
            if self.clauses > MAX_CLAUSES:
                return None
            return WordNode(value, field) if kind == _WORD else PhraseNode(value, field)
        if kind != _RPAREN:  # an operator where a term was expected (e.g. ``a OR AND b``)
            self.pos += 1
        return None


def _and(items: list[Node]) -> Node | None:
    flat: list[Node] = []
    for it in items:
        flat.extend(it.items if isinstance(it, AndNode) else (it,))
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else AndNode(tuple(flat))


def _or(items: list[Node]) -> Node | None:
    flat: list[Node] = []
    for it in items:
        flat.extend(it.items if isinstance(it, OrNode) else (it,))
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else OrNode(tuple(flat))


def parse(text: str | None, prefixes: Mapping[str, str] | None = None) -> Node | None:
    """Parse user text into a tree (``None`` when there is nothing to search for). Never raises."""
    if not text:
        return None
    text = text[:MAX_TEXT_CHARS]
    parser = _Parser(_lex(text, prefixes or {}))
    return parser.query(0, None)


# --------------------------------------------------------------------------- simplification


def prune(node: Node | None, keep: Callable[[WordNode | PhraseNode], bool]) -> Node | None:
    """Drop leaves ``keep`` rejects (e.g. stopword-only words), then simplify.

    A NOT whose operand vanished disappears; so does an OR or AND left empty.
    """
    if node is None:
        return None
    if isinstance(node, (WordNode, PhraseNode)):
        return node if keep(node) else None
    if isinstance(node, NotNode):
        inner = prune(node.item, keep)
        if inner is None:
            return None
        return inner.item if isinstance(inner, NotNode) else NotNode(inner)
    children = [c for c in (prune(c, keep) for c in node.items) if c is not None]
    if isinstance(node, AndNode):
        return _and(children)
    # an OR of only negations is "everything except the intersection": keep it as is
    return _or(children)


def analysed_keep(text_field_names: set[str]) -> Callable[[WordNode | PhraseNode], bool]:
    """The usual pruning rule: text leaves must leave at least one term after analysis."""

    def keep(leaf: WordNode | PhraseNode) -> bool:
        if leaf.field is not None and leaf.field not in text_field_names:
            return bool(leaf.text.strip())  # KEYWORD: the exact value
        return bool(analysis.analyze(leaf.text))

    return keep


def positive_leaves(node: Node | None) -> list[WordNode | PhraseNode]:
    """Leaves not under a NOT (what highlighting marks)."""
    out: list[WordNode | PhraseNode] = []

    def walk(n: Node, negated: bool) -> None:
        if isinstance(n, (WordNode, PhraseNode)):
            if not negated:
                out.append(n)
        elif isinstance(n, NotNode):
            walk(n.item, not negated)
        else:
            for c in n.items:
                walk(c, negated)

    if node is not None:
        walk(node, False)
    return out


def to_string(node: Node | None) -> str:
    """A canonical rendering, handy in tests and logs."""
    if node is None:
        return ""
    if isinstance(node, WordNode):
        return f"{node.field}:{node.text}" if node.field else node.text
    if isinstance(node, PhraseNode):
        return f'{node.field}:"{node.text}"' if node.field else f'"{node.text}"'
    if isinstance(node, NotNode):
        return f"-{to_string(node.item)}"
    if isinstance(node, OrNode):
        return "(" + " OR ".join(to_string(c) for c in node.items) + ")"
    return "(" + " ".join(to_string(c) for c in node.items) + ")"
