"""The one call the catalogue pages make to circulation: placing a hold ("reserve")."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from pusip_kit.clients.base import ServiceClient


class Hold(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    record_id: str
    pickup_branch: str
    status: str = "waiting"
    position: int | None = None


class HoldsClient(ServiceClient):
    service = "circulation"

    async def place(
        self, record_id: str, pickup_branch: str, *, dry_run: bool = False
    ) -> Hold | dict[str, Any]:
        """Reserve a title for the signed-in patron; a dry run answers ``{allowed, reasons}``."""
        path = "/holds/dry-run" if dry_run else "/holds"
        response = await self.request(
            "POST", path, json={"record_id": record_id, "pickup_branch": pickup_branch}
        )
        body = response.json()
        return body if dry_run else Hold.model_validate(body)
