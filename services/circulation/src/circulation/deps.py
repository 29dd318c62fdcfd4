"""FastAPI dependencies of the circulation service."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from circulation.config import CirculationSettings


async def get_settings(request: Request) -> CirculationSettings:  # async: no thread-pool hop
    return cast(CirculationSettings, request.app.state.settings)


SettingsDep = Annotated[CirculationSettings, Depends(get_settings)]
