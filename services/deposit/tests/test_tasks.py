"""The worker's tasks and beat schedule, and the daily job run as the worker runs it."""

from __future__ import annotations

from datetime import timedelta

from deposit.common import today_local
from deposit.tasks import daily_obligations
from deposit.worker import make_worker
from pusip_kit.tasks import dispose_worker_databases
from pusip_kit.testing.service import ServiceClient

from .helpers import PUBLISHER, create_depositor


async def test_worker_registers_tasks_and_daily_beat(client: ServiceClient) -> None:
    app = make_worker(client.settings)
    for name in (
        "deposit.deposits.publish",
        "deposit.sanctions.render_letter",
        "deposit.obligations.daily",
        "deposit.depositors.refresh_reminders",
    ):
        assert name in app.tasks
    schedule = app.conf.beat_schedule
    assert schedule["deposit.obligations.daily"]["task"] == "deposit.obligations.daily"
    assert "deposit.depositors.refresh_reminders" in schedule

    depositor = await create_depositor(client)
    await client.post(
        "/obligations",
        json={
            "depositor_id": depositor["id"],
            "kind": "karya_cetak",
            "title": "Lama Sekali",
            "published_on": (today_local() - timedelta(days=200)).isoformat(),
        },
        headers=client.bearer(**PUBLISHER),
    )
    try:
        first = await daily_obligations(client.settings)
        second = await daily_obligations(client.settings)
    finally:
        await dispose_worker_databases()
    assert first["overdue"] == 0  # declared already overdue
    assert len(first["warnings_issued"]) == 1
    assert second == {"overdue": 0, "warnings_issued": [], "warnings_resolved": 0}
