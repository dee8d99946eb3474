"""Benchmarking: the development task suite, the grader and the side-by-side runner."""
