"""The steps of ``codecritique run`` on the stage runner (:mod:`codecritique.pipeline`): generate -> critique ->
judge -> report, each reading and writing files of the run directory, so each runs on its own over saved files and
a finished step is skipped on a rerun with the same settings and inputs (its completion marker).

Each step holds the run's :class:`~.run.RunConfig` and declares, in :meth:`settings`, the part its result depends
on (so a changed judge setting reruns the judge and what follows, not the model). Progress and log lines leave a
step as events (:class:`~codecritique.pipeline.progress.ShardProgress`); the caller draws them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..io import read_jsonl, write_json, write_jsonl
from ..judge.engine import Judge, JudgeConfig, Submission
from ..judge.verdict import SampleResult, Verdict
from ..llm.config import make_backend
from ..llm.tasks import GeneratedSolution, critique_items, critique_solutions, generate_solutions
from ..pipeline import Shard, ShardContext, Step
from ..pipeline.progress import ShardProgress
from ..problems.model import Problem
from .run import ProgressFactory, RunConfig, load_run_problems

PROBLEMS = "problems"  # the run's problems file: an input of every step (resolved to cfg.problems)


def _rows(path: Path) -> list[dict]:
    return [r.data for r in read_jsonl(path, missing="run the stage that writes it first")]


def _model_settings(cfg: RunConfig) -> dict[str, Any]:
    """What a model's answers depend on (not the API key, the concurrency or the local batch size)."""
    b = cfg.backend
    return {"model": b.model, "base_urls": b.base_urls, "local_model": b.local_model, "dtype": b.local_dtype,
            "temperature": b.temperature, "top_p": b.top_p, "max_tokens": b.resolved_max_tokens(),
            "tokenizer": b.tokenizer, "seed": cfg.seed, "prompts": asdict(cfg.prompts), "language": cfg.language}


def _problem_settings(cfg: RunConfig) -> dict[str, Any]:
    return {"window": cfg.window, "limit": cfg.limit}


@contextlib.asynccontextmanager
async def run_backend(cfg: RunConfig, store_name: str = "requests.jsonl"):
    """The run's model, persisting every request to the run's store (``store_name`` in the run directory),
    closed afterwards."""
    from ..llm.store import Store

    with Store(Path(cfg.out) / store_name) as store:
        backend = make_backend(cfg.backend, store)
        try:
            yield backend
        finally:
            await backend.aclose()


@dataclass
class RunStep(Step):
    """A step of one run: its configuration, and the problems file as an input."""

    cfg: RunConfig

    @property
    def reads(self) -> tuple[str, ...]:  # type: ignore[override]
        return (str(Path(self.cfg.problems).resolve()), *self.run_reads)

    run_reads: tuple[str, ...] = ()

    def problems(self) -> dict[str, Problem]:
        return load_run_problems(self.cfg)


@dataclass
class GenerateStep(RunStep):
    name = "generate"
    writes = ("generations.jsonl",)

    def settings(self) -> dict[str, Any]:
        return {**_model_settings(self.cfg), **_problem_settings(self.cfg), "k": self.cfg.k}

    async def run(self, shard: Shard, ctx: ShardContext) -> int:
        from .run import progress_bar

        cfg, problems, progress = self.cfg, self.problems(), ShardProgress(ctx)
        async with run_backend(cfg) as backend:
            progress.log(f"generating {cfg.k} solutions for each of {len(problems)} problems with {backend.model}")
            with progress_bar(backend, cfg.k * len(problems), "generate", progress):
                sols = await generate_solutions(list(problems.values()), backend, cfg.k, cfg.gen_params(),
                                                cfg.language, cfg.prompts, backend.count_tokens)
        return write_jsonl(ctx.output("generations.jsonl"), (s.to_dict() for s in sols))


@dataclass
class CritiqueStep(RunStep):
    name = "critique"
    writes = ("critiques.jsonl",)
    run_reads: tuple[str, ...] = ("generations.jsonl",)

    def settings(self) -> dict[str, Any]:
        return {**_model_settings(self.cfg), "critique_max_tokens": self.cfg.critique_max_tokens,
                "p_right": self.cfg.p_right}

    async def run(self, shard: Shard, ctx: ShardContext) -> int:
        from .run import progress_bar

        cfg, problems, progress = self.cfg, self.problems(), ShardProgress(ctx)
        sols = [GeneratedSolution(**r) for path in ctx.input_paths("generations.jsonl") for r in _rows(path)]
        items = critique_items(problems, sols, cfg.prompts)
        async with run_backend(cfg) as backend:
            progress.log(f"critiquing {len(sols)} solutions")
            with progress_bar(backend, sum(i.solution is not None for i in items), "critique", progress):
                crits = await critique_solutions(items, backend, cfg.critique_params(), cfg.prompts,
                                                 backend.count_tokens)
            scores: list[float | None] = [None] * len(crits)
            if cfg.p_right:
                scores = await _score_critiques(cfg, items, crits, backend, progress)
        return write_jsonl(ctx.output("critiques.jsonl"), ({**c.to_dict(), "p_right": p}
                                                           for c, p in zip(crits, scores)))


