"""Synthetic data: a fictional county for the demo, tests and benchmarks. No real people."""
