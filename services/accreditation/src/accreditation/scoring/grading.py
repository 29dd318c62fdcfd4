"""Library accreditation grading against the Standar Nasional Perpustakaan (Perpusnas Reg. 2/2022).

An instrument (per library type and version) has components with weights summing to 100; each
component has indicators answered with one option a–e worth some points. A component scores
``points ÷ component maximum × weight``; the total is the sum, banded into grades. Weights, points
and bands are data on the instrument, never branches in code.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

DEFAULT_POINTS = {"a": 5, "b": 4, "c": 3, "d": 2, "e": 1}


@dataclass(frozen=True)
class Indicator:
    code: str
    text: str
    points: dict[str, int]  # option letter → points

    @property
    def maximum(self) -> int:
        return max(self.points.values())


@dataclass(frozen=True)
class Component:
    code: str
    name: str
    weight: Decimal
    indicators: tuple[Indicator, ...]

    @property
    def maximum(self) -> int:
        return sum(i.maximum for i in self.indicators)


@dataclass(frozen=True)
class Band:
    grade: str  # "A", "B", "C" or "TIDAK_TERAKREDITASI"
    minimum: Decimal  # inclusive, applied to the total rounded to two decimals
    label: str
    label_en: str


@dataclass(frozen=True)
class Instrument:
    library_type: str
    version: str
    legal_basis: str
    components: tuple[Component, ...]
    bands: tuple[Band, ...]

    def __post_init__(self) -> None:
        total = sum(c.weight for c in self.components)
        if total != Decimal(100):
            raise ValueError(f"component weights sum to {total}, not 100")
        codes = [i.code for c in self.components for i in c.indicators]
        if len(codes) != len(set(codes)):
            raise ValueError("indicator codes must be unique within an instrument")
        if not any(b.minimum == 0 for b in self.bands):
            raise ValueError("the bands need a lowest band starting at 0")


@dataclass(frozen=True)
class ComponentScore:
    code: str
    name: str
    points: int
    maximum: int
    weight: Decimal
    score: Decimal


@dataclass(frozen=True)
class GradeResult:
    components: tuple[ComponentScore, ...]
    total: Decimal
    grade: str
    label: str
    label_en: str
    unanswered: tuple[str, ...]


class AnswerError(ValueError):
    pass


def _q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def grade(instrument: Instrument, answers: dict[str, str], *, require_complete: bool = True) -> GradeResult:
    """Score ``answers`` (indicator code → option letter). Unknown codes or options are errors;
    unanswered indicators score 0 and are listed (and refused when ``require_complete``)."""
    known = {i.code: i for c in instrument.components for i in c.indicators}
    unknown = sorted(set(answers) - set(known))
    if unknown:
        raise AnswerError(f"unknown indicators: {', '.join(unknown)}")
    for code, option in answers.items():
        if option not in known[code].points:
            raise AnswerError(f"indicator {code} has no option {option!r}")
    unanswered = tuple(code for code in known if code not in answers)
    if unanswered and require_complete:
        raise AnswerError(f"unanswered indicators: {', '.join(unanswered)}")
    scores = []
    for component in instrument.components:
        points = sum(i.points[answers[i.code]] for i in component.indicators if i.code in answers)
        score = Decimal(points) / Decimal(component.maximum) * component.weight
        scores.append(
            ComponentScore(
                component.code, component.name, points, component.maximum, component.weight, _q(score)
            )
        )
    total = _q(sum((s.score for s in scores), Decimal(0)))
    band = max((b for b in instrument.bands if total >= b.minimum), key=lambda b: b.minimum)
    return GradeResult(tuple(scores), total, band.grade, band.label, band.label_en, unanswered)


SNP_BANDS = (
    Band("A", Decimal(91), "Terakreditasi A (Amat Baik)", "Accredited A (Excellent)"),
    Band("B", Decimal(76), "Terakreditasi B (Baik)", "Accredited B (Good)"),
    Band("C", Decimal(60), "Terakreditasi C (Cukup Baik)", "Accredited C (Fair)"),
    Band("TIDAK_TERAKREDITASI", Decimal(0), "Tidak terakreditasi", "Not accredited"),
)

# Component weights published for the village, sub-district and university instruments (RULES §3).
SNP_WEIGHTS = (
    ("KOLEKSI", "Koleksi", Decimal(20)),
    ("SARANA", "Sarana dan prasarana", Decimal(15)),
    ("PELAYANAN", "Pelayanan", Decimal(25)),
    ("TENAGA", "Tenaga perpustakaan", Decimal(20)),
    ("PENYELENGGARAAN", "Penyelenggaraan dan pengelolaan", Decimal(15)),
    ("PENGUATAN", "Penguatan", Decimal(5)),
)
