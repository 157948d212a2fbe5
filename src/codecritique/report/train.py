"""The loss curves of a training run (one line per stage) as a PNG, and a text summary of the stages."""

from __future__ import annotations

import sys

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any


def plot_losses(curves: dict[str, Sequence[tuple[int, float]]], path: str | Path, *, title: str = "") -> Path:
    """``{"stage 1": [(step, loss), ...], ...}`` -> a PNG with one panel per stage (steps restart per stage)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4.2 * max(1, len(curves)), 3.6), layout="constrained")
    axes = fig.subplots(1, max(1, len(curves)), squeeze=False)[0]
    for ax, (name, points) in zip(axes, curves.items()):
        if points:
            steps, losses = zip(*points)
            ax.plot(steps, losses, marker="o", markersize=2)
        ax.set_title(name)
        ax.set_xlabel("optimizer step")
        ax.set_ylabel("training loss (response tokens)")
        ax.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    fig.savefig(path, dpi=120)
    return Path(path)


class ProgressBars:
    """Renders train.callbacks events: one tqdm bar per stage (steps, ETA) with loss, lr and tokens/s."""

    def __init__(self, file: Any = None):
        self.file = file if file is not None else sys.stderr
        self.bars: dict[str, Any] = {}

    def __call__(self, e: dict[str, Any]) -> None:
        from tqdm import tqdm

        name = f"stage {e['stage']}"
        bar = self.bars.get(name)
        if bar is None or e["event"] == "begin":
            bar = self.bars[name] = tqdm(total=e["max_steps"], initial=e["step"], desc=name, unit="step",
                                         file=self.file, dynamic_ncols=True)
        if e["event"] == "log":
            bar.update(e["step"] - bar.n)
            post = {"loss": f"{e['loss']:.4f}"}
            if e.get("learning_rate") is not None:
                post["lr"] = f"{e['learning_rate']:.2e}"
            if e.get("tokens_per_s"):
                post["tok/s"] = f"{e['tokens_per_s']:.0f}"
            bar.set_postfix(post, refresh=True)
        elif e["event"] == "end":
            bar.close()


def quiet_library_logging() -> None:
    """Warnings only from transformers/datasets, and none of their progress bars (ours show the training)."""
    import logging

    import datasets
    import transformers

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    transformers.utils.logging.set_verbosity_warning()
    transformers.utils.logging.disable_progress_bar()
    datasets.disable_progress_bars()


def summary_lines(results: Iterable[Any]) -> list[str]:
    """One line per stage: steps, first and last loss, dropped samples, packing."""
    lines = []
    for r in results:
        losses = r.losses
        first = f"{losses[0][1]:.3f}" if losses else "-"
        last = f"{losses[-1][1]:.3f}" if losses else "-"
        over = sum((r.tokens.get("over_long") or {}).values())
        state = "already complete" if r.skipped else (f"resumed from {Path(r.resumed_from).name}"
                                                      if r.resumed_from else "trained")
        lines.append(f"stage {r.stage}: {state}, {r.steps} steps, loss {first} -> {last}, "
                     f"{over} over-long samples dropped, packing {'on' if r.packing else 'off'} -> {r.model_dir}")
        if losses:
            lines.append(f"  loss per step: {curve_text(losses)}")
    return lines


def curve_text(losses: Sequence[tuple[int, float]], points: int = 16) -> str:
    """The loss curve in one line (at most ``points`` steps, evenly spread, the last included) and the mean of its
    first and last thirds (per-step losses of small batches are noisy; the thirds say whether it falls)."""
    n = len(losses)
    picks = sorted({round(i * (n - 1) / (points - 1)) for i in range(points)}) if n > points else range(n)
    text = " ".join(f"{losses[i][0]}:{losses[i][1]:.3f}" for i in picks)
    third = max(1, n // 3)
    head = sum(v for _, v in losses[:third]) / third
    tail = sum(v for _, v in losses[-third:]) / third
    trend = "falling" if tail < head else "not falling"
    return f"{text} (mean of first {third}: {head:.3f}, last {third}: {tail:.3f}, {trend})"
