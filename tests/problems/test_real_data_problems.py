"""Loaders and sample extraction on the real data in ../shared/data (each test skips when its file is absent)."""

import re
from collections import Counter

import pytest

from codecritique.problems.lcb import filter_problems, in_window
from codecritique.problems.load import detect_format, index_by_id, load_problems

from .conftest import data_file

V6 = "lcb/lcb_release_v6_problems.jsonl"
EVAL_ALL = [f"lcb-submissions/{model} (N=1)/Scenario.codegeneration_1_0.2_eval_all.json"
            for model in ("O1-Mini-2024-09-12", "O1-Preview-2024-09-12")]
INTERACTIVE = {"abc337_e", "abc355_e"}  # no samples in the statement; LiveCodeBench's ERRATA lists both


@pytest.fixture(scope="module")
def v6():
    return load_problems(data_file(V6), with_samples=True)


def test_v6_statements(v6):
    assert len(v6) == 1055 and len(index_by_id(v6)) == 1055
    assert Counter(p.platform for p in v6) == {"atcoder": 602, "leetcode": 444, "codeforces": 9}
    assert all(p.source == "livecodebench" and p.statement for p in v6)
    leetcode = [p for p in v6 if p.platform == "leetcode"]
    assert all(p.metadata.get("func_name") for p in leetcode)  # from the starter code's signature


def test_v6_samples_found_everywhere_but_interactive_problems(v6):
    status = {p.id: p.metadata["samples"]["status"] for p in v6}
    assert {pid for pid, s in status.items() if s != "found"} == INTERACTIVE
    for p in v6:
        if p.id in INTERACTIVE:
            continue
        assert p.tests and all(t.public for t in p.tests)
        if p.platform == "leetcode":
            n_params = p.starter_code.split("def ", 1)[1].split(")")[0].count(",")  # parameters after self
            assert all(len(t.input.split("\n")) == n_params and t.fn_name == p.fn_name for t in p.tests), p.id
            assert len(p.tests) == len(re.findall(r"^Example \d+:", p.statement, re.M)), p.id
        else:
            headings = re.findall(r"Sample Input \d+:?[ \t]*\r?$", p.statement, re.M)
            assert len(p.tests) == len(headings) >= 1, p.id
            assert all(t.kind == "stdin" and t.input.endswith("\n") for t in p.tests), p.id


def test_v6_known_samples(v6):
    by_id = index_by_id(v6)
    cf = by_id["1873_A"].tests[0]  # Codeforces: doubled line breaks undone
    assert cf.input == "6\nabc\nacb\nbac\nbca\ncab\ncba\n" and cf.output == "YES\nYES\nYES\nNO\nNO\nYES\n"
    assert by_id["abc328_d"].tests[1].output == ""  # AtCoder: an empty line as the whole output
    assert by_id["abc312_b"].tests[2].output == ""  # AtCoder: an empty output block, then the explanation
    lc = by_id["2777"].tests[0]
    assert (lc.input, lc.output, lc.fn_name) == ("[1,2,3,4,5]", "[-3,-1,1,3,5]", "distinctDifferenceArray")


def test_v6_date_windows(v6):
    assert len([p for p in v6 if in_window(p, "2408-2505")]) == 454  # NeMo-Skills' default LiveCodeBench v6 split
    assert len(filter_problems(v6, window="2408-2502", platforms=["leetcode", "atcoder", "codeforces"])) == 374


@pytest.mark.parametrize("relative", EVAL_ALL, ids=["o1-mini", "o1-preview"])
def test_eval_all_statements(relative):
    path = data_file(relative)
    assert detect_format(path) == "lcb-eval-all"
    problems = load_problems(path, with_samples=True)
    assert len(problems) == 880 and all(p.tests == [] or p.tests[0].public for p in problems)
    assert len(filter_problems(problems, window="2408-2502")) == 279  # NeMo-Skills: test_v5_2408_2502 has 279
    misses = {p.id for p in problems if p.metadata["samples"]["status"] != "found"}
    assert misses == INTERACTIVE


def test_humaneval():
    problems = load_problems(data_file("humaneval/HumanEval.jsonl.gz"))
    assert len(problems) == 164 and problems[0].id == "HumanEval/0"
    for p in problems:
        (t,) = p.tests
        assert t.kind == "program" and t.input.endswith(f"\ncheck({p.metadata['entry_point']})\n")
        compile(p.starter_code + p.metadata["canonical_solution"] + t.input, p.id, "exec")


def test_mbpp():
    problems = load_problems(data_file("mbpp/mbpp_sanitized_for_code_generation.jsonl"))
    assert len(problems) == 427 and {p.source for p in problems} == {"mbpp"}
    assert all(p.metadata["entry_point"].isidentifier() for p in problems)
