"""TGM/TKM from respondent answers and IPLM from registry, circulation events and entered figures,
each recomputed from raw inputs and checked against a hand calculation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from accreditation.literacy.events import handlers
from accreditation.literacy.service import normalise_city
from pusip_kit.events import Event, deliver_event
from pusip_kit.testing.service import ServiceClient

from ..helpers import OFFICER, create_library

YEAR = 2025


def respondent(n: int, age: int, fm: Any, dm: Any, jb: Any, fai: Any, dai: Any) -> dict[str, Any]:
    return {
        "respondent": f"R{n:03d}",
        "age": age,
        "reading_frequency": fm,
        "reading_minutes": dm,
        "items_per_quarter": jb,
        "internet_frequency": fai,
        "internet_minutes": dai,
    }


async def open_survey(client: ServiceClient, city: str) -> str:
    response = await client.post(
        "/literacy/tgm/surveys", json={"city": city, "year": YEAR}, headers=client.bearer(**OFFICER)
    )
    assert response.status_code == 201, response.text
    assert response.json()["model_version"] == "2022"
    return response.json()["id"]


async def test_tgm_intake_refuses_rows_outside_scope_and_scores_by_hand(client: ServiceClient) -> None:
    """Jakarta Barat, 4 valid respondents:
    FM (7+0+3+4)/4 = 3.5 → 50; DM (120+0+60+60)/4 = 60 → 50; JB (10+0+4+2)/4 = 4 → 40;
    FAI (7+7+7+7)/4 = 7 → 100; DAI (300+100+100+100)/4 = 150 → 50
    TGM = 15 + 15 + 12 + 5 + 2.5 = 49.50 → Sedang. A respondent reading 14 days a week is refused
    (shape), as are ages 9 and 70 (the model's scope is 10–69) and a repeated questionnaire number."""
    survey = await open_survey(client, "jakarta-barat")
    officer = client.bearer(**OFFICER)
    rows = [
        respondent(1, 10, 7, 120, 10, 7, 300),
        respondent(2, 69, 0, 0, 0, 7, 100),
        respondent(3, 9, 3, 60, 4, 7, 100),
        respondent(4, 70, 3, 60, 4, 7, 100),
        respondent(5, 30, 14, 60, 4, 7, 100),
        respondent(1, 40, 3, 60, 4, 7, 100),
    ]
    dry = (
        await client.post(
            f"/literacy/tgm/surveys/{survey}/responses",
            params={"dry_run": "true"},
            json={"responses": rows},
            headers=officer,
        )
    ).json()
    assert [(r["row"], r["status"]) for r in dry["rows"]] == [
        (1, "accepted"),
        (2, "accepted"),
        (3, "error"),
        (4, "error"),
        (5, "error"),
        (6, "error"),
    ]
    assert [e["code"] for e in dry["rows"][2]["errors"]] == ["age_out_of_scope"]
    assert dry["rows"][4]["errors"][0]["field"] == "reading_frequency"
    assert [e["code"] for e in dry["rows"][5]["errors"]] == ["respondent_duplicate"]
    assert (await client.get(f"/literacy/tgm/surveys/{survey}", headers=officer)).json()["respondents"] == 0
    report = (
        await client.post(
            f"/literacy/tgm/surveys/{survey}/responses", json={"responses": rows}, headers=officer
        )
    ).json()
    assert (report["accepted"], report["errors"]) == (2, 4)
    csv_text = (
        "respondent,age,sex,reading_frequency,reading_minutes,items_per_quarter,internet_frequency,internet_minutes\n"
        "R003,35,P,3,60,4,7,100\n"
        "R004,50,L,4,60,2,7,100\n"
        "R005,abc,L,4,60,2,7,100\n"
    )
    imported = (
        await client.post(
            f"/literacy/tgm/surveys/{survey}/responses/import", content=csv_text.encode(), headers=officer
        )
    ).json()
    assert [(r["row"], r["status"]) for r in imported["rows"]] == [
        (2, "accepted"),
        (3, "accepted"),
        (4, "error"),
    ]

    score = (await client.get(f"/literacy/tgm/surveys/{survey}/score", headers=officer)).json()
    assert score["respondents"] == 4
    assert score["averages"] == {"FM": "3.50", "DM": "60.00", "JB": "4.00", "FAI": "7.00", "DAI": "150.00"}
    assert score["normalised"] == {
        "FM": "50.00",
        "DM": "50.00",
        "JB": "40.00",
        "FAI": "100.00",
        "DAI": "50.00",
    }
    assert (score["score"], score["band"], score["band_en"]) == ("49.50", "Sedang", "Medium")
    again = await client.post(
        "/literacy/tgm/surveys", json={"city": "jakarta-barat", "year": YEAR}, headers=officer
    )
    assert again.status_code == 409


async def test_province_tgm_is_population_weighted(client: ServiceClient) -> None:
    """Pusat: one respondent at every maximum → 100.00; Selatan: one at zero → 0.00.
    Populations 1,000,000 and 3,000,000 → province (100·1 + 0·3)/4 = 25.00 → Rendah."""
    officer = client.bearer(**OFFICER)
    for city, values in (("jakarta-pusat", (7, 120, 10, 7, 300)), ("jakarta-selatan", (0, 0, 0, 0, 0))):
        survey = await open_survey(client, city)
        await client.post(
            f"/literacy/tgm/surveys/{survey}/responses",
            json={"responses": [respondent(1, 20, *values)]},
            headers=officer,
        )
    unweighted = (await client.get("/literacy/tgm", params={"year": YEAR}, headers=officer)).json()
    assert (unweighted["province"]["score"], unweighted["province_method"]) == (
        "50.00",
        "mean of city scores",
    )
    for city, population in (("jakarta-pusat", 1_000_000), ("jakarta-selatan", 3_000_000)):
        response = await client.put(
            f"/literacy/populations/{YEAR}/{city}", json={"population": population}, headers=officer
        )
        assert response.status_code == 200
    result = (await client.get("/literacy/tgm", params={"year": YEAR}, headers=officer)).json()
    assert {c["area"]: c["score"] for c in result["cities"]} == {
        "jakarta-pusat": "100.00",
        "jakarta-selatan": "0.00",
    }
    assert (result["province"]["score"], result["province"]["band"]) == ("25.00", "Rendah")
    assert result["province_method"] == "population-weighted mean of city scores"


async def test_iplm_from_registry_events_and_entered_figures(client: ServiceClient) -> None:
    """Jakarta Timur 2025, population 200,000 (model 2021):
      UPLM1 2 libraries / (0.0001 × 200,000 = 20)            = 0.10
      UPLM2 30,000 copies / 200,000                           = 0.15
      UPLM3 4 staff / (0.0002 × 200,000 = 40)                 = 0.10
      UPLM4 (150 + 250) / 2 days = 200 visits a day / 200     = 1.00
      UPLM5 1 accredited / 2 libraries                        = 0.50
      UPLM6 1,000 participants (entered) / 2,000              = 0.50
      UPLM7 12,000 + 8,000 members (last day per branch) / 20,000 = 1.00
      IPLM = (0.1 + 0.15 + 0.1 + 1 + 0.5 + 0.5 + 1) / 7 × 100 = 3.35 / 7 × 100 = 47.857… → 47.86, Rendah
    An inactive library, its staff and circulation of another city do not count."""
    officer = client.bearer(**OFFICER)
    await create_library(
        client, code="timur-1", type="umum-kecamatan", city="jakarta-timur", npp=None, collection_size=20_000
    )
    await create_library(
        client, code="timur-2", type="sekolah", city="jakarta-timur", npp=None, collection_size=10_000
    )
    await create_library(
        client,
        code="timur-tutup",
        type="sekolah",
        city="jakarta-timur",
        npp=None,
        collection_size=99_999,
        active=False,
    )
    for code, names in (("timur-1", ["A", "B", "C"]), ("timur-2", ["D"]), ("timur-tutup", ["E", "F"])):
        for name in names:
            await client.post(
                f"/libraries/{code}/staff",
                json={"name": f"Staf {name}", "role": "pustakawan"},
                headers=officer,
            )
    await client.post(
        "/libraries/timur-1/accreditations",
        json={"grade": "B", "accredited_on": "2024-05-01", "valid_until": "2029-05-01"},
        headers=officer,
    )
    await client.post(
        "/libraries/timur-2/accreditations",
        json={"grade": "A", "accredited_on": "2018-05-01", "valid_until": "2023-05-01"},
        headers=officer,
    )
    await client.put(
        f"/literacy/populations/{YEAR}/jakarta-timur",
        json={"population": 200_000, "source": "uji"},
        headers=officer,
    )
    await client.put(
        f"/literacy/iplm/inputs/{YEAR}/jakarta-timur/UPLM6",
        json={"value": 1000, "note": "peserta"},
        headers=officer,
    )

    # Circulation figures arrive only as events, applied by the consumer (deduped by event id).
    async def deliver(payload: dict[str, Any], event_id: uuid.UUID | None = None) -> list[str]:
        event = Event(
            event_id or uuid.uuid4(),
            "circulation.stats.daily",
            datetime.now(UTC),
            "circulation",
            None,
            payload,
        )
        result = await deliver_event(client.sessionmaker, handlers, event)
        return result.processed + result.duplicates

    first = uuid.uuid4()
    assert await deliver(
        {
            "date": "2025-12-30",
            "branch": "jatinegara",
            "city": "Jakarta Timur",
            "active_members": 11_000,
            "visits": 100,
            "loans": 50,
            "titles_loaned": 40,
        },
        first,
    ) == ["accreditation.literacy.circulation_daily_stats"]
    # A corrected figure for the same branch and day replaces the first; a redelivery changes nothing.
    await deliver(
        {
            "date": "2025-12-30",
            "branch": "jatinegara",
            "city": "Kota Administrasi Jakarta Timur",
            "active_members": 11_500,
            "visits": 150,
            "loans": 50,
            "titles_loaned": 40,
        }
    )
    await deliver(
        {
            "date": "2025-12-30",
            "branch": "jatinegara",
            "city": "jakarta-timur",
            "active_members": 1,
            "visits": 1,
        },
        first,
    )
    await deliver(
        {
            "date": "2025-12-31",
            "branches": [
                {
                    "branch": "jatinegara",
                    "city": "jakarta-timur",
                    "active_members": 12_000,
                    "visits": 130,
                    "loans": 60,
                },
                {
                    "branch": "cakung",
                    "city": "jakarta-timur",
                    "active_members": 8_000,
                    "visits": 120,
                    "loans": 30,
                },
                {
                    "branch": "cikini",
                    "city": "jakarta-pusat",
                    "active_members": 50_000,
                    "visits": 999,
                    "loans": 400,
                },
            ],
        }
    )
    circulation = {
        c["city"]: c
        for c in (await client.get("/literacy/circulation", params={"year": YEAR}, headers=officer)).json()
    }
    assert (circulation["jakarta-timur"]["visits"], circulation["jakarta-timur"]["days"]) == (400, 2)

    computed = (await client.get("/literacy/iplm/preview", params={"year": YEAR}, headers=officer)).json()
    [timur] = computed["cities"]
    assert {k: (v["value"], v["source"]) for k, v in timur["inputs"].items()} == {
        "UPLM1": ("2.00", "registry.libraries"),
        "UPLM2": ("30000.00", "registry.collection"),
        "UPLM3": ("4.00", "registry.staff"),
        "UPLM4": ("200.00", "circulation.visits_per_day"),
        "UPLM5": ("1.00", "registry.accredited_libraries"),
        "UPLM6": ("1000.00", "manual"),
        "UPLM7": ("20000.00", "circulation.active_members"),
    }
    assert timur["ratios"] == {
        "UPLM1": "0.10",
        "UPLM2": "0.15",
        "UPLM3": "0.10",
        "UPLM4": "1.00",
        "UPLM5": "0.50",
        "UPLM6": "0.50",
        "UPLM7": "1.00",
    }
    assert (timur["index"], timur["band"]) == ("47.86", "Rendah")
    assert computed["stored"] is False
    assert {m["area"] for m in computed["missing"]} == {
        "jakarta-pusat",
        "jakarta-utara",
        "jakarta-barat",
        "jakarta-selatan",
        "kepulauan-seribu",
    }

    # An entered figure replaces a counted one; storing keeps every input with the result.
    await client.put(
        f"/literacy/iplm/inputs/{YEAR}/jakarta-timur/UPLM1",
        json={"value": 20, "note": "termasuk TBM"},
        headers=officer,
    )
    stored = await client.post(f"/literacy/iplm/{YEAR}/compute", headers=officer)
    assert stored.status_code == 200, stored.text
    # UPLM1 20/20 = 1, UPLM5 1/20 = 0.05 → (1 + 0.15 + 0.1 + 1 + 0.05 + 0.5 + 1) / 7 × 100 = 54.29
    results = {
        r["area"]: r
        for r in (await client.get("/literacy/iplm", params={"year": YEAR}, headers=officer)).json()
    }
    assert results["jakarta-timur"]["index"] == "54.29"
    assert results["jakarta-timur"]["inputs"]["UPLM1"] == {
        "value": "20.00",
        "source": "manual",
        "note": "termasuk TBM",
    }
    assert results["dki-jakarta"]["index"] == "54.29"  # the province is the one city with data
    assert (
        await client.post(f"/literacy/iplm/{YEAR}/compute", headers=client.bearer(roles=["library_admin"]))
    ).status_code == 403
    assert (
        await client.put(
            f"/literacy/iplm/inputs/{YEAR}/jakarta-timur/UPLM99", json={"value": 1}, headers=officer
        )
    ).status_code == 422


async def test_models_are_versioned_data(client: ServiceClient) -> None:
    officer = client.bearer(**OFFICER)
    [tgm] = (await client.get("/literacy/tgm/models", headers=officer)).json()
    assert tgm["weights"] == {"FM": "0.3", "DM": "0.3", "JB": "0.3", "FAI": "0.05", "DAI": "0.05"}
    assert all("(check)" in n["note"] for n in tgm["normalisers"].values())
    assert (tgm["age_min"], tgm["age_max"]) == (10, 69)
    [iplm] = (await client.get("/literacy/iplm/models", headers=officer)).json()
    assert [e["code"] for e in iplm["elements"]] == [f"UPLM{n}" for n in range(1, 8)]
    body = {
        "version": "2026-uji",
        "legal_basis": "Uji",
        "weights": {"FM": "0.2", "DM": "0.2", "JB": "0.4", "FAI": "0.1", "DAI": "0.1"},
        "normalisers": {k: {"min": 0, "max": 10} for k in ("FM", "DM", "JB", "FAI", "DAI")},
        "bands": [{"upper": 100, "label": "Semua", "label_en": "All"}],
    }
    assert (await client.post("/literacy/tgm/models", json=body, headers=officer)).status_code == 201
    bad = {**body, "version": "x", "weights": {**body["weights"], "FM": "0.5"}}
    assert (await client.post("/literacy/tgm/models", json=bad, headers=officer)).status_code == 422


def test_city_names_as_circulation_writes_them() -> None:
    assert normalise_city("Jakarta Utara") == "jakarta-utara"
    assert normalise_city("Kab. Adm. Kepulauan Seribu") == "kepulauan-seribu"
    assert normalise_city("jakarta_pusat") == "jakarta-pusat"
    assert normalise_city("Depok") is None and normalise_city(None) is None
