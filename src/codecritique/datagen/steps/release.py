"""Datagen stages 7-8 as steps: execute the solutions for pass rates, export Parquet with its dataset card, and
the release step."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from codecritique.datagen.execute import ExecuteConfig
from codecritique.datagen.steps.common import LANGUAGES, add_count, input_rows, shard_rows, write_json_file
from codecritique.pipeline import Shard, ShardContext, Step


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

        samples = shard_rows(ctx, "stages/filtered.jsonl", shard)
        wanted = {s["question_id"] for s in samples}
        problems = {q["question_id"]: problem_of(q) for q in input_rows(ctx, "questions.jsonl")
                    if q["question_id"] in wanted}
        ctx.progress("total", n=len(samples))
        rows = execute_samples(samples, problems, self.config, on_result=lambda n: ctx.progress("advance", n=n))
        stats: dict[str, Any] = {"samples": len(rows), "executed": sum(r["executed"] for r in rows),
                                 "not_executed": sum(1 for r in rows if r["not_executed"]),
                                 "system_errors": sum(1 for r in rows if r["error"]),
                                 "tests_run": sum(r["tests_run"] or 0 for r in rows),
                                 "all_passed": sum(1 for r in rows if r["pass_rate"] == 1.0)}
        ctx.write_jsonl("stages/executions.jsonl", rows)
        write_json_file(ctx.output("stages/execute.stats.json"), stats)
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

        samples = shard_rows(ctx, "stages/filtered.jsonl", shard)
        crits = {c["id"]: c for c in shard_rows(ctx, self.critiques, shard)}
        exes = {e["id"]: e for e in shard_rows(ctx, "stages/executions.jsonl", shard)}
        wanted = {s["question_id"] for s in samples}
        questions = {q["question_id"]: q for q in input_rows(ctx, "questions.jsonl") if q["question_id"] in wanted}
        per_lang: dict[str, list[dict[str, Any]]] = {lang: [] for lang in self.languages}
        dropped: dict[str, int] = {}
        for s in samples:
            c = crits.get(s["id"])
            if c is None or c.get("error"):
                add_count(dropped, "critique failed" if c else "no critique")
                continue
            if c["judgement"] not in ("right", "wrong"):
                add_count(dropped, "unparsable judgement")
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
        write_json_file(ctx.output("stages/export.stats.json"), stats)
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
        write_json_file(ctx.output("stats.json"), stats)
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
        write_json_file(ctx.output("stages/release.stats.json"), stats)
        return {"samples": len(samples)}
