"""Page-number pagination shared by every list endpoint."""

from __future__ import annotations

import math
from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

T = TypeVar("T")

MAX_LIMIT = 100


class PaginationParams(BaseModel):
    page: int = 1
    limit: int = 20

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit


def pagination(
    page: Annotated[int, Query(ge=1, le=1_000_000, description="Halaman / page, mulai dari 1")] = 1,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Jumlah per halaman / items per page")] = 20,
) -> PaginationParams:
    return PaginationParams(page=page, limit=limit)


class PageInfo(BaseModel):
    total_count: int
    page: int
    limit: int
    max_page: int


class Page(BaseModel, Generic[T]):
    items: list[T]
    pagination: PageInfo

    @classmethod
    def of(cls, items: list[T], total: int, params: PaginationParams) -> Page[T]:
        return cls(
            items=items,
            pagination=PageInfo(
                total_count=total,
                page=params.page,
                limit=params.limit,
                max_page=max(1, math.ceil(total / params.limit)),
            ),
        )
