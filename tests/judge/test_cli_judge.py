"""`codecritique judge` end to end: problem and generation formats, the eval_all output, the summary, resuming, and
the judge's own failures (SE, retried) caused for real."""

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from codecritique.judge.engine import Judge, JudgeConfig, Submission
from codecritique.judge.generations import load_generations
from codecritique.judge.verdict import Verdict
from codecritique.errors import DataError
from codecritique.problems.model import Problem, Test

from .conftest import needs_bwrap

PROBLEMS = [
    {"question_id": "add", "question_title": "add", "question_content": "Print a+b.", "platform": "atcoder",
     "contest_id": "c1", "contest_date": "2024-08-03T00:00:00", "starter_code": "", "difficulty": "easy",
     "public_test_cases": json.dumps([{"input": "1 2\n", "output": "3\n", "testtype": "stdin"}]),
     "private_test_cases": json.dumps([{"input": "5 6\n", "output": "11\n", "testtype": "stdin"}]),
     "metadata": "{}"},
    {"question_id": "twice", "question_title": "twice", "question_content": "Return 2x.", "platform": "leetcode",
     "contest_id": "c2", "contest_date": "2024-09-01T00:00:00",
     "starter_code": "class Solution:\n    def twice(self, x: int) -> int:\n        ", "difficulty": "hard",
     "public_test_cases": json.dumps([{"input": "3", "output": "6", "testtype": "functional"}]),
     "private_test_cases": json.dumps([{"input": "-4", "output": "-8", "testtype": "functional"}]),
     "metadata": json.dumps({"func_name": "twice"})},
]
ADD_OK = "a, b = map(int, input().split())\nprint(a + b)"
ADD_BAD = "print(3)"
TWICE_OK = "class Solution:\n    def twice(self, x):\n        return 2 * x\n"


def write_problems(tmp_path):
    path = tmp_path / "problems.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in PROBLEMS))
    return path


def cli(*args, check=True):
    r = subprocess.run([sys.executable, "-m", "codecritique.cli", *map(str, args)], capture_output=True, text=True,
                       timeout=300)
    if check:
        assert r.returncode == 0, r.stderr
    return r


@needs_bwrap
def test_lcb_output_format_and_eval_all_shape(tmp_path):
    gens = tmp_path / "gens.json"
    gens.write_text(json.dumps([{"question_id": "add", "code_list": [ADD_OK, ADD_BAD, ADD_OK]},
                                {"question_id": "twice", "code_list": [TWICE_OK, "class Solution: pass"]}]))
    out = tmp_path / "out.json"
    r = cli("judge", write_problems(tmp_path), gens, "--out", out, "--quiet")
    rec = {x["question_id"]: x for x in json.loads(out.read_text())}
    assert rec["add"]["graded_list"] == [True, False, True]
    assert rec["add"]["pass@1"] == pytest.approx(2 / 3)
    assert [v["verdict"] for v in rec["add"]["verdicts"]] == ["AC", "WA", "AC"]
    assert rec["add"]["verdicts"][1]["failed_test"] == 1 and "expected '11', got '3'" in rec["add"]["verdicts"][1][
        "message"]
    assert json.loads(rec["add"]["metadata"][1])["error_code"] == -2  # LiveCodeBench's code for WA
    assert rec["twice"]["graded_list"] == [True, False]
    assert rec["twice"]["difficulty"] == "hard" and "bwrap" in rec["twice"]["sandbox"]
    assert "pass@1" in r.stdout and "overall" in r.stdout and "hard" in r.stdout
    assert not (tmp_path / "out.json.partial.jsonl").exists()


@needs_bwrap
def test_jsonl_raw_outputs_and_humaneval_formats(tmp_path):
    raw = tmp_path / "raw.jsonl"
    raw.write_text(json.dumps({"question_id": "add", "output": f"<think>hmm</think>Here:\n```python\n{ADD_OK}\n```"})
                   + "\n" + json.dumps({"question_id": "add", "code": ADD_BAD}) + "\n")
    out = tmp_path / "o.json"
    cli("judge", write_problems(tmp_path), raw, "--out", out, "--quiet")
    rec = json.loads(out.read_text())[0]
    assert rec["graded_list"] == [True, False] and rec["code_list"][0] == ADD_OK
    he = tmp_path / "he.jsonl"
    he.write_text(json.dumps({"task_id": "H/0", "prompt": "def inc(x):\n", "canonical_solution": "    return x+1\n",
                              "test": "def check(c):\n    assert c(1) == 2\n", "entry_point": "inc"}) + "\n")
    comp = tmp_path / "comp.jsonl"
    comp.write_text(json.dumps({"task_id": "H/0", "completion": "    return x + 1\n"}) + "\n"
                    + json.dumps({"task_id": "H/0", "completion": "    return x\n"}) + "\n")
    cli("judge", he, comp, "--out", out, "--quiet")
    assert json.loads(out.read_text())[0]["graded_list"] == [True, False]


