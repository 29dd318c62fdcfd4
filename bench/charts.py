"""Charts of the published benchmark figures, drawn from ``docs/benchmarks/results/*.json``.

uv run python -m bench.charts            # write docs/benchmarks/*.svg
uv run python -m bench.charts --check    # exit 1 if a committed chart differs from its data

Each chart is SVG from the portal's own renderer (``gateway.portal.charts.render_svg``); the output
depends on the JSON files only (no dates, no randomness), so a chart is re-drawn whenever a result
file changes and ``tests/docs/test_benchmark_charts.py`` fails while the two disagree. The result
files and the shape of ``targets.json`` are described in ``docs/benchmarks/results/README.md``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gateway.portal.charts import ChartText, render_svg

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "docs" / "benchmarks"
RESULTS_DIR = OUT_DIR / "results"

LANG = "en"  # numbers written as in docs/benchmarks.md (1,234.5); the words are Indonesian first
TEXT = ChartText(
    table="Tabel data / data table",
    category="Kategori / category",
    total="Jumlah / total",
    share="Persentase / share",
    no_data="Belum ada data / no data yet",
    kind_bar="Diagram batang / bar chart",
    kind_hbar="Diagram batang mendatar / horizontal bar chart",
    kind_stacked="Diagram batang bertumpuk / stacked bar chart",
    kind_line="Diagram garis / line chart",
    kind_pie="Diagram lingkaran / pie chart",
    kind_donut="Diagram donat / donut chart",
    summary="{kind}: {series} seri, {categories} kategori / {series} series, {categories} categories.",
    highest="Nilai tertinggi / highest {value} ({label}).",
    lowest="Nilai terendah / lowest {value} ({label}).",
    pie_summary="{kind}: {categories} bagian / parts, jumlah / total {total}.",
    largest="Bagian terbesar / largest part {label}: {value} ({percent}).",
)
TARGET_COLOR = "#7f8c8d"
MEASURED, ESTIMATE = "#0b5563", "#e69f00"

# (run label, file): runs A-C before round 3 (facets on string columns), then round 3 (value hashes)
OPAC_RUNS = (
    ("A", "opac-tantivy-A-100qps.json"),
    ("B", "opac-tantivy-B-15qps.json"),
    ("C", "opac-tantivy-C-100qps.json"),
    ("R3", "opac-round3-both-100qps.json"),
    ("R3", "opac-round3-tantivy-30qps.json"),
)
OPAC_TARGET = {"rate": 100.0, "p50_ms": 5.0, "p99_ms": 20.0}  # issue 3, embedded backend
OPAC_TARGET_ES = {"p99_ms": 60.0}  # issue 3, Elasticsearch backend, same rate
# (round, mode label, file); the 20 op/s open loops are round 1's too
CIRCULATION_RUNS = (
    (1, "SQLite", "circulation-round1-embedded.json"),
    (1, "PostgreSQL", "circulation-round1-postgres.json"),
    (2, "SQLite", "circulation-round2-embedded.json"),
    (2, "PostgreSQL", "circulation-round2-postgres.json"),
    (3, "SQLite", "circulation-round3-embedded.json"),
    (3, "PostgreSQL", "circulation-round3-postgres.json"),
)
CIRCULATION_SLOW_RUNS = ((1, "SQLite", "circulation-round1-embedded-20ops.json"),)
DEPOSIT_RESULTS = "deposit-upload-round2.json"  # the newest round; round 1 stays in its file and the doc
CIRCULATION_TARGET = {"rate": 200.0, "p99_ms": 30.0, "ops_per_s": 500.0}  # issue 4


@dataclass
class Chart:
    """One SVG file: the data in the renderer's ``{labels, datasets}`` shape and how to draw it."""

    name: str
    kind: str
    title: str
    labels: list[str]
    datasets: list[tuple[str, list[float | None]]]
    unit: str = ""
    x_label: str | None = None
    y_label: str | None = None
    width: int = 760
    height: int = 380
    decimals: int = 2
    colors: list[str] | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def render(self) -> str:
        data = {"labels": self.labels, "datasets": [{"label": n, "data": d} for n, d in self.datasets]}
        svg = render_svg(
            data,
            kind=self.kind,
            title=self.title,
            x_label=self.x_label,
            y_label=self.y_label,
            width=self.width,
            height=self.height,
            chart_id=f"bench-{self.name}",
            lang=LANG,
            text=TEXT,
            decimals=self.decimals,
            colors=self.colors,
            unit=self.unit,
            **self.options,
        )
        return svg + "\n"


