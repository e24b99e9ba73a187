"""Numba-accelerated core: pure functions on the arrays of a compiled region."""
