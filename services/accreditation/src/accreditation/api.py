"""Every router of the accreditation service, mounted at the service root."""

from __future__ import annotations

from fastapi import APIRouter

from accreditation.assessments.endpoints import router as assessments_router
from accreditation.dashboard.endpoints import router as dashboard_router
from accreditation.guidance.endpoints import public_router as public_guidance_router
from accreditation.guidance.endpoints import router as guidance_router
from accreditation.instruments.endpoints import router as instruments_router
from accreditation.libraries.endpoints import public_router as public_libraries_router
from accreditation.libraries.endpoints import router as libraries_router
from accreditation.literacy.endpoints import router as literacy_router

router = APIRouter()
router.include_router(libraries_router)
router.include_router(public_libraries_router)
router.include_router(instruments_router)
router.include_router(assessments_router)
router.include_router(guidance_router)
router.include_router(public_guidance_router)
router.include_router(literacy_router)
router.include_router(dashboard_router)
