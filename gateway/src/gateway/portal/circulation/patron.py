"""The patron's pages ("Akun saya"): online registration and email verification, loans with renew,
holds with queue position and cancel, fines and payments, digital loans with their access link,
notices, reading history (opt-in), export and deletion of one's data, and the "For you" block."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from gateway.portal.circulation.view import PREFIX, Problem, View, text_field, view_of
from pusip_kit.errors import PusipError

T = TypeVar("T")

CATEGORIES = ("umum", "pelajar", "mahasiswa", "anak", "lansia", "disabilitas")
REGISTER_FIELDS = (
    "name",
    "nik",
    "email",
    "category",
    "home_branch",
    "birth_date",
    "gender",
    "phone",
    "address",
)


async def quiet(call: Awaitable[T], default: T) -> T:
    """A secondary block of a page: shown when it answers, left out when it does not."""
    try:
        return await call
    except PusipError:
        return default


async def titles_of(v: View, record_ids: set[str]) -> dict[str, str]:
    """Titles of the records a list of holds names (from circulation's item replica)."""

    async def one(record_id: str) -> tuple[str, str]:
        page = await quiet(v.client.get("/items", record_id=record_id, limit=1), {"items": []})
        items = page.get("items") or []
        return record_id, (items[0].get("title") if items else "") or ""

    return dict(await asyncio.gather(*(one(r) for r in sorted(record_ids))))


async def render_account(
    v: View, *, problems: dict[str, Problem] | None = None, status_code: int = 200
) -> Response:
    me = await v.client.me()
    names = await v.branch_names()
    if me is None:
        return await render_register(v, names=names, status_code=status_code, problems=problems)
    empty_page: dict[str, Any] = {"items": []}
    loans, holds, fines, digital, notices, for_you = await asyncio.gather(
        quiet(v.client.get("/patrons/me/loans", limit=100), empty_page),
        quiet(v.client.get("/patrons/me/holds", limit=100), empty_page),
        quiet(v.client.get("/patrons/me/fines"), {"balance": 0, "fines": []}),
        quiet(v.client.get("/patrons/me/digital-loans"), []),
        quiet(v.client.get("/patrons/me/notices", limit=20), empty_page),
        v.client.for_you(),
    )
    hold_rows = holds.get("items") or []
    titles = await titles_of(v, {h["record_id"] for h in hold_rows})
    return await v.render(
        "sirkulasi/akun.html",
        status_code=status_code,
        sub="akun",
        me=me,
        names=names,
        loans=loans.get("items") or [],
        holds=hold_rows,
        titles=titles,
        fines=fines,
        digital=digital,
        notices=notices.get("items") or [],
        for_you=for_you,
        problems=problems or {},
        access=v.request.query_params.get("akses"),
    )


async def render_register(
    v: View,
    *,
    names: dict[str, str],
    values: dict[str, str] | None = None,
    problems: dict[str, Problem] | None = None,
    status_code: int = 200,
) -> Response:
    return await v.render(
        "sirkulasi/daftar.html",
        status_code=status_code,
        sub="akun",
        names=names,
        categories=CATEGORIES,
        values=values or {},
        problems=problems or {},
    )


def _safe_link(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https") or url.startswith("/")


def add_routes(router: APIRouter) -> None:
    @router.get(PREFIX + "/akun", name="circulation_account")
    async def account(request: Request) -> Response:
        v = await view_of(request)
        if not v.roles.signed_in:
            return v.login_redirect()
        return await render_account(v)

    @router.post(PREFIX + "/akun/daftar")
    async def register(request: Request) -> Response:
        v = await view_of(request)
        form = await v.form()
        if not v.roles.signed_in:
            return v.login_redirect(f"{PREFIX}/akun")
        values = {name: text_field(form, name, 1000) for name in REGISTER_FIELDS}
        body: dict[str, Any] = {k: val for k, val in values.items() if val}
        body["reading_history"] = form.get("reading_history") == "on"
        try:
            await v.client.post("/patrons/register", body)
        except PusipError as exc:
            names = await v.branch_names()
            status = exc.status_code if exc.status_code < 500 else 503
            return await render_register(
                v, names=names, values=values, problems={"register": v.problem(exc)}, status_code=status
            )
        return v.redirect("/akun", "registered")

    @router.get("/akun/verifikasi-email")
    async def mailed_link(token: str = "") -> Response:
        """The link in the verification mail (``<portal>/akun/verifikasi-email?token=…``)."""
        return RedirectResponse(f"{PREFIX}/akun/verifikasi-email?token={token[:200]}", status_code=303)

    @router.get(PREFIX + "/akun/verifikasi-email")
    async def verify_form(request: Request, token: str = "") -> Response:
        v = await view_of(request)
        return await v.render("sirkulasi/verifikasi.html", sub="akun", token=token[:200], problem=None)

    @router.post(PREFIX + "/akun/verifikasi-email")
    async def verify(request: Request) -> Response:
        v = await view_of(request)
        form = await v.form()
        token = text_field(form, "token", 200)
        try:
            await v.client.post("/patrons/verify-email", {"token": token})
        except PusipError as exc:
            return await v.render(
                "sirkulasi/verifikasi.html", status_code=400, sub="akun", token=token, problem=v.problem(exc)
            )
        return v.redirect("/akun", "verified")

    @router.post(PREFIX + "/akun/kirim-ulang")
    async def resend(request: Request) -> Response:
        v = await view_of(request)
        await v.form()
        try:
            await v.client.post("/patrons/me/resend-verification")
        except PusipError as exc:
            return await render_account(v, problems={"account": v.problem(exc)}, status_code=409)
        return v.redirect("/akun", "verification_sent")

    @router.post(PREFIX + "/akun/perpanjang")
    async def renew(request: Request) -> Response:
        v = await view_of(request)
        form = await v.form()
        try:
            await v.client.renew(text_field(form, "item", 64))
        except PusipError as exc:
            return await render_account(v, problems={"loans": v.problem(exc)}, status_code=409)
        return v.redirect("/akun", "renewed", "pinjaman")

    @router.post(PREFIX + "/akun/pesanan/{hold_id}/batal")
    async def cancel_hold(request: Request, hold_id: uuid.UUID) -> Response:
        v = await view_of(request)
        await v.form()
        try:
            await v.client.post(f"/holds/{hold_id}/cancel", {})
        except PusipError as exc:
            return await render_account(v, problems={"holds": v.problem(exc)}, status_code=409)
        return v.redirect("/akun", "hold_cancelled", "pesanan")

    @router.post(PREFIX + "/akun/privasi")
    async def privacy(request: Request) -> Response:
        v = await view_of(request)
        form = await v.form()
        try:
            await v.client.update_me(reading_history=form.get("reading_history") == "on")
        except PusipError as exc:
            return await render_account(v, problems={"privacy": v.problem(exc)}, status_code=409)
        return v.redirect("/akun", "privacy_saved", "privasi")

    @router.get(PREFIX + "/akun/riwayat")
    async def history(request: Request, page: int = 1) -> Response:
        v = await view_of(request)
        if not v.roles.signed_in:
            return v.login_redirect()
        me = await v.client.me()
        if me is None:
            return v.redirect("/akun")
        rows: dict[str, Any] = {"items": []}
        if me.get("reading_history"):
            rows = await v.client.get("/patrons/me/history", page=max(1, min(page, 1000)), limit=50)
        return await v.render("sirkulasi/riwayat.html", sub="akun", me=me, rows=rows)

    @router.get(PREFIX + "/akun/ekspor")
    async def export(request: Request) -> Response:
        v = await view_of(request)
        if not v.roles.signed_in:
            return v.login_redirect()
        upstream = await v.client.export_me()
        return Response(
            upstream.content,
            media_type="application/json",
            headers={"content-disposition": 'attachment; filename="data-anggota-saya.json"'},
        )

    @router.post(PREFIX + "/akun/hapus")
    async def delete(request: Request) -> Response:
        v = await view_of(request)
        form = await v.form()
        if form.get("confirm") != "on":
            problem = Problem(message=v.t("sir.privacy.confirm_needed"), code="confirm_needed", reasons=[])
            return await render_account(v, problems={"privacy": problem}, status_code=422)
        check = await v.client.post("/patrons/me/delete/dry-run")
        if not check.get("allowed"):
            reasons = [
                {"code": r.get("code"), "message": v.loc(r), "details": {}} for r in check.get("reasons", [])
            ]
            problem = Problem(
                message=v.t("sir.privacy.cannot_delete"), code="deletion_refused", reasons=reasons
            )
            return await render_account(v, problems={"privacy": problem}, status_code=409)
        await v.client.post("/patrons/me/delete")
        return v.redirect("", "deleted")

    @router.post(PREFIX + "/akun/digital/{loan_id}/akses")
    async def digital_access(request: Request, loan_id: uuid.UUID) -> Response:
        v = await view_of(request)
        await v.form()
        try:
            loan = await v.client.post(f"/digital-loans/{loan_id}/access")
        except PusipError as exc:
            return await render_account(v, problems={"digital": v.problem(exc)}, status_code=409)
        url = str(loan.get("access_url") or "")
        if not _safe_link(url):
            return v.redirect("/akun", anchor="digital")
        return v.redirect("/akun", anchor="digital", akses=url)

    @router.post(PREFIX + "/akun/digital/{loan_id}/kembali")
    async def digital_return(request: Request, loan_id: uuid.UUID) -> Response:
        v = await view_of(request)
        await v.form()
        try:
            await v.client.post(f"/digital-loans/{loan_id}/return")
        except PusipError as exc:
            return await render_account(v, problems={"digital": v.problem(exc)}, status_code=409)
        return v.redirect("/akun", "digital_returned", "digital")

    @router.post(PREFIX + "/akun/pemberitahuan/{notice_id}/dibaca")
    async def notice_read(request: Request, notice_id: uuid.UUID) -> Response:
        v = await view_of(request)
        await v.form()
        try:
            await v.client.post(f"/patrons/me/notices/{notice_id}/read")
        except PusipError as exc:
            return await render_account(v, problems={"notices": v.problem(exc)}, status_code=409)
        return v.redirect("/akun", "notice_read", "pemberitahuan")

    @router.get(PREFIX + "/untuk-anda")
    async def for_you(request: Request) -> Response:
        """The "For you" block alone (htmx fragment on the home page)."""
        v = await view_of(request)
        data: dict[str, Any] = {"recommendations": [], "announcements": []}
        if v.roles.signed_in:
            data = await v.client.for_you()
        names = await v.branch_names() if v.roles.signed_in else {}
        return await v.render("sirkulasi/_untuk_anda.html", for_you=data, names=names)
