"""C++ compile cost and judging throughput, in one run (issue 3, must-show 3).

1. Compile time per solution, for real solutions (DebugBench's accepted C++ solutions inside our LeetCode
   harness, exactly what the judge compiles), each in a fresh cache: without the precompiled header, with it
   (its one-off build reported apart), and on a cache hit. CPU time (compiler + assembler + linker) is the number
   to compare across machines; wall time depends on the machine's load.
2. C++ tests per second on a real workload: DebugBench's accepted and buggy solutions on their statement examples
   (all tests run), first cold (compiles included, on a fresh cache), then warm (binaries cached), then the
   accepted solutions alone (warm; no test runs into the time limit there).

    .venv/bin/python benchmarks/cpp_compile.py [--solutions 20] [--workload 150] [--workers N] [--cache DIR]

``--cache DIR`` runs the workload on an existing binary cache (e.g. the one benchmarks/debugbench_cpp.py filled)
instead of a fresh one. Skips (exit 0, with a message) when the DebugBench data is absent.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from codecritique.judge.cpp import CppCompiler
from codecritique.judge.cpp_profiles import PROFILES
from codecritique.judge.cpp_harness import functional_program, problem_signature, runtime_library
from codecritique.judge.engine import Judge, JudgeConfig, Submission
from codecritique.judge.verdict import Verdict
from codecritique.problems.debugbench import problem_from_debugbench, read_debugbench

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "debugbench"
FLAGS = PROFILES["default"].flags


def summary(values: list[float]) -> str:
    ms = [1000 * v for v in values]
    return f"mean {statistics.mean(ms):8.1f} ms  median {statistics.median(ms):8.1f} ms  max {max(ms):8.1f} ms"


def compile_times(sources: list[str], cache: Path, pch: bool) -> tuple[list[float], list[float], bool]:
    """(CPU seconds, wall seconds) per compile in a fresh cache, and whether every compile used the PCH."""
    compiler = CppCompiler(FLAGS, cache, pch=pch)
    runtime = compiler.object_file("cc_harness", runtime_library())
    cpu, wall, all_pch = [], [], True
    for src in sources:
        t0 = time.monotonic()
        res = compiler.compile(src, [runtime])
        wall.append(time.monotonic() - t0)
        cpu.append(res.cpu_time)
        all_pch &= res.pch
        if not res.ok:
            raise SystemExit(f"a benchmark solution does not compile: {res.error}")
    return cpu, wall, all_pch


def throughput(label: str, subs: list[Submission], cache: str, workers: int) -> None:
    """Judge ``subs`` (every test) and print tests/s, with how much of it went to time-limit tests."""
    cfg = JudgeConfig(workers=workers, all_tests=True, cpp_cache=cache)
    with Judge(cfg) as judge:
        t0 = time.monotonic()
        results = judge.run(subs)
        elapsed = time.monotonic() - t0
        stats, timing = judge.stats, judge.timing
    tests = stats["tests_run"]
    tle = [t for r in results for t in r.test_results if t.verdict is Verdict.TLE]
    print(f"  {label:14s}: {tests} tests in {elapsed:.1f} s = {tests / elapsed:.0f} tests/s "
          f"({len(subs) / elapsed:.1f} solutions/s); compiles {stats['compiles']}, cache hits "
          f"{stats['compile_cache_hits']}, compile CPU {timing['compile']:.0f} s; {len(tle)} tests hit the time "
          f"limit ({sum(t.wall_time for t in tle):.0f} s of the {timing['run']:.0f} s of test run time)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--solutions", type=int, default=20, help="solutions timed in part 1")
    ap.add_argument("--workload", type=int, default=150, help="DebugBench records in part 2 (0: all)")
    ap.add_argument("--workers", type=int, default=0)
    ap.add_argument("--cache", default=None, help="run part 2 on this existing cache")
    args = ap.parse_args()
    if not args.data.is_dir():
        print(f"SKIP: DebugBench data not found at {args.data}")
        return 0
    records = read_debugbench(args.data, "cpp")
    problems = [(r, problem_from_debugbench(r)) for r in records]
    problems = [(r, p) for r, p in problems if p.tests]
    unique: dict[str, str] = {}
    for r, p in problems:
        unique.setdefault(r.slug, functional_program(problem_signature(p), r.oracle_code))
    sources = list(unique.values())[: args.solutions]

    print(f"== compile time per solution ({len(sources)} DebugBench accepted solutions in our harness, "
          f"g++ {' '.join(FLAGS)}, sandboxed)")
    with tempfile.TemporaryDirectory(prefix="cc-bench-") as tmp:
        cpu, wall, _ = compile_times(sources, Path(tmp) / "nopch", pch=False)
        print(f"  without PCH  CPU {summary(cpu)}   | wall {summary(wall)}")
        compiler = CppCompiler(FLAGS, Path(tmp) / "pch")
        t0 = time.monotonic()
        compiler.pch_dir()
        print(f"  (precompiled header built once in {time.monotonic() - t0:.1f} s wall)")
        cpu_p, wall_p, used = compile_times(sources, Path(tmp) / "pch", pch=True)
        print(f"  with PCH     CPU {summary(cpu_p)}   | wall {summary(wall_p)}   (PCH used by all: {used})")
        _, hit, _ = compile_times(sources, Path(tmp) / "pch", pch=True)
        print(f"  cache hit    wall {summary(hit)}")
        print(f"  PCH speed-up (CPU): {statistics.mean(cpu) / statistics.mean(cpu_p):.2f}x")

        work = problems[: args.workload] if args.workload else problems
        subs = [Submission(p, getattr(r, kind), "cpp") for r, p in work for kind in ("oracle_code", "buggy_code")]
        print(f"\n== C++ tests/s: {len(subs)} DebugBench solutions (accepted + buggy) on their examples, all tests "
              f"run, {args.workers or 'all'} workers")
        cache = args.cache or str(Path(tmp) / "pch")
        throughput("cold" if not args.cache else "given cache", subs, cache, args.workers)
        throughput("warm", subs, cache, args.workers)
        accepted = [s for s in subs if s.code in {r.oracle_code for r, _ in work}]
        throughput("warm, accepted", accepted, cache, args.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
