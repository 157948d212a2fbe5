"""`codecritique run`'s selection beyond the paper: tests parsed from broken model output, P(right) from
log-probabilities, the strategies computed by the metrics layer from run records, and generated tests run by the
real judge (all hand-computed)."""

import asyncio
import json
import math

import pytest

from codecritique.errors import DataError
from codecritique.llm.forced_choice import endpoint_p_right, p_right_from_logprobs
from codecritique.llm.tasks import Critique, CritiqueItem, judgement_p_right
from codecritique.llm.test_generation import parse_asserts, parse_inputs, generated_test_messages
from codecritique.metrics.records import parse_record
from codecritique.metrics.summary import compute_metrics, curves

# ---------------------------------------------------------------- parsing broken output


def test_inputs_from_broken_output_are_counted_and_skipped():
    text = ("<think>maybe ```\n9 9\n```</think>Here are tests:\n```input\n3 5\n```\nOutput:\n```\n8\n```\n```\n  \n```\n"
            "```python\nprint(1)\n```\n```\n(one test input)\n```\n```input\n1 2   \n\n```\n```\n3 5\n```\n"
            "```\nunterminated")
    parsed = parse_inputs(text, n=2)
    # the reasoning's block is not an input; 3 5 and 1 2 kept (trailing spaces and blank lines removed); the
    # second 3 5 is over the limit of 2; the open block at the end was cut off; the block under "Output:" is what a
    # program printed
    assert parsed.tests == ["3 5\n", "1 2\n"]
    assert parsed.found == 8
    assert parsed.dropped == {"unterminated": 1, "empty": 1, "code": 1, "placeholder": 1, "over-limit": 1,
                              "output": 1}
    assert parse_inputs("") .tests == [] and parse_inputs(None).found == 0  # type: ignore[arg-type]
    assert parse_inputs("no block at all, just words").dropped == {}
    assert parse_inputs("```\n" + "9" * 5000 + "\n```").dropped == {"too-long": 1}


def test_asserts_from_broken_output_are_counted_and_skipped():
    text = ("Sure!\n```python\nassert countVowels('hello') == 2\n"
            "assert Solution().countVowels(\"aei\") == 3  # vowels only\n"
            "assert countVowels('x' ==\n"  # does not parse
            "assert len('abc') == 3\n"  # does not call the function
            "print(countVowels('a'))\n"  # not an assert
            "assert countVowels('') == 0;\n"
            "assert countVowels('e') == 1\n```")
    parsed = parse_asserts(text, "countVowels", n=3)
    assert parsed.tests == ["assert countVowels('hello') == 2", "assert countVowels('aei') == 3",
                            "assert countVowels('') == 0"]
    assert parsed.found == 6
    assert parsed.dropped == {"invalid": 1, "no-call": 1, "over-limit": 1}
    # no fence: the whole answer is read; a truncated last line is invalid, never an exception
    assert parse_asserts("assert f(1) == 2\nassert f(2) == 4\nassert f(3", "f").tests == \
        ["assert f(1) == 2", "assert f(2) == 4"]
    assert parse_asserts("\x00\x01 assert ((((", "f").dropped == {}
    # usage examples that state the value (what the bundled model writes when asked for asserts) are tests too
    examples = ("```python\ndef isEven(n: int) -> bool:\n    return n % 2 == 0\n```\nExample usage:\n```python\n"
                "print(isEven(4))  # True\nprint(isEven(7))  # false\nprint(isEven(3))  # prints False\n"
                "isEven(10) -> True\n>>> isEven(0)\nTrue\nprint(len('ab'))  # 2\n```")
    assert parse_asserts(examples, "isEven").tests == ["assert isEven(4) == True", "assert isEven(7) == False",
                                                       "assert isEven(10) == True", "assert isEven(0) == True"]


def test_prompts_come_from_the_template_files():
    from codecritique.critique.run import DEMO_PROBLEMS
    from codecritique.problems.load import load_problems

    by_id = {p.id: p for p in load_problems(DEMO_PROBLEMS)}
    stdin = generated_test_messages(by_id["demo-sum"], 4)[1]["content"]
    assert "Write 4 different test inputs" in stdin and "Print A + B." in stdin and "{question}" not in stdin
    functional = generated_test_messages(by_id["demo-count-vowels"], 3)[1]["content"]
    assert "3 different test cases for `countVowels`" in functional and "def countVowels(self, s: str)" in functional


