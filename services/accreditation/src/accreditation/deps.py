"""FastAPI dependencies of the accreditation service: the roles it knows, its store, its sessionmaker."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from accreditation.config import AccreditationSettings
from pusip_kit.auth.fastapi import authenticated, current_subject, require_roles
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.storage import ObjectStore


def get_store(request: Request) -> ObjectStore:
    store: ObjectStore = request.app.state.accreditation_store
    return store


def get_settings(request: Request) -> AccreditationSettings:
    settings: AccreditationSettings = request.app.state.settings
    return settings


def get_sessionmaker(request: Request) -> async_sessionmaker[AsyncSession]:
    maker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    return maker


StoreDep = Annotated[ObjectStore, Depends(get_store)]
SettingsDep = Annotated[AccreditationSettings, Depends(get_settings)]
SessionmakerDep = Annotated[async_sessionmaker[AsyncSession], Depends(get_sessionmaker)]

Anyone = Annotated[AuthSubject, Depends(current_subject)]
"""Anonymous callers included (public pages)."""
Reader = Annotated[AuthSubject, Depends(authenticated)]
Officer = Annotated[AuthSubject, Depends(require_roles(Role.ACCREDITATION_OFFICER))]
Staff = Annotated[
    AuthSubject, Depends(require_roles(Role.ACCREDITATION_OFFICER, Role.ASSESSOR, Role.LIBRARY_ADMIN))
]
"""Everyone who works in accreditation; services narrow library admins to their own library."""
Editor = Annotated[AuthSubject, Depends(require_roles(Role.ACCREDITATION_OFFICER, Role.LIBRARY_ADMIN))]
AssessorDep = Annotated[AuthSubject, Depends(require_roles(Role.ASSESSOR))]

DryRun = Annotated[
    bool, Query(description="Hanya periksa, jangan ubah / only check the refusals, change nothing")
]
