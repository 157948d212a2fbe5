"""The judge's default resource limits per test (a problem's own limits and the settings override them)."""

DEFAULT_TIME_LIMIT = 6.0  # seconds of CPU time per test (LiveCodeBench's timeout)
DEFAULT_MEMORY_MB = 2048
DEFAULT_OUTPUT_MB = 64