# ---------------------------------------------------------------- P(right)


def test_p_right_from_logprobs_by_hand():
    assert p_right_from_logprobs(math.log(0.3), math.log(0.1)) == pytest.approx(0.75)
    assert p_right_from_logprobs(-1000.0, -1001.0) == pytest.approx(math.e / (math.e + 1))  # no underflow


class _Top:
    def __init__(self, token, logprob):
        self.token, self.logprob = token, logprob


class _Client:
    """Stands in for an OpenAI-compatible server that returns log-probabilities (vLLM does; no server that runs
    here does: `transformers serve` returns none, see test_real_server_without_logprobs_is_asked_once)."""

    def __init__(self, tops):
        self.tops, self.calls = tops, []
        self.chat = self
        self.completions = self

    async def create(self, **kw):
        self.calls.append(kw)
        content = [type("C", (), {"top_logprobs": [_Top(t, lp) for t, lp in self.tops]})()]
        return type("R", (), {"choices": [type("Ch", (), {"logprobs": type("L", (), {"content": content})()})()]})()


def test_endpoint_p_right_reads_the_judgement_tokens_logprobs():
    client = _Client([(" right", -0.2), ("the", -1.0), ("wrong", -1.9)])
    p = asyncio.run(endpoint_p_right(client, "m", [{"role": "user", "content": "q"}], "looks fine <judgment>ri"))
    assert p == pytest.approx(math.exp(-0.2) / (math.exp(-0.2) + math.exp(-1.9)))
    call = client.calls[0]
    assert call["logprobs"] is True and call["top_logprobs"] == 20 and call["max_tokens"] == 1
    assert call["messages"][-1] == {"role": "assistant", "content": "looks fine\n\n<judgment>"}  # cut at the tag
    # only "wrong" among the top tokens: "right" gets less than the least likely one shown
    p = asyncio.run(endpoint_p_right(_Client([("wrong", -0.1), ("x", -3.0)]), "m", [], "c"))
    assert p == pytest.approx(math.exp(-3.0 - math.log(2)) / (math.exp(-3.0 - math.log(2)) + math.exp(-0.1)))
    assert asyncio.run(endpoint_p_right(_Client([("x", -0.1)]), "m", [], "c")) is None


class _Scorer:
    """A backend's forced-choice scores, scripted (the real model is tested below)."""

    model = "scripted"

    def __init__(self):
        self.calls = 0

    def choice_logprobs(self, messages, text):
        self.calls += 1
        return (math.log(0.6), math.log(0.2)) if "good" in text else (math.log(0.1), math.log(0.9))


def _items():
    items = [CritiqueItem("p", 0, "Q", "```python\nx\n```"), CritiqueItem("p", 1, "Q", "```python\ny\n```"),
             CritiqueItem("p", 2, "Q", None)]
    crits = [Critique("p", 0, "good code", "right", 2, "chars", "stop", False),
             Critique("p", 1, "bad code <judgment>meh</judgment>", None, 5, "chars", "stop", False),
             Critique("p", 2, "", None, None, "chars", None, False, skipped="no code to critique")]
    return items, crits


def test_judgement_p_right_is_stored_and_read_back(tmp_path):
    from codecritique.llm.store import Store

    items, crits = _items()
    scorer = _Scorer()
    with Store(tmp_path / "p_right.jsonl") as store:
        first = asyncio.run(judgement_p_right(items, crits, scorer, store))
    assert first == [pytest.approx(0.75), pytest.approx(0.1), None]
    assert scorer.calls == 2
    seen = []
    with Store(tmp_path / "p_right.jsonl") as store:  # a resumed run: nothing scored again
        again = asyncio.run(judgement_p_right(items, crits, scorer, store, on_score=seen.append))
    assert again == first and scorer.calls == 2 and seen == [True, True]


