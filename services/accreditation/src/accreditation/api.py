"""Every router of the accreditation service, mounted at the service root."""

from __future__ import annotations

from fastapi import APIRouter

from accreditation.libraries.endpoints import router as libraries_router

router = APIRouter()
router.include_router(libraries_router)
