"""The ``codecritique`` command."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Exact, sandboxed judging of Python and C++ solutions; self-critique test-time scaling.")


@app.callback()
def _root() -> None:
    """codecritique: judge, evaluate and scale code-reasoning models with self-critique."""


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


@app.command()
def judge(
    problems: Path = typer.Argument(..., help="Problems: LiveCodeBench JSONL, HumanEval/MBPP JSONL or our JSONL."),
    generations: Path = typer.Argument(..., help="LiveCodeBench output/eval_all JSON, or JSONL of "
                                                 "{question_id, code} / {task_id, completion} / raw outputs."),
    out: Path = typer.Option(..., "--out", "-o", help="Where to write the eval_all-style JSON with verdicts."),
    checker: str = typer.Option("default", help="default | exact | lcb | FILE.py:FUNC | module:FUNC | "
                                                "program:PATH (testlib-style)."),
    all_tests: bool = typer.Option(False, "--all-tests", help="Run every test (pass rates) instead of stopping "
                                                              "at the first failure."),
    workers: int = typer.Option(0, help="Parallel workers (0: one per core)."),
    sandbox: str = typer.Option("bwrap", help="bwrap | rlimit | none"),
    language: Optional[str] = typer.Option(None, help="python | cpp (default: from the fence or the problem)."),
    time_limit: Optional[float] = typer.Option(None, help="CPU seconds per test (default: the problem's, else 6)."),
    memory_mb: Optional[int] = typer.Option(None, help="Memory limit in MiB (default: the problem's, else 2048)."),
    profile: str = typer.Option("default", help="C++: default (-O2 -std=gnu++17) | lcb-cpp (the paper's "
                                                "evaluator: plain g++, 6 s, 8 GiB, exact stripped output)."),
    cxxflags: Optional[str] = typer.Option(None, help="C++ compiler flags, replacing the profile's."),
    cpp_cache: Optional[Path] = typer.Option(None, help="C++ binary and precompiled-header cache directory "
                                                        "(default: ~/.cache/codecritique/cpp)."),
    cache: Optional[Path] = typer.Option(None, help="Persistent verdict cache (SQLite file)."),
    samples_from_statement: bool = typer.Option(False, "--samples-from-statement",
                                                help="Add sample tests extracted from the statements."),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
) -> None:
    """Judge generations against problems' tests; print pass@1, pass@k and verdict counts."""
    from tqdm import tqdm

    from .errors import DataError
    from .evaluate import judge_generations
    from .judge.cpp import get_profile
    from .judge.engine import JudgeConfig
    from .judge.generations import load_generations
    from .problems.load import index_by_id, load_problems

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        get_profile(profile)
        probs = index_by_id(load_problems(problems, with_samples=samples_from_statement))
        gens = load_generations(generations, probs, language=language)
        config = JudgeConfig(checker=checker, all_tests=all_tests, workers=workers, sandbox=sandbox,
                             time_limit=time_limit, memory_mb=memory_mb, cache=str(cache) if cache else None,
                             cpp_profile=profile, cxxflags=cxxflags, cpp_cache=str(cpp_cache) if cpp_cache else None)
    except (DataError, ValueError, OSError) as e:
        _fail(str(e))
        return
    missing = sorted(set(gens) - set(probs))
    if missing:
        _fail(f"{len(missing)} problem ids in {generations} are not in {problems}, e.g. {missing[:5]}")
    bar = tqdm(total=0, unit="sample", disable=quiet, file=sys.stderr)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    records, summary = judge_generations(probs, gens, config, out, progress=progress, language=language)
    bar.close()
    _print_judge_summary(summary, out)


def _print_judge_summary(summary: dict, out: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=False)
    info = summary.pop("judge")
    groups = list(summary)
    ks = sorted({k for g in groups for k in summary[g] if k.startswith("pass@") and k != "pass@1"},
                key=lambda k: int(k[5:]))
    verdicts = sorted({v for g in groups for v in summary[g].get("verdicts", {})})
    table = Table(title=f"codecritique judge -> {out}")
    for col in ["group", "problems", "samples", "pass@1", *ks, *verdicts]:
        table.add_column(col, justify="right")
    order = ["overall"] + [g for g in ("easy", "medium", "hard") if g in summary] + \
        sorted(g for g in groups if g not in ("overall", "easy", "medium", "hard"))
    for g in order:
        s = summary[g]
        row = [g, str(s["n_problems"]), str(s.get("n_samples", 0)), f"{100 * s.get('pass@1', 0):.2f}"]
        row += [f"{100 * s[k]:.2f}" if k in s else "-" for k in ks]
        row += [str(s.get("verdicts", {}).get(v, 0)) for v in verdicts]
        table.add_row(*row)
    console.print(table)
    console.print(f"isolation: {info['isolation']}; checker: {info['checker']}; tests run: {info['tests_run']}; "
                  f"deduplicated: {info['deduplicated']}; cached: {info['cached']}; "
                  f"system errors: {info['system_errors']}")
    summary["judge"] = info


