"""Accessible charts drawn on the server as SVG, for every service's portal pages.

No JavaScript and nothing from another site: the portal's CSP allows neither. A chart takes the
``{labels, datasets: [{label, data}]}`` shape the services' dashboard endpoints return and draws

* ``bar`` — grouped vertical bars, one group per label, one bar per dataset;
* ``hbar`` — the same lying down, for long labels (component names, library names);
* ``stacked`` — the datasets stacked per label, with the total above each stack;
* ``line`` — one line per dataset over the labels (a ``None`` leaves a gap);
* ``pie`` and ``donut`` — the first dataset's share per label.

Each chart has its title drawn in, axis labels, value labels where they fit, a legend, an SVG
``<title>``/``<desc>`` (``role="img"``, read out by screen readers), a tooltip (``<title>``) on
every mark, and — in :func:`render_chart` — the numbers as a table in a ``<details>`` element
below it. Every label is escaped. Numbers are written the reader's way (``1.234,5`` in Indonesian,
``1,234.5`` in English).

In templates (the portal registers it as a global)::

    {{ chart(table.chart, kind="stacked", title=t("dash.libraries"), x_label=t("dash.city"),
             y_label=t("dash.count")) }}

and in Python::

    svg = render_svg({"labels": ["A", "B"], "datasets": [{"label": "n", "data": [3, 5]}]},
                     kind="bar", title="Peringkat")
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

import jinja2
from babel.numbers import format_decimal
from markupsafe import Markup, escape

__all__ = [
    "PALETTE",
    "ChartData",
    "ChartKind",
    "ChartText",
    "Dataset",
    "format_number",
    "jinja_chart",
    "nice_scale",
    "render_chart",
    "render_svg",
    "render_table",
]

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', Arial, sans-serif"
INK = "#1c2a30"
INK_SOFT = "#4a5c64"
GRID = "#dbe3e6"
AXIS = "#9aa9af"

# Distinguishable for the common colour-vision deficiencies (after Okabe & Ito), starting with
# the portal's own teal and orange.
PALETTE: tuple[str, ...] = (
    "#0b5563",
    "#e69f00",
    "#56b4e9",
    "#009e73",
    "#cc79a7",
    "#d55e00",
    "#0072b2",
    "#8c6d31",
    "#6a4c93",
    "#7f8c8d",
)


class ChartKind(StrEnum):
    BAR = "bar"
    HBAR = "hbar"
    STACKED = "stacked"
    LINE = "line"
    PIE = "pie"
    DONUT = "donut"


@dataclass(frozen=True)
class ChartText:
    """The words a chart says around the numbers; Indonesian unless built from a translator."""

    table: str = "Tabel data"
    category: str = "Kategori"
    total: str = "Jumlah"
    share: str = "Persentase"
    no_data: str = "Belum ada data"
    kind_bar: str = "Diagram batang"
    kind_hbar: str = "Diagram batang mendatar"
    kind_stacked: str = "Diagram batang bertumpuk"
    kind_line: str = "Diagram garis"
    kind_pie: str = "Diagram lingkaran"
    kind_donut: str = "Diagram donat"
    summary: str = "{kind}: {series} seri, {categories} kategori."
    highest: str = "Nilai tertinggi {value} ({label})."
    lowest: str = "Nilai terendah {value} ({label})."
    pie_summary: str = "{kind}: {categories} bagian, jumlah {total}."
    largest: str = "Bagian terbesar {label}: {value} ({percent})."

    @classmethod
    def from_translator(cls, t: Callable[..., str]) -> ChartText:
        """Read ``chart.<field>`` from the portal catalogs; a missing key keeps the default."""
        values: dict[str, str] = {}
        for f in fields(cls):
            key = f"chart.{f.name}"
            text = t(key)
            if text != key:
                values[f.name] = text
        return cls(**values)

    def kind_name(self, kind: ChartKind) -> str:
        return str(getattr(self, f"kind_{kind.value}"))


@dataclass(frozen=True)
class Dataset:
    label: str
    data: tuple[float | None, ...]


@dataclass(frozen=True)
class ChartData:
    labels: tuple[str, ...]
    datasets: tuple[Dataset, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, value: ChartData | Mapping[str, Any] | Any) -> ChartData:
        """From the services' chart shape (a mapping or a pydantic model); tolerant of gaps:
        a dataset shorter than the labels is padded with ``None``, text numbers are read."""
        if isinstance(value, ChartData):
            return value
        if hasattr(value, "model_dump"):
            value = value.model_dump()
        if not isinstance(value, Mapping):
            raise TypeError(f"chart data must be a mapping with labels and datasets, not {type(value)!r}")
        labels = tuple("" if x is None else str(x) for x in value.get("labels") or ())
        datasets = []
        for raw in value.get("datasets") or ():
            if hasattr(raw, "model_dump"):
                raw = raw.model_dump()
            data = [_number(x) for x in (raw.get("data") or ())][: len(labels)]
            data += [None] * (len(labels) - len(data))
            datasets.append(Dataset(str(raw.get("label") or ""), tuple(data)))
        return cls(labels, tuple(datasets))

    def relabel(
        self,
        labels: Callable[[str], str] | None = None,
        series: Callable[[str], str] | None = None,
    ) -> ChartData:
        """The same numbers with display names (e.g. ``jakarta-pusat`` → ``Jakarta Pusat``)."""
        return ChartData(
            tuple(labels(x) for x in self.labels) if labels else self.labels,
            tuple(Dataset(series(d.label) if series else d.label, d.data) for d in self.datasets),
        )

    @property
    def values(self) -> list[float]:
        return [v for d in self.datasets for v in d.data if v is not None]

    @property
    def whole(self) -> bool:
        """Every value is a whole number (counts)."""
        return all(float(v).is_integer() for v in self.values)

    @property
    def empty(self) -> bool:
        return not self.labels or not self.datasets or not any(self.values)


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


# -- numbers ------------------------------------------------------------------------------------


def format_number(value: float | None, lang: str = "id", *, decimals: int = 2) -> str:
    """``1234.5`` → ``1.234,5`` (id) or ``1,234.5`` (en); at most ``decimals`` decimals."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "#" * decimals if decimals > 0 else "")
    return str(format_decimal(round(value, decimals), format=pattern, locale="en" if lang == "en" else "id"))


