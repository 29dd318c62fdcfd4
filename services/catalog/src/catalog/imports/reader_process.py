"""A parse process of a parallel import: ``python -m catalog.imports.reader_process PATH FORMAT
SOURCE BATCH SKIP ENCODER SHARD SHARDS`` prepares its shard's batches and streams them to stdout
(see ``ParallelBatches``).

``ENCODER`` names a file holding the pickled search document encoder (or ``None``), written by
the parent for this run. The batches own the stdout pipe: anything else printing to stdout is
sent to stderr instead.
"""

from __future__ import annotations

import gc
import os
import pickle
import sys
from pathlib import Path

from catalog.imports.prepare import write_batches
from catalog.marc import MarcFormat


def main(argv: list[str]) -> int:
    path, fmt, source, batch_size, skip_through, encoder_file, shard, shards = argv
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    with open(encoder_file, "rb") as handle:
        encoder = pickle.load(handle)  # noqa: S301 - written by our parent process for this run
    # Everything this process allocates lives for one batch at most: the cyclic collector only
    # costs time here (a sizeable share of it with its default thresholds).
    gc.freeze()
    gc.set_threshold(200_000, 50, 50)
    with out:
        write_batches(
            out,
            Path(path),
            MarcFormat(fmt),
            source,
            int(batch_size),
            int(skip_through),
            encoder,
            (int(shard), int(shards)),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
