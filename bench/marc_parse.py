"""Bare parse rates of the LoC file: pymarc's own reader beside Pusip's checked reader.

uv run python -m bench.marc_parse [--limit N]
"""

from __future__ import annotations

import argparse
import time

from pymarc import MARCReader

from bench.data import loc_records
from catalog.marc import read_records


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()
    path = loc_records()

    started = time.perf_counter()
    n = 0
    with path.open("rb") as stream:
        for _record in MARCReader(stream, to_unicode=True, force_utf8=True):
            n += 1
            if args.limit and n >= args.limit:
                break
    bare = time.perf_counter() - started
    print(f"pymarc MARCReader: {n} records in {bare:.1f} s = {n / bare:,.0f} records/s")

    started = time.perf_counter()
    good = bad = 0
    with path.open("rb") as stream:
        for outcome in read_records(stream):
            good += outcome.record is not None
            bad += outcome.problem is not None
            if args.limit and good + bad >= args.limit:
                break
    checked = time.perf_counter() - started
    total = good + bad
    print(
        f"Pusip read_records: {total} records ({good} good, {bad} reported) in {checked:.1f} s"
        f" = {total / checked:,.0f} records/s"
    )


if __name__ == "__main__":
    main()
