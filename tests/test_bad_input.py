"""The bad-input table of issue 11, through the real CLI (a subprocess per case): each bad input fails at once with
one exact line ``error: ...`` on stderr, exit code 2, before any model is loaded (torch and transformers are made
unimportable in the subprocess, so a case that reached a model would fail differently) and leaves no file behind."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "problems"
# the CLI with the model libraries made unimportable: reaching a model load is an ImportError, not the expected line
NO_MODEL = ("import sys; sys.modules['torch'] = None; sys.modules['transformers'] = None; "
            "sys.argv[0] = 'codecritique'; from codecritique.cli import app; app()")
FAST = 20.0  # seconds; each case takes well under one on an idle machine, the margin is for a loaded one

PROBLEM = {"question_id": "add", "question_title": "add", "question_content": "Print a+b.", "platform": "atcoder",
           "contest_id": "c1", "contest_date": "2024-08-03T00:00:00", "starter_code": "", "difficulty": "easy",
           "public_test_cases": json.dumps([{"input": "1 2\n", "output": "3\n", "testtype": "stdin"}]),
           "private_test_cases": "[]", "metadata": "{}"}
NO_TESTS = {**PROBLEM, "question_id": "bare", "question_content": "Print a+b.", "public_test_cases": "[]"}
WITH_SAMPLES = {**NO_TESTS, "question_id": "sampled",
                "question_content": "Print a+b.\n\nSample Input 1\n\n1 2\n\nSample Output 1\n\n3\n"}


def cli(cwd: Path, *args: str) -> tuple[subprocess.CompletedProcess, float]:
    env = {**os.environ, "COLUMNS": "200"}
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, "-c", NO_MODEL, *map(str, args)], cwd=cwd, capture_output=True, text=True,
                       timeout=120, env=env)
    return r, time.monotonic() - t0


def files(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


@pytest.fixture
def work(tmp_path):
    (tmp_path / "problems.jsonl").write_text(json.dumps(PROBLEM) + "\n")
    (tmp_path / "gens.jsonl").write_text(json.dumps({"question_id": "add", "code": "print(3)"}) + "\n")
    (tmp_path / "empty.jsonl").write_text("")
    (tmp_path / "outdir").mkdir()
    return tmp_path


JUDGE = ("judge", "problems.jsonl", "gens.jsonl")
CC = str(FIXTURES / "sources" / "code_contests" / "test-00000-of-00001.jsonl")
TACO = str(FIXTURES / "sources" / "taco" / "train-00000-of-00001.jsonl")
DEAD = "http://127.0.0.1:9/v1"
CASES = [
    # judge
    (("judge", "problems.jsonl", "empty.jsonl", "--out", "o.json"), "empty.jsonl: no generations in the file"),
    ((*JUDGE, "--out", "outdir"), "--out: outdir is a directory: give a file name"),
    ((*JUDGE, "--out", "missing/o.json"), "--out: folder missing does not exist"),
    ((*JUDGE, "--out", "o.json", "--workers", "-1"), "--workers: must be >= 0, got -1"),
    ((*JUDGE, "--out", "o.json", "--checker", "bogus"),
     "--checker: unknown checker 'bogus': use default, exact, lcb, FILE.py:FUNC, module:FUNC or program:PATH"),
    ((*JUDGE, "--out", "o.json", "--sandbox", "bogus"),
     "Invalid value for '--sandbox': 'bogus' is not one of 'bwrap', 'rlimit', 'none'. "
     "(see codecritique judge --help)"),
    ((*JUDGE, "--out", "o.json", "--time-limit", "-1"), "--time-limit: must be > 0, got -1.0"),
    ((*JUDGE, "--out", "o.json", "--language", "rust"),
     "Invalid value for '--language': 'rust' is not one of 'python', 'cpp'. (see codecritique judge --help)"),
    # run: every setting is checked before anything is generated
    (("run", "--out", "r", "--checker", "bogus"),
     "--checker: unknown checker 'bogus': use default, exact, lcb, FILE.py:FUNC, module:FUNC or program:PATH"),
    (("run", "--out", "r", "--sandbox", "bogus"),
     "Invalid value for '--sandbox': 'bogus' is not one of 'bwrap', 'rlimit', 'none'. (see codecritique run --help)"),
    (("run", "--out", "r", "--workers", "-1"), "--workers: must be >= 0, got -1"),
    (("run", "--out", "r", "--fallback", "bogus"),
     "Invalid value for '--fallback': 'bogus' is not one of 'random', 'shortest-wrong', 'first'. "
     "(see codecritique run --help)"),
    (("run", "--out", "r", "--window", "2413-1"), "--window: date window '2413-1' must look like 2408-2502 (YYMM-YYMM)"),
    (("run", "--out", "r", "--limit", "-1"), "--limit: must be >= 0, got -1"),
    (("run", "--out", "r", "--max-tokens", "0"), "--max-tokens: must be >= 1, got 0"),
    (("run", "--out", "r", "--concurrency", "0"), "--concurrency: must be >= 1, got 0"),
    (("run", "--out", "r", "-k", "0"), "-k/--samples: must be >= 1, got 0"),
    (("run", "--out", "r", "--only", "bogus"),
     "--only: unknown stage 'bogus': use generate, critique, testgen, judge, testrun, report"),
    (("run", "--out", "r", "--problems", "nope.jsonl"), "--problems: nope.jsonl: no such file"),
    (("run", "--out", "r", "--base-url", DEAD), f"cannot reach {DEAD}: connection refused"),
    (("run", "--out", "r", "--base-url", DEAD, "--model", "m"), f"cannot reach {DEAD}: connection refused"),
    # critique-bench
    (("critique-bench", "missing.jsonl", "--source", "codecontests", "--out", "cb"),
     "PATH: missing.jsonl: no such file or directory"),
    (("critique-bench", "empty.jsonl", "--source", "codecontests", "--out", "cb"), "empty.jsonl: no problems found"),
    (("critique-bench", TACO, "--source", "codecontests", "--out", "cb"),
     f"{TACO} is in the taco format, which has no rejected solutions: critique-bench needs CodeContests (its "
     "solutions and incorrect_solutions) or DebugBench"),
    (("critique-bench", CC, "--source", "codecontests", "--out", "cb", "--temperature", "-1"),
     "--temperature: must be >= 0, got -1.0"),
    (("critique-bench", CC, "--source", "codecontests", "--out", "cb", "--max-solution-tokens", "-1"),
     "--max-solution-tokens: must be >= 1, got -1"),
    (("critique-bench", CC, "--source", "codecontests", "--out", "cb", "--limit", "-1"), "--limit: must be >= 1, got -1"),
    (("critique-bench", CC, "--source", "codecontests", "--out", "cb", "--max-tokens", "-5"),
     "--max-tokens: must be >= 1, got -5"),
    (("critique-bench", CC, "--source", "codecontests", "--out", "cb", "--base-url", DEAD),
     f"cannot reach {DEAD}: connection refused"),
    # problems and metrics
    (("problems", "inspect", "nope", "problems.jsonl"),
     "problems.jsonl: field 'id': no problem 'nope' among 1; first ids: add"),
    (("problems", "convert", "problems.jsonl", "--to", "bogus", "--out", "c.jsonl"),
     "Invalid value for '--to': 'bogus' is not one of 'jsonl', 'parquet', 'lcb'. "
     "(see codecontests problems convert --help)".replace("codecontests", "codecritique")),
    (("metrics", sys.executable), f"{sys.executable}:1: not UTF-8 text (a JSONL file of records is expected)"),
    (("metrics", "empty.jsonl"), "empty.jsonl: no records"),
    (("metrics", "outdir"), "outdir: is a directory (a JSONL file of records is expected)"),
]


@pytest.mark.parametrize("args,line", CASES, ids=[" ".join(a)[:60] for a, _ in CASES])
def test_bad_input_fails_at_once_with_one_line(work, args, line):
    before = files(work)
    r, seconds = cli(work, *args)
    assert (r.returncode, r.stderr) == (2, f"error: {line}\n"), r.stdout
    assert r.stdout == ""
    assert seconds < FAST
    assert files(work) == before  # nothing written, nothing half-written


def test_problems_without_tests_are_an_error_naming_them(work):
    (work / "bare.jsonl").write_text(json.dumps(NO_TESTS) + "\n" + json.dumps(WITH_SAMPLES) + "\n")
    (work / "bare_gens.jsonl").write_text("".join(json.dumps({"question_id": q, "code": "print(3)"}) + "\n"
                                                  for q in ("bare", "sampled")))
    before = files(work)
    r, _ = cli(work, "judge", "bare.jsonl", "bare_gens.jsonl", "--out", "o.json")
    assert (r.returncode, r.stderr) == (2, "error: 2 of 2 problems in bare.jsonl have no tests to judge: bare, "
                                           "sampled; the statements of 1 of them have sample tests: add "
                                           "--samples-from-statement\n")
    assert files(work) == before


def test_debug_shows_the_traceback(work):
    r, _ = cli(work, "--debug", *JUDGE, "--out", "o.json", "--workers", "-1")
    assert r.returncode == 2 and "Traceback" in r.stderr and r.stderr.endswith("error: --workers: must be >= 0, "
                                                                                "got -1\n")


def test_run_directory_with_other_settings_is_refused_and_kept(work):
    from codecritique.critique.run import RunConfig
    from codecritique.llm.config import BackendConfig

    run_dir = work / "r"
    run_dir.mkdir()
    (run_dir / "config.json").write_text(json.dumps(RunConfig(out="r", k=4).to_dict(), indent=1))
    (run_dir / "requests.jsonl").write_text('{"stored": "request"}\n')
    before = files(work)
    r, _ = cli(work, "run", "--out", "r", "-k", "2", "--seed", "3")
    assert (r.returncode, r.stderr) == (2, "error: r holds a run with other settings: k 4 -> 2; seed 0 -> 3; use a "
                                           "new --out, or --force to replace its results (stored requests are "
                                           "kept)\n")
    assert files(work) == before
    # the same settings pass the check and stop at the dead endpoint, keeping what was stored
    (run_dir / "config.json").write_text(json.dumps(RunConfig(out="r", backend=BackendConfig(base_urls=[DEAD]))
                                                    .to_dict(), indent=1))
    before = files(work)
    r, _ = cli(work, "run", "--out", "r", "--base-url", DEAD)
    assert (r.returncode, r.stderr) == (2, f"error: cannot reach {DEAD}: connection refused\n")
    assert files(work) == before


def test_fixed_inputs_that_used_to_fail(work):
    """`problems convert --to jsonl` (its --help lists it) and `metrics` on records with difficulty null work."""
    r, _ = cli(work, "problems", "convert", "problems.jsonl", "--to", "jsonl", "--out", "c.out")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["format"] == "ours"
    rows = [{"problem_id": "p", "sample_index": i, "difficulty": None, "passed": i == 0, "judgement": "right",
             "critique_reasoning_tokens": 3} for i in range(2)]
    (work / "m.jsonl").write_text("".join(json.dumps(x) + "\n" for x in rows))
    r, _ = cli(work, "metrics", "m.jsonl", "--json", "--bootstrap", "0")
    assert r.returncode == 0, r.stderr
    assert list(json.loads(r.stdout)["by_difficulty"]) == ["unknown"]