async def _score_critiques(cfg: RunConfig, items, crits, backend, progress) -> list[float | None]:
    """P(right) of every critique (:func:`~codecritique.llm.tasks.judgement_p_right`), stored in p_right.jsonl."""
    from ..llm.store import Store
    from ..llm.tasks import judgement_p_right

    todo = sum(1 for i, c in zip(items, crits) if i.solution is not None and c.text)
    with Store(Path(cfg.out) / "p_right.jsonl") as store, progress("p_right", todo, "critique") as bar:
        scores = await judgement_p_right(items, crits, backend, store, cfg.prompts,
                                         on_score=lambda cached: bar.skip(1) if cached else bar.update(1))
    missing = sum(1 for i, c, p in zip(items, crits, scores) if i.solution is not None and c.text and p is None)
    progress.log(f"P(right) of {todo - missing} of {len(crits)} critiques" +
                 (f"; {missing} without (the endpoint returned no log-probabilities for them)" if missing else ""))
    return scores


TESTGEN_PROMPT_VERSION = 2  # bump when the parsing of generated tests changes (reparses saved responses)


@dataclass
class TestGenStep(RunStep):
    """The model writes tests for every problem (:func:`~codecritique.llm.tasks.generate_tests`): inputs for stdin
    problems, asserts for functional ones. One line per problem: the unique tests in first-seen order with how often
    each was written (CodeT counts a test once per occurrence), and per response what was kept and dropped."""

    name = "testgen"
    writes = ("generated_tests.jsonl",)

    def settings(self) -> dict[str, Any]:
        return {**_model_settings(self.cfg), **_problem_settings(self.cfg), "test_samples": self.cfg.test_samples,
                "tests_per_sample": self.cfg.tests_per_sample, "test_prompts": TESTGEN_PROMPT_VERSION}

    async def run(self, shard: Shard, ctx: ShardContext) -> dict[str, Any]:
        from collections import Counter

        from ..llm.tasks import generate_tests
        from ..llm.test_generation import merge_counts, generated_test_kind
        from .run import progress_bar

        cfg, problems, progress = self.cfg, self.problems(), ShardProgress(ctx)
        # asserts are Python: for a C++ run only the stdin problems get generated tests (inputs)
        wanted = [p for p in problems.values() if generated_test_kind(p) == "stdin"
                  or generated_test_kind(p) == "functional" and cfg.language == "python"]
        async with run_backend(cfg, "requests-testgen.jsonl") as backend:
            progress.log(f"asking for {cfg.tests_per_sample} tests x {cfg.test_samples} response(s) for each of "
                         f"{len(wanted)} problems")
            with progress_bar(backend, cfg.test_samples * len(wanted), "testgen", progress):
                samples = await generate_tests(wanted, backend, cfg.test_samples, cfg.test_params(),
                                               cfg.tests_per_sample)
        by_problem: dict[str, list] = {}
        for s in samples:
            by_problem.setdefault(s.problem_id, []).append(s)
        rows = []
        for pid, group in by_problem.items():
            counts = Counter(t for s in group for t in s.tests)
            rows.append({"problem_id": pid, "kind": group[0].kind, "entry_point": group[0].entry_point,
                         "tests": list(counts), "weights": list(counts.values()),
                         "responses": [{"sample_index": s.sample_index, "found": s.found, "kept": len(s.tests),
                                        "dropped": s.dropped, "finish_reason": s.finish_reason} for s in group]})
        write_jsonl(ctx.output("generated_tests.jsonl"), rows)
        stats = {"problems": len(rows), "tests": sum(len(r["tests"]) for r in rows),
                 "responses_without_tests": sum(1 for s in samples if not s.tests),
                 "dropped": merge_counts([s.dropped for s in samples])}
        progress.log(f"generated tests: {stats['tests']} distinct over {stats['problems']} problems; "
                     f"{stats['responses_without_tests']} of {len(samples)} responses had none usable"
                     + (f"; dropped: {stats['dropped']}" if stats["dropped"] else ""))
        return stats


