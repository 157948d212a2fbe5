"""Verdict bookkeeping: a cached verdict answers what a fresh one does (per-test output digests included, so
``codecritique run`` gives the same output signatures when re-run), the cache key covers everything that can
change a verdict, and system errors are never counted as wrong answers."""

import json
from dataclasses import replace
from pathlib import Path

from codecritique.judge.batch import judge_generations
from codecritique.metrics.judge_summary import summarize
from codecritique.judge.engine import Judge, JudgeConfig, Submission
from codecritique.judge.generations import Generations
from codecritique.judge.verdict import SampleResult, Verdict
from codecritique.problems.model import Problem, Test

from .conftest import needs_bwrap, stdin_problem

ECHO = stdin_problem("echo", cases=[("1\n", "1\n"), ("2\n", "2\n")])


@needs_bwrap
def test_cached_results_keep_their_per_test_output_digests(tmp_path):
    cache = str(tmp_path / "verdicts.sqlite")
    subs = [Submission(ECHO, "print(input())"), Submission(ECHO, "print(int(input()) * 2)")]
    with Judge(JudgeConfig(workers=1, cache=cache, all_tests=True)) as j:
        fresh = j.run(subs)
    with Judge(JudgeConfig(workers=1, cache=cache, all_tests=True)) as j:
        again = j.run(subs)
        assert j.stats["tests_run"] == 0 and j.stats["cached"] == 2
    assert all(r.cached for r in again)
    for a, b in zip(fresh, again):
        assert a.verdict is b.verdict and a.tests_run == b.tests_run == 2
        digests = [t.output_digest for t in a.test_results]
        assert all(digests) and digests == [t.output_digest for t in b.test_results]
        assert [t.verdict for t in a.test_results] == [t.verdict for t in b.test_results]


@needs_bwrap
def test_rerunning_the_run_judge_stage_gives_the_same_output_signatures(tmp_path):
    """Issue 11's first bullet: the judge stage of `codecritique run` on a finished run (everything cached)."""
    from codecritique.critique.run import RunConfig
    from codecritique.critique.run_steps import judge_solutions

    problem = Problem(id="p1", tests=[Test("stdin", "1\n", "1\n", public=True), Test("stdin", "2\n", "2\n"),
                                      Test("stdin", "3\n", "3\n", public=True)])
    codes = ["print(input())", "print(int(input()) + 0)", "print(7)"]
    rows = [{"problem_id": "p1", "sample_index": i, "language": "python", "response": c, "finish_reason": "stop",
             "code": c, "reasoning_tokens": 0, "completion_tokens": 1, "truncated": False, "no_code": False}
            for i, c in enumerate(codes)]
    (tmp_path / "generations.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    cfg = RunConfig(out=str(tmp_path))
    cfg.judge.workers = 1
    signatures = []
    for _ in range(2):
        verdicts = judge_solutions(cfg, rows, {"p1": problem})
        signatures.append([v["output_signature"] for v in verdicts])
    assert signatures[0] == signatures[1]
    assert all(s and "|" in s for s in signatures[0]), signatures
    assert signatures[0][0] == signatures[0][1] != signatures[0][2]  # same outputs, same signature


def _key(cfg: JudgeConfig, problem: Problem = ECHO, code: str = "print(input())", language: str = "python") -> str:
    j = Judge(cfg)
    try:
        return j._cache_key(j._payload(Submission(problem, code, language), language))
    finally:
        j.close()


def test_cache_key_covers_what_changes_a_verdict(tmp_path):
    base = JudgeConfig(workers=1)
    k = _key(base)
    assert k == _key(base)
    changed = {
        "sandbox": replace(base, sandbox="rlimit"),
        "fork": replace(base, allow_fork=True),
        "limits": replace(base, time_limit=1.0),
        "memory": replace(base, memory_mb=512),
        "checker": replace(base, checker="exact"),
        "all_tests": replace(base, all_tests=True),
    }
    keys = {name: _key(c) for name, c in changed.items()}
    assert all(v != k for v in keys.values()), keys
    assert len(set(keys.values())) == len(keys)
    # a custom checker by its content, not its path
    chk = tmp_path / "chk.py"
    chk.write_text("def check(i, e, a):\n    return e.split() == a.split()\n")
    k1 = _key(replace(base, checker=f"{chk}:check"))
    chk.write_text("def check(i, e, a):\n    return True\n")
    assert _key(replace(base, checker=f"{chk}:check")) != k1
    # the interpreter and its version are part of it
    j = Judge(base)
    assert j.interpreter.split()[1][0].isdigit()
    j.close()


def test_cache_key_covers_cpp_compiler_flags_and_profile(tmp_path):
    cpp = JudgeConfig(workers=1, cpp_cache=str(tmp_path / "cc"))
    p = Problem(id="c", tests=[Test("stdin", "", "")])
    code = "int main() { return 0; }"
    k = _key(cpp, p, code, "cpp")
    assert _key(replace(cpp, cxxflags="-O0"), p, code, "cpp") != k
    assert _key(replace(cpp, cpp_profile="lcb-cpp"), p, code, "cpp") != k


def _record(verdicts):
    return {"question_id": "q", "difficulty": "easy", "graded_list": [v == "AC" for v in verdicts],
            "verdicts": [{"verdict": v} for v in verdicts]}


def test_system_errors_are_excluded_from_the_metrics_and_counted():
    s = summarize([_record(["AC", "SE", "WA", "SE"]), _record(["SE"])])["overall"]
    assert s["system_errors"] == 3
    assert s["n_samples"] == 2 and s["n_problems"] == 1  # the problem with only an SE has no verdict at all
    assert s["pass@1"] == 0.5  # not 1/4: an SE is no wrong answer
    assert summarize([_record(["AC", "WA"])])["overall"]["system_errors"] == 0


@needs_bwrap
def test_resume_judges_stored_system_errors_again(tmp_path):
    problems = {"echo": ECHO}
    gens = {"echo": Generations("echo", codes=["print(input())", "print(5)"])}
    out = tmp_path / "eval.json"
    partial = out.with_name(out.name + ".partial.jsonl")
    from codecritique.judge.batch import sample_key as _sample_key

    se = SampleResult(Verdict.SE, message="judge system error after 3 attempts: zygote gone")
    wa = SampleResult(Verdict.WA, failed_test=0, message="stored")
    partial.write_text(json.dumps({"key": _sample_key("echo", 0, "print(input())"), "result": se.to_dict()}) + "\n" +
                       json.dumps({"key": _sample_key("echo", 1, "print(5)"), "result": wa.to_dict()}) + "\n")
    records, judged_by = judge_generations(problems, gens, JudgeConfig(workers=1), out)
    v = records[0]["verdicts"]
    assert v[0]["verdict"] == "AC"  # the stored SE was judged again
    assert v[1]["verdict"] == "WA" and v[1]["message"] == "stored"  # a stored verdict is reused
    assert summarize(records)["overall"]["system_errors"] == 0 and judged_by["tests_run"] == 2


@needs_bwrap
def test_permanent_system_errors_are_reported_apart(tmp_path):
    problems = {"echo": ECHO, "empty": Problem(id="empty")}
    gens = {"echo": Generations("x", codes=["print(input())"]), "empty": Generations("x", codes=["print(1)"])}
    records, _ = judge_generations(problems, gens, JudgeConfig(workers=1), tmp_path / "eval.json")
    s = summarize(records)["overall"]
    assert s["system_errors"] == 1 and s["pass@1"] == 1.0 and s["n_samples"] == 1