@pytest.mark.slow
def test_local_forced_choice_matches_a_plain_forward_pass():
    """The bundled model's P(right) equals the probabilities computed here token by token, one unpadded sequence
    per option (the library scores both options in one padded batch)."""
    import torch

    from codecritique.llm.forced_choice import forced_prefix
    from codecritique.llm.local import LocalModel

    model = LocalModel.bundled()
    items, crits = _items()
    (p,) = asyncio.run(judgement_p_right(items[:1], crits[:1], model))
    from codecritique.llm.prompts import critique_messages

    messages = critique_messages("Q", "```python\nx\n```")
    tok = model.tokenizer
    prefix = list(tok.apply_chat_template(messages, add_generation_prompt=True, return_dict=True)["input_ids"])
    prefix += tok(forced_prefix("good code"), add_special_tokens=False)["input_ids"]
    totals = []
    for word in ("right", "wrong"):
        cont = tok(word, add_special_tokens=False)["input_ids"]
        with torch.inference_mode():
            logits = model._model(input_ids=torch.tensor([prefix + cont])).logits[0].float()
        logp = torch.log_softmax(logits, -1)
        totals.append(sum(float(logp[len(prefix) + t - 1, c]) for t, c in enumerate(cont)))
    expected = math.exp(totals[0]) / (math.exp(totals[0]) + math.exp(totals[1]))
    assert p == pytest.approx(expected, abs=1e-4)
    assert 0.0 < p < 1.0


@pytest.mark.slow
def test_real_server_without_logprobs_is_asked_once(tmp_path):
    """`transformers serve` (the project's real OpenAI-compatible server) refuses `continue_final_message` (422):
    every P(right) is None, and only one critique was sent, not one per critique."""
    from codecritique.llm.client import OpenAIClient
    from codecritique.llm.local import bundled_model_dir
    from codecritique.llm.server import start_server
    from codecritique.llm.store import Store

    server = start_server(bundled_model_dir(), log_path=tmp_path / "serve.log")
    try:
        items, crits = _items()
        client = OpenAIClient(server.model, server.base_url)
        with Store(tmp_path / "p_right.jsonl") as store:
            scores = asyncio.run(judgement_p_right(items, crits, client, store))
        posts = (tmp_path / "serve.log").read_text().count("POST /v1/chat/completions")
    finally:
        server.stop()
    assert scores == [None, None, None]
    assert posts == 1
    stored = [json.loads(line) for line in (tmp_path / "p_right.jsonl").read_text().splitlines()]
    assert len(stored) == 1 and json.loads(stored[0]["completion"]["text"])["p_right"] is None


# ---------------------------------------------------------------- strategies on run records


def _record(pid, i, passed, judgement, tokens, **extra):
    return {"problem_id": pid, "sample_index": i, "difficulty": "easy", "passed": passed, "judgement": judgement,
            "critique_reasoning_tokens": tokens, "passed_public": True, "output_signature": "", **extra}


RECORDS = [
    # functional: 3 generated asserts, written once each
    _record("A", 0, True, "right", 9, p_right=0.2, generated_tests_passed=[0, 1], generated_outputs=["a", "b", "c"],
            generated_test_weights=[1, 1, 1]),
    _record("A", 1, True, "wrong", 3, p_right=0.9, generated_tests_passed=[0, 1], generated_outputs=["a", "b", "c"],
            generated_test_weights=[1, 1, 1]),
    _record("A", 2, False, "right", 4, p_right=0.95, generated_tests_passed=[2], generated_outputs=["x", "y", "z"],
            generated_test_weights=[1, 1, 1]),
    _record("A", 3, False, None, None, p_right=None, generated_tests_passed=[],
            generated_outputs=["RE", "RE", "RE"], generated_test_weights=[1, 1, 1]),
    # stdin: generated inputs only (no expected outputs); samples 0 and 1 print the same, sample 3 has no code
    _record("B", 0, False, "right", 5, p_right=0.4, generated_tests_passed=None, generated_outputs=["d1", "d2"],
            generated_test_weights=[2, 1]),
    _record("B", 1, True, "right", 7, p_right=0.6, generated_tests_passed=None, generated_outputs=["d1", "d2"],
            generated_test_weights=[2, 1]),
    _record("B", 2, False, "wrong", 2, p_right=0.1, generated_tests_passed=None, generated_outputs=["e1", "e2"],
            generated_test_weights=[2, 1]),
    _record("B", 3, False, None, None, generated_tests_passed=None, generated_outputs=["CE", "CE"],
            generated_test_weights=[2, 1]),
]


