"""Do the human solutions of the CodeContests problems pass their own tests? A no-false-reject check of the judge
on real accepted code: every failure is printed with the evidence needed to explain it.

    python benchmarks/codecontests_human.py [--data ../shared/data] [--workers 2] [--time-limit 10]
    python benchmarks/codecontests_human.py --differential   # plain python3 vs the judge, solution by solution

Data: codecontests/codecontests_155_problems.jsonl (justinchiu-test/codecontests-repo packed: 155 records, each a
problem with <= 10 of its CodeContests tests and one accepted Python 3 solution). Records that are not problems are
listed and skipped. Every solution runs on every test (--all-tests) under the default checker (tokens, 1e-6 float
tolerance). For each failing solution it prints the verdict, every failing test with the checker's message and,
where the statement shows why one expected output cannot be the only right answer ("print any", "if there are
several answers", ...), that sentence: such a problem needs a checker, not a comparison. Exits 0 (it reports; it does
not assert); skips (exit 0, with a message) when the data is absent.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import tempfile
import re
import sys
import time
from collections import Counter
from pathlib import Path

from codecritique.judge.engine import Judge, JudgeConfig, Submission
from codecritique.judge.sandbox import CLEAN_ENV
from codecritique.judge.verdict import Verdict
from codecritique.problems.answers import several_answers_sentence
from codecritique.problems.codecontests import read_codecontests_repo

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
FILE = Path("codecontests") / "codecontests_155_problems.jsonl"

def several_answers(statement: str) -> str | None:
    """The sentence of the statement saying that several outputs are accepted, if any (the loader's detection,
    codecritique.problems.answers, which also marks the problem), or one allowing an error tolerance."""
    return several_answers_sentence(statement) or _tolerance(statement)


def _tolerance(statement: str) -> str | None:
    m = re.search(r"[^.\n]*\b(?:absolute|relative)\s+(?:or\s+relative\s+)?error\b[^.\n]*", statement, re.I)
    return " ".join(m.group(0).split()) if m else None


_YES_NO = {"yes", "no"}
_MODULI = (10**9 + 7, 998244353, 10**9 + 9)


# Hand-checked explanations for failures the statement text does not explain by itself.
KNOWN = {
    "1521_d_nastia_plays_with_a_tree_11693":
        "only k, the number of operations, is determined; the operations themselves are not unique, and the "
        "expected output shows one sequence (Codeforces judges the problem with a checker)",
}


def plain_run(code: str, test_input: str, timeout: float = 60.0) -> tuple[int | None, str, str]:
    """Run the solution as ``python3 solution.py < input`` with no sandbox: (exit code or None on timeout, stdout,
    stderr). The code is the dataset's human solution."""
    with tempfile.TemporaryDirectory(prefix="cc-human-") as d:
        path = os.path.join(d, "solution.py")
        Path(path).write_text(code, encoding="utf-8")
        try:
            r = subprocess.run([sys.executable, path], input=test_input.encode(), capture_output=True,
                               timeout=timeout, cwd=d)
        except subprocess.TimeoutExpired:
            return None, "", ""
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


def limited_plain_pass(code: str, tests, cpu: float, memory_mb: int, checker) -> bool:
    """Whether ``python3 solution.py < input`` passes every test under the judge's limits (CPU, address space) and
    its checker, with no sandbox: the reference of the differential check."""
    import resource

    def limits():
        resource.setrlimit(resource.RLIMIT_CPU, (int(cpu) + 1, int(cpu) + 2))
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))

    env = dict(CLEAN_ENV)  # what the judge's sandbox gives a solution (its PYTHONHASHSEED too)
    with tempfile.TemporaryDirectory(prefix="cc-plain-") as d:
        path = os.path.join(d, "solution.py")
        Path(path).write_text(code, encoding="utf-8")
        for t in tests:
            inp = os.path.join(d, "input.txt")  # a regular file, as with `< input` (fstat sizes, seeking)
            Path(inp).write_text(t.input, encoding="utf-8", errors="surrogateescape")
            try:
                with open(inp, "rb") as fin:
                    r = subprocess.run([sys.executable, path], stdin=fin, stdout=subprocess.PIPE,
                                       stderr=subprocess.DEVNULL, timeout=3 * cpu + 2, cwd=d, env=env,
                                       preexec_fn=limits)
            except subprocess.TimeoutExpired:
                return False
            if r.returncode != 0 or not checker.compare(t.input, t.output, r.stdout.decode("utf-8", "replace"))[0]:
                return False
    return True