def format_percent(value: float, lang: str = "id") -> str:
    return format_number(value, lang, decimals=1) + "%"


def nice_scale(low: float, high: float, ticks: int = 5, *, whole: bool = False) -> tuple[float, float, float]:
    """An axis from ``low`` to ``high`` in round steps (1, 2, 2.5 or 5 × 10ⁿ); always spans zero.
    ``whole``: the values are counts, so the steps are whole numbers too."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        high = low + 1.0
    raw = (high - low) / max(ticks, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if whole:
        step = float(max(1, math.ceil(step)))
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


# -- SVG building -------------------------------------------------------------------------------


def _e(text: object) -> str:
    return str(escape(str(text)))


def _f(value: float) -> str:
    """Coordinates with at most two decimals."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _text_width(text: str, size: float) -> float:
    """A fair estimate of a label's width in a sans-serif font (no font metrics on the server)."""
    wide = sum(1 for ch in text if ch.isupper() or ch in "mwMW@%")
    return (len(text) * 0.56 + wide * 0.12) * size


def _wrap(text: str, width: float, size: float, max_lines: int = 3) -> list[str]:
    """Split a label into lines that fit ``width``; the last line is cut with an ellipsis."""
    if _text_width(text, size) <= width:
        return [text]
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and _text_width(candidate, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], " ".join(lines[max_lines - 1 :])]
    last = lines[-1]
    while len(last) > 1 and _text_width(last, size) > width:
        last = last[:-2] + "…"
    lines[-1] = last
    return lines


def _contrast_ink(fill: str) -> str:
    """Black or white text, whichever reads better on ``fill``."""
    r, g, b = (int(fill[i : i + 2], 16) / 255 for i in (1, 3, 5))

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
    return INK if luminance > 0.35 else "#ffffff"


def _safe_id(value: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", value).strip("-")
    if not cleaned or not cleaned[0].isalpha():
        cleaned = f"chart-{cleaned}".rstrip("-")
    return cleaned


@dataclass
class _Canvas:
    width: int
    height: int
    parts: list[str] = field(default_factory=list)

    def add(self, markup: str) -> None:
        self.parts.append(markup)

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float = 12,
        anchor: str = "middle",
        fill: str = INK_SOFT,
        weight: str | None = None,
        cls: str | None = None,
        rotate: float | None = None,
        lines: Sequence[str] | None = None,
    ) -> None:
        attrs = [f'x="{_f(x)}"', f'y="{_f(y)}"', f'font-size="{_f(size)}"', f'fill="{fill}"']
        if anchor != "start":
            attrs.append(f'text-anchor="{anchor}"')
        if weight:
            attrs.append(f'font-weight="{weight}"')
        if cls:
            attrs.append(f'class="{cls}"')
        if rotate is not None:
            attrs.append(f'transform="rotate({_f(rotate)} {_f(x)} {_f(y)})"')
        if lines and len(lines) > 1:
            spans = "".join(
                f'<tspan x="{_f(x)}" dy="{_f(0 if i == 0 else size * 1.15)}">{_e(line)}</tspan>'
                for i, line in enumerate(lines)
            )
            self.add(f"<text {' '.join(attrs)}>{spans}</text>")
        else:
            self.add(f"<text {' '.join(attrs)}>{_e(lines[0] if lines else text)}</text>")


