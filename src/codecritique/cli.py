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
    cache: Optional[Path] = typer.Option(None, help="Persistent verdict cache (SQLite file)."),
    samples_from_statement: bool = typer.Option(False, "--samples-from-statement",
                                                help="Add sample tests extracted from the statements."),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
) -> None:
    """Judge generations against problems' tests; print pass@1, pass@k and verdict counts."""
    from tqdm import tqdm

    from .errors import DataError
    from .evaluate import judge_generations
    from .judge.engine import JudgeConfig
    from .judge.generations import load_generations
    from .problems.load import index_by_id, load_problems

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        probs = index_by_id(load_problems(problems, with_samples=samples_from_statement))
        gens = load_generations(generations, probs, language=language)
        config = JudgeConfig(checker=checker, all_tests=all_tests, workers=workers, sandbox=sandbox,
                             time_limit=time_limit, memory_mb=memory_mb, cache=str(cache) if cache else None)
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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