class Results:
    """The JSON result files of one folder, read once each."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._cache: dict[str, Any] = {}

    def __call__(self, name: str) -> Any:
        if name not in self._cache:
            self._cache[name] = json.loads((self.folder / name).read_text(encoding="utf-8"))
        return self._cache[name]

    def value(self, ref: Mapping[str, Any] | None) -> float | None:
        """A number from a reference of ``targets.json`` (see the results README)."""
        if ref is None:
            return None
        if "value" in ref:
            return float(ref["value"])
        doc = self(ref["file"])
        if "pointer" in ref:
            return float(pointer(doc, ref["pointer"]))
        for pick, choose in (("max", max), ("min", min)):
            if pick in ref:
                return float(choose(pointer(doc, p) for p in ref[pick]))
        raise ValueError(f"reference without value, pointer, max or min: {ref!r}")


def pointer(doc: Any, path: str) -> Any:
    """RFC 6901 JSON pointer (``/runs/0/p99_ms``)."""
    node = doc
    for raw in path.split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def tidy(value: float | None, figures: int = 3) -> float | None:
    """At most ``figures`` significant figures, whole numbers from there up (``118.44`` → ``118``)."""
    if value is None or value == 0:
        return value
    digits = max(0, figures - 1 - math.floor(math.log10(abs(value))))
    return round(value, digits)


def share_of_target(better: str, target: float, measured: float | None) -> float | None:
    """Measured against target so that 100 % or more is met, whichever way is better."""
    if measured is None:
        return None
    if better == "higher":
        return tidy(measured / target * 100, 2)
    if better == "lower":
        return tidy(target / measured * 100, 2) if measured > 0 else None
    raise ValueError(f"better must be 'higher' or 'lower', not {better!r}")


# -- (a) every target ------------------------------------------------------------------------------


def targets_chart(results: Results) -> Chart:
    labels, measured, estimate = [], [], []
    for row in results("targets.json")["targets"]:
        target = results.value(row["target"])
        if target is None:
            raise ValueError(f"target without a value: {row['name']}")
        labels.append(f"#{row['issue']} {row['name']}")
        measured.append(share_of_target(row["better"], target, results.value(row.get("measured"))))
        estimate.append(share_of_target(row["better"], target, results.value(row.get("estimate"))))
    return Chart(
        "targets",
        "hbar",
        "Capaian sasaran / targets: ≥ 100% = tercapai / met (#n = isu / issue)",
        labels,
        [
            ("terukur (mesin sibuk) ÷ sasaran / measured (loaded machine) ÷ target", measured),
            (
                "perkiraan 2 inti senggang (dari waktu CPU) ÷ sasaran / "
                "estimate for 2 idle cores (from CPU time) ÷ target",
                estimate,
            ),
        ],
        unit="%",
        y_label="latensi, memori: sasaran ÷ terukur / latency, memory: target ÷ measured",
        width=980,
        colors=[MEASURED, ESTIMATE],
        options={"legend": True},
    )


# -- (b) catalog import against catalogue size -----------------------------------------------------


def catalog_import_chart(results: Results) -> Chart:
    doc = results("catalog-import.json")
    imports = [r for r in doc["runs"] if r.get("backend")]
    sizes = sorted({r["records"] for r in imports})

    def series(backend: str, key: str) -> list[float | None]:
        by_size = {r["records"]: r.get(key) for r in imports if r["backend"] == backend}
        return [by_size.get(n) for n in sizes]

    slims = doc["comparison"]["records_per_s"]
    slims_row: list[float | None] = [None] * len(sizes)
    slims_row[0], slims_row[-1] = slims["small_catalogue"], slims["large_catalogue"]
    target = doc["targets"]["embedded_records_per_s"]
    return Chart(
        "catalog-import",
        "bar",
        f"Laju impor menurut ukuran katalog / import rate by catalogue size "
        f"(sasaran tertanam / embedded target: {target:,})",
        [f"{n:,} cantuman".replace(",", ".") + f" / {n:,} records" for n in sizes],
        [
            ("Pusip tertanam, terukur / embedded, measured", series("embedded", "records_per_s")),
            (
                "Pusip tertanam, batas CPU 2 inti / embedded, CPU-bound on 2 cores",
                series("embedded", "cpu_bound_records_per_s"),
            ),
            ("Pusip PostgreSQL + ES, terukur / measured", series("distributed", "records_per_s")),
            (
                "Pusip PostgreSQL + ES, batas CPU / CPU-bound",
                series("distributed", "cpu_bound_records_per_s"),
            ),
            (doc["comparison"]["system"], slims_row),
        ],
        x_label="ukuran katalog / catalogue size",
        y_label="cantuman/detik / records/s",
        decimals=0,
    )


# -- (c) OPAC latency --------------------------------------------------------------------------------


def _latency_unit(values: Iterable[float | None]) -> tuple[str, float]:
    """Seconds when the largest latency is beyond ten seconds, else milliseconds."""
    return ("s", 1000.0) if max((v for v in values if v is not None), default=0) >= 10_000 else ("ms", 1.0)


def _latency_chart(
    name: str, title: str, rows: list[tuple[str, float | None, float | None]], *, note: str = ""
) -> Chart:
    unit, scale = _latency_unit(v for _, a, b in rows for v in (a, b))
    return Chart(
        name,
        "hbar",
        f"{title} ({unit}{'; ' + note if note else ''})",
        [label for label, _, _ in rows],
        [
            ("p50", [None if a is None else tidy(a / scale) for _, a, _ in rows]),
            ("p99", [None if b is None else tidy(b / scale) for _, _, b in rows]),
        ],
        unit=f" {unit}",
        width=860,
        decimals=3,
        colors=[MEASURED, ESTIMATE],
    )


def _opac_runs(results: Results) -> list[tuple[str, dict[str, Any]]]:
    """(label, result) of every backend of every run; Elasticsearch results are marked as such."""
    runs: list[tuple[str, dict[str, Any]]] = []
    for label, name in OPAC_RUNS:
        for r in results(name)["results"]:
            runs.append((f"{label} ES" if r.get("backend") == "elasticsearch" else label, r))
    return runs


def _opac_target_rows(rate: float) -> list[tuple[str, float | None, float | None]]:
    return [
        (f"sasaran tertanam / embedded target, {rate:g} q/s", OPAC_TARGET["p50_ms"], OPAC_TARGET["p99_ms"]),
        (f"sasaran / target Elasticsearch p99, {rate:g} q/s", None, OPAC_TARGET_ES["p99_ms"]),
    ]


_PATHS = (("gateway", "lewat gateway / via gateway"), ("direct", "langsung / direct"))


def opac_target_rate_chart(results: Results) -> Chart:
    rate = OPAC_TARGET["rate"]
    rows = _opac_target_rows(rate)
    for label, r in _opac_runs(results):
        if r["rate"] != rate:
            continue
        for path, name in _PATHS:
            o = r["open_loop"][path]
            served = f"{o['queries_per_s']:g} q/s"
            rows.append((f"{label}: {name}, {served} dilayani / served", o["p50_ms"], o["p99_ms"]))
    return _latency_chart(
        "opac-latency-100qps",
        f"Latensi OPAC / OPAC latency: beban terbuka / open loop {rate:g} q/s",
        rows,
        note="R3 = putaran / round 3",
    )


def opac_latency_chart(results: Results) -> Chart:
    rate = OPAC_TARGET["rate"]
    rows = _opac_target_rows(rate)
    runs = _opac_runs(results)
    for label, r in runs:
        if r["rate"] == rate:
            continue
        for path, name in _PATHS:
            o = r["open_loop"][path]
            rows.append((f"{label}: {r['rate']:g} q/s, {name}", o["p50_ms"], o["p99_ms"]))
    for label, r in runs:
        e = r["engine"]
        rows.append((f"{label} ({r['rate']:g} q/s): mesin saja / engine alone", e["p50_ms"], e["p99_ms"]))
    return _latency_chart(
        "opac-latency",
        "Latensi OPAC / OPAC latency: beban ringan, mesin saja / light load, engine alone",
        rows,
        note="R3 = putaran / round 3",
    )


# -- (d) circulation desk --------------------------------------------------------------------------


def _circulation_rows(
    results: Results, files: Iterable[tuple[int, str, str]], keep: Callable[[str], bool]
) -> list[tuple[str, dict[str, Any]]]:
    rows = []
    for rnd, mode, name in files:
        for run in results(name)["runs"]:
            if keep(run["run"]):
                path = "gateway" if run["run"].endswith("gateway") else "langsung / direct"
                rows.append((f"{mode} P{rnd}/R{rnd} {path}", run))
    return rows


def _gateway_cpu(run: Mapping[str, Any]) -> float | None:
    """The gateway's CPU per operation; none in a direct run (the idle gateway is not on the path)."""
    return tidy(run["cpu_ms_per_op"]["gateway"]) if run["run"].endswith("gateway") else None


