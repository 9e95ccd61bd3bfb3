"""Benchmarks: `make bench` runs every module here that defines SECTION and run(), and writes
benchmarks/results.json (one section each, shape documented in each module and the README)."""
