"""HumanEval-X style C++ judging, side by side in one run: codecritique against plain ``g++ -O2`` once per sample
(issue 14, must-show 2).

Workload: DebugBench's C++ records (../shared/data/debugbench), the accepted and the buggy solution of each, as
HumanEval-X programs: the solution after HumanEval-X style includes (``#include <vector>``, ``<string>``,
``<algorithm>``..., not ``<bits/stdc++.h>``) and our comparison helpers, then a ``main()`` that checks the statement
examples and returns 1 at the first wrong answer (one program test per sample, pass iff it ends normally with 0).

* **plain**: per sample, ``g++ -O2 -std=gnu++17 prog.cpp`` then run the binary, on ``--workers`` threads, under the
  same CPU-time limit as ours (``--time-limit``, RLIMIT_CPU; a buggy solution that loops costs both sides that much);
* **ours**: ``Judge(JudgeConfig(workers=W, cpp_cache=<fresh directory>))``: every sample is compiled in the sandbox
  on a fresh cache (its precompiled headers are built inside the timing: a fresh cache pays for them), then run;
* **ours, no PCH** (``--before``): the same with ``cpp_pch=False``, i.e. compile cost as before issue 14.

Prints the wall times, the ratios, the compile CPU per sample (ours: the compiles' own CPU time; plain: CPU of each
``g++`` process), the share of compiles that used a precompiled header, and the verdict classes (pass / CE / fail)
compared sample by sample.

``--includes all`` (default) gives every sample the same 26 standard includes (one include block for the whole
workload); ``--includes used`` gives each problem only the standard headers whose names its two solutions and the
harness mention, in a fixed order (HumanEval-X prompts differ per problem in the same way), so include blocks vary and
PCHs are built only for blocks (or their prefixes) shared by ``cpp_pch_min_uses`` samples. DebugBench has several
records per problem with the same accepted solution, so some programs repeat (ours compiles them once, plain g++
every time); ``--distinct`` keeps only the first of each, for the ratio without that advantage.

    python benchmarks/cpp_speed.py [--limit 250] [--workers 2] [--before] [--includes all|used] [--distinct]
"""

from __future__ import annotations

import argparse
import os
import resource
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _floor import judge_cpu

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
HEX_PREFIX = "".join(f"#include<{h}>\n" for h in HEADERS) + "using namespace std;\n"


# the names that need a header, for --includes used (a header is kept when one of its names occurs in the text)
USES = {"stdio.h": r"printf|puts|scanf", "math.h": r"sqrt|pow|floor|ceil|fabs|log|exp", "stdlib.h": r"abs|rand|malloc",
        "string.h": r"memset|memcpy|strlen|strcmp", "climits": r"INT_MAX|INT_MIN|LLONG|LONG_MAX|LONG_MIN|UINT_MAX",
        "vector": r"vector", "string": r"string", "algorithm": r"sort|min|max|reverse|find|swap|lower_bound|upper_bound",
        "map": r"\bmap\b|multimap", "set": r"\bset\b|multiset", "unordered_map": r"unordered_map",
        "unordered_set": r"unordered_set", "queue": r"queue", "stack": r"stack", "deque": r"deque",
        "numeric": r"accumulate|iota|gcd|lcm|partial_sum", "functional": r"function|greater|less|hash",
        "sstream": r"stringstream", "iostream": r"cout|cin|cerr|endl", "utility": r"pair|make_pair|move",
        "tuple": r"tuple|tie", "array": r"array", "bitset": r"bitset", "list": r"\blist\b", "cassert": r"assert",
        "cmath": r"sqrt|pow|floor|ceil|fabs|log|exp"}


def prefix_for(texts: list[str], includes: str) -> str:
    if includes == "all":
        return HEX_PREFIX
    text = "\n".join(texts)
    return "".join(f"#include<{h}>\n" for h in HEADERS if re.search(USES[h], text)) + "using namespace std;\n"