@dataclass
class TestRunStep(RunStep):
    """Every solution on its problem's generated tests, in the judge's sandbox, every test run
    (:func:`~codecritique.critique.dual_execution.execute_generated`). One line per solution."""

    name = "testrun"
    writes = ("generated_results.jsonl",)
    run_reads: tuple[str, ...] = ("generations.jsonl", "generated_tests.jsonl")

    def settings(self) -> dict[str, Any]:
        return {"sandbox": self.cfg.judge.sandbox, "time_limit": self.cfg.test_time_limit,
                "language": self.cfg.language, **_problem_settings(self.cfg)}

    def run(self, shard: Shard, ctx: ShardContext) -> int:
        from .dual_execution import DualExecutionConfig
        from .generated_execution import GeneratedSuite, execute_generated

        cfg, problems, progress = self.cfg, self.problems(), ShardProgress(ctx)
        gens = _rows(ctx.input_paths("generations.jsonl")[0])
        suites = {r["problem_id"]: GeneratedSuite(r["problem_id"], r["kind"], r["tests"], r["weights"])
                  for r in _rows(ctx.input_paths("generated_tests.jsonl")[0]) if r["problem_id"] in problems}
        sols = [(g["problem_id"], g["sample_index"], None if g["no_code"] else g["code"], g["language"])
                for g in gens]
        with_tests = [pid for pid, s in suites.items() if s.cases]
        progress.log(f"running {len(sols)} solutions on the generated tests of {len(with_tests)} problems")
        execution = DualExecutionConfig(time_limit=cfg.test_time_limit, workers=cfg.judge.workers,
                                        sandbox=cfg.judge.sandbox)
        with progress("testrun", len(with_tests), "problem") as bar:
            results = execute_generated(problems, sols, suites, Path(cfg.out) / "generated_executions.jsonl",
                                        execution, cfg.judge, on_problem=lambda *_: bar.update(1))
        rows = []
        for pid, idx, _code, _lang in sols:
            r, suite = results.get((pid, idx)), suites.get(pid)
            rows.append({"problem_id": pid, "sample_index": idx, "kind": suite.kind if suite and r else None,
                         "generated_tests_passed": r.passed if r else None,
                         "generated_outputs": r.outputs if r else None,
                         "generated_test_weights": list(suite.weights) if suite and r else None})
        return write_jsonl(ctx.output("generated_results.jsonl"), rows)


PCH_FIELDS = ("cpp_pch", "cpp_pch_min_uses", "cpp_pch_max_mb")  # compile speed only: verdicts are the same


@dataclass
class JudgeStep(RunStep):
    name = "judge"
    writes = ("verdicts.jsonl",)
    run_reads: tuple[str, ...] = ("generations.jsonl",)

    def settings(self) -> dict[str, Any]:
        judge = {k: v for k, v in asdict(self.cfg.judge).items() if k not in ("workers", "compile_workers", "cache", *PCH_FIELDS)}
        return {"judge": judge, "language": self.cfg.language, **_problem_settings(self.cfg)}

    def run(self, shard: Shard, ctx: ShardContext) -> int:
        (path,) = ctx.input_paths("generations.jsonl")
        progress = ShardProgress(ctx)
        rows = judge_solutions(self.cfg, _rows(path), self.problems(), progress, progress.log)
        return write_jsonl(ctx.output("verdicts.jsonl"), rows)


@dataclass
class ReportStep(RunStep):
    name = "report"
    writes = ("solutions.jsonl", "metrics.json")
    run_reads: tuple[str, ...] = ("generations.jsonl", "critiques.jsonl", "verdicts.jsonl")

    def settings(self) -> dict[str, Any]:
        return {"fallback": self.cfg.fallback, "bootstrap": self.cfg.bootstrap, "seed": self.cfg.seed,
                "generated_tests": self.cfg.generated_tests, **_problem_settings(self.cfg)}

    def run(self, shard: Shard, ctx: ShardContext) -> int:
        from ..metrics.records import parse_record
        from ..metrics.summary import compute_metrics, curves

        cfg = self.cfg
        gens, crits, verdicts, *generated = (_rows(ctx.input_paths(n)[0]) for n in self.run_reads)
        rows = solution_records(self.problems(), gens, crits, verdicts, generated[0] if generated else None)
        write_jsonl(ctx.output("solutions.jsonl"), rows)
        final = Path(cfg.out) / "solutions.jsonl"
        records = [parse_record(r, final, i + 1) for i, r in enumerate(rows)]
        metrics = compute_metrics(records, fallback=cfg.fallback, bootstrap=cfg.bootstrap, seed=cfg.seed)
        curve = curves(records, fallback=cfg.fallback, bootstrap=min(cfg.bootstrap, 200), seed=cfg.seed)
        write_json(ctx.output("metrics.json"), {"metrics": metrics, "curves": curve})
        ShardProgress(ctx).log(f"wrote {final} and {Path(cfg.out) / 'metrics.json'}")
        return len(rows)


