"""Every router of the catalog service, mounted at the service root."""

from __future__ import annotations

from fastapi import APIRouter

from catalog.branches.endpoints import router as branches_router
from catalog.copycat.endpoints import router as copycat_router
from catalog.eresources.endpoints import router as eresources_router
from catalog.imports.endpoints import router as imports_router
from catalog.items.endpoints import router as items_router
from catalog.protocols.endpoints import router as protocols_router
from catalog.records.endpoints import router as records_router
from catalog.search.endpoints import router as search_router

router = APIRouter()
for sub in (
    branches_router,
    search_router,
    records_router,
    items_router,
    eresources_router,
    imports_router,
    copycat_router,
    protocols_router,
):
    router.include_router(sub)