def test_run_metrics_compute_every_strategy_by_hand():
    samples = [parse_record(r, "solutions.jsonl", n + 1) for n, r in enumerate(RECORDS)]
    m = compute_metrics(samples, bootstrap=0)
    got = m["overall"]["pass@1|select@k"]
    # A: codet: {0,1} scores sqrt(2)*2 > {2} 1*1 -> samples 0, 1 (both pass) = 1; B: no generated test passed ->
    #    the fallback, random: 1/4. Mean 0.625.
    assert got["codet"] == pytest.approx(0.625)
    # cluster: A: outputs (a,b,c) x2 beat (x,y,z); sample 3 never ran. B: (d1,d2) x2 = samples 0, 1: 1/2. Mean 0.75.
    assert got["cluster"] == pytest.approx(0.75)
    # p-right: A: sample 2 (0.95, fails) = 0; B: sample 1 (0.6, passes) = 1. Mean 0.5.
    assert got["p-right"] == pytest.approx(0.5)
    # cascade: A: all pass public -> agreement {0, 1} -> one output cluster (no cut) -> judged right: sample 0
    #    (P 0.2, the only one) = 1; B: public -> no agreement -> cluster {0, 1} -> both right, best P: sample 1 = 1.
    assert got["cascade"] == pytest.approx(1.0)
    # the paper's rule is untouched: A: right with the shortest critique = sample 2 (4 tokens) = 0; B: sample 0 (5) = 0
    assert got["shortest-critique"] == 0.0
    assert m["overall"]["selection"]["codet"]["fallbacks"] == {"random": 1}
    # Fig. 3's curve of each strategy: at k = 1 every strategy picks the first sample (A passes, B fails)
    c = curves(samples, bootstrap=0)
    for name in ("codet", "cluster", "p-right", "cascade"):
        assert c["pass@1|select@k"][name]["value"][0] == 0.5
        assert c["pass@1|select@k"][name]["value"][-1] == pytest.approx(got[name])


def test_records_without_the_fields_leave_the_strategies_out():
    plain = [parse_record({k: v for k, v in r.items() if not k.startswith(("generated", "p_right"))})
             for r in RECORDS]
    m = compute_metrics(plain, bootstrap=0)
    assert not {"codet", "cluster", "p-right", "cascade"} & set(m["overall"]["pass@1|select@k"])
    assert "generated_tests_passed" in m["strategies_unavailable"]["codet"]


def test_bad_fields_name_file_line_and_field():
    bad = dict(RECORDS[0], generated_tests_passed=[0, 7])
    with pytest.raises(DataError, match=r"solutions.jsonl:3.*generated_tests_passed.*7 but 3"):
        parse_record(bad, "solutions.jsonl", 3)
    with pytest.raises(DataError, match=r"p_right"):
        parse_record(dict(RECORDS[0], p_right=1.5), "solutions.jsonl", 1)
    with pytest.raises(DataError, match=r"generated_outputs"):
        parse_record(dict(RECORDS[0], generated_outputs=[1, 2]), "solutions.jsonl", 1)


def test_run_selection_table_prints_every_strategy_against_random_and_the_oracle():
    from codecritique.report.selection_table import format_run_selection_table

    samples = [parse_record(r) for r in RECORDS]
    text = format_run_selection_table(compute_metrics(samples, bootstrap=50))
    lines = text.splitlines()
    assert lines[0].startswith("selection: 2 problems, k = 4")
    row = next(line for line in lines if line.startswith("pass@1|select@4 cascade"))
    assert " 100.0 " in row and "+62.5" in row  # pass@1 = (2/4 + 1/4) / 2 = 37.5
    assert next(line for line in lines if line.startswith("pass@1 (random)")).split()[2] == "37.5"
    assert next(line for line in lines if line.startswith("pass@4 (oracle)")).split()[2] == "100.0"


# ---------------------------------------------------------------- generated tests through the real judge


