"""The datagen stages as pipeline steps (:mod:`codecritique.pipeline`).

Files in the output directory (``DIR``):

    stages/questions.all.jsonl        every question read (stage 1)
    dedup.jsonl, stages/questions.unique.jsonl        (stage 2)
    questions.jsonl, contamination.jsonl              (stage 3: the kept questions)
    stages/generations-SSSSS-of-NNNNN.jsonl           (stage 4; requests/generate-*.jsonl hold every request)
    stages/filtered-*.jsonl                           (stage 5)
    stages/critiques-*.jsonl                          (stage 6; requests/critique-*.jsonl)
    stages/executions-*.jsonl                         (stage 7)
    data/<language>/train-*.parquet, README.md, stats.json   (stage 8)
    stages/*.stats*.json              each shard's counts, read by the card

Shard ``i`` of the generate, filter, critique, execute and export steps holds the samples of the same questions
(shard ``i`` of ``questions.jsonl``), so a shard's work depends on one file of the stage before it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

from codecritique.datagen.backends import ModelSpec, close_backend, open_backend
from codecritique.datagen.decontam import DecontamConfig
from codecritique.datagen.dedup import DedupConfig
from codecritique.datagen.execute import ExecuteConfig
from codecritique.datagen.filter import FilterConfig
from codecritique.datagen.questions import QuestionOptions, SourceSpec
from codecritique.pipeline import Shard, ShardContext, Step

LANGUAGES = ("python", "cpp")


def _json(path: Path, value: Any) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")


def _rows(ctx: ShardContext, name: str) -> Iterator[dict[str, Any]]:
    for rec in ctx.read_jsonl(name):
        yield rec.data


def _my_rows(ctx: ShardContext, name: str, shard: Shard) -> list[dict[str, Any]]:
    """This shard's rows of input ``name``: its own file when the producer has as many shards, else its share."""
    from codecritique.io import iter_jsonl

    paths = ctx.input_paths(name)
    if len(paths) == shard.count and shard.count > 1:
        return [r.data for r in iter_jsonl(paths[shard.index])]
    return shard.take([r.data for p in paths for r in iter_jsonl(p)])


def _workdir(ctx: ShardContext) -> Path:
    """The pipeline's work directory (a shard's temporary outputs live in ``WORKDIR/.pipeline/STEP/tmp/SHARD/``)."""
    tmp = Path(next(iter(ctx.outputs.values()))).resolve()
    for parent in tmp.parents:
        if parent.name == ".pipeline":
            return parent.parent
    raise RuntimeError(f"cannot tell the work directory from the output path {tmp}")


def _count(d: dict[str, int], key: str, n: int = 1) -> None:
    d[key] = d.get(key, 0) + n


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
        _json(ctx.output("stages/questions.stats.json"), stats)
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

        records = list(_rows(ctx, "stages/questions.all.jsonl"))
        result = dedup(records, self.config, progress=lambda phase, done, total: ctx.progress(
            "advance", phase=phase, done=done, total=total))
        ctx.write_jsonl("stages/questions.unique.jsonl", result.kept)
        ctx.write_jsonl("dedup.jsonl", result.clusters)
        stats = {"in": len(records), "kept": len(result.kept), "removed": result.removed,
                 "exact_removed": result.exact_removed, "fuzzy_removed": result.fuzzy_removed,
                 "clusters": len(result.clusters), "config": asdict(self.config)}
        _json(ctx.output("stages/dedup.stats.json"), stats)
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

        records = list(_rows(ctx, "stages/questions.unique.jsonl"))
        items = benchmark_items([SourceSpec.parse(s) for s in self.benchmarks], self.options)
        judge = None
        if self.judge is not None and items:
            judge = _llm_judge(self.judge, self.config, _workdir(ctx))
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
        _json(ctx.output("stages/decontam.stats.json"), stats)
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

        questions = _my_rows(ctx, "questions.jsonl", shard)
        params = SamplingParams(temperature=self.temperature, top_p=self.top_p, max_tokens=self.max_tokens,
                                seed=self.seed)
        model = self.teacher.name()
        todo = [(q, lang) for q in questions for lang in self.languages]
        ctx.progress("total", n=len(todo) * self.samples)
        workdir = _workdir(ctx)
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
                    _count(stats["errors"], error.split(":")[0])
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
        _json(ctx.output("stages/generate.stats.json"), {**stats, "questions": len(questions),
                                                          "per_language": _per_language(ordered)})
        return {"samples": len(ordered), "failed": stats["failed"]}


