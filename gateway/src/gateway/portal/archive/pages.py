"""The archive pages: routes, the calls they make to the archive service, and what they render.

Writes are POST forms with the CSRF token; after a write the browser is sent back (303) to a page
with a message, except where the answer itself is what the user needs to see (a refusal with its
named reasons per record, the upload fragment for htmx). Every call goes through
:class:`~pusip_kit.clients.archive.ArchiveClient` with the signed-in user's token, so the service's
one access policy decides what each person sees; these pages only choose what to offer.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, Response
from starlette.datastructures import UploadFile

from gateway.portal.archive.view import (
    APPROVAL_LEVELS,
    ASSETS,
    AUDIT_OUTCOMES,
    DISPOSAL_STATUSES,
    DISPOSAL_STEPS,
    DUE_ACTIONS,
    HERE,
    KINDS,
    LEVELS,
    PANEL_ROLES,
    PREFIX,
    RECORD_STATUSES,
    REQUEST_STATUSES,
    Problem,
    View,
    close_with,
    parse_date,
    people,
    stream_response,
    text,
    texts,
    uuids,
    view_of,
)
from pusip_kit.clients.archive import (
    AccessGround,
    CheckResult,
    Disposal,
    InstrumentSet,
    Record,
    ResolvedSchedule,
)
from pusip_kit.errors import NotFound, PusipError, Unauthorized

PAGE_SIZE = 20
SUGGESTIONS = 8
UPLOAD_CHUNK = 1024 * 1024
UPLOAD_TIMEOUT = 600.0
SET_CACHE_SECONDS = 60.0
PANEL_ROWS = 4
SIGNATORY_ROWS = 3
WITNESS_ROWS = 3


def register_pages(app: FastAPI) -> APIRouter:
    """The router with every page; also closes the pages' HTTP client when the gateway stops."""
    close_with(app)
    return build_router()


def _page(value: int) -> int:
    return max(1, min(value, 100_000))


def _query(**values: Any) -> str:
    return urlencode({k: v for k, v in values.items() if v not in (None, "")})


async def _active_set(v: View) -> InstrumentSet | None:
    """The active instrument set (cached briefly: the code search asks on every keystroke)."""
    state = v.request.app.state
    cached = getattr(state, "archive_pages_active_set", None)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    try:
        found: InstrumentSet | None = await v.client.active_instrument_set()
    except NotFound:
        found = None
    state.archive_pages_active_set = (time.monotonic() + SET_CACHE_SECONDS, found)
    return found


async def _resolve(v: View, code: str) -> ResolvedSchedule | None:
    active = await _active_set(v)
    if active is None or not code:
        return None
    try:
        return await v.client.resolve_code(active.id, code)
    except NotFound:
        return None


async def _grounds(v: View) -> list[AccessGround]:
    with contextlib.suppress(PusipError):
        return await v.client.access_grounds()
    return []


def _reasons_by_record(problem: Problem | None) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for reason in problem.reasons if problem else []:
        out.setdefault(str(reason["details"].get("record_id") or ""), []).append(reason)
    return out


