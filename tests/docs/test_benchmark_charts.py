"""The charts in docs/benchmarks.md are drawn from the committed result JSON and nothing else."""

from __future__ import annotations

import importlib
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "benchmarks.md"
CHART_DIR = ROOT / "docs" / "benchmarks"
RESULTS = CHART_DIR / "results"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def charts() -> ModuleType:
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(ROOT))
        return importlib.import_module("bench.charts")


@pytest.fixture(scope="module")
def built(charts: ModuleType) -> dict[str, str]:
    return charts.build(RESULTS)


def test_committed_charts_equal_their_data(charts: ModuleType, built: dict[str, str], tmp_path: Path) -> None:
    assert charts.main(["--out", str(tmp_path)]) == 0
    for name, svg in built.items():
        fresh = (tmp_path / name).read_text(encoding="utf-8")
        assert fresh == svg, f"{name}: two renderings of the same data differ"
        committed = CHART_DIR / name
        assert committed.exists(), f"{name} is not committed: run `uv run python -m bench.charts`"
        assert committed.read_text(encoding="utf-8") == fresh, (
            f"docs/benchmarks/{name} is stale: run `uv run python -m bench.charts` and commit it"
        )
    assert charts.main(["--out", str(CHART_DIR), "--check"]) == 0
    leftovers = {p.name for p in CHART_DIR.glob("*.svg")} - set(built)
    assert not leftovers, f"charts no data draws any more: {sorted(leftovers)}"


def test_every_chart_link_resolves_and_every_chart_is_linked(built: dict[str, str]) -> None:
    links = re.findall(r"!\[[^\]]*\]\((benchmarks/[^)\s]+\.svg)\)", DOC.read_text(encoding="utf-8"))
    assert links, "docs/benchmarks.md embeds no chart"
    for link in links:
        assert (DOC.parent / link).is_file(), f"docs/benchmarks.md links a missing chart: {link}"
    assert {Path(link).name for link in links} == set(built)


def test_charts_are_well_formed_svg_with_bilingual_titles(built: dict[str, str]) -> None:
    for name, svg in built.items():
        root = ET.fromstring(svg)
        assert root.tag == f"{SVG}svg"
        title = root.findtext(f"{SVG}title") or ""
        assert " / " in title, f"{name}: title should be Indonesian / English: {title!r}"
        assert root.findall(f".//{SVG}rect[@class='chart-bar']"), f"{name}: no bars drawn"


def _bar_tips(svg: str) -> dict[str, str]:
    """Tooltip of every bar: ``series — label`` → value text."""
    tips = {}
    for rect in ET.fromstring(svg).iter(f"{SVG}rect"):
        if rect.get("class") == "chart-bar":
            text = rect.findtext(f"{SVG}title") or ""
            key, _, value = text.rpartition(": ")
            tips[key] = value
    return tips


def _copy_results(tmp_path: Path) -> Path:
    folder = tmp_path / "results"
    shutil.copytree(RESULTS, folder)
    return folder


def test_a_changed_figure_changes_its_chart_and_only_its_chart(
    charts: ModuleType, built: dict[str, str], tmp_path: Path
) -> None:
    folder = _copy_results(tmp_path)
    path = folder / charts.DEPOSIT_RESULTS
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["runs"][0]["ratio"] = 0.42
    path.write_text(json.dumps(doc), encoding="utf-8")
    changed = charts.build(folder)
    differ = {name for name in built if built[name] != changed[name]}
    # the ratio chart and the targets chart (which points at the same figure)
    assert differ == {"deposit-ratio.svg", "targets.svg"}
    assert "0.42×" in _bar_tips(changed["deposit-ratio.svg"]).values()
    tips = _bar_tips(changed["targets.svg"])
    local = [v for k, v in tips.items() if k.startswith("terukur") and "disk lokal / local disk" in k]
    assert local == ["120%"]  # 0.42 / 0.35


def test_targets_are_oriented_so_that_100_percent_is_met(charts: ModuleType, tmp_path: Path) -> None:
    folder = tmp_path / "results"
    folder.mkdir()
    (folder / "figures.json").write_text(
        json.dumps({"rate": 250.0, "latency": [40.0, 10.0, 25.0]}), encoding="utf-8"
    )
    (folder / "targets.json").write_text(
        json.dumps(
            {
                "targets": [
                    {
                        "issue": 1,
                        "name": "rate",
                        "better": "higher",
                        "target": {"value": 500},
                        "measured": {"file": "figures.json", "pointer": "/rate"},
                        "estimate": {"value": 1000},
                    },
                    {
                        "issue": 1,
                        "name": "latency",
                        "better": "lower",
                        "target": {"value": 20},
                        "measured": {
                            "file": "figures.json",
                            "max": ["/latency/0", "/latency/1", "/latency/2"],
                        },
                    },
                    {
                        "issue": 1,
                        "name": "later",
                        "better": "lower",
                        "target": {"value": 5},
                        "measured": None,
                    },
                ]
            }
        ),
        encoding="utf-8",
    )
    chart = charts.targets_chart(charts.Results(folder))
    (_, measured), (_, estimate) = chart.datasets
    assert measured == [50.0, 50.0, None]  # 250 / 500; 20 / max(40, 10, 25)
    assert estimate == [200.0, None, None]
    assert chart.labels == ["#1 rate", "#1 latency", "#1 later"]


def test_pointer_and_tidy(charts: ModuleType) -> None:
    doc = {"runs": [{"a/b": {"x~y": 3}}]}
    assert charts.pointer(doc, "/runs/0/a~1b/x~0y") == 3
    with pytest.raises(KeyError):
        charts.pointer(doc, "/runs/0/missing")
    assert charts.tidy(118.44, 2) == 118
    assert charts.tidy(0.031589, 2) == 0.032
    assert charts.tidy(1128.56) == 1129
    assert charts.tidy(3.11258) == 3.11
    assert charts.share_of_target("lower", 512, 521) == 98
    with pytest.raises(ValueError):
        charts.share_of_target("sideways", 1, 1)
