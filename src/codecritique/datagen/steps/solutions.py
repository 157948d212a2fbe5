"""Datagen stages 4-6 as steps: generate solutions with the teacher model, filter them, critique them with the
critic model."""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from codecritique.datagen.backends import ModelSpec, close_backend, open_backend
from codecritique.datagen.filter import FilterConfig
from codecritique.datagen.steps.common import LANGUAGES, add_count, input_rows, per_language, \
    shard_rows, workdir_of, write_json_file
from codecritique.pipeline import Shard, ShardContext, Step


# ---------------------------------------------------------------- stages 4-6: model calls


@dataclass
class GenerateStep(Step):
    name: ClassVar[str] = "generate"
    reads: ClassVar[tuple[str, ...]] = ("questions.jsonl",)
    writes: ClassVar[tuple[str, ...]] = ("stages/generations.jsonl", "stages/generate.stats.json")
    shards: int = 4
    languages: tuple[str, ...] = LANGUAGES
    samples: int = 4
    teacher: ModelSpec = field(default_factory=ModelSpec)
    temperature: float = 0.6
    top_p: float = 0.95
    max_tokens: int = 32768
    seed: int = 0
    cpp_comment: str = "ns"

    def settings(self) -> dict[str, Any]:
        d = {k: v for k, v in asdict(self).items() if k != "teacher"}
        d["teacher"] = self.teacher.identity()
        return d

    async def run(self, shard: Shard, ctx: ShardContext) -> dict[str, Any]:
        from codecritique.datagen.export import sample_id
        from codecritique.llm.prompts import generation_messages
        from codecritique.llm.store import Store
        from codecritique.llm.types import SamplingParams

        questions = shard_rows(ctx, "questions.jsonl", shard)
        params = SamplingParams(temperature=self.temperature, top_p=self.top_p, max_tokens=self.max_tokens,
                                seed=self.seed)
        model = self.teacher.name()
        todo = [(q, lang) for q in questions for lang in self.languages]
        ctx.progress("total", n=len(todo) * self.samples)
        workdir = workdir_of(ctx)
        rows: dict[tuple[int, str], list[dict[str, Any]]] = {}
        stats: dict[str, Any] = {"requests": 0, "failed": 0, "errors": {}}

        with Store(workdir / "requests" / f"generate-{shard.id}.jsonl") as store:
            backend = open_backend(self.teacher, store)

            async def one(k: int, q: dict[str, Any], lang: str) -> None:
                messages = generation_messages(q["question"], lang, cpp_comment=self.cpp_comment)
                meta = {"stage": "generate", "question_id": q["question_id"], "language": lang}
                out = []
                try:
                    completions = await backend.generate(messages, n=self.samples, params=params, meta=meta)
                except Exception as e:  # noqa: BLE001 - recorded, counted, retried by the next run
                    error = f"{type(e).__name__}: {e}"
                    add_count(stats["errors"], error.split(":")[0])
                    stats["failed"] += self.samples
                    completions = [None] * self.samples
                for i, c in enumerate(completions):
                    out.append({
                        "id": sample_id(str(q["question_id"]), lang, i, model, self.seed),
                        "question_id": q["question_id"], "language": lang, "sample_index": i, "model": model,
                        "response": None if c is None else c.text,
                        "finish_reason": None if c is None else c.finish_reason,
                        "completion_tokens": None if c is None else c.completion_tokens,
                        "error": error if c is None else "",
                    })
                rows[(k, lang)] = out
                stats["requests"] += self.samples
                ctx.progress("advance", n=self.samples)

            try:
                await asyncio.gather(*(one(k, q, lang) for k, q in enumerate(questions) for lang in self.languages))
            finally:
                await close_backend(backend)
        ordered = [r for k in range(len(questions)) for lang in self.languages for r in rows[(k, lang)]]
        ctx.write_jsonl("stages/generations.jsonl", ordered)
        write_json_file(ctx.output("stages/generate.stats.json"), {**stats, "questions": len(questions),
                                                          "per_language": per_language(ordered)})
        return {"samples": len(ordered), "failed": stats["failed"]}



@dataclass
class FilterStep(Step):
    name: ClassVar[str] = "filter"
    reads: ClassVar[tuple[str, ...]] = ("stages/generations.jsonl",)
    writes: ClassVar[tuple[str, ...]] = ("stages/filtered.jsonl", "stages/filter.stats.json")
    shards: int = 4
    config: FilterConfig = field(default_factory=FilterConfig)

    def run(self, shard: Shard, ctx: ShardContext) -> dict[str, Any]:
        from codecritique.datagen.filter import filter_records

        gens = shard_rows(ctx, "stages/generations.jsonl", shard)
        kept, dropped = filter_records(gens, self.config)
        by_lang: dict[str, dict[str, int]] = {}
        kept_ids = {r["id"] for r in kept}
        from codecritique.datagen.filter import check

        for g in gens:
            lang = by_lang.setdefault(g["language"], {"in": 0, "kept": 0})
            lang["in"] += 1
            lang["kept"] += g["id"] in kept_ids
            if g["id"] not in kept_ids:
                reason = "request failed" if g.get("error") or g.get("response") is None else \
                    check(g["response"], g["language"], self.config, finish_reason=g.get("finish_reason")).reason
                add_count(lang, f"dropped: {reason}")
        ctx.write_jsonl("stages/filtered.jsonl", kept)
        write_json_file(ctx.output("stages/filter.stats.json"), {"in": len(gens), "kept": len(kept), "dropped": dropped,
                                                        "per_language": by_lang,
                                                        "config": asdict(self.config)})
        ctx.progress("advance", n=len(gens))
        return {"kept": len(kept)}


