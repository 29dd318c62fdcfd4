"""FastAPI dependencies of the catalogue: its runtime (index, stores) and the roles it knows."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catalog.runtime import CatalogRuntime
from pusip_kit.auth.fastapi import current_subject, require_roles
from pusip_kit.auth.subject import AuthSubject, Role


def get_runtime(request: Request) -> CatalogRuntime:
    runtime: CatalogRuntime = request.app.state.catalog_runtime
    return runtime


def get_sessionmaker(request: Request) -> async_sessionmaker[AsyncSession]:
    maker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    return maker


RuntimeDep = Annotated[CatalogRuntime, Depends(get_runtime)]
SessionmakerDep = Annotated[async_sessionmaker[AsyncSession], Depends(get_sessionmaker)]
Anyone = Annotated[AuthSubject, Depends(current_subject)]
Staff = Annotated[AuthSubject, Depends(require_roles(Role.CATALOGER, Role.LIBRARIAN))]
"""Cataloguers, librarians and administrators (administrators hold every role)."""