@dataclass
class _Options:
    kind: ChartKind
    title: str
    x_label: str | None
    y_label: str | None
    width: int
    height: int
    chart_id: str
    lang: str
    text: ChartText
    decimals: int
    value_labels: bool | None
    colors: tuple[str, ...]
    unit: str
    legend: bool | None = None

    def fmt(self, value: float | None) -> str:
        out = format_number(value, self.lang, decimals=self.decimals)
        return f"{out}{self.unit}" if value is not None and self.unit else out

    def color(self, index: int) -> str:
        return self.colors[index % len(self.colors)]


def _legend(canvas: _Canvas, items: Sequence[tuple[str, str]], x0: float, y0: float, width: float) -> float:
    """Swatches with names, wrapped into rows; returns the height used."""
    if not items:
        return 0.0
    size, row_h, gap = 12.0, 18.0, 16.0
    x, y = x0, y0
    canvas.add('<g class="chart-legend">')
    for name, color in items:
        label = name if _text_width(name, size) <= width - 20 else _wrap(name, width - 20, size, 1)[0]
        item_w = 14 + _text_width(label, size) + gap
        if x > x0 and x + item_w > x0 + width:
            x, y = x0, y + row_h
        canvas.add(
            f'<rect x="{_f(x)}" y="{_f(y - 10)}" width="10" height="10" rx="2" fill="{color}">'
            f"<title>{_e(name)}</title></rect>"
        )
        canvas.text(x + 14, y, label, size=size, anchor="start", fill=INK)
        x += item_w
    canvas.add("</g>")
    return y - y0 + row_h


def _header(canvas: _Canvas, opts: _Options, legend: Sequence[tuple[str, str]]) -> float:
    """Title and legend at the top; returns where the plot may start."""
    title_lines = _wrap(opts.title, opts.width - 24, 15, 2) if opts.title else []
    y = 22.0
    if title_lines:
        canvas.text(12, y, opts.title, size=15, anchor="start", fill=INK, weight="700", lines=title_lines)
        y += 15 * 1.15 * (len(title_lines) - 1) + 24
    y += _legend(canvas, legend, 12, y, opts.width - 24)
    return y + 4


def _axes(
    canvas: _Canvas,
    opts: _Options,
    top: float,
    labels: Sequence[str],
    low: float,
    high: float,
    step: float,
) -> tuple[float, float, float, float, Callable[[float], float]]:
    """Grid, y ticks, x labels and axis titles; returns the plot box and the y mapping."""
    tick_size, label_size = 11.0, 12.0
    ticks = []
    value = low
    while value <= high + step / 1000:
        ticks.append(value)
        value += step
    tick_w = max(_text_width(opts.fmt(v), tick_size) for v in ticks)
    left = 12 + (20 if opts.y_label else 0) + tick_w + 8
    right = opts.width - 14
    n = max(len(labels), 1)
    slot = (right - left) / n
    wrapped = [_wrap(label, max(slot - 6, 24), label_size, 3) for label in labels]
    rotate = any(_text_width(line, label_size) > slot + 2 for lines in wrapped for line in lines)
    if rotate:
        longest = max((_text_width(label, label_size) for label in labels), default=0)
        x_band = min(longest, 130) * 0.72 + 12
    else:
        x_band = max((len(lines) for lines in wrapped), default=1) * label_size * 1.15 + 10
    bottom = opts.height - 10 - (20 if opts.x_label else 0) - x_band
    bottom = max(bottom, top + 60)

    def y_of(v: float) -> float:
        return bottom - (v - low) / (high - low) * (bottom - top)

    canvas.add('<g class="chart-grid">')
    for v in ticks:
        y = y_of(v)
        canvas.add(
            f'<line x1="{_f(left)}" x2="{_f(right)}" y1="{_f(y)}" y2="{_f(y)}" '
            f'stroke="{AXIS if v == 0 else GRID}" stroke-width="1"/>'
        )
        canvas.text(left - 6, y + 4, opts.fmt(v), size=tick_size, anchor="end")
    canvas.add("</g>")
    canvas.add('<g class="chart-x-labels">')
    for i, label in enumerate(labels):
        cx = left + slot * (i + 0.5)
        if rotate:
            short = label if _text_width(label, label_size) <= 130 else _wrap(label, 130, label_size, 1)[0]
            canvas.text(cx + 4, bottom + 14, label, size=label_size, anchor="end", rotate=-40, lines=[short])
        else:
            canvas.text(cx, bottom + 16, label, size=label_size, lines=wrapped[i])
    canvas.add("</g>")
    if opts.x_label:
        canvas.text((left + right) / 2, opts.height - 10, opts.x_label, size=12, fill=INK, weight="600")
    if opts.y_label:
        cy = (top + bottom) / 2
        canvas.text(16, cy, opts.y_label, size=12, fill=INK, weight="600", rotate=-90)
    return left, right, top, bottom, y_of


