"""The accreditation pages: routes, the calls they make to the service, and what they render.

Every handler builds a :class:`View` (the portal context, the signed-in user's roles and an
:class:`~pusip_kit.clients.accreditation.AccreditationClient` carrying the user's token). Writes are
POST forms with the CSRF token; after a write the browser is sent back (303) to the page with a
message, except for htmx requests, which get the updated fragment. A refused action is shown with
every named reason the service gave.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import httpx
from babel.dates import format_date, format_datetime
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response, StreamingResponse
from starlette.background import BackgroundTask
from starlette.datastructures import FormData, UploadFile

from gateway.portal.charts import ChartData, Dataset
from gateway.portal.section import (
    JAKARTA,
    Problem,
    SectionRoles,
    SectionView,
    close_with,
    field_messages,
    open_client,
    parse_date,
    text_field,
)
from pusip_kit.auth.subject import Role
from pusip_kit.clients.accreditation import (
    AccreditationClient,
    ActionCheck,
    Assessment,
    AssessmentDetail,
    FormComponent,
    refusal_reasons,
)
from pusip_kit.errors import Forbidden, NotFound, PusipError

PREFIX = "/portal/akreditasi"
SECTION = "akreditasi"
HTTP_STATE = "accreditation_http"
TIMEOUT = httpx.Timeout(30.0, connect=3.0)
PROVINCE = "dki-jakarta"

CITIES = (
    "jakarta-pusat",
    "jakarta-utara",
    "jakarta-barat",
    "jakarta-selatan",
    "jakarta-timur",
    "kepulauan-seribu",
)
TYPES = ("umum-provinsi", "umum-kota", "umum-kecamatan", "umum-desa", "sekolah", "perguruan-tinggi", "khusus")
SEGMENTS = (
    "umum",
    "rptra",
    "sekolah",
    "madrasah",
    "pesantren",
    "perguruan-tinggi",
    "khusus",
    "rumah-ibadah",
    "komunitas",
)
STATUSES = ("draft", "submitted", "returned", "verified", "graded", "certified", "cancelled")
MODES = ("akreditasi", "pengukuran-awal")
STAFF_ROLES = ("kepala", "pustakawan", "tenaga-teknis", "lainnya")
CERTIFICATION = ("belum", "proses", "bersertifikat")
KINDS = ("bimtek", "sosialisasi", "pendampingan", "workshop", "lomba", "rapat")
LEVELS = ("provinsi", "kota", "kecamatan", "kelurahan")
GRADES = ("A", "B", "C", "TIDAK_TERAKREDITASI", "BELUM")
# The dashboard's grade chart keeps the grade badges' colours (A green … not accredited red, none grey).
GRADE_COLORS = ("#1e8a4c", "#0b5563", "#e0ad31", "#c0392b", "#9aa9af")
OPTIONS = ("a", "b", "c", "d", "e")
PROFILE_FIELDS = (
    "name",
    "owner_agency",
    "head_name",
    "district",
    "village",
    "address",
    "phone",
    "email",
    "collection_size",
    "collection_titles",
    "opening_hours",
)
NUMBER_FIELDS = ("collection_size", "collection_titles")
DAYS = {
    "id": ("Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
# Messages shown after a write (``?ok=<key>``); anything else in the query is ignored.
OK_MESSAGES = frozenset(
    {
        "profile_saved",
        "confirmed",
        "staff_added",
        "staff_removed",
        "created",
        "saved",
        "evidence_uploaded",
        "evidence_deleted",
        "submitted",
        "verified",
        "returned",
        "visit_saved",
        "visit_completed",
        "certified",
    }
)
EXPORT_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# -- the view of one request ----------------------------------------------------------------------


class Roles(SectionRoles):
    @property
    def library_admin(self) -> bool:
        return bool(self.user and Role.LIBRARY_ADMIN in self.user.roles and self.user.unit)

    @property
    def officer(self) -> bool:
        return bool(self.user and self.user.has_role(Role.ACCREDITATION_OFFICER))

    @property
    def assessor(self) -> bool:
        return bool(self.user and self.user.has_role(Role.ASSESSOR))

    @property
    def staff(self) -> bool:
        return self.library_admin or self.officer or self.assessor


class View(SectionView[AccreditationClient, Roles]):
    prefix = PREFIX
    roles_type = Roles
    section = SECTION
    keys = "akr"
    ok_messages = OK_MESSAGES
    decimals = 2

    def known(self, key: str) -> bool:
        """Whether the catalogs have ``key`` (asking ``t`` would log a missing message)."""
        messages = self.portal.catalogs.messages
        return key in messages.get(self.lang, {}) or key in messages.get("id", {})

    # -- formatting helpers (also given to every template) --------------------------------------

    def label(self, kind: str, code: object) -> str:
        """A code's display name from the catalogs (``label("city", "jakarta-pusat")``)."""
        if code is None or code == "":
            return "–"
        key = f"akr.{kind}.{code}"
        return self.t(key) if self.known(key) else str(code)

    def fmt_period(self, start: datetime, end: datetime) -> str:
        """``21 Des 2026 09.00–15.00 WIB`` on one day, both ends in full otherwise."""
        a, b = start.astimezone(JAKARTA), end.astimezone(JAKARTA)
        if a.date() != b.date():
            return f"{self.fmt_datetime(start)} – {self.fmt_datetime(end)}"
        clock = "HH.mm" if self.lang == "id" else "HH:mm"
        day = format_date(a.date(), format="d MMM yyyy", locale=self.lang)
        return f"{day} {format_datetime(a, clock, locale=self.lang)}–{format_datetime(b, clock, locale=self.lang)} WIB"

    def hours(self, hours: Iterable[Any], lang: str | None = None) -> str:
        """``Sen-Jum 08:00-16:00; Sab 08:00-12:00`` (the form the service reads back)."""
        names = DAYS.get(lang or self.lang, DAYS["id"])
        entries = sorted(
            ((int(_get(h, "day")), str(_get(h, "opens")), str(_get(h, "closes"))) for h in hours),
            key=lambda e: e[0],
        )
        parts: list[str] = []
        i = 0
        while i < len(entries):
            j = i
            while (
                j + 1 < len(entries)
                and entries[j + 1][0] == entries[j][0] + 1
                and entries[j + 1][1:] == entries[i][1:]
            ):
                j += 1
            days = (
                names[entries[i][0] - 1]
                if i == j
                else f"{names[entries[i][0] - 1]}-{names[entries[j][0] - 1]}"
            )
            parts.append(f"{days} {entries[i][1]}-{entries[i][2]}")
            i = j + 1
        return "; ".join(parts)

    def problem(self, error: PusipError) -> Problem:
        reasons = [self.reason(r) for r in refusal_reasons(error)]
        fields = field_messages(error)
        details = error.details
        if isinstance(details, Mapping) and isinstance(details.get("problems"), list):
            for item in details["problems"]:
                if isinstance(item, Mapping):
                    text = item.get("message_en" if self.lang == "en" else "message") or ""
                    fields[str(item.get("indicator") or "")] = str(text)
        key = f"error.{error.code}"
        if reasons:
            message = self.t("akr.refusal.title")
        else:
            message = self.t(key) if self.known(key) else self.message(error)
        return Problem(message=message, code=error.code, reasons=reasons, fields=fields)

    def check(self, result: ActionCheck | Assessment | None) -> list[dict[str, Any]]:
        """The reasons of a dry run (empty when the action would go through)."""
        if isinstance(result, ActionCheck):
            return [self.reason(r) for r in result.reasons]
        return []

    def helpers(self) -> dict[str, Any]:
        return {
            "fperiod": self.fmt_period,
            "num": self.num,
            "hours": self.hours,
            "today": datetime.now(JAKARTA).date().isoformat(),
            "options": OPTIONS,
        }

    def require(self, allowed: bool) -> None:
        if not allowed:
            raise Forbidden(
                "Halaman ini bukan untuk peran Anda", "This page is not for your role", code="missing_role"
            )


