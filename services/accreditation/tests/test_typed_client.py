"""``pusip_kit.clients.accreditation.AccreditationClient`` against this service for real: the portal's
view of every response shape it reads, refusals included."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from pusip_kit.clients import StaticToken
from pusip_kit.clients.accreditation import (
    AccreditationClient,
    ActionCheck,
    Assessment,
    refusal_reasons,
)
from pusip_kit.errors import Conflict, Forbidden, Unprocessable
from pusip_kit.testing.service import ServiceClient

from .helpers import ASSESSOR, OFFICER, create_library, library_admin_of, publish_instrument

CODE = "perpustakaan-kelurahan-klien"
COUNTS = {"KOLEKSI": 2, "SARANA": 1, "PELAYANAN": 2, "TENAGA": 1, "PENYELENGGARAAN": 1, "PENGUATAN": 1}


def typed(client: ServiceClient, **claims: object) -> AccreditationClient:
    token = client.token_for(**claims) if claims else None
    return AccreditationClient(str(client.base_url), tokens=StaticToken(token), http=client)


async def test_the_portal_flow_through_the_typed_client(client: ServiceClient) -> None:
    await create_library(client, code=CODE, name="Perpustakaan Kelurahan Klien", type="umum-desa", npp=None)
    await publish_instrument(client, "umum-desa", COUNTS, evidence_required=frozenset({"KOLEKSI.1"}))
    officer = typed(client, **OFFICER)
    admin = typed(client, **library_admin_of(CODE))
    public = typed(client)

    directory = await public.public_libraries(city="jakarta-timur")
    assert [x.code for x in directory.items] == [CODE]
    assert directory.pagination.total_count == 1 and directory.items[0].grade is None

    updated = await admin.update_library(
        CODE, {"phone": "021-555-0101", "opening_hours": "Sen-Jum 08:00-15:00"}
    )
    assert updated.phone == "021-555-0101"
    assert (updated.opening_hours[0].day, updated.opening_hours[0].closes) == (1, "15:00")
    with pytest.raises(Forbidden) as refused_field:
        await admin.update_library(CODE, {"city": "jakarta-barat"})
    assert refused_field.value.code == "field_not_editable"
    with pytest.raises(Unprocessable):
        await admin.update_library(CODE, {"email": "bukan-surel"})
    staff = await admin.add_staff(CODE, {"name": "Rina", "role": "pustakawan", "library_science": True})
    profile = await admin.profile(CODE)
    assert [s.name for s in profile.staff] == ["Rina"] and profile.staff_summary["librarians"] == 1
    await admin.delete_staff(CODE, staff.id)

    created = await admin.create_assessment(CODE)
    assert created.status == "draft" and created.library_code == CODE
    with pytest.raises(Conflict) as open_already:
        await admin.create_assessment(CODE)
    assert [r.code for r in refusal_reasons(open_already.value)] == ["refuse_when_assessment_open"]

    form = await admin.form(created.id)
    assert form.editable and [c.code for c in form.components] == list(COUNTS)
    first = form.components[0].indicators[0]
    assert set(first.options) == {"a", "b", "c", "d", "e"} and first.options["a"].points == 5
    assert first.evidence_required

    check = await admin.submit(created.id, dry_run=True)
    assert isinstance(check, ActionCheck) and not check.allowed
    assert {r.code for r in check.reasons} == {
        "refuse_when_incomplete",
        "refuse_when_required_evidence_missing",
    }
    with pytest.raises(Conflict) as incomplete:
        await admin.submit(created.id)
    assert "refuse_when_incomplete" in [r.code for r in refusal_reasons(incomplete.value)]

    answers = {f"{c}.{n}": {"option": "b"} for c, k in COUNTS.items() for n in range(1, k + 1)}
    detail = await admin.save_answers(created.id, answers)
    assert detail.progress.answered == detail.progress.indicators == 8
    assert str(detail.score.total) == "80.00" and detail.score.grade == "B" and detail.score.provisional

    async def chunks() -> AsyncIterator[bytes]:
        yield b"%PDF-1.4\n"
        yield b"% bukti\n%%EOF\n"

    evidence = await admin.upload_evidence(created.id, "KOLEKSI.1", filename="bukti.pdf", content=chunks())
    assert evidence.indicator_code == "KOLEKSI.1" and evidence.filename == "bukti.pdf"
    stream = await admin.evidence_file(created.id, evidence.id)
    try:
        body = b"".join([chunk async for chunk in stream.aiter_bytes()])
    finally:
        await stream.aclose()
    assert body.startswith(b"%PDF-1.4")

    submitted = await admin.submit(created.id)
    assert isinstance(submitted, Assessment) and submitted.status == "submitted"
    returned = await officer.return_assessment(created.id, note="Lengkapi foto")
    assert isinstance(returned, Assessment) and returned.status == "returned"
    await admin.submit(created.id)
    verified = await officer.verify(created.id, assessor=ASSESSOR["username"])
    assert isinstance(verified, Assessment) and verified.assessor == ASSESSOR["username"]

    assessor = typed(client, **ASSESSOR)
    queue = await assessor.assessments(status="verified", mine=True)
    assert [a.number for a in queue.items] == [created.number]
    scored = await assessor.save_visit_scores(created.id, {"KOLEKSI.1": {"option": "a", "note": "Rapi"}})
    assert str(scored.score.total) == "82.00"  # KOLEKSI 9/10 × 20 = 18 instead of 16
    graded = await assessor.complete_visit(created.id)
    assert isinstance(graded, Assessment) and graded.grade == "B" and str(graded.total) == "82.00"
    certified = await officer.certify(created.id)
    assert isinstance(certified, Assessment) and certified.certificate_number
    pdf = await admin.certificate(created.id)
    assert pdf.content.startswith(b"%PDF") and pdf.content_type == "application/pdf"
    steps = [s.action for s in (await admin.assessment(created.id)).steps]
    assert steps == [
        "created",
        "submitted",
        "returned",
        "submitted",
        "verified",
        "visit_completed",
        "certified",
    ]

    directory = await public.public_libraries(q="klien")
    assert directory.items[0].grade == "B" and directory.items[0].accredited_until is not None

    grades = await public.dashboard("grades")
    assert grades.chart.labels[:2] == ["A", "B"] and grades.chart.datasets[0].data[1] == 1
    export = await public.dashboard_export("grades", "csv")
    assert export.content_type.startswith("text/csv") and b"TIDAK_TERAKREDITASI" in export.content
    summary = await officer.summary()
    assert summary.libraries >= 1 and summary.accredited >= 1
    activities = await public.public_activities()
    assert activities.items == [] and activities.pagination.total_count == 0
    with pytest.raises(ValueError):
        await public.dashboard("nothing")
