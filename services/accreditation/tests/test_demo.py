"""The demo loader builds a small but complete picture once; loading twice changes nothing.

Hand calculations for the demo city, Kepulauan Seribu, 2025:

TGM (10 respondents, model 2022; bounds FM 0–7, DM 0–120, JB 0–10, FAI 0–7, DAI 0–300)
  averages  FM 35/10 = 3.5   DM 545/10 = 54.5   JB 41/10 = 4.1   FAI 55/10 = 5.5   DAI 1650/10 = 165
  scaled    FM 50            DM 45.4166…        JB 41            FAI 78.5714…      DAI 55
  TGM = 0.3·50 + 0.3·45.4166… + 0.3·41 + 0.05·78.5714… + 0.05·55
      = 15 + 13.625 + 12.3 + 3.9285… + 2.75 = 47.6035… → 47.60, Sedang

IPLM (model 2021, population 29,000)
  UPLM1 libraries        1 / (0.0001 × 29,000 = 2.9)   = 0.344827…
  UPLM2 copies        2300 / 29,000                    = 0.079310…
  UPLM3 staff            3 / (0.0002 × 29,000 = 5.8)   = 0.517241…
  UPLM4 visits/day      25 / (0.001 × 29,000 = 29)     = 0.862068…
  UPLM5 accredited       1 / 1 library (UPLM1)         = 1
  UPLM6 participants   290 / (0.01 × 29,000 = 290)     = 1
  UPLM7 members        900 / (0.1 × 29,000 = 2,900)    = 0.310344…
  IPLM = (sum 4.113793…) / 7 × 100 = 58.7685… → 58.77, Sedang
"""

from __future__ import annotations

import io

from pypdf import PdfReader

from accreditation.demo import DEMO_LIBRARIES, DEMO_POPULATIONS, load_demo_data
from pusip_kit.testing.service import ServiceClient
from pusip_kit.uow import unit_of_work

from .helpers import OFFICER


async def test_demo_data_is_idempotent_and_recomputes_by_hand(client: ServiceClient) -> None:
    async with unit_of_work(client.sessionmaker) as session:
        assert await load_demo_data(session) == {
            "libraries": len(DEMO_LIBRARIES),
            "instruments": 1,
            "assessments": 2,
            "activities": 1,
            "literacy": 1,
        }
    async with unit_of_work(client.sessionmaker) as session:
        assert set((await load_demo_data(session)).values()) == {0}
    officer = client.bearer(**OFFICER)
    listed = (await client.get("/libraries", headers=officer)).json()
    assert listed["pagination"]["total_count"] == len(DEMO_LIBRARIES)
    assert len({x["type"] for x in listed["items"]}) >= 4

    # One certified assessment (the acceptance example: 75.17, C) with its certificate, one in progress.
    assessments = (await client.get("/assessments", headers=officer)).json()["items"]
    by_status = {a["status"]: a for a in assessments}
    assert set(by_status) == {"certified", "draft"}
    certified = by_status["certified"]
    assert (certified["total"], certified["grade"], certified["valid_until"]) == ("75.17", "C", "2030-10-01")
    pdf = await client.get(f"/assessments/{certified['id']}/certificate.pdf", headers=officer)
    assert "75.17" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    detail = (await client.get(f"/assessments/{by_status['draft']['id']}", headers=officer)).json()
    assert (detail["progress"]["answered"], detail["progress"]["indicators"]) == (6, 21)

    public = (await client.get("/public/guidance")).json()
    assert public["pagination"]["total_count"] == 1 and public["items"][0]["seats_left"] == 39

    tgm = (await client.get("/literacy/tgm", params={"year": 2025}, headers=officer)).json()
    [city] = tgm["cities"]
    assert (city["area"], city["respondents"], city["score"], city["band"]) == (
        "kepulauan-seribu",
        10,
        "47.60",
        "Sedang",
    )
    assert city["averages"] == {"FM": "3.50", "DM": "54.50", "JB": "4.10", "FAI": "5.50", "DAI": "165.00"}
    assert city["normalised"] == {"FM": "50.00", "DM": "45.42", "JB": "41.00", "FAI": "78.57", "DAI": "55.00"}

    stored = {
        r["area"]: r
        for r in (await client.get("/literacy/iplm", params={"year": 2025}, headers=officer)).json()
    }
    assert set(stored) == {*DEMO_POPULATIONS, "dki-jakarta"}
    seribu = stored["kepulauan-seribu"]
    assert {k: v["value"] for k, v in seribu["inputs"].items()} == {
        "UPLM1": "1.00",
        "UPLM2": "2300.00",
        "UPLM3": "3.00",
        "UPLM4": "25.00",
        "UPLM5": "1.00",
        "UPLM6": "290.00",
        "UPLM7": "900.00",
    }
    assert seribu["inputs"]["UPLM6"]["source"] == "manual"
    assert seribu["inputs"]["UPLM4"]["source"] == "circulation.visits_per_day"
    assert (seribu["index"], seribu["band"]) == ("58.77", "Sedang")
    assert stored["dki-jakarta"]["population"] == sum(DEMO_POPULATIONS.values())
    # Recomputing from the raw inputs gives the stored figures again.
    preview = (await client.get("/literacy/iplm/preview", params={"year": 2025}, headers=officer)).json()
    assert {c["area"]: c["index"] for c in preview["cities"]} == {
        k: v["index"] for k, v in stored.items() if k != "dki-jakarta"
    }
