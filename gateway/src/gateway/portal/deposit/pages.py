"""The legal-deposit pages: routes, the calls they make to the deposit service, and what they render.

Every handler builds a :class:`View` (the portal context, the signed-in user's roles and a
:class:`~pusip_kit.clients.deposit.DepositClient` carrying the user's token). Writes are POST forms
with the CSRF token; after a write the browser goes back (303) to a page with a message. A refused
action is shown with every named reason the service gave, a 422 with a message per field.

The digital upload streams: :mod:`gateway.portal.deposit.upload` reads the form's fields, then
hands the file's bytes on to the deposit service as they arrive (the page's script shows the
upload's progress and, for its XHR, gets JSON back instead of a redirect).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping
from datetime import date
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.background import BackgroundTask
from starlette.requests import ClientDisconnect

from gateway.portal.deposit.upload import MultipartStream, UploadError, UploadInterrupted, boundary_of
from gateway.portal.section import Problem, SectionRoles, SectionView, field_messages, open_client
from gateway.portal.session import CSRF_FIELD, CSRF_HEADER
from pusip_kit.auth.subject import Role
from pusip_kit.clients.deposit import Deposit, DepositClient, file_download_path, refusal_reasons
from pusip_kit.errors import BadRequest, Forbidden, PusipError

PREFIX = "/portal/serah-simpan"
SECTION = "serah-simpan"
HTTP_STATE = "deposit_pages_http"  # one pool for the pages' calls (each carries its own token)
TIMEOUT = httpx.Timeout(30)

KINDS = ("karya_cetak", "karya_rekam", "karya_digital")
UPLOAD_KINDS = ("karya_digital", "karya_rekam")
DEPOSITOR_TYPES = ("penerbit", "produsen_karya_rekam", "perorangan")
IDENTITY_KINDS = ("nib", "akta", "npwp", "nik")
LANGUAGES = ("ind", "eng", "jav", "sun", "bew", "mad", "min", "ban", "zho", "ara")
OBLIGATION_STATUSES = ("due", "overdue", "fulfilled", "exempt")
DEPOSIT_STATUSES = ("awaiting_copies", "submitted", "fixes_requested", "accepted", "rejected")
DECISIONS = {"accept": "accepted", "request-fixes": "fixes_requested", "reject": "rejected"}
OK_MESSAGES = frozenset(
    {
        "registered",
        "declared",
        "submitted",
        "printed_declared",
        "refreshed",
        "accepted",
        "fixes_requested",
        "rejected",
        "intake",
        "approved",
        "registration_rejected",
        "resubmitted",
        "fixed",
    }
)
METADATA_TEXT = ("title", "subtitle", "isbn", "issn", "ismn", "edition", "language", "publisher", "place",
                 "description", "published_on", "obligation_id", "kind")  # fmt: skip
METADATA_INT = ("year", "pages", "duration_minutes")
DRAIN_LIMIT = 256 * 1024 * 1024


# -- the view of one request ----------------------------------------------------------------------


class Roles(SectionRoles):
    @property
    def publisher(self) -> bool:
        return bool(self.user and Role.PUBLISHER in self.user.roles)

    @property
    def officer(self) -> bool:
        return bool(self.user and self.user.has_role(Role.DEPOSIT_OFFICER))

    @property
    def member(self) -> bool:
        return self.publisher or self.officer


class View(SectionView[DepositClient, Roles]):
    prefix = PREFIX
    roles_type = Roles
    section = SECTION
    keys = "ss"
    ok_messages = OK_MESSAGES
    decimals = 1

    def problem(self, error: PusipError) -> Problem:
        reasons = [self.reason(r) for r in refusal_reasons(error)]
        key = f"ss.error.{error.code}"
        known = self.t(key)
        message = known if known != key and not reasons else self.message(error)
        return Problem(message=message, code=error.code, reasons=reasons, fields=field_messages(error))

    def helpers(self) -> dict[str, Any]:
        return {"num": self.num, "fsize": self.size}

    def require(self, allowed: bool) -> None:
        if not allowed:
            raise Forbidden(
                "Halaman ini bukan untuk peran Anda", "This page is not for your role", code="missing_role"
            )


async def open_view(request: Request) -> View:
    portal, ctx, client = await open_client(request, DepositClient, "deposit", HTTP_STATE, TIMEOUT)
    return View(request, portal, ctx, client)


async def form_fields(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.multi_items() if isinstance(v, str)}


async def drain(chunks: AsyncIterator[bytes], limit: int = DRAIN_LIMIT) -> None:
    """Read what is left of a refused upload (up to ``limit``), so the browser can read the answer."""
    seen = 0
    try:
        async for chunk in chunks:
            seen += len(chunk)
            if seen > limit:
                return
    except (ClientDisconnect, RuntimeError):
        return


def lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def metadata_from(fields: Mapping[str, str], depositor_id: str) -> dict[str, Any]:
    """The deposit service's metadata from a form: blanks left out, numbers read, creators per line."""
    data: dict[str, Any] = {"depositor_id": depositor_id}
    for name in METADATA_TEXT:
        value = (fields.get(name) or "").strip()
        if value:
            data[name] = value
    for name in METADATA_INT:
        value = (fields.get(name) or "").strip()
        if value:
            data[name] = int(value) if value.isdigit() else value
    data["creators"] = lines(fields.get("creators"))
    return data


