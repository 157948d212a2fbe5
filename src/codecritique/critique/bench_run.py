"""A whole critique-accuracy benchmark run (the procedure is in :mod:`.bench`): its configuration, and the run as
one step on the stage runner, writing into the run folder ``config.json``, ``requests.jsonl`` (the request
store), ``items.jsonl``, ``results.jsonl`` and ``metrics.json``; cli.py renders ``report.html`` from the
returned :class:`BenchResult`. A rerun with the same settings and input returns the saved results.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CodecritiqueError
from ..io import read_jsonl, write_json, write_jsonl
from ..llm.backend import Backend
from ..llm.config import BackendConfig, make_backend
from ..llm.tasks import PromptOptions
from ..llm.tokens import tokenizer_counter
from ..llm.types import SamplingParams, TokenCounter
from ..pipeline import Shard, ShardContext, Step
from ..pipeline.progress import ShardProgress
from .bench import (LANGUAGES, PAPER_MAX_TOKENS, SOURCES, BenchItem, Candidates, apply_length_limit,
                    codecontests_candidates, critique_items, debugbench_candidates, limit_problems, result_rows,
                    score, select_pairs, selection_summary)


@dataclass
class BenchConfig:
    out: str = "runs/critique-bench"
    source: str = "debugbench"  # "codecontests" | "debugbench"
    path: str | None = None  # local data; CodeContests without a path is read from the hub
    split: str = "test"  # CodeContests split (the paper: test, 165 problems)
    languages: tuple[str, ...] = LANGUAGES
    seed: int = 0
    limit: int | None = None  # number of problems (drawn with the seed); None: all
    max_solution_tokens: int | None = PAPER_MAX_TOKENS
    python2_as_python: bool = False
    # the model; backend.tokenizer (HF name or folder, or "bundled"; default: the local model's own) measures the
    # solutions for the length filter. QwQ's critique budget of
    # 24,576 tokens (the paper, OpenCodeReasoning-II §2.1.3) with an endpoint; 256 tokens for a local model
    backend: BackendConfig = field(default_factory=lambda: BackendConfig(
        endpoint_max_tokens=24576, local_max_tokens=256, local_batch=16))
    prompts: PromptOptions = field(default_factory=lambda: PromptOptions(question_format="raw"))
    hub_offline: bool | None = None
    hub_revision: str | None = None
    hub_cache_dir: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "backend": self.backend.public_dict()}

    def validate(self) -> None:
        """Raise :class:`~codecritique.errors.ConfigError` for a setting that cannot work, before any file is
        written or any model is loaded."""
        from ..errors import require, require_number

        require(bool(self.languages), "language", "no language given")
        for lang in self.languages:
            require(lang in LANGUAGES, "language", f"unknown language {lang!r}: use {', '.join(LANGUAGES)}")
        require_number("limit", self.limit, minimum=1, optional=True)
        require_number("max_solution_tokens", self.max_solution_tokens, minimum=1, optional=True)
        self.backend.validate()
        require(self.source in SOURCES, "source",
                f"unknown critique-bench source {self.source!r}: use {', '.join(SOURCES[:2])}")
        if self.path is not None:
            require(Path(self.path).exists(), "path", f"{self.path}: no such file or directory")
        require(self.source != "debugbench" or self.path is not None, "path",
                "DebugBench is read from its benchmark folder: give its path")

    def params(self) -> SamplingParams:
        return self.backend.sampling(self.seed)


def load_candidates(cfg: BenchConfig) -> list[Candidates]:
    """The pair candidates of the configured source (read once per process for the same source settings)."""
    key = (cfg.source, cfg.path, cfg.split, cfg.languages, cfg.python2_as_python, cfg.hub_offline,
           cfg.hub_revision, cfg.hub_cache_dir)
    if key not in _CANDIDATES:
        _CANDIDATES.clear()
        _CANDIDATES[key] = _load_candidates(cfg)
    return _CANDIDATES[key]


_CANDIDATES: dict[tuple, list[Candidates]] = {}


def _load_candidates(cfg: BenchConfig) -> list[Candidates]:
    if cfg.source == "debugbench":
        if not cfg.path:
            raise CodecritiqueError("DebugBench is read from its benchmark folder: give its path")
        return debugbench_candidates(cfg.path, cfg.languages)
    if cfg.source in ("codecontests", "code_contests"):
        from ..problems.hub import HubOptions
        from ..problems.sources import load_source

        hub = None if cfg.path else HubOptions(revision=cfg.hub_revision, cache_dir=cfg.hub_cache_dir,
                                               offline=cfg.hub_offline)
        try:
            problems = load_source("code_contests", cfg.path, split=cfg.split, hub=hub, with_solutions=True,
                                   test_kinds=())
        except CodecritiqueError:
            if cfg.path and Path(cfg.path).is_file():
                from ..problems.load import detect_format

                try:
                    fmt = detect_format(cfg.path)
                except (CodecritiqueError, ValueError, OSError):
                    fmt = None
                if fmt and fmt != "code_contests":
                    raise CodecritiqueError(
                        f"{cfg.path} is in the {fmt} format, which has no rejected solutions: critique-bench needs "
                        "CodeContests (its solutions and incorrect_solutions) or DebugBench") from None
            raise
        return codecontests_candidates(problems, python2_as_python=cfg.python2_as_python)
    raise CodecritiqueError(f"unknown critique-bench source {cfg.source!r}: use codecontests or debugbench")


def pick(cfg: BenchConfig) -> tuple[list[Candidates], list[BenchItem]]:
    """The candidates of the configured source and the picked solutions (``limit`` applied to both)."""
    candidates = load_candidates(cfg)
    items = limit_problems(select_pairs(candidates, seed=cfg.seed, languages=cfg.languages), cfg.limit, cfg.seed)
    if cfg.limit is not None:
        kept_ids = {it.problem_id for it in items}
        candidates = [c for c in candidates if c.problem_id in kept_ids]
    return candidates, items


@dataclass
class BenchStep(Step):
    """Pick, filter, critique and score: the benchmark as one step on the stage runner (skipped when done with
    the same settings and inputs). ``backend``/``count_tokens`` override the configured model in-process (tests
    pass a scripted one); they are not settings, but the overriding model's name is."""

    name = "critique"
    writes = ("items.jsonl", "results.jsonl", "metrics.json")
    cfg: BenchConfig = field(default_factory=BenchConfig)
    backend: Backend | None = field(default=None, repr=False)
    count_tokens: TokenCounter | None = field(default=None, repr=False)

    @property
    def reads(self) -> tuple[str, ...]:  # type: ignore[override]
        return (str(Path(self.cfg.path).resolve()),) if self.cfg.path else ()

    def settings(self) -> dict[str, Any]:
        d = self.cfg.to_dict()
        d.pop("out")
        for free in ("concurrency", "local_batch"):  # no effect on the results
            d["backend"].pop(free)
        return {**d, "override": self.backend.model if self.backend is not None else None}

    async def run(self, shard: Shard, ctx: ShardContext) -> int:
        t0 = time.perf_counter()
        candidates, items = pick(self.cfg)
        metrics = await _critique_and_score(self.cfg, ctx, candidates, items, self.backend, self.count_tokens)
        metrics["runtime_seconds"] = round(time.perf_counter() - t0, 1)
        write_json(ctx.output("metrics.json"), metrics)
        return len(items)


