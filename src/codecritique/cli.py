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
    max_tokens: Optional[int] = typer.Option(None, help="Per response (default: 30720 with an endpoint, 320 for "
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
    from .critique.stages import PromptOptions
    from .errors import DataError
    from .judge.engine import JudgeConfig

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    cfg = RunConfig(out=str(out), language=language, k=k, base_urls=list(base_url or []), model=model,
                    api_key=api_key, tokenizer=tokenizer, concurrency=concurrency, temperature=temperature,
                    top_p=top_p, max_tokens=max_tokens or (30720 if base_url else 320),
                    critique_max_tokens=critique_max_tokens, seed=seed, fallback=fallback,
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
    from rich.console import Console
    from rich.table import Table

    groups = {"overall": result["overall"], **result.get("by_difficulty", {})}
    strategies = list(result["overall"]["pass@1|select@k"])
    ks = list(result["overall"]["pass@k"])
    table = Table(title=f"{result['n_problems']} problems, k = {result['k']} (fallback: {result['fallback']})")
    for col in ["group", "problems", "pass@1", *[f"pass@{j}" for j in ks],
                *[f"select@k {s}" for s in strategies], "critique acc (problem)", "critique acc (solution)"]:
        table.add_column(col, justify="right")
    for name, m in groups.items():
        table.add_row(name, str(m["n_problems"]), f"{100 * m['pass@1']:.1f}",
                      *[f"{100 * m['pass@k'][j]:.1f}" if j in m["pass@k"] else "-" for j in ks],
                      *[f"{100 * m['pass@1|select@k'][s]:.1f}" for s in strategies],
                      f"{100 * m['critique_accuracy_problem']:.1f}", f"{100 * m['critique_accuracy_solution']:.1f}")
    Console().print(table)
    if result.get("strategies_unavailable"):
        for name, why in result["strategies_unavailable"].items():
            print(f"  {name}: not computed ({why})")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
