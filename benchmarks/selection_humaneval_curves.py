"""Figure 3 per strategy on real data: pass@1|select@k of the selection strategies as k grows, on the 164 x 100
CodeGen-16B HumanEval samples with CodeGen-16B's own generated tests, computed by the metrics layer that
`codecritique run` uses (metrics.summary.curves over per-solution records), and checked against `select`'s own
numbers at k = 100 (they must agree exactly: one implementation).

    python benchmarks/selection_humaneval_curves.py [--out runs/selection-humaneval] [--bootstrap 200]

Needs OUT/executions.jsonl from benchmarks/selection_humaneval.py (judging the 16,400 samples takes ~40 min on 2
cores; this script re-judges nothing that is cached) and ../shared/data/humaneval (skips otherwise). Writes
OUT/fig3_strategies.png and OUT/curves.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from selection_humaneval import DATA, PROBLEMS, SAMPLES, TESTS  # noqa: E402

STRATEGIES = ("codet", "cluster", "cascade")  # the ones these inputs allow (no critiques: no p-right)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="runs/selection-humaneval")
    ap.add_argument("--bootstrap", type=int, default=200)
    args = ap.parse_args()
    if not DATA.is_dir():
        print(f"skip: {DATA} not found (the shared HumanEval data)")
        return 0
    from codecritique.critique.dual_execution import DualExecutionConfig
    from codecritique.critique.select_command import SelectConfig, run_select
    from codecritique.metrics.records import parse_record
    from codecritique.metrics.summary import compute_metrics, curves
    from codecritique.report.plots import plot_strategy_panels

    cfg = SelectConfig(problems=str(PROBLEMS), generations=str(SAMPLES), generated_tests=str(TESTS),
                       out=args.out, truncate=True, execution=DualExecutionConfig(workers=2))
    t0 = time.perf_counter()
    result = run_select(cfg)
    samples = [parse_record(r, "records", i + 1) for i, r in enumerate(result.records)]
    t1 = time.perf_counter()
    metrics = compute_metrics(samples, strategies=list(STRATEGIES), bootstrap=0)
    print(f"{len(result.problems)} problems x {max(result.k.values())} samples; select (cached) {t1 - t0:.0f} s")
    print("strategy   select pass@1   metrics layer pass@1|select@100   equal")
    for name in STRATEGIES:
        a, b = result.pass_at_1(name), metrics["overall"]["pass@1|select@k"][name]
        print(f"{name:<9}  {100 * a:12.2f}   {100 * b:31.2f}   {abs(a - b) < 1e-12}")
    t2 = time.perf_counter()
    c = curves(samples, strategies=list(STRATEGIES), bootstrap=args.bootstrap)
    t3 = time.perf_counter()
    out = Path(args.out)
    (out / "curves.json").write_text(json.dumps(c))
    plot_strategy_panels(c, out / "fig3_strategies.png", columns=3,
                         title="CodeGen-16B on HumanEval (164 problems): pass@1|select@k per strategy as k grows")
    shown = [k for k in (1, 2, 5, 10, 20, 50, 100) if k in c["ks"]]
    print(f"\ncurves over k = {c['ks'][0]}..{c['ks'][-1]} ({len(c['ks'])} points, {args.bootstrap} resamples) "
          f"in {t3 - t2:.0f} s; % at k =", shown)
    rows = [("pass@1", c["pass@1"]), ("pass@k", c["pass@k"])] + \
        [(f"select {n}", c["pass@1|select@k"][n]) for n in STRATEGIES]
    for label, series in rows:
        values = [series["value"][c["ks"].index(k)] for k in shown]
        print(f"{label:<15}" + "".join(f"{100 * v:7.1f}" for v in values))
    print(f"wrote {out / 'fig3_strategies.png'} and {out / 'curves.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
