"""From instrument rows to the scoring objects of :mod:`accreditation.scoring`."""

from __future__ import annotations

from decimal import Decimal

from accreditation.models import Instrument
from accreditation.scoring import Band, Component, Indicator
from accreditation.scoring import Instrument as ScoringInstrument


def bands_of(rows: list[dict[str, str]]) -> tuple[Band, ...]:
    return tuple(
        Band(str(b["grade"]), Decimal(str(b["minimum"])), str(b["label"]), str(b["label_en"])) for b in rows
    )


def points_of(options: dict[str, dict[str, object]]) -> dict[str, int]:
    return {letter: int(str(option["points"])) for letter, option in sorted(options.items())}


def to_scoring(instrument: Instrument) -> ScoringInstrument:
    """The scoring instrument; ``instrument.components`` and their indicators must be loaded.

    Raises ``ValueError`` when the data do not make a valid instrument (weights not summing to
    100, duplicate codes, no lowest band) or a component has no indicator.
    """
    components = []
    for component in instrument.components:
        if not component.indicators:
            raise ValueError(f"component {component.code} has no indicators")
        components.append(
            Component(
                component.code,
                component.name,
                Decimal(component.weight).quantize(Decimal("0.01")),
                tuple(Indicator(i.code, i.text, points_of(i.options)) for i in component.indicators),
            )
        )
    return ScoringInstrument(
        library_type=instrument.library_type,
        version=instrument.version,
        legal_basis=instrument.legal_basis,
        components=tuple(components),
        bands=bands_of(instrument.bands),
    )