def build_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    # -- assets and the section's home ------------------------------------------------------------

    @router.get(f"{PREFIX}/aset/{{name}}")
    async def asset(name: str) -> Response:
        if name not in ASSETS:
            raise NotFound("Berkas tidak ditemukan", "File not found", code="not_found")
        return FileResponse(
            HERE / "static" / name,
            media_type=ASSETS[name],
            headers={"cache-control": "public, max-age=300"},
        )

    @router.get(PREFIX)
    async def index(request: Request) -> Response:
        v = await view_of(request)
        due: dict[str, int] = {}
        pending_requests: int | None = None
        if v.roles.writer:
            with contextlib.suppress(PusipError):
                due = (await v.client.due_summary()).by_action
        if v.roles.archivist:
            with contextlib.suppress(PusipError):
                pending_requests = (
                    await v.client.access_requests(status="diajukan", limit=1)
                ).pagination.total_count
        return await v.render(
            "kearsipan/index.html",
            sub="home",
            due=due,
            due_actions=DUE_ACTIONS,
            pending_requests=pending_requests,
        )

    # -- public search and record pages -----------------------------------------------------------

    @router.get(f"{PREFIX}/cari")
    async def public_search(
        request: Request,
        q: str = "",
        kode: str = "",
        unit: str = "",
        tahun: str = "",
        jenis: str = "",
        hal: int = 1,
    ) -> Response:
        v = await view_of(request)
        filters = {
            "q": q.strip()[:500],
            "kode": kode.strip()[:64],
            "unit": unit.strip()[:300],
            "tahun": tahun if tahun.isdigit() and len(tahun) == 4 else "",
            "jenis": jenis if jenis in KINDS else "",
        }
        result = await v.client.public_search(
            q=filters["q"] or None,
            classification_code=filters["kode"] or None,
            unit=filters["unit"] or None,
            year=int(filters["tahun"]) if filters["tahun"] else None,
            kind=filters["jenis"] or None,
            page=_page(hal),
            limit=PAGE_SIZE,
        )
        facet_params = {"classification_code": "kode", "year": "tahun", "kind": "jenis", "unit": "unit"}
        facets = []
        for name, param in facet_params.items():
            buckets = result.facets.get(name) or []
            if not buckets:
                continue
            entries = []
            for bucket in buckets:
                value = str(bucket.value)
                chosen = filters.get(param) == value
                entries.append(
                    {
                        "value": value,
                        "label": v.label("kind", value) if name == "kind" else value,
                        "count": bucket.count,
                        "chosen": chosen,
                        "href": f"{PREFIX}/cari?" + _query(**{**filters, param: "" if chosen else value}),
                    }
                )
            facets.append({"name": name, "entries": entries})
        return await v.render(
            "kearsipan/cari.html",
            sub="search",
            result=result,
            filters=filters,
            facets=facets,
            query=_query(**filters),
            kinds=KINDS,
        )

    @router.get(f"{PREFIX}/publik/{{record_id}}")
    async def public_record(request: Request, record_id: str) -> Response:
        v = await view_of(request)
        if not uuids([record_id]):
            raise NotFound("Arsip tidak ditemukan", "Record not found", code="record_not_found")
        record = await v.client.public_record(record_id)
        base_url = str(request.base_url).rstrip("/")
        jsonld = {
            "@context": "https://schema.org",
            "@type": "ArchiveComponent",
            "@id": f"{base_url}{PREFIX}/publik/{record.id}",
            "identifier": record.reference_number,
            "name": record.title,
            "description": record.description,
            "dateCreated": record.record_date.isoformat() if record.record_date else None,
            "creator": {"@type": "Organization", "name": record.unit},
            "holdingArchive": {"@type": "ArchiveOrganization", "name": v.t("app.agency")},
            "inLanguage": "id",
            "encoding": [
                {
                    "@type": "MediaObject",
                    "name": f.filename,
                    "encodingFormat": f.content_type,
                    "contentSize": str(f.size),
                    "sha256": f.sha256,
                    "contentUrl": f"{base_url}{PREFIX}/publik/{record.id}/berkas/{f.id}",
                }
                for f in record.files
            ],
        }
        return await v.render(
            "kearsipan/publik.html",
            sub="search",
            record=record,
            jsonld={k: val for k, val in jsonld.items() if val not in (None, [])},
        )

    @router.get(f"{PREFIX}/publik/{{record_id}}/berkas/{{file_id}}")
    async def public_file(request: Request, record_id: str, file_id: str) -> Response:
        v = await view_of(request)
        if len(uuids([record_id, file_id])) != 2:
            raise NotFound("Berkas tidak ditemukan", "File not found", code="file_not_found")
        upstream = await v.client.public_file_stream(record_id, file_id)
        return stream_response(upstream)

    # -- access requests (KIP) --------------------------------------------------------------------

    @router.get(f"{PREFIX}/permohonan")
    async def requests_list(request: Request, status: str = "", hal: int = 1) -> Response:
        v = await view_of(request)
        if (denied := v.need(True)) is not None:
            return denied
        if status not in REQUEST_STATUSES:
            status = "diajukan" if v.roles.archivist and "status" not in request.query_params else ""
        page = await v.client.access_requests(status=status or None, page=_page(hal), limit=PAGE_SIZE)
        return await v.render(
            "kearsipan/permohonan.html",
            sub="requests",
            page=page,
            status=status,
            statuses=REQUEST_STATUSES,
            query=_query(status=status),
        )

    async def request_form(
        v: View, values: dict[str, str], problem: Problem | None = None, status_code: int = 200
    ) -> Response:
        return await v.render(
            "kearsipan/permohonan_baru.html",
            status_code=status_code,
            sub="requests",
            values=values,
            problem=problem,
        )

    @router.get(f"{PREFIX}/permohonan/baru")
    async def request_new(request: Request, arsip: str = "", referensi: str = "") -> Response:
        v = await view_of(request)
        if (denied := v.need(True)) is not None:
            return denied
        user = v.roles.user
        values = {
            "record_id": (uuids([arsip]) or [""])[0],
            "reference_text": referensi.strip()[:500],
            "purpose": "",
            "requester_name": (user.name or user.username or "") if user else "",
            "requester_contact": (user.email or "") if user else "",
        }
        return await request_form(v, values)

    @router.post(f"{PREFIX}/permohonan")
    async def request_create(request: Request) -> Response:
        v = await view_of(request)
        if (denied := v.need(True)) is not None:
            return denied
        form = await v.form()
        names = ("record_id", "reference_text", "purpose", "requester_name", "requester_contact")
        values = {name: text(form, name) for name in names}
        record_ids = uuids([values["record_id"]])
        if values["record_id"] and not record_ids:
            problem = Problem(
                v.t("ars.error.bad_id"), "bad_id", fields={"record_id": v.t("ars.error.bad_id")}
            )
            return await request_form(v, values, problem, 422)
        payload: dict[str, Any] = {
            "record_id": record_ids[0] if record_ids else None,
            "reference_text": values["reference_text"] or None,
            "purpose": values["purpose"],
            "requester_name": values["requester_name"],
            "requester_contact": values["requester_contact"] or None,
        }
        try:
            created = await v.client.create_access_request(payload)
        except Unauthorized:
            return v.login_redirect()
        except PusipError as exc:
            return await request_form(v, values, v.problem(exc), exc.status_code)
        return v.redirect(f"/permohonan/{created.id}", ok="request_sent")

    async def request_page(
        v: View,
        request_id: str,
        *,
        problem: Problem | None = None,
        values: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Response:
        try:
            item = await v.client.access_request(request_id)
        except PusipError as exc:
            if exc.code == "validation_error":
                raise NotFound("Permohonan tidak ditemukan", "Request not found", code="not_found") from None
            raise
        record: Record | None = None
        if item.record_id and v.roles.archivist:
            with contextlib.suppress(NotFound):
                record = await v.client.record(item.record_id)
        return await v.render(
            "kearsipan/permohonan_detail.html",
            status_code=status_code,
            sub="requests",
            item=item,
            record=record,
            problem=problem,
            values=values or {"record_id": str(item.record_id or ""), "reason": "", "expires_on": ""},
        )

    @router.get(f"{PREFIX}/permohonan/{{request_id}}")
    async def request_detail(request: Request, request_id: str) -> Response:
        v = await view_of(request)
        if (denied := v.need(True)) is not None:
            return denied
        return await request_page(v, request_id)

    @router.post(f"{PREFIX}/permohonan/{{request_id}}/keputusan")
    async def request_decide(request: Request, request_id: str) -> Response:
        v = await view_of(request)
        if (denied := v.need(v.roles.archivist)) is not None:
            return denied
        form = await v.form()
        values = {name: text(form, name) for name in ("decision", "reason", "record_id", "expires_on")}
        chosen = uuids([values["record_id"]])
        try:
            await v.client.decide_access_request(
                request_id,
                decision=values["decision"],
                reason=values["reason"],
                record_id=chosen[0] if chosen else None,
                expires_on=parse_date(values["expires_on"]),
            )
        except PusipError as exc:
            return await request_page(
                v, request_id, problem=v.problem(exc), values=values, status_code=exc.status_code
            )
        return v.redirect(f"/permohonan/{request_id}", ok="request_decided")

    # -- records: list, register, code search -----------------------------------------------------

    @router.get(f"{PREFIX}/arsip")
    async def records_list(
        request: Request,
        q: str = "",
        status: str = "",
        tingkat: str = "",
        unit: str = "",
        kode: str = "",
        hal: int = 1,
    ) -> Response:
        v = await view_of(request)
        if (denied := v.need(v.roles.writer or v.roles.auditor)) is not None:
            return denied
        filters = {
            "q": q.strip()[:200],
            "status": status if status in RECORD_STATUSES else "",
            "tingkat": tingkat if tingkat in LEVELS else "",
            "unit": unit.strip()[:300],
            "kode": kode.strip()[:64],
        }
        if not v.roles.archivist and not v.roles.auditor and "unit" not in request.query_params:
            filters["unit"] = v.roles.unit or ""
        page = await v.client.records(
            q=filters["q"] or None,
            status=filters["status"] or None,
            security_level=filters["tingkat"] or None,
            unit=filters["unit"] or None,
            classification_code=filters["kode"] or None,
            page=_page(hal),
            limit=PAGE_SIZE,
        )
        return await v.render(
            "kearsipan/arsip.html",
            sub="records",
            page=page,
            filters=filters,
            statuses=RECORD_STATUSES,
            query=_query(**filters),
        )

    async def register_form(
        v: View, values: dict[str, str], problem: Problem | None = None, status_code: int = 200
    ) -> Response:
        inherits = await _resolve(v, values.get("classification_code", ""))
        return await v.render(
            "kearsipan/arsip_baru.html",
            status_code=status_code,
            sub="register",
            values=values,
            problem=problem,
            grounds=await _grounds(v),
            inherits=inherits,
            code_value=values.get("classification_code", ""),
            active_set=await _active_set(v),
        )

    @router.get(f"{PREFIX}/arsip/baru")
    async def record_new(request: Request) -> Response:
        v = await view_of(request)
        if (denied := v.need(v.roles.writer)) is not None:
            return denied
        values = {"unit": v.roles.unit or "", "record_date": date.today().isoformat()}
        return await register_form(v, values)

    @router.post(f"{PREFIX}/arsip")
    async def record_create(request: Request) -> Response:
        v = await view_of(request)
        if (denied := v.need(v.roles.writer)) is not None:
            return denied
        form = await v.form()
        names = (
            "reference_number",
            "title",
            "record_date",
            "unit",
            "description",
            "classification_code",
            "event_date",
            "security_level",
            "security_ground",
            "security_reason",
        )
        values = {name: text(form, name) for name in names}
        if values["security_level"] not in LEVELS:
            values["security_level"] = ""
        payload = {
            "reference_number": values["reference_number"],
            "title": values["title"],
            "record_date": values["record_date"],
            "unit": values["unit"],
            "description": values["description"] or None,
            "classification_code": values["classification_code"],
            "event_date": values["event_date"] or None,
            "security_level": values["security_level"] or None,
            "security_ground": (values["security_ground"] or None) if values["security_level"] else None,
            "security_reason": (values["security_reason"] or None) if values["security_level"] else None,
        }
        try:
            record = await v.client.create_record(payload)
        except Unauthorized:
            return v.login_redirect()
        except PusipError as exc:
            return await register_form(v, values, v.problem(exc), exc.status_code)
        return v.redirect(f"/arsip/{record.id}", ok="created")

    @router.get(f"{PREFIX}/kode")
    async def code_suggestions(request: Request, classification_code: str = "", q: str = "") -> Response:
        v = await view_of(request)
        if (denied := v.need(v.roles.writer)) is not None:
            return denied
        needle = (q or classification_code).strip()[:64]
        active = await _active_set(v)
        hits: list[dict[str, Any]] = []
        total = 0
        if needle and active is not None:
            page = await v.client.instrument_codes(active.id, q=needle, limit=SUGGESTIONS)
            total = page.pagination.total_count
            resolved = await asyncio.gather(
                *(_resolve(v, c.code) for c in page.items), return_exceptions=True
            )
            for code, schedule in zip(page.items, resolved, strict=True):
                hits.append(
                    {
                        "code": code,
                        "resolved": schedule if isinstance(schedule, ResolvedSchedule) else None,
                    }
                )
        return await v.render(
            "kearsipan/_code_suggestions.html",
            needle=needle,
            hits=hits,
            total=total,
            active_set=active,
        )

    @router.get(f"{PREFIX}/kode/pilih")
    async def code_pick(request: Request, kode: str = "") -> Response:
        v = await view_of(request)
        if (denied := v.need(v.roles.writer)) is not None:
            return denied
        code = kode.strip()[:64]
        return await v.render(
            "kearsipan/_code_picker.html",
            code_value=code,
            focus_code=True,
            inherits=await _resolve(v, code),
            values={},
            problem=None,
            active_set=await _active_set(v),
        )

    # -- one record: files, security --------------------------------------------------------------

    async def record_page(
        v: View,
        record_id: str,
        *,
        problem: Problem | None = None,
        status_code: int = 200,
        values: dict[str, str] | None = None,
    ) -> Response:
        if not uuids([record_id]):
            raise NotFound("Arsip tidak ditemukan", "Record not found", code="record_not_found")
        record = await v.client.record(record_id)
        files = await v.client.record_files(record_id)
        grounds = await _grounds(v) if v.roles.archivist else []
        return await v.render(
            "kearsipan/arsip_detail.html",
            status_code=status_code,
            sub="records",
            record=record,
            files=files,
            grounds=grounds,
            problem=problem,
            values=values or {},
            file_problem=None,
        )

    @router.get(f"{PREFIX}/arsip/{{record_id}}")
    async def record_detail(request: Request, record_id: str) -> Response:
        v = await view_of(request)
        if (denied := v.need(True)) is not None:
            return denied
        return await record_page(v, record_id)

    @router.post(f"{PREFIX}/arsip/{{record_id}}/keamanan")
    async def record_security(request: Request, record_id: str) -> Response:
        v = await view_of(request)
        if (denied := v.need(v.roles.archivist)) is not None:
            return denied
        form = await v.form()
        values = {name: text(form, name) for name in ("security_level", "ground", "reason")}
        try:
            await v.client.override_security(
                record_id,
                level=values["security_level"],
                ground=values["ground"] or None,
                reason=values["reason"],
            )
        except PusipError as exc:
            return await record_page(
                v, record_id, problem=v.problem(exc), status_code=exc.status_code, values=values
            )
        return v.redirect(f"/arsip/{record_id}", ok="security_changed")

    @router.post(f"{PREFIX}/unggah/{{record_id}}")
    async def record_upload(request: Request, record_id: str) -> Response:
        v = await view_of(request)
        if (denied := v.need(v.roles.writer)) is not None:
            return denied
        form = await v.form()
        upload = form.get("file")
        problem: Problem | None = None
        if not isinstance(upload, UploadFile) or not upload.filename:
            problem = Problem(v.t("ars.upload.missing"), "file_missing")
        else:
            source = upload

            async def chunks() -> AsyncIterator[bytes]:
                while data := await source.read(UPLOAD_CHUNK):
                    yield data

            try:
                await v.client.upload_file(
                    record_id, source.filename or "berkas", chunks(), size=source.size, seconds=UPLOAD_TIMEOUT
                )
            except PusipError as exc:
                problem = v.problem(exc)
            finally:
                await source.close()
        if not v.htmx:
            if problem is None:
                return v.redirect(f"/arsip/{record_id}", ok="uploaded", anchor="berkas")
            return await record_page(v, record_id, problem=problem, status_code=400)
        record = await v.client.record(record_id)
        return await v.render(
            "kearsipan/_files.html",
            record=record,
            files=await v.client.record_files(record_id),
            file_problem=problem,
            uploaded=problem is None,
        )

    @router.get(f"{PREFIX}/arsip/{{record_id}}/berkas/{{file_id}}")
    async def record_file(request: Request, record_id: str, file_id: str) -> Response:
        v = await view_of(request)
        if (denied := v.need(True)) is not None:
            return denied
        if len(uuids([record_id, file_id])) != 2:
            raise NotFound("Berkas tidak ditemukan", "File not found", code="file_not_found")
        return stream_response(await v.client.file_stream(record_id, file_id))

    # -- the due list -----------------------------------------------------------------------------

    async def due_page(
        v: View,
        action: str,
        hal: int = 1,
        *,
        problem: Problem | None = None,
        status_code: int = 200,
        chosen: list[str] | None = None,
    ) -> Response:
        summary = await v.client.due_summary()
        page = await v.client.records(due_action=action, page=_page(hal), limit=50)
        drafts: list[Disposal] = []
        if action == "musnah":
            with contextlib.suppress(PusipError):
                drafts = (await v.client.disposals(status="usulan", limit=50)).items
        reasons = _reasons_by_record(problem)
        return await v.render(
            "kearsipan/jatuh_tempo.html",
            status_code=status_code,
            sub="due",
            action=action,
            actions=DUE_ACTIONS,
            counts=summary.by_action,
            page=page,
            drafts=drafts,
            problem=problem,
            reasons=reasons,
            chosen=set(chosen or []),
            query=_query(aksi=action),
        )

    @router.get(f"{PREFIX}/jatuh-tempo")
    async def due_list(request: Request, aksi: str = "pindah", hal: int = 1) -> Response:
        v = await view_of(request)
        if (denied := v.need(v.roles.archivist)) is not None:
            return denied
        return await due_page(v, aksi if aksi in DUE_ACTIONS else "pindah", hal)

    # -- transfers and hand-overs -----------------------------------------------------------------

    @router.get(f"{PREFIX}/pemindahan")
    async def transfers_list(request: Request, hal: int = 1) -> Response:
        v = await view_of(request)
        if (denied := v.need(v.roles.archivist)) is not None:
            return denied
        page = await v.client.transfers(page=_page(hal), limit=PAGE_SIZE)
        return await v.render("kearsipan/pemindahan.html", sub="transfers", page=page, kind="transfer")

    @router.post(f"{PREFIX}/pemindahan")
    async def transfer_create(request: Request) -> Response:
        v = await view_of(request)
        if (denied := v.need(v.roles.archivist)) is not None:
            return denied
        form = await v.form()
        ids = uuids(texts(form, "record_id"))
        if not ids:
            problem = Problem(v.t("ars.error.none_chosen"), "none_chosen")
            return await due_page(v, "pindah", problem=problem, status_code=400)
        try:
            transfer = await v.client.create_transfer(
                ids,
                number=text(form, "number") or None,
                destination=text(form, "destination") or None,
                note=text(form, "note") or None,
            )
        except PusipError as exc:
            return await due_page(
                v, "pindah", problem=v.problem(exc), status_code=exc.status_code, chosen=ids
            )
        return v.redirect(f"/pemindahan/{transfer.id}", ok="transfer_created")

    async def lifecycle_page(
        v: View, kind: str, item_id: str, *, problem: Problem | None = None, status_code: int = 200
    ) -> Response:
        if not uuids([item_id]):
            raise NotFound("Tidak ditemukan", "Not found", code="not_found")
        item = await (v.client.transfer(item_id) if kind == "transfer" else v.client.handover(item_id))
        records = await v.records_by_id(item.record_ids)
        return await v.render(
            "kearsipan/pemindahan_detail.html",
            status_code=status_code,
            sub="transfers" if kind == "transfer" else "handovers",
            kind=kind,
            item=item,
            records=records,
            problem=problem,
            signatory_rows=SIGNATORY_ROWS,
        )

    @router.get(f"{PREFIX}/pemindahan/{{item_id}}")
    async def transfer_detail(request: Request, item_id: str) -> Response:
        v = await view_of(request)
        if (denied := v.need(v.roles.archivist)) is not None:
            return denied
        return await lifecycle_page(v, "transfer", item_id)

    @router.post(f"{PREFIX}/pemindahan/{{item_id}}/laksanakan")
    async def transfer_execute(request: Request, item_id: str) -> Response:
        v = await view_of(request)
        if (denied := v.need(v.roles.archivist)) is not None:
            return denied
        form = await v.form()
        try:
            await v.client.execute_transfer(item_id, people(form, "sign", SIGNATORY_ROWS, with_role=True))
        except PusipError as exc:
            return await lifecycle_page(
                v, "transfer", item_id, problem=v.problem(exc), status_code=exc.status_code
            )
        return v.redirect(f"/pemindahan/{item_id}", ok="transfer_executed")

    @router.get(f"{PREFIX}/penyerahan")
    async def handovers_list(request: Request, hal: int = 1) -> Response:
        v = await view_of(request)
        if (denied := v.need(v.roles.archivist)) is not None:
            return denied
        page = await v.client.handovers(page=_page(hal), limit=PAGE_SIZE)
        return await v.render("kearsipan/pemindahan.html", sub="handovers", page=page, kind="handover")

    @router.post(f"{PREFIX}/penyerahan")
    async def handover_create(request: Request) -> Response:
        v = await view_of(request)
        if (denied := v.need(v.roles.archivist)) is not None:
            return denied
        form = await v.form()
        ids = uuids(texts(form, "record_id"))
        if not ids:
            problem = Problem(v.t("ars.error.none_chosen"), "none_chosen")
            return await due_page(v, "serah", problem=problem, status_code=400)
        try:
            handover = await v.client.create_handover(
                ids,
                number=text(form, "number") or None,
                receiving_institution=text(form, "receiving_institution") or None,
                note=text(form, "note") or None,
            )
        except PusipError as exc:
            return await due_page(v, "serah", problem=v.problem(exc), status_code=exc.status_code, chosen=ids)
        return v.redirect(f"/penyerahan/{handover.id}", ok="handover_created")

    @router.get(f"{PREFIX}/penyerahan/{{item_id}}")
    async def handover_detail(request: Request, item_id: str) -> Response:
        v = await view_of(request)
        if (denied := v.need(v.roles.archivist)) is not None:
            return denied
        return await lifecycle_page(v, "handover", item_id)

    @router.post(f"{PREFIX}/penyerahan/{{item_id}}/laksanakan")
    async def handover_execute(request: Request, item_id: str) -> Response:
        v = await view_of(request)
        if (denied := v.need(v.roles.archivist)) is not None:
            return denied
        form = await v.form()
        try:
            await v.client.execute_handover(item_id, people(form, "sign", SIGNATORY_ROWS, with_role=True))
        except PusipError as exc:
            return await lifecycle_page(
                v, "handover", item_id, problem=v.problem(exc), status_code=exc.status_code
            )
        return v.redirect(f"/penyerahan/{item_id}", ok="handover_executed")

    @router.get(f"{PREFIX}/dokumen/{{document_id}}")
    async def document(request: Request, document_id: str) -> Response:
        v = await view_of(request)
        if (denied := v.need(v.roles.archivist)) is not None:
            return denied
        if not uuids([document_id]):
            raise NotFound("Dokumen tidak ditemukan", "Document not found", code="not_found")
        return stream_response(await v.client.document_stream(document_id))

    # -- destruction ------------------------------------------------------------------------------

    @router.get(f"{PREFIX}/pemusnahan")
    async def disposals_list(request: Request, status: str = "", hal: int = 1) -> Response:
        v = await view_of(request)
        if (denied := v.need(v.roles.archivist)) is not None:
            return denied
        status = status if status in DISPOSAL_STATUSES else ""
        page = await v.client.disposals(status=status or None, page=_page(hal), limit=PAGE_SIZE)
        return await v.render(
            "kearsipan/pemusnahan.html",
            sub="disposals",
            page=page,
            status=status,
            statuses=DISPOSAL_STATUSES,
            query=_query(status=status),
            problem=None,
            values={},
        )

    @router.post(f"{PREFIX}/pemusnahan")
    async def disposal_create(request: Request) -> Response:
        v = await view_of(request)
        if (denied := v.need(v.roles.archivist)) is not None:
            return denied
        form = await v.form()
        values = {"title": text(form, "title"), "number": text(form, "number")}
        try:
            proposal = await v.client.create_disposal(title=values["title"], number=values["number"] or None)
        except PusipError as exc:
            page = await v.client.disposals(limit=PAGE_SIZE)
            return await v.render(
                "kearsipan/pemusnahan.html",
                status_code=exc.status_code,
                sub="disposals",
                page=page,
                status="",
                statuses=DISPOSAL_STATUSES,
                query="",
                problem=v.problem(exc),
                values=values,
            )
        return v.redirect(f"/pemusnahan/{proposal.id}", ok="disposal_created")

    async def disposal_page(
        v: View,
        proposal_id: str,
        *,
        problem: Problem | None = None,
        refused: list[CheckResult] | None = None,
        added: int | None = None,
        status_code: int = 200,
    ) -> Response:
        if not uuids([proposal_id]):
            raise NotFound("Usulan tidak ditemukan", "Proposal not found", code="disposal_not_found")
        proposal = await v.client.disposal(proposal_id)
        in_proposal = {str(i.record_id) for i in proposal.items}
        candidates: list[Record] = []
        checks: dict[str, CheckResult] = {}
        if proposal.status == "usulan":
            due = await v.client.records(due_action="musnah", limit=100)
            candidates = [r for r in due.items if str(r.id) not in in_proposal]
            if candidates:
                with contextlib.suppress(PusipError):
                    checks = {
                        str(c.record_id): c for c in await v.client.check_disposal([r.id for r in candidates])
                    }
        refused_ids = [str(c.record_id) for c in refused or []]
        records = await v.records_by_id([*in_proposal, *refused_ids])
        step = DISPOSAL_STEPS.index(proposal.status) if proposal.status in DISPOSAL_STEPS else -1
        return await v.render(
            "kearsipan/pemusnahan_detail.html",
            status_code=status_code,
            sub="disposals",
            proposal=proposal,
            records=records,
            candidates=candidates,
            checks={k: [v.reason(r) for r in c.reasons] for k, c in checks.items()},
            refused=[(str(c.record_id), [v.reason(r) for r in c.reasons]) for c in refused or []],
            added=added,
            problem=problem,
            reasons=_reasons_by_record(problem),
            steps=DISPOSAL_STEPS,
            step=step,
            panel_roles=PANEL_ROLES,
            panel_rows=PANEL_ROWS,
            approval_levels=APPROVAL_LEVELS,
            witness_rows=WITNESS_ROWS,
            today=date.today().isoformat(),
        )

    @router.get(f"{PREFIX}/pemusnahan/{{proposal_id}}")
    async def disposal_detail(request: Request, proposal_id: str) -> Response:
        v = await view_of(request)
        if (denied := v.need(v.roles.archivist)) is not None:
            return denied
        return await disposal_page(v, proposal_id)

    @router.post(f"{PREFIX}/pemusnahan/usulkan")
    async def disposal_propose(request: Request) -> Response:
        """From the due list: records into a draft proposal (a new one when none is chosen)."""
        v = await view_of(request)
        if (denied := v.need(v.roles.archivist)) is not None:
            return denied
        form = await v.form()
        ids = uuids(texts(form, "record_id"))
        if not ids:
            problem = Problem(v.t("ars.error.none_chosen"), "none_chosen")
            return await due_page(v, "musnah", problem=problem, status_code=400)
        proposal_id = (uuids([text(form, "proposal_id")]) or [""])[0]
        if not proposal_id:
            try:
                proposal_id = str(
                    (
                        await v.client.create_disposal(
                            title=text(form, "title")
                            or v.t("ars.disposal.default_title", day=v.fmt_date(date.today()))
                        )
                    ).id
                )
            except PusipError as exc:
                return await due_page(
                    v, "musnah", problem=v.problem(exc), status_code=exc.status_code, chosen=ids
                )
        return await add_items(v, proposal_id, ids)

    async def add_items(v: View, proposal_id: str, ids: list[str]) -> Response:
        try:
            result = await v.client.add_disposal_items(proposal_id, ids)
        except PusipError as exc:
            return await disposal_page(v, proposal_id, problem=v.problem(exc), status_code=exc.status_code)
        return await disposal_page(
            v, proposal_id, refused=result.refused, added=len(result.added), status_code=200
        )

    @router.post(f"{PREFIX}/pemusnahan/{{proposal_id}}/arsip")
    async def disposal_add(request: Request, proposal_id: str) -> Response:
        v = await view_of(request)
        if (denied := v.need(v.roles.archivist)) is not None:
            return denied
        form = await v.form()
        ids = uuids(texts(form, "record_id"))
        if not ids:
            problem = Problem(v.t("ars.error.none_chosen"), "none_chosen")
            return await disposal_page(v, proposal_id, problem=problem, status_code=400)
        return await add_items(v, proposal_id, ids)

    async def disposal_step(v: View, proposal_id: str, ok: str, call: Any) -> Response:
        try:
            await call
        except PusipError as exc:
            return await disposal_page(v, proposal_id, problem=v.problem(exc), status_code=exc.status_code)
        return v.redirect(f"/pemusnahan/{proposal_id}", ok=ok)

    @router.post(f"{PREFIX}/pemusnahan/{{proposal_id}}/arsip/{{record_id}}/hapus")
    async def disposal_remove(request: Request, proposal_id: str, record_id: str) -> Response:
        v = await view_of(request)
        if (denied := v.need(v.roles.archivist)) is not None:
            return denied
        await v.form()
        return await disposal_step(
            v, proposal_id, "item_removed", v.client.remove_disposal_item(proposal_id, record_id)
        )

    @router.post(f"{PREFIX}/pemusnahan/{{proposal_id}}/panitia")
    async def disposal_panel(request: Request, proposal_id: str) -> Response:
        v = await view_of(request)
        if (denied := v.need(v.roles.archivist)) is not None:
            return denied
        form = await v.form()
        members = []
        for i in range(PANEL_ROWS):
            name = text(form, f"panel-{i}-name")
            if name:
                members.append(
                    {
                        "name": name,
                        "nip": text(form, f"panel-{i}-nip") or None,
                        "position": text(form, f"panel-{i}-position"),
                        "panel_role": text(form, f"panel-{i}-role"),
                    }
                )
        return await disposal_step(
            v, proposal_id, "panel_set", v.client.set_disposal_panel(proposal_id, members)
        )

    @router.post(f"{PREFIX}/pemusnahan/{{proposal_id}}/ajukan")
    async def disposal_submit(request: Request, proposal_id: str) -> Response:
        v = await view_of(request)
        if (denied := v.need(v.roles.archivist)) is not None:
            return denied
        await v.form()
        return await disposal_step(v, proposal_id, "submitted", v.client.submit_disposal(proposal_id))

    @router.post(f"{PREFIX}/pemusnahan/{{proposal_id}}/panitia/{{member_id}}/keputusan")
    async def disposal_member(request: Request, proposal_id: str, member_id: str) -> Response:
        v = await view_of(request)
        if (denied := v.need(v.roles.archivist)) is not None:
            return denied
        form = await v.form()
        call = v.client.decide_disposal_member(
            proposal_id,
            member_id,
            decision=text(form, "decision"),
            note=text(form, "note") or None,
            excluded_record_ids=uuids(texts(form, "excluded")),
        )
        return await disposal_step(v, proposal_id, "decided", call)

    @router.post(f"{PREFIX}/pemusnahan/{{proposal_id}}/persetujuan")
    async def disposal_approve(request: Request, proposal_id: str) -> Response:
        v = await view_of(request)
        if (denied := v.need(v.roles.archivist)) is not None:
            return denied
        form = await v.form()
        data = {
            "level": text(form, "level"),
            "approver_name": text(form, "approver_name"),
            "approver_position": text(form, "approver_position"),
            "decision": text(form, "decision"),
            "reference": text(form, "reference") or None,
            "note": text(form, "note") or None,
        }
        return await disposal_step(v, proposal_id, "approved", v.client.approve_disposal(proposal_id, data))

    @router.post(f"{PREFIX}/pemusnahan/{{proposal_id}}/penetapan")
    async def disposal_decree(request: Request, proposal_id: str) -> Response:
        v = await view_of(request)
        if (denied := v.need(v.roles.archivist)) is not None:
            return denied
        form = await v.form()
        day = parse_date(text(form, "decree_date"))
        if day is None:
            problem = Problem(
                v.t("ars.error.bad_date"), "bad_date", fields={"decree_date": v.t("ars.error.bad_date")}
            )
            return await disposal_page(v, proposal_id, problem=problem, status_code=422)
        call = v.client.decree_disposal(
            proposal_id,
            decree_number=text(form, "decree_number"),
            decree_date=day,
            signed_by=text(form, "signed_by"),
        )
        return await disposal_step(v, proposal_id, "decreed", call)

    @router.post(f"{PREFIX}/pemusnahan/{{proposal_id}}/musnahkan")
    async def disposal_execute(request: Request, proposal_id: str) -> Response:
        v = await view_of(request)
        if (denied := v.need(v.roles.archivist)) is not None:
            return denied
        form = await v.form()
        data = {
            "executed_on": text(form, "executed_on"),
            "method": text(form, "method"),
            "place": text(form, "place"),
            "witnesses": people(form, "witness", WITNESS_ROWS),
            "executor": {
                "name": text(form, "executor-name"),
                "nip": text(form, "executor-nip") or None,
                "position": text(form, "executor-position"),
            },
        }
        return await disposal_step(v, proposal_id, "destroyed", v.client.execute_disposal(proposal_id, data))

    @router.post(f"{PREFIX}/pemusnahan/{{proposal_id}}/batalkan")
    async def disposal_cancel(request: Request, proposal_id: str) -> Response:
        v = await view_of(request)
        if (denied := v.need(v.roles.archivist)) is not None:
            return denied
        form = await v.form()
        reason = text(form, "reason") or v.t("ars.disposal.cancel_default")
        return await disposal_step(
            v, proposal_id, "cancelled", v.client.cancel_disposal(proposal_id, reason=reason)
        )

    # -- the audit log ----------------------------------------------------------------------------

    async def audit_page(v: View, *, verification: Any = None, **filters: str) -> Response:
        page = await v.client.audit_entries(
            record_id=filters.get("arsip") or None,
            actor=filters.get("pelaku") or None,
            action=filters.get("tindakan") or None,
            outcome=filters.get("hasil") or None,
            page=_page(int(filters.get("hal") or 1)),
            limit=50,
        )
        shown = {k: val for k, val in filters.items() if k != "hal"}
        return await v.render(
            "kearsipan/audit.html",
            sub="audit",
            page=page,
            filters=shown,
            outcomes=AUDIT_OUTCOMES,
            query=_query(**shown),
            verification=verification,
        )

    @router.get(f"{PREFIX}/audit")
    async def audit(
        request: Request, arsip: str = "", pelaku: str = "", tindakan: str = "", hasil: str = "", hal: int = 1
    ) -> Response:
        v = await view_of(request)
        if (denied := v.need(v.roles.auditor)) is not None:
            return denied
        return await audit_page(
            v,
            arsip=arsip.strip()[:64],
            pelaku=pelaku.strip()[:200],
            tindakan=tindakan.strip()[:30],
            hasil=hasil if hasil in AUDIT_OUTCOMES else "",
            hal=str(_page(hal)),
        )

    @router.get(f"{PREFIX}/audit/verifikasi")
    async def audit_verify(request: Request) -> Response:
        v = await view_of(request)
        if (denied := v.need(v.roles.auditor)) is not None:
            return denied
        verification = await v.client.verify_audit()
        if v.htmx:
            return await v.render("kearsipan/_verify.html", verification=verification)
        return await audit_page(v, verification=verification)

    return router


__all__ = ["register_pages"]