def circulation_cpu_chart(results: Results) -> Chart:
    rows = _circulation_rows(results, CIRCULATION_RUNS, lambda run: run.startswith("saturation"))
    cpus = results(CIRCULATION_RUNS[0][2])["cpus"]
    budget = cpus * 1000 / CIRCULATION_TARGET["ops_per_s"]
    labels = [label for label, _ in rows] + [f"anggaran / budget {CIRCULATION_TARGET['ops_per_s']:g} op/s"]
    return Chart(
        "circulation-cpu",
        "stacked",
        "CPU per pinjam atau kembali, 32 klien / CPU per check-out or check-in, 32 clients "
        "(P = putaran / R = round)",
        labels,
        [
            (
                "layanan sirkulasi / circulation service",
                [tidy(r["cpu_ms_per_op"]["circulation"]) for _, r in rows] + [None],
            ),
            ("gateway", [_gateway_cpu(r) for _, r in rows] + [None]),
            (f"anggaran {cpus} inti / budget on {cpus} cores", [None] * len(rows) + [budget]),
        ],
        y_label="ms CPU per operasi / per operation",
        width=1100,
        height=420,
        colors=[MEASURED, ESTIMATE, TARGET_COLOR],
    )


def circulation_latency_chart(results: Results) -> Chart:
    target = CIRCULATION_TARGET
    rows: list[tuple[str, float | None, float | None]] = [
        (f"sasaran / target p99, {target['rate']:g} op/s", None, target["p99_ms"])
    ]
    for label, run in _circulation_rows(
        results, CIRCULATION_SLOW_RUNS, lambda run: run.startswith("open loop")
    ):
        rows.append((f"{label}, {run['ops_per_s']:g} op/s", run["p50_ms"], run["p99_ms"]))
    for label, run in _circulation_rows(results, CIRCULATION_RUNS, lambda run: run.startswith("saturation")):
        rows.append((f"{label}, 32 klien / clients, {run['ops_per_s']:g} op/s", run["p50_ms"], run["p99_ms"]))
    return _latency_chart(
        "circulation-latency",
        "Latensi pinjam + kembali / check-out + check-in latency: 20 op/s, 32 klien / clients",
        rows,
        note="P/R = putaran / round",
    )


