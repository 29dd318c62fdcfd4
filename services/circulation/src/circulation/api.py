"""Every router of the circulation service, mounted at the service root."""

from __future__ import annotations

from fastapi import APIRouter

from circulation.branches.endpoints import router as branches_router
from circulation.patron_categories.endpoints import router as patron_categories_router

router = APIRouter()
router.include_router(patron_categories_router)
router.include_router(branches_router)
