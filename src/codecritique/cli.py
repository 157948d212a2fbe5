"""The ``codecritique`` command.

Every expected error (bad input, bad settings, an unreachable endpoint) ends the command with one line
``error: ...`` on stderr and exit code 2, before any work starts where it can be found then; ``--debug`` shows the
traceback instead. Settings are checked by their config dataclasses (``validate()``), so the library refuses them
too.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import sys
import traceback
from pathlib import Path
from typing import Literal, Optional

import typer
from typer.core import TyperGroup

try:  # typer >= 0.20 vendors click
    from typer._click import exceptions as _click_exceptions
except ImportError:  # pragma: no cover - older typer
    import click.exceptions as _click_exceptions

from .errors import CodecritiqueError, ConfigError
from .io import write_json
from .cli_options import OPTION_SPELLINGS, Opt, config_command
from .judge.config import LANGUAGES
from .llm.probe import resolve_model
from .metrics.selection import FALLBACKS

_EXIT = tuple({typer.Exit, getattr(_click_exceptions, "Exit", typer.Exit)})
_ABORT = tuple({typer.Abort, getattr(_click_exceptions, "Abort", typer.Abort), KeyboardInterrupt})
# errors that are the user's input or environment, not a bug: one line, exit 2
EXPECTED_ERRORS = (CodecritiqueError, ValueError, OSError, LookupError, UnicodeError)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("codecritique")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


# fields of options written by hand whose option is not --FIELD (generated options: cli_options.OPTION_SPELLINGS)
_OPTION_NAMES = {"samples": "-k/--samples", "path": "PATH"}


def _error_line(e: BaseException) -> str:
    if isinstance(e, ConfigError):
        name = e.field.rsplit('.', 1)[-1]
        return f"{OPTION_SPELLINGS.get(name) or _OPTION_NAMES.get(name, e.option)}: {e.reason}"
    if isinstance(e, KeyError):  # str(KeyError) is the repr of the key
        return f"missing key {e.args[0]!r}" if e.args else "missing key"
    if isinstance(e, OSError) and e.filename is not None and e.strerror:
        return f"{e.filename}: {e.strerror}"
    return " ".join(str(e).split()) or type(e).__name__


def _report(e: BaseException, debug: bool) -> int:
    """Print the one line for an error raised by a command or by its parsing; returns the exit code."""
    if isinstance(e, _click_exceptions.UsageError):
        hint = f" (see {e.ctx.command_path} --help)" if e.ctx is not None else ""
        _print_error(" ".join(e.format_message().replace("Value error, ", "").split()) + hint)
        return 2
    if isinstance(e, _ABORT):
        _print_error("interrupted")
        return 130
    if debug:
        traceback.print_exception(e)
    if isinstance(e, EXPECTED_ERRORS):
        _print_error(_error_line(e))
        return 2
    # a bug: still one line, with the way to the traceback
    _print_error(f"internal error: {type(e).__name__}: {_error_line(e)} (rerun with --debug for the traceback, "
                 "and please report it)")
    return 1


def _debug_requested(argv: Optional[list[str]] = None) -> bool:
    return "--debug" in (sys.argv[1:] if argv is None else argv) or os.environ.get("CODECRITIQUE_DEBUG") == "1"


class _Group(TyperGroup):
    """The root command group: every error inside a subcommand (its parsing included) becomes one line."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except _EXIT:
            raise
        except BaseException as e:  # noqa: BLE001 - reported, then exit with its code
            if isinstance(e, (SystemExit, GeneratorExit)):
                raise
            raise typer.Exit(_report(e, bool(ctx.params.get("debug")) or _debug_requested())) from None


class App(typer.Typer):
    """A Typer app whose call turns every expected error into one line (see the module docstring)."""

    def __call__(self, args: Optional[list[str]] = None, prog_name: str = "codecritique", **extra):
        argv = list(sys.argv[1:] if args is None else args)
        try:
            rv = typer.main.get_command(self).main(args=argv, prog_name=prog_name, standalone_mode=False, **extra)
        except _EXIT as e:
            sys.exit(e.exit_code)
        except Exception as e:  # parse errors of the root command itself
            sys.exit(_report(e, _debug_requested(argv)))
        except KeyboardInterrupt as e:
            sys.exit(_report(e, False))
        sys.exit(rv if isinstance(rv, int) else 0)


def _print_error(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)


app = App(cls=_Group, add_completion=False, no_args_is_help=True, rich_markup_mode=None,
          context_settings={"max_content_width": 120},
          help="Exact, sandboxed judging of Python and C++ solutions; self-critique test-time scaling.")


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"codecritique {_version()}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_show_version, is_eager=True,
                                 help="Print the version and exit."),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of an error instead of one line."),
) -> None:
    """codecritique: judge, evaluate and scale code-reasoning models with self-critique."""
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if not debug:
        _quiet_third_party()


def _quiet_third_party() -> None:
    """Weight-loading bars and library warnings are noise to our users (our own progress says what happens)."""
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    for name in ("transformers", "huggingface_hub", "datasets", "accelerate", "httpx", "openai"):
        logging.getLogger(name).setLevel(logging.ERROR)
    import warnings

    warnings.filterwarnings("ignore", module=r"(torch|transformers|accelerate|huggingface_hub|datasets)(\.|$)")