def run_bench(cfg: BenchConfig, *, backend: Backend | None = None, count_tokens: TokenCounter | None = None,
              log: Callable[[str], None] | None = None, progress: Callable[..., Any] | None = None) -> BenchResult:
    """Pick, filter, critique and score (see :mod:`.bench`); returns the metrics and rows. ``backend``
    overrides the configured model (tests pass a fake one); ``count_tokens`` the configured tokenizer. Every
    setting and the input are checked before anything is written or any model is loaded."""
    from ..pipeline import Pipeline
    from ..pipeline.progress import ProgressRelay

    log = log or (lambda message: None)  # the library never prints: the CLI passes what shows it
    cfg.validate()
    candidates, items = pick(cfg)
    if not items:
        raise CodecritiqueError(_no_pairs_reason(cfg, load_candidates(cfg)))
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "config.json", cfg.to_dict())
    log(f"{len(candidates)} problems, {len(items)} solutions picked ({', '.join(cfg.languages)})")
    step = BenchStep(cfg, backend, count_tokens)
    Pipeline([step], out, on_event=ProgressRelay(progress, log)).run()
    metrics = json.loads((out / "metrics.json").read_text())
    rows = [r.data for r in read_jsonl(out / "results.jsonl")]
    return BenchResult(metrics, rows, [r.data for r in read_jsonl(out / "items.jsonl")], cfg.to_dict())