def wants_json(request: Request) -> bool:
    return request.headers.get("x-requested-with") == "XMLHttpRequest" or request.headers.get(
        "accept", ""
    ).startswith("application/json")


def chart_of_points(points: list[Any], t: Any) -> dict[str, Any]:
    return {
        "labels": [p.period for p in points],
        "datasets": [
            {"label": t("ss.chart.due"), "data": [p.due for p in points]},
            {"label": t("ss.chart.fulfilled"), "data": [p.fulfilled for p in points]},
        ],
    }


# -- routes -------------------------------------------------------------------------------------------


async def render_deposit(
    view: View,
    deposit_id: uuid.UUID,
    *,
    sub: str,
    checks: dict[str, list[dict[str, Any]]] | None = None,
    problem: Any = None,
    status_code: int = 200,
) -> Response:
    """One deposit's page: the deposit, its history and depositor (with a failed action's problem)."""
    deposit = await view.client.deposit(deposit_id)
    history = await view.client.deposit_history(deposit_id)
    depositor = await view.client.depositor(deposit.depositor_id)
    if checks is None:
        checks = {}
        if view.roles.officer and deposit.status == "submitted":
            for action in DECISIONS:
                result = await view.client.decide(deposit_id, action, dry_run=True)
                checks[action] = [view.reason(r) for r in getattr(result, "reasons", [])]
    return await view.render(
        "serah-simpan/penyerahan.html",
        status_code=status_code,
        sub=sub,
        deposit=deposit,
        depositor=depositor,
        history=history.items,
        checks=checks,
        problem=problem,
    )