def _mark_title(series: str, label: str, value: str) -> str:
    return f"<title>{_e(f'{series} — {label}: {value}' if series else f'{label}: {value}')}</title>"


def _legend_items(data: ChartData, opts: _Options) -> list[tuple[str, str]]:
    """A legend when there is more than one dataset (or when asked for)."""
    shown = opts.legend if opts.legend is not None else len(data.datasets) > 1
    return [(d.label, opts.color(i)) for i, d in enumerate(data.datasets)] if shown else []


def _draw_bars(canvas: _Canvas, data: ChartData, opts: _Options, *, stacked: bool) -> None:
    multi = len(data.datasets) > 1
    legend = _legend_items(data, opts)
    top = _header(canvas, opts, legend)
    n = len(data.labels)
    if stacked:
        pos = [sum(max(d.data[i] or 0, 0) for d in data.datasets) for i in range(n)]
        neg = [sum(min(d.data[i] or 0, 0) for d in data.datasets) for i in range(n)]
        low, high = min(neg, default=0), max(pos, default=0)
    else:
        low, high = min(data.values, default=0), max(data.values, default=0)
    low, high, step = nice_scale(low, high * 1.08 if high > 0 else high, whole=data.whole)
    left, right, top, _bottom, y_of = _axes(canvas, opts, top + 8, data.labels, low, high, step)
    slot = (right - left) / max(n, 1)
    group = slot * (0.62 if stacked else 0.8)
    bars = 1 if stacked else max(len(data.datasets), 1)
    bar_w = group / bars
    show_values = opts.value_labels if opts.value_labels is not None else True
    zero = y_of(0)
    canvas.add('<g class="chart-marks">')
    for i, label in enumerate(data.labels):
        x_group = left + slot * i + (slot - group) / 2
        up, down = 0.0, 0.0
        for j, dataset in enumerate(data.datasets):
            value = dataset.data[i]
            if value is None:
                continue
            color = opts.color(j)
            if stacked:
                base = up if value >= 0 else down
                y1, y2 = y_of(base), y_of(base + value)
                if value >= 0:
                    up += value
                else:
                    down += value
                x = x_group
            else:
                y1, y2 = zero, y_of(value)
                x = x_group + j * bar_w
            y, h = min(y1, y2), abs(y2 - y1)
            w = max(bar_w - (0 if stacked else min(2.0, bar_w * 0.15)), 1.0)
            canvas.add(
                f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(w)}" height="{_f(max(h, 0.5 if value else 0))}" '
                f'fill="{color}" class="chart-bar">'
                f"{_mark_title(dataset.label if multi else '', label, opts.fmt(value))}</rect>"
            )
            if not show_values or (value == 0 and multi):
                continue
            text = opts.fmt(value)
            if stacked:
                parts = sum(1 for d in data.datasets if d.data[i])
                if parts > 1 and h >= 15 and _text_width(text, 10.5) <= w - 4:
                    canvas.text(x + w / 2, y + h / 2 + 4, text, size=10.5, fill=_contrast_ink(color))
            else:
                for size in (11.0, 9.5):
                    if _text_width(text, size) <= bar_w + slot * 0.1 * (1 if bars == 1 else 0.3):
                        ty = y - 4 if value >= 0 else y + h + size
                        canvas.text(x + w / 2, ty, text, size=size, fill=INK, cls="chart-value")
                        break
        if stacked and multi and (up or down):
            total = up + down
            canvas.text(
                x_group + bar_w / 2,
                y_of(up) - 5,
                opts.fmt(total),
                size=11,
                fill=INK,
                weight="700",
                cls="chart-value",
            )
    canvas.add("</g>")


