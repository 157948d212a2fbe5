"""A LiveCodeBench-like workload, side by side in one run: codecritique (``--checker default`` and ``--checker lcb``)
against LiveCodeBench's official grader and against the floor (issue 14, must-show 1).

Workload: the official O1-Mini and O1-Preview generations on release_v5 (../shared/data/lcb-submissions: 1,760 fresh
solutions, stdin and LeetCode-style functional), each judged on its problem's statement samples (the hub's tests are
not in the shared data): ``--tests 1`` (default) takes the first sample only, ``--tests 0`` every sample.

* **ours**: ``Judge(JudgeConfig(workers=W))`` (full isolation) and the same with ``checker="lcb"`` (the grader of
  the leaderboard runs) and ``checker="lcb-current"`` (the version the official grader below is fetched at, so its
  agreement is the one to expect to be exact).
* **official**: LiveCodeBench's own ``lcb_runner.evaluation.codegen_metrics`` (``num_process_evaluate=W``,
  ``timeout=6``) in its own venv, fetched outside this repository (``--lcb-official DIR``, default
  ``../lcb-official``: a folder holding ``lcb_runner/`` of LiveCodeBench@28fef95, e.g. from ``git archive 28fef95
  lcb_runner``, and ``.venv/`` with numpy, pandas and tqdm). Skipped
  cleanly when absent.
* **floor**: the solutions' own CPU time (see ``_floor.py``: compile + run of each test the judge ran, in a bare
  fork server, no isolation) divided by the number of cores used: no judge can finish sooner.

Prints wall seconds, the ratios, and pass/fail agreement of each of our modes with the official grader.

    python benchmarks/lcb_speed.py [--workers 2] [--tests 1] [--limit N] [--skip-official] [--rounds 1]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import resource

from _floor import judge_cpu, solution_cpu_times

from codecritique.judge.engine import Judge, JudgeConfig, Submission
from codecritique.problems.lcb import read_lcb_eval_all
from codecritique.problems.model import Problem

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "lcb-submissions"

OFFICIAL_DRIVER = r"""
import json, sys, time
from lcb_runner.evaluation.compute_code_generation_metrics import codegen_metrics
with open(sys.argv[1]) as f:
    work = json.load(f)
samples = [{"input_output": json.dumps(w["io"])} for w in work]
t = time.perf_counter()
metrics, results, _ = codegen_metrics(samples, [[w["code"]] for w in work], k_list=[1],
                                      num_process_evaluate=int(sys.argv[2]), timeout=6)