def circulation_overload_chart(results: Results) -> Chart:
    target = CIRCULATION_TARGET
    rows: list[tuple[str, float | None, float | None]] = [
        (f"sasaran / target p99, {target['rate']:g} op/s", None, target["p99_ms"])
    ]
    rate = f"open loop {target['rate']:g} ops/s"
    for label, run in _circulation_rows(results, CIRCULATION_RUNS, lambda run: run.startswith(rate)):
        rows.append((f"{label}, {run['ops_per_s']:g} op/s dilayani / served", run["p50_ms"], run["p99_ms"]))
    return _latency_chart(
        "circulation-latency-200",
        f"Latensi pinjam + kembali / check-out + check-in latency: beban terbuka / open loop "
        f"{target['rate']:g} op/s",
        rows,
        note="P/R = putaran / round",
    )


# -- (e) deposit upload ----------------------------------------------------------------------------

_VIA = {
    "gateway": "lewat gateway / via gateway",
    "direct": "langsung / direct",
    "bare": "SDK MinIO saja / MinIO SDK alone",
}
_STORE = {"local": "disk lokal / local disk", "minio": "MinIO"}


def _deposit_label(run: Mapping[str, Any]) -> str:
    return f"{_VIA.get(run['via'], run['via'])}, {_STORE.get(run['storage'], run['storage'])}"


