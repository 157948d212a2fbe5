import base64
import json
import os
import pickle
import zlib
from datetime import date

import pytest

from codecritique.errors import DataError
from codecritique.problems.lcb import filter_problems, in_window, parse_window, read_lcb, read_lcb_eval_all
from codecritique.problems.model import Problem


def test_code_generation_lite_records(fixtures):
    atcoder, leetcode, codeforces = read_lcb(fixtures / "lcb_small.jsonl")

    assert atcoder.id == "abc900_a" and atcoder.title == "Sum" and atcoder.platform == "atcoder"
    assert atcoder.difficulty == "easy" and atcoder.contest_date == "2024-08-03T00:00:00"
    assert atcoder.source == "livecodebench" and atcoder.metadata == {"contest_id": "abc900"}
    assert [(t.kind, t.public) for t in atcoder.tests] == [("stdin", True)] * 2 + [("stdin", False)] * 2
    assert atcoder.tests[2].input == "3\n1 2 3\n" and atcoder.tests[2].output == "6\n"  # decoded from the pickle
    assert all(t.fn_name is None for t in atcoder.tests)

    assert leetcode.fn_name == "sumLargest" and leetcode.metadata["func_name"] == "sumLargest"
    assert [t.kind for t in leetcode.tests] == ["functional"] * 3
    assert all(t.fn_name == "sumLargest" for t in leetcode.tests)
    assert leetcode.tests[0].input == "[1,2,3]\n2" and leetcode.tests[2].public is False
    assert leetcode.starter_code.startswith("class Solution")

    assert codeforces.tests == []  # statement-only record
    assert "samples" not in codeforces.metadata


def test_with_samples_fills_only_problems_without_tests(fixtures):
    atcoder, leetcode, codeforces = read_lcb(fixtures / "lcb_small.jsonl", with_samples=True)
    assert len(atcoder.tests) == 4 and len(leetcode.tests) == 3  # official tests kept as they are
    assert codeforces.metadata["samples"] == {"status": "found", "reason": "1 sample(s)"}
    (t,) = codeforces.tests
    assert (t.kind, t.input, t.output, t.public) == ("stdin", "3\nab\nabc\nx\n", "ba\ncba\nx\n", True)


def test_eval_all_records_are_statements_only(fixtures):
    atcoder, leetcode = read_lcb_eval_all(fixtures / "lcb_eval_all_small.json")
    assert atcoder.id == "abc900_a" and atcoder.tests == [] and atcoder.metadata == {"contest_id": "abc900"}
    # the per-generation metadata list is not problem metadata; the method name comes from the starter code
    assert leetcode.metadata == {"contest_id": "weekly-contest-999", "func_name": "sumLargest"}


def test_eval_all_with_samples(fixtures):
    atcoder, leetcode = read_lcb_eval_all(fixtures / "lcb_eval_all_small.json", with_samples=True)
    assert [(t.input, t.output) for t in atcoder.tests] == [("3\n1 2 3\n", "6\n"), ("2\n-1 1\n", "0\n")]
    assert [(t.input, t.output, t.fn_name) for t in leetcode.tests] == [
        ("[1,2,3]\n2", "5", "sumLargest"),
        ("[-1,4]\n1", "4", "sumLargest"),
    ]


def test_gzip_input(fixtures, tmp_path):
    import gzip

    gz = tmp_path / "lcb.jsonl.gz"
    gz.write_bytes(gzip.compress((fixtures / "lcb_small.jsonl").read_bytes()))
    assert [p.id for p in read_lcb(gz)] == ["abc900_a", "9001", "1999_A"]


# ---- malformed records: the error names the file, the 1-based line and the field


def _record(**overrides):
    rec = {"question_id": "q1", "question_content": "Print 1.", "platform": "atcoder"}
    rec.update(overrides)
    return {k: v for k, v in rec.items() if v is not None}


def _write(tmp_path, *records, raw_lines=()):
    path = tmp_path / "bad.jsonl"
    lines = [json.dumps(r) for r in records] + list(raw_lines)
    path.write_text("\n".join(lines) + "\n")
    return path


def _error(path) -> DataError:
    with pytest.raises(DataError) as e:
        read_lcb(path)
    return e.value


def test_bad_json_line(tmp_path):
    path = _write(tmp_path, _record(), raw_lines=['{"question_id": "q2", '])
    err = _error(path)
    assert (err.path, err.line) == (str(path), 2) and "invalid JSON" in str(err)


def test_line_that_is_not_an_object(tmp_path):
    path = _write(tmp_path, _record(), raw_lines=["[1, 2]"])
    assert _error(path).line == 2


def test_missing_required_field(tmp_path):
    err = _error(_write(tmp_path, _record(), _record(question_content=None)))
    assert (err.line, err.field) == (2, "question_content") and "missing" in str(err)


