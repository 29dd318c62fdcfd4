"""The accreditation pages' templates and catalogs (rendering against the real service is in
``tests/cross_service/test_accreditation_portal_pages.py`` and, in Chromium, ``tests/e2e``)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
import pytest

from gateway.portal.accreditation import I18N_DIR, TEMPLATES_DIR, pages
from gateway.portal.core import TEMPLATES_DIR as SHELL_TEMPLATES
from gateway.portal.i18n import CATALOG_DIR, Catalogs

TEMPLATES = sorted((TEMPLATES_DIR / "akreditasi").glob("*.html"))


def catalog(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((I18N_DIR / f"{lang}.json").read_text(encoding="utf-8"))
    return data


def test_both_languages_have_the_same_keys_and_no_empty_text() -> None:
    ids, ens = catalog("id"), catalog("en")
    assert set(ids) == set(ens), sorted(set(ids) ^ set(ens))
    assert all(v.strip() for v in [*ids.values(), *ens.values()])
    # placeholders match between the languages
    for key, text in ids.items():
        assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", ens[key])), key


def test_every_key_the_pages_ask_for_exists() -> None:
    known = set(catalog("id")) | set(json.loads((CATALOG_DIR / "id.json").read_text()))
    used: set[str] = set()
    sources = [p.read_text() for p in TEMPLATES] + [Path(pages.__file__).read_text()]
    for text in sources:
        used |= set(re.findall(r"""\bt\(\s*["']([a-z0-9_.-]+)["']\s*[,)]""", text))
        used |= set(re.findall(r"""\(\s*"[a-z]+",\s*"[^"]*",\s*"(akr\.[a-z_.]+)\"""", text))  # the subnav
    assert used, "no t() calls found"
    assert used <= known, sorted(used - known)
    # the codes the pages label
    for kind, codes in (
        ("city", (*pages.CITIES, pages.PROVINCE)),
        ("type", pages.TYPES),
        ("segment", pages.SEGMENTS),
        ("status", pages.STATUSES),
        ("mode", pages.MODES),
        ("staff_role", pages.STAFF_ROLES),
        ("certification", pages.CERTIFICATION),
        ("kind", pages.KINDS),
        ("level", pages.LEVELS),
        ("grade", pages.GRADES),
        (
            "step",
            ("created", "submitted", "returned", "verified", "visit_completed", "certified", "cancelled"),
        ),
        ("staff_summary", ("total", "librarians", "certified", "library_science")),
        ("band", ("sangat-rendah", "rendah", "sedang", "tinggi", "sangat-tinggi")),
        ("ok", tuple(pages.OK_MESSAGES)),
    ):
        for code in codes:
            assert f"akr.{kind}.{code}" in known, (kind, code)
    for name in ("libraries", "grades", "assessments", "literacy"):
        assert f"akr.dash.export.{name}" in known
    for fmt in pages.EXPORT_TYPES:
        assert f"akr.dash.{fmt}" in known


def test_templates_have_no_bare_text_outside_the_catalog() -> None:
    for template in TEMPLATES:
        html = template.read_text()
        html = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", "", html, flags=re.S)
        for text in re.findall(r">([^<]+)<", html):
            words = re.findall(r"[A-Za-z]{2,}", text)
            assert not words, f"{template.name}: literal text {text.strip()!r}"
        for attribute in re.findall(r'\b(?:title|placeholder|aria-label|alt)="([^"{]+)"', html):
            assert not re.findall(r"[A-Za-z]{2,}", attribute), f"{template.name}: literal {attribute!r}"


def test_every_template_compiles() -> None:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([SHELL_TEMPLATES, TEMPLATES_DIR]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    for template in TEMPLATES:
        env.get_template(f"akreditasi/{template.name}")


class FakeRequest:
    query_params: dict[str, str] = {}


def make_view(lang: str) -> pages.View:
    catalogs = Catalogs(CATALOG_DIR, I18N_DIR)

    class Ctx:
        user = None

        def __init__(self) -> None:
            self.lang = lang
            self.t = catalogs.translator(lang)

    class FakePortal:
        pass

    portal: Any = FakePortal()
    portal.catalogs = catalogs
    return pages.View(FakeRequest(), portal, Ctx(), client=None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("id", "Sen-Jum 08:00-16:00; Sab 08:00-12:00; Min 09:00-12:00"),
        ("en", "Mon-Fri 08:00-16:00; Sat 08:00-12:00; Sun 09:00-12:00"),
    ],
)
def test_opening_hours_are_written_back_compactly(lang: str, expected: str) -> None:
    hours = [{"day": d, "opens": "08:00", "closes": "16:00"} for d in range(5, 0, -1)]
    hours += [
        {"day": 6, "opens": "08:00", "closes": "12:00"},
        {"day": 7, "opens": "09:00", "closes": "12:00"},
    ]
    assert make_view(lang).hours(hours) == expected


def test_labels_dates_and_numbers_follow_the_language() -> None:
    view = make_view("id")
    assert view.label("city", "kepulauan-seribu") == "Kepulauan Seribu"
    assert view.label("city", "bogor") == "bogor"  # unknown codes are shown as they are
    assert view.label("grade", None) == "–"
    assert view.num(86.25) == "86,25" and make_view("en").num(86.25) == "86.25"
    moment = datetime(2026, 11, 21, 22, 30, tzinfo=UTC)  # already the 22nd in Jakarta
    assert view.fmt_datetime(moment) == "22 Nov 2026 05.30 WIB"
    assert view.fmt_date(moment) == "22 Nov 2026"
    assert view.fmt_period(moment, moment.replace(hour=23, minute=45)) == "22 Nov 2026 05.30–06.45 WIB"
    assert make_view("en").fmt_date("2026-08-17") == "17 Aug 2026"


def test_literacy_rows_become_charts_per_area_and_year() -> None:
    view = make_view("id")
    rows = pages.literacy_rows(
        [
            [2024, "kepulauan-seribu", 45.5, "Sedang", 10, 50.0, "Rendah"],
            [2025, "kepulauan-seribu", 47.6, "Sedang", 10, 58.77, "Sedang"],
            [2025, "jakarta-pusat", None, None, None, 26.96, "Sangat rendah"],
            [2025, "dki-jakarta", 47.6, "Sedang", 10, 12.82, "Sangat rendah"],
            ["bad row"],
        ]
    )
    assert len(rows) == 4
    tgm = pages.literacy_by_area(view, rows, 2025, "tgm")
    assert tgm.labels == ("Kepulauan Seribu", "Provinsi DKI Jakarta")
    assert tgm.datasets[0].data == (47.6, 47.6)
    iplm = pages.by_area_and_year(view, rows, [2024, 2025], "iplm")
    assert iplm.labels == ("Jakarta Pusat", "Kepulauan Seribu", "Provinsi DKI Jakarta")
    assert [d.label for d in iplm.datasets] == ["2024", "2025"]
    assert iplm.datasets[0].data == (None, 50.0, None)
    trend = pages.literacy_by_year(view, rows, "tgm")
    assert trend.labels == ("2024", "2025") and trend.datasets[0].data == (45.5, 47.6)
