"""Builders and helpers shared by the accreditation tests."""

from __future__ import annotations

import json
from typing import Any

from pusip_kit.testing.service import ServiceClient

OFFICER: dict[str, Any] = {"roles": ["accreditation_officer"], "username": "petugas-akreditasi"}
ASSESSOR: dict[str, Any] = {"roles": ["assessor"], "username": "asesor-satu"}
DEFAULT_POINTS = {"a": 5, "b": 4, "c": 3, "d": 2, "e": 1}


def library_admin_of(code: str) -> dict[str, Any]:
    return {"roles": ["library_admin"], "unit": code, "username": f"admin-{code}"}


def library_payload(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": "perpustakaan-sd-contoh-01",
        "name": "Perpustakaan SD Contoh 01",
        "type": "sekolah",
        "npp": "3171-0123-4567-0001",
        "owner_agency": "SD Negeri Contoh 01",
        "city": "jakarta-timur",
        "address": "Jakarta Timur",
        "collection_size": 2500,
    }
    body.update(overrides)
    return body


async def create_library(client: ServiceClient, **overrides: Any) -> dict[str, Any]:
    response = await client.post(
        "/libraries", json=library_payload(**overrides), headers=client.bearer(**OFFICER)
    )
    assert response.status_code == 201, response.text
    return response.json()


def indicators_file(
    counts: dict[str, int],
    *,
    points: dict[str, int] | None = None,
    evidence_required: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """An indicator file: ``counts`` indicators per component, coded ``<COMPONENT>.<n>``."""
    scheme = points or DEFAULT_POINTS
    return {
        "components": [
            {
                "code": component,
                "indicators": [
                    {
                        "code": f"{component}.{n}",
                        "text": f"Indikator {component.lower()} nomor {n}",
                        "options": {
                            letter: {"points": value, "text": f"Pilihan {letter}"}
                            for letter, value in scheme.items()
                        },
                        "evidence": "Foto atau dokumen pendukung"
                        if f"{component}.{n}" in evidence_required
                        else None,
                        "evidence_required": f"{component}.{n}" in evidence_required,
                    }
                    for n in range(1, count + 1)
                ],
            }
            for component, count in counts.items()
        ]
    }


async def seeded_instrument(client: ServiceClient, library_type: str) -> dict[str, Any]:
    response = await client.get(
        "/instruments", params={"library_type": library_type}, headers=client.bearer(**OFFICER)
    )
    assert response.status_code == 200, response.text
    [instrument] = [i for i in response.json() if i["version"] == "2022"]
    return instrument


async def publish_instrument(
    client: ServiceClient,
    library_type: str,
    counts: dict[str, int],
    *,
    points: dict[str, int] | None = None,
    evidence_required: frozenset[str] = frozenset(),
    weights: dict[str, int] | None = None,
) -> dict[str, Any]:
    """Load indicator texts into the seeded instrument of ``library_type`` and publish it."""
    instrument = await seeded_instrument(client, library_type)
    headers = client.bearer(**OFFICER)
    if weights is not None:
        response = await client.put(
            f"/instruments/{instrument['id']}/weights", json={"weights": weights}, headers=headers
        )
        assert response.status_code == 200, response.text
    body = json.dumps(indicators_file(counts, points=points, evidence_required=evidence_required))
    response = await client.put(
        f"/instruments/{instrument['id']}/indicators",
        content=body,
        headers={**headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    response = await client.post(f"/instruments/{instrument['id']}/publish", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def answers_for(choices: dict[str, str]) -> dict[str, Any]:
    """``{"KOLEKSI": "aabc"}`` → answers for KOLEKSI.1 … KOLEKSI.4."""
    return {
        "answers": {
            f"{component}.{n}": {"option": option}
            for component, letters in choices.items()
            for n, option in enumerate(letters, start=1)
        }
    }


def reason_codes(response: Any) -> list[str]:
    return [r["code"] for r in response.json()["error"]["details"]["reasons"]]
