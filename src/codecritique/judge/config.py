"""The judge's settings (:class:`JudgeConfig`) and the names it accepts; light to import (the CLI builds its
options from these fields), the judge's machinery is imported only to validate them."""

from __future__ import annotations

from dataclasses import dataclass

from .limits import DEFAULT_OUTPUT_MB

JUDGE_VERSION = "2"  # part of cache keys: bump when verdict semantics change (2: end-of-test tokens, finalization)
LANGUAGES = ("python", "cpp")
SANDBOXES = ("bwrap", "rlimit", "none")
CPP_PROFILES = ("default", "lcb-cpp")  # the names of cpp_profiles.PROFILES (a test holds the two equal)
PER_PROBLEM_CHECKERS = ("case-insensitive", "yes-no")  # builtin comparisons a problem may ask for under --checker default


@dataclass
class JudgeConfig:
    checker: str = "default"  # default | exact | lcb | FILE.py:FUNC | module:FUNC | program:PATH
    all_tests: bool = False  # run every test (pass rates) instead of stopping at the first failure
    workers: int = 0  # 0: one per CPU core
    sandbox: str = "bwrap"  # bwrap | rlimit | none
    time_limit: float | None = None  # seconds of CPU time per test; None: the problem's, else 6 s
    memory_mb: int | None = None  # None: the problem's, else 2048 MiB
    output_mb: int = DEFAULT_OUTPUT_MB
    retries: int = 2  # extra attempts after a system error
    cache: str | None = None  # path of a persistent verdict cache (SQLite); None: no cache across runs
    allow_fork: bool = False  # let solutions create processes (each test then gets its own PID namespace)
    tmp_size_mb: int = 256  # private /tmp of each worker
    python: str | None = None  # interpreter for Python solutions (default: the one running the judge)
    cpp_profile: str = "default"  # default (-O2 -std=gnu++17) | lcb-cpp (the paper's evaluator), see cpp_profiles.py
    cxxflags: str | None = None  # compiler flags replacing the profile's (shell syntax)
    cpp_cache: str | None = None  # binary and precompiled-header cache (default: ~/.cache/codecritique/cpp)
    compile_workers: int = 0  # parallel compiles (0: as many as workers)
    cpp_pch: bool = True  # precompiled headers (exact: a source's own leading standard includes, see cpp_pch.py)
    cpp_pch_min_uses: int = 4  # sources with the same leading includes before their PCH is built (a build: ~4 compiles)
    cpp_pch_max_mb: int = 4096  # disk kept for those PCHs in the C++ cache (least recently used removed first)

    def validate(self, prefix: str = "") -> None:
        """Raise :class:`~codecritique.errors.ConfigError` for a setting that cannot work (before any judging)."""
        from ..errors import ConfigError, require, require_number
        from .checkers import get_checker
        from .cpp_profiles import get_profile

        try:
            get_checker(self.checker)
        except ValueError as e:
            raise ConfigError(prefix + "checker", str(e)) from None
        require(self.sandbox in SANDBOXES, prefix + "sandbox",
                f"unknown sandbox {self.sandbox!r}: use {', '.join(SANDBOXES)}")
        require_number(prefix + "workers", self.workers, minimum=0)
        require_number(prefix + "compile_workers", self.compile_workers, minimum=0)
        require_number(prefix + "cpp_pch_min_uses", self.cpp_pch_min_uses, minimum=1)
        require_number(prefix + "cpp_pch_max_mb", self.cpp_pch_max_mb, minimum=0)
        require_number(prefix + "time_limit", self.time_limit, minimum=0, strict=True, optional=True)
        require_number(prefix + "memory_mb", self.memory_mb, minimum=0, strict=True, optional=True)
        require_number(prefix + "output_mb", self.output_mb, minimum=0, strict=True)
        require_number(prefix + "tmp_size_mb", self.tmp_size_mb, minimum=0, strict=True)
        require_number(prefix + "retries", self.retries, minimum=0)
        try:
            get_profile(self.cpp_profile)
        except ValueError as e:
            raise ConfigError(prefix + "cpp_profile", str(e)) from None

    @property
    def lcb_compat(self) -> str | None:
        """Under --checker lcb / lcb-current, stdin solutions also run the way that lcb_runner runs them."""
        return self.checker if self.checker in ("lcb", "lcb-current") else None