def _fail(message: str) -> None:
    _print_error(message)
    raise typer.Exit(2)


def _console(stderr: bool = False):
    """A rich console; tables are never cut when the output is a file or a pipe (full width)."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    return Console(stderr=stderr, width=None if stream.isatty() else 100_000, soft_wrap=not stream.isatty())


CHECKER_HELP = ("default (tokens; numbers to 1e-6) | exact | lcb | lcb-current | FILE.py:FUNC | module:FUNC | "
                "program:PATH (testlib-style).")
Language = Literal[LANGUAGES]  # type: ignore[valid-type]
Fallback = Literal[FALLBACKS]  # type: ignore[valid-type]
_QUIET = typer.Option(False, "--quiet", "-q", help="No progress.")


def _judge_options() -> tuple[Opt, ...]:
    from .judge.config import SANDBOXES

    return (
        Opt("checker", metavar="CHECKER", help=CHECKER_HELP),
        Opt("all_tests", help="Run every test (pass rates) instead of stopping at the first failure."),
        Opt("workers", metavar="N", help="Parallel workers (0: one per core)."),
        Opt("sandbox", choices=SANDBOXES, help="bwrap (isolated), rlimit (resource limits only) or none."),
    )


def _judge_limit_options() -> tuple[Opt, ...]:
    from .judge.config import CPP_PROFILES

    return (
        Opt("time_limit", metavar="SECONDS", help="CPU seconds per test (default: the problem's, else 6)."),
        Opt("memory_mb", metavar="MIB", help="Memory limit (default: the problem's, else 2048)."),
        Opt("cpp_profile", "--profile", choices=CPP_PROFILES,
            help="C++: default (-O2 -std=gnu++17) or lcb-cpp (the paper's evaluator: plain g++, 6 s, 8 GiB, exact "
                 "stripped output)."),
        Opt("cxxflags", metavar="FLAGS", help="C++ compiler flags, replacing the profile's."),
        Opt("cpp_cache", metavar="DIR", help="C++ binary and precompiled-header cache (default: "
                                             "~/.cache/codecritique/cpp)."),
        Opt("cpp_pch", flag="--cpp-pch/--no-cpp-pch", help="C++: precompiled headers for sources that start with "
                                                             "standard includes (the same binaries, faster compiles)."),
        Opt("cache", metavar="FILE", help="Persistent verdict cache (SQLite file)."),
    )


def _judge_config():
    from .judge.config import JudgeConfig

    return JudgeConfig


@app.command()
@config_command(_judge_config(), ("out", *_judge_options(), "language", *_judge_limit_options()))
def judge(
    config,
    problems: Path = typer.Argument(..., metavar="PROBLEMS",
                                    help="Problems: LiveCodeBench JSONL, HumanEval/MBPP JSONL or our JSONL."),
    generations: Path = typer.Argument(..., metavar="GENERATIONS",
                                       help="LiveCodeBench output/eval_all JSON, or JSONL of {question_id, code} / "
                                            "{task_id, completion} / raw outputs."),
    out: Path = typer.Option(..., "--out", "-o", metavar="FILE",
                             help="Where to write the eval_all-style JSON with verdicts (the summary goes to "
                                  "FILE.summary.json)."),
    language: Optional[Language] = typer.Option(None, help="Default: from the fence or the problem."),
    samples_from_statement: bool = typer.Option(False, "--samples-from-statement",
                                                help="Add sample tests extracted from the statements."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as one JSON object instead of a table."),
    allow_se: bool = typer.Option(False, "--allow-se", help="Exit 0 even if some samples stay system errors (the "
                                                            "judge's own failures, left out of pass@k)."),
    quiet: bool = _QUIET,
) -> None:
    """Judge generations against problems' tests; print pass@1, pass@k and verdict counts."""
    from .judge.batch import MissingProblems, judge_batch, plan_batch
    from .judge.generations import load_generations
    from .metrics.judge_summary import summarize
    from .problems.load import index_by_id, load_problems
    from .report.progress import Progress

    config.validate()
    _check_output_file(out, "out")
    probs = index_by_id(load_problems(problems, with_samples=samples_from_statement))
    gens = load_generations(generations, probs, language=language)
    if not gens:
        _fail(f"{generations}: no generations in the file")
    try:
        batch = plan_batch(probs, gens, out)
    except MissingProblems as e:
        _fail(f"{len(e.ids)} problem ids in {generations} are not in {problems}, e.g. {e.ids[:5]}")
    _check_tests([probs[pid] for pid in gens], problems, samples_from_statement)
    several = _needs_checker([probs[pid] for pid in gens], config.checker)
    with Progress("judge", batch.total, unit="sample", disable=quiet) as bar:
        records, judged_by = judge_batch(batch, config, language=language,
                                         progress=lambda done, n: bar.update_to(done, n))
    summary = {**summarize(records), "judge": judged_by}
    if several:
        wrong = {r["question_id"]: sum(v["verdict"] == "WA" for v in r["verdicts"]) for r in records
                 if r["question_id"] in several}
        summary["needs_checker"] = {
            "problems": {pid: {"sentence": several[pid], "wrong_answers": wrong.get(pid, 0)} for pid in several},
            "wrong_answers": sum(wrong.values()),
            "note": "the statements accept any of several answers; the default checker compares with one expected "
                    "output, so these WA verdicts may be correct answers (give --checker)",
        }
    summary_path = out.with_name(out.name + ".summary.json")
    write_json(summary_path, summary)
    if as_json:
        print(json.dumps(summary))
    else:
        _print_judge_summary(summary, out)
    del records
    se = summary["overall"].get("system_errors", 0)
    if se:  # never counted as wrong answers, and never silently dropped either
        typer.secho(f"error: {se} samples ended in a system error (the judge's own failure, retried) and are left out "
                    f"of pass@1/pass@k; their messages are in {out}; run the same command again to judge them again"
                    f"{'' if allow_se else ', or pass --allow-se to accept the results without them'}",
                    fg=typer.colors.RED, err=True)
        if not allow_se:
            raise typer.Exit(4)


