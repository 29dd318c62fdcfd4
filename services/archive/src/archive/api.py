"""Every router of the archive service, mounted at the service root."""

from __future__ import annotations

from fastapi import APIRouter

from archive.classification.endpoints import router as classification_router

router = APIRouter()
router.include_router(classification_router)
