"""HumanEval-X style C++ judging, side by side in one run: codecritique against plain ``g++ -O2`` once per sample
(issue 14, must-show 2).

Workload: DebugBench's C++ records (../shared/data/debugbench), the accepted and the buggy solution of each, as
HumanEval-X programs: the solution after HumanEval-X style includes (``#include <vector>``, ``<string>``,
``<algorithm>``..., not ``<bits/stdc++.h>``) and our comparison helpers, then a ``main()`` that checks the statement
examples and returns 1 at the first wrong answer (one program test per sample, pass iff it ends normally with 0).

* **plain**: per sample, ``g++ -O2 -std=gnu++17 prog.cpp`` then run the binary, on ``--workers`` threads;
* **ours**: ``Judge(JudgeConfig(workers=W, cpp_cache=<fresh directory>))``: every sample is compiled, in the
  sandbox, then run; nothing is cached before (the precompiled preamble is built during the run, when the second
  sample with the same includes comes; the bits/stdc++.h PCH, unused here, is built before and reported apart).

Prints both wall times, the ratio, and the verdict classes (pass / CE / fail) compared sample by sample.

    python benchmarks/cpp_speed.py [--limit 250] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from codecritique.judge.cpp import CppCompiler
from codecritique.judge.cpp_profiles import PROFILES
from codecritique.judge.cpp_harness import Unmappable, check_test, lcb_style_harness, lcb_style_prefix, \
    problem_signature
from codecritique.judge.engine import Judge, JudgeConfig, Submission
from codecritique.judge.verdict import Verdict
from codecritique.problems.debugbench import problem_from_debugbench, read_debugbench
from codecritique.problems.lcb_cpp import LCB_CPP_PREFIX
from codecritique.problems.model import Problem, Test

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "debugbench"
FLAGS = list(PROFILES["default"].flags)
# HumanEval-X's C++ prompts include standard headers one by one (e.g. CPP/0: <stdio.h>, <vector>, <math.h>); the
# LeetCode solutions of DebugBench need a few more of them.
HEADERS = ["stdio.h", "math.h", "stdlib.h", "string.h", "climits", "vector", "string", "algorithm", "map", "set",
           "unordered_map", "unordered_set", "queue", "stack", "deque", "numeric", "functional", "sstream",
           "iostream", "utility", "tuple", "array", "bitset", "list", "cassert", "cmath"]
TIME_LIMIT = 6.0  # ours: CPU seconds per test; plain: wall seconds (shorter than CPU time on a loaded machine)
HEX_PREFIX = "".join(f"#include<{h}>\n" for h in HEADERS) + "using namespace std;\n"


def workload(limit: int) -> list[tuple[Problem, str]]:
    out = []
    for rec in read_debugbench(DATA, "cpp")[:limit or None]:
        p = problem_from_debugbench(rec)
        if not p.tests:
            continue
        try:
            sig = problem_signature(p)
            for t in p.tests:
                check_test(sig, t)
            harness = lcb_style_harness(sig, p.tests)
        except Unmappable:
            continue
        prefix = lcb_style_prefix(sig).replace(LCB_CPP_PREFIX, HEX_PREFIX, 1)
        hp = Problem(id=p.id + "#hex", tests=[Test("program", harness)], title=p.title,
                     metadata={"program_prefix": prefix, "language": "cpp"})
        out += [(hp, rec.oracle_code), (hp, rec.buggy_code)]
    return out


def plain_one(args: tuple[int, str, str]) -> str:
    i, source, d = args
    src, exe = os.path.join(d, f"p{i}.cpp"), os.path.join(d, f"p{i}")
    Path(src).write_text(source)
    if subprocess.run(["g++", *FLAGS, src, "-o", exe], capture_output=True).returncode != 0:
        return "CE"
    try:
        rc = subprocess.run([exe], capture_output=True, timeout=TIME_LIMIT, stdin=subprocess.DEVNULL).returncode
    except subprocess.TimeoutExpired:
        return "fail"
    return "pass" if rc == 0 else "fail"


def plain(work, workers: int) -> tuple[float, list[str]]:
    with tempfile.TemporaryDirectory() as d:
        jobs = [(i, p.metadata["program_prefix"] + "\n\n" + code + "\n\n" + p.tests[0].input, d)
                for i, (p, code) in enumerate(work)]
        t = time.perf_counter()
        with ThreadPoolExecutor(workers) as pool:
            verdicts = list(pool.map(plain_one, jobs))
        return time.perf_counter() - t, verdicts


def ours(work, workers: int) -> tuple[float, list[str], dict, float]:
    cache = tempfile.mkdtemp(prefix="cc-bench-cpp-")
    try:
        t = time.perf_counter()
        CppCompiler(FLAGS, cache).pch_dir()  # the one-off precompiled header, outside the timing
        pch = time.perf_counter() - t
        with Judge(JudgeConfig(workers=workers, cpp_cache=cache, time_limit=TIME_LIMIT)) as judge:
            judge.run([Submission(Problem(id="warm", tests=[Test("stdin", "", "")]), "print()")])
            t = time.perf_counter()
            res = judge.run([Submission(p, code, "cpp") for p, code in work])
            elapsed = time.perf_counter() - t
            stats = dict(judge.stats)
        classes = ["pass" if r.verdict is Verdict.AC else "CE" if r.verdict is Verdict.CE else
                   "SE" if r.verdict is Verdict.SE else "fail" for r in res]
        return elapsed, classes, stats, pch
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=250, help="DebugBench C++ records (2 samples each); 0: all")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    if not DATA.is_dir():
        print(f"SKIP: {DATA} not found")
        return
    work = workload(args.limit)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} (before); workers={args.workers}")
    print(f"workload: {len(work)} HumanEval-X style C++ samples (DebugBench accepted + buggy, one program test each)")
    t_ours, v_ours, stats, pch = ours(work, args.workers)
    print(f"  ours:        {t_ours:7.1f} s  {len(work) / t_ours:5.2f} samples/s  {dict(Counter(v_ours))}  "
          f"(compiles {stats['compiles']}, cache hits {stats['compile_cache_hits']}; PCH built once in {pch:.1f} s, "
          f"not counted)")
    t_plain, v_plain = plain(work, args.workers)
    print(f"  plain g++:   {t_plain:7.1f} s  {len(work) / t_plain:5.2f} samples/s  {dict(Counter(v_plain))}")
    print(f"load average {os.getloadavg()[0]:.2f} (after)")
    same = sum(a == b for a, b in zip(v_ours, v_plain))
    print(f"\nratio plain / ours: {t_plain / t_ours:.2f}x; identical verdict classes: {same}/{len(work)}")
    for (p, _), a, b in zip(work, v_ours, v_plain):
        if a != b:
            print(f"  differs: {p.id}: ours {a}, plain {b}")


if __name__ == "__main__":
    sys.exit(main())
