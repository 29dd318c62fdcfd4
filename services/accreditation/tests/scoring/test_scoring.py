from decimal import Decimal

import pytest

from accreditation.scoring import Component, Indicator, Instrument, grade
from accreditation.scoring.grading import DEFAULT_POINTS, SNP_BANDS, SNP_WEIGHTS, AnswerError
from accreditation.scoring.literacy import (
    IPLM_2025_BANDS,
    TGM_BANDS,
    IplmElement,
    IplmModel,
    Normaliser,
    TgmModel,
)


def village_instrument(per_component: int = 4) -> Instrument:
    return Instrument(
        library_type="umum-desa",
        version="2022",
        legal_basis="Perpusnas Reg. 2/2022",
        components=tuple(
            Component(
                code,
                name,
                weight,
                tuple(
                    Indicator(f"{code}.{n}", f"Indikator {n}", dict(DEFAULT_POINTS))
                    for n in range(1, per_component + 1)
                ),
            )
            for code, name, weight in SNP_WEIGHTS
        ),
        bands=SNP_BANDS,
    )


def answers(instrument: Instrument, choice: dict[str, list[str]]) -> dict[str, str]:
    return {i.code: choice[c.code][n] for c in instrument.components for n, i in enumerate(c.indicators)}


def test_all_a_is_100_and_grade_a() -> None:
    inst = village_instrument()
    result = grade(inst, {i.code: "a" for c in inst.components for i in c.indicators})
    assert result.total == Decimal("100.00") and result.grade == "A"


def test_worked_example_by_hand() -> None:
    # Koleksi a,a,b,c = 5+5+4+3 = 17/20 × 20 = 17.00
    # Sarana b,b,b,b = 16/20 × 15 = 12.00
    # Pelayanan a,b,b,c = 16/20 × 25 = 20.00
    # Tenaga c,c,c,c = 12/20 × 20 = 12.00
    # Penyelenggaraan a,a,a,a = 20/20 × 15 = 15.00
    # Penguatan e,e,d,d = 6/20 × 5 = 1.50
    # total 77.50 → B
    inst = village_instrument()
    result = grade(
        inst,
        answers(
            inst,
            {
                "KOLEKSI": ["a", "a", "b", "c"],
                "SARANA": ["b", "b", "b", "b"],
                "PELAYANAN": ["a", "b", "b", "c"],
                "TENAGA": ["c", "c", "c", "c"],
                "PENYELENGGARAAN": ["a", "a", "a", "a"],
                "PENGUATAN": ["e", "e", "d", "d"],
            },
        ),
    )
    assert [s.score for s in result.components] == [
        Decimal("17.00"), Decimal("12.00"), Decimal("20.00"), Decimal("12.00"), Decimal("15.00"), Decimal("1.50"),
    ]  # fmt: skip
    assert result.total == Decimal("77.50") and result.grade == "B"


@pytest.mark.parametrize(
    ("total", "expected"),
    [("91", "A"), ("90.99", "B"), ("76", "B"), ("75.99", "C"), ("60", "C"), ("59.99", "TIDAK_TERAKREDITASI")],
)
def test_band_edges(total: str, expected: str) -> None:
    band = max((b for b in SNP_BANDS if Decimal(total) >= b.minimum), key=lambda b: b.minimum)
    assert band.grade == expected


def test_bad_answers_are_refused() -> None:
    inst = village_instrument()
    with pytest.raises(AnswerError, match="unanswered"):
        grade(inst, {"KOLEKSI.1": "a"})
    with pytest.raises(AnswerError, match="no option"):
        grade(inst, {"KOLEKSI.1": "f"}, require_complete=False)
    with pytest.raises(AnswerError, match="unknown"):
        grade(inst, {"NOPE.1": "a"}, require_complete=False)
    partial = grade(inst, {"KOLEKSI.1": "a"}, require_complete=False)
    assert len(partial.unanswered) == 23 and partial.components[0].score == Decimal("5.00")


def test_weights_must_sum_to_100() -> None:
    with pytest.raises(ValueError, match="sum"):
        Instrument(
            "x",
            "1",
            "-",
            (Component("K", "K", Decimal(50), (Indicator("K.1", "", DEFAULT_POINTS),)),),
            SNP_BANDS,
        )


def test_tgm_worked_example() -> None:
    model = TgmModel(
        "2022",
        weights={
            "FM": Decimal("0.3"),
            "DM": Decimal("0.3"),
            "JB": Decimal("0.3"),
            "FAI": Decimal("0.05"),
            "DAI": Decimal("0.05"),
        },
        normalisers={
            "FM": Normaliser(Decimal(0), Decimal(7)),
            "DM": Normaliser(Decimal(0), Decimal(120)),
            "JB": Normaliser(Decimal(0), Decimal(10)),
            "FAI": Normaliser(Decimal(0), Decimal(7)),
            "DAI": Normaliser(Decimal(0), Decimal(300)),
        },
        bands=TGM_BANDS,
    )
    # FM 3.5/7 → 50, DM 60/120 → 50, JB 4/10 → 40, FAI 7/7 → 100, DAI 150/300 → 50
    # 0.3·50 + 0.3·50 + 0.3·40 + 0.05·100 + 0.05·50 = 15 + 15 + 12 + 5 + 2.5 = 49.5 → Sedang
    score, band, parts = model.score(
        {"FM": Decimal("3.5"), "DM": Decimal(60), "JB": Decimal(4), "FAI": Decimal(7), "DAI": Decimal(150)}
    )
    assert score == Decimal("49.50") and band.label == "Sedang"
    assert parts["JB"] == Decimal("40.00")


def test_iplm_worked_example() -> None:
    model = IplmModel(
        "2021",
        elements=(
            IplmElement("UPLM1", "Pemerataan layanan", Decimal("0.0001")),
            IplmElement("UPLM2", "Ketercukupan koleksi", Decimal("1")),
        ),
        bands=IPLM_2025_BANDS,
    )
    # population 100,000: needs 10 libraries (has 5 → 0.5) and 100,000 items (has 150,000 → capped 1)
    index, band, ratios = model.score(100_000, {"UPLM1": Decimal(5), "UPLM2": Decimal(150_000)})
    assert ratios == {"UPLM1": Decimal("0.50"), "UPLM2": Decimal("1.00")}
    assert index == Decimal("75.00") and band.label == "Sedang"


def test_iplm_element_relative_to_another_element() -> None:
    # UPLM5 (libraries meeting the standard) is required of every library counted by UPLM1.
    model = IplmModel(
        "2021",
        elements=(
            IplmElement("UPLM1", "Pemerataan layanan", Decimal("0.0001")),
            IplmElement("UPLM5", "Perpustakaan ber-SNP", Decimal(1), basis="UPLM1"),
        ),
        bands=IPLM_2025_BANDS,
    )
    # 100,000 people need 10 libraries (has 8 → 0.8); 2 of the 8 are accredited → 0.25
    index, _, ratios = model.score(100_000, {"UPLM1": Decimal(8), "UPLM5": Decimal(2)})
    assert ratios == {"UPLM1": Decimal("0.80"), "UPLM5": Decimal("0.25")}
    assert index == Decimal("52.50")
    with pytest.raises(ValueError, match="basis"):
        IplmModel("x", (IplmElement("A", "a", Decimal(1), basis="B"),), IPLM_2025_BANDS).score(
            1, {"A": Decimal(1)}
        )
