"""The server-side SVG charts: well-formed, accessible, escaped, and saying the right numbers."""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
import jinja2
import pytest

from gateway.portal.charts import (
    ChartData,
    ChartKind,
    ChartText,
    format_number,
    jinja_chart,
    nice_scale,
    render_chart,
    render_svg,
    render_table,
)

NS = "{http://www.w3.org/2000/svg}"

CITIES = {
    "labels": ["Jakarta Pusat", "Jakarta Utara", "Kepulauan Seribu"],
    "datasets": [
        {"label": "Umum desa/kelurahan", "data": [1, 0, 1]},
        {"label": "Sekolah", "data": [2, 3, None]},
    ],
}
GRADES = {"labels": ["A", "B", "C", "BELUM"], "datasets": [{"label": "jumlah", "data": [3, 5, 2, 10]}]}
TGM = {"labels": ["2023", "2024", "2025"], "datasets": [{"label": "TGM", "data": [55.25, None, 61.37]}]}


def parse(svg: str) -> Element:
    root = SafeET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    return root


def texts(root: Element) -> list[str]:
    return ["".join(el.itertext()) for el in root.iter(f"{NS}text")]


@pytest.mark.parametrize("kind", list(ChartKind))
@pytest.mark.parametrize("data", [CITIES, GRADES, TGM], ids=["cities", "grades", "tgm"])
def test_every_kind_is_well_formed_and_accessible(kind: ChartKind, data: dict) -> None:
    root = parse(render_svg(data, kind=kind, title="Judul", x_label="Kota", y_label="Jumlah", chart_id="c1"))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.get("viewBox") == "0 0 640 320"
    title = root.find(f"{NS}title")
    desc = root.find(f"{NS}desc")
    assert title is not None and title.get("id") == "c1-title" and title.text == "Judul"
    assert desc is not None and desc.get("id") == "c1-desc" and desc.text
    # every mark carries its own tooltip
    marks = [el for el in root.iter() if el.tag in (f"{NS}rect", f"{NS}circle", f"{NS}path")]
    assert any(m.find(f"{NS}title") is not None for m in marks)


def test_bar_chart_shows_values_axis_labels_and_a_legend() -> None:
    root = parse(render_svg(CITIES, kind="bar", title="Perpustakaan", x_label="Kota", y_label="Jumlah"))
    words = texts(root)
    assert "Perpustakaan" in words and "Kota" in words and "Jumlah" in words
    # legend: one entry per dataset
    legend = root.find(f".//{NS}g[@class='chart-legend']")
    assert legend is not None
    assert ["".join(t.itertext()) for t in legend.iter(f"{NS}text")] == ["Umum desa/kelurahan", "Sekolah"]
    # value labels (zeros of a multi-series chart are left out; the table has them)
    values = [t.text for t in root.iter(f"{NS}text") if t.get("class") == "chart-value"]
    assert sorted(values) == ["1", "1", "2", "3"]
    # one bar per value that is not None, each with "series — label: value"
    bars = [r for r in root.iter(f"{NS}rect") if r.get("class") == "chart-bar"]
    assert len(bars) == 5
    tips = {"".join(b.find(f"{NS}title").itertext()) for b in bars}  # type: ignore[union-attr]
    assert "Sekolah — Jakarta Utara: 3" in tips
    # whole counts get whole ticks
    ticks = [t.text for t in root.find(f".//{NS}g[@class='chart-grid']").iter(f"{NS}text")]  # type: ignore[union-attr]
    assert ticks == ["0", "1", "2", "3", "4"]


def test_bar_heights_follow_the_values() -> None:
    root = parse(render_svg(GRADES, kind="bar", title="Peringkat"))
    bars = [r for r in root.iter(f"{NS}rect") if r.get("class") == "chart-bar"]
    heights = [float(b.get("height", "0")) for b in bars]
    assert heights[3] == pytest.approx(heights[0] * 10 / 3, rel=0.01)
    assert heights[1] == pytest.approx(heights[0] * 5 / 3, rel=0.01)


