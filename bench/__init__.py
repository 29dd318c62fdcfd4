"""Pusip benchmarks. Results are recorded in docs/benchmarks.md, their figures as JSON in
docs/benchmarks/results/; ``uv run python -m bench.charts`` draws the charts from them."""
