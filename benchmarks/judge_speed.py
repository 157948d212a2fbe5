"""How fast the Python judge is, measured side by side in one run (these machines are noisy: compare ratios).

    python benchmarks/judge_speed.py [--workers N] [--rounds 3] [--trivial-tests 400] [--humaneval-samples 2000]
                                     [--workload-rounds 1]

1. Real workload: the 155 CodeContests problems of ../shared/data/codecontests with their human Python solutions,
   every test run (--all-tests): samples/s and tests/s of codecritique (full isolation: bubblewrap, uid drop,
   rlimits, seccomp) against one fresh `python3 solution.py` process per test (no isolation at all), both on the
   same number of parallel workers, same checker.
2. Per-test overhead on a trivial program (`print(input())`): codecritique end to end (judge -> sandboxed zygote ->
   test process -> verdict), against a bare fork (the cheapest fork server: fork, run the compiled code on memfds,
   _exit, waitpid, no isolation, no IPC) and against a fresh python3 per test. Target: within 2x of a bare fork.
   Also HumanEval: CodeGen-16B samples (one program test each, sample + check()), where start-up is most of the
   work: codecritique against one fresh `python3` per sample, and against the floor: the samples' own CPU time
   (compile + run in a bare fork server, see _floor.py; the samples that loop until the 3 s limit count 3 s) over
   the cores, each distinct program once (a quarter of the 16,400 repeat an earlier one; a judge may run those
   once). ``--humaneval-samples 16400`` is the whole set.
3. Where the time goes (from the judge's own accounting on workload 1): fork, test-process set-up, run, the rest of
   the zygote's work, the pipe round trip, and the output check.

Each measurement is repeated --rounds times, interleaved, and the median is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _floor import judge_cpu, solution_cpu_times

from codecritique.judge.checkers import check_default
from codecritique.judge.engine import Judge, JudgeConfig, Submission
from codecritique.judge.sandboxed.zygote_python import PRELOAD  # stdlib only, no side effects
from codecritique.problems.model import Problem, Test

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DATA = SHARED / "codecontests" / "codecontests_155_problems.jsonl"
HUMANEVAL = SHARED / "humaneval"
CLEAN_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/tmp"}


def load_workload() -> list[tuple[Problem, str]]:
    out = []
    with open(DATA) as f:
        for line in f:
            rec = json.loads(line)
            if not rec.get("solution_py"):  # a few records are shared library files, not problems
                continue
            tests = [Test("stdin", t["input"], t["output"]) for t in rec["tests"]]
            out.append((Problem(id=rec["id"], tests=tests, time_limit=10), rec["solution_py"]))
    return out


def run_ours(workload, workers: int) -> tuple[float, int, dict, dict, str]:
    subs = [Submission(p, code) for p, code in workload]
    with Judge(JudgeConfig(workers=workers, all_tests=True, time_limit=10)) as judge:
        judge.run(subs[:2])  # start the workers outside the timed region
        before = dict(judge.timing)
        t = time.perf_counter()
        results = judge.run(subs)
        elapsed = time.perf_counter() - t
        timing = {k: judge.timing[k] - before[k] for k in before}
        passed = sum(r.passed for r in results)
        return elapsed, passed, timing, {"tests": sum(r.tests_run for r in results)}, judge.isolation


def fresh_python_test(code_path: str, test: Test, timeout: float) -> bool:
    try:
        r = subprocess.run([sys.executable, code_path], input=test.input.encode(), capture_output=True,
                           timeout=timeout, env=CLEAN_ENV)
    except subprocess.TimeoutExpired:
        return False
    return r.returncode == 0 and check_default(test.output, r.stdout.decode(errors="replace"))[0]


def run_fresh(workload, workers: int) -> tuple[float, int, int]:
    with tempfile.TemporaryDirectory() as d:
        paths = []
        for i, (_, code) in enumerate(workload):
            p = os.path.join(d, f"s{i}.py")
            Path(p).write_text(code)
            paths.append(p)
        jobs = [(paths[i], t) for i, (p, _) in enumerate(workload) for t in p.tests]
        t0 = time.perf_counter()
        with ThreadPoolExecutor(workers) as pool:
            ok = list(pool.map(lambda j: fresh_python_test(j[0], j[1], 10.0), jobs))
        elapsed = time.perf_counter() - t0
    per_sample, i = [], 0
    for p, _ in workload:
        per_sample.append(all(ok[i:i + len(p.tests)]))
        i += len(p.tests)
    return elapsed, sum(per_sample), len(jobs)


def load_humaneval(n: int) -> list[tuple[Problem, str]]:
    """The first ``n`` CodeGen-16B HumanEval samples: program tests (the sample, then ``check(candidate)``)."""
    from codecritique.problems.load import index_by_id, load_problems

    problems = index_by_id(load_problems(HUMANEVAL / "HumanEval.jsonl.gz"))
    out = []
    with open(HUMANEVAL / "codegen16b_samples.jsonl") as f:
        for line in f:
            s = json.loads(line)
            p = problems[s["task_id"]]
            out.append((p, p.starter_code + s["completion"]))
            if len(out) == n:
                break
    return out


def run_ours_humaneval(workload, workers: int) -> tuple[float, int, float]:
    """(wall seconds, samples passed, CPU seconds of the judge and its zygotes with their tests)."""
    with Judge(JudgeConfig(workers=workers, time_limit=3)) as judge:
        judge.run([Submission(p, code) for p, code in workload[:2]])  # start the workers outside the timing
        c, t = judge_cpu(judge), time.perf_counter()
        results = judge.run([Submission(p, code) for p, code in workload])
        return time.perf_counter() - t, sum(r.passed for r in results), judge_cpu(judge) - c


def run_fresh_humaneval(workload, workers: int) -> tuple[float, int]:
    """One fresh ``python3 program.py`` per sample, program = sample + test + ``check(entry_point)``: what the
    official harness runs, minus its multiprocessing and reliability guard."""
    with tempfile.TemporaryDirectory() as d:
        paths = []
        for i, (p, code) in enumerate(workload):
            path = os.path.join(d, f"s{i}.py")
            Path(path).write_text(code + "\n\n" + p.tests[0].input + "\n")
            paths.append(path)

        def one(path: str) -> bool:
            try:
                return subprocess.run([sys.executable, path], capture_output=True, timeout=3.0, cwd=d,
                                      env=CLEAN_ENV).returncode == 0
            except subprocess.TimeoutExpired:
                return False

        t0 = time.perf_counter()
        with ThreadPoolExecutor(workers) as pool:
            ok = list(pool.map(one, paths))
        return time.perf_counter() - t0, sum(ok)


# ---------------------------------------------------------------- per-test overhead on a trivial program

TRIVIAL = "print(input())\n"


def ours_trivial(n: int) -> tuple[float, float]:
    """(wall, CPU) seconds per test; CPU: the judge process, its zygote and everything the zygote reaped."""
    p = Problem(id="trivial", tests=[Test("stdin", f"{i}\n", f"{i}\n") for i in range(n)])
    with Judge(JudgeConfig(workers=1, all_tests=True)) as judge:
        judge.run([Submission(Problem(id="warm", tests=p.tests[:3]), TRIVIAL)])
        c, t = judge_cpu(judge), time.perf_counter()
        r = judge.run([Submission(p, TRIVIAL)])[0]
        elapsed, cpu = time.perf_counter() - t, judge_cpu(judge) - c
    assert r.tests_passed == n, r
    return elapsed / n, cpu / n


BARE_FORK = r"""
import os, sys, time
for m in PRELOAD:
    __import__(m)