def _draw_hbars(canvas: _Canvas, data: ChartData, opts: _Options) -> None:
    """Horizontal grouped bars: labels on the left (wrapped), values to the right of each bar."""
    multi = len(data.datasets) > 1
    legend = _legend_items(data, opts)
    top = _header(canvas, opts, legend) + 4
    n, m = len(data.labels), max(len(data.datasets), 1)
    label_size, tick_size = 12.0, 11.0
    low, high = min(data.values, default=0), max(data.values, default=0)
    low, high, step = nice_scale(low, high, whole=data.whole)
    value_w = max((_text_width(opts.fmt(v), 11) for v in data.values), default=0) + 10
    longest = max((_text_width(label, label_size) for label in data.labels), default=0)
    label_w = min(longest, opts.width * 0.32)
    wrapped = [_wrap(label, label_w, label_size, 2) for label in data.labels]
    left = 12 + (20 if opts.x_label else 0) + label_w + 10
    right = opts.width - 14 - value_w
    bottom_room = 22 + (20 if opts.y_label else 0)
    needed = top + n * (m * 13 + 14) + bottom_room + 10
    if needed > opts.height:  # every bar keeps a readable thickness
        opts.height = int(needed)
    bottom = opts.height - 10 - bottom_room

    def x_of(v: float) -> float:
        return left + (v - low) / (high - low) * (right - left)

    canvas.add('<g class="chart-grid">')
    value = low
    while value <= high + step / 1000:
        x = x_of(value)
        canvas.add(
            f'<line x1="{_f(x)}" x2="{_f(x)}" y1="{_f(top)}" y2="{_f(bottom)}" '
            f'stroke="{AXIS if value == 0 else GRID}" stroke-width="1"/>'
        )
        canvas.text(x, bottom + 15, opts.fmt(value), size=tick_size)
        value += step
    canvas.add("</g>")
    slot = (bottom - top) / max(n, 1)
    group = slot * 0.76
    bar_h = group / m
    zero = x_of(0)
    canvas.add('<g class="chart-y-labels">')
    for i, lines in enumerate(wrapped):
        cy = top + slot * (i + 0.5)
        first = cy + 4 - (len(lines) - 1) * label_size * 1.15 / 2
        canvas.text(left - 8, first, data.labels[i], size=label_size, anchor="end", lines=lines)
    canvas.add("</g>")
    canvas.add('<g class="chart-marks">')
    show_values = opts.value_labels if opts.value_labels is not None else True
    for i, label in enumerate(data.labels):
        y_group = top + slot * i + (slot - group) / 2
        for j, dataset in enumerate(data.datasets):
            value_ = dataset.data[i]
            if value_ is None:
                continue
            x1, x2 = zero, x_of(value_)
            y = y_group + j * bar_h
            h = max(bar_h - min(2.0, bar_h * 0.15), 1.0)
            canvas.add(
                f'<rect x="{_f(min(x1, x2))}" y="{_f(y)}" width="{_f(max(abs(x2 - x1), 0.5 if value_ else 0))}" '
                f'height="{_f(h)}" fill="{opts.color(j)}" class="chart-bar">'
                f"{_mark_title(dataset.label if multi else '', label, opts.fmt(value_))}</rect>"
            )
            if show_values and not (value_ == 0 and multi):
                size = 11.0 if h >= 10 else 9.5
                tx = max(x1, x2) + 4 if value_ >= 0 else min(x1, x2) - 4
                canvas.text(
                    tx,
                    y + h / 2 + size * 0.35,
                    opts.fmt(value_),
                    size=size,
                    anchor="start" if value_ >= 0 else "end",
                    fill=INK,
                    cls="chart-value",
                )
    canvas.add("</g>")
    if opts.y_label:
        canvas.text((left + right) / 2, opts.height - 10, opts.y_label, size=12, fill=INK, weight="600")
    if opts.x_label:
        canvas.text(16, (top + bottom) / 2, opts.x_label, size=12, fill=INK, weight="600", rotate=-90)


def _draw_lines(canvas: _Canvas, data: ChartData, opts: _Options) -> None:
    legend = (
        [(d.label, opts.color(i)) for i, d in enumerate(data.datasets)] if opts.legend is not False else []
    )
    top = _header(canvas, opts, legend)
    low, high = min(data.values, default=0), max(data.values, default=0)
    low, high, step = nice_scale(low, high * 1.08 if high > 0 else high, whole=data.whole)
    left, right, top, _bottom, y_of = _axes(canvas, opts, top + 8, data.labels, low, high, step)
    slot = (right - left) / max(len(data.labels), 1)
    show_values = opts.value_labels if opts.value_labels is not None else len(data.datasets) <= 3
    canvas.add('<g class="chart-marks">')
    for j, dataset in enumerate(data.datasets):
        color = opts.color(j)
        points = [
            (left + slot * (i + 0.5), y_of(v), v, data.labels[i])
            for i, v in enumerate(dataset.data)
            if v is not None
        ]
        runs: list[list[tuple[float, float]]] = [[]]
        for i, value in enumerate(dataset.data):
            if value is None:
                runs.append([])
            else:
                runs[-1].append((left + slot * (i + 0.5), y_of(value)))
        for run in runs:
            if len(run) > 1:
                coords = " ".join(f"{_f(x)},{_f(y)}" for x, y in run)
                canvas.add(
                    f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="2.5" '
                    'stroke-linejoin="round" stroke-linecap="round"/>'
                )
        for x, y, value, label in points:
            canvas.add(
                f'<circle cx="{_f(x)}" cy="{_f(y)}" r="4" fill="#ffffff" stroke="{color}" stroke-width="2.5">'
                f"{_mark_title(dataset.label, label, opts.fmt(value))}</circle>"
            )
            if show_values:
                canvas.text(x, y - 9, opts.fmt(value), size=10.5, fill=INK, cls="chart-value")
    canvas.add("</g>")


