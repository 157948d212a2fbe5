"""``codecritique run``: generate k solutions per problem -> critique each -> judge each -> select -> metrics ->
report, as in the paper's Table 3 (OCR-II paper §3-4).

The stages are steps on the stage runner (:mod:`.run_steps`, :mod:`codecritique.pipeline`): each reads and writes
files in the run directory, so each can be run on its own over saved files (``--only``, which always runs the
named stages), a stage already done with the same settings and inputs is skipped (its completion marker in
``.pipeline/``), and a killed run resumes where it stopped (every model request is stored as it completes):

    config.json          the run's settings
    requests.jsonl       every model request and response, appended as it completes (llm.store)
    generations.jsonl    one line per solution: response, extracted code, reasoning length
    critiques.jsonl      one line per solution: critique, judgement, critique reasoning length, P(right)
    p_right.jsonl        the store of P(right) scores (forced choice after each critique), as they are computed
    generated_tests.jsonl  one line per problem: the tests the model wrote (inputs of stdin problems, asserts of
                         functional ones), deduplicated with their counts, and what was dropped and why
    requests-testgen.jsonl the test-generation requests and responses (their own store)
    generated_results.jsonl one line per solution: the generated tests it passes and its outputs on them
    generated_executions.jsonl the execution cache of the generated tests (a re-run judges only what changed)
    verdicts.sqlite      the judge's verdict cache; verdicts.jsonl: one line per solution
    solutions.jsonl      one line per solution in the ``codecritique metrics`` format, plus code, critique, verdict
    metrics.json, fig3_scaling.png, fig5_selection.png, report.html
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..io import read_jsonl, write_json
from ..judge.config import JudgeConfig
from ..llm.config import BackendConfig
from ..llm.tasks import PromptOptions
from ..llm.types import SamplingParams
from ..problems.model import Problem

STAGES = ("generate", "critique", "testgen", "judge", "testrun", "report")
TEST_STAGES = ("testgen", "testrun")  # only with generated_tests
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
    # beyond the paper: model-written tests and judgement probabilities, for the selection strategies codet,
    # cluster, p-right and cascade (metrics.agreement); the paper's shortest-critique rule stays the default
    generated_tests: bool = field(default=True, metadata={
        "help": "Let the model write tests (inputs for stdin problems, asserts for functional ones) and run every "
                "solution on them: the strategies codet, cluster and cascade."})
    test_samples: int = field(default=1, metadata={
        "help": "Responses to the test-generation prompt per problem (their tests are pooled, duplicates counted)."})
    tests_per_sample: int = field(default=5, metadata={
        "help": "Tests asked for in each response, and the most kept from one (CodeT keeps 5)."})
    test_time_limit: float = field(default=1.0, metadata={
        "help": "CPU seconds per generated test."})
    p_right: bool = field(default=True, metadata={
        "help": "Score P(right) of every critique's judgement (forced choice after the critique: the local model's "
                "probabilities, or an endpoint's log-probabilities): the strategies p-right and cascade."})

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "backend": self.backend.public_dict()}

    def validate(self) -> None:
        """Raise :class:`~codecritique.errors.ConfigError` for a setting that cannot work, before any file is
        written or any model is loaded."""
        from ..metrics.selection import FALLBACKS
        from ..errors import ConfigError, require, require_number
        from ..judge.config import LANGUAGES

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
        require_number("test_samples", self.test_samples, minimum=1)
        require_number("tests_per_sample", self.tests_per_sample, minimum=1)
        require_number("test_time_limit", self.test_time_limit, minimum=0, strict=True)
        self.judge.validate("judge.")

    def gen_params(self) -> SamplingParams:
        return self.backend.sampling(self.seed)

    def critique_params(self) -> SamplingParams:
        return self.backend.sampling(self.seed + 10**6, self.critique_max_tokens)

    def test_params(self) -> SamplingParams:
        return self.backend.sampling(self.seed + 2 * 10**6)


# ---------------------------------------------------------------- stages


def load_run_problems(cfg: RunConfig) -> dict[str, Problem]:
    """The run's problems (window and limit applied); read once per process for a given file state."""
    st = os.stat(cfg.problems)
    key = (os.path.abspath(cfg.problems), st.st_size, st.st_mtime_ns, cfg.window, cfg.limit)
    if key not in _PROBLEMS:
        _PROBLEMS.clear()
        _PROBLEMS[key] = _load_run_problems(cfg)
    return _PROBLEMS[key]


