"""Benchmarks for the book: how fast it runs, and how lablib compares with PyTorch and its peers.

Run with ``python -m benchmarks`` (or ``make bench``). Not part of the tests:
timings are never asserted. Every figure is a median over repeated runs after
a warm-up, and every comparison is a ratio of two medians measured in the same run.
"""
