"""Make the saved runs that tests/golden/test_same_outputs.py compares against (the "before" snapshot of issue 10).

    PYTHONPATH=src python -m tests.golden.make_golden [--bench]

Runs, with the bundled SmolLM2-135M on CPU and seed 0: ``codecritique run`` on the demo problems (k=2, 48 tokens),
``codecritique judge`` and ``codecritique metrics`` over that run's files, and (``--bench``, needs
../shared/data/debugbench) ``codecritique critique-bench`` on 3 DebugBench problems. Each saved folder keeps the
model's request store (requests.jsonl), so the comparison replays every model answer from disk: fast, and
independent of how the model samples. Only the files compared are kept.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "fixtures" / "golden"
DEBUGBENCH = ROOT.parent / "shared" / "data" / "debugbench"

RUN_ARGS = ["-k", "2", "--max-tokens", "48", "--workers", "1", "--seed", "0"]
RUN_FILES = ("requests.jsonl", "generations.jsonl", "critiques.jsonl", "verdicts.jsonl", "solutions.jsonl",
             "metrics.json")
BENCH_ARGS = ["--source", "debugbench", "--limit", "3", "--max-tokens", "32", "--seed", "0"]
BENCH_FILES = ("requests.jsonl", "items.jsonl", "results.jsonl", "metrics.json")


def cli(*args: str) -> str:
    cmd = [sys.executable, "-m", "codecritique.cli", *args]
    return subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT).stdout


def judge_inputs(run_dir: Path, target: Path) -> None:
    """The run's generated code as a ``codecritique judge`` generations file ({question_id, code} lines)."""
    with open(target, "w") as f:
        for line in open(run_dir / "generations.jsonl"):
            g = json.loads(line)
            if g["code"] is not None:
                f.write(json.dumps({"question_id": g["problem_id"], "code": g["code"]}) + "\n")


def main() -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = Path(tmp) / "run"
        cli("run", "--out", str(run_dir), *RUN_ARGS)
        dest = GOLDEN / "run"
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir()
        for name in RUN_FILES:
            shutil.copy(run_dir / name, dest / name)
        judge_inputs(run_dir, GOLDEN / "judge_generations.jsonl")
        from codecritique.critique.run import DEMO_PROBLEMS

        cli("judge", str(DEMO_PROBLEMS), str(GOLDEN / "judge_generations.jsonl"), "--out",
            str(GOLDEN / "judge_eval.json"), "--workers", "1", "--quiet")
        (GOLDEN / "metrics_cli.json").write_text(cli("metrics", str(dest / "solutions.jsonl"), "--json"))
        if "--bench" in sys.argv and DEBUGBENCH.is_dir():
            bench_dir = Path(tmp) / "bench"
            cli("critique-bench", str(DEBUGBENCH), "--out", str(bench_dir), *BENCH_ARGS)
            dest = GOLDEN / "bench"
            shutil.rmtree(dest, ignore_errors=True)
            dest.mkdir()
            for name in BENCH_FILES:
                shutil.copy(bench_dir / name, dest / name)


if __name__ == "__main__":
    main()
