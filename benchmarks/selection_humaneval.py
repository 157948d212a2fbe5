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
    ap.add_argument("--codet-timeout", type=float, default=0.1,
                    help="also score every strategy with ground truth re-judged under this limit (CodeT's harness "
                         "gives the whole HumanEval check 0.1 s); 0: skip")
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
    from codecritique.metrics.bootstrap import bootstrap_ci95

    base = [result.picks["codet"][p].p_pass for p in result.problems]
    diffs = {name: [result.picks[name][p].p_pass - b for p, b in zip(result.problems, base)]
             for name in result.picks if name != "codet"}
    ci = bootstrap_ci95(diffs, 1000, "codet-diff")
    for name, col in diffs.items():
        print(f"{name:12s} - codet: {100 * sum(col) / len(col):+5.1f} pt, paired 95% CI "
              f"[{100 * ci[name][0]:+.1f}, {100 * ci[name][1]:+.1f}]")
    print()
    for name, anchor in ANCHORS.items():
        ours = result.pass_at_1(name)
        if ours is not None:
            print(f"anchor {name:8s} CodeT's code {anchor:.1%}  ours {ours:.1%}  diff {100 * (ours - anchor):+.1f} pt")
    if args.codet_timeout:
        strict = rejudge_passing(cfg, result, args.codet_timeout, args.workers)
        print(f"\nthe same selections scored with ground truth under a {args.codet_timeout:g} s CPU limit per "
              f"sample (CodeT's 0.1 s wall timeout on the whole check; {strict['lost']} passing samples time out):")
        for name, picks in result.picks.items():
            vals = [sum(strict["passed"][pid][i] for i in picks[pid].candidates) / len(picks[pid].candidates)
                    for pid in result.problems]
            print(f"  pass@1 {name:12s} {100 * sum(vals) / len(vals):5.1f}")
    print(f"wall time {time.perf_counter() - t:.0f} s (machine shared with other work)")
    return 0


def rejudge_passing(cfg, result, limit: float, workers: int) -> dict:
    """Ground truth under a tighter time limit: only the samples that pass need re-judging (a tighter limit
    cannot make a failing sample pass). Cached in OUT/truth-<limit>.json."""
    import json

    from codecritique.judge.engine import Judge, JudgeConfig, Submission
    from codecritique.judge.generations import load_generations
    from codecritique.problems.generated_tests import truncate_at_stops
    from codecritique.problems.load import index_by_id, load_problems

    cache = Path(cfg.out) / f"truth-{limit:g}.json"
    if cache.exists():
        return json.loads(cache.read_text())
    execs = [json.loads(x) for x in (Path(cfg.out) / "executions.jsonl").read_text().splitlines()
             if x.startswith("{") and '"part": "main"' in x]
    passed = {d["problem_id"]: d["passed"] for d in execs}
    index = index_by_id(load_problems(cfg.problems))
    gens = load_generations(cfg.generations, index)
    subs, where = [], []
    for pid in result.problems:
        p = index[pid]
        for i, code in enumerate(gens[pid].codes):
            if passed[pid][i]:
                subs.append(Submission(p, p.starter_code + truncate_at_stops(code[len(p.starter_code):])))
                where.append((pid, i))
    with Judge(JudgeConfig(workers=workers, time_limit=limit)) as judge:
        res = judge.run(subs)
    strict = {pid: [False] * len(v) for pid, v in passed.items()}
    for (pid, i), r in zip(where, res):
        strict[pid][i] = r.passed
    out = {"passed": strict, "lost": sum(not r.passed for r in res)}
    cache.write_text(json.dumps(out))
    return out


if __name__ == "__main__":
    sys.exit(main())