def run_steps(cfg: RunConfig) -> list[RunStep]:
    if not cfg.generated_tests:
        return [GenerateStep(cfg), CritiqueStep(cfg), JudgeStep(cfg), ReportStep(cfg)]
    report = ReportStep(cfg, run_reads=(*ReportStep.run_reads, "generated_results.jsonl"))
    return [GenerateStep(cfg), CritiqueStep(cfg), TestGenStep(cfg), JudgeStep(cfg), TestRunStep(cfg), report]


def judge_solutions(cfg: RunConfig, generations: list[dict], problems: dict[str, Problem],
                    progress: ProgressFactory | None = None,
                    log: Callable[[str], None] = lambda message: None) -> list[dict]:
    """Verdict of every solution on all tests (stop at the first failure), and on the statement's sample tests
    alone (every test run): whether it passes them and a signature of its outputs (for the beyond-the-paper
    strategies public-tests+critique and majority-output)."""
    sols = [GeneratedSolution(**r) for r in generations]
    with_code = [s for s in sols if not s.no_code]
    log(f"judging {len(with_code)} solutions ({len(sols) - len(with_code)} without code)")
    base = JudgeConfig(**{**asdict(cfg.judge), "cache": str(Path(cfg.out) / "verdicts.sqlite")})
    bar = progress("judge", len(with_code), "solution") if progress else contextlib.nullcontext()
    with bar, Judge(base) as judge:
        full = judge.run([Submission(problems[s.problem_id], s.code, s.language) for s in with_code],
                         on_result=(lambda _i, _sub, res: bar.skip(1) if res.cached else bar.update(1))
                         if progress else None)
        isolation = judge.isolation
    public = {pid: Problem(id=f"{pid}#public", tests=p.public_tests(), metadata=p.metadata,
                           starter_code=p.starter_code) for pid, p in problems.items() if p.public_tests()}
    subs = [(s, public[s.problem_id]) for s in with_code if s.problem_id in public]
    with Judge(JudgeConfig(**{**asdict(base), "all_tests": True})) as judge:
        pub = judge.run([Submission(p, s.code, s.language) for s, p in subs])
    pub_by = {(s.problem_id, s.sample_index): r for (s, _), r in zip(subs, pub)}
    full_by = {(s.problem_id, s.sample_index): r for s, r in zip(with_code, full)}
    rows = []
    for s in sols:
        key = (s.problem_id, s.sample_index)
        r = full_by.get(key) or SampleResult(Verdict.CE, message="no code in the response")
        p = pub_by.get(key)
        rows.append({
            "problem_id": s.problem_id, "sample_index": s.sample_index, "passed": r.passed,
            "verdict": r.to_dict(), "isolation": r.sandbox or isolation,  # a cached verdict: its own isolation
            # no sample tests: no evidence either way, every solution counts as passing them
            "passed_public": p.passed if p else (not s.no_code and s.problem_id not in public),
            "output_signature": "|".join(t.output_digest or t.verdict.value for t in p.test_results) if p else "",
        })
    return rows


def solution_records(problems: dict[str, Problem], generations: list[dict], critiques: list[dict],
                     verdicts: list[dict], generated: list[dict] | None = None) -> list[dict]:
    """One line per solution, in the ``codecritique metrics`` format plus everything needed to read it (with
    generated tests: the fields of the beyond-the-paper strategies, see :mod:`codecritique.metrics.records`)."""
    gens = {(r["problem_id"], r["sample_index"]): r for r in generations}
    crits = {(r["problem_id"], r["sample_index"]): r for r in critiques}
    verdicts = {(r["problem_id"], r["sample_index"]): r for r in verdicts}
    extra = {(r["problem_id"], r["sample_index"]): r for r in generated or ()}
    rows = []
    for key in sorted(gens, key=lambda k: (k[0], k[1])):
        g, c, v = gens[key], crits.get(key), verdicts.get(key)
        if c is None or v is None:
            raise ValueError(f"solution {key} has no {'critique' if c is None else 'verdict'}: run that stage")
        rows.append({
            "problem_id": key[0], "sample_index": key[1], "difficulty": problems[key[0]].difficulty or "unknown",
            "passed": v["passed"], "judgement": c["judgement"],
            "critique_reasoning_tokens": c["reasoning_tokens"] if c["judgement"] is not None else None,
            "critique_reasoning_unit": c["reasoning_unit"],
            "passed_public": v["passed_public"], "output_signature": v["output_signature"],
            "language": g["language"], "code": g["code"], "response": g["response"],
            "finish_reason": g["finish_reason"], "truncated": g["truncated"], "no_code": g["no_code"],
            "critique": c["text"], "critique_skipped": c.get("skipped", ""), "verdict": v["verdict"],
            "p_right": c.get("p_right"),
        })
        if generated is not None:
            e = extra.get(key, {})
            rows[-1].update({name: e.get(name) for name in ("generated_tests_passed", "generated_outputs",
                                                            "generated_test_weights")})
    return rows