def _needs_checker(problems: list, checker: str) -> dict[str, str]:
    """Problems whose statements accept any of several answers, judged without a checker of their own: said
    before judging (one line), so that their wrong answers are not taken at face value."""
    if checker != "default":
        return {}
    several = {p.id: p.metadata["several_answers"] for p in problems
               if p.metadata.get("several_answers") and p.checker in (None, "case-insensitive", "yes-no")}
    if several:
        first = next(iter(several))
        typer.echo(f"warning: {len(several)} problems accept any of several answers (e.g. {first}: "
                   f"\"{several[first][:100]}\"); the default checker compares with one expected output, so a "
                   "correct answer may be judged WA: they need a special checker (the summary lists them)", err=True)
    return several


def _check_output_file(path: Path, option: str) -> None:
    """An output file must be writable where it is named: not a folder, in a folder that exists."""
    if path.is_dir():
        raise ConfigError(option, f"{path} is a directory: give a file name")
    if not path.parent.is_dir():
        raise ConfigError(option, f"folder {path.parent} does not exist")
    if not os.access(path.parent, os.W_OK):
        raise ConfigError(option, f"folder {path.parent} is not writable")


def _check_tests(problems: list, source: Path, samples_tried: bool) -> None:
    """Problems without tests cannot be judged: an error naming them (their statements may have samples)."""
    from .problems.samples import extract_samples

    empty = [p for p in problems if not p.tests]
    if not empty:
        return
    names = ", ".join(p.id for p in empty[:5]) + (f" and {len(empty) - 5} more" if len(empty) > 5 else "")
    hint = ""
    if not samples_tried:
        with_samples = sum(bool(extract_samples(p.statement, platform=p.platform, starter_code=p.starter_code,
                                                fn_name=p.fn_name).tests) for p in empty)
        if with_samples:
            hint = f"; the statements of {with_samples} of them have sample tests: add --samples-from-statement"
    else:
        hint = "; no sample tests were found in their statements either"
    _fail(f"{len(empty)} of {len(problems)} problems in {source} have no tests to judge: {names}{hint}")


def _print_judge_summary(summary: dict, out: Path) -> None:
    from rich.table import Table

    console = _console()
    summary = dict(summary)
    info = summary.pop("judge")
    nc = summary.pop("needs_checker", None)
    groups = list(summary)
    ks = sorted({k for g in groups for k in summary[g] if k.startswith("pass@") and k != "pass@1"},
                key=lambda k: int(k[5:]))
    verdicts = sorted({v for g in groups for v in summary[g].get("verdicts", {})})
    table = Table(title=f"codecritique judge -> {out}")
    for col in ["group", "problems", "samples", "pass@1", *ks, *verdicts]:
        table.add_column(col, justify="right", no_wrap=True)
    order = ["overall"] + [g for g in ("easy", "medium", "hard") if g in summary] + \
        sorted(g for g in groups if g not in ("overall", "easy", "medium", "hard"))
    for g in order:
        s = summary[g]
        row = [g, str(s["n_problems"]), str(s.get("n_samples", 0)), f"{100 * s.get('pass@1', 0):.2f}"]
        row += [f"{100 * s[k]:.2f}" if k in s else "-" for k in ks]
        row += [str(s.get("verdicts", {}).get(v, 0)) for v in verdicts]
        table.add_row(*row)
    console.print(table)
    if nc:
        console.print(f"needs a special checker: {len(nc['problems'])} problems accept several answers; "
                      f"{nc['wrong_answers']} WA verdicts on them may be correct answers")
    console.print(f"isolation: {info['isolation']}; checker: {info['checker']}; tests run: {info['tests_run']}; "
                  f"deduplicated: {info['deduplicated']}; cached: {info['cached']}; "
                  f"system errors: {info['system_errors']}; summary: {out.name}.summary.json")


_MODEL_HELP = {
    "base_urls": "OpenAI-compatible endpoint of one model, e.g. http://host:8000/v1 (vLLM, SGLang). Repeat to use "
                 "several. Default: the bundled SmolLM2-135M-Instruct on CPU.",
    "model": "Model name at the endpoint (default: the one it serves); without --base-url, a local HF model folder, "
             "e.g. runs/train/stage2.",
}


