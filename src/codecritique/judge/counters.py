"""The judge's counters and timings: one object its parts share (the worker threads and the compile threads add to
it under ``lock``); ``Judge.stats`` and ``Judge.timing`` are its two dictionaries."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

STATS = ("tests_run", "worker_restarts", "system_errors", "deduplicated", "cached", "compiles", "compile_cache_hits",
         "compile_errors", "compile_pch", "compile_pch_retries", "unmappable")
# seconds summed over tests: fork (in the zygote), set-up of the test process, run, the rest of the zygote's work,
# the pipe round trip, and the output check (in the judge); compile: CPU seconds of the C++ compiles
TIMINGS = ("fork", "setup", "run", "zygote_other", "ipc", "compare", "compile")


@dataclass
class Counters:
    stats: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATS, 0))
    timing: dict[str, float] = field(default_factory=lambda: dict.fromkeys(TIMINGS, 0.0))
    lock: threading.Lock = field(default_factory=threading.Lock)