@app.command()
def run(
    out: Path = typer.Option(Path("runs/demo"), "--out", "-o", help="Run directory (resumable)."),
    problems: Optional[Path] = typer.Option(None, help="Problems file (default: the small demo set shipped with "
                                                       "codecritique)."),
    base_url: Optional[list[str]] = typer.Option(None, "--base-url", help="OpenAI-compatible endpoint(s) of one "
                                                 "model, e.g. http://host:8000/v1 (vLLM, SGLang). Repeat to use "
                                                 "several. Default: the bundled SmolLM2-135M-Instruct on CPU."),
    model: Optional[str] = typer.Option(None, help="Model name at the endpoint (default: the one it serves)."),
    api_key: str = typer.Option("EMPTY", envvar="OPENAI_API_KEY"),
    k: int = typer.Option(4, "-k", help="Solutions per problem (the paper: 10)."),
    language: str = typer.Option("python", help="python | cpp"),
    window: Optional[str] = typer.Option(None, help="Contest-date window, e.g. 2408-2502 (LiveCodeBench)."),
    limit: int = typer.Option(0, help="Only the first N problems (0: all)."),
    temperature: float = typer.Option(0.6),
    top_p: float = typer.Option(0.95),
    max_tokens: Optional[int] = typer.Option(None, help="Per response (default: 30720 with an endpoint, 192 for "
                                                        "the bundled model)."),
    critique_max_tokens: Optional[int] = typer.Option(None, help="Per critique (default: --max-tokens)."),
    seed: int = typer.Option(0),
    concurrency: int = typer.Option(32, help="Requests in flight per run."),
    tokenizer: Optional[str] = typer.Option(None, help="HF tokenizer to count critique reasoning tokens with an "
                                                       "endpoint (default: characters)."),
    cpp_comment: str = typer.Option("ns", help="C++ prompt placeholder: ns (// Your code here) or paper (#)."),
    think_in_prompt: bool = typer.Option(False, help="The chat template opens <think> itself (R1-style)."),
    checker: str = typer.Option("default"),
    sandbox: str = typer.Option("bwrap"),
    workers: int = typer.Option(0, help="Judge workers (0: one per core)."),
    fallback: str = typer.Option("random", help="When nothing is judged right: random | shortest-wrong | first."),
    only: Optional[list[str]] = typer.Option(None, "--only", help="Run only these stages over the saved files: "
                                                                  "generate, critique, judge, report."),
) -> None:
    """Self-critique test-time scaling end to end: generate k -> critique each -> judge -> select -> report."""
    from .critique.run import RunConfig, run as run_pipeline
    from .llm.config import BackendConfig
    from .llm.tasks import PromptOptions
    from .errors import DataError
    from .judge.engine import JudgeConfig

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    cfg = RunConfig(out=str(out), language=language, k=k, critique_max_tokens=critique_max_tokens, seed=seed,
                    fallback=fallback,
                    backend=BackendConfig(base_urls=list(base_url or []), model=model, api_key=api_key,
                                          tokenizer=tokenizer, concurrency=concurrency, temperature=temperature,
                                          top_p=top_p, max_tokens=max_tokens),
                    prompts=PromptOptions(cpp_comment=cpp_comment, think_in_prompt=think_in_prompt),
                    judge=JudgeConfig(checker=checker, sandbox=sandbox, workers=workers))
    if problems:
        cfg.problems = str(problems)
    if window or limit:
        cfg.problems = _select_problems(Path(cfg.problems), out, window, limit)
    try:
        metrics = run_pipeline(cfg, only=only, log=lambda m: typer.echo(m, err=True))
    except (DataError, ValueError, FileNotFoundError) as e:
        _fail(str(e))
        return
    if metrics:
        _print_metrics_table(metrics)
        typer.echo(f"report: {out / 'report.html'}")


