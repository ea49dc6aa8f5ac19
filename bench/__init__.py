"""Benchmarks. `python bench/ingest.py` (or `python -m bench.ingest`) runs the ingest benchmark."""
