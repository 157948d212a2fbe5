"""C++ profiles: how C++ solutions are compiled and judged.

``default`` compiles with ``-O2 -std=gnu++17`` (Codeforces-like) under the judge's limits; ``lcb-cpp`` compiles
exactly as the paper's LiveCodeBench-CPP evaluator does: plain ``g++`` (no flags), 6 s per test, 8 GiB, and stdin
outputs compared as ``stdout.strip() == expected.strip()``. ``--cxxflags`` replaces a profile's flags.
"""

from __future__ import annotations

from dataclasses import dataclass

from .checkers import Checker


@dataclass(frozen=True)
class CxxProfile:
    name: str
    flags: tuple[str, ...]
    time_limit: float | None = None  # seconds per test; None: the judge's usual default
    memory_mb: int | None = None
    checker: str | None = None  # how stdin outputs of C++ solutions are compared, when the judge's is "default"
    description: str = ""


PROFILES = {
    "default": CxxProfile("default", ("-O2", "-std=gnu++17"), description="-O2 -std=gnu++17, the judge's limits"),
    "lcb-cpp": CxxProfile("lcb-cpp", (), time_limit=6.0, memory_mb=8192, checker="lcb-cpp",
                          description="the paper's LiveCodeBench-CPP evaluator: plain g++, 6 s, 8 GiB, "
                                      "stdout.strip() == expected.strip()"),
}


def get_profile(name: str) -> CxxProfile:
    if name not in PROFILES:
        raise ValueError(f"unknown C++ profile {name!r}; choose one of {', '.join(PROFILES)}")
    return PROFILES[name]


def _lcb_cpp_compare(_input: str, expected: str, actual: str) -> tuple[bool, str]:
    if actual.strip() == expected.strip():
        return True, ""
    return False, "output differs from the expected output (LiveCodeBench-CPP: exact match after strip)"


LCB_CPP_CHECKER = Checker("lcb-cpp", _lcb_cpp_compare)