def differential(problems, code, args) -> int:
    """Plain python3 and the judge on every solution, with the same limits: both counts, and every disagreement."""
    from concurrent.futures import ThreadPoolExecutor

    from codecritique.judge.checkers import get_checker
    from codecritique.judge.config import PER_PROBLEM_CHECKERS
    from codecritique.judge.limits import DEFAULT_MEMORY_MB, DEFAULT_TIME_LIMIT

    cpu, mem = args.time_limit or DEFAULT_TIME_LIMIT, DEFAULT_MEMORY_MB
    checker = get_checker(args.checker)
    t0 = time.perf_counter()
    def checker_of(p):  # the judge's own choice: a problem's builtin comparison under the default checker
        return get_checker(p.checker) if args.checker == "default" and p.checker in PER_PROBLEM_CHECKERS else checker

    with ThreadPoolExecutor(args.workers) as pool:
        plain = list(pool.map(lambda p: limited_plain_pass(code[p.id], p.tests, cpu, mem, checker_of(p)), problems))
    t_plain = time.perf_counter() - t0
    t0 = time.perf_counter()
    with Judge(JudgeConfig(checker=args.checker, workers=args.workers, time_limit=cpu, memory_mb=mem)) as judge:
        results = judge.run([Submission(p, code[p.id]) for p in problems])
        isolation = judge.isolation
    t_judge = time.perf_counter() - t0
    judged = [r.passed for r in results]
    print(f"\ndifferential ({len(problems)} solutions, {cpu:g} s CPU, {mem} MiB, checker {args.checker}, "
          f"judge {isolation}):")
    print(f"  pass under plain python3: {sum(plain)}   ({t_plain:.1f} s)")
    print(f"  pass in the judge:        {sum(judged)}   ({t_judge:.1f} s)")
    differ = [(p, a, b, r) for p, a, b, r in zip(problems, plain, judged, results) if a != b]
    for p, a, b, r in differ:
        print(f"  DIFFERENT {p.id}: plain {'pass' if a else 'fail'}, judge {r.verdict}: {r.message[:200]}")
    print(f"  disagreements: {len(differ)}")
    return 1 if differ else 0


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def why_different(statement: str, expected: str, actual: str) -> str:
    """Why an output the default checker rejects may still be right, or "" if nothing explains it."""
    exp, act = expected.split(), actual.split()
    if len(exp) == len(act) and exp != act and all(
            e == a or (e.lower() == a.lower() and e.lower() in _YES_NO) for e, a in zip(exp, act)):
        return "only the case of YES/NO differs (Codeforces checkers compare these words case-insensitively)"
    exp_lines = [" ".join(line.split()) for line in expected.strip().splitlines()]
    act_lines = [" ".join(line.split()) for line in actual.strip().splitlines()]
    if exp_lines != act_lines and sorted(exp_lines) == sorted(act_lines):
        return "the same lines in another order (the answer is a set: any order is accepted)"
    if len(exp) == len(act) and all(e == a or _same_residue(e, a) for e, a in zip(exp, act)):
        return "a residue printed as x + M instead of x (0 <= x < M is required): the solution's output is wrong"
    if sentence := several_answers(statement):
        return f"several answers are accepted and the test shows one of them: \"{sentence}\""
    return ""


def _same_residue(e: str, a: str) -> bool:
    if not (e.lstrip("-").isdigit() and a.lstrip("-").isdigit()):
        return False
    return any(int(e) % m == int(a) % m for m in _MODULI)


