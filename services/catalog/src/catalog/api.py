"""Every router of the catalog service, mounted at the service root."""

from __future__ import annotations

from fastapi import APIRouter

from catalog.branches.endpoints import router as branches_router

router = APIRouter()
router.include_router(branches_router)
