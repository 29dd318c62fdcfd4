"""The staff pages of the catalogue: MARC import with a live progress bar, stock-taking with a scan
box, and the review moderation queue."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from starlette.background import BackgroundTask
from starlette.datastructures import FormData, UploadFile

from gateway.portal.catalog.view import PREFIX, Problem, View, text_field, view_of
from gateway.portal.charts import ChartData, Dataset
from pusip_kit.clients.catalog import ActionCheck, Stocktake
from pusip_kit.errors import NotFound, PusipError

DEDUPE = ("skip", "replace", "merge_items")
FORMATS = ("", "marc21", "marcxml", "marc-json")
RESULTS = ("found", "misplaced", "unexpected", "missing")
REVIEW_STATUSES = ("pending", "hidden", "approved")
CHUNK = 256 * 1024
SCAN_FILE_MAX = 2 * 1024 * 1024


async def _chunks(upload: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await upload.read(CHUNK):
        yield chunk


def _file(form: FormData, name: str = "file") -> UploadFile | None:
    value = form.get(name)
    return value if isinstance(value, UploadFile) and value.filename else None


RESULT_COLORS = {"found": "#1e8a4c", "missing": "#c0392b", "misplaced": "#e69f00", "unexpected": "#6a4c93"}


def _result_counts(stocktake: Stocktake) -> list[tuple[str, int]]:
    s = stocktake.summary
    return [
        ("found", s.found),
        ("missing", s.missing),
        ("misplaced", s.misplaced),
        ("unexpected", s.unexpected),
    ]


def summary_chart(v: View, stocktake: Stocktake) -> ChartData | None:
    s = stocktake.summary
    values = [
        ("found", s.found),
        ("missing", s.missing),
        ("misplaced", s.misplaced),
        ("unexpected", s.unexpected),
    ]
    shown = [(k, n) for k, n in values if n]
    if not shown:
        return None
    return ChartData(
        tuple(v.label("result", k) for k, _ in shown),
        (Dataset(v.t("kat.stocktake.barcodes"), tuple(float(n) for _, n in shown)),),
    )


def add_staff_routes(router: APIRouter) -> None:
    # -- MARC import ----------------------------------------------------------------------------------

    @router.get(f"{PREFIX}/impor")
    async def imports(request: Request) -> Response:
        v = await view_of(request)
        if not v.roles.signed_in:
            return v.login_redirect()
        v.require_staff()
        return await render_imports(v)

    @router.post(f"{PREFIX}/impor")
    async def start_import(request: Request) -> Response:
        v = await view_of(request)
        form = await v.form()
        if not v.roles.signed_in:
            return v.login_redirect(f"{PREFIX}/impor")
        v.require_staff()
        upload = _file(form)
        if upload is None:
            problem = Problem(message=v.t("kat.import.file_required"), code="file_required", reasons=[])
            return await render_imports(v, problem=problem, status_code=422)
        fmt = text_field(form, "format", 16)
        dedupe = text_field(form, "dedupe", 16)
        try:
            job = await v.client.start_import(
                filename=upload.filename or "impor.mrc",
                content=_chunks(upload),
                format=fmt if fmt in FORMATS else None,
                dedupe=dedupe if dedupe in DEDUPE else "skip",
                branch=text_field(form, "branch", 64) or None,
            )
        except PusipError as exc:
            return await render_imports(v, problem=v.problem(exc), status_code=exc.status_code)
        finally:
            await upload.close()
        return v.redirect(f"/impor/{job.id}")

    @router.get(PREFIX + "/impor/{job_id}")
    async def import_job(request: Request, job_id: uuid.UUID) -> Response:
        v = await view_of(request)
        if not v.roles.signed_in:
            return v.login_redirect()
        v.require_staff()
        job = await v.client.import_job(job_id)
        return await v.render("katalog/impor_detail.html", sub="import", job=job)

    @router.get(PREFIX + "/impor/{job_id}/kemajuan")
    async def import_progress(request: Request, job_id: uuid.UUID) -> Response:
        v = await view_of(request)
        v.require_staff()
        job = await v.client.import_job(job_id)
        return await v.render("katalog/_impor_kemajuan.html", job=job)

    @router.get(PREFIX + "/impor/{job_id}/masalah")
    async def import_problems(request: Request, job_id: uuid.UUID) -> Response:
        v = await view_of(request)
        v.require_staff()
        download = await v.client.import_problems(job_id)
        return Response(
            download.content,
            media_type=download.content_type,
            headers={"content-disposition": f'attachment; filename="impor-{job_id}-masalah.csv"'},
        )

    # -- stock-taking ---------------------------------------------------------------------------------

    @router.get(f"{PREFIX}/opname")
    async def stocktakes(request: Request) -> Response:
        v = await view_of(request)
        if not v.roles.signed_in:
            return v.login_redirect()
        v.require_staff()
        return await render_stocktakes(v)

    @router.post(f"{PREFIX}/opname")
    async def open_stocktake(request: Request) -> Response:
        v = await view_of(request)
        form = await v.form()
        v.require_staff()
        values = {k: text_field(form, k, 2000) for k in ("branch", "location", "note")}
        try:
            result = await v.client.open_stocktake(
                values["branch"], location=values["location"] or None, note=values["note"] or None
            )
        except PusipError as exc:
            return await render_stocktakes(v, problem=v.problem(exc), values=values, status_code=409)
        assert not isinstance(result, ActionCheck)
        return v.redirect(f"/opname/{result.id}", "stocktake_opened")

    @router.get(PREFIX + "/opname/{stocktake_id}")
    async def stocktake(request: Request, stocktake_id: uuid.UUID, hasil: str = "") -> Response:
        v = await view_of(request)
        if not v.roles.signed_in:
            return v.login_redirect()
        v.require_staff()
        return await render_stocktake(v, stocktake_id, result=hasil if hasil in RESULTS else "")

    @router.post(PREFIX + "/opname/{stocktake_id}/pindai")
    async def scan(request: Request, stocktake_id: uuid.UUID) -> Response:
        v = await view_of(request)
        form = await v.form()
        v.require_staff()
        barcode = text_field(form, "barcode", 64)
        result = text_field(form, "hasil", 16)
        result = result if result in RESULTS else ""
        outcome = None
        problem: Problem | None = None
        if not barcode:
            problem = Problem(
                message=v.t("kat.stocktake.barcode_required"), code="barcode_required", reasons=[]
            )
        else:
            try:
                scanned = await v.client.scan(stocktake_id, barcode)
                outcome = None if isinstance(scanned, ActionCheck) else scanned
            except PusipError as exc:
                problem = v.problem(exc)
        if not v.htmx:
            return await render_stocktake(v, stocktake_id, result=result, outcome=outcome, problem=problem)
        current = await v.client.stocktake(stocktake_id)
        entries = await v.client.stocktake_entries(stocktake_id, result=result or None, limit=100)
        return await v.render(
            "katalog/_pindai.html",
            stocktake=current,
            outcome=outcome,
            problem=problem,
            barcode=barcode,
            oob=True,
            entries=entries,
            result=result,
            results=RESULTS,
            names=await _branch_names(v),
            summary_chart=summary_chart(v, current),
            chart_colors=[RESULT_COLORS[k] for k, n in _result_counts(current) if n],
            close_problem=None,
            close_check=await close_check(v, current),
        )

    @router.post(PREFIX + "/opname/{stocktake_id}/berkas")
    async def scan_file(request: Request, stocktake_id: uuid.UUID) -> Response:
        v = await view_of(request)
        form = await v.form()
        v.require_staff()
        upload = _file(form)
        if upload is None:
            problem = Problem(message=v.t("kat.stocktake.file_required"), code="file_required", reasons=[])
            return await render_stocktake(v, stocktake_id, batch_problem=problem, status_code=422)
        try:
            content = await upload.read(SCAN_FILE_MAX + 1)
            report = await v.client.scan_batch(
                stocktake_id, filename=upload.filename or "pindai.txt", content=content
            )
        except PusipError as exc:
            return await render_stocktake(
                v, stocktake_id, batch_problem=v.problem(exc), status_code=exc.status_code
            )
        finally:
            await upload.close()
        return await render_stocktake(v, stocktake_id, batch=report)

    @router.post(PREFIX + "/opname/{stocktake_id}/tutup")
    async def close_stocktake(request: Request, stocktake_id: uuid.UUID) -> Response:
        v = await view_of(request)
        form = await v.form()
        v.require_staff()
        try:
            await v.client.close_stocktake(stocktake_id, update_statuses=form.get("update_statuses") == "on")
        except PusipError as exc:
            return await render_stocktake(v, stocktake_id, close_problem=v.problem(exc), status_code=409)
        return v.redirect(f"/opname/{stocktake_id}", "stocktake_closed")

    @router.get(PREFIX + "/opname/{stocktake_id}/laporan.{fmt}")
    async def stocktake_report(request: Request, stocktake_id: uuid.UUID, fmt: str) -> Response:
        v = await view_of(request)
        v.require_staff()
        if fmt not in ("pdf", "csv"):
            raise NotFound("Format laporan tidak dikenal", "Unknown report format", code="not_found")
        upstream = await v.client.stocktake_report(stocktake_id, fmt)
        headers = {
            "content-disposition": upstream.headers.get("content-disposition", "attachment"),
            "cache-control": "private, no-store",
        }
        return StreamingResponse(
            upstream.aiter_bytes(),
            media_type=upstream.headers.get("content-type", "application/octet-stream"),
            headers=headers,
            background=BackgroundTask(upstream.aclose),
        )

    # -- moderation -----------------------------------------------------------------------------------

    @router.get(f"{PREFIX}/moderasi")
    async def moderation(request: Request, status: str = "pending", page: int = 1) -> Response:
        v = await view_of(request)
        if not v.roles.signed_in:
            return v.login_redirect()
        v.require_staff()
        return await render_moderation(v, status if status in REVIEW_STATUSES else "pending", max(page, 1))

    @router.post(PREFIX + "/moderasi/{review_id}")
    async def moderate(request: Request, review_id: uuid.UUID) -> Response:
        v = await view_of(request)
        form = await v.form()
        v.require_staff()
        action = text_field(form, "action", 10)
        status = text_field(form, "status", 10)
        status = status if status in REVIEW_STATUSES else "pending"
        try:
            await v.client.moderate_review(
                review_id,
                "hide" if action == "hide" else "approve",
                reason=text_field(form, "reason", 1000) or None,
            )
        except PusipError as exc:
            return await render_moderation(
                v, status, 1, problem=v.problem(exc), failed=str(review_id), status_code=409
            )
        return v.redirect(f"/moderasi?status={status}", "moderated")


# -- page renderers ---------------------------------------------------------------------------------


async def _branches(v: View) -> list[tuple[str, str]]:
    try:
        branches = await v.client.list_branches(limit=100)
    except PusipError:
        return []
    return sorted(((b.code, b.name) for b in branches if b.active), key=lambda b: b[1])


async def _branch_names(v: View) -> dict[str, str]:
    return dict(await _branches(v))


async def render_imports(v: View, *, problem: Problem | None = None, status_code: int = 200) -> Response:
    jobs = await v.client.import_jobs(limit=15)
    return await v.render(
        "katalog/impor.html",
        status_code=status_code,
        sub="import",
        jobs=jobs,
        branches=await _branches(v),
        dedupes=DEDUPE,
        formats=FORMATS,
        problem=problem,
    )


async def render_stocktakes(
    v: View, *, problem: Problem | None = None, values: dict[str, str] | None = None, status_code: int = 200
) -> Response:
    sessions = await v.client.stocktakes(limit=30)
    return await v.render(
        "katalog/opname.html",
        status_code=status_code,
        sub="stocktake",
        sessions=sessions,
        branches=await _branches(v),
        problem=problem,
        values=values or {},
    )


async def close_check(v: View, stocktake: Stocktake) -> list[dict[str, object]]:
    """Why the session could not be closed now (a dry run), so the close button says so at once."""
    if stocktake.status == "closed":
        return []
    try:
        return v.check(await v.client.close_stocktake(stocktake.id, dry_run=True))
    except PusipError:
        return []


async def render_stocktake(
    v: View,
    stocktake_id: uuid.UUID,
    *,
    result: str = "",
    outcome: object = None,
    problem: Problem | None = None,
    batch: object = None,
    batch_problem: Problem | None = None,
    close_problem: Problem | None = None,
    status_code: int = 200,
) -> Response:
    current = await v.client.stocktake(stocktake_id)
    entries = await v.client.stocktake_entries(stocktake_id, result=result or None, limit=100)
    checks = await close_check(v, current) if close_problem is None else []
    return await v.render(
        "katalog/opname_detail.html",
        status_code=status_code,
        sub="stocktake",
        stocktake=current,
        entries=entries,
        result=result,
        results=RESULTS,
        outcome=outcome,
        problem=problem,
        batch=batch,
        batch_problem=batch_problem,
        close_problem=close_problem,
        close_check=checks,
        names=await _branch_names(v),
        summary_chart=summary_chart(v, current),
        chart_colors=[RESULT_COLORS[k] for k, n in _result_counts(current) if n],
        barcode="",
        oob=False,
    )


async def render_moderation(
    v: View,
    status: str,
    page: int,
    *,
    problem: Problem | None = None,
    failed: str = "",
    status_code: int = 200,
) -> Response:
    queue = await v.client.review_queue(status=status, page=page, limit=20)
    return await v.render(
        "katalog/moderasi.html",
        status_code=status_code,
        sub="moderation",
        queue=queue,
        status=status,
        statuses=REVIEW_STATUSES,
        problem=problem,
        failed=failed,
    )
