"""The protocols against a real server: sickle harvests OAI-PMH, yaz-client reads MARCXML over SRU,
copy cataloguing queries the service's own SRU endpoint; the data arrives through the CLI import."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sickle import Sickle

from catalog.config import CatalogSettings
from catalog.imports.cli import import_file
from catalog.imports.runner import ImportProgress
from catalog.main import create_app
from pusip_kit.testing.service import TestIssuer, settings_for_test, shared_test_issuer

from ..helpers import CATALOGER, CORPUS, LIBRARIAN, isbn13, marc

FIXED = CORPUS / "marc4j" / "pride-and-prejudice-fixed.mrc"
BRANCH = "perpustakaan-jakarta-cikini"
ISBN = isbn13("978602123456")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Live:
    url: str
    settings: CatalogSettings
    issuer: TestIssuer
    imported: dict[str, Any]
    progress: list[ImportProgress]
    regional_id: str
    deleted_id: str

    def headers(self, **claims: Any) -> dict[str, str]:
        return self.issuer.headers_for(**claims)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    port = _free_port()
    issuer = shared_test_issuer()
    settings = settings_for_test(
        CatalogSettings,
        tmp_path_factory.mktemp("live"),
        issuer,
        port=port,
        copy_cataloging_sru_url=f"http://127.0.0.1:{port}/sru",
    )
    progress: list[ImportProgress] = []
    settings.import_batch_size = 100
    imported = import_file(FIXED, settings, progress_callback=progress.append)
    app = create_app(settings)
    app.state.token_validator = issuer.validator()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=30) as http:
            staff = issuer.headers_for(roles=["librarian"])
            branch = {
                "code": BRANCH,
                "name": "Perpustakaan Jakarta Cikini",
                "type": "perpustakaan_provinsi",
                "city": "jakarta-pusat",
            }
            assert http.post("/branches", json=branch, headers=staff).status_code == 201
            regional = http.post(
                "/records", json=marc("Sejarah kampung Betawi", isbn=ISBN), headers=staff
            ).json()
            item = {"barcode": "LIVE-1", "record_id": regional["id"], "branch": BRANCH}
            assert http.post("/items", json=item, headers=staff).status_code == 201
            doomed = http.post(
                "/records",
                json=marc("Rekaman yang akan dihapus", place_code="ne ", place="Leiden"),
                headers=staff,
            ).json()
            assert http.delete(f"/records/{doomed['id']}", headers=staff).status_code == 204
        _index_pending(settings)
        yield Live(url, settings, issuer, imported, progress, regional["id"], doomed["id"])
    finally:
        server.should_exit = True
        thread.join(10)


def _index_pending(settings: CatalogSettings) -> None:
    """What the worker would do: index the records the API just wrote (reconcile against the database)."""
    import asyncio

    from catalog.runtime import acquire_runtime, release_runtime
    from catalog.search.indexer import reconcile
    from pusip_kit.db.engine import Database

    async def run() -> None:
        database = Database(settings.database_url)
        runtime = acquire_runtime(settings)
        try:
            await reconcile(runtime.index, database.sessionmaker)
        finally:
            await release_runtime(runtime)
            await database.dispose()

    asyncio.run(run())


def test_the_cli_import_reports_progress_and_balances(live: Live) -> None:
    result = live.imported
    assert result["status"] == "completed" and result["index_mode"] == "direct"
    counts = result["counts"]
    assert counts["read"] == 383 and counts["balanced"] and counts["stored"] > 300
    assert len(live.progress) >= 4
    assert [p.percent for p in live.progress] == sorted(p.percent for p in live.progress)
    assert live.progress[-1].percent == 100.0 and live.progress[-1].records_read == 383


def test_sickle_harvests_every_record_including_the_deleted_one(live: Live) -> None:
    sickle = Sickle(f"{live.url}/oai")
    identify = sickle.Identify()
    assert identify.deletedRecord == "persistent" and identify.granularity == "YYYY-MM-DDThh:mm:ssZ"
    stored = live.imported["counts"]["stored"] + 2
    records = list(sickle.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False))
    assert len(records) == stored
    deleted = [r for r in records if r.deleted]
    assert [r.header.identifier.rsplit(":", 1)[1] for r in deleted] == [live.deleted_id]
    titles = [t for r in records if not r.deleted for t in r.metadata.get("title", [])]
    assert "Sejarah kampung Betawi" in titles and any("Pride and prejudice" in t for t in titles)
    marc21 = list(sickle.ListRecords(metadataPrefix="marc21", ignore_deleted=True))
    assert len(marc21) == stored - 1
    assert "<leader>" in marc21[0].raw
    sets = {s.setSpec for s in sickle.ListSets()}
    assert sets == {f"branch:{BRANCH}", "regional-bibliography"}
    in_branch = list(sickle.ListIdentifiers(metadataPrefix="oai_dc", set=f"branch:{BRANCH}"))
    assert [h.identifier.rsplit(":", 1)[1] for h in in_branch] == [live.regional_id]
    regional = list(sickle.ListIdentifiers(metadataPrefix="oai_dc", set="regional-bibliography"))
    assert [h.identifier.rsplit(":", 1)[1] for h in regional] == [live.regional_id]
    record = sickle.GetRecord(
        identifier=f"oai:{live.settings.oai_repository_identifier}:{live.regional_id}",
        metadataPrefix="marc21",
    )
    assert f"branch:{BRANCH}" in record.header.setSpecs


def test_oai_errors_and_post(live: Live) -> None:
    with httpx.Client(base_url=live.url) as http:
        bad = http.get("/oai", params={"verb": "ListRecords", "metadataPrefix": "mods"}).text
        assert 'code="cannotDisseminateFormat"' in bad
        assert 'code="badVerb"' in http.get("/oai").text
        assert (
            'code="idDoesNotExist"'
            in http.get(
                "/oai", params={"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:x:y"}
            ).text
        )
        assert (
            'code="noRecordsMatch"'
            in http.get(
                "/oai", params={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from": "2099-01-01"}
            ).text
        )
        posted = http.post("/oai", data={"verb": "Identify"})
        assert posted.status_code == 200 and "<Identify>" in posted.text
        assert http.post("/oai", content=b"x" * 20000).status_code == 413


@pytest.mark.skipif(shutil.which("yaz-client") is None, reason="yaz-client is not installed")
def test_yaz_client_gets_marcxml_over_sru(live: Live) -> None:
    commands = "\n".join(
        [
            f"open {live.url}/sru",
            "sru get 1.2",
            "querytype cql",
            "format xml",
            "elements marcxml",
            "find dc.title=betawi",
            "show 1",
            "quit",
            "",
        ]
    )
    done = subprocess.run(
        ["yaz-client"], input=commands, capture_output=True, text=True, timeout=60, check=False
    )
    output = done.stdout + done.stderr
    assert "Number of hits: 1" in output, output
    assert "Sejarah kampung Betawi" in output, output
    assert "<leader>" in output and "http://www.loc.gov/MARC21/slim" in output, output


def test_copy_cataloging_from_the_services_own_sru(live: Live) -> None:
    with httpx.Client(base_url=live.url, timeout=30) as http:
        found = http.post("/copy-cataloging", params={"isbn": ISBN}, headers=live.headers(**CATALOGER))
        assert found.status_code == 200, found.text
        body = found.json()
        assert body["isbn"] == ISBN and body["target"].endswith("/sru")
        (candidate,) = body["candidates"]
        assert (
            candidate["title"] == "Sejarah kampung Betawi"
            and candidate["existing_record_id"] == live.regional_id
        )
        assert candidate["marc"]["leader"] and candidate["marc"]["fields"]
        # saving the candidate is ordinary cataloguing (here it is a duplicate of what we hold)
        copy = http.post(
            "/records",
            json=candidate["marc"],
            params={"source": "copy_cataloging"},
            headers=live.headers(**LIBRARIAN),
        )
        assert copy.status_code == 409
        none = http.post(
            "/copy-cataloging", params={"isbn": isbn13("978000000000")}, headers=live.headers(**CATALOGER)
        )
        assert none.status_code == 200 and none.json()["candidates"] == []
        bad = http.post(
            "/copy-cataloging", params={"isbn": "9786021234560"}, headers=live.headers(**CATALOGER)
        )
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "isbn_invalid"
        assert http.post("/copy-cataloging", params={"isbn": ISBN}).status_code == 401


def test_the_cli_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        import_file(tmp_path / "tidak-ada.mrc", CatalogSettings(data_dir=tmp_path))
