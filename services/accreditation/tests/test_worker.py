"""The worker: the event consumer for circulation statistics and the yearly reminder on beat."""

from __future__ import annotations

from pathlib import Path

from accreditation.config import AccreditationSettings
from accreditation.literacy.events import handlers
from accreditation.tasks import REMINDERS_TASK
from accreditation.worker import make_worker
from pusip_kit.events import SUBSCRIPTIONS, unsubscribed_patterns


def test_worker_registers_consumer_and_reminders(tmp_path: Path) -> None:
    settings = AccreditationSettings(data_dir=tmp_path, environment="test")
    app = make_worker(settings)
    assert {"accreditation.events.handle", "accreditation.events.redeliver", REMINDERS_TASK} <= set(app.tasks)
    assert app.conf.beat_schedule[REMINDERS_TASK]["task"] == REMINDERS_TASK
    assert handlers.patterns == ["circulation.stats.daily"]
    assert unsubscribed_patterns("accreditation", handlers) == []
    assert "circulation.stats.*" in SUBSCRIPTIONS["accreditation"]