def test_bad_generation_files_name_the_problem(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"question_id": "add", "code": ADD_OK}) + "\n{not json\n")
    with pytest.raises(DataError, match=r"bad.jsonl:2"):
        load_generations(bad)
    nofield = tmp_path / "nofield.jsonl"
    nofield.write_text(json.dumps({"question_id": "add", "text": "x"}) + "\n")
    with pytest.raises(DataError, match="no code"):
        load_generations(nofield)
    r = cli("judge", write_problems(tmp_path), bad, "--out", tmp_path / "o.json", check=False)
    assert r.returncode == 2 and "bad.jsonl:2" in r.stderr


@needs_bwrap
def test_resume_judges_nothing_twice(tmp_path):
    from codecritique.judge.batch import judge_generations
    from codecritique.judge.generations import Generations
    from codecritique.problems.lcb import read_lcb

    probs = {p.id: p for p in read_lcb(write_problems(tmp_path))}
    gens = {"add": Generations("add", [ADD_OK, ADD_BAD, ADD_OK + "\n# 2"])}
    out = tmp_path / "r.json"
    partial = tmp_path / "r.json.partial.jsonl"
    # a previous run that crashed after judging the first sample (and tore its last line)
    from codecritique.judge.batch import sample_key as _sample_key

    partial.write_text(json.dumps({"key": _sample_key("add", 0, ADD_OK), "result": {"verdict": "AC"}}) + "\n{\"ke")
    seen = []
    records, judged_by = judge_generations(probs, gens, JudgeConfig(workers=1), out,
                                         progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (1, 3)  # one sample known from the partial file
    assert records[0]["graded_list"] == [True, False, True]
    # sample 0 is not run again: sample 1 runs 2 tests (fails the second), sample 2 runs both
    assert judged_by["tests_run"] == 4
    assert not partial.exists()


@needs_bwrap
def test_worker_killed_mid_test_is_retried_not_scored():
    """A real fault: the sandbox of the worker running a test is killed; the test is retried on a fresh worker and
    gets its true verdict; the restart is counted."""
    p = Problem(id="slow", tests=[Test("stdin", "", "done\n")])
    code = "import time\ntime.sleep(1.5)\nprint('done')"
    with Judge(JudgeConfig(workers=1, time_limit=5)) as judge:
        judge.run([Submission(Problem(id="warm", tests=[Test("stdin", "", "")]), "pass")])
        worker = judge.workers[0]

        def kill_soon():
            time.sleep(0.5)
            os.killpg(worker.proc.pid, signal.SIGKILL)

        threading.Thread(target=kill_soon).start()
        res = judge.run([Submission(p, code)])[0]
        assert res.verdict is Verdict.AC, res
        assert judge.stats["worker_restarts"] >= 1 and judge.stats["system_errors"] == 0


@needs_bwrap
def test_persistent_failures_become_se(monkeypatch):
    """If the judge itself keeps failing, the verdict is SE (never WA), after the configured retries."""
    from codecritique.judge import worker as worker_mod

    p = Problem(id="x", tests=[Test("stdin", "", "1\n")])
    with Judge(JudgeConfig(workers=1, retries=1)) as judge:
        real_collect = worker_mod.Worker.collect

        def broken(self, req, t0):  # the zygote dies on every run: kill its sandbox while the test still
            os.killpg(self.proc.pid, signal.SIGKILL)  # sleeps (before any answer), then wait for the answer
            self.proc.wait()
            return real_collect(self, req, t0)

        monkeypatch.setattr(worker_mod.Worker, "collect", broken)
        res = judge.run([Submission(p, "import time\ntime.sleep(1)\nprint(1)")])[0]
    assert res.verdict is Verdict.SE and "system error" in res.message
    assert judge.stats["system_errors"] == 1


@needs_bwrap
def test_verdict_cache_across_runs(tmp_path):
    p = Problem(id="c", tests=[Test("stdin", "2\n", "4\n")])
    cfg = JudgeConfig(workers=1, cache=str(tmp_path / "v.sqlite"))
    with Judge(cfg) as j:
        first = j.run([Submission(p, "print(int(input())*2)")])[0]
    with Judge(cfg) as j:
        again = j.run([Submission(p, "print(int(input())*2)")])[0]
        assert j.stats["cached"] == 1 and j.stats["tests_run"] == 0
    assert first.verdict is again.verdict is Verdict.AC and again.cached
    changed = Problem(id="c", tests=[Test("stdin", "2\n", "5\n")])  # edited tests are never served stale
    with Judge(cfg) as j:
        assert j.run([Submission(changed, "print(int(input())*2)")])[0].verdict is Verdict.WA


@needs_bwrap
def test_mbpp_original_format_with_integer_task_ids(tmp_path):
    """MBPP's own file (integer task ids, asserts in test_list, setup code) judged from {task_id, completion}."""
    from pathlib import Path

    problems = Path(__file__).resolve().parents[1] / "fixtures" / "problems" / "mbpp_original_small.jsonl"
    comp = tmp_path / "mbpp_samples.jsonl"
    comp.write_text("".join(json.dumps(r) + "\n" for r in [
        {"task_id": 901, "completion": "def min_of_three(a, b, c):\n    return min(a, b, c)\n"},
        {"task_id": 901, "completion": "def min_of_three(a, b, c):\n    return a\n"},
        {"task_id": 902, "completion": "import math\ndef root(x):\n    return math.sqrt(x)\n"}]))
    out = tmp_path / "o.json"
    cli("judge", problems, comp, "--out", out, "--quiet")
    graded = {r["question_id"]: r["graded_list"] for r in json.loads(out.read_text())}
    assert graded == {"901": [True, False], "902": [True]}


@needs_bwrap
def test_samples_that_stay_se_exit_non_zero_unless_allowed(tmp_path):
    """A real, lasting system error (a C++ solution of a LeetCode problem whose signature has no C++ harness): the
    sample is left out of pass@k, counted, and the command fails unless --allow-se."""
    problems = tmp_path / "problems.jsonl"
    untyped = dict(PROBLEMS[1], question_id="untyped", starter_code="class Solution:\n    def twice(self, x):\n")
    problems.write_text(json.dumps(PROBLEMS[0]) + "\n" + json.dumps(untyped) + "\n")
    gens = tmp_path / "gens.jsonl"
    gens.write_text(json.dumps({"question_id": "add", "code": ADD_OK}) + "\n" +
                    json.dumps({"question_id": "untyped", "output": "```cpp\nclass Solution { public: int twice(int x)"
                                " { return 2 * x; } };\n```"}) + "\n")
    out = tmp_path / "eval.json"
    r = cli("judge", problems, gens, "--out", out, "--workers", "1", "--json", check=False)
    assert r.returncode == 4, (r.returncode, r.stderr)
    assert "1 samples ended in a system error" in r.stderr and "--allow-se" in r.stderr
    summary = json.loads(r.stdout)
    assert summary["overall"]["system_errors"] == 1
    assert summary["overall"]["n_samples"] == 1 and summary["overall"]["pass@1"] == 1.0  # the SE is not a failure
    r = cli("judge", problems, gens, "--out", out, "--workers", "1", "--json", "--allow-se", check=False)
    assert r.returncode == 0, r.stderr


def test_generations_for_unknown_problems_are_one_error_before_judging(tmp_path):
    """The missing-id check (judge/batch.plan_batch, the only one) runs before any judging: one line naming both
    files, exit 2, nothing written; a library caller gets the same check as an exception."""
    from codecritique.judge.batch import MissingProblems, judge_generations
    from codecritique.judge.generations import Generations

    gens = tmp_path / "gens.jsonl"
    gens.write_text(json.dumps({"question_id": "add", "code": ADD_OK}) + "\n" +
                    json.dumps({"question_id": "nope", "code": ADD_OK}) + "\n")
    out = tmp_path / "out.json"
    r = cli("judge", write_problems(tmp_path), gens, "--out", out, "--quiet", check=False)
    assert r.returncode == 2, r.stderr
    assert f"1 problem ids in {gens} are not in" in r.stderr and "'nope'" in r.stderr, r.stderr
    assert not out.exists() and not out.with_name(out.name + ".partial.jsonl").exists()
    with pytest.raises(MissingProblems) as e:
        judge_generations({}, {"nope": Generations("nope", ["print(1)"])}, JudgeConfig(workers=1), out)
    assert e.value.ids == ["nope"]
