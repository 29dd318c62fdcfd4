"""A restricted (RAHASIA) archive record never leaks to anyone without the clearance to read it.

The archivist (unit ``dispusip``, clearance RAHASIA, category *pengolah*) registers a record under
a RAHASIA classification code and uploads a file to it. The archivist's own read and full-text
search find both (the control). Every other principal — anonymous, each demo role, the admin
included (no clearance claim) — gets no 200 on the record, its files or its download, and neither
the record's id nor its unique title word appears in any list, search or public answer.
"""

from __future__ import annotations

import secrets
import time

import httpx
import pytest

from .suite import PRINCIPALS, Suite

pytestmark = pytest.mark.timeout(600)

SECRET_CODE = "HM.01.01"  # RAHASIA in the demo JRA/SKKAAD


def test_a_restricted_record_never_leaks(suite: Suite) -> None:
    word = f"rahasia{secrets.token_hex(4)}"
    with httpx.Client(base_url=suite.url, timeout=60, headers=suite.headers("arsiparis")) as archivist:
        created = archivist.post(
            "/api/archive/records",
            json={
                "reference_number": f"R/{secrets.token_hex(3)}/2024",
                "title": f"Telaahan staf {word} hubungan masyarakat",
                "record_date": "2024-03-01",
                "unit": "dispusip",
                "classification_code": SECRET_CODE,
            },
        )
        assert created.status_code == 201, created.text
        record = created.json()
        record_id = str(record["id"])
        assert record["security_level"] == "RAHASIA", record
        upload = archivist.post(
            f"/api/archive/records/{record_id}/files",
            params={"filename": "telaahan.txt"},
            content=f"Isi {word}\n".encode(),
            headers={"Content-Type": "application/octet-stream"},
        )
        assert upload.status_code == 201, upload.text
        file_id = str(upload.json()["id"])
        assert archivist.get(f"/api/archive/records/{record_id}").status_code == 200
        assert word.encode() in archivist.get(f"/api/archive/records/{record_id}/files/{file_id}").content
        deadline = time.monotonic() + 120
        while record_id not in archivist.get("/api/archive/records/search", params={"q": word}).text:
            assert time.monotonic() < deadline, "the archivist's search never found the record"
            time.sleep(1.0)

    probes = [
        f"/api/archive/records/{record_id}",
        f"/api/archive/records/{record_id}/files",
        f"/api/archive/records/{record_id}/files/{file_id}",
        f"/api/archive/records/{record_id}/links",
        f"/api/archive/records/{record_id}/cases",
        f"/api/archive/public/records/{record_id}",
        f"/api/archive/public/records/{record_id}/files/{file_id}",
    ]
    lists = [
        ("/api/archive/records/search", {"q": word}),
        ("/api/archive/records", {"q": word}),
        ("/api/archive/records", {}),
        ("/api/archive/public/records", {"q": word}),
        ("/api/archive/public/records", {}),
        ("/api/catalog/search", {"q": word}),
    ]
    leaks: list[str] = []
    for principal in PRINCIPALS:
        if principal == "arsiparis":
            continue
        with httpx.Client(base_url=suite.url, timeout=60, headers=suite.headers(principal)) as client:
            for path in probes:
                response = client.get(path)
                if response.status_code == 200 or response.status_code >= 500 or word in response.text:
                    leaks.append(f"{principal} GET {path}: {response.status_code} {response.text[:120]}")
            for path, params in lists:
                response = client.get(path, params=params)
                if response.status_code >= 500 or word in response.text or record_id in response.text:
                    leaks.append(f"{principal} GET {path} {params}: {response.status_code}")
    assert not leaks, "\n".join(leaks)