def _select_problems(path: Path, out: Path, window: str | None, limit: int) -> str:
    """Filter problems by date window and count into the run directory (so the run records what it used)."""
    from .problems.jsonl import write_problems
    from .problems.lcb import filter_problems
    from .problems.load import load_problems

    chosen = load_problems(path)
    if window:
        chosen = filter_problems(chosen, window=window)
    if limit:
        chosen = chosen[:limit]
    out.mkdir(parents=True, exist_ok=True)
    target = out / "problems.jsonl"
    write_problems(target, chosen)
    return str(target)


@app.command()
def metrics(
    file: Path = typer.Argument(..., help="JSONL, one line per solution: problem_id, sample_index, difficulty, "
                                          "passed, judgement (right|wrong|null), critique_reasoning_tokens."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object (values as fractions)."),
    k: Optional[int] = typer.Option(None, "-k", help="Use the first K samples of each problem (default: all)."),
    strategy: Optional[list[str]] = typer.Option(None, "--strategy", help="Selection strategies (default: all "
                                                                          "the records allow)."),
    fallback: str = typer.Option("random", help="When nothing is judged right: random | shortest-wrong | first."),
    bootstrap: int = typer.Option(1000, help="Bootstrap resamples for 95% intervals (0: none)."),
    seed: int = typer.Option(0),
    drop_short: bool = typer.Option(False, "--drop-short", help="Drop problems with fewer than k samples."),
    per_problem_out: Optional[Path] = typer.Option(None, "--per-problem", help="Write per-problem rows (JSONL)."),
    curves_png: Optional[Path] = typer.Option(None, "--curves", help="Also draw Figure 3 (metrics vs k) here."),
) -> None:
    """pass@1, pass@k, pass@1|select@k per strategy and self-critique accuracy (Tables 3-4)."""
    from .critique.selection import StrategyUnavailable
    from .errors import DataError
    from .metrics.records import load_records
    from .metrics.summary import compute_metrics, curves, per_problem

    try:
        records = load_records(file)
        result = compute_metrics(records, k=k, strategies=strategy or None, fallback=fallback,
                                 bootstrap=bootstrap, seed=seed, drop_short=drop_short)
        if per_problem_out:
            rows = per_problem(records, k=k, strategies=strategy or None, fallback=fallback, seed=seed,
                               drop_short=drop_short)
            per_problem_out.write_text("".join(json.dumps(r) + "\n" for r in rows))
        if curves_png:
            from .report.plots import plot_scaling_curves

            plot_scaling_curves(curves(records, strategies=strategy or None, fallback=fallback,
                                       bootstrap=min(bootstrap, 200), seed=seed, drop_short=drop_short), curves_png)
    except (DataError, StrategyUnavailable, ValueError, OSError) as e:
        _fail(str(e))
        return
    if as_json:
        print(json.dumps(result))
        return
    _print_metrics_table(result)


def _print_metrics_table(result: dict) -> None:
    """One row per metric, one column per group (overall, then each difficulty): narrow enough for a terminal."""
    from rich.console import Console
    from rich.table import Table

    groups = {"overall": result["overall"], **result.get("by_difficulty", {})}
    overall = result["overall"]
    table = Table(title=f"{result['n_problems']} problems, k = {result['k']} (fallback: {result['fallback']}), %")
    table.add_column("metric")
    for name, m in groups.items():
        table.add_column(f"{name} ({m['n_problems']})", justify="right")
    pct = lambda x: "-" if x is None else f"{100 * x:.1f}"  # noqa: E731
    table.add_row("pass@1", *[pct(m["pass@1"]) for m in groups.values()])
    for j in [j for j in overall["pass@k"] if j != "1"]:  # pass@1 is the row above
        table.add_row(f"pass@{j}", *[pct(m["pass@k"].get(j)) for m in groups.values()])
    for s in overall["pass@1|select@k"]:
        table.add_row(f"select@k {s}", *[pct(m["pass@1|select@k"].get(s)) for m in groups.values()])
    table.add_row("critique acc (problem)", *[pct(m["critique_accuracy_problem"]) for m in groups.values()])
    table.add_row("critique acc (solution)", *[pct(m["critique_accuracy_solution"]) for m in groups.values()])
    if "confusion" in overall:
        table.add_row("unparsable critiques (n)", *[
            str(m["confusion"].get("unparsable_passed", 0) + m["confusion"].get("unparsable_failed", 0))
            for m in groups.values()])
    Console().print(table)
    if result.get("strategies_unavailable"):
        for name, why in result["strategies_unavailable"].items():
            print(f"  {name}: not computed ({why})")

problems_app = typer.Typer(no_args_is_help=True, help="Problem sources: counts, one problem, conversion.")
app.add_typer(problems_app, name="problems")

_INPUTS_HELP = "Files or folders (format detected; name --source to read a dataset folder). None: --source from the hub."


def _read_options(source: str, split: Optional[str], revision: Optional[str], cache_dir: Optional[Path],
                  offline: bool, window: Optional[str], platform: Optional[list[str]],
                  difficulty: Optional[list[str]], **more) -> dict:
    return dict(source=source, split=split, revision=revision, cache_dir=str(cache_dir) if cache_dir else None,
                offline=offline, window=window, platforms=platform or None, difficulties=difficulty or None, **more)


_source_opt = typer.Option("auto", help="auto | livecodebench | livecodebench-cpp | code_contests | "
                                        "codecontests-repo | taco | apps | open-r1/codeforces | ocr2 | debugbench")
_split_opt = typer.Option(None, help="Split or release (e.g. release_v5, v5_2408_2502, test).")
_revision_opt = typer.Option(None, help="Hub revision (commit or tag) of the dataset.")
_cache_opt = typer.Option(None, help="Hugging Face cache directory.")
_offline_opt = typer.Option(False, "--offline", help="Read the hub's cache only.")
_window_opt = typer.Option(None, help="Contest-date window YYMM-YYMM, whole months (e.g. 2408-2502).")
_platform_opt = typer.Option(None, "--platform", help="Keep these platforms (repeatable).")
_difficulty_opt = typer.Option(None, "--difficulty", help="Keep these difficulties (repeatable).")


@problems_app.command("stats")
def problems_stats_cmd(
    inputs: Optional[list[Path]] = typer.Argument(None, help=_INPUTS_HELP),
    source: str = _source_opt, split: Optional[str] = _split_opt, revision: Optional[str] = _revision_opt,
    cache_dir: Optional[Path] = _cache_opt, offline: bool = _offline_opt, window: Optional[str] = _window_opt,
    platform: Optional[list[str]] = _platform_opt, difficulty: Optional[list[str]] = _difficulty_opt,
    samples: bool = typer.Option(False, "--samples", help="Also extract the statements' sample tests and report "
                                                          "found / not found / ambiguous per platform."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Counts by source, platform, difficulty, contest month and test kind."""
    from .errors import CodecritiqueError
    from .problems.commands import problems_stats

    try:
        print(problems_stats(inputs or (), as_json=as_json, samples=samples,
                             **_read_options(source, split, revision, cache_dir, offline, window, platform,
                                             difficulty)))
    except (CodecritiqueError, ValueError, OSError) as e:
        _fail(str(e))


@problems_app.command("inspect")
def problems_inspect_cmd(
    problem_id: str = typer.Argument(..., help="The problem's id."),
    inputs: Optional[list[Path]] = typer.Argument(None, help=_INPUTS_HELP),
    source: str = _source_opt, split: Optional[str] = _split_opt, revision: Optional[str] = _revision_opt,
    cache_dir: Optional[Path] = _cache_opt, offline: bool = _offline_opt,
    max_chars: int = typer.Option(3000, help="Statement characters shown."),
    max_tests: int = typer.Option(3, help="Tests shown."),
    samples: bool = typer.Option(False, "--samples", help="Add the statement's sample tests."),
) -> None:
    """Print one problem readably: metadata, statement, starter code, tests."""
    from .errors import CodecritiqueError
    from .problems.commands import problems_inspect

    try:
        print(problems_inspect(inputs or (), problem_id, max_chars=max_chars, max_tests=max_tests,
                               **_read_options(source, split, revision, cache_dir, offline, None, None, None,
                                               with_samples=samples)))
    except (CodecritiqueError, ValueError, OSError) as e:
        _fail(str(e))


@problems_app.command("convert")
def problems_convert_cmd(
    inputs: Optional[list[Path]] = typer.Argument(None, help=_INPUTS_HELP),
    output: Path = typer.Option(..., "--out", "-o", help="*.jsonl[.gz] (ours), *.parquet (ours) or *.lcb.jsonl "
                                                         "(LiveCodeBench's schema); a manifest with the checksum "
                                                         "is written beside it."),
    to: Optional[str] = typer.Option(None, help="Output format when the suffix does not say: jsonl | parquet | lcb"),
    source: str = _source_opt, split: Optional[str] = _split_opt, revision: Optional[str] = _revision_opt,
    cache_dir: Optional[Path] = _cache_opt, offline: bool = _offline_opt, window: Optional[str] = _window_opt,
    platform: Optional[list[str]] = _platform_opt, difficulty: Optional[list[str]] = _difficulty_opt,
    samples: bool = typer.Option(False, "--samples", help="Add the statements' sample tests."),
    solutions: bool = typer.Option(False, "--solutions", help="Keep human solutions (CodeContests, TACO, APPS)."),
) -> None:
    """Convert problems once to the project's own JSONL/Parquet (or LiveCodeBench's JSONL), checksummed."""
    from .errors import CodecritiqueError
    from .problems.commands import problems_convert

    try:
        conv = problems_convert(inputs or (), output, to=to,
                                **_read_options(source, split, revision, cache_dir, offline, window, platform,
                                                difficulty, with_samples=samples, with_solutions=solutions))
    except (CodecritiqueError, ValueError, OSError) as e:
        _fail(str(e))
        return
    print(json.dumps(conv.to_dict(), indent=1))


@app.command("critique-bench")
def critique_bench_cmd(
    path: Optional[Path] = typer.Argument(None, help="DebugBench folder, or CodeContests file/folder (none: "
                                                     "CodeContests from the hub)."),
    source: str = typer.Option("debugbench", help="debugbench | codecontests (the paper's Appendix B)."),
    out: Path = typer.Option(Path("runs/critique-bench"), "--out", "-o", help="Output directory (resumable)."),
    split: str = typer.Option("test", help="CodeContests split."),
    language: Optional[list[str]] = typer.Option(None, "--language", help="python | cpp (repeatable; default "
                                                                          "both)."),
    seed: int = typer.Option(0),
    limit: Optional[int] = typer.Option(None, help="Number of problems, drawn with the seed (default: all)."),
    max_solution_tokens: int = typer.Option(4096, help="Drop solutions longer than this (0: keep all)."),
    tokenizer: Optional[str] = typer.Option(None, help="Tokenizer for the length filter and reasoning lengths: "
                                                       "HF name or folder, or 'bundled' (default: the model's)."),
    base_url: Optional[list[str]] = typer.Option(None, "--base-url", help="OpenAI-compatible endpoint(s); default:"
                                                                          " the bundled SmolLM2-135M on CPU."),
    model: Optional[str] = typer.Option(None),
    api_key: str = typer.Option("EMPTY", envvar="OPENAI_API_KEY"),
    local_model: Optional[Path] = typer.Option(None, help="A transformers model folder instead of the bundled one."),
    concurrency: int = typer.Option(32),
    temperature: float = typer.Option(0.6),
    top_p: float = typer.Option(0.95),
    max_tokens: Optional[int] = typer.Option(None, help="Per critique (default: 24576 with an endpoint, 256 for "
                                                        "a local model)."),
    think_in_prompt: bool = typer.Option(False, help="The chat template opens <think> itself (R1-style)."),
    offline: bool = typer.Option(False, "--offline", help="Hub: read the cache only."),
) -> None:
    """Critique accuracy on human accepted/rejected solutions (the paper's Appendix B)."""
    from .critique.bench import LANGUAGES, critique_bench, format_summary
    from .errors import CodecritiqueError

    try:
        metrics = critique_bench(
            source=source, path=str(path) if path else None, out=str(out), split=split,
            languages=tuple(language or LANGUAGES), seed=seed, limit=limit,
            max_solution_tokens=max_solution_tokens or None, tokenizer=tokenizer, base_urls=list(base_url or []),
            model=model, api_key=api_key, concurrency=concurrency, temperature=temperature, top_p=top_p,
            max_tokens=max_tokens,
            local_model=str(local_model) if local_model else None, think_in_prompt=think_in_prompt,
            offline=offline or None, log=lambda m: typer.echo(m, err=True))
    except (CodecritiqueError, ValueError, OSError) as e:
        _fail(str(e))
        return
    print(format_summary(metrics))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
