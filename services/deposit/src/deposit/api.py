"""Every router of the deposit service, mounted at the service root."""

from __future__ import annotations

from fastapi import APIRouter

from deposit.depositors.endpoints import router as depositors_router

router = APIRouter()
router.include_router(depositors_router)
