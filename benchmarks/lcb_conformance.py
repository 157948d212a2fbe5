"""Does ``--checker lcb`` / ``lcb-current`` judge like LiveCodeBench's own grader? Every stdin idiom of the judge's
tests (tests/judge/test_lcb_defects.py's rows and tests/judge/test_python_semantics.py's idioms, the expected output
being what ``python3 solution.py < input`` prints), judged by ours and by the fetched lcb_runner of each version,
pass/fail compared row by row; every difference is listed.

* ``lcb``: LiveCodeBench@15808c7 (January 2025), ``--lcb-jan DIR`` (default ``../lcb-jan``);
* ``lcb-current``: LiveCodeBench@28fef95 (July 2025), ``--lcb-official DIR`` (default ``../lcb-official``).

Each folder holds that commit's ``lcb_runner/`` (``git archive <commit> lcb_runner``) and a ``.venv/`` with numpy,
pandas and tqdm (one venv serves both: a symlink). A version whose folder is missing is skipped.

    python benchmarks/lcb_conformance.py [--lcb-jan DIR] [--lcb-official DIR]
"""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from lcb_speed import run_official

from codecritique.judge.engine import Judge, JudgeConfig, Submission
from codecritique.judge.sandbox import CLEAN_ENV
from codecritique.problems.model import Problem, Test

ROOT = Path(__file__).resolve().parents[1]


def rows() -> list[tuple[str, str, str]]:
    """(name, code, input) of every stdin idiom the judge's tests hold."""
    sys.path.insert(0, str(ROOT))  # the test modules import their package's conftest
    defects = importlib.import_module("tests.judge.test_lcb_defects")
    semantics = importlib.import_module("tests.judge.test_python_semantics")
    out = [(f"defect:{k}", v[0], v[1]) for k, v in sorted(defects.CASES.items())]
    out += [(f"idiom:{k}", v[0], v[1]) for k, v in sorted(semantics.IDIOMS.items())]
    return out


def python3_output(code: str, stdin: str) -> str:
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "solution.py")
        Path(path).write_text(code)
        r = subprocess.run([sys.executable, path], input=stdin.encode(), capture_output=True, cwd=d, timeout=30,
                           env=dict(CLEAN_ENV))
    return r.stdout.decode("utf-8", "replace")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lcb-jan", type=Path, default=ROOT.parent / "lcb-jan")
    ap.add_argument("--lcb-official", type=Path, default=ROOT.parent / "lcb-official")
    args = ap.parse_args()
    work = []
    for name, code, stdin in rows():
        expected = python3_output(code, stdin)
        work.append((name, Problem(id=name, tests=[Test("stdin", stdin, expected)]), code))
    print(f"{len(work)} stdin idioms, expected output: python3's")
    for checker, folder in (("lcb", args.lcb_jan), ("lcb-current", args.lcb_official)):
        official = run_official([(p, code) for _, p, code in work], 2, folder)
        if official is None:
            print(f"  --checker {checker}: SKIPPED ({folder} has no lcb_runner/ and .venv/)")
            continue
        with Judge(JudgeConfig(workers=2, checker=checker, time_limit=6)) as judge:
            ours = judge.run([Submission(p, code) for _, p, code in work])
        differ = [(name, r, o) for (name, _, _), r, o in zip(work, ours, official[1]) if r.passed != o]
        print(f"  --checker {checker} against {folder.name}: {len(work) - len(differ)}/{len(work)} agree")
        for name, r, o in differ:
            print(f"      {name}: ours {r.verdict.value}, lcb_runner {'pass' if o else 'fail'}  {r.message[:90]!r}")


if __name__ == "__main__":
    sys.exit(main())