@dataclass
class BenchResult:
    """What a benchmark run computed, for the caller to show (cli.py renders report.html from it)."""

    metrics: dict[str, Any]
    rows: list[dict[str, Any]]  # results.jsonl
    items: list[dict[str, Any]]  # items.jsonl
    config: dict[str, Any]


def _no_pairs_reason(cfg: BenchConfig, candidates: Sequence[Candidates]) -> str:
    """Why a benchmark has nothing to critique, naming the input."""
    where = cfg.path or f"CodeContests {cfg.split}"
    langs = ", ".join(cfg.languages)
    if not candidates:
        return f"{where}: no problems found"
    n_acc = sum(bool(c.accepted.get(lang)) for c in candidates for lang in cfg.languages)
    n_rej = sum(bool(c.rejected.get(lang)) for c in candidates for lang in cfg.languages)
    if not n_rej:
        return (f"{where}: {len(candidates)} problems but no rejected ({langs}) solution: the benchmark needs an "
                "accepted and a rejected solution per problem (CodeContests with incorrect_solutions, or DebugBench)")
    if not n_acc:
        return f"{where}: {len(candidates)} problems but no accepted ({langs}) solution"
    return f"{where}: no problem has both an accepted and a rejected {langs} solution"


async def _critique_and_score(cfg: BenchConfig, ctx: ShardContext, candidates: list[Candidates],
                              items: list[BenchItem], backend: Backend | None,
                              count_tokens: TokenCounter | None) -> dict[str, Any]:
    from ..llm.store import Store
    from .run import progress_bar

    progress = ShardProgress(ctx)
    log = progress.log
    with Store(Path(cfg.out) / "requests.jsonl") as store:
        own = backend is None
        online = cfg.hub_offline is not True
        if own:
            backend = make_backend(cfg.backend, store, online=online)
        elif count_tokens is None and cfg.backend.tokenizer:
            count_tokens = tokenizer_counter(cfg.backend.tokenizer, online=online)
        try:
            tokenizer_name = cfg.backend.tokenizer
            if count_tokens is None and backend.count_tokens is not None:
                count_tokens = backend.count_tokens
                tokenizer_name = tokenizer_name or f"the backend's ({backend.model})"
            apply_length_limit(items, count_tokens, cfg.max_solution_tokens)
            write_jsonl(ctx.output("items.jsonl"), (it.to_dict() for it in items))
            kept = sum(not it.dropped for it in items)
            log(f"critiquing {kept} solutions ({len(items) - kept} dropped as longer than "
                f"{cfg.max_solution_tokens} tokens) with {backend.model}")
            with progress_bar(backend, kept, "critique", progress):
                critiques = await critique_items(items, backend, cfg.params(), cfg.prompts)
        finally:
            if own:
                await backend.aclose()
    rows = result_rows(items, critiques)
    write_jsonl(ctx.output("results.jsonl"), rows)
    metrics = score(rows)
    metrics["selection"] = selection_summary(items, candidates, cfg.languages)
    metrics["length_filter"] = {
        "max_solution_tokens": cfg.max_solution_tokens,
        "tokenizer": tokenizer_name if count_tokens else None,
        "applied": count_tokens is not None and cfg.max_solution_tokens is not None,
    }
    metrics["model"] = backend.model
    metrics["unparsable_policy"] = "counted as incorrect in accuracy; accuracy_parsed excludes them"
    return metrics
