"""Pusip benchmarks. Results are recorded in docs/benchmarks.md."""