def test_wrong_type(tmp_path):
    err = _error(_write(tmp_path, _record(question_id=17)))
    assert (err.line, err.field) == (1, "question_id") and "expected a string, got int" in str(err)


def test_undecodable_private_tests(tmp_path):
    err = _error(_write(tmp_path, _record(), _record(), _record(private_test_cases="@@not-base64@@")))
    assert (err.line, err.field) == (3, "private_test_cases") and "undecodable" in str(err)


def test_malicious_private_tests_are_refused(tmp_path):
    marker = tmp_path / "pwned"

    class Boom:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    payload = base64.b64encode(zlib.compress(pickle.dumps(Boom()))).decode()
    err = _error(_write(tmp_path, _record(private_test_cases=payload)))
    assert err.field == "private_test_cases" and not marker.exists()


def test_public_tests_not_json(tmp_path):
    err = _error(_write(tmp_path, _record(public_test_cases="[{")))
    assert (err.line, err.field) == (1, "public_test_cases")


def test_bad_testtype(tmp_path):
    tests = json.dumps(
        [{"input": "1", "output": "1", "testtype": "stdin"}, {"input": "1", "output": "1", "testtype": "x"}]
    )
    err = _error(_write(tmp_path, _record(public_test_cases=tests)))
    assert err.field == "public_test_cases[1].testtype"


def test_non_string_test_output(tmp_path):
    tests = json.dumps([{"input": "1", "output": 1, "testtype": "stdin"}])
    assert _error(_write(tmp_path, _record(public_test_cases=tests))).field == "public_test_cases[0].output"


def test_functional_tests_without_func_name(tmp_path):
    tests = json.dumps([{"input": "1", "output": "1", "testtype": "functional"}])
    err = _error(_write(tmp_path, _record(public_test_cases=tests)))
    assert err.field == "metadata" and "func_name" in str(err)


def test_metadata_not_json(tmp_path):
    assert _error(_write(tmp_path, _record(metadata="{func_name"))).field == "metadata"


def test_eval_all_errors_name_the_line_of_the_record(tmp_path):
    path = tmp_path / "x_eval_all.json"
    path.write_text(
        '[\n  {"question_id": "a", "question_content": "s"},\n  {"question_id": 5,\n   "question_content": "s"}\n]\n'
    )
    with pytest.raises(DataError) as e:
        read_lcb_eval_all(path)
    assert (e.value.line, e.value.field) == (3, "question_id")


def test_eval_all_that_is_not_an_array(tmp_path):
    path = tmp_path / "x_eval_all.json"
    path.write_text('{"question_id": "a"}')
    with pytest.raises(DataError, match="expected a JSON array"):
        read_lcb_eval_all(path)


def test_eval_all_truncated(tmp_path):
    path = tmp_path / "x_eval_all.json"
    path.write_text('[\n {"question_id": "a", "question_content": "s"},\n {"question_id": "b", "quest')
    with pytest.raises(DataError, match="invalid JSON") as e:
        read_lcb_eval_all(path)
    assert e.value.line == 3


# ---- filters


def _p(pid, date_, platform="atcoder", difficulty="easy"):
    return Problem(id=pid, contest_date=date_, platform=platform, difficulty=difficulty)


def test_window_is_whole_months_inclusive():
    assert parse_window("2408-2502") == (date(2024, 8, 1), date(2025, 2, 28))
    assert parse_window("2401-2402")[1] == date(2024, 2, 29)  # leap year
    assert in_window(_p("a", "2024-08-01T00:00:00"), "2408-2502")
    assert in_window(_p("b", "2025-02-28T23:59:59"), "2408-2502")
    assert not in_window(_p("c", "2024-07-31T23:59:59"), "2408-2502")
    assert not in_window(_p("d", "2025-03-01T00:00:00"), "2408-2502")
    assert in_window(_p("e", "2025-02-28T19:30:00+09:00"), "2408-2502")


@pytest.mark.parametrize("bad", ["2408", "24-08..25-02", "2413-2502", "2502-2408", "abcd-efgh"])
def test_bad_windows_are_rejected(bad):
    with pytest.raises(ValueError):
        parse_window(bad)


def test_undated_problem_in_window_names_the_problem():
    with pytest.raises(DataError, match="problem x: contest_date"):
        in_window(_p("x", ""), "2408-2502")


def test_filter_problems():
    ps = [
        _p("a", "2024-08-03", "atcoder", "easy"),
        _p("b", "2024-09-03", "leetcode", "hard"),
        _p("c", "2023-01-01", "leetcode", "Hard"),
    ]
    assert [p.id for p in filter_problems(ps, window="2408-2502")] == ["a", "b"]
    assert [p.id for p in filter_problems(ps, platforms=["LeetCode"])] == ["b", "c"]
    assert [p.id for p in filter_problems(ps, difficulties={"hard"}, window="2301-2412")] == ["b", "c"]
    assert filter_problems(ps) == ps
