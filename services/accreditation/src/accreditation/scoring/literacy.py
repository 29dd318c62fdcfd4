"""Literacy indicators as versioned models: TGM/TKM (reading habit) and IPLM (community literacy).

Every weight, normalisation bound and band is a parameter of a model version, because Perpusnas
revises them (IPLM changed model in 2025, Reg. 7/2025).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


def _q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ScoreBand:
    upper: Decimal  # inclusive upper bound
    label: str
    label_en: str


def band_of(bands: tuple[ScoreBand, ...], score: Decimal) -> ScoreBand:
    for band in sorted(bands, key=lambda b: b.upper):
        if score <= band.upper:
            return band
    return max(bands, key=lambda b: b.upper)


@dataclass(frozen=True)
class Normaliser:
    """Linear min–max normalisation to 0–100, clipped."""

    minimum: Decimal
    maximum: Decimal

    def __call__(self, value: Decimal) -> Decimal:
        span = self.maximum - self.minimum
        scaled = (value - self.minimum) / span * 100
        return min(Decimal(100), max(Decimal(0), scaled))


@dataclass(frozen=True)
class TgmModel:
    """TGM/TKM: 0.3·FM + 0.3·DM + 0.3·JB + 0.05·FAI + 0.05·DAI on normalised components."""

    version: str
    weights: dict[str, Decimal]  # FM, DM, JB, FAI, DAI
    normalisers: dict[str, Normaliser]
    bands: tuple[ScoreBand, ...]

    def score(self, averages: dict[str, Decimal]) -> tuple[Decimal, ScoreBand, dict[str, Decimal]]:
        """Score from the respondents' average raw answers per component."""
        missing = set(self.weights) - set(averages)
        if missing:
            raise ValueError(f"missing TGM components: {', '.join(sorted(missing))}")
        normalised = {k: self.normalisers[k](averages[k]) for k in self.weights}
        total = _q(sum((self.weights[k] * normalised[k] for k in self.weights), Decimal(0)))
        return total, band_of(self.bands, total), {k: _q(v) for k, v in normalised.items()}


TGM_BANDS = (
    ScoreBand(Decimal(20), "Sangat rendah", "Very low"),
    ScoreBand(Decimal(40), "Rendah", "Low"),
    ScoreBand(Decimal(60), "Sedang", "Medium"),
    ScoreBand(Decimal(80), "Tinggi", "High"),
    ScoreBand(Decimal(100), "Sangat tinggi", "Very high"),
)

IPLM_2025_BANDS = (
    ScoreBand(Decimal("29.99"), "Sangat rendah", "Very low"),
    ScoreBand(Decimal("49.99"), "Rendah", "Low"),
    ScoreBand(Decimal("79.99"), "Sedang", "Medium"),
    ScoreBand(Decimal("89.99"), "Tinggi", "High"),
    ScoreBand(Decimal(100), "Sangat tinggi", "Very high"),
)


@dataclass(frozen=True)
class IplmElement:
    """One UPLM element: an actual count against what the population requires, capped at 1."""

    code: str
    name: str
    per_population: Decimal  # required units per person (e.g. 1 library per 10,000 people → 0.0001)
    # What the requirement scales with: the population, or another input's value (e.g. UPLM5,
    # libraries meeting the standard, is required of every library counted by UPLM1).
    basis: str = "population"


@dataclass(frozen=True)
class IplmModel:
    version: str
    elements: tuple[IplmElement, ...]
    bands: tuple[ScoreBand, ...]

    def score(
        self, population: int, actual: dict[str, Decimal]
    ) -> tuple[Decimal, ScoreBand, dict[str, Decimal]]:
        if population <= 0:
            raise ValueError("population must be positive")
        ratios: dict[str, Decimal] = {}
        for element in self.elements:
            if element.code not in actual:
                raise ValueError(f"missing IPLM element {element.code}")
            if element.basis == "population":
                required = element.per_population * population
            elif element.basis in actual:
                required = element.per_population * actual[element.basis]
            else:
                raise ValueError(f"missing IPLM basis {element.basis} of {element.code}")
            ratios[element.code] = (
                min(Decimal(1), actual[element.code] / required) if required else Decimal(0)
            )
        index = _q(sum(ratios.values(), Decimal(0)) / len(self.elements) * 100)
        return index, band_of(self.bands, index), {k: _q(v) for k, v in ratios.items()}
