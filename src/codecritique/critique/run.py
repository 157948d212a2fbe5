"""``codecritique run``: generate k solutions per problem -> critique each -> judge each -> select -> metrics ->
report, as in the paper's Table 3 (P2 §3-4).

Every stage reads and writes files in the run directory, so each can be run on its own over saved files
(``--only``), and a killed run resumes where it stopped:

    config.json          the run's settings
    requests.jsonl       every model request and response, appended as it completes (llm.store)
    generations.jsonl    one line per solution: response, extracted code, reasoning length
    critiques.jsonl      one line per solution: critique, judgement, critique reasoning length
    verdicts.sqlite      the judge's verdict cache; verdicts.jsonl: one line per solution
    solutions.jsonl      one line per solution in the ``codecritique metrics`` format, plus code, critique, verdict
    metrics.json, fig3_scaling.png, fig5_selection.png, report.html
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..judge.engine import Judge, JudgeConfig, Submission
from ..judge.verdict import SampleResult, Verdict
from ..llm.config import BackendConfig, make_backend
from ..llm.tasks import GeneratedSolution, PromptOptions, critique_items, critique_solutions, generate_solutions
from ..llm.types import SamplingParams
from ..problems.model import Problem

STAGES = ("generate", "critique", "judge", "report")
# progress(what, total, unit, eta_after) -> an object with update(n, tokens=), skip(n), set_status(text) that is a
# context manager (cli.py makes them; the library never prints)
ProgressFactory = Callable[..., Any]
DEMO_PROBLEMS = Path(__file__).resolve().parents[1] / "data" / "demo_problems.jsonl"


@dataclass
class RunConfig:
    out: str = "runs/demo"
    problems: str = str(DEMO_PROBLEMS)
    window: str | None = None  # contest-date window YYMM-YYMM (LiveCodeBench), applied to the problems
    limit: int = 0  # only the first N problems (after the window); 0: all
    language: str = "python"
    k: int = 4
    # the model: an OpenAI-compatible endpoint (vLLM, SGLang, ...) or, with no base URL, the bundled SmolLM2-135M
    backend: BackendConfig = field(default_factory=BackendConfig)
    critique_max_tokens: int | None = None  # default: the backend's max_tokens
    seed: int = 0
    prompts: PromptOptions = field(default_factory=PromptOptions)
    # judging and selection
    judge: JudgeConfig = field(default_factory=JudgeConfig)
    fallback: str = "random"
    bootstrap: int = 1000

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "backend": self.backend.public_dict()}

    def validate(self) -> None:
        """Raise :class:`~codecritique.errors.ConfigError` for a setting that cannot work, before any file is
        written or any model is loaded."""
        from ..metrics.selection import FALLBACKS
        from ..errors import ConfigError, require, require_number
        from ..judge.engine import LANGUAGES

        require(self.language in LANGUAGES, "language", f"unknown language {self.language!r}: use "
                                                        f"{', '.join(LANGUAGES)}")
        require_number("k", self.k, minimum=1)
        self.backend.validate()
        require_number("critique_max_tokens", self.critique_max_tokens, minimum=1, optional=True)
        require_number("bootstrap", self.bootstrap, minimum=0)
        require(self.fallback in FALLBACKS, "fallback", f"unknown fallback {self.fallback!r}: use "
                                                        f"{', '.join(FALLBACKS)}")
        require(self.prompts.cpp_comment in ("ns", "paper"), "cpp_comment",
                f"unknown C++ placeholder {self.prompts.cpp_comment!r}: use ns or paper")
        require(Path(self.problems).is_file(), "problems", f"{self.problems}: no such file")
        if self.window is not None:
            from ..problems.lcb import parse_window

            try:
                parse_window(self.window)
            except ValueError as e:
                raise ConfigError("window", str(e)) from None
        require_number("limit", self.limit, minimum=0)
        self.judge.validate("judge.")

    def gen_params(self) -> SamplingParams:
        return self.backend.sampling(self.seed)

    def critique_params(self) -> SamplingParams:
        return self.backend.sampling(self.seed + 10**6, self.critique_max_tokens)


# ---------------------------------------------------------------- files


def _write_jsonl(path: Path, rows: Iterable[dict]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    os.replace(tmp, path)


def _read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: run the stage that writes it first")
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


# ---------------------------------------------------------------- stages


def load_run_problems(cfg: RunConfig) -> dict[str, Problem]:
    from ..problems.load import index_by_id, load_problems

    chosen = load_problems(cfg.problems, with_samples=True)
    if cfg.window:
        from ..problems.lcb import filter_problems

        chosen = filter_problems(chosen, window=cfg.window)
    if cfg.limit:
        chosen = chosen[:cfg.limit]
    return index_by_id(chosen)


async def _model_stages(cfg: RunConfig, out: Path, problems: dict[str, Problem], stages: set[str],
                        log: Callable[[str], None], progress: ProgressFactory | None = None) -> None:
    from ..llm.store import Store

    with Store(out / "requests.jsonl") as store:
        backend = make_backend(cfg.backend, store)
        count = backend.count_tokens
        try:
            if "generate" in stages:
                log(f"generating {cfg.k} solutions for each of {len(problems)} problems with {backend.model}")
                with progress_bar(backend, cfg.k * len(problems), "generate", progress):
                    sols = await generate_solutions(list(problems.values()), backend, cfg.k, cfg.gen_params(),
                                                    cfg.language, cfg.prompts, count)
                _write_jsonl(out / "generations.jsonl", (s.to_dict() for s in sols))
            if "critique" in stages:
                sols = [GeneratedSolution(**r) for r in _read_jsonl(out / "generations.jsonl")]
                items = critique_items(problems, sols, cfg.prompts)
                log(f"critiquing {len(sols)} solutions")
                with progress_bar(backend, sum(i.solution is not None for i in items), "critique", progress):
                    crits = await critique_solutions(items, backend, cfg.critique_params(), cfg.prompts, count)
                _write_jsonl(out / "critiques.jsonl", (c.to_dict() for c in crits))
        finally:
            await backend.aclose()


@contextlib.contextmanager
def progress_bar(backend, total: int, what: str, progress: ProgressFactory | None = None):
    """Feed the backend's events to a progress display made by ``progress(what, total, unit, eta_after)`` (none:
    silent). Cached responses count as done but not in the rate; a local model's batch is the unit of its ETA."""
    if progress is None:
        yield None
        return
    bar = progress(what, total, "response", getattr(backend, "max_batch", 1))

    def on_event(event) -> None:
        if event.kind == "done":
            bar.update(1, tokens=event.completion_tokens)
        elif event.kind == "cached":
            bar.skip(1)
        elif event.kind == "retry":
            bar.set_status(f"retrying {event.base_url} in {event.delay:.1f}s: {event.error[:60]}")

    previous = backend.progress
    backend.progress = on_event
    try:
        with bar:
            yield bar
    finally:
        backend.progress = previous


