"""The limits a test runs under, and their defaults (a problem's own limits and the settings override them); the
C++ compiler's own limits. Light to import: the CLI reads the defaults from here.

The zygote (sandboxed/zygote_isolation.py, which cannot import this package) applies the limits the judge sends
with every test; its fallbacks for a missing field are the same values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_TIME_LIMIT = 6.0  # seconds of CPU time per test (LiveCodeBench's timeout)
DEFAULT_MEMORY_MB = 2048
DEFAULT_OUTPUT_MB = 64
DEFAULT_NPROC = 64  # processes + threads of the test's uid


@dataclass(frozen=True)
class Limits:
    cpu: float = DEFAULT_TIME_LIMIT  # seconds of CPU time
    memory_mb: int = DEFAULT_MEMORY_MB  # address space
    output_bytes: int = DEFAULT_OUTPUT_MB << 20  # stdout (and stderr) size
    nproc: int = DEFAULT_NPROC  # processes + threads of the test's uid

    @property
    def wall(self) -> float:
        """The wall-clock backstop, for solutions that sleep or block instead of computing. Generous, so that a
        loaded machine (which stretches wall time, not CPU time) does not turn a pass into a TLE."""
        return 3 * self.cpu + 2.0

    def key(self) -> str:
        return f"cpu={self.cpu:g},mem={self.memory_mb},out={self.output_bytes},nproc={self.nproc}"


def limits_for(problem: Any, config: Any, profile: Any = None) -> Limits:
    """A test's limits: the settings' (``JudgeConfig.time_limit`` / ``memory_mb`` / ``output_mb``), else the C++
    profile's (``profile``: a cpp_profiles.CxxProfile, for C++ solutions), else the problem's, else the defaults."""
    cpu = config.time_limit or (profile and profile.time_limit) or problem.time_limit or DEFAULT_TIME_LIMIT
    mem = config.memory_mb or (profile and profile.memory_mb) or problem.memory_limit or DEFAULT_MEMORY_MB
    return Limits(cpu=float(cpu), memory_mb=int(mem), output_bytes=config.output_mb << 20)


@dataclass(frozen=True)
class CompileLimits:
    """What one C++ compile may use (cpp_toolchain.run_compiler)."""

    cpu: float = 30.0  # seconds of CPU time, per compiler process
    memory_mb: int = 2048  # address space, per compiler process
    output_mb: int = 256  # largest file the compiler may write
    wall: float = 120.0  # backstop for the whole compile
    tmp_mb: int = 512  # the compiler's /tmp (sandboxed compiles)
