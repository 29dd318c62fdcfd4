"""Every router of the catalog service, mounted at the service root."""

from __future__ import annotations

from fastapi import APIRouter

from catalog.branches.endpoints import router as branches_router
from catalog.copycat.endpoints import router as copycat_router
from catalog.eresources.endpoints import router as eresources_router
from catalog.imports.endpoints import router as imports_router
from catalog.items.endpoints import router as items_router
from catalog.protocols.endpoints import router as protocols_router
from catalog.reading_lists.endpoints import router as reading_lists_router
from catalog.records.endpoints import router as records_router
from catalog.reviews.endpoints import router as reviews_router
from catalog.search.endpoints import router as search_router
from catalog.special.endpoints import router as special_router
from catalog.stocktake.endpoints import router as stocktake_router

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
    stocktake_router,
    special_router,
    reviews_router,
    reading_lists_router,
):
    router.include_router(sub)
