"""Loaders of the dataset sources (CodeContests, codecontests-repo, TACO, APPS, open-r1/codeforces), on fixtures in
their published schemas (tests/fixtures/problems/sources), as JSONL and as Parquet, and on malformed records."""

import json
import subprocess

import pytest

from codecritique.errors import DataError
from codecritique.problems.apps import platform_from_url, read_apps, split_of
from codecritique.problems.codecontests import (human_solutions, read_code_contests, read_codecontests_repo,
                                                 solutions_of)
from codecritique.problems.codeforces import materialize_checker, read_codeforces
from codecritique.problems.load import detect_format, load_problems
from codecritique.problems.records import iter_jsonl
from codecritique.problems.taco import read_taco

from .conftest import FIXTURES

SRC = FIXTURES / "sources"
CC = SRC / "code_contests" / "test-00000-of-00001.jsonl"
TACO = SRC / "taco" / "train-00000-of-00001.jsonl"
APPS = SRC / "apps" / "train.jsonl"
CF = SRC / "codeforces" / "train-00000-of-00001.jsonl"


def _rows(path):
    return [r.data for r in iter_jsonl(path)]


def _write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _to_parquet(rows, path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


# ---------------------------------------------------------------- CodeContests


def test_code_contests_rows():
    cf, atcoder = read_code_contests(CC)
    assert cf.id == cf.title == "1575_A. Another Sorting Problem" and cf.source == "code_contests"
    assert (cf.platform, cf.difficulty, cf.time_limit, cf.memory_limit) == ("codeforces", "A", 1.5, 245)
    assert [(t.kind, t.public) for t in cf.tests] == [("stdin", True)] + [("stdin", False)] * 3
    assert cf.tests[0].input == "5 2\nAA\nAB\nBB\nBA\nAZ\n" and cf.tests[3].output == "2 3 1 \n"  # generated last
    assert cf.metadata["test_counts"] == {"public": 1, "private": 2, "generated": 1}
    assert cf.metadata["cf_rating"] == 1100 and "solutions" not in cf.metadata  # solutions only on request
    assert (atcoder.platform, atcoder.difficulty, atcoder.time_limit, atcoder.memory_limit) == ("atcoder", "", None,
                                                                                                1024)
    assert len(atcoder.tests) == 1


def test_code_contests_test_kinds_and_solutions():
    (cf, _) = read_code_contests(CC, tests=("public", "private"), with_solutions=True)
    assert len(cf.tests) == 3
    accepted, rejected = solutions_of(cf)
    assert [s.language for s in accepted] == ["python3", "cpp", "java", "python2"]
    assert [s.language for s in rejected] == ["python3", "python3", "cpp"]
    assert all(s.accepted for s in accepted) and not any(s.accepted for s in rejected)
    assert rejected[1].code == "print(1)\n" and rejected[1].index == 1
    with pytest.raises(ValueError, match="test kinds"):
        read_code_contests(CC, tests=("hidden",))


def test_code_contests_parquet_equals_jsonl(tmp_path):
    path = _to_parquet(_rows(CC), tmp_path / "test-00000-of-00001.parquet")
    assert detect_format(str(path)) == "code_contests"
    assert read_code_contests(path, with_solutions=True) == read_code_contests(CC, with_solutions=True)


def test_code_contests_enum_names_are_accepted(tmp_path):
    row = _rows(CC)[0]
    row.update(source="CODEFORCES", difficulty="B",
               solutions={"language": ["PYTHON3", "CPP"], "solution": ["a", "b"]})
    (p,) = read_code_contests(_write_jsonl(tmp_path / "t.jsonl", [row]), with_solutions=True)
    assert (p.platform, p.difficulty) == ("codeforces", "B")
    assert [s["language"] for s in p.metadata["solutions"]] == ["python3", "cpp"]


@pytest.mark.parametrize("change, field, message", [
    ({"solutions": {"language": [9], "solution": ["x"]}}, "solutions.language[0]", "unknown language code 9"),
    ({"solutions": {"language": [3, 3], "solution": ["x"]}}, "solutions", "2 languages but 1 solutions"),
    ({"public_tests": {"input": ["1\n"], "output": []}}, "public_tests", "1 inputs but 0 outputs"),
    ({"private_tests": {"input": [1], "output": ["1"]}}, "private_tests.input[0]", "expected a string"),
    ({"difficulty": 99}, "difficulty", "outside 0..28"),
    ({"time_limit": "2s"}, "time_limit", "expected a number"),
    ({"name": None}, "name", "missing required field"),
])
def test_code_contests_malformed(tmp_path, change, field, message):
    rows = _rows(CC)
    rows[1].update(change)
    path = _write_jsonl(tmp_path / "cc.jsonl", rows)
    with pytest.raises(DataError, match=message) as e:
        read_code_contests(path, with_solutions=True)
    assert (e.value.path, e.value.line, e.value.field) == (str(path), 2, field)
    assert str(e.value).startswith(f"{path}:2: field '{field}'")


def test_human_solutions_of_a_row():
    rec = next(iter_jsonl(CC))
    acc, rej = human_solutions(rec)
    assert len(acc) == 4 and len(rej) == 3 and acc[0].code.startswith("n, m = map(int")


def test_codecontests_repo(tmp_path):
    md = ("# 1_A. Theatre Square\n\n**ID:** 1_a_theatre_square_1\n**Difficulty:** 7\n\n## Description\n\n"
          "Theatre Square in the capital city.\n\nInput\n\nn m a\n\n## Categories\n\n- math\n\n## Source\n\n"
          "Codeforces\n\n## Examples\n\n### Example 1\n\n**Input**:\n```\n6 6 4\n```\n")
    rows = [{"id": "1_a_theatre_square_1", "cluster": "cluster0", "problem_md": md,
             "solution_py": "n,m,a=map(int,input().split())\nprint(-(-n//a)*-(-m//a))\n", "tags": "math",
             "tests": [{"input": "6 6 4", "output": "4"}]},
            {"id": "library.py", "cluster": "cluster0", "problem_md": None, "solution_py": None, "tags": "",
             "tests": []}]
    path = _write_jsonl(tmp_path / "repo.jsonl", rows)
    skipped = []
    (p,) = read_codecontests_repo(path, skipped)
    assert skipped == [(2, "library.py", skipped[0][2])] and "not a problem" in skipped[0][2]
    assert (p.title, p.difficulty, p.platform, p.source) == ("1_A. Theatre Square", "A", "codeforces",
                                                            "codecontests-repo")
    assert p.statement == "Theatre Square in the capital city.\n\nInput\n\nn m a"
    assert (p.tests[0].input, p.tests[0].output) == ("6 6 4\n", "4\n")  # the stripped line break put back
    assert solutions_of(p)[0][0].code.startswith("n,m,a=")
    assert detect_format(str(path)) == "codecontests-repo"
    rows[0]["problem_md"] = "# no sections"
    with pytest.raises(DataError, match="Description") as e:
        read_codecontests_repo(_write_jsonl(tmp_path / "bad.jsonl", rows))
    assert (e.value.line, e.value.field) == (1, "problem_md")


# ---------------------------------------------------------------- TACO and APPS


def test_taco_rows():
    cf, cw, gfg = read_taco(TACO)
    assert [p.id for p in (cf, cw, gfg)] == ["taco/train/0", "taco/train/1", "taco/train/2"]  # split from the name
    assert (cf.platform, cf.difficulty, cf.time_limit, cf.memory_limit, cf.title) == ("codeforces", "EASY", 1.0,
                                                                                      256, "Plus One")
    assert [(t.kind, t.input, t.output) for t in cf.tests] == [("stdin", "1\n", "2\n"), ("stdin", "5\n", "6\n"),
                                                               ("stdin", "41\n", "42\n")]  # lists of lines joined
    assert cf.metadata["tags"] == ["Implementation"] and cf.metadata["raw_tags"] == ["implementation"]
    assert cw.platform == "codewars" and cw.fn_name == "get_count" and cw.starter_code.startswith("def get_count")
    assert [(t.input, t.output) for t in cw.tests] == [('"abracadabra"', "5"), ('""', "0"), ('"my pyx"', "[0]")]
    assert cw.metadata["output_wrapped"] == 3
    assert gfg.platform == "geeksforgeeks" and gfg.difficulty == "" and gfg.tests[0].input == "[1,2,3,4]\n4"
    assert gfg.tests[0].output == "10" and gfg.metadata["output_wrapped"] == 0
    assert gfg.metadata["expected_time_complexity"] == "O(N)"
    assert read_taco(TACO, split="test")[0].id == "taco/test/0"


def test_taco_with_solutions_and_parquet(tmp_path):
    path = _to_parquet(_rows(TACO), tmp_path / "train-00000-of-00001.parquet")
    assert detect_format(str(path)) == "taco"
    problems = read_taco(path, with_solutions=True)
    assert [p.to_dict() | {"metadata": None} for p in problems] == \
           [p.to_dict() | {"metadata": None} for p in read_taco(TACO, with_solutions=True)]
    assert problems[0].metadata["solutions"][0]["code"] == "print(int(input()) + 1)\n"


@pytest.mark.parametrize("change, field, message", [
    ({"input_output": "{not json"}, "input_output", "invalid JSON"),
    ({"input_output": json.dumps({"inputs": ["1"], "outputs": []})}, "input_output", "1 inputs but 0 outputs"),
    ({"input_output": json.dumps({"fn_name": "f", "inputs": ["1"], "outputs": [1]})}, "input_output.inputs[0]",
     "list of arguments"),
    ({"input_output": json.dumps({"fn_name": "not a name", "inputs": [], "outputs": []})}, "input_output.fn_name",
     "function name"),
    ({"input_output": json.dumps({"inputs": [3], "outputs": ["3"]})}, "input_output.inputs[0]", "string or a list"),
    ({"raw_tags": "['unclosed"}, "raw_tags", "not a Python list literal"),
    ({"raw_tags": "__import__('os')"}, "raw_tags", "not a Python list literal"),
    ({"question": 5}, "question", "expected a string"),
])
def test_taco_malformed(tmp_path, change, field, message):
    rows = _rows(TACO)
    rows[2].update(change)
    path = _write_jsonl(tmp_path / "train.jsonl", rows)
    with pytest.raises(DataError, match=message) as e:
        read_taco(path)
    assert (e.value.path, e.value.line, e.value.field) == (str(path), 3, field)


def test_apps_rows():
    cf, cw, atc = read_apps(APPS)
    assert [p.id for p in (cf, cw, atc)] == ["apps/train/0", "apps/train/1", "apps/train/2"]
    assert [p.platform for p in (cf, cw, atc)] == ["codeforces", "codewars", "atcoder"]
    assert (cf.difficulty, cf.tests[0].input, cf.tests[0].output) == ("interview", "1\n2\n", "3\n")
    assert [(t.input, t.output, t.fn_name) for t in cw.tests] == [("[1,5,2]", "5", "largest"),
                                                                 ("[-1]", "-1", "largest")]
    assert atc.tests == [] and detect_format(str(APPS)) == "apps"
    assert load_problems(APPS, with_samples=True)[2].metadata["samples"]["status"] == "not_found"


def test_apps_malformed(tmp_path):
    rows = _rows(APPS)
    rows[0]["problem_id"] = "0"
    path = _write_jsonl(tmp_path / "test.jsonl", rows)
    with pytest.raises(DataError, match="expected an integer") as e:
        read_apps(path)
    assert (e.value.line, e.value.field) == (1, "problem_id")


def test_split_and_platform_helpers():
    assert split_of("x/ALL/train-00000-of-00009.parquet") == "train" and split_of("a/test.jsonl") == "test"
    assert split_of("data/validation-00000.parquet") == "valid" and split_of("rows.jsonl") == ""
    assert platform_from_url("https://open.kattis.com/problems/hello") == "kattis"
    assert platform_from_url("http://judge.u-aizu.ac.jp/onlinejudge/description.jsp?id=0001") == "aizu"
    assert platform_from_url("not a url") == ""


# ---------------------------------------------------------------- open-r1/codeforces


def test_codeforces_rows():
    a, b, interactive = read_codeforces(CF)
    assert (a.id, a.title, a.platform, a.difficulty, a.contest_date) == ("2063/A", "Minimal Coprime", "codeforces",
                                                                         "800", "2025-01-17")
    assert (a.time_limit, a.memory_limit, a.source) == (1.0, 256, "open-r1/codeforces")
    assert a.statement == ("Given a segment [l, r], count the minimal coprime segments in it.\n\nInput\n\n"
                           "The first line contains t. Each test case has l and r.\n\nOutput\n\n"
                           "For each test case, print the answer.\n\nExamples\n\nInput\n\n2\n1 2\n1 10\n\n"
                           "Output\n\n1\n9\n\nNote\n\nIn the first test case, the answer is 1.")
    # the example, then the official tests that are not examples
    assert [(t.input, t.output, t.public) for t in a.tests] == [("2\n1 2\n1 10\n", "1\n9\n", True),
                                                                ("1\n49 49\n", "0\n", False)]
    assert a.metadata["official_tests_complete"] is True and "checker_source" not in a.metadata
    assert b.statement.endswith("Output\n\n1") and "Note" not in b.statement and b.difficulty == ""
    assert b.metadata["checker_source"].startswith("import sys") and len(b.tests) == 2
    assert interactive.tests == [] and interactive.metadata["interactive"] is True
    assert interactive.statement == "This is an interactive problem.\n\nExamples\n\nInput\n\n2\n\n18\n\n25\n\n" \
                                    "Output\n\n? 3 5\n\n! 4"
    assert detect_format(str(CF)) == "open-r1-codeforces"


def test_codeforces_checker_wrapper(tmp_path):
    _, b, _ = read_codeforces(CF)
    spec = materialize_checker(b, tmp_path / "chk")
    assert spec == f"program:{tmp_path / 'chk' / 'checker.sh'}"
    files = {}
    for name, text in (("in", "3\n"), ("good", "3 1 2\n"), ("bad", "1 1 2\n"), ("ans", "1 3 2\n")):
        files[name] = tmp_path / name
        files[name].write_text(text)
    wrapper = spec[len("program:"):]
    ok = subprocess.run([wrapper, files["in"], files["good"], files["ans"]], capture_output=True)
    bad = subprocess.run([wrapper, files["in"], files["bad"], files["ans"]], capture_output=True)
    assert ok.returncode == 0 and bad.returncode == 1 and b"printed '0'" in bad.stdout
    a, _, _ = read_codeforces(CF)
    assert materialize_checker(a, tmp_path / "none") is None


@pytest.mark.parametrize("change, field, message", [
    ({"examples": [{"input": "1"}]}, "examples[0]", "expected {input: str, output: str}"),
    ({"examples": [{"input": 1, "output": "1"}]}, "examples[0].input", "expected a string"),
    ({"official_tests": "none"}, "official_tests", "expected a list"),
    ({"rating": "hard"}, "rating", "expected an integer"),
    ({"memory_limit": "256MB"}, "memory_limit", "expected a number"),
])
def test_codeforces_malformed(tmp_path, change, field, message):
    rows = _rows(CF)
    rows[0].update(change)
    path = _write_jsonl(tmp_path / "cf.jsonl", rows)
    with pytest.raises(DataError, match=message) as e:
        read_codeforces(path)
    assert (e.value.path, e.value.line, e.value.field) == (str(path), 1, field)


def test_arrow_shards_as_datasets_writes_them(tmp_path):
    """A save_to_disk-style folder: Arrow IPC stream shards, in name order, beside metadata files that are not
    data."""
    import pyarrow as pa

    rows = _rows(TACO)
    folder = tmp_path / "train"
    folder.mkdir()
    for i, chunk in enumerate((rows[:2], rows[2:])):
        table = pa.Table.from_pylist(chunk)
        with pa.OSFile(str(folder / f"data-0000{i}-of-00002.arrow"), "wb") as sink:
            with pa.ipc.new_stream(sink, table.schema) as writer:
                writer.write_table(table)
    (folder / "dataset_info.json").write_text("{}")
    (folder / "state.json").write_text("{}")
    problems = read_taco(folder)
    assert [p.id for p in problems] == ["taco/train/0", "taco/train/1", "taco/train/2"]
    assert [p.tests for p in problems] == [p.tests for p in read_taco(TACO)]


def test_unsupported_and_missing_paths(tmp_path):
    from codecritique.problems.tables import iter_rows

    (tmp_path / "rows.csv").write_text("a,b\n")
    with pytest.raises(DataError, match="unsupported file type"):
        list(iter_rows(tmp_path / "rows.csv"))
    with pytest.raises(DataError, match="no such file"):
        list(iter_rows(tmp_path / "absent.parquet"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="no data files"):
        list(iter_rows(tmp_path / "empty"))
    (tmp_path / "bad.parquet").write_bytes(b"not parquet")
    with pytest.raises(DataError, match="cannot read Parquet"):
        list(iter_rows(tmp_path / "bad.parquet"))
