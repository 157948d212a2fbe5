"""DebugBench C++ through the C++ judge (issue 3, must-shows 1 and 2).

1. Every C++ record's statement examples are parsed into functional tests (with the accepted solution's method
   signature), our harness is generated, and the human accepted solution (``oracle_code``) is judged on its
   examples. Prints the counts and every record that fails, with the reason: a signature or example the generator
   cannot map, or the accepted solution failing an example (and why, where it is recognisable).
2. The same tests, written as one LiveCodeBench-CPP style harness per problem (literal arguments, comparison in
   C++, pass iff exit 0), judge the accepted and the buggy solutions again; the verdicts of the two harness styles
   are compared solution by solution, and every disagreement is printed.

    .venv/bin/python benchmarks/debugbench_cpp.py [--data ../shared/data/debugbench] [--limit N] [--pairs N] [--workers N]

Skips (exit 0, with a message) when the data is absent.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from pathlib import Path

from codecritique.judge.cpp_harness import Unmappable, check_test, lcb_style_harness, lcb_style_prefix, \
    problem_signature
from codecritique.judge.engine import Judge, JudgeConfig, Submission
from codecritique.judge.verdict import SampleResult, Verdict
from codecritique.problems.debugbench import problem_from_debugbench, read_debugbench
from codecritique.problems.model import Problem, Test

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "debugbench"


MULTI_ANSWER = re.compile(r"any order|return any\b|any of them|any valid|multiple (?:valid )?(?:answers|solutions)|"
                          r"if there are (?:multiple|several)", re.I)


def explain(problem: Problem, res: SampleResult) -> str:
    """Why an accepted solution fails its own example, where that can be told from the statement or the verdict."""
    if res.verdict is Verdict.WA and MULTI_ANSWER.search(problem.statement):
        return "several answers are valid (the statement accepts any of them); the example shows another one"
    if res.verdict is Verdict.RE and ("SIGSEGV" in res.message or "SIGABRT" in res.message):
        return "the accepted solution crashes under g++: undefined behaviour that LeetCode's build survived"
    return "unexplained"


def explain_unparsed(reason: str, oracle: str) -> str:
    if "design problem" in reason:
        return "a design problem: examples are sequences of calls on an object, not one method call"
    if "do not match the parameters" in reason and re.search(r"\([^()]*\w\s*=[^=][^()]*\)\s*\{", oracle):
        return "the accepted solution adds a parameter with a default value, so its arity differs from the examples'"
    return "unexplained"


def lcb_style_problem(problem: Problem) -> Problem | str:
    """The problem's tests as one LiveCodeBench-CPP style program test, or why that cannot be written."""
    try:
        sig = problem_signature(problem)
        for t in problem.tests:
            check_test(sig, t)
        harness = lcb_style_harness(sig, problem.tests)
    except Unmappable as e:
        return str(e)
    return Problem(id=problem.id + "#lcb-style", tests=[Test("program", harness)], title=problem.title,
                   metadata={"program_prefix": lcb_style_prefix(sig), "language": "cpp"})


