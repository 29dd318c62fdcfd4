"""The child process of a parallel import: ``python -m catalog.imports.reader_process PATH FORMAT
SOURCE BATCH SKIP`` prepares batches and streams them to stdout (see ``ParallelBatches``)."""

from __future__ import annotations

import sys
from pathlib import Path

from catalog.imports.prepare import write_batches
from catalog.marc import MarcFormat


def main(argv: list[str]) -> int:
    path, fmt, source, batch_size, skip_through = argv
    write_batches(sys.stdout.buffer, Path(path), MarcFormat(fmt), source, int(batch_size), int(skip_through))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