def _get(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, Mapping) else getattr(item, name)


async def view_of(request: Request) -> View:
    portal, ctx, client = await open_client(
        request, AccreditationClient, "accreditation", HTTP_STATE, TIMEOUT
    )
    return View(request, portal, ctx, client)


# -- chart data -----------------------------------------------------------------------------------


def component_chart(v: View, detail: AssessmentDetail) -> ChartData:
    components = detail.score.components
    return ChartData(
        tuple(c.name or c.code for c in components),
        (
            Dataset(v.t("akr.score.score"), tuple(float(c.score) for c in components)),
            Dataset(v.t("akr.score.weight"), tuple(float(c.weight) for c in components)),
        ),
    )


def literacy_rows(rows: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    """Dashboard rows ``[year, area, tgm, tgm_band, respondents, iplm, iplm_band]`` as dicts."""
    out = []
    for row in rows:
        if len(row) < 7:
            continue
        year, area, tgm, tgm_band, respondents, iplm, iplm_band = row[:7]
        out.append(
            {
                "year": int(year),
                "area": str(area),
                "tgm": tgm,
                "tgm_band": tgm_band,
                "respondents": respondents,
                "iplm": iplm,
                "iplm_band": iplm_band,
            }
        )
    return out


def literacy_by_area(v: View, rows: list[dict[str, Any]], year: int, field: str) -> ChartData:
    areas = [*CITIES, PROVINCE]
    values = {r["area"]: r[field] for r in rows if r["year"] == year}
    shown = [a for a in areas if values.get(a) is not None]
    return ChartData(
        tuple(v.label("city", a) for a in shown),
        (Dataset(str(year), tuple(float(values[a]) for a in shown)),),
    )


def literacy_by_year(v: View, rows: list[dict[str, Any]], field: str) -> ChartData:
    years = sorted({r["year"] for r in rows})
    areas = [a for a in (*CITIES, PROVINCE) if any(r["area"] == a and r[field] is not None for r in rows)]
    table = {(r["year"], r["area"]): r[field] for r in rows}
    return ChartData(
        tuple(str(y) for y in years),
        tuple(
            Dataset(
                v.label("city", a),
                tuple(None if table.get((y, a)) is None else float(table[(y, a)]) for y in years),
            )
            for a in areas
        ),
    )


# -- routes -----------------------------------------------------------------------------------------


def register_pages(app: FastAPI) -> APIRouter:
    """The router with every page; also closes the pages' HTTP client when the gateway stops."""
    close_with(app, HTTP_STATE)
    return build_router()


def build_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    # -- the section's home ---------------------------------------------------------------------

    @router.get(PREFIX)
    async def index(request: Request) -> Response:
        v = await view_of(request)
        summary = None
        counts: dict[str, int] = {}
        if v.roles.staff:
            with contextlib.suppress(PusipError):
                summary = await v.client.summary()
            with contextlib.suppress(PusipError):
                if v.roles.officer:
                    counts["submitted"] = (
                        await v.client.assessments(status="submitted", limit=1)
                    ).pagination.total_count
                    counts["graded"] = (
                        await v.client.assessments(status="graded", limit=1)
                    ).pagination.total_count
                if v.roles.assessor:
                    counts["verified"] = (
                        await v.client.assessments(status="verified", limit=1)
                    ).pagination.total_count
        return await v.render("akreditasi/index.html", sub="home", summary=summary, counts=counts)

    # -- the public directory --------------------------------------------------------------------

    @router.get(f"{PREFIX}/perpustakaan")
    async def directory(
        request: Request,
        q: str = "",
        city: str = "",
        type: str = "",
        segment: str = "",
        page: int = 1,
    ) -> Response:
        v = await view_of(request)
        filters = {
            "q": q.strip()[:200],
            "city": city if city in CITIES else "",
            "type": type if type in TYPES else "",
            "segment": segment if segment in SEGMENTS else "",
        }
        result = await v.client.public_libraries(
            q=filters["q"] or None,
            city=filters["city"] or None,
            type=filters["type"] or None,
            segment=filters["segment"] or None,
            page=max(page, 1),
            limit=20,
        )
        query = {k: val for k, val in filters.items() if val}
        return await v.render(
            "akreditasi/perpustakaan.html",
            sub="directory",
            result=result,
            filters=filters,
            query=urlencode(query),
            cities=CITIES,
            types=TYPES,
            segments=SEGMENTS,
        )

    @router.get(f"{PREFIX}/perpustakaan/{{code}}")
    async def library_page(request: Request, code: str) -> Response:
        v = await view_of(request)
        if not v.roles.signed_in:
            return v.login_redirect()
        if v.roles.library_admin and v.roles.unit == code:
            return v.redirect("/perpustakaan-saya")
        profile = await v.client.profile(code)
        assessments = None
        if v.roles.officer or v.roles.assessor:
            assessments = await v.client.assessments(library=code, limit=50)
        return await v.render(
            "akreditasi/profil.html",
            sub="directory",
            profile=profile,
            assessments=assessments,
            editable=False,
        )

    # -- the library admin's own library ---------------------------------------------------------

    async def own_profile(v: View, *, status_code: int = 200, **values: Any) -> Response:
        unit = v.roles.unit
        assert unit is not None
        profile = await v.client.profile(unit)
        form = values.pop("form", None) or {
            **{
                name: getattr(profile.library, name) or ""
                for name in PROFILE_FIELDS
                if name != "opening_hours"
            },
            "opening_hours": v.hours(profile.library.opening_hours, "id"),
        }
        return await v.render(
            "akreditasi/profil.html",
            status_code=status_code,
            sub="mine",
            profile=profile,
            editable=True,
            form=form,
            staff_roles=STAFF_ROLES,
            certification=CERTIFICATION,
            **values,
        )

    @router.get(f"{PREFIX}/perpustakaan-saya")
    async def my_library(request: Request) -> Response:
        v = await view_of(request)
        if not v.roles.signed_in:
            return v.login_redirect()
        v.require(v.roles.library_admin)
        return await own_profile(v)

    @router.post(f"{PREFIX}/perpustakaan-saya")
    async def save_my_library(request: Request) -> Response:
        v = await view_of(request)
        v.require(v.roles.library_admin)
        form = await v.form()
        unit = v.roles.unit
        assert unit is not None
        current = await v.client.library(unit)
        submitted = {name: text_field(form, name) for name in PROFILE_FIELDS}
        changes: dict[str, Any] = {}
        for name, value in submitted.items():
            if name == "opening_hours":
                if value != v.hours(current.opening_hours, "id"):
                    changes[name] = value
                continue
            if name in NUMBER_FIELDS:
                try:
                    number: int | str = int(value.replace(".", "").replace(",", "")) if value else 0
                except ValueError:
                    number = value  # the service names the problem
                if number != getattr(current, name):
                    changes[name] = number
                continue
            old = getattr(current, name) or ""
            if value != old:
                changes[name] = value or None
        if changes:
            try:
                await v.client.update_library(unit, changes)
            except PusipError as exc:
                return await own_profile(
                    v, status_code=exc.status_code, problem=v.problem(exc), form=submitted
                )
        return v.redirect("/perpustakaan-saya", ok="profile_saved")

    @router.post(f"{PREFIX}/perpustakaan-saya/konfirmasi")
    async def confirm_my_library(request: Request) -> Response:
        v = await view_of(request)
        v.require(v.roles.library_admin)
        await v.form()
        assert v.roles.unit is not None
        await v.client.confirm_library(v.roles.unit)
        return v.redirect("/perpustakaan-saya", ok="confirmed")

    @router.post(f"{PREFIX}/perpustakaan-saya/tenaga")
    async def add_my_staff(request: Request) -> Response:
        v = await view_of(request)
        v.require(v.roles.library_admin)
        form = await v.form()
        assert v.roles.unit is not None
        data: dict[str, Any] = {
            "name": text_field(form, "staff_name"),
            "role": text_field(form, "staff_role") or "lainnya",
            "employment": text_field(form, "staff_employment") or None,
            "education": text_field(form, "staff_education") or None,
            "library_science": form.get("staff_library_science") == "1",
            "certification_status": text_field(form, "staff_certification") or "belum",
        }
        try:
            await v.client.add_staff(v.roles.unit, {k: val for k, val in data.items() if val is not None})
        except PusipError as exc:
            return await own_profile(
                v, status_code=exc.status_code, staff_problem=v.problem(exc), staff_form=data
            )
        return v.redirect("/perpustakaan-saya", ok="staff_added", anchor="tenaga")

    @router.post(f"{PREFIX}/perpustakaan-saya/tenaga/{{staff_id}}/hapus")
    async def remove_my_staff(request: Request, staff_id: uuid.UUID) -> Response:
        v = await view_of(request)
        v.require(v.roles.library_admin)
        await v.form()
        assert v.roles.unit is not None
        await v.client.delete_staff(v.roles.unit, staff_id)
        return v.redirect("/perpustakaan-saya", ok="staff_removed", anchor="tenaga")

    # -- assessments: lists ------------------------------------------------------------------------

    @router.get(f"{PREFIX}/penilaian")
    async def assessments(
        request: Request, status: str = "", year: int | None = None, page: int = 1
    ) -> Response:
        v = await view_of(request)
        if not v.roles.signed_in:
            return v.login_redirect()
        v.require(v.roles.staff)
        status = status if status in STATUSES else ""
        result = await v.client.assessments(status=status or None, year=year, page=max(page, 1), limit=20)
        current: AssessmentDetail | None = None
        can_start = False
        if v.roles.library_admin:
            own = (await v.client.assessments(library=v.roles.unit, limit=100)).items
            open_ = [a for a in own if a.status in ("draft", "returned", "submitted", "verified")]
            can_start = not any(a.mode == "akreditasi" for a in open_)
            if open_:
                current = await v.client.assessment(open_[0].id)
        return await v.render(
            "akreditasi/penilaian.html",
            sub="assessments",
            result=result,
            status=status,
            year=year,
            statuses=STATUSES,
            modes=MODES,
            can_start=can_start,
            current=current,
            query=urlencode({k: val for k, val in {"status": status, "year": year or ""}.items() if val}),
            problem=None,
        )

    @router.post(f"{PREFIX}/penilaian/baru")
    async def start_assessment(request: Request) -> Response:
        v = await view_of(request)
        v.require(v.roles.library_admin or v.roles.officer)
        form = await v.form()
        library = v.roles.unit if v.roles.library_admin else text_field(form, "library")
        mode = text_field(form, "mode") if text_field(form, "mode") in MODES else "akreditasi"
        try:
            created = await v.client.create_assessment(library or "", mode=mode)
        except PusipError as exc:
            result = await v.client.assessments(limit=20)
            return await v.render(
                "akreditasi/penilaian.html",
                status_code=exc.status_code,
                sub="assessments",
                result=result,
                status="",
                year=None,
                statuses=STATUSES,
                modes=MODES,
                can_start=True,
                current=None,
                query="",
                problem=v.problem(exc),
            )
        return v.redirect(f"/penilaian/{created.id}/isi", ok="created")

    async def queue(
        request: Request, template: str, sub: str, statuses: Sequence[str], allowed: Callable[[Roles], bool]
    ) -> Response:
        v = await view_of(request)
        if not v.roles.signed_in:
            return v.login_redirect()
        v.require(allowed(v.roles))
        lists = {s: await v.client.assessments(status=s, limit=100) for s in statuses}
        return await v.render(template, sub=sub, lists=lists)

    @router.get(f"{PREFIX}/antrean")
    async def officer_queue(request: Request) -> Response:
        return await queue(
            request, "akreditasi/antrean.html", "queue", ("submitted", "graded"), lambda r: r.officer
        )

    @router.get(f"{PREFIX}/visitasi")
    async def assessor_queue(request: Request) -> Response:
        return await queue(
            request, "akreditasi/visitasi_antrean.html", "visits", ("verified",), lambda r: r.assessor
        )

    # -- one assessment -----------------------------------------------------------------------------

    async def detail_page(
        v: View,
        assessment_id: uuid.UUID,
        *,
        status_code: int = 200,
        problem: Problem | None = None,
        action: str = "",
    ) -> Response:
        detail = await v.client.assessment(assessment_id)
        a = detail.assessment
        roles = v.roles
        manages = roles.library_admin and roles.unit == a.library_code
        checks: dict[str, list[dict[str, Any]]] = {}
        with contextlib.suppress(PusipError):
            if (manages or roles.officer) and a.status in ("draft", "returned"):
                checks["submit"] = v.check(await v.client.submit(a.id, dry_run=True))
            if roles.officer and a.status == "submitted":
                checks["verify"] = v.check(await v.client.verify(a.id, dry_run=True))
            if roles.assessor and a.status == "verified":
                checks["complete_visit"] = v.check(await v.client.complete_visit(a.id, dry_run=True))
            if roles.officer and a.status == "graded" and a.mode == "akreditasi":
                checks["certify"] = v.check(await v.client.certify(a.id, dry_run=True))
        return await v.render(
            "akreditasi/penilaian_detail.html",
            status_code=status_code,
            sub="assessments",
            detail=detail,
            a=a,
            manages=manages,
            checks=checks,
            problem=problem,
            action=action,
            score_chart=component_chart(v, detail),
            flow=("draft", "submitted", "verified", "graded", "certified")
            if a.mode == "akreditasi"
            else ("draft", "graded"),
        )

    @router.get(f"{PREFIX}/penilaian/{{assessment_id}}")
    async def assessment_page(request: Request, assessment_id: uuid.UUID) -> Response:
        v = await view_of(request)
        if not v.roles.signed_in:
            return v.login_redirect()
        return await detail_page(v, assessment_id)

    async def act(
        request: Request,
        assessment_id: uuid.UUID,
        action: str,
        ok: str,
        call: Callable[[View, FormData], Any],
        *,
        back: str = "",
    ) -> Response:
        v = await view_of(request)
        if not v.roles.signed_in:
            return v.login_redirect()
        form = await v.form()
        try:
            await call(v, form)
        except PusipError as exc:
            if isinstance(exc, NotFound):
                raise
            return await detail_page(
                v, assessment_id, status_code=exc.status_code, problem=v.problem(exc), action=action
            )
        return v.redirect(f"/penilaian/{assessment_id}{back}", ok=ok)

    @router.post(f"{PREFIX}/penilaian/{{assessment_id}}/ajukan")
    async def submit(request: Request, assessment_id: uuid.UUID) -> Response:
        return await act(
            request, assessment_id, "submit", "submitted", lambda v, f: v.client.submit(assessment_id)
        )

    @router.post(f"{PREFIX}/penilaian/{{assessment_id}}/verifikasi")
    async def verify(request: Request, assessment_id: uuid.UUID) -> Response:
        async def call(v: View, form: FormData) -> Any:
            return await v.client.verify(
                assessment_id,
                note=text_field(form, "note") or None,
                assessor=text_field(form, "assessor") or None,
                visit_date=parse_date(text_field(form, "visit_date")),
            )

        return await act(request, assessment_id, "verify", "verified", call)

    @router.post(f"{PREFIX}/penilaian/{{assessment_id}}/kembalikan")
    async def return_(request: Request, assessment_id: uuid.UUID) -> Response:
        async def call(v: View, form: FormData) -> Any:
            return await v.client.return_assessment(assessment_id, note=text_field(form, "note") or None)

        return await act(request, assessment_id, "return", "returned", call)

    @router.post(f"{PREFIX}/penilaian/{{assessment_id}}/visitasi-selesai")
    async def complete_visit(request: Request, assessment_id: uuid.UUID) -> Response:
        async def call(v: View, form: FormData) -> Any:
            return await v.client.complete_visit(
                assessment_id,
                note=text_field(form, "note") or None,
                visit_date=parse_date(text_field(form, "visit_date")),
            )

        return await act(request, assessment_id, "complete_visit", "visit_completed", call)

    @router.post(f"{PREFIX}/penilaian/{{assessment_id}}/sertifikasi")
    async def certify(request: Request, assessment_id: uuid.UUID) -> Response:
        async def call(v: View, form: FormData) -> Any:
            return await v.client.certify(
                assessment_id,
                note=text_field(form, "note") or None,
                certified_on=parse_date(text_field(form, "certified_on")),
            )

        return await act(request, assessment_id, "certify", "certified", call)

    @router.get(f"{PREFIX}/penilaian/{{assessment_id}}/sertifikat.pdf")
    async def certificate(request: Request, assessment_id: uuid.UUID) -> Response:
        v = await view_of(request)
        if not v.roles.signed_in:
            return v.login_redirect()
        pdf = await v.client.certificate(assessment_id)
        headers = {"cache-control": "no-store"}
        if pdf.content_disposition:
            headers["content-disposition"] = pdf.content_disposition
        return Response(pdf.content, media_type="application/pdf", headers=headers)

    # -- the self-assessment form --------------------------------------------------------------------

    async def form_page(v: View, assessment_id: uuid.UUID, template: str, sub: str) -> Response:
        form = await v.client.form(assessment_id)
        detail = await v.client.assessment(assessment_id)
        return await v.render(
            template, sub=sub, form=form, detail=detail, a=form.assessment, problems={}, saved=None
        )

    @router.get(f"{PREFIX}/penilaian/{{assessment_id}}/isi")
    async def fill(request: Request, assessment_id: uuid.UUID) -> Response:
        v = await view_of(request)
        if not v.roles.signed_in:
            return v.login_redirect()
        return await form_page(v, assessment_id, "akreditasi/isi.html", "assessments")

    @router.get(f"{PREFIX}/penilaian/{{assessment_id}}/visitasi")
    async def visit(request: Request, assessment_id: uuid.UUID) -> Response:
        v = await view_of(request)
        if not v.roles.signed_in:
            return v.login_redirect()
        v.require(v.roles.assessor)
        return await form_page(v, assessment_id, "akreditasi/visitasi.html", "visits")

    def answers_of(form: FormData, component: FormComponent) -> dict[str, dict[str, Any]]:
        answers: dict[str, dict[str, Any]] = {}
        for indicator in component.indicators:
            option = text_field(form, f"opt-{indicator.code}")
            note = text_field(form, f"note-{indicator.code}")
            if option in OPTIONS:
                answers[indicator.code] = {"option": option, "note": note or None}
        return answers

    async def save_component(
        request: Request, assessment_id: uuid.UUID, code: str, *, visit: bool
    ) -> Response:
        v = await view_of(request)
        if not v.roles.signed_in:
            return v.login_redirect()
        posted = await v.form()
        current = await v.client.form(assessment_id)
        component = next((c for c in current.components if c.code == code), None)
        if component is None:
            raise NotFound(
                "Komponen tidak ada dalam instrumen", "No such component", code="component_not_found"
            )
        answers = answers_of(posted, component)
        problem: Problem | None = None
        if not answers:
            problem = Problem(message=v.t("akr.form.nothing"), code="nothing_to_save", reasons=[], fields={})
        else:
            try:
                if visit:
                    await v.client.save_visit_scores(assessment_id, answers)
                else:
                    await v.client.save_answers(assessment_id, answers)
            except PusipError as exc:
                problem = v.problem(exc)
        if not v.htmx:
            if problem is None:
                page = "visitasi" if visit else "isi"
                return v.redirect(
                    f"/penilaian/{assessment_id}/{page}",
                    ok="visit_saved" if visit else "saved",
                    anchor=f"komponen-{code}",
                )
            detail = await v.client.assessment(assessment_id)
            return await v.render(
                "akreditasi/visitasi.html" if visit else "akreditasi/isi.html",
                status_code=problem_status(problem),
                sub="visits" if visit else "assessments",
                form=current,
                detail=detail,
                a=current.assessment,
                problems={code: problem},
                saved=None,
            )
        fresh = await v.client.form(assessment_id) if problem is None else current
        detail = await v.client.assessment(assessment_id)
        component = next(c for c in fresh.components if c.code == code)
        return await v.render(
            "akreditasi/_visit_component.html" if visit else "akreditasi/_component.html",
            form=fresh,
            detail=detail,
            a=fresh.assessment,
            component=component,
            problems={code: problem} if problem else {},
            saved=None if problem else (code, len(answers)),
            oob=True,
        )

    def problem_status(problem: Problem) -> int:
        return 409 if problem.reasons else 422

    @router.post(f"{PREFIX}/penilaian/{{assessment_id}}/komponen/{{code}}")
    async def save_self(request: Request, assessment_id: uuid.UUID, code: str) -> Response:
        return await save_component(request, assessment_id, code, visit=False)

    @router.post(f"{PREFIX}/penilaian/{{assessment_id}}/visitasi/{{code}}")
    async def save_visit(request: Request, assessment_id: uuid.UUID, code: str) -> Response:
        return await save_component(request, assessment_id, code, visit=True)

    # -- evidence ------------------------------------------------------------------------------------

    @router.post(f"{PREFIX}/penilaian/{{assessment_id}}/bukti")
    async def upload(request: Request, assessment_id: uuid.UUID) -> Response:
        v = await view_of(request)
        if not v.roles.signed_in:
            return v.login_redirect()
        form = await v.form()
        indicator = text_field(form, "indicator")
        upload = form.get("file")
        component = indicator.split(".")[0]
        if not isinstance(upload, UploadFile) or not upload.filename:
            return v.redirect(f"/penilaian/{assessment_id}/isi", anchor=f"komponen-{component}")

        async def chunks() -> AsyncIterator[bytes]:
            while chunk := await upload.read(256 * 1024):
                yield chunk

        try:
            await v.client.upload_evidence(
                assessment_id,
                indicator,
                filename=upload.filename,
                content=chunks(),
                content_type=upload.content_type or "application/octet-stream",
            )
        except PusipError as exc:
            current = await v.client.form(assessment_id)
            detail = await v.client.assessment(assessment_id)
            return await v.render(
                "akreditasi/isi.html",
                status_code=exc.status_code,
                sub="assessments",
                form=current,
                detail=detail,
                a=current.assessment,
                problems={component: v.problem(exc)},
                saved=None,
            )
        finally:
            await form.close()
        return v.redirect(
            f"/penilaian/{assessment_id}/isi", ok="evidence_uploaded", anchor=f"komponen-{component}"
        )

    @router.get(f"{PREFIX}/penilaian/{{assessment_id}}/bukti/{{evidence_id}}")
    async def evidence(request: Request, assessment_id: uuid.UUID, evidence_id: uuid.UUID) -> Response:
        v = await view_of(request)
        if not v.roles.signed_in:
            return v.login_redirect()
        upstream = await v.client.evidence_file(assessment_id, evidence_id)
        headers = {"cache-control": "no-store", "x-content-type-options": "nosniff"}
        for name in ("content-disposition", "content-length"):
            if name in upstream.headers:
                headers[name] = upstream.headers[name]
        return StreamingResponse(
            upstream.aiter_bytes(),
            media_type=upstream.headers.get("content-type", "application/octet-stream"),
            headers=headers,
            background=BackgroundTask(upstream.aclose),
        )

    @router.post(f"{PREFIX}/penilaian/{{assessment_id}}/bukti/{{evidence_id}}/hapus")
    async def delete_evidence(request: Request, assessment_id: uuid.UUID, evidence_id: uuid.UUID) -> Response:
        v = await view_of(request)
        if not v.roles.signed_in:
            return v.login_redirect()
        form = await v.form()
        await v.client.delete_evidence(assessment_id, evidence_id)
        component = text_field(form, "indicator").split(".")[0]
        return v.redirect(
            f"/penilaian/{assessment_id}/isi", ok="evidence_deleted", anchor=f"komponen-{component}"
        )

    # -- guidance, literacy, dashboard -----------------------------------------------------------------

    @router.get(f"{PREFIX}/kegiatan")
    async def activities(
        request: Request, city: str = "", segment: str = "", kind: str = "", page: int = 1
    ) -> Response:
        v = await view_of(request)
        filters = {
            "city": city if city in CITIES else "",
            "segment": segment if segment in SEGMENTS else "",
            "kind": kind if kind in KINDS else "",
        }
        result = await v.client.public_activities(
            city=filters["city"] or None,
            segment=filters["segment"] or None,
            kind=filters["kind"] or None,
            page=max(page, 1),
            limit=20,
        )
        query = urlencode({k: val for k, val in filters.items() if val})
        return await v.render(
            "akreditasi/kegiatan.html",
            sub="activities",
            result=result,
            filters=filters,
            query=query,
            cities=CITIES,
            segments=SEGMENTS,
            kinds=KINDS,
            calendar_url="/api/accreditation/public/guidance/calendar.ics" + (f"?{query}" if query else ""),
        )

    @router.get(f"{PREFIX}/literasi")
    async def literacy(request: Request, year: int | None = None) -> Response:
        v = await view_of(request)
        table = await v.client.dashboard("literacy")
        rows = literacy_rows(table.rows)
        years = sorted({r["year"] for r in rows}, reverse=True)
        chosen = year if year in years else (years[0] if years else None)
        charts: dict[str, ChartData] = {}
        if chosen is not None:
            charts["tgm"] = literacy_by_area(v, rows, chosen, "tgm")
            charts["iplm"] = literacy_by_area(v, rows, chosen, "iplm")
        if len(years) > 1:
            charts["tgm_years"] = literacy_by_year(v, rows, "tgm")
            charts["iplm_years"] = literacy_by_year(v, rows, "iplm")
        areas = [*CITIES, PROVINCE]
        shown = sorted(
            (r for r in rows if r["year"] == chosen),
            key=lambda r: areas.index(r["area"]) if r["area"] in areas else len(areas),
        )
        return await v.render(
            "akreditasi/literasi.html", sub="literacy", years=years, year=chosen, rows=shown, charts=charts
        )

    @router.get(f"{PREFIX}/dasbor")
    async def dashboard(request: Request) -> Response:
        v = await view_of(request)
        libraries = await v.client.dashboard("libraries")
        grades = await v.client.dashboard("grades")
        literacy_table = await v.client.dashboard("literacy")
        progress = None
        summary = None
        if v.roles.staff:
            with contextlib.suppress(PusipError):
                progress = await v.client.dashboard("assessments")
                summary = await v.client.summary()
        rows = literacy_rows(literacy_table.rows)
        years = sorted({r["year"] for r in rows})
        charts: dict[str, ChartData] = {
            "libraries": ChartData.of(libraries.chart).relabel(
                lambda c: v.label("city", c), lambda s: v.label("type", s)
            ),
            "grades": ChartData.of(grades.chart).relabel(
                lambda g: v.label("grade", g), lambda s: v.t("akr.dash.count")
            ),
        }
        if progress is not None:
            charts["assessments"] = ChartData.of(progress.chart).relabel(
                lambda s: v.label("status", s), lambda m: v.label("mode", m)
            )
        if years:
            charts["tgm"] = by_area_and_year(v, rows, years, "tgm")
            charts["iplm"] = by_area_and_year(v, rows, years, "iplm")
        return await v.render(
            "akreditasi/dasbor.html",
            sub="dashboard",
            charts=charts,
            summary=summary,
            grade_colors=GRADE_COLORS,
            exports=[
                name
                for name in ("libraries", "grades", "assessments", "literacy")
                if name != "assessments" or progress
            ],
            formats=tuple(EXPORT_TYPES),
        )

    @router.get(f"{PREFIX}/dasbor/ekspor/{{name}}.{{fmt}}")
    async def export(request: Request, name: str, fmt: str) -> Response:
        v = await view_of(request)
        if name not in ("libraries", "grades", "assessments", "literacy") or fmt not in EXPORT_TYPES:
            raise NotFound("Ekspor tidak dikenal", "Unknown export", code="not_found")
        if name == "assessments" and not v.roles.staff:
            if not v.roles.signed_in:
                return v.login_redirect()
            v.require(False)
        download = await v.client.dashboard_export(name, fmt)
        disposition = download.content_disposition or f'attachment; filename="dasbor-{name}.{fmt}"'
        return Response(
            download.content,
            media_type=EXPORT_TYPES[fmt],
            headers={"content-disposition": disposition, "cache-control": "no-store"},
        )

    return router


def by_area_and_year(v: View, rows: list[dict[str, Any]], years: Sequence[int], field: str) -> ChartData:
    """One group per area (cities, then the province), one bar per year."""
    areas = [a for a in (*CITIES, PROVINCE) if any(r["area"] == a and r[field] is not None for r in rows)]
    table = {(r["year"], r["area"]): r[field] for r in rows}
    return ChartData(
        tuple(v.label("city", a) for a in areas),
        tuple(
            Dataset(str(y), tuple(None if table.get((y, a)) is None else float(table[(y, a)]) for a in areas))
            for y in years
        ),
    )


__all__ = ["PREFIX", "View", "build_router", "register_pages", "view_of"]
