"""``python -m bench``: list the benchmarks; ``python -m bench NAME [ARGS…]`` runs one.

Each benchmark is also a module of its own (``python -m bench.opac_search --help``). Figures go
into docs/benchmarks.md by hand, the raw results into docs/benchmarks/results/.
"""

from __future__ import annotations

import runpy
import sys

BENCHMARKS = {
    "marc_parse": "bare MARC21 parse rates of the 250,000 LoC records (issue 3)",
    "catalog_import": "catalog import end to end, embedded and PostgreSQL + Elasticsearch (issue 3)",
    "opac_search": "OPAC query mix through the gateway and direct, and the bare engine (issues 3, 8)",
    "circulation_desk": "check-out + check-in through the gateway at catalogue scale (issue 4)",
    "deposit_upload": "a 1 GiB digital deposit against cp + sync, local disk and MinIO (issue 5)",
    "gateway.bench_proxy": "the gateway's proxy overhead against a bare upstream (issue 2)",
    "search_engine.bench_tantivy": "the embedded search engine alone (issue 2)",
    "charts": "redraw docs/benchmarks/*.svg from docs/benchmarks/results/",
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print("Tolok ukur / benchmarks — uv run python -m bench NAME [--help | ARGS…]\n")
        for name, what in BENCHMARKS.items():
            print(f"  {name:<30} {what}")
        return 0
    name, *rest = argv
    if name not in BENCHMARKS:
        print(
            f"tolok ukur tidak dikenal / unknown benchmark {name!r}; see `python -m bench`", file=sys.stderr
        )
        return 2
    sys.argv = [f"bench.{name}", *rest]
    runpy.run_module(f"bench.{name}", run_name="__main__", alter_sys=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
