"""Compliance: rate per depositor and period, ranking, appreciation, overdue list, charts, exports."""

from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import load_workbook

from deposit.obligations.service import obligation_service
from pusip_kit.testing.service import ServiceClient
from pusip_kit.uow import unit_of_work

from ..helpers import OFFICER, OFFICER_2, OTHER_PUBLISHER, PUBLISHER, create_depositor, small_pdf, submit_pdf


async def declare(
    client: ServiceClient, who: dict[str, object], depositor_id: str, title: str, published: str
) -> dict[str, object]:
    response = await client.post(
        "/obligations",
        json={
            "depositor_id": depositor_id,
            "kind": "karya_digital",
            "title": title,
            "published_on": published,
        },
        headers=client.bearer(**who),
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_rate_ranking_appreciation_charts_and_exports(client: ServiceClient) -> None:
    client.settings.agency_code = "DISPUSIP"
    good = await create_depositor(client, name="Penerbit Tertib")
    late = await create_depositor(client, who=OTHER_PUBLISHER, name="Penerbit Lalai")
    # digital works: due 12 months after publication -> all fall due in 2025
    titles = [await declare(client, PUBLISHER, good["id"], f"Tertib {n}", f"2024-0{n}-10") for n in (1, 2, 3)]
    await declare(client, OTHER_PUBLISHER, late["id"], "Lalai 1", "2024-02-01")
    await declare(client, OTHER_PUBLISHER, late["id"], "Lalai 2", "2024-03-01")

    before = await client.get(
        f"/compliance/depositors/{good['id']}", params={"start": "2025-01-01", "end": "2025-12-31"},
        headers=client.bearer(**PUBLISHER),
    )  # fmt: skip
    assert before.json()["rate"] == {
        "due": 3,
        "fulfilled": 0,
        "fulfilled_on_time": 0,
        "rate": "0.0",
        "on_time_rate": "0.0",
    }

    for obligation in titles:
        deposit = await submit_pdf(client, good["id"], pdf=small_pdf(), obligation_id=obligation["id"],
                                   title=obligation["title"], year=2024, published_on=None)  # fmt: skip
        accepted = await client.post(f"/deposits/{deposit['id']}/accept", headers=client.bearer(**OFFICER))
        assert accepted.status_code == 200
    async with unit_of_work(client.sessionmaker) as session:
        await obligation_service.update_overdue(session)

    after = await client.get(
        f"/compliance/depositors/{good['id']}", params={"start": "2025-01-01", "end": "2025-12-31"},
        headers=client.bearer(**PUBLISHER),
    )  # fmt: skip
    rate = after.json()["rate"]
    assert (rate["due"], rate["fulfilled"], rate["rate"]) == (3, 3, "100.0")
    assert rate["fulfilled_on_time"] == 0  # deposited after the 2025 due dates
    assert (
        await client.get(f"/compliance/depositors/{good['id']}", headers=client.bearer(**OTHER_PUBLISHER))
    ).status_code == 404

    ranking = await client.get("/compliance/ranking", params={"start": "2025-01-01", "end": "2025-12-31"})
    rows = ranking.json()
    assert [(r["depositor_name"], r["rank"], r["rate"]["rate"]) for r in rows] == [
        ("Penerbit Tertib", 1, "100.0"),
        ("Penerbit Lalai", 2, "0.0"),
    ]
    assert rows[1]["overdue_now"] == 2

    appreciation = await client.get("/compliance/appreciation", params={"year": 2025})
    # the base rules ask for 80% on time: deposited late, so not (yet) appreciated
    assert appreciation.json()["publishers"] == []
    assert appreciation.json()["criteria"]["min_on_time_rate"] == "80.0"

    overdue = await client.get("/compliance/overdue", headers=client.bearer(**OFFICER))
    assert sorted(o["title"] for o in overdue.json()) == ["Lalai 1", "Lalai 2"]
    assert all(o["days_overdue"] > 0 for o in overdue.json())
    assert (await client.get("/compliance/overdue", headers=client.bearer(**PUBLISHER))).json() == []

    chart = await client.get(
        "/compliance/chart", params={"start": "2025-01-01", "end": "2025-12-31", "granularity": "quarter"}
    )
    points = chart.json()["points"]
    assert [p["period"] for p in points] == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    assert [p["due"] for p in points] == [5, 0, 0, 0]
    assert points[0]["fulfilled"] == 3 and points[0]["rate"] == "60.0"
    assert chart.json()["by_kind"]["karya_digital"]["due"] == 5
    assert (await client.get("/compliance/chart", params={"depositor_id": good["id"]})).status_code == 401

    exported = await client.get(
        "/compliance/export", params={"report": "ranking", "start": "2025-01-01", "end": "2025-12-31"},
        headers=client.bearer(**OFFICER_2),
    )  # fmt: skip
    assert exported.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert table[0][:2] == ["peringkat", "penyerah"]
    assert table[1][1] == "Penerbit Tertib"
    xlsx = await client.get(
        "/compliance/export", params={"report": "overdue", "format": "xlsx"}, headers=client.bearer(**OFFICER)
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values = list(sheet.values)
    assert values[0][0] == "penyerah" and len(values) == 3
    assert (
        await client.get(
            "/compliance/export", params={"report": "overdue"}, headers=client.bearer(**PUBLISHER)
        )
    ).status_code == 403
    _ = date
