"""CodeT's generated-test format: extraction as CodeT's released code does it, matching records to problems,
asserts as judge tests, docstring examples."""

import json

import pytest

from codecritique.errors import DataError
from codecritique.problems.generated_tests import (as_functional, docstring_examples, extract_asserts,
                                                   read_codet_tests, split_value, truncate_at_stops)
from codecritique.problems.model import Problem


def test_truncate_at_the_first_stop():
    assert truncate_at_stops("    return 1\n\nif x:\n    pass\ndef f(): pass") == "    return 1\n"
    assert truncate_at_stops("    return 1\n") == "    return 1\n"


def test_extract_asserts_as_codet():
    text = ("f(1) == 2\nassert f(2) == 3\nassert g(1) == 1\nassert f(3) ==\nassert f(4) == 5\n\n# done\nassert "
            "f(5) == 6\nassert f(6) == 7\nassert f(7) == 8")
    # g(...) lacks the entry point; 'f(3) ==' does not compile; the stop '\n#' cuts the comment; limit 5
    assert extract_asserts(text, "f") == ["assert f(1) == 2", "assert f(2) == 3", "assert f(4) == 5",
                                          "assert f(5) == 6", "assert f(6) == 7"]
    assert len(extract_asserts(text, "f", limit=None)) == 6
    assert extract_asserts("\n", "f") == []


def _problem(pid, entry, prompt):
    return Problem(id=pid, starter_code=prompt, metadata={"entry_point": entry})


def test_read_matches_by_entry_point_and_prompt_and_counts_duplicates(tmp_path):
    problems = [_problem("A", "f", "def f(x):\n    \"\"\"Double x.\"\"\"\n"),
                _problem("B", "g", "def g(x):\n    \"\"\"First g.\"\"\"\n"),
                _problem("C", "g", "def g(x):\n    \"\"\"Second g.\"\"\"\n")]
    path = tmp_path / "tests.jsonl"
    rows = [{"prompt": "def f(x):\n    \"\"\"Double x.\"\"\"\n    pass\n\n# check the correctness of f\nassert ",
             "samples": ["f(1) == 2\nassert f(2) == 4", "f(1) == 2", "nothing"]},
            {"prompt": "def g(x):\n    \"\"\"Second g.\"\"\"\n    pass\n\n# check the correctness of g\nassert ",
             "samples": ["g(0) == 0"]},
            {"task_id": "B", "prompt": "whatever", "samples": ["g(1) == 1"]}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    tests = read_codet_tests(path, problems)
    assert tests["A"].cases == ["assert f(1) == 2", "assert f(2) == 4"] and tests["A"].weights == [2, 1]
    assert tests["A"].samples == 3
    assert tests["C"].cases == ["assert g(0) == 0"] and tests["B"].cases == ["assert g(1) == 1"]


@pytest.mark.parametrize("row, message", [
    ({"prompt": "# check the correctness of zzz\nassert ", "samples": []}, "no problem with entry point 'zzz'"),
    ({"prompt": "no comment", "samples": []}, "no task id"),
    ({"prompt": "# check the correctness of f\nassert ", "samples": "f(1)"}, "expected a list of strings"),
    ({"task_id": "nope", "samples": []}, "unknown problem 'nope'"),
])
def test_bad_records_name_file_and_line(tmp_path, row, message):
    path = tmp_path / "t.jsonl"
    path.write_text("\n" + json.dumps(row) + "\n")
    with pytest.raises(DataError, match=message) as e:
        read_codet_tests(path, [_problem("A", "f", "def f(x):\n")])
    assert f"{path}:2" in str(e.value)


def test_asserts_as_functional_tests_only_when_plain_json():
    t = as_functional("assert f([1, 2], 'a') == {'k': [None, True]}", "f")
    assert t.kind == "functional" and t.input == '[1, 2]\n"a"' and t.output == '{"k": [null, true]}'
    assert as_functional("assert 3 == f(1)", "f").input == "1"
    for case in ("assert f((1, 2)) == 3", "assert f(1) != 2", "assert f(x=1) == 2", "assert f(1)",
                 "assert abs(f(1) - 2) < 1e-6", "assert f(1) == float('nan')", "assert g(1) == 1"):
        assert as_functional(case, "f") is None, case


def test_split_value():
    assert split_value("assert f(1) == 2, 'msg'", "f") == ("f(1)", "assert __codecritique_value == 2, 'msg'")
    assert split_value("assert 2 < f(1)", "f") == ("f(1)", "assert 2 < __codecritique_value")
    assert split_value("assert f(1) == f(2)", "f") == (None, "assert f(1) == f(2)")
    assert split_value("assert f(1)", "f") == (None, "assert f(1)")


def test_docstring_examples():
    prompt = 'def f(x):\n    """Say.\n    >>> f(1)\n    [1, 2]\n    >>> f(2)\n    <object>\n    >>> f(3)\n    \'a\'\n    """\n'
    assert docstring_examples(prompt, "f") == ["assert f(1) == [1, 2]", "assert f(3) == 'a'"]
    assert docstring_examples("def f():\n    pass\n", "f") == []
