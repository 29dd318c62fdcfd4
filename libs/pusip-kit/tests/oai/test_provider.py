from __future__ import annotations

import socket
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
import uvicorn
from defusedxml.ElementTree import fromstring
from fastapi import FastAPI, Request
from fastapi.responses import Response
from sickle import Sickle

from pusip_kit.oai import OaiHeader, OaiProvider, OaiRecord, OaiSet, RepositoryInfo

NS = {"o": "http://www.openarchives.org/OAI/2.0/"}
T0 = datetime(2026, 1, 1, tzinfo=UTC)


class MemorySource:
    def __init__(self, n: int) -> None:
        self.items = [
            OaiHeader(
                f"rec{i:04d}",
                T0 + timedelta(hours=i),
                ("branch:cikini",) if i % 2 else ("branch:tebet",),
                deleted=(i == 7),
            )
            for i in range(n)
        ]

    async def headers(self, *, start, until, set_spec, after, limit):  # type: ignore[no-untyped-def]
        matching = [
            h
            for h in self.items
            if (start is None or h.datestamp >= start)
            and (until is None or h.datestamp <= until)
            and (set_spec is None or set_spec in h.sets)
        ]
        later = [h for h in matching if after is None or (h.datestamp, h.local_id) > after]
        return later[:limit], len(matching)

    async def records(self, headers: Sequence[OaiHeader], prefix: str) -> list[OaiRecord]:
        return [OaiRecord(h, {prefix: f"<x>{h.local_id}</x>"}) for h in headers]

    async def record(self, local_id: str, prefix: str) -> OaiRecord | None:
        for h in self.items:
            if h.local_id == local_id:
                return OaiRecord(h, {prefix: f"<x>{local_id}</x>"})
        return None

    async def formats_for(self, local_id: str) -> Sequence[str] | None:
        return ["oai_dc", "marc21"] if any(h.local_id == local_id for h in self.items) else None

    async def sets(self) -> Sequence[OaiSet]:
        return [OaiSet("branch:cikini", "Perpustakaan Jakarta Cikini"), OaiSet("branch:tebet", "Tebet")]


INFO = RepositoryInfo("Pusip", "http://127.0.0.1/oai", "admin@example.org", "pusip.test", T0)


def provider(n: int = 250) -> OaiProvider:
    return OaiProvider(INFO, MemorySource(n), secret="s3cret", page_size=100)


async def ask(p: OaiProvider, **kwargs: str) -> object:
    return fromstring(await p.handle(list(kwargs.items())))


def error_code(root) -> str | None:  # type: ignore[no-untyped-def]
    err = root.find("o:error", NS)
    return None if err is None else err.get("code")


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "Dance"}, "badVerb"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "foo": "x"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "mods"}, "cannotDisseminateFormat"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-13-01"}, "badArgument"),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2026-01-01",
                "until": "2026-01-01T00:00:00Z",
            },
            "badArgument",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2027-01-01", "until": "2026-01-01"},
            "badArgument",
        ),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2030-01-01"}, "noRecordsMatch"),
        ({"verb": "ListRecords", "resumptionToken": "garbage"}, "badResumptionToken"),
        ({"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"}, "badArgument"),
        (
            {"verb": "GetRecord", "identifier": "oai:pusip.test:nope", "metadataPrefix": "oai_dc"},
            "idDoesNotExist",
        ),
        (
            {"verb": "GetRecord", "identifier": "oai:other:rec0001", "metadataPrefix": "oai_dc"},
            "idDoesNotExist",
        ),
        ({"verb": "ListMetadataFormats", "identifier": "oai:pusip.test:nope"}, "idDoesNotExist"),
    ],
)
async def test_errors(args: dict[str, str], code: str) -> None:
    root = await ask(provider(), **args)
    assert error_code(root) == code
    request = root.find("o:request", NS)
    if code in ("badVerb", "badArgument"):
        assert request.attrib == {}


async def test_repeated_argument_is_bad() -> None:
    root = fromstring(await provider().handle([("verb", "ListSets"), ("verb", "ListSets")]))
    assert error_code(root) == "badVerb"


async def test_identify_and_formats_and_sets() -> None:
    p = provider()
    root = await ask(p, verb="Identify")
    assert root.find("o:Identify/o:granularity", NS).text == "YYYY-MM-DDThh:mm:ssZ"
    root = await ask(p, verb="ListMetadataFormats")
    assert [e.text for e in root.iter(f"{{{NS['o']}}}metadataPrefix")] == ["oai_dc", "marc21"]
    root = await ask(p, verb="ListSets")
    assert len(root.findall("o:ListSets/o:set", NS)) == 2


async def test_paging_with_signed_tokens_covers_every_record_once() -> None:
    p = provider(250)
    seen: list[str] = []
    root = await ask(p, verb="ListIdentifiers", metadataPrefix="oai_dc")
    while True:
        seen += [e.text for e in root.iter(f"{{{NS['o']}}}identifier")]
        token = root.find(".//o:resumptionToken", NS)
        if token is None or not (token.text or "").strip():
            break
        assert token.get("completeListSize") == "250"
        root = await ask(p, verb="ListIdentifiers", resumptionToken=token.text)
    assert len(seen) == len(set(seen)) == 250
    tampered = (
        (await ask(p, verb="ListIdentifiers", metadataPrefix="oai_dc")).find(".//o:resumptionToken", NS).text
    )
    assert (
        error_code(await ask(p, verb="ListIdentifiers", resumptionToken=tampered[:-1] + "0"))
        == "badResumptionToken"
    )


async def test_sets_dates_and_deleted_records() -> None:
    p = provider(20)
    root = await ask(
        p, verb="ListRecords", metadataPrefix="oai_dc", set="branch:tebet", until="2026-01-01T05:00:00Z"
    )
    ids = [e.text for e in root.iter(f"{{{NS['o']}}}identifier")]
    assert ids == ["oai:pusip.test:rec0000", "oai:pusip.test:rec0002", "oai:pusip.test:rec0004"]
    root = await ask(p, verb="GetRecord", identifier="oai:pusip.test:rec0007", metadataPrefix="marc21")
    header = root.find(".//o:header", NS)
    assert header.get("status") == "deleted" and root.find(".//o:metadata", NS) is None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_real_harvester_gets_every_record() -> None:
    port = _free_port()
    info = RepositoryInfo("Pusip", f"http://127.0.0.1:{port}/oai", "a@b.c", "pusip.test", T0)
    p = OaiProvider(info, MemorySource(250), secret="s3cret", page_size=100)
    app = FastAPI()

    @app.get("/oai")
    async def oai(request: Request) -> Response:
        return Response(await p.handle(list(request.query_params.multi_items())), media_type="text/xml")

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(100):
            if server.started:
                break
            time.sleep(0.05)
        records = list(
            Sickle(f"http://127.0.0.1:{port}/oai").ListRecords(metadataPrefix="oai_dc", ignore_deleted=False)
        )
        assert len(records) == 250
        assert sum(1 for r in records if r.deleted) == 1
    finally:
        server.should_exit = True
        thread.join(5)
