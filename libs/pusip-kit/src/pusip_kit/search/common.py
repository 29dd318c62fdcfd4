"""Backend-independent pieces: document preparation, query planning, snippets, suggestions."""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from pusip_kit.search import analysis, textquery
from pusip_kit.search.model import FieldSpec, FieldType, IndexSchema, Range, SearchQuery

FRAGMENT_CHARS = 150
MAX_FRAGMENTS = 3
MARK_OPEN, MARK_CLOSE = "<mark>", "</mark>"


class DocumentError(ValueError):
    """A document value does not fit its field type."""


# --------------------------------------------------------------------------- documents


@dataclass(slots=True)
class PreparedDoc:
    id: str
    source: dict[str, Any]
    """JSON-ready source (what searches return); dates as ISO strings."""
    values: dict[str, list[Any]]
    """Coerced values of every indexed schema field (dates as aware UTC datetimes)."""


def to_datetime(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        out = value
    elif isinstance(value, dt.date):
        out = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        out = dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    else:
        raise DocumentError(f"not a date: {value!r}")
    return out.replace(tzinfo=dt.UTC) if out.tzinfo is None else out.astimezone(dt.UTC)


def coerce(spec: FieldSpec, value: Any) -> Any:
    try:
        match spec.type:
            case FieldType.TEXT | FieldType.KEYWORD:
                return value if isinstance(value, str) else str(value)
            case FieldType.INTEGER:
                if isinstance(value, bool):
                    raise DocumentError("boolean given for an integer")
                if isinstance(value, float) and not value.is_integer():
                    raise DocumentError("fractional value for an integer")
                return int(value)
            case FieldType.FLOAT:
                out = float(value)
                if not math.isfinite(out):
                    raise DocumentError("not a finite number")
                return out
            case FieldType.BOOLEAN:
                if isinstance(value, bool):
                    return value
                if value in (0, 1):
                    return bool(value)
                if isinstance(value, str) and value.lower() in ("true", "false"):
                    return value.lower() == "true"
                raise DocumentError("not a boolean")
            case FieldType.DATE:
                return to_datetime(value)
            case _:
                return value
    except (TypeError, ValueError) as exc:
        raise DocumentError(
            f"field {spec.name!r}: {value!r} is not a valid {spec.type.value} ({exc})"
        ) from exc


_PLANS: dict[int, tuple[IndexSchema, list[tuple[str, FieldSpec, bool]], frozenset[str]]] = {}
_TEXTY = (FieldType.TEXT, FieldType.KEYWORD)


def _plan(schema: IndexSchema) -> tuple[list[tuple[str, FieldSpec, bool]], frozenset[str]]:
    """Per schema: the indexed fields (name, spec, takes strings as they are) and the hidden ones."""
    hit = _PLANS.get(id(schema))
    if hit is None or hit[0] is not schema:
        indexed = [
            (f.name, f, f.type in _TEXTY) for f in schema.fields if f.type is not FieldType.STORED_ONLY
        ]
        hit = (schema, indexed, frozenset(f.name for f in schema.fields if not f.stored))
        _PLANS[id(schema)] = hit
    return hit[1], hit[2]


def prepare(schema: IndexSchema, doc: Mapping[str, Any], *, with_source: bool = True) -> PreparedDoc:
    raw_id = doc.get(schema.id_field)
    if raw_id is None or raw_id == "":
        raise DocumentError(f"document without {schema.id_field!r}")
    doc_id = str(raw_id)
    indexed, hidden = _plan(schema)
    values: dict[str, list[Any]] = {}
    for name, spec, texty in indexed:
        value = doc.get(name)
        if value is None:
            continue
        items = value if isinstance(value, (list, tuple, set, frozenset)) else (value,)
        if texty:
            coerced = [v if type(v) is str else coerce(spec, v) for v in items if v is not None]
        else:
            coerced = [coerce(spec, v) for v in items if v is not None]
        if coerced:
            values[name] = coerced
    if not with_source:  # the caller serialises the source itself
        return PreparedDoc(doc_id, {}, values)
    source = {k: v for k, v in doc.items() if k not in hidden}
    source[schema.id_field] = doc_id
    source = orjson.loads(orjson.dumps(source, default=str, option=orjson.OPT_NON_STR_KEYS))
    return PreparedDoc(doc_id, source, values)


def int_bounds(f: Range) -> tuple[int | None, int | None]:
    """Inclusive integer bounds of a range filter on an INTEGER field."""
    (lo, lo_inc), (hi, hi_inc) = f.lower, f.upper
    low = high = None
    if lo is not None:
        x = _as_float(lo)
        low = math.ceil(x) if lo_inc else math.floor(x) + 1
    if hi is not None:
        x = _as_float(hi)
        high = math.floor(x) if hi_inc else math.ceil(x) - 1
    return low, high


def _as_float(v: Any) -> float:
    if isinstance(v, (dt.date, dt.datetime)):
        raise DocumentError("a date bound for a number field")
    return float(v)


def range_value(spec: FieldSpec, v: Any) -> Any:
    """A non-integer range bound as the backends need it (aware datetime or float)."""
    return to_datetime(v) if spec.type is FieldType.DATE else _as_float(v)


# --------------------------------------------------------------------------- query planning


@dataclass(slots=True)
class TextPlan:
    """The parsed, pruned text tree plus what each backend needs around it."""

    node: textquery.Node | None
    default_fields: list[FieldSpec]
    highlight_terms: dict[str, set[str]] = field(default_factory=dict)


def plan_text(schema: IndexSchema, q: SearchQuery) -> TextPlan:
    text_names = {f.name for f in schema.text_fields}
    default_fields = [schema.field(n) for n in q.text_fields] if q.text_fields else schema.text_fields
    node = textquery.parse(q.text, schema.prefixes)
    node = textquery.prune(node, textquery.analysed_keep(text_names))
    plan = TextPlan(node, default_fields)
    if q.highlight and node is not None:
        default_names = {f.name for f in default_fields}
        for leaf in textquery.positive_leaves(node):
            targets = default_names if leaf.field is None else {leaf.field} & text_names
            terms = analysis.analyze_terms(leaf.text)
            for name in targets:
                if name in q.highlight:
                    plan.highlight_terms.setdefault(name, set()).update(terms)
    return plan


# --------------------------------------------------------------------------- snippets


def highlight_value(
    text: str, terms: set[str], *, fragment_chars: int = FRAGMENT_CHARS, max_fragments: int = MAX_FRAGMENTS
) -> list[str]:
    """HTML fragments of ``text`` with tokens whose analysed form is in ``terms`` in ``<mark>``.

    Text is HTML-escaped; only the marks are markup. Returns ``[]`` when nothing matches.
    """
    matches = analysis.matches(text, terms)
    if not matches:
        return []
    if len(text) <= fragment_chars:
        return [_render(text, 0, len(text), matches)]
    fragments: list[str] = []
    i = 0
    while i < len(matches) and len(fragments) < max_fragments:
        first = matches[i]
        start = max(0, first.start - fragment_chars // 4)
        if start > 0:  # start on a word boundary
            space = text.rfind(" ", 0, start + 1)
            start = space + 1 if space >= 0 and first.start - space <= fragment_chars // 2 else first.start
        end = min(len(text), start + fragment_chars)
        if end < len(text):
            space = text.rfind(" ", first.end, end)
            end = space if space > first.end else max(end, first.end)
        inside = [m for m in matches[i:] if m.end <= end]
        fragments.append(_render(text, start, end, inside).strip())
        i += max(1, len(inside))
    return fragments


def _render(text: str, start: int, end: int, matches: Sequence[analysis.AnalyzedToken]) -> str:
    out: list[str] = []
    pos = start
    for m in matches:
        if m.start < pos or m.end > end:
            continue
        out.append(html.escape(text[pos : m.start]))
        out.append(MARK_OPEN + html.escape(text[m.start : m.end]) + MARK_CLOSE)
        pos = m.end
    out.append(html.escape(text[pos:end]))
    return "".join(out)


def highlights_for(
    source: Mapping[str, Any], highlight_terms: Mapping[str, set[str]]
) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, terms in highlight_terms.items():
        value = source.get(name)
        if value is None or not terms:
            continue
        values = value if isinstance(value, list) else [value]
        frags: list[str] = []
        for v in values:
            if isinstance(v, str):
                frags.extend(highlight_value(v, terms))
        if frags:
            out[name] = frags[:MAX_FRAGMENTS]
    return out


# --------------------------------------------------------------------------- autocomplete


@dataclass(slots=True)
class Typed:
    """What was typed so far: complete words and the word being typed (prefix)."""

    done: list[str]
    last: str | None


def parse_typed(prefix: str, max_words: int = 8) -> Typed | None:
    ws = analysis.words(prefix[:200])
    if not ws:
        return None
    ws = ws[-max_words:]
    if prefix[-1:].isspace():
        return Typed(ws, None)
    return Typed(ws[:-1], ws[-1])


def value_matches(value: str, typed: Typed) -> bool:
    return _words_match(analysis.words(value), typed)


def _words_match(ws: list[str], typed: Typed) -> bool:
    present = set(ws)
    if any(d not in present for d in typed.done):
        return False
    last = typed.last
    return last is None or any(w.startswith(last) for w in ws)


def merge_suggestions(candidates: Iterable[tuple[str, int]], typed: Typed, size: int) -> list[str]:
    """Matching values, most frequent first, then by sort key.

    Counted before matching (values repeat), and matched on the sort key's words, which are the
    value's :func:`~pusip_kit.search.analysis.words` and cached for short values.
    """
    counts: dict[str, int] = {}
    for value, count in candidates:
        counts[value] = counts.get(value, 0) + count
    ranked: list[tuple[int, str, str]] = []
    for value, count in counts.items():
        key = analysis.sort_key(value)
        if _words_match(key.split(" ") if key else [], typed):
            ranked.append((-count, key, value))
    ranked.sort()
    return [v for _, _, v in ranked[:size]]


def autocomplete_fields(schema: IndexSchema, fields: Sequence[str] | None) -> list[FieldSpec]:
    specs = [f for f in schema.fields if f.autocomplete]
    if fields is not None:
        wanted = set(fields)
        specs = [f for f in specs if f.name in wanted]
    return specs


def facet_value(value: Any, spec: FieldSpec) -> str | int | float | bool:
    if spec.type is FieldType.BOOLEAN:
        return bool(value)
    if spec.type is FieldType.INTEGER:
        return int(value)
    if spec.type is FieldType.FLOAT:
        return float(value)
    return str(value)