def explain_failure(problem, result, code: str) -> list[str]:
    """One line per failing test: what plain python3 does on it, and why the expected output is not the only
    answer (or why the solution cannot be right)."""
    lines = []
    for t in result.test_results:
        if t.verdict is Verdict.AC:
            continue
        test = problem.tests[t.index]
        if t.verdict is Verdict.TLE:
            lines.append(f"test {t.index}: TLE ({t.message})")
            continue
        rc, out, err = plain_run(code, test.input)
        same = "byte-identical output" if digest(out) == t.output_digest else "different output"
        where = f"test {t.index}: {t.verdict}; plain python3 outside the judge: exit {rc}, {same}"
        if rc not in (0, None):
            last = err.strip().splitlines()[-1] if err.strip() else ""
            mismatch = re.search(r"ValueError: (invalid literal for int|not enough values to unpack|too many values)",
                                 last)
            note = ("the solution cannot parse this test's input: the solution and the tests of this record are "
                    "for different input formats") if mismatch else "the solution crashes on this test"
            lines.append(f"{where}: {last[:120]}\n      -> {note}")
            continue
        reason = why_different(problem.statement, test.output, out) or KNOWN.get(problem.id) or (
            "the packed solution is wrong on this test: the same output without the judge, and nothing in the "
            "statement allows another answer")
        lines.append(f"{where}\n      -> {reason}")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--time-limit", type=float, default=None,
                    help="CPU seconds per test (default: the judge's, 6 s; the packed file has no limits)")
    ap.add_argument("--retry-time-limit", type=float, default=30.0,
                    help="CPU seconds for re-judging the solutions that exceeded the limit")
    ap.add_argument("--checker", default="default")
    ap.add_argument("--only", default="", help="comma-separated problem ids (default: all)")
    ap.add_argument("--differential", action="store_true",
                    help="count the solutions passing under plain python3 and in the judge (same limits); exit 1 "
                         "if any solution passes in one and not the other")
    args = ap.parse_args()
    path = args.data / FILE
    if not path.exists():
        print(f"skipped: {path} is absent")
        return 0
    skipped: list[tuple[int, str, str]] = []
    problems = read_codecontests_repo(path, skipped)
    if args.only:
        problems = [p for p in problems if p.id in set(args.only.split(","))]
    print(f"{path}: {len(problems) + len(skipped)} records, {len(problems)} problems, {len(skipped)} skipped")
    for line, pid, why in skipped:
        print(f"  line {line}: {pid}: {why}")
    code = {p.id: p.metadata["solutions"][0]["code"] for p in problems}
    if args.differential:
        return differential(problems, code, args)
    subs = [Submission(p, code[p.id], "python", tag=p.id) for p in problems]
    cfg = JudgeConfig(checker=args.checker, all_tests=True, workers=args.workers, time_limit=args.time_limit)
    t0 = time.perf_counter()
    with Judge(cfg) as judge:
        results = judge.run(subs)
        isolation = judge.isolation
    elapsed = time.perf_counter() - t0
    n_tests = sum(len(p.tests) for p in problems)
    passed = sum(r.passed for r in results)
    print(f"\njudge: checker={args.checker}, time limit={cfg.time_limit or 'default'}, isolation={isolation}, "
          f"{args.workers} workers, {elapsed:.1f} s")
    print(f"solutions passing all their tests: {passed}/{len(problems)}; "
          f"tests passed: {sum(r.tests_passed for r in results)}/{n_tests}")
    print("verdicts:", dict(Counter(r.verdict.value for r in results)))
    ci = [p.id for p in problems if p.checker == "case-insensitive"]
    marked = {p.id for p in problems if p.metadata.get("several_answers")}
    print(f"statements read by the loader: {len(ci)} accept any letter case (compared case-insensitively), "
          f"{len(marked)} accept any of several answers (marked as needing a special checker)")

    slow = [(p, r) for p, r in zip(problems, results) if r.verdict is Verdict.TLE]
    retried = {}
    if slow:
        cfg2 = JudgeConfig(checker=args.checker, all_tests=True, workers=args.workers,
                           time_limit=args.retry_time_limit)
        with Judge(cfg2) as judge:
            for (p, _), r in zip(slow, judge.run([Submission(p, code[p.id]) for p, _ in slow])):
                retried[p.id] = r
    failures = [(p, r) for p, r in zip(problems, results) if not r.passed]
    categories: Counter[str] = Counter()
    for p, r in failures:
        print(f"\n-- {p.id} ({p.title}, difficulty {p.difficulty or '?'}): {r.verdict}, "
              f"{r.tests_passed}/{r.tests_total} tests pass")
        if p.id in retried:
            r2 = retried[p.id]
            print(f"   with {args.retry_time_limit:g} s CPU per test: {r2.verdict}, {r2.tests_passed}/{r2.tests_total}"
                  f" tests pass, max {r2.cpu_time:.1f} s CPU")
            if r2.passed:
                categories["slow CPython: passes with a larger time limit"] += 1
                continue
            worst = max(t.cpu_time for t in r2.test_results if t.verdict is Verdict.TLE)
            print(f"   -> too slow in CPython: still over the limit after {worst:.1f} s CPU on a test (the problem's "
                  f"limit is 1-2 s; Codeforces Python submissions are often accepted under PyPy, which this judge "
                  f"does not run)")
            categories["too slow in CPython (> 20 s CPU on a test)"] += 1
            continue
        notes = explain_failure(p, r, code[p.id])
        for note in notes:
            print("   " + note)
        text = " ".join(notes)
        if p.id in marked and r.verdict is Verdict.WA:
            print(f"   -> marked by the loader as needing a special checker: \"{p.metadata['several_answers']}\"")
            categories["statement accepts several answers: marked as needing a special checker"] += 1
            continue
        categories["several answers / order / case: needs a checker" if any(
            k in text for k in ("several answers", "another order", "case of YES/NO", "not unique")) else
                   "solution and tests do not match (input format)" if "different input formats" in text else
                   "the packed solution is wrong (same output without the judge)"] += 1
    print("\nfailures by cause:", dict(categories))
    return 0


if __name__ == "__main__":
    sys.exit(main())