elapsed = time.perf_counter() - t
passed = [bool(all(r is True or r == 1 for r in results[i][0])) for i in range(len(work))]
print(json.dumps({"elapsed": elapsed, "passed": passed}))
"""


def load_workload(tests: int, limit: int) -> list[tuple[Problem, str]]:
    out = []
    for d in sorted(DATA.iterdir()):
        path = d / "Scenario.codegeneration_1_0.2_eval_all.json"
        if not path.exists():
            continue
        problems = {p.id: p for p in read_lcb_eval_all(path, with_samples=True)}
        with open(path) as f:
            for rec in json.load(f):
                p, code = problems[rec["question_id"]], rec["code_list"][0]
                if not p.tests or not code.strip():
                    continue
                if tests:
                    p.tests = p.tests[:tests]
                p.id = f"{p.id}@{d.name}"  # one job per (model, problem)
                out.append((p, code))
    return out[:limit] if limit else out


def run_ours(workload, workers: int, checker: str):
    subs = [Submission(p, code) for p, code in workload]
    with Judge(JudgeConfig(workers=workers, checker=checker)) as judge:
        judge.run([Submission(Problem(id="warm", tests=workload[0][0].tests), "print(1)")])  # start the sandboxes
        c, t = judge_cpu(judge), time.perf_counter()
        results = judge.run(subs)
        elapsed, cpu = time.perf_counter() - t, judge_cpu(judge) - c
        return elapsed, cpu, results, judge.isolation, dict(judge.stats)


def run_official(workload, workers: int, root: Path) -> tuple[float, list[bool], float] | None:
    python = root / ".venv" / "bin" / "python"
    if not (root / "lcb_runner").is_dir() or not python.exists():
        return None
    work = []
    for p, code in workload:
        io = {"inputs": [t.input for t in p.tests], "outputs": [t.output for t in p.tests]}
        if p.tests[0].kind == "functional":
            io["fn_name"] = p.tests[0].fn_name or p.fn_name
        work.append({"io": io, "code": code})
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "work.json")
        with open(path, "w") as f:
            json.dump(work, f)
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": d, "PYTHONPATH": str(root),
               "TQDM_DISABLE": "1"}
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        # stdin at end of file, as under a batch scheduler (what --checker lcb assumes; a terminal would block)
        r = subprocess.run([str(python), "-c", OFFICIAL_DRIVER, path, str(workers)], capture_output=True, text=True,
                           env=env, cwd=d, stdin=subprocess.DEVNULL)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        raise RuntimeError(f"the official grader failed: {r.stderr[-2000:]}")
    res = json.loads(r.stdout.strip().splitlines()[-1])
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime  # its whole run, imports included
    return res["elapsed"], res["passed"], cpu


def floor_jobs(workload, results) -> list[dict]:
    """The tests our default mode ran (it stops at the first failure, as lcb_runner does), each distinct (code, test)
    once (the two models wrote the same code for ~10 problems: a judge may run it once; ours, keyed by problem id
    here, runs it twice, so this floor is a little below what ours had to run)."""
    jobs, seen = [], set()
    for (p, code), r in zip(workload, results):
        functional = p.tests[0].kind == "functional"
        for t in p.tests[:max(1, r.tests_run)]:
            key = (code, t.kind, t.input, t.fn_name or p.fn_name)
            if key not in seen:
                seen.add(key)
                jobs.append({"code": code, "kind": t.kind, "input": t.input, "fn_name": key[3], "prelude": functional,
                             "cpu": 6})
    return jobs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--tests", type=int, default=1, help="statement samples per solution (0: all)")
    ap.add_argument("--limit", type=int, default=0, help="only the first N solutions")
    ap.add_argument("--lcb-official", type=Path, default=ROOT.parent / "lcb-official")
    ap.add_argument("--skip-official", action="store_true")
    ap.add_argument("--checkers", default="default,lcb,lcb-current")
    ap.add_argument("--show-disagreements", type=int, default=0, metavar="N",
                    help="list the first N solutions each mode judges differently from the official grader")
    args = ap.parse_args()
    if not DATA.is_dir():
        print(f"SKIP: {DATA} not found")
        return
    workload = load_workload(args.tests, args.limit)
    n_tests = sum(len(p.tests) for p, _ in workload)
    kinds = sum(p.tests[0].kind == "functional" for p, _ in workload)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} (before); workers={args.workers}")
    print(f"workload: {len(workload)} fresh solutions ({kinds} functional, {len(workload) - kinds} stdin), "
          f"{n_tests} tests ({n_tests / len(workload):.2f} per solution)")

    ours = {}
    for checker in args.checkers.split(","):
        elapsed, cpu, results, isolation, stats = run_ours(workload, args.workers, checker)
        ours[checker] = (elapsed, results, cpu)
        print(f"  ours --checker {checker:8s} {elapsed:7.1f} s  {len(workload) / elapsed:6.1f} samples/s  "
              f"{cpu:7.1f} CPU-s  {sum(r.passed for r in results)} pass  ({isolation}; {stats['tests_run']} tests)")
    official = None
    if not args.skip_official:
        official = run_official(workload, args.workers, args.lcb_official)
        if official is None:
            print(f"  official grader: SKIPPED ({args.lcb_official} has no lcb_runner/ and .venv/)")
        else:
            print(f"  official lcb_runner      {official[0]:7.1f} s  {len(workload) / official[0]:6.1f} samples/s  "
                  f"{official[2]:7.1f} CPU-s  {sum(official[1])} pass")
    base = next(iter(ours.values()))[1]
    cpu = solution_cpu_times(floor_jobs(workload, base), workers=args.workers)
    cores = min(args.workers, os.cpu_count() or 1)
    floor = sum(cpu) / cores
    print(f"  floor: solutions' own CPU {sum(cpu):.1f} s / {cores} cores = {floor:.1f} s")
    print(f"load average {os.getloadavg()[0]:.2f} (after)")

    print("\nratios, same run (wall time; in brackets CPU time, which other users of a loaded machine distort less):")
    for checker, (elapsed, results, cpu_ours) in ours.items():
        line = f"  --checker {checker:8s}: {elapsed / floor:5.2f}x the floor [{cpu_ours / sum(cpu):5.2f}x]"
        if official:
            line += f", official/ours = {official[0] / elapsed:5.2f}x [{official[2] / cpu_ours:5.2f}x]"
        print(line)
    for lcb in ("lcb", "lcb-current"):
        if lcb in ours and "default" in ours:
            print(f"  --checker {lcb} / default: {ours[lcb][0] / ours['default'][0]:.2f}x "
                  f"[{ours[lcb][2] / ours['default'][2]:.2f}x]")
    if official:
        print("\nagreement with the official grader (pass/fail per solution):")
        for checker, (_, results, _) in ours.items():
            same = sum(r.passed == o for r, o in zip(results, official[1]))
            print(f"  --checker {checker:8s}: {same}/{len(workload)}")
            differ = [(p.id, r) for (p, _), r, o in zip(workload, results, official[1]) if r.passed != o]
            for pid, r in differ[:args.show_disagreements]:
                print(f"      {pid}: ours {r.verdict.value}{' (pass)' if r.passed else ''}, official "
                      f"{'fail' if r.passed else 'pass'}  {(r.message or '')[:100]!r}")
    # the judge's own per-sample overhead in CPU terms: everything beyond the floor, over all cores
    for checker, (elapsed, _, cpu_ours) in ours.items():
        print(f"  judge overhead --checker {checker}: {1e3 * (cpu_ours - sum(cpu)) / len(workload):.1f} ms of CPU "
              f"per sample beyond the solutions' own ({1e3 * (elapsed * cores - sum(cpu)) / len(workload):.1f} "
              f"ms of wall x cores)")


if __name__ == "__main__":
    sys.exit(main())