_PROBLEMS: dict[tuple, dict[str, Problem]] = {}


def _load_run_problems(cfg: RunConfig) -> dict[str, Problem]:
    from ..problems.load import index_by_id, load_problems

    chosen = load_problems(cfg.problems, with_samples=True)
    if cfg.window:
        from ..problems.lcb import filter_problems

        chosen = filter_problems(chosen, window=cfg.window)
    if cfg.limit:
        chosen = chosen[:cfg.limit]
    return index_by_id(chosen)


@contextlib.contextmanager
def progress_bar(backend, total: int, what: str, progress: ProgressFactory | None = None):
    """Feed the backend's events to a progress display made by ``progress(what, total, unit, eta_after)`` (none:
    silent). Cached responses count as done but not in the rate; a local model's batch is the unit of its ETA."""
    if progress is None:
        yield None
        return
    bar = progress(what, total, "response", backend.max_batch)

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


@dataclass
class RunResult:
    """What the report stage computed, for the caller to show (cli.py renders report.html from it)."""

    metrics: dict
    curves: dict
    rows: list[dict]  # solutions.jsonl
    problems: dict[str, Problem]
    config: dict


def model_stages_to_run(cfg: RunConfig, only: Iterable[str] | None = None) -> list[str]:
    """The stages that would ask the model something: ``generate``/``critique`` when named in ``only``, or (with no
    ``only``) when their shards in ``cfg.out`` are not complete with these settings and inputs. A finished run
    resumed with its endpoint gone needs no endpoint."""
    from ..pipeline import Pipeline
    from .run_steps import run_steps

    model_stages = ("generate", "critique", "testgen")
    if only:
        return [s for s in model_stages if s in set(only)]
    pipeline, pending = Pipeline(run_steps(cfg), cfg.out), []
    for step in pipeline.steps:
        if step.name not in model_stages:
            continue
        try:
            tasks, _ = pipeline.plan(step)
        except FileNotFoundError:  # its input is not written yet: everything before it runs first
            tasks = [step]
        if tasks:
            pending.append(step.name)
    return pending


def run(cfg: RunConfig, only: Iterable[str] | None = None, log: Callable[[str], None] | None = None,
        progress: ProgressFactory | None = None) -> RunResult | None:
    """Run the stages in order (all by default); returns what the report stage computed when it ran. Every setting
    and the problems are checked before anything is written or any model is loaded."""
    from ..errors import CodecritiqueError

    stages = set(only or STAGES)
    unknown = stages - set(STAGES)
    if unknown:
        raise ValueError(f"unknown stage(s) {sorted(unknown)}; stages are {', '.join(STAGES)}")
    cfg.validate()
    if only and not cfg.generated_tests and stages & set(TEST_STAGES):
        from ..errors import ConfigError

        raise ConfigError("only", f"stage(s) {', '.join(sorted(stages & set(TEST_STAGES)))} need generated tests "
                                  "(they are switched off)")
    if not cfg.generated_tests:
        stages -= set(TEST_STAGES)
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
    write_json(out / "config.json", cfg.to_dict())
    from ..pipeline import Pipeline
    from ..pipeline.progress import ProgressRelay
    from .run_steps import run_steps

    # named stages run even where their marker is valid (as --only always did); the others only if not done
    Pipeline(run_steps(cfg), out, on_event=ProgressRelay(progress, log)).run(only=stages, force=only or ())
    if "report" not in stages:
        return None
    saved = json.loads((out / "metrics.json").read_text())
    rows = [r.data for r in read_jsonl(out / "solutions.jsonl")]
    return RunResult(saved["metrics"], saved["curves"], rows, problems, cfg.to_dict())
