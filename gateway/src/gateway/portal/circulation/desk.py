"""The staff pages: the circulation desk (scan a card, scan items for check-out / check-in / renew,
every refusal reason, a printable receipt, fines and payments), the pick list, transits (slips,
receive) and the hold shelf of a branch, and the statistics with server-side SVG charts."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.portal.charts import ChartData, Dataset
from gateway.portal.circulation.patron import quiet, titles_of
from gateway.portal.circulation.view import PREFIX, Problem, View, text_field, view_of
from pusip_kit.errors import PusipError

MODES = ("pinjam", "kembali", "perpanjang")
PAY_METHODS = ("tunai", "qris", "transfer", "edc")


async def patron_panel(v: View, card: str) -> dict[str, Any]:
    """The scanned patron: account, open loans, open fines (or the problem finding them)."""
    if not card:
        return {}
    try:
        patron = await v.client.get(f"/patrons/{card}")
    except PusipError as exc:
        return {"problem": v.problem(exc)}
    loans, fines = await asyncio.gather(
        quiet(v.client.get(f"/patrons/{card}/loans", limit=100), {"items": []}),
        quiet(v.client.get(f"/patrons/{card}/fines", open=True), {"balance": 0, "fines": []}),
    )
    return {"patron": patron, "loans": loans.get("items") or [], "fines": fines}


async def render_desk(
    v: View,
    *,
    branch: str,
    card: str,
    mode: str,
    names: dict[str, str],
    result: dict[str, Any] | None = None,
    problem: Problem | None = None,
    status_code: int = 200,
) -> Response:
    panel = await patron_panel(v, card)
    return await v.render(
        "sirkulasi/meja.html",
        status_code=status_code,
        sub="meja",
        branch=branch,
        card=card,
        mode=mode if mode in MODES else "pinjam",
        modes=MODES,
        names=names,
        panel=panel,
        result=result,
        problem=problem,
        methods=PAY_METHODS,
        today=date.today().isoformat(),
    )


async def _scan(
    v: View, mode: str, card: str, item: str, branch: str, returned_on: date | None
) -> dict[str, Any]:
    if mode == "pinjam":
        return {"mode": mode, "loan": await v.client.checkout(card, item, branch)}
    if mode == "perpanjang":
        return {"mode": mode, "loan": await v.client.renew(item, card or None)}
    return {"mode": mode, **await v.client.checkin(item, branch, returned_on)}


def _period(start: str | None, end: str | None) -> tuple[date, date]:
    try:
        last = date.fromisoformat(end) if end else date.today()
    except ValueError:
        last = date.today()
    try:
        first = date.fromisoformat(start) if start else last - timedelta(days=29)
    except ValueError:
        first = last - timedelta(days=29)
    return (first, last) if first <= last else (last, first)


def loans_chart(rows: list[dict[str, Any]], names: dict[str, str]) -> ChartData:
    """Loans per branch per day: one line per branch over the days of the period."""
    days = sorted({r["day"] for r in rows})
    branches = sorted({r["branch"] for r in rows})
    counts = {(r["branch"], r["day"]): r["loans"] for r in rows}
    return ChartData(
        labels=tuple(days),
        datasets=tuple(
            Dataset(names.get(b, b), tuple(float(counts.get((b, d), 0)) for d in days)) for b in branches
        ),
    )


def add_routes(router: APIRouter) -> None:
    async def staff_view(request: Request) -> View:
        v = await view_of(request)
        v.require_staff()
        return v

    @router.get(PREFIX + "/meja", name="circulation_desk")
    async def desk(request: Request, cabang: str = "", kartu: str = "", mode: str = "pinjam") -> Response:
        v = await view_of(request)
        if not v.roles.signed_in:
            return v.login_redirect()
        v.require_staff()
        names = await v.branch_names()
        branch = v.pick_branch(cabang, names)
        return await render_desk(v, branch=branch, card=kartu.strip()[:20], mode=mode, names=names)

    @router.post(PREFIX + "/meja")
    async def scan(request: Request) -> Response:
        v = await staff_view(request)
        form = await v.form()
        names = await v.branch_names()
        branch = v.pick_branch(text_field(form, "branch", 64), names)
        card, item = text_field(form, "card", 20), text_field(form, "item", 64)
        mode = text_field(form, "mode", 16)
        mode = mode if mode in MODES else "pinjam"
        returned_on: date | None = None
        if raw := text_field(form, "returned_on", 10):
            try:
                returned_on = date.fromisoformat(raw)
            except ValueError:
                returned_on = None
        if not item:
            return await render_desk(v, branch=branch, card=card, mode=mode, names=names)
        if mode == "pinjam" and not card:
            problem = Problem(message=v.t("sir.desk.card_first"), code="card_required", reasons=[])
            return await render_desk(
                v, branch=branch, card=card, mode=mode, names=names, problem=problem, status_code=422
            )
        try:
            result = await _scan(v, mode, card, item, branch, returned_on)
        except PusipError as exc:
            return await render_desk(
                v,
                branch=branch,
                card=card,
                mode=mode,
                names=names,
                result={"mode": mode, "item": item},
                problem=v.problem(exc),
                status_code=409 if exc.status_code < 500 else 503,
            )
        if mode == "kembali" and not card:
            card = ((result.get("loan") or {}).get("patron_card")) or ""
        return await render_desk(v, branch=branch, card=card, mode=mode, names=names, result=result)

    @router.post(PREFIX + "/meja/bayar")
    async def pay(request: Request) -> Response:
        v = await staff_view(request)
        form = await v.form()
        names = await v.branch_names()
        branch = v.pick_branch(text_field(form, "branch", 64), names)
        card = text_field(form, "card", 20)
        method = text_field(form, "method", 16)
        try:
            amount = int(text_field(form, "amount", 12).replace(".", "") or 0)
        except ValueError:
            amount = 0
        try:
            payment = await v.client.post(
                "/payments", {"patron": card, "amount": amount, "method": method, "branch": branch}
            )
        except PusipError as exc:
            return await render_desk(
                v,
                branch=branch,
                card=card,
                mode="kembali",
                names=names,
                problem=v.problem(exc),
                status_code=409,
            )
        return await render_desk(
            v,
            branch=branch,
            card=card,
            mode="kembali",
            names=names,
            result={"mode": "bayar", "payment": payment},
        )

    @router.get(PREFIX + "/meja/struk")
    async def receipt(request: Request, kartu: str, cabang: str = "") -> Response:
        """A printable receipt: the patron's open loans with their due dates, today's marked."""
        v = await staff_view(request)
        names = await v.branch_names()
        panel = await patron_panel(v, kartu.strip()[:20])
        if "problem" in panel:
            return await v.render(
                "sirkulasi/struk.html", status_code=404, sub="meja", panel=panel, branch=cabang, names=names
            )
        return await v.render("sirkulasi/struk.html", sub="meja", panel=panel, branch=cabang, names=names)

    @router.get(PREFIX + "/ambil")
    async def pick_list(request: Request, cabang: str = "") -> Response:
        v = await staff_view(request)
        names = await v.branch_names()
        branch = v.pick_branch(cabang, names)
        entries = await v.client.get("/holds/pick-list", branch=branch) if branch else []
        return await v.render(
            "sirkulasi/ambil.html", sub="ambil", branch=branch, names=names, entries=entries
        )

    @router.get(PREFIX + "/kiriman")
    async def transits(request: Request, cabang: str = "") -> Response:
        v = await staff_view(request)
        return await render_transits(v, cabang)

    async def render_transits(
        v: View, wanted: str, *, result: dict[str, Any] | None = None, problem: Problem | None = None
    ) -> Response:
        names = await v.branch_names()
        branch = v.pick_branch(wanted, names)
        incoming, outgoing = await asyncio.gather(
            quiet(v.client.get("/transits", to_branch=branch, limit=100), {"items": []}),
            quiet(v.client.get("/transits", from_branch=branch, limit=100), {"items": []}),
        )
        return await v.render(
            "sirkulasi/kiriman.html",
            status_code=409 if problem else 200,
            sub="kiriman",
            branch=branch,
            names=names,
            incoming=incoming.get("items") or [],
            outgoing=outgoing.get("items") or [],
            result=result,
            problem=problem,
        )

    @router.post(PREFIX + "/kiriman/terima")
    async def receive(request: Request) -> Response:
        v = await staff_view(request)
        form = await v.form()
        branch, item = text_field(form, "branch", 64), text_field(form, "item", 64)
        try:
            result = await v.client.receive(item, branch)
        except PusipError as exc:
            return await render_transits(v, branch, problem=v.problem(exc))
        return await render_transits(v, branch, result=result)

    @router.get(PREFIX + "/kiriman/{transit_id}/slip.pdf")
    async def slip(request: Request, transit_id: uuid.UUID) -> Response:
        v = await staff_view(request)
        upstream = await v.client.pdf(f"/transits/{transit_id}/slip.pdf")
        return Response(
            upstream.content,
            media_type="application/pdf",
            headers={"content-disposition": upstream.headers.get("content-disposition", "inline")},
        )

    @router.get(PREFIX + "/pembayaran/{payment_id}/kuitansi.pdf")
    async def payment_receipt(request: Request, payment_id: uuid.UUID) -> Response:
        v = await view_of(request)
        if not v.roles.signed_in:
            return v.login_redirect()
        upstream = await v.client.pdf(f"/payments/{payment_id}/receipt.pdf")
        return Response(
            upstream.content,
            media_type="application/pdf",
            headers={"content-disposition": upstream.headers.get("content-disposition", "inline")},
        )

    @router.get(PREFIX + "/rak-pesanan")
    async def hold_shelf(request: Request, cabang: str = "") -> Response:
        v = await staff_view(request)
        names = await v.branch_names()
        branch = v.pick_branch(cabang, names)
        shelf = await v.client.get("/holds/shelf", branch=branch, limit=100) if branch else {"items": []}
        holds = shelf.get("items") or []
        titles = await titles_of(v, {h["record_id"] for h in holds})
        return await v.render(
            "sirkulasi/rak.html", sub="rak", branch=branch, names=names, holds=holds, titles=titles
        )

    @router.get(PREFIX + "/statistik")
    async def statistics(request: Request, dari: str = "", sampai: str = "", cabang: str = "") -> Response:
        v = await view_of(request)
        if not v.roles.signed_in:
            return v.login_redirect()
        v.require_stats()
        start, end = _period(dari, sampai)
        params: dict[str, Any] = {"from": start.isoformat(), "to": end.isoformat(), "branch": cabang or None}
        names = await v.branch_names()
        per_day, top, members = await asyncio.gather(
            v.client.get("/stats/loans-per-branch-day", **params),
            v.client.get("/stats/top-titles", **params, limit=10),
            v.client.get("/stats/active-members", **params),
        )
        rows = per_day.get("rows") or []
        titles = top.get("titles") or []
        categories = members.get("memberships_by_category") or {}
        return await v.render(
            "sirkulasi/statistik.html",
            sub="statistik",
            start=start.isoformat(),
            end=end.isoformat(),
            branch=cabang,
            names=names,
            rows=rows,
            titles=titles,
            members=members,
            per_day=loans_chart(rows, names),
            top_chart=ChartData(
                labels=tuple(t["title"] or t["record_id"] for t in titles),
                datasets=(Dataset(v.t("sir.stats.loans"), tuple(float(t["loans"]) for t in titles)),),
            ),
            members_chart=ChartData(
                labels=tuple(v.label("category", c) for c in categories),
                datasets=(Dataset(v.t("sir.stats.members"), tuple(float(n) for n in categories.values())),),
            ),
        )