def test_generated_tests_run_in_the_judge_and_resume(tmp_path):
    """A stdin problem with generated inputs (no expected outputs) and a LeetCode method with generated asserts, in
    the judge's sandbox: passes and outputs as computed by hand; a re-run reads everything back."""
    from codecritique.critique.dual_execution import DualExecutionConfig
    from codecritique.critique.generated_execution import GeneratedSuite, execute_generated
    from codecritique.critique.run import DEMO_PROBLEMS
    from codecritique.judge.engine import JudgeConfig
    from codecritique.problems.load import load_problems

    problems = {p.id: p for p in load_problems(DEMO_PROBLEMS) if p.id in ("demo-sum", "demo-count-vowels")}
    good_sum = "a, b = map(int, input().split())\nprint(a + b)"
    good_vowels = ("class Solution:\n    def countVowels(self, s: str) -> int:\n"
                   "        return sum(c in 'aeiou' for c in s)\n")
    sols = [("demo-sum", 0, good_sum, "python"), ("demo-sum", 1, "print(int(input().split()[0]) - 1)", "python"),
            ("demo-sum", 2, good_sum.replace("a + b", "b + a"), "python"), ("demo-sum", 3, None, "python"),
            ("demo-count-vowels", 0, good_vowels, "python"),
            # List without an import: LeetCode's implicit imports are there, as in the judge
            ("demo-count-vowels", 1, "class Solution:\n    def countVowels(self, s) -> int:\n"
                                     "        x: List[int] = []\n        return len(s)\n", "python"),
            ("demo-count-vowels", 2, "def countVowels(s):\n    return 2\n", "python"),  # no class Solution
            ("demo-count-vowels", 3, "class Solution:\n    def countVowels(self, s):\n        while True: pass\n",
             "python")]
    suites = {"demo-sum": GeneratedSuite("demo-sum", "stdin", ["1 2\n", "10 -3\n"], [2, 1]),
              "demo-count-vowels": GeneratedSuite("demo-count-vowels", "functional",
                                                  ["assert countVowels('hello') == 2",
                                                   "assert countVowels('xyz') == 1"], [1, 1])}
    cache = tmp_path / "executions.jsonl"
    cfg = DualExecutionConfig(time_limit=0.5, workers=1)
    first = execute_generated(problems, sols, suites, cache, cfg, JudgeConfig(workers=1))
    s0, s1, s2, s3 = (first["demo-sum", i] for i in range(4))
    assert s0.passed is None and s0.outputs == s2.outputs  # same outputs: 3 and 7
    assert s1.outputs[0] != s0.outputs[0] and len(set(s0.outputs)) == 2
    assert s3.outputs == ["CE", "CE"]
    v0, v1, v2, v3 = (first["demo-count-vowels", i] for i in range(4))
    assert v0.passed == [0]  # 'xyz' has no vowel: the model's second assert is wrong
    assert v1.passed == [] and v1.outputs[0] != v0.outputs[0]  # returns 5 and 3: ran, wrong
    assert v2.passed == [0]  # no class: the top-level function is called as it is (returns 2 both times)
    assert v3.passed == [] and v3.outputs == ["TLE", "TLE"]
    lines = cache.read_text().splitlines()
    again = execute_generated(problems, sols, suites, cache, cfg, JudgeConfig(workers=1))
    assert again == first and cache.read_text().splitlines() == lines  # read back, nothing judged again