def outcome_class(res: SampleResult) -> str:
    """What both harness styles can tell apart: pass, compile error, time limit, other failure."""
    if res.verdict is Verdict.AC:
        return "pass"
    return {Verdict.CE: "CE", Verdict.TLE: "TLE", Verdict.SE: "SE"}.get(res.verdict, "fail")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=0, help="only the first N records (0: all)")
    ap.add_argument("--pairs", type=int, default=0,
                    help="part 2 on the first N judged records only (0: all; each needs 4 compiles)")
    ap.add_argument("--workers", type=int, default=0)
    ap.add_argument("--cache", default=None, help="C++ binary cache directory (default: the judge's)")
    args = ap.parse_args()
    if not args.data.is_dir():
        print(f"SKIP: DebugBench data not found at {args.data}")
        return 0
    records = read_debugbench(args.data, "cpp")
    if args.limit:
        records = records[: args.limit]
    problems = [problem_from_debugbench(r) for r in records]
    by_id = {r.id: r for r in records}

    print(f"== 1. examples -> tests -> our harness, accepted solutions ({len(records)} C++ records, "
          f"{len({r.slug for r in records})} problems)")
    statuses = Counter(p.metadata["samples"]["status"] for p in problems)
    print(f"examples parsed: {statuses['found']} records; not parsed: "
          f"{sum(v for k, v in statuses.items() if k != 'found')} ({dict(statuses)})")
    failures: list[tuple[str, str, str]] = []  # (slug, record ids, reason)
    unparsed: dict[tuple[str, str], list[str]] = {}  # (slug, reason) -> record ids
    for p in problems:
        s = p.metadata["samples"]
        if s["status"] != "found":
            why = f"examples not parsed ({s['status']}): {s['reason']} -- " + \
                explain_unparsed(s["reason"], by_id[p.id].oracle_code)
            unparsed.setdefault((p.title, why), []).append(p.id)
    judged = [p for p in problems if p.tests]
    cfg = JudgeConfig(workers=args.workers, all_tests=True, cpp_cache=args.cache)
    t0 = time.monotonic()
    with Judge(cfg) as judge:
        oracle = judge.run([Submission(p, by_id[p.id].oracle_code, "cpp") for p in judged])
        t_oracle = time.monotonic() - t0
        passed = sum(r.verdict is Verdict.AC for r in oracle)
        tests = sum(len(p.tests) for p in judged)
        tests_ok = sum(r.tests_passed for r in oracle)
        print(f"accepted solutions judged: {len(judged)}; pass all their examples: {passed}; "
              f"examples passed: {tests_ok}/{tests}  ({t_oracle:.0f} s, {judge.stats['compiles']} compiles, "
              f"{judge.stats['compile_cache_hits']} cache hits)")
        print(f"OVERALL: {passed}/{len(records)} records pass ({100 * passed / max(1, len(records)):.1f}%); "
              f"{len(records) - passed} fail, every one listed below")
        for (slug, why), ids in sorted(unparsed.items()):
            failures.append((slug, f"{len(ids)} record(s)", why))
        for p, r in zip(judged, oracle):
            if r.verdict is not Verdict.AC:
                bad = next((t for t in r.test_results if t.verdict is not Verdict.AC), None)
                detail = f"{r.verdict.value} on example {bad.index + 1 if bad else '?'}: {r.message[:160]}"
                failures.append((p.title, p.id, f"{detail} -- {explain(p, r)}"))
        print("-- failures (problem | records | reason):")
        for slug, ids, reason in failures:
            print(f"  {slug} | {ids} | {reason.replace(chr(10), ' / ')}")
        reasons = Counter(reason.rsplit(" -- ", 1)[-1] for _, _, reason in failures)
        print("-- failures by explanation (problem entries):")
        for why, n in reasons.most_common():
            print(f"  {n:4d}  {why}")

        print("\n== 2. the same tests in LiveCodeBench-CPP's harness style vs ours (accepted and buggy solutions)")
        pairs = []  # (record, kind, our problem, lcb problem)
        skipped = Counter()
        for p in judged[: args.pairs] if args.pairs else judged:
            lp = lcb_style_problem(p)
            if isinstance(lp, str):
                skipped[lp] += 1
                continue
            for kind in ("oracle_code", "buggy_code"):
                pairs.append((by_id[p.id], kind, p, lp))
        for why, n in skipped.items():
            print(f"  not writable as literals: {n} record(s): {why}")
        t0 = time.monotonic()
        ours = judge.run([Submission(p, getattr(rec, kind), "cpp") for rec, kind, p, _ in pairs])
        theirs = judge.run([Submission(lp, getattr(rec, kind), "cpp") for rec, kind, _, lp in pairs])
        elapsed = time.monotonic() - t0
        agree = Counter()
        disagreements = []
        same_pass = Counter()
        for (rec, kind, _, _), a, b in zip(pairs, ours, theirs):
            ca, cb = outcome_class(a), outcome_class(b)
            agree[(kind, ca == cb)] += 1
            same_pass[(kind, (ca == "pass") == (cb == "pass"))] += 1
            if ca != cb:
                both = "both fail; " if "pass" not in (ca, cb) else ""
                disagreements.append((rec.id, kind, f"{both}ours {a.verdict.value} ({a.message[:100]}) vs "
                                                    f"LCB-style {b.verdict.value} ({b.message[:100]})"))
        for kind in ("oracle_code", "buggy_code"):
            same, diff = agree[(kind, True)], agree[(kind, False)]
            print(f"  {kind}: pass/fail agree on {same_pass[(kind, True)]}/{same + diff}; same verdict class "
                  f"(pass / CE / TLE / other failure) on {same}/{same + diff}")
        dist = Counter((k, outcome_class(a)) for (_, k, _, _), a in zip(pairs, ours))
        print(f"  verdicts (ours): {dict(sorted(dist.items()))}")
        print(f"  {len(pairs)} solutions x 2 harness styles in {elapsed:.0f} s; judge stats: {judge.stats}")
        print(f"-- disagreements: {len(disagreements)}")
        for rid, kind, why in disagreements:
            print(f"  {rid} [{kind}]: {why.replace(chr(10), ' / ')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