def _arc_path(cx: float, cy: float, r: float, inner: float, start: float, end: float) -> str:
    """A pie slice or donut segment from angle ``start`` to ``end`` (radians, clockwise from 12)."""

    def point(radius: float, angle: float) -> tuple[float, float]:
        return cx + radius * math.sin(angle), cy - radius * math.cos(angle)

    large = 1 if end - start > math.pi else 0
    x1, y1 = point(r, start)
    x2, y2 = point(r, end)
    if inner > 0:
        x3, y3 = point(inner, end)
        x4, y4 = point(inner, start)
        return (
            f"M{_f(x1)},{_f(y1)} A{_f(r)},{_f(r)} 0 {large} 1 {_f(x2)},{_f(y2)} "
            f"L{_f(x3)},{_f(y3)} A{_f(inner)},{_f(inner)} 0 {large} 0 {_f(x4)},{_f(y4)} Z"
        )
    return f"M{_f(cx)},{_f(cy)} L{_f(x1)},{_f(y1)} A{_f(r)},{_f(r)} 0 {large} 1 {_f(x2)},{_f(y2)} Z"


def _draw_pie(canvas: _Canvas, data: ChartData, opts: _Options, *, donut: bool) -> None:
    dataset = data.datasets[0]
    values = [max(v or 0, 0) for v in dataset.data]
    total = sum(values)
    top = _header(canvas, opts, [])
    size = min(opts.height - top - 12, opts.width * 0.5)
    r = size / 2
    cx, cy = 16 + r, top + r + 2
    inner = r * 0.58 if donut else 0.0
    canvas.add('<g class="chart-marks">')
    angle = 0.0
    for i, (label, value) in enumerate(zip(data.labels, values, strict=True)):
        if value <= 0:
            continue
        sweep = value / total * 2 * math.pi
        color = opts.color(i)
        share = format_percent(value / total * 100, opts.lang)
        tip = _mark_title("", label, f"{opts.fmt(value)} ({share})")
        if sweep >= 2 * math.pi - 1e-9:
            if inner:
                path = (
                    f"M{_f(cx)},{_f(cy - r)} A{_f(r)},{_f(r)} 0 1 1 {_f(cx)},{_f(cy + r)} "
                    f"A{_f(r)},{_f(r)} 0 1 1 {_f(cx)},{_f(cy - r)} Z "
                    f"M{_f(cx)},{_f(cy - inner)} A{_f(inner)},{_f(inner)} 0 1 0 {_f(cx)},{_f(cy + inner)} "
                    f"A{_f(inner)},{_f(inner)} 0 1 0 {_f(cx)},{_f(cy - inner)} Z"
                )
                canvas.add(f'<path d="{path}" fill="{color}" fill-rule="evenodd">{tip}</path>')
            else:
                canvas.add(f'<circle cx="{_f(cx)}" cy="{_f(cy)}" r="{_f(r)}" fill="{color}">{tip}</circle>')
        else:
            canvas.add(
                f'<path d="{_arc_path(cx, cy, r, inner, angle, angle + sweep)}" fill="{color}" '
                f'stroke="#ffffff" stroke-width="1.5">{tip}</path>'
            )
        if sweep >= math.radians(20):
            mid = angle + sweep / 2
            radius = (r + inner) / 2 if inner else r * 0.62
            lx, ly = cx + radius * math.sin(mid), cy - radius * math.cos(mid)
            canvas.text(lx, ly + 4, share, size=11, fill=_contrast_ink(color), weight="700")
        angle += sweep
    if donut:
        canvas.text(cx, cy + 2, opts.fmt(total), size=min(22, r * 0.4), fill=INK, weight="700")
        canvas.text(cx, cy + 18, opts.text.total, size=11)
    canvas.add("</g>")
    # The legend beside the circle: every part, with its number and share.
    x0 = cx + r + 28
    y = top + 14
    canvas.add('<g class="chart-legend">')
    room = opts.width - x0 - 12
    for i, (label, value) in enumerate(zip(data.labels, values, strict=True)):
        color = opts.color(i)
        share = format_percent(value / total * 100, opts.lang) if total else "–"
        line = f"{label}: {opts.fmt(dataset.data[i])} ({share})"
        shown = _wrap(line, room - 18, 12, 1)[0]
        canvas.add(
            f'<rect x="{_f(x0)}" y="{_f(y - 10)}" width="10" height="10" rx="2" fill="{color}">'
            f"<title>{_e(line)}</title></rect>"
        )
        canvas.text(x0 + 16, y, shown, size=12, anchor="start", fill=INK)
        y += 20
    canvas.add("</g>")


