"""The two-stage recipe: read the rows once, then Stage I (generation) and Stage II (generation + critique).

Stage I starts from the base model (default: the bundled SmolLM2-135M-Instruct); Stage II from Stage I's model
folder (``OUT/stage1``) with a fresh optimizer and schedule. ``stage="2"`` alone uses ``OUT/stage1`` when it is
complete, else the base model given explicitly. Each stage resumes after an interruption (see train.stage).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from codecritique.train.callbacks import Event
from codecritique.train.config import Recipe
from codecritique.train.data import DataStats, read_rows, stage_examples
from codecritique.train.stage import StageResult, is_complete, run_stage, stage_dir


def is_main_process() -> bool:
    """Rank 0 of a distributed launch (or a plain run): the one that logs and writes run-level files."""
    return int(os.environ.get("RANK", "0")) == 0


def stages_of(stage: str) -> list[str]:
    if stage == "both":
        return ["1", "2"]
    if stage in ("1", "2"):
        return [stage]
    raise ValueError(f"stage must be 1, 2 or both, got {stage!r}")


def default_base_model() -> str:
    from codecritique.llm.local import bundled_model_dir

    return str(bundled_model_dir())


def train(recipe: Recipe, sources: Iterable[str | Path], out: str | Path, *, stage: str = "both",
          source_rows: Any = None, on_event: Callable[[Event], None] | None = None,
          log: Callable[[str], None] = lambda message: None, keep_checkpoints: bool = False) -> list[StageResult]:
    """Run the recipe's stages; returns one result per stage (a completed stage is skipped, not retrained)."""
    if not is_main_process():
        log = lambda message: None  # noqa: E731  (one log for the whole launch)
    todo = stages_of(stage)
    out = Path(out)
    explicit_base = recipe.base_model
    if "1" not in todo and not is_complete(out, "1") and not explicit_base:
        raise ValueError(f"stage 2 starts from stage 1's model ({stage_dir(out, '1')}), which is not there: run "
                         f"stage 1 first or give --base-model")
    sources = [str(s) for s in sources]
    stats = DataStats()
    rows = read_rows(sources, recipe.data, source_rows=source_rows, stats=stats)
    log(f"read {len(rows)} rows from {', '.join(sources)}" +
        (f" (skipped: {dict(stats.dropped)})" if stats.dropped else ""))
    out.mkdir(parents=True, exist_ok=True)
    if is_main_process():
        (out / "recipe.json").write_text(json.dumps(recipe.to_dict(), indent=1, default=str) + "\n")
    results = []
    for s in todo:
        if s == "1":
            base = explicit_base or default_base_model()
        else:
            base = str(stage_dir(out, "1")) if is_complete(out, "1") else explicit_base  # type: ignore[assignment]
        stage_stats = DataStats(rows=stats.rows, dropped=stats.dropped.copy())
        examples = stage_examples(rows, s, recipe.data, stage_stats)
        log(f"stage {s}: {dict(stage_stats.examples)} examples from {stage_stats.rows} rows" +
            (f"; dropped {dict(stage_stats.dropped)}" if stage_stats.dropped else ""))
        results.append(run_stage(recipe, s, base, examples, out, data_stats=stage_stats.to_dict(),
                                 on_event=on_event, log=log, keep_checkpoints=keep_checkpoints))
    return results