def judge_stage(cfg: RunConfig, out: Path, problems: dict[str, Problem], log: Callable[[str], None],
                progress: ProgressFactory | None = None) -> None:
    """Verdict of every solution on all tests (stop at the first failure), and on the statement's sample tests
    alone (every test run): whether it passes them and a signature of its outputs (for the beyond-the-paper
    strategies public-tests+critique and majority-output)."""
    sols = [GeneratedSolution(**r) for r in _read_jsonl(out / "generations.jsonl")]
    with_code = [s for s in sols if not s.no_code]
    log(f"judging {len(with_code)} solutions ({len(sols) - len(with_code)} without code)")
    base = JudgeConfig(**{**asdict(cfg.judge), "cache": str(out / "verdicts.sqlite")})
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
            "verdict": r.to_dict(), "isolation": isolation,
            # no sample tests: no evidence either way, every solution counts as passing them
            "passed_public": p.passed if p else (not s.no_code and s.problem_id not in public),
            "output_signature": "|".join(t.output_digest or t.verdict.value for t in p.test_results) if p else "",
        })
    _write_jsonl(out / "verdicts.jsonl", rows)


def solution_records(problems: dict[str, Problem], out: Path) -> list[dict]:
    """One line per solution, in the ``codecritique metrics`` format plus everything needed to read it."""
    gens = {(r["problem_id"], r["sample_index"]): r for r in _read_jsonl(out / "generations.jsonl")}
    crits = {(r["problem_id"], r["sample_index"]): r for r in _read_jsonl(out / "critiques.jsonl")}
    verdicts = {(r["problem_id"], r["sample_index"]): r for r in _read_jsonl(out / "verdicts.jsonl")}
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
        })
    return rows


def report_stage(cfg: RunConfig, out: Path, problems: dict[str, Problem], log: Callable[[str], None]) -> dict:
    from ..metrics.records import parse_record
    from ..metrics.summary import compute_metrics, curves
    from ..report.run_report import write_run_report

    rows = solution_records(problems, out)
    _write_jsonl(out / "solutions.jsonl", rows)
    records = [parse_record(r, out / "solutions.jsonl", i + 1) for i, r in enumerate(rows)]
    metrics = compute_metrics(records, fallback=cfg.fallback, bootstrap=cfg.bootstrap, seed=cfg.seed)
    curve = curves(records, fallback=cfg.fallback, bootstrap=min(cfg.bootstrap, 200), seed=cfg.seed)
    with open(out / "metrics.json", "w") as f:
        json.dump({"metrics": metrics, "curves": curve}, f, indent=1)
    path = write_run_report(out, cfg.to_dict(), rows, metrics, curve, problems)
    log(f"wrote {path}, {out / 'solutions.jsonl'} and {out / 'metrics.json'}")
    return metrics


def run(cfg: RunConfig, only: Iterable[str] | None = None, log: Callable[[str], None] = print,
        progress: ProgressFactory | None = None) -> dict | None:
    """Run the stages in order (all by default); returns the metrics when the report stage ran. Every setting
    and the problems are checked before anything is written or any model is loaded."""
    from ..errors import CodecritiqueError

    stages = set(only or STAGES)
    unknown = stages - set(STAGES)
    if unknown:
        raise ValueError(f"unknown stage(s) {sorted(unknown)}; stages are {', '.join(STAGES)}")
    cfg.validate()
    problems = load_run_problems(cfg)
    if not problems:
        raise CodecritiqueError(f"no problems in {cfg.problems}" + (f" in the window {cfg.window}" if cfg.window
                                                                    else ""))
    empty = [pid for pid, p in problems.items() if not p.tests]
    if empty and stages & {"judge", "report"}:
        names = ", ".join(empty[:5]) + (f" and {len(empty) - 5} more" if len(empty) > 5 else "")
        raise CodecritiqueError(f"{len(empty)} of {len(problems)} problems in {cfg.problems} have no tests to judge "
                                f"(nor sample tests in their statements): {names}")
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "config.json", "w") as f:
        json.dump(cfg.to_dict(), f, indent=1)
    if stages & {"generate", "critique"}:
        asyncio.run(_model_stages(cfg, out, problems, stages, log, progress))
    if "judge" in stages:
        judge_stage(cfg, out, problems, log, progress)
    if "report" in stages:
        return report_stage(cfg, out, problems, log)
    return None