def deposit_ratio_chart(results: Results) -> Chart:
    doc = results(DEPOSIT_RESULTS)
    target = doc["targets"]["ratio_min"]
    runs = doc["runs"]
    estimate = doc.get("estimate_idle_two_cores", {}).get("ratio", {}).get("low")
    estimated = [estimate if (r["via"], r["storage"]) == ("gateway", "local") else None for r in runs]
    series = [("terukur / measured", [r["ratio"] for r in runs])]
    colors = [MEASURED]
    if estimate is not None:
        series.append(("perkiraan 2 inti senggang / estimate for 2 idle cores", estimated))
        colors.append(ESTIMATE)
    series.append(("sasaran / target", [target] * len(runs)))
    colors.append(TARGET_COLOR)
    return Chart(
        "deposit-ratio",
        "bar",
        f"Unggah deposit 1 GiB / 1 GiB deposit upload: waktu cp + sync ÷ waktu unggah / "
        f"cp + sync time ÷ upload time (sasaran / target ≥ {target:g}×)",
        [_deposit_label(r) for r in runs],
        series,
        unit="×",
        y_label="× cp + sync",
        colors=colors,
    )


def deposit_cpu_chart(results: Results) -> Chart:
    runs = results(DEPOSIT_RESULTS)["runs"]
    processes = (
        ("gateway", "gateway"),
        ("deposit", "layanan deposit / deposit service"),
        ("client", "klien / client"),
        ("minio_server", "server MinIO / MinIO server"),
    )
    return Chart(
        "deposit-cpu",
        "stacked",
        "CPU per unggahan 1 GiB menurut proses / CPU per 1 GiB upload by process",
        [_deposit_label(r) for r in runs],
        [(name, [r["cpu_s"].get(key) for r in runs]) for key, name in processes],
        unit=" s",
        y_label="detik CPU / CPU seconds",
    )


CHARTS: tuple[Callable[[Results], Chart], ...] = (
    targets_chart,
    catalog_import_chart,
    opac_target_rate_chart,
    opac_latency_chart,
    circulation_cpu_chart,
    circulation_latency_chart,
    circulation_overload_chart,
    deposit_ratio_chart,
    deposit_cpu_chart,
)


def build(results_dir: Path = RESULTS_DIR) -> dict[str, str]:
    """File name → SVG text of every chart."""
    results = Results(results_dir)
    charts = [make(results) for make in CHARTS]
    return {f"{chart.name}.svg": chart.render() for chart in charts}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--results", type=Path, default=RESULTS_DIR, help="folder of result JSON files")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="folder the SVG files are written to")
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 if a chart differs")
    args = parser.parse_args(argv)
    stale = []
    for name, svg in build(args.results).items():
        path = args.out / name
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == svg:
            continue
        stale.append(path)
        if not args.check:
            args.out.mkdir(parents=True, exist_ok=True)
            path.write_text(svg, encoding="utf-8")
    for path in stale:
        print(f"{'differs' if args.check else 'written'}: {path}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
