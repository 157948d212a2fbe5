"""The closed loop on the embedded defaults: datagen -> train (both stages) -> run with the trained model, plus the
effect of Stage II on the share of critiques with a parsable ``<judgment>`` written by the model itself.

1. ``codecritique datagen --out RUN/data`` (its embedded default: the shipped question pool, the bundled
   SmolLM2-135M as teacher and critic), unless ``--data`` names an existing dataset.
2. ``codecritique train --data RUN/data --out RUN/train`` (embedded default: the ``demo`` recipe on the bundled
   model, CPU): the loss curves of both stages are printed (and drawn to RUN/train/loss.png).
3. Parsable-judgement share on problems NOT in the training data: ``codecritique critique-bench`` on DebugBench
   (LeetCode, ``../shared/data/debugbench``; the training pool has no LeetCode problem, and the script checks that
   no statement is shared) with the base model, Stage I and Stage II. Each critique is the model's own text
   (Fig. 7 prompt, sampled, no forced choice); "parsable" = it wrote ``<judgment>right|wrong</judgment>``.
4. ``codecritique run --model RUN/train/stage2`` on the demo problems: the trained folder served by the local
   backend.

    python benchmarks/train_loop.py [--run runs/loop] [--data DIR | --fallback] [--limit 8] [--skip-run]

Every command is resumable: re-running the script continues where it stopped.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEBUGBENCH = REPO.parent / "shared" / "data" / "debugbench"


def cli(*args: str, check: bool = True) -> int:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "HF_HUB_OFFLINE": "1"}
    print(f"\n$ codecritique {' '.join(args)}", flush=True)
    t0 = time.monotonic()
    rc = subprocess.run([sys.executable, "-m", "codecritique.cli", *args], env=env, check=check).returncode
    print(f"  ({time.monotonic() - t0:.0f} s, exit {rc})", flush=True)
    return rc


def parsable_share(folder: Path) -> tuple[int, int, dict[str, int], int]:
    """(parsable, critiques, judgements written {right: n, wrong: n}, correct)."""
    rows = [json.loads(line) for line in (folder / "results.jsonl").read_text().splitlines() if line.strip()]
    said: dict[str, int] = {}
    for r in rows:
        if r.get("parsed"):
            said[r.get("judgement")] = said.get(r.get("judgement"), 0) + 1
    return sum(bool(r.get("parsed")) for r in rows), len(rows), said, sum(bool(r.get("correct")) for r in rows)


def training_questions(data: Path) -> tuple[set[str], set[str]]:
    """(question ids, question texts) of the training rows."""
    from datasets import load_dataset

    files = sorted(str(p) for p in data.rglob("*.parquet"))
    ds = load_dataset("parquet", data_files=files, split="train")
    return set(ds["question_id"]), {q.strip() for q in ds["question"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", type=Path, default=Path("runs/loop"))
    ap.add_argument("--data", type=Path, default=None, help="an existing OCR-2-schema dataset (skip datagen)")
    ap.add_argument("--fallback", action="store_true",
                    help="build the data with ocr2_fallback_data.py (CodeContests human solutions, templated "
                         "critiques, real pass rates) instead of datagen")
    ap.add_argument("--limit", type=int, default=8, help="DebugBench problems (x2 solutions) for step 3")
    ap.add_argument("--skip-run", action="store_true", help="skip step 4")
    ap.add_argument("--models", default="base,stage1,stage2", help="models measured in step 3")
    ap.add_argument("train_args", nargs="*", help="extra `codecritique train` overrides (after --)")
    args = ap.parse_args()
    run = args.run
    run.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()

    data = args.data or run / "data"
    if args.data is None and args.fallback:
        data = run / "fallback-data"
        if not (data / "data").is_dir():
            print(f"\n$ python benchmarks/ocr2_fallback_data.py --out {data}", flush=True)
            subprocess.run([sys.executable, str(REPO / "benchmarks" / "ocr2_fallback_data.py"), "--out", str(data)],
                           check=True)
    elif args.data is None:
        cli("datagen", "--out", str(data))
    cli("train", "--data", str(data), "--out", str(run / "train"), *args.train_args)

    print("\n== loss curves (training loss on response tokens, per optimizer step) ==")
    for stage in ("1", "2"):
        result = json.loads((run / "train" / f"stage{stage}" / "stage.json").read_text())
        losses = result["losses"]
        print(f"stage {stage}: {len(losses)} steps, {result['tokens']['kept']} samples, "
              f"{sum(result['tokens']['over_long'].values())} over-long dropped")
        print("  " + " ".join(f"{s}:{v:.3f}" for s, v in losses))
        first, last = losses[0][1], losses[-1][1]
        head = sum(v for _, v in losses[:3]) / min(3, len(losses))
        tail = sum(v for _, v in losses[-3:]) / min(3, len(losses))
        print(f"  first {first:.3f} -> last {last:.3f}; mean of first 3 {head:.3f} -> last 3 {tail:.3f} "
              f"({'falling' if tail < head else 'NOT falling'})")
    print(f"  plot: {run / 'train' / 'loss.png'}")

    if not DEBUGBENCH.is_dir():
        print(f"\n{DEBUGBENCH} not found: skipping the parsable-judgement measurement")
    else:
        seen_ids, seen_texts = training_questions(data)
        every = {"base": ("base (bundled SmolLM2-135M)", None),
                 "stage1": ("after Stage I", run / "train" / "stage1"),
                 "stage2": ("after Stage II", run / "train" / "stage2")}
        models = dict(every[m] for m in args.models.split(","))
        shares = {}
        for name, folder in models.items():
            out = run / f"critique-bench-{'base' if folder is None else folder.name}"
            extra = [] if folder is None else ["--local-model", str(folder)]
            rc = cli("critique-bench", str(DEBUGBENCH), "--language", "python", "--limit", str(args.limit),
                     "--out", str(out), "--quiet", *extra, check=False)
            if rc and (out / "results.jsonl").is_file():
                print("  (critique-bench failed after writing results.jsonl, e.g. in its report; the critiques "
                      "are read from results.jsonl)")
            elif rc:
                raise SystemExit(f"critique-bench failed (exit {rc})")
            shares[name] = parsable_share(out)
            items = [json.loads(x) for x in (out / "items.jsonl").read_text().splitlines() if x.strip()]
            overlap = {it["problem_id"] for it in items} & seen_ids
            print(f"  {len({it['problem_id'] for it in items})} DebugBench problems; shared with the "
                  f"{len(seen_ids)} training questions: {len(overlap)}")
        print("\n== critiques with a parsable <judgment> written by the model itself (DebugBench Python, "
              "held out) ==")
        for name, (ok, n, said, correct) in shares.items():
            # which judgements it writes matters too: a model that always says "right" is parsable, not a critic
            print(f"  {name:<28} {ok:>3}/{n:<3} = {100 * ok / n if n else 0:5.1f}%   judgements written "
                  f"{dict(sorted(said.items()))}, correct {correct}/{n}")

    if not args.skip_run:
        cli("run", "--model", str(run / "train" / "stage2"), "--out", str(run / "run"), "-k", "2", "--limit", "3")
    print(f"\nloop done in {(time.monotonic() - t0) / 60:.1f} min")


if __name__ == "__main__":
    main()
