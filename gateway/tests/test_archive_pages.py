"""The archive pages' own rules, without the archive service: catalogs, templates, the client's models.

The pages against a real archive service (and in Chromium) are in ``tests/e2e/test_archive_portal.py``.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import httpx
import pytest

from gateway.portal.archive import view
from pusip_kit.clients.archive import (
    AddItemsResult,
    Disposal,
    PublicRecord,
    Record,
    SearchResult,
    field_errors,
    refusal_reasons,
)
from pusip_kit.errors import Conflict, Unprocessable

from .conftest import Suite

HERE = Path(__file__).resolve().parents[1] / "src" / "gateway" / "portal" / "archive"
TEMPLATES = HERE / "templates" / "kearsipan"
T_CALL = re.compile(r"""\bt\(\s*["']([a-z0-9_.]+)["']\s*[,)]""")


def catalog(lang: str) -> dict[str, str]:
    data = json.loads((HERE / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_both_catalogs_have_the_same_keys_and_no_empty_text() -> None:
    ids, ens = catalog("id"), catalog("en")
    assert set(ids) == set(ens), sorted(set(ids) ^ set(ens))
    assert all(v.strip() for v in (*ids.values(), *ens.values()))
    # the archive's keys never collide with the shell's or another feature's: its own prefix, and
    # error-page texts only for the archive service's own error codes
    own_errors = {
        "error.record_not_found",
        "error.file_not_found",
        "error.disposal_not_found",
        "error.access_request_not_found",
        "error.audit_forbidden",
    }
    assert {k for k in ids if not k.startswith("ars.")} == own_errors


def test_every_message_a_template_or_page_asks_for_is_in_the_catalog() -> None:
    ids = catalog("id")
    shell = json.loads((HERE.parent / "i18n" / "id.json").read_text(encoding="utf-8"))
    used: set[str] = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(T_CALL.findall(template.read_text()))
    for source in HERE.glob("*.py"):
        used |= set(re.findall(r"""\bt\(\s*["'](ars\.[a-z0-9_.]+)["']""", source.read_text()))
    assert len(used) > 150
    missing = sorted(k for k in used if k not in ids and k not in shell)
    assert not missing, missing


@pytest.mark.parametrize(
    ("kind", "codes"),
    [
        ("level", view.LEVELS),
        ("status", view.RECORD_STATUSES),
        ("dueact", view.DUE_ACTIONS),
        ("due.explain", view.DUE_ACTIONS),
        ("kind", view.KINDS),
        ("request", view.REQUEST_STATUSES),
        ("dstatus", view.DISPOSAL_STATUSES),
        ("disposal.next", view.DISPOSAL_STEPS[:-1]),
        ("panel_role", view.PANEL_ROLES),
        ("approval", view.APPROVAL_LEVELS),
        ("outcome", view.AUDIT_OUTCOMES),
        ("ok", sorted(view.OK_MESSAGES)),
        ("lifecycle", ("draf", "selesai", "dibatalkan")),
        ("item", ("diusulkan", "dikeluarkan", "dimusnahkan")),
        ("disposition", ("MUSNAH", "PERMANEN", "DINILAI_KEMBALI")),
        (
            "doc",
            (
                "berita_acara_pemindahan",
                "daftar_arsip_pindah",
                "berita_acara_penyerahan",
                "daftar_arsip_serah",
                "berita_acara_pemusnahan",
                "daftar_arsip_musnah",
            ),
        ),
    ],
)
def test_every_code_shown_has_a_label_in_both_languages(kind: str, codes: tuple[str, ...]) -> None:
    for lang in ("id", "en"):
        messages = catalog(lang)
        missing = [c for c in codes if f"ars.{kind}.{c}" not in messages]
        assert not missing, (lang, kind, missing)


def test_templates_have_no_literal_ui_text() -> None:
    """Text nodes and user-facing attributes are Jinja expressions only, never words in the markup."""
    for template in TEMPLATES.glob("*.html"):
        html = template.read_text()
        stripped = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", "", html, flags=re.S)
        stripped = re.sub(r"<(script|style)\b.*?</\1>", "", stripped, flags=re.S)
        for text in re.findall(r">([^<]+)<", stripped):
            words = re.findall(r"[A-Za-z]{2,}", text)
            assert not words, f"{template.name}: literal text {text.strip()!r}"
        for attr, value in re.findall(r"""\b(placeholder|title|aria-label|alt)="([^"]*)\"""", html):
            assert not value or value.startswith("{{"), f"{template.name}: literal {attr}={value!r}"


def test_no_inline_scripts_or_styles_and_every_post_form_carries_the_csrf_token() -> None:
    for template in TEMPLATES.glob("*.html"):
        html = template.read_text()
        assert " style=" not in html, template.name
        assert not re.search(r"\bon[a-z]+=", html), template.name  # no inline event handlers
        for script in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in script or 'type="application/ld+json"' in script, (template.name, script)
        for form in re.findall(r"<form\b[^>]*>.*?</form>", html, flags=re.S):
            if 'method="post"' in form:
                assert "m.csrf()" in form, (template.name, form[:120])


# -- the client's models are tolerant readers ----------------------------------------------------------


def test_models_ignore_unknown_fields_and_default_missing_ones() -> None:
    record_id = uuid.uuid4()
    record = Record.model_validate({"id": str(record_id), "title": "Surat", "brand_new_field": {"x": 1}})
    assert record.id == record_id and record.security_level == "BIASA" and record.due_action is None
    result = SearchResult[PublicRecord].model_validate(
        {
            "items": [{"id": str(record_id), "title": "Surat", "kind": "statis", "extra": True}],
            "total": 41,
            "facets": {"year": [{"value": 2022, "count": 3}]},
            "limit": 20,
        }
    )
    assert result.items[0].kind == "statis" and result.max_page == 3
    assert result.facets["year"][0].count == 3
    disposal = Disposal.model_validate(
        {"id": str(uuid.uuid4()), "status": "usulan", "witnesses": [{"name": "A"}]}
    )
    assert disposal.items == [] and disposal.witnesses[0].name == "A"
    added = AddItemsResult.model_validate(
        {"added": [], "refused": [{"record_id": str(record_id), "reasons": []}]}
    )
    assert added.refused[0].ok is False


def test_refusals_and_validation_errors_are_read_back() -> None:
    refused = Conflict(
        "ditolak",
        "refused",
        code="refused",
        details={
            "reasons": [
                {
                    "code": "refuse_when_legal_hold",
                    "message": "Arsip ditahan",
                    "message_en": "On hold",
                    "details": {"record_id": "x"},
                }
            ]
        },
    )
    [reason] = refusal_reasons(refused)
    assert reason.code == "refuse_when_legal_hold" and reason.details == {"record_id": "x"}
    invalid = Unprocessable(
        "tidak valid",
        "invalid",
        code="validation_error",
        details=[{"loc": ["body", "title"], "msg": "too short", "type": "string_too_short"}],
    )
    assert field_errors(invalid) == {"title": "too short"}
    assert refusal_reasons(invalid) == [] and field_errors(refused) == {}


# -- mounted in the gateway -----------------------------------------------------------------------------


async def test_the_section_page_is_the_archive_home_and_its_assets_are_served(suite: Suite) -> None:
    async with httpx.AsyncClient(base_url=suite.url) as client:
        home = await client.get("/portal/kearsipan")
        assert home.status_code == 200
        assert 'data-page="home"' in home.text and 'action="/portal/kearsipan/cari"' in home.text
        assert 'href="/portal/kearsipan/aset/kearsipan.css"' in home.text
        css = await client.get("/portal/kearsipan/aset/kearsipan.css")
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
        js = await client.get("/portal/kearsipan/aset/kearsipan.js")
        assert js.status_code == 200 and "htmx:xhr:progress" in js.text
        assert (await client.get("/portal/kearsipan/aset/../view.py")).status_code == 404
        assert (await client.get("/portal/kearsipan/aset/view.py")).status_code == 404
        # staff pages send a visitor to sign in, and back afterwards
        bench = await client.get("/portal/kearsipan/jatuh-tempo")
        assert bench.status_code == 303
        assert bench.headers["location"] == "/portal/login?next=%2Fportal%2Fkearsipan%2Fjatuh-tempo"
