"""Every router of the deposit service, mounted at the service root."""

from __future__ import annotations

from fastapi import APIRouter

from deposit.compliance.endpoints import router as compliance_router
from deposit.depositors.endpoints import me_router
from deposit.depositors.endpoints import router as depositors_router
from deposit.deposits.endpoints import router as deposits_router
from deposit.obligations.endpoints import router as obligations_router
from deposit.rulebook.endpoints import router as rules_router
from deposit.sanctions.endpoints import router as warnings_router

router = APIRouter()
router.include_router(depositors_router)
router.include_router(me_router)
router.include_router(obligations_router)
router.include_router(deposits_router)
router.include_router(warnings_router)
router.include_router(compliance_router)
router.include_router(rules_router)
