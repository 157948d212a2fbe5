"""``codecritique datagen``: the configuration, the pipeline of steps, and one call that runs it.

:class:`DatagenConfig` holds every default (the paper's: 32k solution tokens, 24k critique tokens, temperature 0.6,
top-p 0.95, Python and C++); :meth:`DatagenConfig.embedded` is the demonstration on the bundled SmolLM2 model and
the shipped question pool. :func:`run_datagen` builds the steps (:mod:`.steps`), re-opens the shards whose model
requests failed last time (their finished requests are answered from the stores), and runs the pipeline on the
chosen executor. It returns the pipeline's reports; the CLI renders progress from the events.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from codecritique.datagen.backends import ModelSpec
from codecritique.datagen.decontam import DecontamConfig
from codecritique.datagen.dedup import DedupConfig
from codecritique.datagen.execute import ExecuteConfig
from codecritique.datagen.filter import FilterConfig
from codecritique.datagen.questions import QuestionOptions, SourceSpec
from codecritique.datagen.steps import (LANGUAGES, CardStep, CritiqueStep, DecontamStep, DedupStep, ExecuteStep,
                                        ExportStep, FilterStep, GenerateStep, QuestionsStep)

STAGES = ("questions", "dedup", "decontaminate", "generate", "filter", "critique", "execute", "export", "card",
          "release")
MODEL_STAGES = ("generate", "critique")


@dataclass
class DatagenConfig:
    out: str = "runs/data"
    questions: list[str] = field(default_factory=list)  # source specs; none: the shipped pool
    benchmarks: list[str] = field(default_factory=list)  # none with the pool: its small benchmark sample
    question_options: QuestionOptions = field(default_factory=QuestionOptions)
    languages: tuple[str, ...] = LANGUAGES
    samples: int = 4
    teacher: ModelSpec = field(default_factory=ModelSpec)
    critic: ModelSpec = field(default_factory=ModelSpec)
    decontam_judge: ModelSpec | None = None
    temperature: float = 0.6
    top_p: float = 0.95
    max_tokens: int = 32768
    critique_max_tokens: int = 24576
    seed: int = 0
    shards: int = 4
    p_right: str = "all"
    dedup: DedupConfig = field(default_factory=DedupConfig)
    decontam: DecontamConfig = field(default_factory=DecontamConfig)
    filter: FilterConfig = field(default_factory=FilterConfig)
    execute: ExecuteConfig = field(default_factory=ExecuteConfig)
    embedded: bool = False
    # --from-release: rows of nvidia/OpenCodeReasoning-2 (questions rebuilt) run through execute and/or critique
    from_release: str | None = None
    release_language: str | None = None  # python | cpp (default: the split the path names)
    release_sources: dict[str, str] = field(default_factory=dict)  # dataset[:split] -> local copy (ocr2.SourceRows)
    release_stages: tuple[str, ...] = ("execute",)

    @classmethod
    def embedded_default(cls, out: str = "runs/data", **overrides: Any) -> "DatagenConfig":
        """The demonstration: bundled model, shipped pool, short outputs, the <think> rule relaxed."""
        base = cls(out=out, samples=1, max_tokens=256, critique_max_tokens=128, shards=2,
                   filter=FilterConfig(require_think=False), embedded=True)
        return replace(base, **overrides)

    def validate(self) -> None:
        for lang in self.languages:
            if lang not in LANGUAGES:
                raise ValueError(f"--languages: unknown language {lang!r} (python, cpp)")
        if not self.languages:
            raise ValueError("--languages: give at least one language")
        if self.samples < 1:
            raise ValueError(f"--samples must be at least 1, got {self.samples}")
        if self.max_tokens < 1 or self.critique_max_tokens < 1:
            raise ValueError("--max-tokens and --critique-max-tokens must be at least 1")
        if self.shards < 1:
            raise ValueError(f"--shards must be at least 1, got {self.shards}")
        if not 0 <= self.temperature <= 2 or not 0 < self.top_p <= 1:
            raise ValueError("temperature must be in [0, 2] and top-p in (0, 1]")
        if self.p_right not in ("all", "forced", "off"):
            raise ValueError(f"--p-right must be all, forced or off, got {self.p_right!r}")
        for s in list(self.questions) + list(self.benchmarks):
            SourceSpec.parse(s)
        if self.from_release is not None:
            bad = set(self.release_stages) - {"execute", "critique"}
            if bad or not self.release_stages:
                raise ValueError(f"--release-stages: execute and/or critique, got {', '.join(self.release_stages)}")

    def sources(self) -> tuple[str, ...]:
        return tuple(self.questions) or ("pool",)

    def benchmark_sources(self) -> tuple[str, ...]:
        if self.benchmarks:
            return tuple(self.benchmarks)
        return ("pool-benchmark",) if not self.questions else ()

    def summary(self) -> dict[str, Any]:
        """The settings the card records."""
        return {"languages": list(self.languages), "samples": self.samples, "temperature": self.temperature,
                "top_p": self.top_p, "max_tokens": self.max_tokens, "critique_max_tokens": self.critique_max_tokens,
                "seed": self.seed, "teacher_model": self.teacher.name(), "critic_model": self.critic.name(),
                "require_think": self.filter.require_think, "embedded": self.embedded,
                "questions": list(self.sources()), "benchmarks": list(self.benchmark_sources())}


def build_steps(config: DatagenConfig) -> list[Any]:
    c = config
    if c.from_release:
        return _release_steps(c)
    return [
        QuestionsStep(sources=c.sources(), options=c.question_options),
        DedupStep(config=c.dedup),
        DecontamStep(benchmarks=c.benchmark_sources(), config=c.decontam, options=c.question_options,
                     judge=c.decontam_judge),
        GenerateStep(shards=c.shards, languages=tuple(c.languages), samples=c.samples, teacher=c.teacher,
                     temperature=c.temperature, top_p=c.top_p, max_tokens=c.max_tokens, seed=c.seed),
        FilterStep(shards=c.shards, config=c.filter),
        CritiqueStep(shards=c.shards, critic=c.critic, temperature=c.temperature, top_p=c.top_p,
                     max_tokens=c.critique_max_tokens, seed=c.seed, p_right=c.p_right),
        ExecuteStep(shards=c.shards, config=replace(c.execute, seed=c.seed)),
        ExportStep(shards=c.shards, languages=tuple(c.languages), think_required=c.filter.require_think),
        CardStep(run_settings=c.summary()),
    ]


def _release_steps(c: DatagenConfig) -> list[Any]:
    from codecritique.datagen.steps import ReleaseStep

    execute = "execute" in c.release_stages
    steps: list[Any] = [ReleaseStep(path=c.from_release or "", language=c.release_language,
                                    sources=dict(c.release_sources), with_tests=execute)]
    stats = ["stages/release.stats.json"]
    critiques = "stages/release-critiques.jsonl"
    if "critique" in c.release_stages:
        steps.append(CritiqueStep(shards=c.shards, critic=c.critic, temperature=c.temperature, top_p=c.top_p,
                                  max_tokens=c.critique_max_tokens, seed=c.seed, p_right=c.p_right))
        stats.append("stages/critique.stats.json")
        critiques = "stages/critiques.jsonl"
    # without execution every sample is "not executed" (its question carries no tests)
    steps.append(ExecuteStep(shards=c.shards, config=replace(c.execute, seed=c.seed)))
    stats += ["stages/execute.stats.json", "stages/export.stats.json"]
    steps += [ExportStep(shards=c.shards, languages=tuple(c.languages), think_required=True, critiques=critiques),
              CardStep(run_settings={**c.summary(), "from_release": c.from_release,
                                     "release_stages": list(c.release_stages)}, stats_files=tuple(stats))]
    return steps


def reopen_failed(workdir: Path, steps: Sequence[Any]) -> list[str]:
    """Delete the outputs of model-stage shards whose stats recorded failed requests, so this run retries them
    (the requests that finished are answered from the shard's store). Returns the shards re-opened."""
    from codecritique.pipeline import Shard, output_name

    reopened = []
    for step in steps:
        if step.name not in MODEL_STAGES:
            continue
        stats_name = next(n for n in step.writes if n.endswith(".stats.json"))
        for i in range(step.shards):
            shard = Shard(i, step.shards)
            path = workdir / output_name(stats_name, shard)
            try:
                failed = json.loads(path.read_text(encoding="utf-8")).get("failed", 0)
            except (OSError, ValueError):
                continue
            if failed:
                for name in step.writes:
                    (workdir / output_name(name, shard)).unlink(missing_ok=True)
                reopened.append(f"{step.name}[{shard.id}]")
    return reopened


def write_config(workdir: Path, config: DatagenConfig) -> None:
    from codecritique.io import write_json

    d = asdict(config)
    for role in ("teacher", "critic", "decontam_judge"):
        if d.get(role):
            d[role].pop("api_key", None)
    workdir.mkdir(parents=True, exist_ok=True)
    write_json(workdir / "config.json", d, indent=1)


def run_datagen(config: DatagenConfig, *, executor: Any = None, only: Sequence[str] | None = None,
                on_event: Callable[[Any], None] | None = None) -> dict[str, Any]:
    """Run (or resume) the pipeline; ``only`` names stages to run (their inputs must exist)."""
    from codecritique.pipeline import LocalExecutor, Pipeline

    config.validate()
    workdir = Path(config.out)
    steps = build_steps(config)
    if only:
        unknown = set(only) - set(STAGES)
        if unknown:
            raise ValueError(f"--only: unknown stage(s) {', '.join(sorted(unknown))}; stages: {', '.join(STAGES)}")
    write_config(workdir, config)
    reopened = reopen_failed(workdir, steps)
    own = executor is None
    executor = executor or LocalExecutor()
    try:
        reports = Pipeline(steps, workdir, executor, on_event=on_event).run(only=list(only) if only else None)
    finally:
        if own:
            executor.close()
    return {"reports": reports, "reopened": reopened}