def test_stacked_bars_total_per_label() -> None:
    root = parse(render_svg(CITIES, kind="stacked", title="Bertumpuk"))
    totals = [t.text for t in root.iter(f"{NS}text") if t.get("class") == "chart-value"]
    assert totals == ["3", "3", "1"]
    desc = root.find(f"{NS}desc")
    assert desc is not None and "Diagram batang bertumpuk" in (desc.text or "")


def test_line_chart_breaks_at_gaps_and_writes_numbers_the_readers_way() -> None:
    root = parse(render_svg(TGM, kind="line", title="TGM"))
    assert len(list(root.iter(f"{NS}polyline"))) == 0  # 2023 and 2025 are not joined across the gap
    assert len(list(root.iter(f"{NS}circle"))) == 2
    values = [t.text for t in root.iter(f"{NS}text") if t.get("class") == "chart-value"]
    assert values == ["55,25", "61,37"]
    english = parse(render_svg(TGM, kind="line", title="TGM", lang="en"))
    assert [t.text for t in english.iter(f"{NS}text") if t.get("class") == "chart-value"] == [
        "55.25",
        "61.37",
    ]
    joined = parse(
        render_svg({"labels": ["a", "b"], "datasets": [{"label": "x", "data": [1, 2]}]}, kind="line")
    )
    assert len(list(joined.iter(f"{NS}polyline"))) == 1


def test_donut_shares_and_total() -> None:
    root = parse(render_svg(GRADES, kind="donut", title="Peringkat"))
    words = texts(root)
    assert "20" in words  # the total in the middle
    assert "50%" in words  # BELUM: 10 of 20
    assert "A: 3 (15%)" in words and "BELUM: 10 (50%)" in words
    slices = list(root.iter(f"{NS}path"))
    assert len(slices) == 4
    desc = root.find(f"{NS}desc")
    assert desc is not None and "BELUM" in (desc.text or "") and "jumlah 20" in (desc.text or "")


def test_a_single_slice_is_a_whole_circle() -> None:
    pie = parse(render_svg({"labels": ["A"], "datasets": [{"label": "n", "data": [4]}]}, kind="pie"))
    assert len(list(pie.iter(f"{NS}circle"))) == 1
    donut = parse(render_svg({"labels": ["A"], "datasets": [{"label": "n", "data": [4]}]}, kind="donut"))
    (ring,) = list(donut.iter(f"{NS}path"))
    assert ring.get("fill-rule") == "evenodd"


def test_labels_and_titles_are_escaped() -> None:
    evil = '<script>alert("x")</script> & Co'
    data = {
        "labels": [evil, "B"],
        "datasets": [{"label": f"{evil} seri", "data": [1, 2]}, {"label": "x", "data": [3, 4]}],
    }
    for kind in ChartKind:
        svg = render_svg(data, kind=kind, title=evil, x_label=evil)
        assert "<script>" not in svg
        root = parse(svg)
        assert evil in "".join(root.itertext()) or kind in (ChartKind.PIE, ChartKind.DONUT)
        title = root.find(f"{NS}title")
        assert title is not None and title.text == evil
    html = str(render_chart(data, kind="bar", title=evil))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_render_chart_has_the_numbers_in_a_details_table() -> None:
    html = str(render_chart(CITIES, kind="stacked", title="Perpustakaan", x_label="Kota", chart_id="libs"))
    assert html.startswith('<figure class="chart" id="libs" data-kind="stacked">')
    figure = SafeET.fromstring(html)
    details = figure.find("details")
    assert details is not None
    assert "".join(details.find("summary").itertext()) == "Tabel data: Perpustakaan"  # type: ignore[union-attr]
    table = details.find("table")
    assert table is not None
    header = ["".join(th.itertext()) for th in table.find("thead").iter("th")]  # type: ignore[union-attr]
    assert header == ["Kota", "Umum desa/kelurahan", "Sekolah", "Jumlah"]
    rows = [["".join(c.itertext()) for c in tr] for tr in table.find("tbody")]  # type: ignore[union-attr]
    assert rows == [
        ["Jakarta Pusat", "1", "2", "3"],
        ["Jakarta Utara", "0", "3", "3"],
        ["Kepulauan Seribu", "1", "–", "1"],
    ]


