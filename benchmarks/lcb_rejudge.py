"""Re-judge the official LiveCodeBench submissions of O1-Mini and O1-Preview (release_v5, 880 problems, N=1) on the
tests that can be rebuilt without the hub: the sample tests in the statements and the failing tests lcb_runner
logged. Two claims are checked and every exception is listed:

1. every generation the official grader passed passes its statement samples (default and lcb checkers);
2. every logged failure fails on its logged test under --checker lcb (and we say whether our verdict matches
   lcb_runner's error code: -2 WA, -3 TLE, -4 RE).

    python benchmarks/lcb_rejudge.py [--workers 2]
"""

from __future__ import annotations

import argparse
import ast
import collections
import json
import os
import time
from pathlib import Path

from codecritique.judge.engine import Judge, JudgeConfig, Submission
from codecritique.judge.verdict import Verdict
from codecritique.problems.lcb import read_lcb_eval_all
from codecritique.problems.model import Problem, Test

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SUBMISSIONS = DATA / "lcb-submissions"
FAILING = DATA / "lcb" / "lcb_observed_failing_tests.jsonl"
LCB_CODES = {-2: Verdict.WA, -3: Verdict.TLE, -4: Verdict.RE}


def load_runs() -> dict[str, tuple[dict[str, Problem], dict[str, tuple[str, bool]]]]:
    """model -> (problems with statement samples as tests, {question_id: (code, official pass)})."""
    runs = {}
    for d in sorted(SUBMISSIONS.iterdir()):
        path = d / "Scenario.codegeneration_1_0.2_eval_all.json"
        if not path.exists():
            continue
        problems = {p.id: p for p in read_lcb_eval_all(path, with_samples=True)}
        with open(path) as f:
            gens = {r["question_id"]: (r["code_list"][0], bool(r["graded_list"][0])) for r in json.load(f)}
        runs[d.name] = (problems, gens)
    return runs


def logged_test(rec: dict) -> Test | None:
    """lcb_runner logs functional inputs as the repr of the argument list and outputs as str(value); rebuild
    LiveCodeBench's raw format (one JSON value per line). None when the logged text cannot be rebuilt."""
    if rec["testtype"] == "stdin":
        return Test("stdin", rec["input"], rec["expected_output"])
    try:
        args = ast.literal_eval(rec["input"])
    except (ValueError, SyntaxError):
        return None
    try:
        expected = ast.literal_eval(rec["expected_output"])
    except (ValueError, SyntaxError):
        expected = rec["expected_output"]  # a str() of a string result has no quotes
    return Test("functional", "\n".join(json.dumps(a) for a in args), json.dumps(expected), fn_name=None)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--retry-time-limit", type=float, default=30.0,
                    help="CPU seconds for re-judging official passes that failed a sample by time")
    args = ap.parse_args()
    if not SUBMISSIONS.exists() or not FAILING.exists():
        print("skipped: ../shared/data/lcb-submissions or ../shared/data/lcb not found")
        return
    runs = load_runs()
    t0 = time.perf_counter()

    # ---- 1. official passes must pass the statement samples
    for checker in ("default", "lcb"):
        print(f"\n== statement samples, --checker {checker} ==")
        with Judge(JudgeConfig(workers=args.workers, checker=checker)) as judge:
            for model, (problems, gens) in runs.items():
                subs, meta = [], []
                for qid, (code, official) in gens.items():
                    p = problems[qid]
                    if p.tests:
                        subs.append(Submission(p, code))
                        meta.append((qid, official))
                res = judge.run(subs)
                n_off = sum(o for _, o in meta)
                bad = [(qid, r) for (qid, o), r in zip(meta, res) if o and not r.passed]
                caught = sum(1 for (qid, o), r in zip(meta, res) if not o and not r.passed)
                print(f"{model}: {len(subs)}/{len(gens)} problems with samples; official passes: {n_off}; "
                      f"of these failing a sample: {len(bad)}; official failures already caught by samples: "
                      f"{caught}/{len(subs) - n_off}")
                for qid, r in bad:
                    p = problems[qid]
                    print(f"   {qid} [{p.platform}] {r.verdict} test {r.failed_test}: {r.message[:150]}")
                slow = [qid for qid, r in bad if r.verdict is Verdict.TLE]
                if slow:  # timing only? the same code with a larger limit (this machine is slower than lcb's)
                    with Judge(JudgeConfig(workers=args.workers, checker=checker,
                                           time_limit=args.retry_time_limit)) as again:
                        for qid, r in zip(slow, again.run([Submission(problems[q], gens[q][0]) for q in slow])):
                            print(f"   {qid} with {args.retry_time_limit:g} s CPU: {r.verdict}, max "
                                  f"{max(t.cpu_time for t in r.test_results):.2f} s CPU on a test")

    # ---- 2. logged failures must fail under --checker lcb
    print("\n== logged failing tests, --checker lcb ==")
    with open(FAILING) as f:
        logged = [json.loads(line) for line in f]
    subs, meta, skipped = [], [], []
    for rec in logged:
        problems, gens = runs[rec["observed_in"]]
        test = logged_test(rec)
        if test is None or rec["question_id"] not in gens:
            skipped.append(rec)
            continue
        base = problems[rec["question_id"]]
        if test.kind == "functional":
            test.fn_name = base.fn_name
        p = Problem(id=f"{rec['question_id']}@log", tests=[test], platform=base.platform,
                    starter_code=base.starter_code, metadata=base.metadata)
        subs.append(Submission(p, gens[rec["question_id"]][0]))
        meta.append(rec)
    with Judge(JudgeConfig(workers=args.workers, checker="lcb")) as judge:
        res = judge.run(subs)
    agree = collections.Counter()
    passed = []
    for rec, r in zip(meta, res):
        want = LCB_CODES.get(rec["error_code"])
        if r.passed:
            passed.append((rec, r))
        agree[(rec["error_code"], r.verdict.value)] += 1
    print(f"{len(logged)} logged failures, {len(subs)} rebuilt, {len(skipped)} not rebuildable; "
          f"failing here: {len(subs) - len(passed)}/{len(subs)}")
    print("lcb_runner code -> our verdict:", dict(sorted(agree.items())))
    for rec, r in passed:
        print(f"   PASSES HERE: {rec['question_id']} ({rec['observed_in']}, code {rec['error_code']} "
              f"{rec['error_message'][:80]!r}): {r.verdict} {r.message[:100]}")
    for rec, r in zip(meta, res):
        want = LCB_CODES.get(rec["error_code"])
        if not r.passed and want is not None and r.verdict is not want:
            print(f"   other verdict: {rec['question_id']} lcb {rec['error_code']} {rec['error_message'][:60]!r} "
                  f"-> ours {r.verdict}: {r.message[:120]}")
    for rec in skipped:
        print(f"   not rebuildable: {rec['question_id']} input={rec['input'][:60]!r}")
    print(f"\n{time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
