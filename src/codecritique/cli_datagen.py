"""``codecritique datagen`` and ``codecritique datagen stats``: the CLI of the dataset pipeline (:mod:`.datagen`).

Registered on the root app by :mod:`.cli`; this module only parses options into a
:class:`~codecritique.datagen.run.DatagenConfig`, renders the pipeline's events as progress, and prints a summary.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Literal, Optional

import typer

from .cli_options import Opt, config_command
from .datagen.backends import ModelSpec
from .datagen.run import DatagenConfig

datagen_app = typer.Typer(add_completion=False, rich_markup_mode=None, invoke_without_command=True,
                          help="Build the OpenCodeReasoning-II dataset: questions -> dedup -> decontaminate -> "
                               "generate -> filter -> critique -> execute -> Parquet + card. Resumable.")


def _split(values: Optional[list[str]]) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out += [x.strip() for x in v.split(",") if x.strip()]
    return out


def _options() -> tuple[Opt, ...]:
    return (
        Opt("out", "--out", "-o", metavar="DIR", help="Output directory (resumable)."),
        Opt("questions", metavar="SRC", help="Question source: [NAME[@SPLIT]=]PATH, NAME@SPLIT (hub) or pool. "
                                             "Repeatable. Default: the pool shipped with codecritique."),
        Opt("benchmarks", metavar="SRC", help="Benchmark to decontaminate against (same syntax). Repeatable."),
        Opt("question_options.allow_benchmarks", "--allow-benchmark-questions",
            help="Accept benchmark test splits as questions."),
        Opt("question_options.max_question_tokens", metavar="N",
            help="Drop longer questions (the authors' recipe: 3200)."),
    )


def _sampling_options() -> tuple[Opt, ...]:
    return (Opt("temperature", metavar="T"), Opt("top_p", metavar="P"), Opt("seed", metavar="N"))


def _release_options() -> tuple[Opt, ...]:
    return (
        Opt("p_right", "--p-right", choices=("all", "forced", "off"),
            help="Forced-choice P(right): on every critique, only where no judgement was written, or never."),
        Opt("from_release", metavar="SRC", help="Rows of nvidia/OpenCodeReasoning-2 (a file or folder of shards): "
                                                "rebuild their questions and run --release-stages."),
        Opt("release_stages", metavar="STAGES", help="execute (fill pass rates; default) and/or critique.",
            to_config=lambda v: tuple(_split(v))),
    )


_FULL, _EMBEDDED = DatagenConfig(), DatagenConfig.embedded_default()
_MODEL = ModelSpec()


def _both(name: str) -> str:
    """`default N; M embedded` of a setting that the embedded default changes (said from the two configs)."""
    return f"default {getattr(_FULL, name)}; {getattr(_EMBEDDED, name)} embedded"


@datagen_app.callback()
@config_command(DatagenConfig, (*_options(), "teacher_url", "teacher_model", "critic_url", "critic_model", "judge_url",
                                "judge_model", "api_key",
                                Opt("languages", metavar="LANGS", help="python,cpp (default both).",
                                    to_config=lambda v: tuple(_split(v))),
                                "samples", "max_tokens", "critique_max_tokens", *_sampling_options(), "shards",
                                "concurrency", Opt("filter.recipe", "--recipe-filter",
                                                   help="Add the authors' released recipe rules."),
                                "require_think", *_release_options()))
def datagen(
    cfg: DatagenConfig,
    ctx: typer.Context,
    teacher_url: Optional[list[str]] = typer.Option(None, "--teacher-url", metavar="URL",
                                                    help="OpenAI-compatible endpoint of the teacher (repeatable). "
                                                         "Default: the bundled SmolLM2-135M-Instruct."),
    teacher_model: Optional[str] = typer.Option(None, metavar="NAME"),
    critic_url: Optional[list[str]] = typer.Option(None, "--critic-url", metavar="URL",
                                                   help="Endpoint of the critic (repeatable; default: the "
                                                        "teacher's)."),
    critic_model: Optional[str] = typer.Option(None, metavar="NAME"),
    judge_url: Optional[str] = typer.Option(None, "--decontam-judge-url", metavar="URL",
                                            help="Endpoint of an LLM judge of flagged contamination pairs."),
    judge_model: Optional[str] = typer.Option(None, "--decontam-judge-model", metavar="NAME"),
    api_key: str = typer.Option(_MODEL.api_key, envvar="OPENAI_API_KEY", metavar="KEY", show_default=False),
    samples: Optional[int] = typer.Option(None, "--samples", metavar="N",
                                          help=f"Solutions per question and language ({_both('samples')})."),
    max_tokens: Optional[int] = typer.Option(None, metavar="N", help=f"Per solution ({_both('max_tokens')})."),
    critique_max_tokens: Optional[int] = typer.Option(None, metavar="N",
                                                      help=f"Per critique ({_both('critique_max_tokens')})."),
    shards: Optional[int] = typer.Option(None, metavar="N", help=f"Shards per stage ({_both('shards')})."),
    concurrency: int = typer.Option(_MODEL.concurrency, metavar="N", help="Requests in flight per shard and model."),
    require_think: Optional[bool] = typer.Option(None, "--require-think/--no-require-think",
                                                 help="Drop responses without <think>...</think> (default: yes "
                                                      "with an endpoint, no for the bundled model)."),
    release_source: Optional[list[str]] = typer.Option(None, "--release-source", metavar="DATASET=PATH",
                                                       help="Local copy of a dataset the rows point into (taco, "
                                                            "apps, code_contests, open-r1/codeforces)."),
    release_language: Optional[Literal["python", "cpp"]] = typer.Option(None, "--release-language", metavar="LANG",
                                                                        help="python | cpp (default: from the "
                                                                             "path)."),
    only: Optional[list[str]] = typer.Option(None, "--only", metavar="STAGE",
                                             help="Run only these stages (comma list or repeated)."),
    executor: Literal["local", "ray"] = typer.Option("local", "--executor"),
    ray_address: Optional[str] = typer.Option(None, "--ray-address", metavar="ADDR",
                                              help="An existing Ray cluster (default: start a local one)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress."),
) -> None:
    """Build (or resume) the dataset in DIR; `datagen stats DIR` summarises one."""
    if ctx.invoked_subcommand is not None:
        return
    from .datagen.run import run_datagen

    embedded = not teacher_url
    base = _EMBEDDED if embedded else _FULL
    teacher = ModelSpec(urls=tuple(teacher_url or ()), model=teacher_model, api_key=api_key, concurrency=concurrency)
    critic = ModelSpec(urls=tuple(critic_url or teacher_url or ()), model=critic_model or (
        teacher_model if not critic_url else None), api_key=api_key, concurrency=concurrency)
    judge = ModelSpec(urls=(judge_url,), model=judge_model, api_key=api_key, concurrency=concurrency) \
        if judge_url else None
    pick = lambda given, name: given if given is not None else getattr(base, name)  # noqa: E731
    cfg = replace(
        cfg, samples=pick(samples, "samples"), teacher=teacher, critic=critic, decontam_judge=judge,
        max_tokens=pick(max_tokens, "max_tokens"), critique_max_tokens=pick(critique_max_tokens,
                                                                            "critique_max_tokens"),
        shards=pick(shards, "shards"),
        filter=replace(cfg.filter, require_think=require_think if require_think is not None
                       else base.filter.require_think),
        embedded=embedded and not cfg.from_release, release_language=release_language,
        release_sources=dict(x.split("=", 1) for x in release_source or [] if "=" in x))
    cfg.validate()
    stages = _split(only) or None
    say = (lambda m: None) if quiet else (lambda m: typer.echo(m, err=True))
    if embedded:
        say("datagen: no --teacher-url: the bundled SmolLM2-135M-Instruct writes the solutions and critiques (a "
            "demonstration of the pipeline, not a dataset of any quality)")
    if not cfg.filter.require_think:
        say("datagen: the <think>...</think> rule is RELAXED (the whole response is the solution segment); the card "
            "says so")
    if not cfg.benchmark_sources() and not cfg.from_release:
        typer.secho("datagen: WARNING: no --benchmarks given: the questions are NOT decontaminated against any "
                    "evaluation benchmark", fg=typer.colors.YELLOW, err=True)
    if not stages or {"generate", "critique"} & set(stages):
        from .llm.probe import resolve_model

        for spec, option in ((cfg.teacher, "teacher_model"), (cfg.critic, "critic_model")):
            if not spec.local:
                object.__setattr__(spec, "model", resolve_model(spec.urls, api_key, spec.model, option))
    ex = None
    if executor == "ray":
        from .pipeline.ray_executor import RayExecutor

        ex = RayExecutor(address=ray_address)
    result = run_datagen(cfg, executor=ex, only=stages, on_event=_Events(quiet))
    if result["reopened"]:
        say(f"datagen: retried shards whose requests had failed: {', '.join(result['reopened'])}")
    out = Path(cfg.out)
    card = out / "README.md"
    if card.exists() and (not stages or "card" in stages):
        _print_stats(out)


class _Events:
    """Pipeline events -> one progress display per step."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.bars: dict[str, object] = {}
        self.totals: dict[str, int] = {}

    def __call__(self, e) -> None:
        if self.quiet:
            return
        from .report.progress import Progress

        if e.kind == "step-start":
            if e.data.get("pending"):
                self.bars[e.step] = Progress(e.step, None, unit="item")
                self.totals[e.step] = 0
            else:
                typer.echo(f"{e.step}: done already ({e.data.get('shards')} shards)", err=True)
        elif e.kind == "total" and e.step in self.bars:
            self.totals[e.step] += int(e.data.get("n", 0))
            self.bars[e.step].update_to(self.bars[e.step].done, self.totals[e.step])
        elif e.kind == "advance" and e.step in self.bars and "n" in e.data:
            self.bars[e.step].update(int(e.data["n"]))
        elif e.kind == "shard-failed":
            typer.secho(f"{e.step}[{e.shard}] failed: {e.data.get('error')}", fg=typer.colors.RED, err=True)
        elif e.kind == "step-done" and e.step in self.bars:
            self.bars.pop(e.step).close()


def _print_stats(out: Path) -> None:
    from .datagen.stats import dataset_stats

    s = dataset_stats(out)
    for line in s["lines"]:
        typer.echo(line)


@datagen_app.command("stats")
def stats_cmd(
    directory: Path = typer.Argument(..., metavar="DIR", help="A datagen output directory."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object instead of lines."),
) -> None:
    """Counts of a datagen output: every stage, Table 1, judgements and pass rates."""
    from .datagen.stats import dataset_stats

    s = dataset_stats(directory)
    if as_json:
        print(json.dumps(s["stats"]))
    else:
        for line in s["lines"]:
            typer.echo(line)


def register(app: typer.Typer) -> None:
    app.add_typer(datagen_app, name="datagen")
