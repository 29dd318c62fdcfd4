"""Every router of the archive service, mounted at the service root."""

from __future__ import annotations

from fastapi import APIRouter

from archive.access.endpoints import router as access_router
from archive.audit.endpoints import router as audit_router
from archive.classification.endpoints import router as classification_router
from archive.fixity.endpoints import router as fixity_router
from archive.instruments.endpoints import grounds_router
from archive.instruments.endpoints import router as instruments_router
from archive.integration.endpoints import router as integration_router
from archive.lifecycle.endpoints import router as lifecycle_router
from archive.public.endpoints import requests_router
from archive.public.endpoints import router as public_router
from archive.records.endpoints import berkas_router, holds_router
from archive.records.endpoints import router as records_router

router = APIRouter()
router.include_router(classification_router)
router.include_router(instruments_router)
router.include_router(grounds_router)
router.include_router(records_router)
router.include_router(berkas_router)
router.include_router(holds_router)
router.include_router(access_router)
router.include_router(audit_router)
router.include_router(lifecycle_router)
router.include_router(public_router)
router.include_router(requests_router)
router.include_router(integration_router)
router.include_router(fixity_router)
