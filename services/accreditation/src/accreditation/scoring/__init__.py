"""Scoring as data: accreditation instruments and grades, TGM and IPLM literacy indicators."""

from accreditation.scoring.grading import (
    Band,
    Component,
    ComponentScore,
    GradeResult,
    Indicator,
    Instrument,
    grade,
)
from accreditation.scoring.literacy import IplmModel, TgmModel, band_of

__all__ = [
    "Band",
    "Component",
    "ComponentScore",
    "GradeResult",
    "Indicator",
    "Instrument",
    "IplmModel",
    "TgmModel",
    "band_of",
    "grade",
]
