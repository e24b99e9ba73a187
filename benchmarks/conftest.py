"""Shared fixtures of the benchmark suites."""
