"""Stage one split between processes: shards of a file give exactly the batches of one reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.imports.prepare import Batch, ParallelBatches, PreparedRecord, iter_batches
from catalog.marc import MarcFormat, RecordProblem

from ..helpers import CORPUS

PRIDE = CORPUS / "marc4j" / "pride-and-prejudice-with-many-errors.mrc"


def _shape(batches: list[Batch]) -> list[tuple[int, list[tuple[int, str | None, str]]]]:
    """Each batch's last position and, per entry, position, control number and kind."""
    out = []
    for b in batches:
        entries = [
            (e.position, e.control_number, "record" if isinstance(e, PreparedRecord) else e.code)
            for e in b.entries
        ]
        out.append((b.last_position, entries))
    return out


@pytest.mark.parametrize(("shards", "batch_size", "skip"), [(2, 50, 0), (3, 7, 0), (2, 40, 95)])
def test_shards_together_are_the_single_reader(shards: int, batch_size: int, skip: int) -> None:
    def read(shard: tuple[int, int]) -> list[Batch]:
        return list(
            iter_batches(
                PRIDE, MarcFormat.ISO2709, "import", batch_size=batch_size, skip_through=skip, shard=shard
            )
        )

    single = [b for b in read((0, 1)) if b.entries]
    parts = [read((k, shards)) for k in range(shards)]
    interleaved = [parts[i % shards][i // shards] for i in range(sum(len(p) for p in parts))]
    assert _shape(interleaved) == _shape(single)
    positions = [e.position for b in interleaved for e in b.entries]
    assert positions == list(range(skip + 1, 384))  # every record once, in order (383 in the file)
    assert any(isinstance(e, RecordProblem) for b in interleaved for e in b.entries)


def test_parallel_batches_come_in_file_order_from_every_child() -> None:
    reader = ParallelBatches(PRIDE, MarcFormat.ISO2709, "import", batch_size=30, workers=2)
    try:
        assert len(reader.children) == 2
        got = []
        while (batch := reader.get()) is not None:
            got.append(batch)
    finally:
        reader.close()
    want = [b for b in iter_batches(PRIDE, MarcFormat.ISO2709, "import", batch_size=30) if b.entries]
    assert _shape(got) == _shape(want)


def test_only_iso2709_is_split(tmp_path: Path) -> None:
    xml = tmp_path / "one.xml"
    xml.write_text('<collection xmlns="http://www.loc.gov/MARC21/slim"></collection>')
    with pytest.raises(ValueError, match="ISO 2709"):
        list(iter_batches(xml, MarcFormat.MARCXML, "import", batch_size=10, shard=(0, 2)))
    reader = ParallelBatches(xml, MarcFormat.MARCXML, "import", batch_size=10, workers=2)
    try:
        assert len(reader.children) == 1
        assert reader.get() is not None  # the (empty) tail batch of the lone reader
        assert reader.get() is None
    finally:
        reader.close()
