"""Typed client for the catalog service's public API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from pusip_kit.clients.base import ServiceClient


class Branch(BaseModel):
    """A branch of the library network as other services need it."""

    model_config = ConfigDict(extra="ignore")

    code: str
    name: str
    city: str | None = None
    active: bool = True


class BranchPage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    items: list[Branch]


class CatalogClient(ServiceClient):
    service = "catalog"

    async def get_branch(self, code: str) -> Branch:
        return await self.get_model(f"/branches/{code}", Branch)

    async def list_branches(self, *, page: int = 1, limit: int = 100) -> list[Branch]:
        page_ = await self.get_model("/branches", BranchPage, params={"page": page, "limit": limit})
        return page_.items