def _model_options(**help_: str) -> tuple[Opt, ...]:
    """The model's options (BackendConfig) as every model command spells them."""
    h = {**_MODEL_HELP, **help_}  # None: no help text
    return (Opt("backend.base_urls", "--base-url", metavar="URL", help=h["base_urls"]),
            Opt("backend.model", metavar="NAME", help=h["model"]),
            Opt("backend.api_key", envvar="OPENAI_API_KEY", metavar="KEY", show_default=False))


def _sampling_options(max_tokens_help: str) -> tuple[Opt, ...]:
    return (Opt("backend.temperature", metavar="T"), Opt("backend.top_p", metavar="P"),
            Opt("backend.max_tokens", metavar="N", help=max_tokens_help))


_THINK = Opt("prompts.think_in_prompt", flag="--think-in-prompt",
             help="The chat template opens <think> itself (R1-style).")


def _run_config():
    from .critique.run import RunConfig

    return RunConfig


def _run_options() -> tuple[Opt, ...]:
    from .judge.config import LANGUAGES, SANDBOXES
    from .metrics.selection import FALLBACKS

    return (
        Opt("out", "--out", "-o", metavar="DIR", help="Run directory (resumable)."),
        Opt("problems", metavar="FILE", show_default=False,
            help="Problems file (default: the small demo set shipped with codecritique)."),
        *_model_options(),
        Opt("k", "-k", "--samples", metavar="K", help="Solutions per problem (the paper: 10)."),
        Opt("language", choices=LANGUAGES),
        Opt("window", metavar="YYMM-YYMM", help="Contest-date window, e.g. 2408-2502 (LiveCodeBench)."),
        Opt("limit", metavar="N", help="Only the first N problems (0: all)."),
        *_sampling_options("Per response (default: 30720 with an endpoint, 192 for the bundled model)."),
        Opt("critique_max_tokens", metavar="N", help="Per critique (default: --max-tokens)."),
        Opt("seed", metavar="N"),
        Opt("backend.concurrency", metavar="N", help="Requests in flight per run."),
        Opt("backend.local_batch", metavar="N", help="Bundled model: rows decoded together (results do not depend "
                                                     "on it: each row has its own seed)."),
        Opt("backend.tokenizer", metavar="NAME", help="HF tokenizer to count critique reasoning tokens with an "
                                                      "endpoint (default: characters)."),
        Opt("prompts.cpp_comment", choices=("ns", "paper"),
            help="C++ prompt placeholder: ns (// Your code here) or paper (#)."),
        _THINK,
        Opt("judge.checker", metavar="CHECKER", help=CHECKER_HELP),
        Opt("judge.sandbox", choices=SANDBOXES),
        Opt("judge.workers", metavar="N", help="Judge workers (0: one per core)."),
        Opt("fallback", choices=FALLBACKS, help="When nothing is judged right."),
        Opt("generated_tests", flag="--generated-tests/--no-generated-tests",
            help="The model writes tests (inputs for stdin problems, asserts for functional ones) and every solution "
                 "runs on them: strategies codet, cluster, cascade."),
        Opt("test_samples", metavar="N", help="Test-generation responses per problem (CodeT: 100)."),
        Opt("tests_per_sample", metavar="N", help="Tests asked for in each response, and the most kept from one."),
        Opt("p_right", flag="--p-right/--no-p-right",
            help="Score P(right) of each critique's judgement (forced choice): strategies p-right, cascade."),
    )


@app.command()
@config_command(_run_config(), _run_options())
def run(
    cfg,
    only: Optional[list[str]] = typer.Option(None, "--only", metavar="STAGE",
                                             help="Run only this stage over the saved files (repeatable): "
                                                  "generate, critique, testgen, judge, testrun, report."),
    force: bool = typer.Option(False, "--force", help="Run in an existing run directory although its settings "
                                                      "differ (its stored requests are kept and reused)."),
    as_json: bool = typer.Option(False, "--json", help="Print the metrics as one JSON object instead of a table."),
    quiet: bool = _QUIET,
) -> None:
    """Self-critique test-time scaling end to end: generate k -> critique each -> judge -> select -> report."""
    from .critique.run import STAGES, model_stages_to_run, run as run_pipeline

    cfg.validate()
    for stage in only or ():
        if stage not in STAGES:
            raise ConfigError("only", f"unknown stage {stage!r}: use {', '.join(STAGES)}")
    out = Path(cfg.out)
    _check_run_dir(cfg, out, force)
    if cfg.backend.base_urls and model_stages_to_run(cfg, only):
        cfg.backend.model = resolve_model(cfg.backend.base_urls, cfg.backend.api_key, cfg.backend.model)
    result = run_pipeline(cfg, only=only, log=lambda m: None if quiet else typer.echo(m, err=True),
                          progress=_progress_factory(quiet))
    if result:
        from .report.run_report import render_run

        report = render_run(out, result)
        if as_json:
            print(json.dumps(result.metrics))
        else:
            from .report.selection_table import format_run_selection_table

            _print_metrics_table(result.metrics)
            typer.echo(format_run_selection_table(result.metrics))
            typer.echo(f"report: {report}")


