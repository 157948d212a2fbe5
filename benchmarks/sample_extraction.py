"""Extract the sample tests of every LiveCodeBench statement and print found / not_found / ambiguous per platform.

    python benchmarks/sample_extraction.py [--data ../shared/data] [--quiet]

Datasets: lcb/lcb_release_v6_problems.jsonl (release_v6, 1055 statements) and each lcb-submissions/*/*_eval_all.json
(release_v5, 880 statements). For each it prints the table, every miss with its reason, and two independent checks
of the samples found: the number of tests equals the number of ``Sample Input k`` headings (stdin) or of
``Example k`` headings (LeetCode), and every LeetCode test has one argument line per parameter of the method.
Skips (exit 0, with a message) when the data folder is absent.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

from codecritique.problems.lcb import read_lcb, read_lcb_eval_all
from codecritique.problems.model import Problem
from codecritique.problems.samples import extract_samples, summarize_extraction
from codecritique.problems.signature import solution_signature

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
_SAMPLE_INPUT = re.compile(r"Sample Input \d+:?[ \t]*\r?$", re.IGNORECASE | re.M)  # a heading ends its line
_EXAMPLE = re.compile(r"^Example \d+:", re.M)


def check(problems: list[Problem]) -> list[str]:
    """Problems whose samples were found but fail an independent count check."""
    bad = []
    for p in problems:
        result = extract_samples(p.statement, platform=p.platform, starter_code=p.starter_code, fn_name=p.fn_name)
        if result.status != "found":
            continue
        if p.platform == "leetcode":
            expected = len(_EXAMPLE.findall(p.statement))
            n_params = len(solution_signature(p.starter_code, p.fn_name).params)
            if any(len(t.input.split("\n")) != n_params for t in result.tests):
                bad.append(f"{p.id}: a test has an argument count other than {n_params}")
        else:
            expected = len(_SAMPLE_INPUT.findall(p.statement))
        if expected and len(result.tests) != expected:
            bad.append(f"{p.id}: {len(result.tests)} tests for {expected} headings")
    return bad


def report(name: str, problems: list[Problem], quiet: bool) -> None:
    start = time.perf_counter()
    summary = summarize_extraction(problems)
    elapsed = time.perf_counter() - start
    print(f"\n== {name}: {len(problems)} statements, extracted in {elapsed:.2f} s")
    print(summary.table())
    if not quiet:
        for platform, pid, status, reason in summary.misses:
            print(f"  {status:<9} {platform:<10} {pid:<12} {reason}")
    bad = check(problems)
    print(f"count checks: {len(bad)} failed" + "".join(f"\n  {b}" for b in bad))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data folder (default: %(default)s)")
    parser.add_argument("--quiet", action="store_true", help="print the tables only, not every miss")
    args = parser.parse_args()
    v6 = args.data / "lcb" / "lcb_release_v6_problems.jsonl"
    eval_all = sorted(args.data.glob("lcb-submissions/*/*_eval_all.json"))
    if not v6.exists() and not eval_all:
        print(f"skipped: no LiveCodeBench data under {args.data}")
        return 0
    if v6.exists():
        report(str(v6.relative_to(args.data)), read_lcb(v6), args.quiet)
    for path in eval_all:
        report(str(path.relative_to(args.data)), read_lcb_eval_all(path), args.quiet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