def _describe(data: ChartData, opts: _Options) -> str:
    text = opts.text
    if data.empty:
        return text.no_data
    if opts.kind in (ChartKind.PIE, ChartKind.DONUT):
        dataset = data.datasets[0]
        values = [max(v or 0, 0) for v in dataset.data]
        total = sum(values)
        parts = [
            text.pie_summary.format(
                kind=text.kind_name(opts.kind), categories=len(data.labels), total=opts.fmt(total)
            )
        ]
        if total:
            i = max(range(len(values)), key=lambda k: values[k])
            parts.append(
                text.largest.format(
                    label=data.labels[i],
                    value=opts.fmt(values[i]),
                    percent=format_percent(values[i] / total * 100, opts.lang),
                )
            )
        return " ".join(parts)
    parts = [
        text.summary.format(
            kind=text.kind_name(opts.kind), series=len(data.datasets), categories=len(data.labels)
        )
    ]
    cells = [
        (v, data.labels[i], d.label) for d in data.datasets for i, v in enumerate(d.data) if v is not None
    ]
    if opts.kind is ChartKind.STACKED:
        totals = [sum(d.data[i] or 0 for d in data.datasets) for i in range(len(data.labels))]
        cells = [(v, data.labels[i], "") for i, v in enumerate(totals)]
    if cells:
        hi = max(cells, key=lambda c: c[0])
        lo = min(cells, key=lambda c: c[0])
        multi = len(data.datasets) > 1 and opts.kind is not ChartKind.STACKED

        def name(cell: tuple[float, str, str]) -> str:
            return f"{cell[2]}, {cell[1]}" if multi else cell[1]

        parts.append(text.highest.format(value=opts.fmt(hi[0]), label=name(hi)))
        if lo is not hi and lo[0] != hi[0]:
            parts.append(text.lowest.format(value=opts.fmt(lo[0]), label=name(lo)))
    return " ".join(parts)


def _options(
    data: ChartData,
    *,
    kind: ChartKind | str,
    title: str,
    x_label: str | None,
    y_label: str | None,
    width: int,
    height: int,
    chart_id: str | None,
    lang: str,
    text: ChartText | None,
    decimals: int,
    value_labels: bool | None,
    colors: Sequence[str] | None,
    unit: str,
    legend: bool | None = None,
) -> _Options:
    kind = ChartKind("stacked" if kind == "stacked-bar" else kind)
    if chart_id is None:
        digest = hashlib.sha1(repr((kind, title, data)).encode(), usedforsecurity=False).hexdigest()[:10]
        chart_id = f"chart-{digest}"
    return _Options(
        kind=kind,
        title=title,
        x_label=x_label,
        y_label=y_label,
        width=width,
        height=height,
        chart_id=_safe_id(chart_id),
        lang=lang,
        text=text or ChartText(),
        decimals=decimals,
        value_labels=value_labels,
        colors=tuple(colors or PALETTE),
        unit=unit,
        legend=legend,
    )


def _svg(data: ChartData, opts: _Options) -> str:
    canvas = _Canvas(opts.width, opts.height)
    description = _describe(data, opts)
    if data.empty:
        top = _header(canvas, opts, [])
        canvas.add(
            f'<rect x="12" y="{_f(top)}" width="{opts.width - 24}" height="{_f(opts.height - top - 12)}" '
            f'rx="8" fill="#f5f7f8" stroke="{GRID}"/>'
        )
        canvas.text(opts.width / 2, (top + opts.height) / 2, opts.text.no_data, size=13)
    elif opts.kind in (ChartKind.PIE, ChartKind.DONUT):
        _draw_pie(canvas, data, opts, donut=opts.kind is ChartKind.DONUT)
    elif opts.kind is ChartKind.LINE:
        _draw_lines(canvas, data, opts)
    elif opts.kind is ChartKind.HBAR:
        _draw_hbars(canvas, data, opts)
    else:
        _draw_bars(canvas, data, opts, stacked=opts.kind is ChartKind.STACKED)
    cid = opts.chart_id
    head = (
        f'<svg xmlns="{SVG_NS}" viewBox="0 0 {opts.width} {opts.height}" width="{opts.width}" '
        f'height="{opts.height}" role="img" aria-labelledby="{cid}-title {cid}-desc" '
        f'class="chart-svg chart-{opts.kind.value}" font-family="{FONT}" data-kind="{opts.kind.value}">'
        f'<title id="{cid}-title">{_e(opts.title)}</title>'
        f'<desc id="{cid}-desc">{_e(description)}</desc>'
        f'<rect width="{opts.width}" height="{opts.height}" fill="#ffffff"/>'
    )
    return head + "".join(canvas.parts) + "</svg>"


