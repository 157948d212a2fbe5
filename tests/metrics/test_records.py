"""Validation of per-solution records and grouping into problems of k samples."""

import json

import pytest

from codecritique.errors import DataError
from codecritique.metrics.records import Sample, group_problems, load_records, parse_record

GOOD = {"problem_id": "p1", "sample_index": 0, "difficulty": "easy", "passed": True, "judgement": "right",
        "critique_reasoning_tokens": 120}


def write_jsonl(path, objs):
    path.write_text("".join((o if isinstance(o, str) else json.dumps(o)) + "\n" for o in objs))
    return path


def s(pid, idx, difficulty="easy", passed=True, judgement="right", tokens=10, **kw):
    return Sample(pid, idx, difficulty, passed, judgement, tokens, **kw)


def test_parse_record_keeps_fields_and_ignores_extra_ones():
    sample = parse_record({**GOOD, "extra": [1, 2], "passed_public": False, "output_signature": "ab12"})
    assert sample == Sample("p1", 0, "easy", True, "right", 120, passed_public=False, output_signature="ab12")


def test_unparsable_critique_may_have_null_tokens():
    sample = parse_record({**GOOD, "judgement": None, "critique_reasoning_tokens": None})
    assert sample.judgement is None and sample.critique_reasoning_tokens is None
    assert parse_record({k: v for k, v in GOOD.items() if k != "critique_reasoning_tokens"} | {"judgement": None})


@pytest.mark.parametrize("change, field, words", [
    ({"problem_id": None}, "problem_id", "expected a string"),
    ({"problem_id": ""}, "problem_id", "must not be empty"),
    ({"sample_index": True}, "sample_index", "expected an integer, got true"),
    ({"sample_index": "0"}, "sample_index", "expected an integer"),
    ({"sample_index": -1}, "sample_index", ">= 0"),
    ({"difficulty": 3}, "difficulty", "expected a string"),
    ({"passed": 1}, "passed", "expected true or false, got 1"),
    ({"judgement": "Right"}, "judgement", '"right", "wrong" or null'),
    ({"critique_reasoning_tokens": None}, "critique_reasoning_tokens", "required when judgement is not null"),
    ({"critique_reasoning_tokens": 1.5}, "critique_reasoning_tokens", "non-negative integer"),
    ({"critique_reasoning_tokens": -3}, "critique_reasoning_tokens", "non-negative integer"),
    ({"passed_public": "yes"}, "passed_public", "true or false or null"),
    ({"output_signature": 7}, "output_signature", "a string or null"),
])
def test_bad_fields_are_named_with_file_and_line(tmp_path, change, field, words):
    path = write_jsonl(tmp_path / "run.jsonl", [GOOD, {**GOOD, "sample_index": 1, **change}])
    with pytest.raises(DataError) as err:
        load_records(path)
    assert (err.value.line, err.value.field) == (2, field)
    assert str(err.value).startswith(f"{path}:2: field '{field}': ")
    assert words in str(err.value)


@pytest.mark.parametrize("missing", ["problem_id", "sample_index", "difficulty", "passed", "judgement"])
def test_missing_required_field(tmp_path, missing):
    path = write_jsonl(tmp_path / "run.jsonl", [{k: v for k, v in GOOD.items() if k != missing}])
    with pytest.raises(DataError, match=f"run.jsonl:1: field '{missing}': missing"):
        load_records(path)


def test_invalid_json_and_non_objects_name_the_line(tmp_path):
    with pytest.raises(DataError, match=r"run.jsonl:3: invalid JSON"):
        load_records(write_jsonl(tmp_path / "run.jsonl", [GOOD, "", "{not json"]))
    with pytest.raises(DataError, match=r"run.jsonl:1: expected a JSON object, got list"):
        load_records(write_jsonl(tmp_path / "run.jsonl", ["[1, 2]"]))


def test_blank_lines_are_skipped_and_lines_kept(tmp_path):
    samples = load_records(write_jsonl(tmp_path / "run.jsonl", ["", GOOD, "  ", {**GOOD, "sample_index": 1}]))
    assert [x.line for x in samples] == [2, 4]


def test_duplicate_sample_names_both_lines(tmp_path):
    samples = load_records(write_jsonl(tmp_path / "run.jsonl", [GOOD, {**GOOD, "sample_index": 1}, GOOD]))
    with pytest.raises(DataError, match=r"run.jsonl:3: field 'sample_index': duplicate .*\('p1', 0\).*run.jsonl:1"):
        group_problems(samples)


def test_inconsistent_difficulty_is_an_error():
    with pytest.raises(DataError, match="'p1' is 'hard' here but 'easy'"):
        group_problems([s("p1", 0), s("p1", 1, difficulty="hard")])


def test_group_keeps_first_k_in_sample_index_order():
    samples = [s("b", 7), s("a", 5), s("b", 2), s("a", 0), s("b", 4), s("a", 9)]
    problems, dropped = group_problems(samples, k=2)
    assert [p.problem_id for p in problems] == ["a", "b"]
    assert [[x.sample_index for x in p.samples] for p in problems] == [[0, 5], [2, 4]]
    assert dropped == []
    # k defaults to the largest number of samples
    problems, _ = group_problems(samples)
    assert [len(p.samples) for p in problems] == [3, 3]


def test_short_problems_are_an_error_or_dropped():
    samples = [s("a", 0), s("a", 1), s("short", 0)]
    with pytest.raises(DataError, match="problem 'short' has 1 samples, fewer than k=2"):
        group_problems(samples)
    problems, dropped = group_problems(samples, drop_short=True)
    assert [p.problem_id for p in problems] == ["a"] and dropped == ["short"]
    with pytest.raises(DataError, match="every problem has fewer than k=3"):
        group_problems(samples, k=3, drop_short=True)


def test_empty_input_and_bad_k():
    with pytest.raises(DataError, match="no records"):
        group_problems([])
    with pytest.raises(ValueError, match="k must be >= 1"):
        group_problems([s("a", 0)], k=0)