def test_run_stages_testrun_and_report_over_saved_files(tmp_path):
    """`run`'s own stages over hand-written generations, critiques (with P(right)) and generated tests: the judge,
    the generated tests and the report; every strategy's pass@1|select@k as computed by hand."""
    from codecritique.critique.run import DEMO_PROBLEMS, RunConfig, run
    from codecritique.judge.engine import JudgeConfig
    from codecritique.problems.jsonl import write_problems
    from codecritique.problems.load import load_problems

    out = tmp_path / "run"
    out.mkdir()
    vowels = "class Solution:\n    def countVowels(self, s: str) -> int:\n        return {}\n"
    codes = {("demo-sum", 0): "a, b = map(int, input().split())\nprint(a + b)",
             ("demo-sum", 1): "a, b = map(int, input().split())\nprint(a - b)",
             ("demo-sum", 2): "a, b = map(int, input().split())\nprint(b + a)",
             ("demo-count-vowels", 0): vowels.format("sum(c in 'aeiou' for c in s)"),
             ("demo-count-vowels", 1): vowels.format("len(s)"),
             ("demo-count-vowels", 2): vowels.format("len([c for c in s if c in 'aeiou'])")}
    critiques = {("demo-sum", 0): ("right", 9, 0.3), ("demo-sum", 1): ("right", 2, 0.8),
                 ("demo-sum", 2): ("wrong", 4, 0.5), ("demo-count-vowels", 0): ("wrong", 3, 0.2),
                 ("demo-count-vowels", 1): ("right", 5, 0.9), ("demo-count-vowels", 2): ("right", 6, 0.6)}
    with open(out / "generations.jsonl", "w") as f:
        for (pid, i), code in codes.items():
            f.write(json.dumps({"problem_id": pid, "sample_index": i, "language": "python", "response": "",
                                "finish_reason": "stop", "code": code, "reasoning_tokens": 0, "completion_tokens": 1,
                                "truncated": False, "no_code": False}) + "\n")
    with open(out / "critiques.jsonl", "w") as f:
        for (pid, i), (judgement, n, p) in critiques.items():
            f.write(json.dumps({"problem_id": pid, "sample_index": i, "text": "...", "judgement": judgement,
                                "reasoning_tokens": n, "reasoning_unit": "chars", "finish_reason": "stop",
                                "truncated": False, "skipped": "", "p_right": p}) + "\n")
    with open(out / "generated_tests.jsonl", "w") as f:
        f.write(json.dumps({"problem_id": "demo-sum", "kind": "stdin", "entry_point": None,
                            "tests": ["1 2\n", "4 4\n"], "weights": [1, 1], "responses": []}) + "\n")
        f.write(json.dumps({"problem_id": "demo-count-vowels", "kind": "functional", "entry_point": "countVowels",
                            "tests": ["assert countVowels('hello') == 2", "assert countVowels('sky') == 0",
                                      "assert countVowels('aa') == 3"], "weights": [2, 1, 1],
                            "responses": []}) + "\n")
    problems = tmp_path / "problems.jsonl"
    write_problems(problems, [p for p in load_problems(DEMO_PROBLEMS) if p.id in ("demo-sum", "demo-count-vowels")])
    cfg = RunConfig(out=str(out), problems=str(problems), k=3, bootstrap=0, judge=JudgeConfig(workers=1))
    result = run(cfg, only=["judge", "testrun", "report"], log=lambda m: None)
    got = result.metrics["overall"]["pass@1|select@k"]
    # demo-sum: outputs (3, 8) for samples 0 and 2, (-1, 0) for 1; inputs only, so codet falls back (random 2/3);
    # demo-count-vowels: samples 0 and 2 pass asserts {0, 1} (weights 2 + 1), sample 1 none: codet and cluster {0, 2}
    assert got["codet"] == pytest.approx((2 / 3 + 1) / 2)
    assert got["cluster"] == 1.0
    # shortest right critique: demo-sum sample 1 (2 chars, fails), demo-count-vowels sample 1 (5, fails)
    assert got["shortest-critique"] == 0.0
    assert got["p-right"] == 0.0  # 0.8 and 0.9: the two failing solutions
    # cascade: sample tests keep {0, 2} in both; agreement / one output cluster; the judged-right one with the
    # best P(right): demo-sum 0 (passes), demo-count-vowels 2 (passes)
    assert got["cascade"] == 1.0
    rows = {(r["problem_id"], r["sample_index"]): r for r in result.rows}
    assert rows["demo-count-vowels", 0]["generated_tests_passed"] == [0, 1]
    assert rows["demo-count-vowels", 0]["generated_test_weights"] == [2, 1, 1]
    assert rows["demo-sum", 0]["generated_tests_passed"] is None
    assert rows["demo-sum", 0]["generated_outputs"] == rows["demo-sum", 2]["generated_outputs"]
    assert rows["demo-sum", 1]["p_right"] == 0.8
    assert result.curves["pass@1|select@k"]["cascade"]["value"][-1] == 1.0
    from codecritique.report.run_report import render_run

    html = render_run(out, result).read_text()
    assert "Every strategy's select@k curve" in html and (out / "fig3_strategies.png").stat().st_size > 10_000
    assert "codet: CodeT" in html and "dual execution agreement" in html
    assert "P(right) 0.80" in html and "generated tests passed 2/3" in html and "ran on 2/2 generated inputs" in html


