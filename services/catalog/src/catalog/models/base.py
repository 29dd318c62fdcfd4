from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from pusip_kit.db import new_metadata


class Base(DeclarativeBase):
    metadata = new_metadata()