@dataclass
class CritiqueStep(Step):
    name: ClassVar[str] = "critique"
    reads: ClassVar[tuple[str, ...]] = ("stages/filtered.jsonl", "questions.jsonl")
    writes: ClassVar[tuple[str, ...]] = ("stages/critiques.jsonl", "stages/critique.stats.json")
    shards: int = 4
    critic: ModelSpec = field(default_factory=ModelSpec)
    temperature: float = 0.6
    top_p: float = 0.95
    max_tokens: int = 24576
    seed: int = 0
    p_right: str = "all"  # all | forced (only where the critic wrote no judgement) | off

    def settings(self) -> dict[str, Any]:
        d = {k: v for k, v in asdict(self).items() if k != "critic"}
        d["critic"] = self.critic.identity()
        return d

    async def run(self, shard: Shard, ctx: ShardContext) -> dict[str, Any]:
        from codecritique.llm.parsing import parse_critique
        from codecritique.llm.prompts import critique_messages
        from codecritique.llm.store import Store
        from codecritique.llm.types import SamplingParams

        samples = shard_rows(ctx, "stages/filtered.jsonl", shard)
        wanted = {s["question_id"] for s in samples}
        questions = {q["question_id"]: q["question"] for q in input_rows(ctx, "questions.jsonl")
                     if q["question_id"] in wanted}
        ctx.progress("total", n=len(samples))
        workdir = workdir_of(ctx)
        model = self.critic.name()
        stats: dict[str, Any] = {"requests": 0, "failed": 0, "errors": {}, "parsed": 0, "forced": 0,
                                 "unparsable": 0, "p_right": 0}
        out: list[dict[str, Any] | None] = [None] * len(samples)
        raw = None
        if not self.critic.local and self.p_right != "off":
            import openai

            raw = openai.AsyncOpenAI(base_url=self.critic.urls[0], api_key=self.critic.api_key, timeout=600.0,
                                     max_retries=2)
        with Store(workdir / "requests" / f"critique-{shard.id}.jsonl") as store:
            backend = open_backend(self.critic, store)

            async def one(k: int, s: dict[str, Any]) -> None:
                fence = "cpp" if s["language"] == "cpp" else "python"
                messages = critique_messages(questions[s["question_id"]], f"```{fence}\n{s['code']}\n```")
                params = SamplingParams(temperature=self.temperature, top_p=self.top_p, max_tokens=self.max_tokens,
                                        seed=self.seed + 1_000_000 + int(s["sample_index"]))
                meta = {"stage": "critique", "id": s["id"]}
                try:
                    (c,) = await backend.generate(messages, n=1, params=params, meta=meta)
                except Exception as e:  # noqa: BLE001 - recorded, counted, retried by the next run
                    error = f"{type(e).__name__}: {e}"
                    add_count(stats["errors"], error.split(":")[0])
                    stats["failed"] += 1
                    out[k] = {"id": s["id"], "critique": None, "judgement": None, "error": error, "model": model}
                    ctx.progress("advance", n=1)
                    return
                parsed = parse_critique(c.text, finish_reason=c.finish_reason)
                judgement, forced, p_right = parsed.judgement, False, None
                if self.p_right == "all" or (self.p_right == "forced" and judgement is None):
                    p_right = await _p_right(backend, raw, self.critic, messages, parsed.answer or c.text)
                if judgement is None and p_right is not None:
                    judgement, forced = ("right" if p_right >= 0.5 else "wrong"), True
                out[k] = {"id": s["id"], "critique": c.text, "judgement": judgement, "forced": forced,
                          "p_right": p_right, "finish_reason": c.finish_reason,
                          "completion_tokens": c.completion_tokens, "model": model, "error": ""}
                ctx.progress("advance", n=1)

            try:
                await asyncio.gather(*(one(k, s) for k, s in enumerate(samples)))
            finally:
                await close_backend(backend)
                if raw is not None:
                    await raw.close()
        rows = [r for r in out if r is not None]
        for r in rows:
            stats["requests"] += 1
            if r.get("error"):
                continue
            if r["judgement"] is None:
                stats["unparsable"] += 1
            elif r["forced"]:
                stats["forced"] += 1
            else:
                stats["parsed"] += 1
            stats["p_right"] += r.get("p_right") is not None
        ctx.write_jsonl("stages/critiques.jsonl", rows)
        write_json_file(ctx.output("stages/critique.stats.json"), stats)
        return {"critiques": len(rows), "failed": stats["failed"]}


async def _p_right(backend: Any, raw: Any, spec: ModelSpec, messages: list[dict[str, str]],
                   critique: str) -> float | None:
    from codecritique.llm.forced_choice import endpoint_p_right, p_right_from_logprobs

    if spec.local:
        right, wrong = await asyncio.to_thread(backend.choice_logprobs, messages, critique)
        return p_right_from_logprobs(right, wrong)
    try:
        return await endpoint_p_right(raw, str(spec.model), messages, critique)
    except Exception:  # noqa: BLE001 - a server without log-probabilities: no p_right
        return None