@pytest.mark.slow
def test_testgen_stage_survives_kill_9(tmp_path):
    """The test-generation stage with the bundled model, killed (SIGKILL) once its first response is stored: the
    rerun asks only for the missing responses, and the stage's file holds every response once."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from codecritique.critique.run import DEMO_PROBLEMS
    from codecritique.problems.jsonl import write_problems
    from codecritique.problems.load import load_problems

    problems = tmp_path / "problems.jsonl"
    write_problems(problems, [p for p in load_problems(DEMO_PROBLEMS) if p.id == "demo-is-even"])
    out = tmp_path / "run"
    script = ("import sys\nfrom codecritique.critique.run import RunConfig, run\n"
              "from codecritique.llm.config import BackendConfig\n"
              f"cfg = RunConfig(out={str(out)!r}, problems={str(problems)!r}, k=1, test_samples=3, "
              "backend=BackendConfig(max_tokens=24, local_batch=1))\n"
              "run(cfg, only=['testgen'], log=lambda m: None)\n")
    store = out / "requests-testgen.jsonl"
    child = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while not (store.exists() and store.read_text().count("\n") >= 1) and time.monotonic() < deadline:
            assert child.poll() is None, "the stage ended before it could be killed"
            time.sleep(0.05)
        os.killpg(child.pid, signal.SIGKILL)
    finally:
        child.wait()
    first = [json.loads(line)["key"] for line in store.read_text().splitlines()]
    assert 1 <= len(first) < 3 and not (out / "generated_tests.jsonl").exists()
    subprocess.run([sys.executable, "-c", script], check=True, timeout=300)
    keys = [json.loads(line)["key"] for line in store.read_text().splitlines()]
    assert keys[:len(first)] == first and len(keys) == len(set(keys)) == 3
    (row,) = [json.loads(line) for line in (out / "generated_tests.jsonl").read_text().splitlines()]
    assert row["problem_id"] == "demo-is-even" and row["kind"] == "functional"
    assert sorted(r["sample_index"] for r in row["responses"]) == [0, 1, 2]
    assert sum(row["weights"]) == sum(r["kept"] for r in row["responses"])


def test_select_and_the_run_metrics_are_one_implementation(tmp_path):
    """`codecritique select`'s samples as run records give the same pass@1 through the metrics layer (hand-made
    execution results; benchmarks/selection_humaneval_curves.py checks it on CodeGen-16B's 16,400 samples)."""
    from codecritique.critique.dual_execution import ProblemExecution
    from codecritique.critique.select_command import SelectConfig, _strategies
    from codecritique.problems.model import Problem

    execs = {"A": ProblemExecution("A", [True, True, False, False],
                                   gen_passed=[frozenset({0, 1}), frozenset({0, 1}), frozenset({2}), frozenset()],
                                   gen_outputs=[("a", "b", "c"), ("a", "b", "c"), ("x", "y", "z"), ("RE",) * 3],
                                   weights=[1, 1, 1], passed_public=[True, False, True, True]),
             "B": ProblemExecution("B", [False, True, False, True], gen_passed=[frozenset()] * 4,
                                   gen_outputs=[("p",), ("q",), ("p",), ("q",)], weights=[1])}
    critiques = {("A", i): {"judgement": j, "critique_tokens": 3, "p_right": p}
                 for i, (j, p) in enumerate([("right", 0.7), ("wrong", 0.2), ("right", 0.9), (None, 0.5)])}
    cfg = SelectConfig(problems="-", generations="-", out=str(tmp_path), resamples=10)
    result = _strategies(cfg, [Problem(id="A"), Problem(id="B")], execs, critiques, True)
    m = compute_metrics([parse_record(r) for r in result.records], bootstrap=0)["overall"]["pass@1|select@k"]
    for name in ("codet", "cluster", "p-right", "cascade"):
        assert m[name] == pytest.approx(result.pass_at_1(name)), name
    # by hand: codet A {0, 1} = 1, B nothing passed: random 1/2; p-right A sample 2 (fails) = 0, B none: 1/2
    assert m["codet"] == pytest.approx(0.75) and m["p-right"] == pytest.approx(0.25)


def test_a_run_directory_from_before_the_new_settings_resumes(tmp_path):
    """A config.json written before generated tests and P(right) existed: the defaults are no change; a setting
    that differs from its default still is."""
    from codecritique.cli import _check_run_dir
    from codecritique.critique.run import RunConfig
    from codecritique.errors import CodecritiqueError

    old = RunConfig(out=str(tmp_path)).to_dict()
    for name in ("generated_tests", "test_samples", "tests_per_sample", "test_time_limit", "p_right"):
        old.pop(name)
    (tmp_path / "config.json").write_text(json.dumps(old))
    _check_run_dir(RunConfig(out=str(tmp_path)), tmp_path, False)
    with pytest.raises(CodecritiqueError, match=r"p_right None -> False"):
        _check_run_dir(RunConfig(out=str(tmp_path), p_right=False), tmp_path, False)
