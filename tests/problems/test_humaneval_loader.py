import gzip
import json

import pytest

from codecritique.errors import DataError
from codecritique.problems.humaneval import read_humaneval, read_humaneval_x


def test_humaneval_and_mbpp_records(fixtures):
    he, mbpp = read_humaneval(fixtures / "humaneval_small.jsonl")

    assert he.id == "HumanEval/900" and he.source == "humaneval"
    assert he.starter_code == he.statement and he.starter_code.startswith("def add_two(")
    assert he.metadata == {"entry_point": "add_two", "canonical_solution": "    return a + b\n", "language": "python"}
    (t,) = he.tests
    assert t.kind == "program" and t.output == "" and not t.public
    assert t.input.startswith("\n\nMETADATA") and t.input.endswith("\ncheck(add_two)\n")

    assert mbpp.source == "mbpp" and mbpp.metadata["entry_point"] == "is_even"  # trailing space of the source dropped
    assert mbpp.tests[0].input.endswith("\ncheck(is_even)\n")


def test_the_program_test_runs_the_canonical_solution(fixtures):
    """The test program, appended after prompt + canonical solution, is a complete Python program."""
    for p in read_humaneval(fixtures / "humaneval_small.jsonl"):
        namespace: dict = {}
        exec(p.starter_code + p.metadata["canonical_solution"] + p.tests[0].input, namespace)  # noqa: S102


def test_gzip(fixtures, tmp_path):
    gz = tmp_path / "HumanEval.jsonl.gz"
    gz.write_bytes(gzip.compress((fixtures / "humaneval_small.jsonl").read_bytes()))
    assert [p.id for p in read_humaneval(gz)] == ["HumanEval/900", "MbppEval/901"]


def test_humaneval_x_cpp_records(fixtures):
    a, b = read_humaneval_x(fixtures / "humaneval_x_cpp_small.jsonl")
    assert a.id == "CPP/900" and a.source == "humaneval-x" and a.starter_code == a.statement
    assert a.metadata["language"] == "cpp" and a.metadata["entry_point"] == "sum_all"
    assert a.metadata["declaration"].endswith("int sum_all(vector<int> v){\n")
    (t,) = a.tests
    assert t.kind == "program" and t.input.startswith("#undef NDEBUG") and "int main()" in t.input
    assert b.metadata["entry_point"] == "is_palindrome"


def _write(tmp_path, *records):
    path = tmp_path / "bad.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


GOOD = {"task_id": "HumanEval/1", "prompt": "def f():\n", "entry_point": "f", "canonical_solution": "    return 1\n",
        "test": "def check(candidate):\n    assert candidate() == 1\n"}


@pytest.mark.parametrize(
    "change, field",
    [
        ({"entry_point": None}, "entry_point"),
        ({"entry_point": "not a name"}, "entry_point"),
        ({"test": 3}, "test"),
        ({"test": "assert True\n"}, "test"),
        ({"task_id": None}, "task_id"),
    ],
)
def test_malformed_humaneval(tmp_path, change, field):
    bad = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    with pytest.raises(DataError) as e:
        read_humaneval(_write(tmp_path, GOOD, bad))
    assert (e.value.line, e.value.field) == (2, field)


def test_humaneval_x_other_languages_are_refused(tmp_path):
    rec = {"task_id": "Java/0", "prompt": "", "declaration": "", "canonical_solution": "", "test": "main"}
    with pytest.raises(DataError, match="unsupported HumanEval-X language 'Java'") as e:
        read_humaneval_x(_write(tmp_path, rec))
    assert (e.value.line, e.value.field) == (1, "task_id")


@pytest.mark.parametrize("name", ["mbpp_original_small.jsonl", "mbpp_sanitized_small.jsonl"])
def test_mbpp_in_its_own_formats(fixtures, name):
    """The original MBPP file and the Hugging Face sanitized one: the asserts (after imports and setup code) are
    the test program, and the reference code passes it."""
    from codecritique.problems.load import detect_format, load_problems

    assert detect_format(fixtures / name) == "mbpp"
    problems = load_problems(fixtures / name)
    for p in problems:
        assert p.source == "mbpp" and p.starter_code == "" and p.statement.startswith("Write a function")
        (t,) = p.tests
        assert t.kind == "program" and t.input.count("assert ") == 2
        exec(p.metadata["canonical_solution"] + "\n\n" + t.input, {})  # noqa: S102
        wrong = p.metadata["canonical_solution"].replace("return ", "return 0 and ")
        with pytest.raises(AssertionError):
            exec(wrong + "\n\n" + t.input, {})  # noqa: S102
    if name.startswith("mbpp_original"):
        assert [p.id for p in problems] == ["901", "902"]
        assert problems[0].metadata["entry_point"] == "min_of_three"
        assert problems[0].metadata["challenge_test_list"] == ["assert min_of_three(-10, -20, -30) == -30"]
        assert problems[1].tests[0].input.startswith("from math import isclose\n")


def test_mbpp_malformed_records_name_the_field(tmp_path):
    from codecritique.problems.humaneval import read_mbpp

    bad = tmp_path / "mbpp.jsonl"
    bad.write_text('{"task_id": 1, "text": "t", "test_list": ["assert f() == 1"], "code": "def f(): return 1"}\n'
                   '{"task_id": 2, "text": "t", "test_list": "assert f() == 1"}\n')
    with pytest.raises(DataError, match=r"mbpp.jsonl:2.*test_list.*list of strings"):
        read_mbpp(bad)