def test_pie_table_has_shares() -> None:
    table = SafeET.fromstring(render_table(GRADES, kind="pie", title="Peringkat", lang="en"))
    rows = [["".join(c.itertext()) for c in tr] for tr in table.find("tbody")]  # type: ignore[union-attr]
    assert rows[0] == ["A", "3", "15%"]
    assert rows[3] == ["BELUM", "10", "50%"]


def test_no_data_is_said_not_drawn() -> None:
    for data in (
        {"labels": [], "datasets": []},
        {"labels": ["A"], "datasets": [{"label": "x", "data": [0]}]},
    ):
        root = parse(render_svg(data, kind="bar", title="Kosong"))
        assert "Belum ada data" in texts(root)
        assert root.find(f"{NS}desc").text == "Belum ada data"  # type: ignore[union-attr]
    html = str(render_chart({"labels": [], "datasets": []}, kind="donut", title="Kosong"))
    assert "Belum ada data" in html


def test_tolerant_input_shapes() -> None:
    class Model:
        def model_dump(self) -> dict:
            return {"labels": ["a", "b", "c"], "datasets": [{"label": "x", "data": [1, "2.5", "n/a"]}]}

    data = ChartData.of(Model())
    assert data.datasets[0].data == (1.0, 2.5, None)
    short = ChartData.of({"labels": ["a", "b"], "datasets": [{"label": "x", "data": [1]}]})
    assert short.datasets[0].data == (1.0, None)
    relabelled = short.relabel(str.upper, lambda s: f"seri {s}")
    assert relabelled.labels == ("A", "B") and relabelled.datasets[0].label == "seri x"


def test_nice_scale() -> None:
    assert nice_scale(0, 87) == (0, 100, 20)
    assert nice_scale(0, 2.16, whole=True) == (0, 3, 1)
    assert nice_scale(0, 0) == (0, 1, 0.2)
    low, high, step = nice_scale(-12, 30)
    assert low <= -12 and high >= 30 and step == 10


def test_numbers_in_both_languages() -> None:
    assert format_number(1234.5) == "1.234,5"
    assert format_number(1234.5, "en") == "1,234.5"
    assert format_number(75.166, decimals=2) == "75,17"
    assert format_number(None) == "–"


def test_long_labels_wrap_or_turn() -> None:
    many = {
        "labels": [f"Perpustakaan kelurahan nomor {i}" for i in range(12)],
        "datasets": [{"label": "n", "data": list(range(12))}],
    }
    root = parse(render_svg(many, kind="bar", title="Banyak"))
    turned = [t for t in root.iter(f"{NS}text") if (t.get("transform") or "").startswith("rotate(-40")]
    assert len(turned) == 12
    few = {"labels": ["Kepulauan Seribu", "Jakarta Selatan"], "datasets": [{"label": "n", "data": [1, 2]}]}
    spans = list(parse(render_svg(few, kind="bar", title="Dua")).iter(f"{NS}tspan"))
    assert not spans or all(s.text for s in spans)


def test_template_global_uses_the_page_language_and_words() -> None:
    env = jinja2.Environment(autoescape=True)
    env.globals["chart"] = jinja_chart
    template = env.from_string('{{ chart(data, kind="bar", title="T", chart_id="x") }}')
    words = {"chart.table": "Data table", "chart.kind_bar": "Bar chart"}

    def t(key: str, **_: object) -> str:
        return words.get(key, key)

    html = template.render(data=TGM, lang="en", t=t)
    assert "Data table: T" in html and "Bar chart" in html and "61.37" in html
    assert re.search(r"<svg [^>]*role=\"img\"", html)
    indonesian = env.from_string('{{ chart(data, kind="line", title="T") }}').render(
        data=TGM, lang="id", t=lambda k, **_: k
    )
    assert "Tabel data: T" in indonesian and "61,37" in indonesian


def test_chart_text_reads_the_portal_catalogs() -> None:
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "src" / "gateway" / "portal" / "i18n"
    for lang in ("id", "en"):
        catalog = json.loads((root / f"{lang}.json").read_text())
        text = ChartText.from_translator(lambda key, catalog=catalog, **_: catalog.get(key, key))
        assert text.table == catalog["chart.table"]
        for field in ChartText.__dataclass_fields__:
            assert f"chart.{field}" in catalog, (lang, field)
