import gzip
import json

import pytest

from codecritique.errors import DataError
from codecritique.problems.load import detect_format, index_by_id, load_problems
from codecritique.problems.model import Problem


@pytest.mark.parametrize(
    "name, fmt, first_id",
    [
        ("lcb_small.jsonl", "lcb", "abc900_a"),
        ("lcb_eval_all_small.json", "lcb-eval-all", "abc900_a"),
        ("humaneval_small.jsonl", "humaneval", "HumanEval/900"),
        ("humaneval_x_cpp_small.jsonl", "humaneval-x", "CPP/900"),
        ("ours_small.jsonl", "ours", "p1"),
    ],
)
def test_detects_every_format(fixtures, tmp_path, name, fmt, first_id):
    assert detect_format(fixtures / name) == fmt
    assert load_problems(fixtures / name)[0].id == first_id
    assert load_problems(fixtures / name, fmt=fmt)[0].id == first_id
    gz = tmp_path / (name + ".gz")
    gz.write_bytes(gzip.compress((fixtures / name).read_bytes()))
    assert detect_format(gz) == fmt and load_problems(gz)[0].id == first_id


def test_with_samples_is_passed_to_lcb(fixtures):
    problems = load_problems(fixtures / "lcb_small.jsonl", with_samples=True)
    assert problems[2].tests and problems[2].tests[0].public


def test_unknown_format_names_the_fields_seen(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text("\n" + json.dumps({"name": "a", "body": "b"}) + "\n")
    with pytest.raises(DataError, match="fields seen in the first record: body, name") as e:
        load_problems(path)
    assert (e.value.path, e.value.line) == (str(path), 2)


def test_unknown_format_name(fixtures):
    with pytest.raises(DataError, match="unknown format 'csv'"):
        load_problems(fixtures / "ours_small.jsonl", fmt="csv")


def test_empty_and_missing_files(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n")
    with pytest.raises(DataError, match="empty"):
        load_problems(empty)
    with pytest.raises(DataError, match="cannot read file"):
        load_problems(tmp_path / "missing.jsonl")


def test_index_by_id():
    a, b = Problem(id="a"), Problem(id="b")
    assert index_by_id([a, b]) == {"a": a, "b": b}
    with pytest.raises(DataError, match="duplicate problem id 'a'"):
        index_by_id([a, b, Problem(id="a")])
