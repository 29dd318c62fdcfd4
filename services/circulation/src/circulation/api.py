"""Every router of the circulation service, mounted at the service root."""

from __future__ import annotations

from fastapi import APIRouter

from circulation.announcements.endpoints import router as announcements_router
from circulation.branches.endpoints import router as branches_router
from circulation.digital.endpoints import router as digital_router
from circulation.fines.endpoints import router as fines_router
from circulation.for_you.endpoints import router as for_you_router
from circulation.holds.endpoints import router as holds_router
from circulation.items.endpoints import router as items_router
from circulation.notices.endpoints import router as notices_router
from circulation.patron_categories.endpoints import router as patron_categories_router
from circulation.patrons.endpoints import router as patrons_router
from circulation.patrons.photo_endpoints import router as patron_photo_router
from circulation.policies.endpoints import router as policies_router
from circulation.sip2.accounts import router as sip2_accounts_router
from circulation.stats.endpoints import router as stats_router
from circulation.transactions.endpoints import router as transactions_router
from circulation.visits.endpoints import router as visits_router

router = APIRouter()
router.include_router(patron_categories_router)
router.include_router(branches_router)
# /patrons/me/... routes of other features come before /patrons/{card_number}.
router.include_router(transactions_router)
router.include_router(holds_router)
router.include_router(fines_router)
router.include_router(notices_router)
router.include_router(digital_router)
router.include_router(patron_photo_router)
router.include_router(patrons_router)
router.include_router(items_router)
router.include_router(policies_router)
router.include_router(sip2_accounts_router)
router.include_router(stats_router)
router.include_router(visits_router)
router.include_router(announcements_router)
router.include_router(for_you_router)
