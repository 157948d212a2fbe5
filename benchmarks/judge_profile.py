"""Where the judge's time goes, on the LiveCodeBench workload of lcb_speed.py or on a trivial program.

    python benchmarks/judge_profile.py [--workload lcb|trivial] [--limit 400] [--checker default] [--cprofile N]

CPU seconds are split by process (all counted from /proc while the run lasts, so nothing else on the machine is
included): the judge process (its threads: scheduling, requests, verdicts), each zygote (the fork server in the
sandbox, without its children) and the processes it forked (test processes: their set-up and the solution's run).
The solutions' own share is the CPU time the judge measured from the moment each test process was handed its test
(the floor's quantity). ``--cprofile N`` prints the judge process's N most expensive functions (all threads).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import threading
import time

from _floor import proc_times, zygote_pids
from lcb_speed import load_workload

from codecritique.judge import engine
from codecritique.judge.engine import Judge, JudgeConfig, Submission
from codecritique.problems.model import Problem, Test

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workload", default="lcb", choices=("lcb", "trivial"))
    ap.add_argument("--limit", type=int, default=400)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--checker", default="default")
    ap.add_argument("--cprofile", type=int, default=0)
    args = ap.parse_args()
    if args.workload == "lcb":
        subs = [Submission(p, c) for p, c in load_workload(1, args.limit)]
        cfg = JudgeConfig(workers=args.workers, checker=args.checker)
    else:
        p = Problem(id="trivial", tests=[Test("stdin", f"{i}\n", f"{i}\n") for i in range(args.limit)])
        subs = [Submission(p, "print(input())\n")]
        cfg = JudgeConfig(workers=1, all_tests=True, checker=args.checker)
    profiles = []
    if args.cprofile:
        loop = engine.Judge._worker_loop

        def profiled(self, *a):
            prof = cProfile.Profile()
            profiles.append(prof)
            prof.enable()
            try:
                return loop(self, *a)
            finally:
                prof.disable()

        engine.Judge._worker_loop = profiled
    with Judge(cfg) as judge:
        judge.run([Submission(Problem(id="warm", tests=subs[0].problem.tests[:1]), "print(1)")])
        profiles.clear()
        zyg = zygote_pids(judge)
        before = {p: proc_times(p) for p in zyg}
        me0 = os.times()
        main_prof = cProfile.Profile() if args.cprofile else None
        if main_prof:
            main_prof.enable()
        t0 = time.perf_counter()
        results = judge.run(subs)
        wall = time.perf_counter() - t0
        if main_prof:
            main_prof.disable()
        me1 = os.times()
        after = {p: proc_times(p) for p in zyg}
        timing, stats = dict(judge.timing), dict(judge.stats)
    n_tests = stats["tests_run"] - 1
    judge_cpu = (me1.user - me0.user) + (me1.system - me0.system)
    zyg_self = sum(after[p][0] - before[p][0] for p in zyg)
    zyg_children = sum(after[p][1] - before[p][1] for p in zyg)
    solution = sum(t.cpu_time for r in results for t in r.test_results)
    n = len(subs) if args.workload == "lcb" else n_tests
    unit = "sample" if args.workload == "lcb" else "test"
    print(f"{len(subs)} submissions, {n_tests} tests, {args.workers} workers, checker {args.checker}: wall {wall:.2f} s "
          f"(load {os.getloadavg()[0]:.2f})")
    rows = [("judge process (all threads)", judge_cpu), ("zygotes and fork servers (own work)", zyg_self),
            ("test processes: set-up + teardown", max(0.0, zyg_children - solution)),
            ("solutions' own (measured per test)", solution)]
    total = sum(v for _, v in rows)
    for name, v in rows:
        print(f"  {name:38s} {v:7.2f} s CPU  {1e3 * v / n:7.2f} ms/{unit}  {100 * v / total:5.1f}%")
    print(f"  {'total':38s} {total:7.2f} s CPU  {1e3 * total / n:7.2f} ms/{unit}   (wall x cores = "
          f"{wall * args.workers:.2f} s)")
    print("  judge's own accounting (wall, summed over tests):")
    for k, v in timing.items():
        print(f"    {k:13s} {1e3 * v / max(1, n_tests):8.3f} ms/test")
    if args.cprofile:
        s = io.StringIO()
        st = pstats.Stats(main_prof, stream=s)
        for prof in profiles:
            st.add(prof)
        st.sort_stats("tottime").print_stats(args.cprofile)
        print(s.getvalue())


if __name__ == "__main__":
    sys.exit(main())
