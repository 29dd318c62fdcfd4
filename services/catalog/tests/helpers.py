"""Builders and helpers shared by the catalogue's tests."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from catalog.tasks import TASKS
from pusip_kit.outbox import OutgoingMessage, relay_outbox
from pusip_kit.testing.service import ServiceClient

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "marc21"
LIBRARIAN = {"roles": ["librarian"]}
CATALOGER = {"roles": ["cataloger"]}
PATRON = {"roles": ["patron"]}


def isbn13(first12: str) -> str:
    total = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


def f008(year: int | None = 2005, place: str = "io ", language: str = "ind") -> str:
    date = f"{year:04d}" if year else "    "
    return f"250101s{date}    {place}a     b    000 0 {language} d"


def marc(
    title: str,
    *,
    author: str | None = None,
    year: int | None = 2005,
    language: str = "ind",
    place_code: str = "io ",
    place: str = "Jakarta",
    publisher: str = "Balai Pustaka",
    subjects: Sequence[str] = (),
    isbn: str | None = None,
    control: str | None = None,
    leader: str = "00000nam a2200000 a 4500",
    call_number: str | None = None,
    summary: str | None = None,
    holdings: Sequence[dict[str, str]] = (),
    extra: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """A MARC-in-JSON record; ``holdings`` become 852 fields ({b: branch, c: location, p: barcode})."""
    fields: list[dict[str, Any]] = []
    if control:
        fields.append({"001": control})
    fields.append({"008": f008(year, place_code, language)})
    if isbn:
        fields.append({"020": {"ind1": " ", "ind2": " ", "subfields": [{"a": isbn}]}})
    if call_number:
        fields.append({"082": {"ind1": "0", "ind2": "4", "subfields": [{"a": call_number}]}})
    if author:
        fields.append({"100": {"ind1": "1", "ind2": " ", "subfields": [{"a": author}]}})
    main, _, rest = title.partition(" : ")
    title_subfields: list[dict[str, str]] = [{"a": main + (" :" if rest else "")}]
    if rest:
        title_subfields.append({"b": rest})
    fields.append({"245": {"ind1": "1", "ind2": "0", "subfields": title_subfields}})
    pub = [{"a": f"{place} :"}, {"b": f"{publisher},"}]
    if year:
        pub.append({"c": str(year)})
    fields.append({"264": {"ind1": " ", "ind2": "1", "subfields": pub}})
    if summary:
        fields.append({"520": {"ind1": " ", "ind2": " ", "subfields": [{"a": summary}]}})
    for subject in subjects:
        fields.append({"650": {"ind1": " ", "ind2": "4", "subfields": [{"a": subject}]}})
    for h in holdings:
        fields.append({"852": {"ind1": " ", "ind2": " ", "subfields": [{k: v} for k, v in h.items()]}})
    fields.extend(extra)
    return {"leader": leader, "fields": fields}


def json_file(records: Sequence[dict[str, Any]]) -> bytes:
    return json.dumps(list(records), ensure_ascii=False).encode()


async def create_branch(client: ServiceClient, code: str, name: str | None = None) -> None:
    response = await client.post(
        "/branches",
        json={
            "code": code,
            "name": name or code.replace("-", " ").title(),
            "type": "perpustakaan_kecamatan",
            "city": "jakarta-pusat",
        },
        headers=client.bearer(**LIBRARIAN),
    )
    assert response.status_code == 201, response.text


class _Collector:
    def __init__(self) -> None:
        self.messages: list[OutgoingMessage] = []
        self.lock = threading.Lock()

    def publish(self, message: OutgoingMessage) -> None:
        with self.lock:
            self.messages.append(message)


async def run_tasks(client: ServiceClient, *, rounds: int = 10) -> list[tuple[str, Any]]:
    """Do what the worker would: relay the outbox and run the catalogue tasks it holds, in process."""
    runtime = client.app.state.catalog_runtime
    done: list[tuple[str, Any]] = []
    for _ in range(rounds):
        collector = _Collector()
        await relay_outbox(client.sessionmaker, collector)
        tasks = [m for m in collector.messages if m.task_name in TASKS]
        if not tasks:
            break
        for message in tasks:
            result = await TASKS[message.task_name](runtime, client.sessionmaker, *message.args)
            done.append((message.task_name, result))
    return done


async def upload_import(
    client: ServiceClient,
    data: bytes,
    *,
    filename: str = "records.mrc",
    headers: dict[str, str] | None = None,
    **params: str,
) -> Any:
    return await client.post(
        "/imports",
        params=params,
        files={"file": (filename, data, "application/octet-stream")},
        headers=headers if headers is not None else client.bearer(**CATALOGER),
    )


async def import_bytes(
    client: ServiceClient, data: bytes, *, filename: str = "records.mrc", **params: str
) -> dict[str, Any]:
    """Upload, let the worker run the job, and return the finished job."""
    response = await upload_import(client, data, filename=filename, **params)
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    await run_tasks(client)
    job = await client.get(f"/imports/{job_id}", headers=client.bearer(**CATALOGER))
    assert job.status_code == 200, job.text
    return job.json()


async def create_record(client: ServiceClient, record: dict[str, Any], **params: str) -> dict[str, Any]:
    response = await client.post("/records", json=record, params=params, headers=client.bearer(**CATALOGER))
    assert response.status_code == 201, response.text
    return response.json()
