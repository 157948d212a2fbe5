"""Datagen stages 1-3 as steps: read the questions, deduplicate them, decontaminate them against benchmarks."""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from codecritique.datagen.backends import ModelSpec, close_backend, open_backend
from codecritique.datagen.decontam import DecontamConfig
from codecritique.datagen.dedup import DedupConfig
from codecritique.datagen.questions import QuestionOptions, SourceSpec
from codecritique.datagen.steps.common import input_rows, workdir_of, write_json_file
from codecritique.pipeline import Shard, ShardContext, Step


# ---------------------------------------------------------------- stages 1-3


@dataclass
class QuestionsStep(Step):
    name: ClassVar[str] = "questions"
    writes: ClassVar[tuple[str, ...]] = ("stages/questions.all.jsonl", "stages/questions.stats.json")
    sources: tuple[str, ...] = ("pool",)
    options: QuestionOptions = field(default_factory=QuestionOptions)

    def run(self, shard: Shard, ctx: ShardContext) -> dict[str, Any]:
        from codecritique.datagen.questions import collect_questions

        count_tokens = None
        if self.options.max_question_tokens is not None:
            from codecritique.llm.local import bundled_model_dir, token_counter

            count_tokens = token_counter(self.options.length_tokenizer or bundled_model_dir())
        result = collect_questions([SourceSpec.parse(s) for s in self.sources], self.options,
                                   count_tokens=count_tokens)
        ctx.progress("total", n=len(result.records))
        ctx.write_jsonl("stages/questions.all.jsonl", result.records)
        stats = {"read": len(result.records) + sum(result.dropped.values()), "kept": len(result.records),
                 "dropped": result.dropped, "drop_examples": result.examples, "per_source": result.per_source}
        write_json_file(ctx.output("stages/questions.stats.json"), stats)
        ctx.progress("advance", n=len(result.records))
        return {"kept": len(result.records)}


@dataclass
class DedupStep(Step):
    name: ClassVar[str] = "dedup"
    reads: ClassVar[tuple[str, ...]] = ("stages/questions.all.jsonl",)
    writes: ClassVar[tuple[str, ...]] = ("stages/questions.unique.jsonl", "dedup.jsonl", "stages/dedup.stats.json")
    config: DedupConfig = field(default_factory=DedupConfig)

    def run(self, shard: Shard, ctx: ShardContext) -> dict[str, Any]:
        from codecritique.datagen.dedup import dedup

        records = list(input_rows(ctx, "stages/questions.all.jsonl"))
        result = dedup(records, self.config, progress=lambda phase, done, total: ctx.progress(
            "advance", phase=phase, done=done, total=total))
        ctx.write_jsonl("stages/questions.unique.jsonl", result.kept)
        ctx.write_jsonl("dedup.jsonl", result.clusters)
        stats = {"in": len(records), "kept": len(result.kept), "removed": result.removed,
                 "exact_removed": result.exact_removed, "fuzzy_removed": result.fuzzy_removed,
                 "clusters": len(result.clusters), "config": asdict(self.config)}
        write_json_file(ctx.output("stages/dedup.stats.json"), stats)
        return {"kept": len(result.kept), "removed": result.removed}


@dataclass
class DecontamStep(Step):
    name: ClassVar[str] = "decontaminate"
    reads: ClassVar[tuple[str, ...]] = ("stages/questions.unique.jsonl",)
    writes: ClassVar[tuple[str, ...]] = ("questions.jsonl", "contamination.jsonl", "stages/decontam.stats.json")
    benchmarks: tuple[str, ...] = ()
    config: DecontamConfig = field(default_factory=DecontamConfig)
    options: QuestionOptions = field(default_factory=QuestionOptions)
    judge: ModelSpec | None = None  # an LLM judge of the flagged pairs

    def settings(self) -> dict[str, Any]:
        return {"benchmarks": self.benchmarks, "config": asdict(self.config), "options": asdict(self.options),
                "judge": self.judge.identity() if self.judge else None}

    def run(self, shard: Shard, ctx: ShardContext) -> dict[str, Any]:
        from codecritique.datagen.decontam import decontaminate
        from codecritique.datagen.questions import benchmark_items

        records = list(input_rows(ctx, "stages/questions.unique.jsonl"))
        items = benchmark_items([SourceSpec.parse(s) for s in self.benchmarks], self.options)
        judge = None
        if self.judge is not None and items:
            judge = _llm_judge(self.judge, self.config, workdir_of(ctx))
        result = decontaminate(records, items, self.config, judge=judge)
        ctx.progress("advance", n=len(records))
        ctx.write_jsonl("questions.jsonl", result.kept)
        ctx.write_jsonl("contamination.jsonl", result.flagged)
        stats = {"in": len(records), "kept": len(result.kept), "removed": result.removed,
                 "flagged": len(result.flagged), "by_method": result.by_method,
                 "benchmark_items": result.benchmark_items, "benchmarks": list(self.benchmarks),
                 "policy": result.policy, "judge": self.judge.name() if self.judge else None,
                 "judge_true": sum(1 for f in result.flagged if f.get("judge") is True),
                 "config": asdict(self.config)}
        write_json_file(ctx.output("stages/decontam.stats.json"), stats)
        return {"kept": len(result.kept), "removed": result.removed}


def _llm_judge(spec: ModelSpec, config: DecontamConfig, workdir: Path):
    from codecritique.datagen.decontam import judge_prompt, parse_judge_answer
    from codecritique.llm.prompts import chat, fill
    from codecritique.llm.store import Store
    from codecritique.llm.types import SamplingParams

    template = judge_prompt(config)

    def judge(pairs: list[tuple[str, str]]) -> list[bool | None]:
        async def go() -> list[bool | None]:
            with Store(workdir / "requests" / "decontam-judge.jsonl") as store:
                backend = open_backend(spec, store)
                try:
                    params = SamplingParams(temperature=0.0, top_p=1.0, max_tokens=8, seed=0)
                    outs = await asyncio.gather(*(backend.generate(
                        chat(fill(template, question=q, solution=b)), n=1, params=params,
                        meta={"stage": "decontam-judge"}) for q, b in pairs))
                finally:
                    await close_backend(backend)
            return [parse_judge_answer(o[0].text) for o in outs]

        return asyncio.run(go())

    return judge
