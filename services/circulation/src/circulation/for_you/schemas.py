"""The For-you answer: ``{"recommendations": [...], "announcements": [...]}``."""

from __future__ import annotations

from circulation.announcements.schemas import AnnouncementPublic
from pusip_kit.schemas import Schema


class Reason(Schema):
    """Why a title is recommended: a short code and its labels (Indonesian, English)."""

    code: str
    label: str
    label_en: str


class Recommendation(Schema):
    record_id: str
    title: str
    authors: list[str]
    year: int | None
    reason: Reason
    available_branches: list[str]


class ForYou(Schema):
    recommendations: list[Recommendation]
    announcements: list[AnnouncementPublic]
