"""Benchmark data, fetched once and cached outside the checkout.

The 250,000 Library of Congress MARC21 records (``BooksAll.2016.part01.utf8``) ship inside the
pymarc 5.4.0 source distribution; pip fetches that sdist from the package index like any other
package, and the file is extracted from it into ``$PUSIP_CACHE_DIR/bench`` (default
``~/.cache/pusip/bench``). Nothing here is committed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PYMARC_SDIST = "pymarc==5.4.0"
LOC_MEMBER = "BooksAll.2016.part01.utf8"


def cache_dir() -> Path:
    root = Path(os.environ.get("PUSIP_CACHE_DIR", Path.home() / ".cache" / "pusip")) / "bench"
    root.mkdir(parents=True, exist_ok=True)
    return root


def loc_records() -> Path:
    """Path to the 250k-record LoC file, downloading and extracting it on first use."""
    target = cache_dir() / LOC_MEMBER
    if target.exists() and target.stat().st_size > 100_000_000:
        return target
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--no-binary",
                ":all:",
                "-d",
                tmp,
                PYMARC_SDIST,
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        (sdist,) = Path(tmp).glob("pymarc-*.tar.gz")
        with tarfile.open(sdist) as tar:
            member = next(m for m in tar.getmembers() if m.name.endswith(LOC_MEMBER))
            source = tar.extractfile(member)
            assert source is not None
            partial = target.with_suffix(".part")
            with partial.open("wb") as out:
                while chunk := source.read(1 << 20):
                    out.write(chunk)
            partial.replace(target)
    return target


if __name__ == "__main__":
    print(loc_records())
