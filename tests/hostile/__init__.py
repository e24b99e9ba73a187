"""The bad-input and fault campaign of issue 28, kept as tests."""