def register_pages() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    # -- public ------------------------------------------------------------------------------------

    @router.get(PREFIX)
    async def home(request: Request) -> Response:
        view = await open_view(request)
        year = date.today().year
        chart = await view.client.compliance_chart(
            granularity="quarter", start=date(year - 1, 1, 1), end=date(year, 12, 31)
        )
        mine = []
        if view.roles.publisher:
            mine = await view.client.my_depositors()
        return await view.render(
            "serah-simpan/index.html", sub="home", chart_data=chart_of_points(chart.points, view.t), mine=mine
        )

    @router.get(f"{PREFIX}/bibliografi")
    async def bibliography(request: Request, q: str = "", page: int = 1) -> Response:
        view = await open_view(request)
        listing = await view.client.bibliography(q=q.strip() or None, page=max(page, 1), limit=20)
        return await view.render("serah-simpan/bibliografi.html", sub="bibliography", listing=listing, q=q)

    @router.get(f"{PREFIX}/apresiasi")
    async def appreciation(request: Request, year: int | None = None) -> Response:
        view = await open_view(request)
        year = year or date.today().year
        listing = await view.client.appreciation(year=year)
        ranking = await view.client.ranking(start=date(year, 1, 1), end=date(year, 12, 31))
        chart = {
            "labels": [r.depositor_name for r in ranking[:10]],
            "datasets": [{"label": view.t("ss.chart.rate"), "data": [r.rate.rate for r in ranking[:10]]}],
        }
        return await view.render(
            "serah-simpan/apresiasi.html",
            sub="appreciation",
            listing=listing,
            ranking=ranking,
            year=year,
            chart_data=chart,
        )

    # -- publisher ---------------------------------------------------------------------------------

    @router.get(f"{PREFIX}/penyerah")
    async def my_depositors(request: Request) -> Response:
        view = await open_view(request)
        if not view.roles.signed_in:
            return view.login_redirect()
        view.require(view.roles.member)
        if view.roles.officer and not view.roles.publisher:
            page = await view.client.depositors(limit=100)
            return await view.render(
                "serah-simpan/penyerah_daftar.html", sub="mine", officer_list=page.items, mine=[]
            )
        mine = await view.client.my_depositors()
        return await view.render("serah-simpan/penyerah_daftar.html", sub="mine", mine=mine, officer_list=[])

    @router.get(f"{PREFIX}/daftar")
    async def register_form(request: Request) -> Response:
        view = await open_view(request)
        if not view.roles.signed_in:
            return view.login_redirect()
        view.require(view.roles.member)
        return await view.render(
            "serah-simpan/daftar.html", sub="mine", values={}, problem=None, **_choices()
        )

    @router.post(f"{PREFIX}/daftar")
    async def register(request: Request) -> Response:
        view = await open_view(request)
        if not view.roles.signed_in:
            return view.login_redirect()
        fields = await form_fields(request)
        await view.portal.verify_csrf(request, fields.get(CSRF_FIELD))
        data: dict[str, Any] = {
            k: fields.get(k, "").strip()
            for k in (
                "type",
                "name",
                "legal_identity_kind",
                "legal_identity_number",
                "domicile_province",
                "domicile_city",
                "address",
                "email",
                "phone",
                "website",
            )
        }
        data = {k: v for k, v in data.items() if v}
        data["isbn_prefixes"] = lines(fields.get("isbn_prefixes"))
        data["ismn_prefixes"] = lines(fields.get("ismn_prefixes"))
        contact = (fields.get("contact_name") or "").strip()
        if contact:
            data["contacts"] = [
                {
                    k: v
                    for k, v in {
                        "name": contact,
                        "position": fields.get("contact_position", "").strip(),
                        "email": fields.get("contact_email", "").strip(),
                        "phone": fields.get("contact_phone", "").strip(),
                    }.items()
                    if v
                }
            ]
        try:
            depositor = await view.client.register(data)
        except PusipError as exc:
            return await view.render(
                "serah-simpan/daftar.html",
                status_code=exc.status_code,
                sub="mine",
                values=fields,
                problem=view.problem(exc),
                **_choices(),
            )
        return view.redirect(f"/penyerah/{depositor.id}", ok="registered")

    @router.get(PREFIX + "/penyerah/{depositor_id}")
    async def depositor_page(request: Request, depositor_id: uuid.UUID) -> Response:
        view = await open_view(request)
        if not view.roles.signed_in:
            return view.login_redirect()
        view.require(view.roles.member)
        depositor = await view.client.depositor(depositor_id)
        status = request.query_params.get("status") or None
        obligations = await view.client.obligations(
            depositor_id=depositor_id, status=status if status in OBLIGATION_STATUSES else None, limit=50
        )
        deposits = await view.client.deposits(depositor_id=depositor_id, limit=50)
        start, end = date(2000, 1, 1), date(date.today().year, 12, 31)
        overall = await view.client.compliance(depositor_id, start=start, end=end)
        this_year = await view.client.compliance(depositor_id)
        year = date.today().year
        chart = await view.client.compliance_chart(
            depositor_id=depositor_id, granularity="year", start=date(year - 4, 1, 1), end=date(year, 12, 31)
        )
        return await view.render(
            "serah-simpan/penyerah.html",
            sub="mine",
            depositor=depositor,
            obligations=obligations,
            deposits=deposits,
            overall=overall,
            this_year=this_year,
            chart_data=chart_of_points(chart.points, view.t),
            by_kind=chart.by_kind,
            status=status,
            statuses=OBLIGATION_STATUSES,
            kinds=KINDS,
            today=date.today().isoformat(),
            problem=None,
            values={},
        )

    @router.post(PREFIX + "/penyerah/{depositor_id}/kewajiban")
    async def declare_title(request: Request, depositor_id: uuid.UUID) -> Response:
        view = await open_view(request)
        if not view.roles.signed_in:
            return view.login_redirect()
        fields = await form_fields(request)
        await view.portal.verify_csrf(request, fields.get(CSRF_FIELD))
        data = {
            "depositor_id": str(depositor_id),
            **{
                k: fields.get(k, "").strip()
                for k in ("kind", "title", "published_on", "isbn", "issn", "ismn")
            },
        }
        data = {k: v for k, v in data.items() if v}
        try:
            await view.client.declare_obligation(data)
        except PusipError as exc:
            problem = view.problem(exc)
            return await view.render(
                "serah-simpan/kewajiban_gagal.html",
                status_code=exc.status_code,
                sub="mine",
                depositor_id=depositor_id,
                problem=problem,
            )
        return view.redirect(f"/penyerah/{depositor_id}", ok="declared")

    @router.get(PREFIX + "/penyerah/{depositor_id}/pemutakhiran")
    async def refresh_form(request: Request, depositor_id: uuid.UUID) -> Response:
        view = await open_view(request)
        if not view.roles.signed_in:
            return view.login_redirect()
        view.require(view.roles.member)
        depositor = await view.client.depositor(depositor_id)
        contact = depositor.contacts[0] if depositor.contacts else None
        values = {
            "address": depositor.address or "",
            "email": depositor.email or "",
            "phone": depositor.phone or "",
            "website": depositor.website or "",
            "contact_name": contact.name if contact else "",
            "contact_position": (contact.position or "") if contact else "",
            "contact_email": (contact.email or "") if contact else "",
            "contact_phone": (contact.phone or "") if contact else "",
        }
        return await view.render(
            "serah-simpan/pemutakhiran.html", sub="mine", depositor=depositor, values=values, problem=None
        )

    @router.post(PREFIX + "/penyerah/{depositor_id}/pemutakhiran")
    async def refresh(request: Request, depositor_id: uuid.UUID) -> Response:
        view = await open_view(request)
        if not view.roles.signed_in:
            return view.login_redirect()
        fields = await form_fields(request)
        await view.portal.verify_csrf(request, fields.get(CSRF_FIELD))
        data: dict[str, Any] = {
            k: (fields.get(k) or "").strip() or None for k in ("address", "email", "phone", "website")
        }
        name = (fields.get("contact_name") or "").strip()
        if name:
            data["contacts"] = [
                {"name": name}
                | {
                    k: v
                    for k in ("position", "email", "phone")
                    if (v := (fields.get(f"contact_{k}") or "").strip())
                }
            ]
        try:
            await view.client.refresh(depositor_id, data)
        except PusipError as exc:
            depositor = await view.client.depositor(depositor_id)
            return await view.render(
                "serah-simpan/pemutakhiran.html",
                status_code=exc.status_code,
                sub="mine",
                depositor=depositor,
                values=fields,
                problem=view.problem(exc),
            )
        return view.redirect(f"/penyerah/{depositor_id}", ok="refreshed")

    @router.get(PREFIX + "/penyerah/{depositor_id}/serahkan")
    async def submit_form(request: Request, depositor_id: uuid.UUID) -> Response:
        view = await open_view(request)
        if not view.roles.signed_in:
            return view.login_redirect()
        view.require(view.roles.member)
        depositor = await view.client.depositor(depositor_id)
        open_obligations = [
            o
            for o in (await view.client.obligations(depositor_id=depositor_id, limit=100)).items
            if o.status in ("due", "overdue")
        ]
        selected = request.query_params.get("kewajiban") or ""
        values: dict[str, Any] = {"language": "ind", "kind": "karya_digital", "publisher": depositor.name}
        chosen = next((o for o in open_obligations if str(o.id) == selected), None)
        if chosen is not None:
            values |= {
                "obligation_id": str(chosen.id),
                "title": chosen.title,
                "kind": chosen.kind if chosen.kind in UPLOAD_KINDS else "karya_digital",
                "isbn": chosen.isbn or "",
                "issn": chosen.issn or "",
                "ismn": chosen.ismn or "",
                "year": chosen.published_on.year if chosen.published_on else "",
                "published_on": chosen.published_on.isoformat() if chosen.published_on else "",
            }
        return await view.render(
            "serah-simpan/serahkan.html",
            sub="mine",
            depositor=depositor,
            obligations=open_obligations,
            values=values,
            problem=None,
            printed_problem=None,
            upload_kinds=UPLOAD_KINDS,
            languages=LANGUAGES,
        )

    @router.post(PREFIX + "/penyerah/{depositor_id}/unggah")
    async def upload(request: Request, depositor_id: uuid.UUID) -> Response:
        """Stream the form's file to the deposit service (see :mod:`gateway.portal.deposit.upload`)."""
        view = await open_view(request)
        as_json = wants_json(request)
        if not view.roles.signed_in:
            if as_json:
                return JSONResponse({"ok": False, "code": "authentication_required",
                                     "message": view.t("ss.error.authentication_required")}, status_code=401)  # fmt: skip
            return view.login_redirect()
        fields: dict[str, str] = {}
        chunks = request.stream()
        try:
            stream = await MultipartStream(chunks, boundary_of(request.headers.get("content-type"))).read()
            fields = stream.fields
            await view.portal.verify_csrf(
                request, request.headers.get(CSRF_HEADER) or fields.get(CSRF_FIELD) or ""
            )
            if stream.file is None or not stream.file.filename:
                raise BadRequest(
                    "Pilih berkas yang akan diserahkan", "Choose the file to deposit", code="file_missing"
                )
            metadata = metadata_from(fields, str(depositor_id))
            deposit = await view.client.submit_digital(metadata, stream.file.filename, stream.file.chunks)
        except (UploadError, ClientDisconnect) as exc:
            code = exc.code if isinstance(exc, UploadError) else UploadInterrupted().code
            error = BadRequest(view.t(f"ss.error.{code}"), view.t(f"ss.error.{code}"), code=code)
            await drain(chunks)
            return await _upload_failed(view, depositor_id, fields, error, as_json)
        except PusipError as exc:
            await drain(chunks)
            return await _upload_failed(view, depositor_id, fields, exc, as_json)
        target = f"{PREFIX}/penyerahan/{deposit.id}?ok=submitted"
        if as_json:
            return JSONResponse({"ok": True, "redirect": target, "deposit_id": str(deposit.id),
                                 "receipt_number": deposit.receipt_number}, status_code=201)  # fmt: skip
        return RedirectResponse(target, status_code=303)

    @router.post(PREFIX + "/penyerah/{depositor_id}/cetak")
    async def declare_printed(request: Request, depositor_id: uuid.UUID) -> Response:
        view = await open_view(request)
        if not view.roles.signed_in:
            return view.login_redirect()
        fields = await form_fields(request)
        await view.portal.verify_csrf(request, fields.get(CSRF_FIELD))
        data = metadata_from(fields, str(depositor_id)) | {"kind": "karya_cetak"}
        copies = (fields.get("copies") or "1").strip()
        data["copies"] = int(copies) if copies.isdigit() else copies
        try:
            deposit = await view.client.declare_printed(data)
        except PusipError as exc:
            depositor = await view.client.depositor(depositor_id)
            return await view.render(
                "serah-simpan/serahkan.html",
                status_code=exc.status_code,
                sub="mine",
                depositor=depositor,
                obligations=[],
                values={"language": "ind", "kind": "karya_digital"},
                printed_values=fields,
                problem=None,
                printed_problem=view.problem(exc),
                upload_kinds=UPLOAD_KINDS,
                languages=LANGUAGES,
            )
        return view.redirect(f"/penyerahan/{deposit.id}", ok="printed_declared")

    # -- one deposit (publisher and officer) ---------------------------------------------------------

    @router.get(PREFIX + "/penyerahan/{deposit_id}")
    async def deposit_page(request: Request, deposit_id: uuid.UUID) -> Response:
        view = await open_view(request)
        if not view.roles.signed_in:
            return view.login_redirect()
        view.require(view.roles.member)
        sub = "queue" if view.roles.officer and not view.roles.publisher else "mine"
        return await render_deposit(view, deposit_id, sub=sub)

    @router.get(PREFIX + "/penyerahan/{deposit_id}/tanda-terima")
    async def receipt(request: Request, deposit_id: uuid.UUID) -> Response:
        view = await open_view(request)
        if not view.roles.signed_in:
            return view.login_redirect()
        download = await view.client.receipt(deposit_id)
        headers = {"cache-control": "private, no-store"}
        if download.content_disposition:
            headers["content-disposition"] = download.content_disposition
        return Response(download.content, media_type=download.content_type, headers=headers)

    @router.get(PREFIX + "/penyerahan/{deposit_id}/berkas/{file_id}")
    async def read_file(request: Request, deposit_id: uuid.UUID, file_id: uuid.UUID) -> Response:
        """The deposited file through the deposit service: the reader is logged, PDFs watermarked."""
        view = await open_view(request)
        if not view.roles.signed_in:
            return view.login_redirect()
        upstream = await view.client.stream("GET", file_download_path(deposit_id, file_id))
        headers = {"cache-control": "private, no-store"}
        for name in ("content-type", "content-disposition", "content-length"):
            if name in upstream.headers:
                headers[name] = upstream.headers[name]
        return StreamingResponse(
            upstream.aiter_raw(), headers=headers, background=BackgroundTask(upstream.aclose)
        )

    @router.post(PREFIX + "/penyerahan/{deposit_id}/putusan")
    async def decide(request: Request, deposit_id: uuid.UUID) -> Response:
        view = await open_view(request)
        if not view.roles.signed_in:
            return view.login_redirect()
        view.require(view.roles.officer)
        fields = await form_fields(request)
        await view.portal.verify_csrf(request, fields.get(CSRF_FIELD))
        action = fields.get("action", "")
        if action not in DECISIONS:
            raise BadRequest("Keputusan tidak dikenal", "Unknown decision", code="decision_unknown")
        try:
            await view.client.decide(
                deposit_id, action, reasons=lines(fields.get("reasons")), note=fields.get("note") or None
            )
        except PusipError as exc:
            return await render_deposit(
                view,
                deposit_id,
                sub="queue",
                checks={},
                problem=view.problem(exc),
                status_code=exc.status_code,
            )
        return view.redirect(f"/penyerahan/{deposit_id}", ok=DECISIONS[action])

    @router.post(PREFIX + "/penyerahan/{deposit_id}/ajukan-ulang")
    async def resubmit(request: Request, deposit_id: uuid.UUID) -> Response:
        view = await open_view(request)
        if not view.roles.signed_in:
            return view.login_redirect()
        fields = await form_fields(request)
        await view.portal.verify_csrf(request, fields.get(CSRF_FIELD))
        changes = {
            k: v
            for k, v in metadata_from(fields, "").items()
            if k not in ("depositor_id", "obligation_id", "kind")
        }
        if not changes.get("creators"):
            changes.pop("creators", None)
        try:
            if changes:
                await view.client.fix_metadata(deposit_id, changes)
            await view.client.resubmit(deposit_id)
        except PusipError as exc:
            return await render_deposit(
                view,
                deposit_id,
                sub="mine",
                checks={},
                problem=view.problem(exc),
                status_code=exc.status_code,
            )
        return view.redirect(f"/penyerahan/{deposit_id}", ok="resubmitted")

    # -- officer -------------------------------------------------------------------------------------

    @router.get(f"{PREFIX}/petugas")
    async def workbench(request: Request, page: int = 1) -> Response:
        view = await open_view(request)
        if not view.roles.signed_in:
            return view.login_redirect()
        view.require(view.roles.officer)
        queue = await view.client.queue(page=max(page, 1), limit=25)
        pending = await view.client.depositors(status="pending", limit=50)
        awaiting = await view.client.deposits(status="awaiting_copies", limit=50)
        overdue = await view.client.overdue()
        return await view.render(
            "serah-simpan/petugas.html",
            sub="queue",
            queue=queue,
            pending=pending.items,
            awaiting=awaiting.items,
            overdue=overdue[:50],
            overdue_total=len(overdue),
        )

    @router.post(PREFIX + "/petugas/penyerah/{depositor_id}/putusan")
    async def decide_registration(request: Request, depositor_id: uuid.UUID) -> Response:
        view = await open_view(request)
        if not view.roles.signed_in:
            return view.login_redirect()
        view.require(view.roles.officer)
        fields = await form_fields(request)
        await view.portal.verify_csrf(request, fields.get(CSRF_FIELD))
        try:
            if fields.get("action") == "approve":
                await view.client.approve_depositor(
                    depositor_id, note=(fields.get("note") or "").strip() or None
                )
                ok = "approved"
            else:
                await view.client.reject_depositor(depositor_id, reason=(fields.get("note") or "").strip())
                ok = "registration_rejected"
        except PusipError as exc:
            return await view.render(
                "serah-simpan/kewajiban_gagal.html",
                status_code=exc.status_code,
                sub="queue",
                depositor_id=None,
                problem=view.problem(exc),
            )
        return view.redirect("/petugas", ok=ok)

    @router.get(f"{PREFIX}/petugas/loket")
    async def counter_form(request: Request) -> Response:
        view = await open_view(request)
        if not view.roles.signed_in:
            return view.login_redirect()
        view.require(view.roles.officer)
        awaiting = await view.client.deposits(status="awaiting_copies", limit=100)
        depositors = await view.client.depositors(status="approved", limit=100)
        return await view.render(
            "serah-simpan/loket.html",
            sub="counter",
            awaiting=awaiting.items,
            depositors=depositors.items,
            values={"language": "ind", "copies": "1"},
            problem=None,
            languages=LANGUAGES,
            selected=request.query_params.get("penyerahan", ""),
        )

    @router.post(f"{PREFIX}/petugas/loket")
    async def counter_intake(request: Request) -> Response:
        view = await open_view(request)
        if not view.roles.signed_in:
            return view.login_redirect()
        view.require(view.roles.officer)
        fields = await form_fields(request)
        await view.portal.verify_csrf(request, fields.get(CSRF_FIELD))
        copies = (fields.get("copies_received") or "").strip()
        body: dict[str, Any] = {"copies_received": int(copies) if copies.isdigit() else copies}
        if note := (fields.get("note") or "").strip():
            body["note"] = note
        if fields.get("deposit_id"):
            body["deposit_id"] = fields["deposit_id"]
        else:
            walk_in = metadata_from(fields, fields.get("depositor_id", "")) | {"kind": "karya_cetak"}
            walk_in["copies"] = body["copies_received"]
            body["deposit"] = walk_in
        try:
            deposit = await view.client.counter_intake(body)
        except PusipError as exc:
            awaiting = await view.client.deposits(status="awaiting_copies", limit=100)
            depositors = await view.client.depositors(status="approved", limit=100)
            return await view.render(
                "serah-simpan/loket.html",
                status_code=exc.status_code,
                sub="counter",
                awaiting=awaiting.items,
                depositors=depositors.items,
                values=fields,
                problem=view.problem(exc),
                languages=LANGUAGES,
                selected=fields.get("deposit_id", ""),
            )
        return view.redirect(f"/penyerahan/{deposit.id}", ok="intake")

    return router


def _choices() -> dict[str, Any]:
    return {"depositor_types": DEPOSITOR_TYPES, "identity_kinds": IDENTITY_KINDS}


async def _upload_failed(
    view: View, depositor_id: uuid.UUID, fields: dict[str, str], error: PusipError, as_json: bool
) -> Response:
    problem = view.problem(error)
    status = error.status_code if 400 <= error.status_code < 600 else 400
    if as_json:
        return JSONResponse({"ok": False, **problem.as_json()}, status_code=status)
    depositor = await view.client.depositor(depositor_id)
    values = {k: v for k, v in fields.items() if k != CSRF_FIELD}
    return await view.render(
        "serah-simpan/serahkan.html",
        status_code=status,
        sub="mine",
        depositor=depositor,
        obligations=[],
        values=values,
        problem=problem,
        printed_problem=None,
        upload_kinds=UPLOAD_KINDS,
        languages=LANGUAGES,
    )


__all__ = ["PREFIX", "Deposit", "register_pages"]