def _per_language(rows: list[dict[str, Any]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in rows:
        _count(out, r["language"])
    return out


@dataclass
class FilterStep(Step):
    name: ClassVar[str] = "filter"
    reads: ClassVar[tuple[str, ...]] = ("stages/generations.jsonl",)
    writes: ClassVar[tuple[str, ...]] = ("stages/filtered.jsonl", "stages/filter.stats.json")
    shards: int = 4
    config: FilterConfig = field(default_factory=FilterConfig)

    def run(self, shard: Shard, ctx: ShardContext) -> dict[str, Any]:
        from codecritique.datagen.filter import filter_records

        gens = _my_rows(ctx, "stages/generations.jsonl", shard)
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
                _count(lang, f"dropped: {reason}")
        ctx.write_jsonl("stages/filtered.jsonl", kept)
        _json(ctx.output("stages/filter.stats.json"), {"in": len(gens), "kept": len(kept), "dropped": dropped,
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

        samples = _my_rows(ctx, "stages/filtered.jsonl", shard)
        wanted = {s["question_id"] for s in samples}
        questions = {q["question_id"]: q["question"] for q in _rows(ctx, "questions.jsonl")
                     if q["question_id"] in wanted}
        ctx.progress("total", n=len(samples))
        workdir = _workdir(ctx)
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
                    _count(stats["errors"], error.split(":")[0])
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
        _json(ctx.output("stages/critique.stats.json"), stats)
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


# ---------------------------------------------------------------- stages 7-8


@dataclass
class ExecuteStep(Step):
    name: ClassVar[str] = "execute"
    reads: ClassVar[tuple[str, ...]] = ("stages/filtered.jsonl", "questions.jsonl")
    writes: ClassVar[tuple[str, ...]] = ("stages/executions.jsonl", "stages/execute.stats.json")
    shards: int = 4
    config: ExecuteConfig = field(default_factory=ExecuteConfig)

    def settings(self) -> dict[str, Any]:
        return {"config": {k: v for k, v in asdict(self.config).items() if k != "workers"}}

    def run(self, shard: Shard, ctx: ShardContext) -> dict[str, Any]:
        from codecritique.datagen.execute import execute_samples
        from codecritique.datagen.questions import problem_of

        samples = _my_rows(ctx, "stages/filtered.jsonl", shard)
        wanted = {s["question_id"] for s in samples}
        problems = {q["question_id"]: problem_of(q) for q in _rows(ctx, "questions.jsonl")
                    if q["question_id"] in wanted}
        ctx.progress("total", n=len(samples))
        rows = execute_samples(samples, problems, self.config, on_result=lambda n: ctx.progress("advance", n=n))
        stats: dict[str, Any] = {"samples": len(rows), "executed": sum(r["executed"] for r in rows),
                                 "not_executed": sum(1 for r in rows if r["not_executed"]),
                                 "system_errors": sum(1 for r in rows if r["error"]),
                                 "tests_run": sum(r["tests_run"] or 0 for r in rows),
                                 "all_passed": sum(1 for r in rows if r["pass_rate"] == 1.0)}
        ctx.write_jsonl("stages/executions.jsonl", rows)
        _json(ctx.output("stages/execute.stats.json"), stats)
        return {"executed": stats["executed"]}


@dataclass
class ExportStep(Step):
    name: ClassVar[str] = "export"
    shards: int = 4
    languages: tuple[str, ...] = LANGUAGES
    think_required: bool = True
    critiques: str = "stages/critiques.jsonl"  # --from-release without critique: the release's own

    @property
    def reads(self) -> tuple[str, ...]:  # type: ignore[override]
        return ("stages/filtered.jsonl", self.critiques, "stages/executions.jsonl", "questions.jsonl")

    @property
    def writes(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(f"data/{lang}/train.parquet" for lang in self.languages) + ("stages/export.stats.json",)

    def run(self, shard: Shard, ctx: ShardContext) -> dict[str, Any]:
        from codecritique.datagen.export import export_row, write_parquet

        samples = _my_rows(ctx, "stages/filtered.jsonl", shard)
        crits = {c["id"]: c for c in _my_rows(ctx, self.critiques, shard)}
        exes = {e["id"]: e for e in _my_rows(ctx, "stages/executions.jsonl", shard)}
        wanted = {s["question_id"] for s in samples}
        questions = {q["question_id"]: q for q in _rows(ctx, "questions.jsonl") if q["question_id"] in wanted}
        per_lang: dict[str, list[dict[str, Any]]] = {lang: [] for lang in self.languages}
        dropped: dict[str, int] = {}
        for s in samples:
            c = crits.get(s["id"])
            if c is None or c.get("error"):
                _count(dropped, "critique failed" if c else "no critique")
                continue
            if c["judgement"] not in ("right", "wrong"):
                _count(dropped, "unparsable judgement")
                continue
            if s["language"] not in per_lang:
                continue
            per_lang[s["language"]].append(export_row(questions[s["question_id"]], s, c, exes.get(s["id"]),
                                                      think_required=self.think_required))
        table1: dict[str, dict[str, Any]] = {}
        for lang, rows in per_lang.items():
            write_parquet(ctx.output(f"data/{lang}/train.parquet"), rows)
            for r in rows:
                cell = table1.setdefault(lang, {}).setdefault(r["source"] or "(none)", {"questions": [], "samples": 0})
                cell["samples"] += 1
                if r["question_id"] not in cell["questions"]:
                    cell["questions"].append(r["question_id"])
        stats = {"rows": {lang: len(rows) for lang, rows in per_lang.items()}, "dropped": dropped,
                 "table1": table1,
                 "judgements": {lang: {j: sum(1 for r in rows if r["judgement"] == j) for j in ("right", "wrong")}
                                for lang, rows in per_lang.items()},
                 "forced": sum(1 for rows in per_lang.values() for r in rows if r["judgement_forced"]),
                 "with_pass_rate": sum(1 for rows in per_lang.values() for r in rows if r["pass_rate"] != "")}
        _json(ctx.output("stages/export.stats.json"), stats)
        return {lang: len(rows) for lang, rows in per_lang.items()}


CARD_STATS = ("stages/questions.stats.json", "stages/dedup.stats.json", "stages/decontam.stats.json",
              "stages/generate.stats.json", "stages/filter.stats.json", "stages/critique.stats.json",
              "stages/execute.stats.json", "stages/export.stats.json")


@dataclass
class CardStep(Step):
    name: ClassVar[str] = "card"
    writes: ClassVar[tuple[str, ...]] = ("README.md", "stats.json")
    run_settings: dict[str, Any] = field(default_factory=dict)
    stats_files: tuple[str, ...] = CARD_STATS

    @property
    def reads(self) -> tuple[str, ...]:  # type: ignore[override]
        return self.stats_files

    def run(self, shard: Shard, ctx: ShardContext) -> dict[str, Any]:
        from codecritique.datagen.card import card_text, merge_stats

        stats = merge_stats({name: [json.loads(Path(p).read_text(encoding="utf-8"))
                                    for p in ctx.input_paths(name)] for name in self.reads})
        stats["settings"] = self.run_settings
        ctx.progress("advance", n=1)
        _json(ctx.output("stats.json"), stats)
        Path(ctx.output("README.md")).write_text(card_text(stats), encoding="utf-8")
        return {"rows": stats["export"]["rows"]}


@dataclass
class ReleaseStep(Step):
    """``--from-release``: OCR-2 rows as questions, samples and the release's critiques (see :mod:`.release`)."""

    name: ClassVar[str] = "release"
    writes: ClassVar[tuple[str, ...]] = ("questions.jsonl", "stages/filtered.jsonl", "stages/release-critiques.jsonl",
                                         "stages/release.stats.json")
    path: str = ""
    language: str | None = None
    sources: dict[str, str] = field(default_factory=dict)
    with_tests: bool = True
    limit: int = 0

    def run(self, shard: Shard, ctx: ShardContext) -> dict[str, Any]:
        from codecritique.datagen.release import release_samples

        questions, samples, critiques, stats = release_samples(self.path, language=self.language,
                                                               sources=self.sources, with_tests=self.with_tests,
                                                               limit=self.limit)
        ctx.progress("total", n=len(samples))
        ctx.write_jsonl("questions.jsonl", questions)
        ctx.write_jsonl("stages/filtered.jsonl", samples)
        ctx.write_jsonl("stages/release-critiques.jsonl", critiques)
        _json(ctx.output("stages/release.stats.json"), stats)
        return {"samples": len(samples)}
