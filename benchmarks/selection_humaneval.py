"""Selection strategies on the 164 x 100 CodeGen-16B HumanEval samples with CodeGen-16B's own generated tests
(CodeT's release), against the anchors measured with CodeT's released code on the same files:
random 22.1%, CodeT 36.8% (pass@1).

    python benchmarks/selection_humaneval.py [--out runs/selection-humaneval] [--tasks N] [--workers 2]

The judge's results are cached in OUT/executions.jsonl: a re-run judges nothing already judged. Completions are
cut at CodeT's stop sequences first, as CodeT does. Needs ../shared/data/humaneval (skips otherwise).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "humaneval"
PROBLEMS = DATA / "HumanEval.jsonl.gz"
SAMPLES = DATA / "codegen16b_samples.jsonl"
TESTS = DATA / "HumanEval_codegen16B_temp0.8_topp0.95_num100_max300_test_case.jsonl"
ANCHORS = {"random": 0.221, "codet": 0.368}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="runs/selection-humaneval")
    ap.add_argument("--tasks", type=int, default=None, help="first N problems only")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--execute-only", action="store_true", help="judge (and cache) only; no table")
    args = ap.parse_args()
    if not DATA.is_dir():
        print(f"skip: {DATA} not found (the shared HumanEval data)")
        return 0
    from codecritique.critique.select_command import SelectConfig, run_select
    from codecritique.critique.dual_execution import DualExecutionConfig

    cfg = SelectConfig(problems=str(PROBLEMS), generations=str(SAMPLES), generated_tests=str(TESTS),
                       out=args.out, truncate=True, tasks=args.tasks,
                       execution=DualExecutionConfig(workers=args.workers))
    t = time.perf_counter()

    def progress(pid: str, done: int, total: int) -> None:
        el = time.perf_counter() - t
        print(f"[{el:7.0f}s] {done}/{total} problems judged ({pid})", file=sys.stderr, flush=True)

    result = run_select(cfg, on_problem=progress, execute_only=args.execute_only)
    if args.execute_only:
        return 0
    from codecritique.report.selection_table import format_selection_table

    print(format_selection_table(result))
    print()
    for name, anchor in ANCHORS.items():
        ours = result.pass_at_1(name)
        if ours is not None:
            print(f"anchor {name:8s} CodeT's code {anchor:.1%}  ours {ours:.1%}  diff {100 * (ours - anchor):+.1f} pt")
    print(f"wall time {time.perf_counter() - t:.0f} s (machine shared with other work)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
