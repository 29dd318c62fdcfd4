"""Rule versions as data: the base version from the migration, a later version for later works."""

from __future__ import annotations

from typing import Any

from pusip_kit.testing.service import ServiceClient

from ..helpers import ADMIN, OFFICER, PUBLISHER, create_depositor


def version(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": "PERDA-2027",
        "legal_basis": "Contoh peraturan daerah serah simpan (uji)",
        "valid_from": "2027-01-01",
        "printed_months": 2,
        "printed_copies": 2,
        "recorded_months": 6,
        "recorded_copies": 1,
        "appreciation_min_due": 5,
        "appreciation_min_rate": "95.0",
        "appreciation_min_on_time_rate": "90.0",
        "warning_steps": [
            {
                "level": 1,
                "code": "teguran_tertulis",
                "name": "Teguran tertulis",
                "name_en": "Written warning",
                "days_overdue": 14,
                "days_after_previous": 0,
                "letter_text": "Mohon segera menyerahkan karya berikut.",
            },
        ],
    }
    body.update(overrides)
    return body


async def test_versions_are_data_and_apply_by_publication_date(client: ServiceClient) -> None:
    listed = await client.get("/rules")
    [base] = listed.json()
    assert (base["code"], base["printed_months"], base["recorded_months"]) == ("PP-55-2021", 3, 12)
    assert [s["code"] for s in base["warning_steps"]] == [
        "teguran_tertulis",
        "pembekuan_sementara",
        "pencabutan_izin",
    ]

    assert (await client.post("/rules", json=version(), headers=client.bearer(**OFFICER))).status_code == 403
    gap = version(warning_steps=[{**version()["warning_steps"][0], "level": 2}])
    assert (await client.post("/rules", json=gap, headers=client.bearer(**ADMIN))).status_code == 422
    created = await client.post("/rules", json=version(), headers=client.bearer(**ADMIN))
    assert created.status_code == 201, created.text
    assert (await client.post("/rules", json=version(), headers=client.bearer(**ADMIN))).status_code == 409

    in_force = await client.get("/rules/in-force", params={"on": "2027-06-01"})
    assert in_force.json()["code"] == "PERDA-2027"
    assert (await client.get("/rules/in-force", params={"on": "2026-12-31"})).json()["code"] == "PP-55-2021"

    depositor = await create_depositor(client)

    async def declare(published: str) -> dict[str, Any]:
        response = await client.post(
            "/obligations",
            json={
                "depositor_id": depositor["id"],
                "kind": "karya_cetak",
                "title": f"Buku {published}",
                "published_on": published,
            },
            headers=client.bearer(**PUBLISHER),
        )
        return response.json()

    old, new = await declare("2026-12-15"), await declare("2027-01-15")
    assert (old["due_on"], old["copies_required"]) == ("2027-03-15", 1)
    assert (new["due_on"], new["copies_required"]) == ("2027-03-15", 2)