n = int(sys.argv[1])
code = compile("print(input())\n", "solution.py", "exec")
fi, fo = os.memfd_create("in", 0), os.memfd_create("out", 0)
t = time.perf_counter()
c = os.times()
c0 = c.user + c.system + c.children_user + c.children_system
for i in range(n):
    for fd in (fi, fo):
        os.ftruncate(fd, 0); os.lseek(fd, 0, 0)
    os.write(fi, b"%d\n" % i); os.lseek(fi, 0, 0)
    pid = os.fork()
    if pid == 0:
        os.dup2(fi, 0); os.dup2(fo, 1)
        exec(code, {"__name__": "__main__"})
        sys.stdout.flush()
        os._exit(0)
    os.waitpid(pid, 0)
    assert os.pread(fo, 64, 0) == b"%d\n" % i
c = os.times()
print((time.perf_counter() - t) / n, (c.user + c.system + c.children_user + c.children_system - c0) / n)
"""


def bare_fork_trivial(n: int) -> tuple[float, float]:
    """The cheapest possible fork server, in a fresh process that preloads what the zygote preloads."""
    code = f"PRELOAD = {PRELOAD!r}\n" + BARE_FORK
    out = subprocess.run([sys.executable, "-c", code, str(n)], capture_output=True, text=True, env=CLEAN_ENV,
                         check=True)
    wall, cpu = out.stdout.split()
    return float(wall), float(cpu)


def fresh_trivial(n: int) -> float:
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "s.py")
        Path(path).write_text(TRIVIAL)
        t = time.perf_counter()
        for i in range(n):
            r = subprocess.run([sys.executable, path], input=f"{i}\n".encode(), capture_output=True, env=CLEAN_ENV)
            assert r.stdout == f"{i}\n".encode()
        return (time.perf_counter() - t) / n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--trivial-tests", type=int, default=400)
    ap.add_argument("--skip-workload", action="store_true")
    ap.add_argument("--workload-rounds", type=int, default=1, help="rounds of the (long) CodeContests workload")
    ap.add_argument("--humaneval-samples", type=int, default=2000)
    ap.add_argument("--skip-workload-cc", action="store_true", help="stop after HumanEval (no CodeContests)")
    ap.add_argument("--skip-trivial", action="store_true")
    ap.add_argument("--skip-fresh", action="store_true", help="HumanEval: no fresh-python3 side")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; workers={args.workers}; "
          f"median of {args.rounds} interleaved rounds")

    print("\n== per-test overhead, trivial program (1 worker) ==")
    ours, bare, fresh = [], [], []
    for _ in range(0 if args.skip_trivial else args.rounds):
        ours.append(ours_trivial(args.trivial_tests))
        bare.append(bare_fork_trivial(args.trivial_tests))
        fresh.append(fresh_trivial(max(20, args.trivial_tests // 10)))
    oc = statistics.median(x[1] for x in ours) if ours else float("nan")
    bc = statistics.median(x[1] for x in bare) if bare else float("nan")
    ours, bare = [x[0] for x in ours], [x[0] for x in bare]
    o, b, f = (statistics.median(x) if x else float("nan") for x in (ours, bare, fresh))
    if not args.skip_trivial:
        print(f"  bare fork (no isolation, no IPC):        {1e3 * b:7.3f} ms/test")
        print(f"  codecritique (bwrap+uid+rlimit+seccomp): {1e3 * o:7.3f} ms/test   = {o / b:.2f}x bare fork")
        print(f"  CPU per test: bare fork {1e3 * bc:.3f} ms, codecritique {1e3 * oc:.3f} ms = {oc / bc:.2f}x "
              f"(all processes: less distorted by other users of the machine)")
        print(f"  fresh python3 per test:                  {1e3 * f:7.3f} ms/test   = {f / o:.1f}x codecritique")

    if args.skip_workload:
        return
    if (HUMANEVAL / "codegen16b_samples.jsonl").exists() and args.humaneval_samples:
        he = load_humaneval(args.humaneval_samples)
        print(f"\n== real workload: {len(he)} CodeGen-16B HumanEval samples (one program test each: sample + "
              f"check()) ==")
        rows = [(run_ours_humaneval(he, args.workers),
                 (float("nan"), 0) if args.skip_fresh else run_fresh_humaneval(he, args.workers))
                for _ in range(args.rounds)]
        eo = statistics.median(r[0][0] for r in rows)
        co = statistics.median(r[0][2] for r in rows)
        ef = statistics.median(r[1][0] for r in rows)
        print(f"  codecritique:  {len(he) / eo:7.1f} samples/s ({rows[0][0][1]} pass; full isolation)")
        print(f"  fresh python3: {len(he) / ef:7.1f} samples/s ({rows[0][1][1]} pass; no isolation)")
        print(f"  speed-up: x{ef / eo:.1f}")
        # identical samples (same program text) count once: any judge may run them once, as ours does
        programs = list(dict.fromkeys(code + "\n\n" + p.tests[0].input for p, code in he))
        cpu = solution_cpu_times([{"code": prog, "kind": "program", "input": "", "cpu": 3} for prog in programs],
                                 workers=args.workers)
        cores = min(args.workers, os.cpu_count() or 1)
        floor = sum(cpu) / cores
        print(f"  floor: the {len(programs)} distinct programs' own CPU {sum(cpu):.1f} s / {cores} cores = "
              f"{floor:.1f} s ({sum(c >= 2.9 for c in cpu)} at the 3 s limit); codecritique {eo:.1f} s = "
              f"{eo / floor:.2f}x the floor; in CPU time: codecritique {co:.1f} s = {co / sum(cpu):.2f}x the samples' "
              f"own (load average now {os.getloadavg()[0]:.2f})")
        if args.skip_workload_cc:
            return
    if not DATA.exists():
        print(f"\n(real workload skipped: {DATA} not found)")
        return
    workload = load_workload()
    n_tests = sum(len(p.tests) for p, _ in workload)
    print(f"\n== real workload: {len(workload)} CodeContests problems x 1 human solution, {n_tests} stdin tests, "
          f"all tests run ==")
    rows_ours, rows_fresh, timing = [], [], None
    for _ in range(args.workload_rounds):
        el, passed, timing, _, isolation = run_ours(workload, args.workers)
        rows_ours.append((el, passed))
        el2, passed2, _ = run_fresh(workload, args.workers)
        rows_fresh.append((el2, passed2))
    eo = statistics.median(r[0] for r in rows_ours)
    ef = statistics.median(r[0] for r in rows_fresh)
    print(f"  codecritique: {len(workload) / eo:7.1f} samples/s {n_tests / eo:8.1f} tests/s "
          f"({rows_ours[0][1]} samples pass; {isolation})")
    print(f"  fresh python3: {len(workload) / ef:6.1f} samples/s {n_tests / ef:8.1f} tests/s "
          f"({rows_fresh[0][1]} samples pass; no isolation)")
    print(f"  speed-up: x{ef / eo:.1f}")
    total = sum(timing.values())
    print("  where the judge's time goes (summed over tests, last round):")
    for k, v in timing.items():
        print(f"    {k:13s} {1e3 * v / n_tests:8.3f} ms/test  {100 * v / total:5.1f}%")


if __name__ == "__main__":
    main()
