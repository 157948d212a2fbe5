"""C++ problem sets end to end: LiveCodeBench-CPP (its own harnesses), HumanEval-X (program tests), DebugBench
(statement examples -> our harness), the language of generations, and the ``judge`` command."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codecritique.cli import app
from codecritique.judge.engine import Submission
from codecritique.judge.generations import load_generations
from codecritique.judge.verdict import Verdict
from codecritique.problems.debugbench import problem_from_debugbench, read_debugbench
from codecritique.problems.load import index_by_id, load_problems

from .conftest import needs_bwrap

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "problems"
DEBUGBENCH = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "debugbench"

MAX_PAIR = "class Solution {\npublic:\n    int maxPairSum(vector<int>& nums, int k) {\n" \
           "        sort(nums.rbegin(), nums.rend());\n        return accumulate(nums.begin(), nums.begin() + k, 0);\n" \
           "    }\n};\n"
VOWELS = "class Solution {\npublic:\n    int countVowels(string s) {\n        int n = 0;\n" \
         "        for (char c : s) n += string(\"aeiou\").find(c) != string::npos;\n        return n;\n    }\n};\n"
ADD = "#include <iostream>\nint main() { long long a, b; std::cin >> a >> b; std::cout << a + b << std::endl; }\n"


@pytest.fixture(scope="module")
def lcb_cpp():
    return index_by_id(load_problems(FIXTURES / "lcb_cpp_small.jsonl"))


def test_lcb_cpp_loader(lcb_cpp):
    stdin, pairs, vowels = lcb_cpp["abc901_a"], lcb_cpp["3901"], lcb_cpp["3902"]
    assert [t.kind for t in stdin.tests] == ["stdin"] * 3 and "language" not in stdin.metadata
    assert [t.kind for t in pairs.tests] == ["program"] and "int main()" in pairs.tests[0].input
    assert pairs.metadata["program_prefix"] == "#include <bits/stdc++.h>\nusing namespace std;\n"
    assert pairs.metadata["language"] == "cpp" and pairs.fn_name == "maxPairSum"
    assert pairs.metadata["cpp_starter_code"].startswith("class Solution {")
    assert vowels.fn_name == "countVowels", "func_name taken from the C++ starter when the metadata lacks it"
    assert [t.kind for t in vowels.tests] == ["program"], "pickled private tests are decoded"


@needs_bwrap
def test_lcb_cpp_problems_judged_as_the_paper_does(cpp_judge, lcb_cpp):
    pairs, vowels, stdin = lcb_cpp["3901"], lcb_cpp["3902"], lcb_cpp["abc901_a"]
    wrong = MAX_PAIR.replace("nums.rbegin(), nums.rend()", "nums.begin(), nums.end()")
    res = cpp_judge.run([Submission(pairs, MAX_PAIR, "cpp"), Submission(pairs, wrong, "cpp"),
                         Submission(pairs, "class Solution {};", "cpp"), Submission(vowels, VOWELS, "cpp"),
                         Submission(stdin, ADD, "cpp")])
    assert [r.verdict for r in res] == [Verdict.AC, Verdict.WA, Verdict.CE, Verdict.AC, Verdict.AC]
    assert "exit code 1" in res[1].message


@needs_bwrap
def test_humaneval_x_program_tests(cpp_judge):
    problems = load_problems(FIXTURES / "humaneval_x_cpp_small.jsonl")
    subs = [Submission(p, p.starter_code + p.metadata["canonical_solution"], "cpp") for p in problems]
    subs.append(Submission(problems[0], problems[0].starter_code + "    return 0;\n}\n", "cpp"))
    res = cpp_judge.run(subs)
    assert [r.verdict for r in res] == [Verdict.AC, Verdict.AC, Verdict.WA]
    assert "Assertion" in res[-1].message


def test_generation_language_from_fences_or_problem(tmp_path, lcb_cpp):
    problems = {**lcb_cpp, **index_by_id(load_problems(FIXTURES / "humaneval_x_cpp_small.jsonl"))}
    path = tmp_path / "gens.jsonl"
    rows = [{"question_id": "abc901_a", "output": "Here:\n```cpp\n" + ADD + "```\n"},
            {"question_id": "3901", "code": MAX_PAIR},
            {"task_id": "CPP/900", "completion": "    return 0;\n}\n"},
            {"question_id": "3902", "output": "```python\nprint(1)\n```"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    gens = load_generations(path, problems)
    assert {pid: g.language for pid, g in gens.items()} == {"abc901_a": "cpp", "3901": "cpp", "CPP/900": "cpp",
                                                            "3902": "python"}
    assert gens["abc901_a"].codes == [ADD.rstrip("\n")]
    assert load_generations(path, problems, language="python")["abc901_a"].language == "python"


@needs_bwrap
def test_judge_command_on_cpp(tmp_path, cpp_cache):
    gens = tmp_path / "gens.jsonl"
    rows = [{"question_id": "abc901_a", "output_list": ["```cpp\n" + ADD + "```", "```c++\nint main() {}\n```"]},
            {"question_id": "3901", "output_list": ["```cpp\n" + MAX_PAIR + "```"]},
            {"question_id": "3902", "output_list": ["```cpp\n" + VOWELS.replace("aeiou", "xyz") + "```"]}]
    gens.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "eval_all.json"
    result = CliRunner().invoke(app, ["judge", str(FIXTURES / "lcb_cpp_small.jsonl"), str(gens), "-o", str(out),
                                      "--workers", "2", "--cpp-cache", str(cpp_cache), "-q"])
    assert result.exit_code == 0, result.output
    records = {r["question_id"]: r for r in json.loads(out.read_text())}
    assert records["abc901_a"]["graded_list"] == [True, False]
    assert records["3901"]["graded_list"] == [True] and records["3902"]["graded_list"] == [False]
    assert records["3902"]["verdicts"][0]["verdict"] == "WA"
    assert json.loads(records["abc901_a"]["metadata"][1])["error_code"] == -2


def test_judge_command_rejects_an_unknown_profile(tmp_path):
    result = CliRunner().invoke(app, ["judge", str(FIXTURES / "lcb_cpp_small.jsonl"), str(FIXTURES / "lcb_cpp_small.jsonl"),
                                      "-o", str(tmp_path / "o.json"), "--profile", "nope"])
    assert result.exit_code == 2 and "nope" in result.output and "lcb-cpp" in result.output  # names the choices


# ---------------------------------------------------------------------------------------------------------------
# DebugBench (real data; skipped when absent)


@pytest.fixture(scope="module")
def debugbench():
    if not DEBUGBENCH.is_dir():
        pytest.skip(f"real data not available: {DEBUGBENCH} is absent")
    return read_debugbench(DEBUGBENCH, "cpp")


def test_debugbench_examples_become_tests(debugbench):
    assert len(debugbench) == 1438
    problems = [problem_from_debugbench(r) for r in debugbench]
    found = [p for p in problems if p.metadata["samples"]["status"] == "found"]
    assert len(found) >= 0.93 * len(problems)
    design = [p for p in problems if "design problem" in p.metadata["samples"]["reason"]]
    assert design and all(not p.tests for p in design)
    first = found[0]
    assert first.tests[0].kind == "functional" and first.metadata["cpp_starter_code"].startswith("class Solution {")


@needs_bwrap
def test_debugbench_accepted_solutions_pass_and_buggy_ones_are_judged(cpp_judge, debugbench):
    picked = [r for r in debugbench if r.category == "undefined objects"][:4]
    problems = [problem_from_debugbench(r) for r in picked]
    assert all(p.tests for p in problems)
    res = cpp_judge.run([Submission(p, r.oracle_code, "cpp") for p, r in zip(problems, picked)] +
                        [Submission(p, r.buggy_code, "cpp") for p, r in zip(problems, picked)])
    assert all(r.verdict is Verdict.AC for r in res[:4]), [r.message for r in res[:4]]
    assert any(r.verdict is not Verdict.AC for r in res[4:])