def render_svg(
    data: ChartData | Mapping[str, Any] | Any,
    *,
    kind: ChartKind | str = ChartKind.BAR,
    title: str = "",
    x_label: str | None = None,
    y_label: str | None = None,
    width: int = 640,
    height: int = 320,
    chart_id: str | None = None,
    lang: str = "id",
    text: ChartText | None = None,
    decimals: int = 2,
    value_labels: bool | None = None,
    colors: Sequence[str] | None = None,
    unit: str = "",
    legend: bool | None = None,
) -> str:
    """The chart alone, as a standalone SVG document (well-formed XML)."""
    chart = ChartData.of(data)
    opts = _options(
        chart,
        kind=kind,
        title=title,
        x_label=x_label,
        y_label=y_label,
        width=width,
        height=height,
        chart_id=chart_id,
        lang=lang,
        text=text,
        decimals=decimals,
        value_labels=value_labels,
        colors=colors,
        unit=unit,
        legend=legend,
    )
    return _svg(chart, opts)


def render_table(
    data: ChartData | Mapping[str, Any] | Any,
    *,
    kind: ChartKind | str = ChartKind.BAR,
    title: str = "",
    x_label: str | None = None,
    lang: str = "id",
    text: ChartText | None = None,
    decimals: int = 2,
    unit: str = "",
) -> str:
    """The numbers behind a chart as an HTML table (labels down, datasets across)."""
    chart = ChartData.of(data)
    words = text or ChartText()
    kind = ChartKind("stacked" if kind == "stacked-bar" else kind)

    def fmt(value: float | None) -> str:
        out = format_number(value, lang, decimals=decimals)
        return f"{out}{unit}" if value is not None and unit else out

    pie = kind in (ChartKind.PIE, ChartKind.DONUT)
    datasets = chart.datasets[:1] if pie else chart.datasets
    heads = [d.label or words.total for d in datasets]
    with_total = kind is ChartKind.STACKED and len(datasets) > 1
    rows = []
    total = sum(max(v or 0, 0) for v in datasets[0].data) if pie and datasets else 0
    for i, label in enumerate(chart.labels):
        cells = [f'<td class="num">{_e(fmt(d.data[i]))}</td>' for d in datasets]
        if with_total:
            cells.append(f'<td class="num">{_e(fmt(sum(d.data[i] or 0 for d in datasets)))}</td>')
        if pie:
            value = max(datasets[0].data[i] or 0, 0) if datasets else 0
            share = format_percent(value / total * 100, lang) if total else "–"
            cells.append(f'<td class="num">{_e(share)}</td>')
        rows.append(f'<tr><th scope="row">{_e(label)}</th>{"".join(cells)}</tr>')
    extra = []
    if with_total:
        extra.append(words.total)
    if pie:
        extra.append(words.share)
    header = "".join(f'<th scope="col" class="num">{_e(h)}</th>' for h in [*heads, *extra])
    body = "".join(rows) or f'<tr><td colspan="{len(heads) + 1}">{_e(words.no_data)}</td></tr>'
    return (
        f'<table class="data-table chart-table"><caption>{_e(title)}</caption>'
        f'<thead><tr><th scope="col">{_e(x_label or words.category)}</th>{header}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


def render_chart(
    data: ChartData | Mapping[str, Any] | Any,
    *,
    kind: ChartKind | str = ChartKind.BAR,
    title: str = "",
    x_label: str | None = None,
    y_label: str | None = None,
    width: int = 640,
    height: int = 320,
    chart_id: str | None = None,
    lang: str = "id",
    text: ChartText | None = None,
    decimals: int = 2,
    value_labels: bool | None = None,
    colors: Sequence[str] | None = None,
    unit: str = "",
    legend: bool | None = None,
) -> Markup:
    """The chart for a page: a ``<figure>`` with the SVG and its numbers in a ``<details>`` table."""
    chart = ChartData.of(data)
    words = text or ChartText()
    opts = _options(
        chart,
        kind=kind,
        title=title,
        x_label=x_label,
        y_label=y_label,
        width=width,
        height=height,
        chart_id=chart_id,
        lang=lang,
        text=words,
        decimals=decimals,
        value_labels=value_labels,
        colors=colors,
        unit=unit,
        legend=legend,
    )
    table = render_table(
        chart,
        kind=opts.kind,
        title=title,
        x_label=x_label,
        lang=lang,
        text=words,
        decimals=decimals,
        unit=unit,
    )
    return Markup(  # noqa: S704 - every piece of text inside was escaped above
        f'<figure class="chart" id="{opts.chart_id}" data-kind="{opts.kind.value}">'
        f"{_svg(chart, opts)}"
        f'<details class="chart-data"><summary>{_e(words.table)}: {_e(title)}</summary>{table}</details>'
        "</figure>"
    )


@jinja2.pass_context
def jinja_chart(context: jinja2.runtime.Context, data: Any, **options: Any) -> Markup:
    """``{{ chart(data, kind=…, title=…) }}`` in a portal template: language and words from the page."""
    lang = context.get("lang") or "id"
    t = context.get("t")
    options.setdefault("lang", lang)
    if callable(t) and "text" not in options:
        options["text"] = ChartText.from_translator(t)
    return render_chart(data, **options)