# settings of a run directory that do not change its results (they may differ between invocations)
_RUN_SETTINGS_FREE = {"out", "backend.concurrency", "judge.workers", "judge.compile_workers", "judge.cache",
                      "backend.model", "backend.local_batch", "judge.cpp_pch", "judge.cpp_pch_min_uses",
                      "judge.cpp_pch_max_mb"}


def _flat(d: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in d.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _check_run_dir(cfg, out: Path, force: bool) -> None:
    """Refuse an existing run directory whose settings differ, naming them, unless ``force``."""
    stored_path = out / "config.json"
    if not stored_path.exists() or force:
        return
    try:
        stored = _flat(json.loads(stored_path.read_text()))
    except ValueError as e:
        raise CodecritiqueError(f"{stored_path}: not a run configuration ({e}); use a new --out or --force") \
            from None
    now = _flat(cfg.to_dict())
    if stored.get("problems") and now.get("problems"):
        stored["problems"] = os.path.abspath(stored["problems"])
        now["problems"] = os.path.abspath(now["problems"])
    # a setting added since the run was made, at its default, is no change (a run from before resumes)
    defaults = _flat(type(cfg)().to_dict())
    changed = [key for key in sorted(set(stored) | set(now)) if key not in _RUN_SETTINGS_FREE
               and stored.get(key) != now.get(key)
               and not (key not in stored and key in defaults and now.get(key) == defaults[key])]
    if changed:
        what = "; ".join(f"{key.rsplit('.', 1)[-1]} {stored.get(key)!r} -> {now.get(key)!r}" for key in changed[:4])
        more = f" (and {len(changed) - 4} more)" if len(changed) > 4 else ""
        raise CodecritiqueError(f"{out} holds a run with other settings: {what}{more}; use a new --out, or --force "
                                "to replace its results (stored requests are kept)")


def _progress_factory(quiet: bool):
    """What the library's stages call to report progress: ``factory(what, total, unit, eta_after)``."""
    from .report.progress import Progress

    def make(what: str, total: Optional[int] = None, unit: str = "item", eta_after: int = 1) -> Progress:
        return Progress(what, total, unit=unit, disable=quiet, eta_after=eta_after)

    return make


@app.command()
def metrics(
    file: Path = typer.Argument(..., metavar="FILE",
                                help="JSONL, one line per solution: problem_id, sample_index, difficulty, passed, "
                                     "judgement (right|wrong|null), critique_reasoning_tokens."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object (values as fractions)."),
    k: Optional[int] = typer.Option(None, "-k", "--samples", metavar="K",
                                    help="Use the first K samples of each problem (default: all)."),
    strategy: Optional[list[str]] = typer.Option(None, "--strategy", metavar="NAME",
                                                 help="Selection strategies (repeatable; default: all the records "
                                                      "allow): shortest-critique, random-right, "
                                                      "public-tests+critique, majority-output."),
    fallback: Fallback = typer.Option("random", help="When nothing is judged right."),
    bootstrap: int = typer.Option(1000, metavar="N", help="Bootstrap resamples for 95% intervals (0: none)."),
    seed: int = typer.Option(0, metavar="N"),
    drop_short: bool = typer.Option(False, "--drop-short", help="Drop problems with fewer than k samples."),
    per_problem_out: Optional[Path] = typer.Option(None, "--per-problem", metavar="FILE",
                                                   help="Write per-problem rows (JSONL)."),
    curves_png: Optional[Path] = typer.Option(None, "--curves", metavar="FILE.png",
                                              help="Also draw Figure 3 (metrics vs k) here."),
) -> None:
    """pass@1, pass@k, pass@1|select@k per strategy and self-critique accuracy (Tables 3-4)."""
    from .metrics.records import load_records
    from .metrics.summary import compute_metrics, curves, per_problem

    if k is not None and k < 1:
        raise ConfigError("samples", f"must be >= 1, got {k}")
    if bootstrap < 0:
        raise ConfigError("bootstrap", f"must be >= 0, got {bootstrap}")
    for path, option in ((per_problem_out, "per_problem"), (curves_png, "curves")):
        if path is not None:
            _check_output_file(path, option)
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
    if as_json:
        print(json.dumps(result))
        return
    _print_metrics_table(result)


def _print_metrics_table(result: dict) -> None:
    """One row per metric, one column per group (overall, then each difficulty): narrow enough for a terminal."""
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
        table.add_row(f"pass@1|select@k {s}", *[pct(m["pass@1|select@k"].get(s)) for m in groups.values()])
    def parsed(m: dict) -> bool:  # accuracy is n/a where no critique parsed (not 0.0)
        return sum(m.get("confusion", {}).get(key, 0) for key in ("tp", "fp", "fn", "tn")) > 0

    table.add_row("critique acc (problem)", *[pct(m["critique_accuracy_problem"]) if parsed(m) else "n/a"
                                              for m in groups.values()])
    table.add_row("critique acc (solution)", *[pct(m["critique_accuracy_solution"]) if parsed(m) else "n/a"
                                               for m in groups.values()])
    if "confusion" in overall:
        table.add_row("unparsable critiques (n)", *[
            str(m["confusion"].get("unparsable_passed", 0) + m["confusion"].get("unparsable_failed", 0))
            for m in groups.values()])
    _console().print(table)
    if result.get("strategies_unavailable"):
        for name, why in result["strategies_unavailable"].items():
            print(f"  {name}: not computed ({why})")

def _select_config():
    from .critique.select_command import SelectConfig

    return SelectConfig


def _select_options() -> tuple[Opt | str, ...]:
    return (
        "problems", "generations", "out",
        Opt("generated_tests", "--generated-tests", metavar="FILE",
            help="Model-written tests in CodeT's format (prompt + samples)."),
        Opt("critiques", metavar="FILE", help="JSONL: problem_id, sample_index, judgement, reasoning_tokens, p_right "
                                              "(optional)."),
        Opt("truncate", help="Cut completions at HumanEval's stop sequences first (as CodeT does)."),
        Opt("public_examples", flag="--public-examples/--no-public-examples",
            help="Run the prompt's >>> examples as public tests (for cascade)."),
        Opt("execution.workers", metavar="N", help="Judge workers (0: one per core)."),
        Opt("execution.time_limit", metavar="S", help="CPU seconds per generated test."),
        Opt("resamples", "--bootstrap", metavar="N", help="Bootstrap resamples for 95% intervals."),
        Opt("seed", metavar="N"),
    )


@app.command("select")
@config_command(_select_config(), _select_options(),
                base=lambda: _select_config()(problems="", generations="", out=""))
def select_cmd(
    cfg,
    problems: Path = typer.Argument(..., metavar="PROBLEMS", help="Problems file (any format the loaders read)."),
    generations: Path = typer.Argument(..., metavar="GENERATIONS",
                                       help="Samples (any format `judge` reads); sample indices follow its order."),
    out: Path = typer.Option(..., "--out", metavar="DIR", help="Writes DIR/selection.json and DIR/executions.jsonl."),
) -> None:
    """Every selection strategy the inputs allow (CodeT agreement, clustering, P(right), cascade) vs random and
    the oracle."""
    from .critique.select_command import run_select
    from .report.selection_table import format_selection_table

    generated_tests = cfg.generated_tests and Path(cfg.generated_tests)
    critiques = cfg.critiques and Path(cfg.critiques)
    for path, option in ((problems, "problems"), (generations, "generations"), (generated_tests, "generated-tests"),
                         (critiques, "critiques")):
        if path and not path.is_file():
            raise ConfigError(option, f"{path}: no such file")
    if out.exists() and not out.is_dir():
        raise ConfigError("out", f"{out} exists and is not a directory")
    if cfg.resamples < 2:
        raise ConfigError("bootstrap", f"must be >= 2, got {cfg.resamples}")
    if cfg.execution.workers < 0:
        raise ConfigError("workers", f"must be >= 0, got {cfg.execution.workers}")
    if not cfg.execution.time_limit > 0:
        raise ConfigError("time_limit", f"must be > 0, got {cfg.execution.time_limit}")
    cfg = dataclasses.replace(cfg, problems=str(problems), generations=str(generations), out=str(out))
    last = [0.0]

    def progress(pid: str, done: int, total: int) -> None:
        import time

        now = time.monotonic()
        if done == total or now - last[0] > 10:
            last[0] = now
            print(f"judged {done}/{total} problems", file=sys.stderr, flush=True)

    result = run_select(cfg, on_problem=progress)
    print(format_selection_table(result))
    print(f"wrote {out / 'selection.json'}")


problems_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None,
                           help="Problem sources: counts, one problem, conversion.")
app.add_typer(problems_app, name="problems")

_INPUTS_HELP = "Files or folders (format detected; name --source to read a dataset folder). None: --source from the hub."


def _read_options(source: str, split: Optional[str], revision: Optional[str], cache_dir: Optional[Path],
                  offline: bool, window: Optional[str], platform: Optional[list[str]],
                  difficulty: Optional[list[str]], **more) -> dict:
    return dict(source=source, split=split, revision=revision, cache_dir=str(cache_dir) if cache_dir else None,
                offline=offline, window=window, platforms=platform or None, difficulties=difficulty or None, **more)


_source_opt = typer.Option("auto", metavar="SOURCE",
                           help="auto | livecodebench | livecodebench-cpp | code_contests | codecontests-repo | "
                                "taco | apps | open-r1/codeforces | ocr2 | debugbench.")
_split_opt = typer.Option(None, metavar="SPLIT", help="Split or release (e.g. release_v5, v5_2408_2502, test).")
_revision_opt = typer.Option(None, metavar="REV", help="Hub revision (commit or tag) of the dataset.")
_cache_opt = typer.Option(None, metavar="DIR", help="Hugging Face cache directory.")
_offline_opt = typer.Option(False, "--offline", help="Read the hub's cache only.")
_window_opt = typer.Option(None, metavar="YYMM-YYMM", help="Contest-date window, whole months (e.g. 2408-2502).")
_platform_opt = typer.Option(None, "--platform", metavar="NAME", help="Keep these platforms (repeatable).")
_difficulty_opt = typer.Option(None, "--difficulty", metavar="NAME", help="Keep these difficulties (repeatable).")


@problems_app.command("stats")
def problems_stats_cmd(
    inputs: Optional[list[Path]] = typer.Argument(None, metavar="INPUT", help=_INPUTS_HELP),
    source: str = _source_opt, split: Optional[str] = _split_opt, revision: Optional[str] = _revision_opt,
    cache_dir: Optional[Path] = _cache_opt, offline: bool = _offline_opt, window: Optional[str] = _window_opt,
    platform: Optional[list[str]] = _platform_opt, difficulty: Optional[list[str]] = _difficulty_opt,
    samples: bool = typer.Option(False, "--samples", help="Also extract the statements' sample tests and report "
                                                          "found / not found / ambiguous per platform."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Counts by source, platform, difficulty, contest month and test kind."""
    from .problems.commands import problems_stats

    print(problems_stats(inputs or (), as_json=as_json, samples=samples,
                         **_read_options(source, split, revision, cache_dir, offline, window, platform,
                                         difficulty)))


@problems_app.command("inspect")
def problems_inspect_cmd(
    problem_id: str = typer.Argument(..., metavar="ID", help="The problem's id."),
    inputs: Optional[list[Path]] = typer.Argument(None, metavar="INPUT", help=_INPUTS_HELP),
    source: str = _source_opt, split: Optional[str] = _split_opt, revision: Optional[str] = _revision_opt,
    cache_dir: Optional[Path] = _cache_opt, offline: bool = _offline_opt,
    max_chars: int = typer.Option(3000, metavar="N", help="Statement characters shown."),
    max_tests: int = typer.Option(3, metavar="N", help="Tests shown."),
    samples: bool = typer.Option(False, "--samples", help="Add the statement's sample tests."),
) -> None:
    """Print one problem readably: metadata, statement, starter code, tests."""
    from .problems.commands import problems_inspect

    print(problems_inspect(inputs or (), problem_id, max_chars=max_chars, max_tests=max_tests,
                           **_read_options(source, split, revision, cache_dir, offline, None, None, None,
                                           with_samples=samples)))


_CONVERT_FORMATS = {"jsonl": "ours", "parquet": "ours-parquet", "lcb": "lcb"}


@problems_app.command("convert")
def problems_convert_cmd(
    inputs: Optional[list[Path]] = typer.Argument(None, metavar="INPUT", help=_INPUTS_HELP),
    output: Path = typer.Option(..., "--out", "-o", metavar="FILE",
                                help="*.jsonl[.gz] (ours), *.parquet (ours) or *.lcb.jsonl (LiveCodeBench's "
                                     "schema); a manifest with the checksum is written beside it."),
    to: Optional[Literal["jsonl", "parquet", "lcb"]] = typer.Option(None, help="Output format when the suffix does "
                                                                                "not say."),
    source: str = _source_opt, split: Optional[str] = _split_opt, revision: Optional[str] = _revision_opt,
    cache_dir: Optional[Path] = _cache_opt, offline: bool = _offline_opt, window: Optional[str] = _window_opt,
    platform: Optional[list[str]] = _platform_opt, difficulty: Optional[list[str]] = _difficulty_opt,
    samples: bool = typer.Option(False, "--samples", help="Add the statements' sample tests."),
    solutions: bool = typer.Option(False, "--solutions", help="Keep human solutions (CodeContests, TACO, APPS)."),
) -> None:
    """Convert problems once to the project's own JSONL/Parquet (or LiveCodeBench's JSONL), checksummed."""
    from .problems.commands import problems_convert

    _check_output_file(output, "out")
    conv = problems_convert(inputs or (), output, to=_CONVERT_FORMATS[to] if to else None,
                            **_read_options(source, split, revision, cache_dir, offline, window, platform,
                                            difficulty, with_samples=samples, with_solutions=solutions))
    print(json.dumps(conv.to_dict(), indent=1))


def _bench_config():
    from .critique.bench_run import BenchConfig

    return BenchConfig


def _bench_options() -> tuple[Opt | str, ...]:
    return (
        Opt("source", choices=("debugbench", "codecontests"), help="codecontests is the paper's Appendix B."),
        Opt("out", "--out", "-o", metavar="DIR", help="Output directory (resumable)."),
        Opt("split", metavar="SPLIT", help="CodeContests split."),
        Opt("languages", "--language", metavar="LANGUAGE", help="python or cpp (repeatable; default both).",
            to_config=lambda v: tuple(dict.fromkeys(v))),
        Opt("seed", metavar="N"),
        Opt("limit", metavar="N", help="Number of problems, drawn with the seed (default: all)."),
        Opt("max_solution_tokens", metavar="N", help="Drop solutions longer than this (0: keep all).",
            to_config=lambda v: v or None),
        Opt("backend.tokenizer", metavar="NAME", help="Tokenizer for the length filter and reasoning lengths: HF "
                                                      "name or folder, or 'bundled' (default: the model's)."),
        *_model_options(base_urls="OpenAI-compatible endpoint (repeatable); default: the bundled SmolLM2-135M on "
                                  "CPU.", model=None),
        Opt("backend.local_model", metavar="DIR", help="A transformers model folder instead of the bundled one."),
        Opt("backend.concurrency", metavar="N"),
        *_sampling_options("Per critique (default: 24576 with an endpoint, 256 for a local model)."),
        _THINK,
        Opt("hub_offline", "--offline", help="Hub: read the cache only.", to_config=lambda v: v or None),
    )


@app.command("critique-bench")
@config_command(_bench_config(), ("path", *_bench_options()))
def critique_bench_cmd(
    cfg,
    path: Optional[Path] = typer.Argument(None, metavar="PATH",
                                          help="DebugBench folder, or CodeContests file/folder (none: CodeContests "
                                               "from the hub)."),
    as_json: bool = typer.Option(False, "--json", help="Print the metrics as one JSON object."),
    quiet: bool = _QUIET,
) -> None:
    """Critique accuracy on human accepted/rejected solutions (the paper's Appendix B)."""
    from .critique.bench import format_summary
    from .critique.bench_run import run_bench

    local_model = cfg.backend.local_model
    if local_model is not None and not Path(local_model).is_dir():
        raise ConfigError("local_model", f"{local_model}: no such folder")
    if path is not None:
        cfg.path = str(path)
    cfg.validate()
    if cfg.backend.base_urls:
        cfg.backend.model = resolve_model(cfg.backend.base_urls, cfg.backend.api_key, cfg.backend.model)
    out = Path(cfg.out)
    result = run_bench(cfg, log=lambda m: None if quiet else typer.echo(m, err=True),
                       progress=_progress_factory(quiet))
    from .report.critique_bench import render_bench

    report = render_bench(out, result)
    if not quiet:
        typer.echo(f"report: {report}", err=True)
    print(json.dumps(result.metrics) if as_json else format_summary(result.metrics))


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def train(
    ctx: typer.Context,
    data: list[Path] = typer.Option([Path("runs/data")], "--data", help="OCR-2-schema rows: `codecritique datagen` "
                                    "output or nvidia/OpenCodeReasoning-2 shards (Parquet/JSONL). Repeatable."),
    out: Path = typer.Option(Path("runs/train"), "--out", "-o", help="Run folder: stage1/ and stage2/ are HF model "
                                                                    "folders (resumable)."),
    base_model: Optional[str] = typer.Option(None, help="HF model folder or hub name (default: the bundled "
                                                        "SmolLM2-135M-Instruct, with the CPU `demo` recipe)."),
    stage: str = typer.Option("both", help="1 | 2 | both"),
    config: Optional[Path] = typer.Option(None, help="Recipe YAML (see train/configs/ocr2.yaml)."),
    recipe: Optional[str] = typer.Option(None, help="ocr2 (the paper) | demo (CPU minutes). Default: ocr2 with "
                                                    "--base-model, demo without."),
    questions_from: Optional[list[str]] = typer.Option(None, help="DATASET=PATH of a source dataset (taco, apps, "
                                                       "code_contests, open-r1/codeforces) to rebuild release "
                                                       "questions '-'."),
    keep_checkpoints: bool = typer.Option(False, help="Keep each stage's checkpoints after it completes."),
    list_options: bool = typer.Option(False, "--list-options", help="List every recipe override and exit."),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
) -> None:
    """Two-stage SFT (OCR-II §3) with TRL. Any DataConfig/SFTConfig field is an override: --FIELD VALUE (both
    stages) or --stage1.FIELD / --stage2.FIELD, e.g. --critique_filter agree --learning_rate 1e-5."""
    from .errors import DataError
    from .train.args import OverrideError, options_help, parse_overrides

    if list_options:
        typer.echo(options_help())
        return
    from .report.train import quiet_library_logging
    from .train.config import build_recipe
    from .train.data import source_rows_from

    quiet_library_logging()
    try:
        overrides = parse_overrides(list(ctx.args))
        if base_model:
            overrides["base_model"] = base_model
        chosen = build_recipe(config, overrides, recipe or (None if (config or base_model) else "demo"))
        sources = source_rows_from(questions_from or [])
    except (OverrideError, DataError, ValueError) as e:
        _fail(str(e))
        return
    from .report.train import ProgressBars, plot_losses, summary_lines
    from .train.pipeline import is_main_process, train as run_training

    try:
        results = run_training(chosen, data, out, stage=stage, source_rows=sources,
                               on_event=None if quiet or not is_main_process() else ProgressBars(),
                               log=lambda m: typer.echo(m, err=True), keep_checkpoints=keep_checkpoints)
    except (DataError, ValueError, FileNotFoundError) as e:
        _fail(str(e))
        return
    if not is_main_process():
        return
    png = plot_losses({f"stage {r.stage}": r.losses for r in results}, out / "loss.png",
                      title=f"codecritique train ({chosen.name})")
    for line in summary_lines(results):
        typer.echo(line)
    typer.echo(f"loss curves: {png}")


from .cli_datagen import register as _register_datagen  # noqa: E402 - needs `app`

_register_datagen(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
