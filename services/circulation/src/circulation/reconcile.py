"""``pusip reconcile --service circulation``: the outbox (circulation keeps no index and no objects).

Loans, holds and fines are one local transaction each; what can drift is only the events they emit
for the catalog's availability and the notices — rows not yet relayed to the broker.
"""

from __future__ import annotations

from circulation.config import CirculationSettings
from pusip_kit.reconcile import ReconcileOptions, ServiceReport, outbox_check, service_sessionmaker


async def reconcile(settings: CirculationSettings, options: ReconcileOptions) -> ServiceReport:
    report = ServiceReport("circulation")
    async with service_sessionmaker(settings) as sessionmaker:
        await outbox_check(report, settings, sessionmaker, options)
    return report