def workload(limit: int, includes: str = "all") -> list[tuple[Problem, str]]:
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
        rest = lcb_style_prefix(sig).replace(LCB_CPP_PREFIX, "", 1)
        prefix = prefix_for([rest, harness, rec.oracle_code, rec.buggy_code], includes) + rest
        hp = Problem(id=p.id + "#hex", tests=[Test("program", harness)], title=p.title,
                     metadata={"program_prefix": prefix, "language": "cpp"})
        out += [(hp, rec.oracle_code), (hp, rec.buggy_code)]
    return out


TIME_LIMIT = 6.0  # seconds of CPU per test, both sides (--time-limit; the judge's default)


def _cpu_limit() -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (int(TIME_LIMIT + 0.999), int(TIME_LIMIT + 0.999) + 1))


def plain_one(args: tuple[int, str, str]) -> tuple[str, float]:
    """The verdict class and the CPU time of the compile (g++ and the processes it waits for)."""
    i, source, d = args
    src, exe = os.path.join(d, f"p{i}.cpp"), os.path.join(d, f"p{i}")
    Path(src).write_text(source)
    proc = subprocess.Popen(["g++", *FLAGS, src, "-o", exe], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    if proc.returncode != 0:
        return "CE", cpu
    try:
        rc = subprocess.run([exe], capture_output=True, timeout=10 * TIME_LIMIT + 10, stdin=subprocess.DEVNULL,
                            preexec_fn=_cpu_limit).returncode
    except subprocess.TimeoutExpired:
        return "fail", cpu
    return ("pass" if rc == 0 else "fail"), cpu


def plain(work, workers: int) -> tuple[float, list[str], float]:
    with tempfile.TemporaryDirectory() as d:
        jobs = [(i, p.metadata["program_prefix"] + "\n\n" + code + "\n\n" + p.tests[0].input, d)
                for i, (p, code) in enumerate(work)]
        t = time.perf_counter()
        with ThreadPoolExecutor(workers) as pool:
            out = list(pool.map(plain_one, jobs))
        return time.perf_counter() - t, [v for v, _ in out], sum(c for _, c in out)


def _all_cpu(judge) -> float:
    """CPU seconds of this process, the compilers it reaped, the judge's zygotes and the tests they reaped."""
    me = os.times()
    return judge_cpu(judge) + me.children_user + me.children_system


def ours(work, workers: int, pch: bool = True) -> tuple[float, list[str], dict, dict]:
    """Wall time, verdict classes, the judge's counters, and what the PCH store did (builds, their CPU)."""
    cache = tempfile.mkdtemp(prefix="cc-bench-cpp-")
    try:
        with Judge(JudgeConfig(workers=workers, cpp_cache=cache, cpp_pch=pch, time_limit=TIME_LIMIT)) as judge:
            judge.run([Submission(Problem(id="warm", tests=[Test("stdin", "", "")]), "print()")])
            c0, t = _all_cpu(judge), time.perf_counter()
            res = judge.run([Submission(p, code, "cpp") for p, code in work])
            elapsed = time.perf_counter() - t
            stats = {**judge.stats, "compile_cpu": judge.timing["compile"], "cpu": _all_cpu(judge) - c0}
            blocks = dict(judge.cpp_compiler.blocks.stats)
        stats["tle"] = sum(r.verdict is Verdict.TLE for r in res)
        classes = ["pass" if r.verdict is Verdict.AC else "CE" if r.verdict is Verdict.CE else
                   "SE" if r.verdict is Verdict.SE else "fail" for r in res]
        return elapsed, classes, stats, blocks
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def main() -> None:
    global TIME_LIMIT
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=250, help="DebugBench C++ records (2 samples each); 0: all")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--includes", choices=("all", "used"), default="all")
    ap.add_argument("--time-limit", type=float, default=TIME_LIMIT, help="CPU seconds per test, both sides")
    ap.add_argument("--distinct", action="store_true",
                    help="drop samples whose program is the same text as an earlier one (DebugBench has several "
                         "records per problem with the same accepted solution: ours compiles those once)")
    ap.add_argument("--before", action="store_true", help="also ours without precompiled headers (cpp_pch=False)")
    args = ap.parse_args()
    TIME_LIMIT = args.time_limit
    if not DATA.is_dir():
        print(f"SKIP: {DATA} not found")
        return
    work = workload(args.limit, args.includes)
    sources = [p.metadata["program_prefix"] + "\n\n" + code + "\n\n" + p.tests[0].input for p, code in work]
    distinct = len(set(sources))
    if args.distinct:
        seen: set[str] = set()
        work = [w for w, src in zip(work, sources) if not (src in seen or seen.add(src))]
    n = len(work)
    blocks = len({p.metadata["program_prefix"].split("using namespace")[0] for p, _ in work})
    print(f"machine: {os.cpu_count()} cores, load average {'/'.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"(before); workers={args.workers}")
    print(f"workload: {n} HumanEval-X style C++ samples (DebugBench accepted + buggy, one program test each), "
          f"--includes {args.includes}: {blocks} distinct include blocks; {distinct} distinct programs"
          f"{' (only those kept: --distinct)' if args.distinct else ' (ours compiles each once: binary cache)'}")
    t_ours, v_ours, stats, pch = ours(work, args.workers)
    compiles = max(1, stats["compiles"])
    print(f"  ours:          {t_ours:7.1f} s  {n / t_ours:5.2f} samples/s  {dict(Counter(v_ours))}  compile CPU "
          f"{1000 * stats['compile_cpu'] / compiles:5.0f} ms/compile over {stats['compiles']} compiles; PCH used "
          f"by {stats['compile_pch']}/{stats['compiles']} ({100 * stats['compile_pch'] / compiles:.0f} %), "
          f"{stats['compile_pch_retries']} retried without; {pch.get('builds', 0)} PCH builds "
          f"({pch.get('build_cpu_ms', 0) / 1000:.1f} s CPU, counted); {stats['tle']} TLE at {TIME_LIMIT:g} s CPU")
    busy = stats["cpu"] / (t_ours * min(args.workers, os.cpu_count() or 1))
    print(f"                 {stats['cpu']:.1f} CPU-s in all ({stats['compile_cpu']:.1f} compiling; the cores busy "
          f"{100 * busy:.0f} % of the time)")
    t_plain, v_plain, cpu_plain = plain(work, args.workers)
    print(f"  plain g++ -O2: {t_plain:7.1f} s  {n / t_plain:5.2f} samples/s  {dict(Counter(v_plain))}  compile CPU "
          f"{1000 * cpu_plain / n:5.0f} ms/compile")
    if args.before:
        t_nopch, v_nopch, stats0, _ = ours(work, args.workers, pch=False)
        print(f"  ours, no PCH:  {t_nopch:7.1f} s  {n / t_nopch:5.2f} samples/s  {dict(Counter(v_nopch))}  compile "
              f"CPU {1000 * stats0['compile_cpu'] / max(1, stats0['compiles']):5.0f} ms/compile")
    print(f"load average {'/'.join(f'{x:.2f}' for x in os.getloadavg())} (after)")
    same = sum(a == b for a, b in zip(v_ours, v_plain))
    print(f"\nratio plain / ours: {t_plain / t_ours:.2f}x; identical verdict classes: {same}/{n}")
    if args.before:
        same0 = sum(a == b for a, b in zip(v_nopch, v_plain))
        print(f"ratio plain / ours-no-PCH: {t_plain / t_nopch:.2f}x (identical verdict classes {same0}/{n}); "
              f"ours-no-PCH / ours: {t_nopch / t_ours:.2f}x")
    for (p, _), a, b in zip(work, v_ours, v_plain):
        if a != b:
            print(f"  differs: {p.id}: ours {a}, plain {b}")


if __name__ == "__main__":
    sys.exit(main())
