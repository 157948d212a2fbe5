"""Conversion between formats with checksummed manifests, format detection of the converted files, and the
stats / inspect views."""

import json

import pytest

from codecritique.errors import DataError
from codecritique.problems.convert import (check_manifest, lcb_record, manifest_path, output_format,
                                           problems_digest, read_parquet, write)
from codecritique.problems.lcb import read_lcb
from codecritique.problems.load import detect_format, load_problems
from codecritique.problems.model import Problem, Test
from codecritique.problems.stats import format_stats, inspect_problem, problem_stats
from codecritique.problems.taco import read_taco

from .conftest import FIXTURES

TACO = FIXTURES / "sources" / "taco" / "train-00000-of-00001.jsonl"


@pytest.fixture
def problems():
    return read_taco(TACO, with_solutions=True) + read_lcb(FIXTURES / "lcb_small.jsonl")


@pytest.mark.parametrize("name", ["p.jsonl", "p.jsonl.gz", "p.parquet"])
def test_round_trip_with_manifest(tmp_path, problems, name):
    path = tmp_path / name
    conv = write(path, problems, provenance={"source": "taco+lcb", "revision": "abc"})
    assert conv.problems == 6 and conv.content_sha256 == problems_digest(problems)
    manifest = json.loads(manifest_path(path).read_text())
    assert manifest["file"] == name and manifest["provenance"] == {"source": "taco+lcb", "revision": "abc"}
    assert detect_format(str(path)) == ("ours-parquet" if name.endswith("parquet") else "ours")
    back = load_problems(path)  # checks the manifest
    assert [p.to_dict() for p in back] == [p.to_dict() for p in problems]
    assert check_manifest(path, back)["content_sha256"] == conv.content_sha256


def test_same_digest_whatever_the_container(tmp_path, problems):
    a = write(tmp_path / "a.jsonl", problems)
    b = write(tmp_path / "b.parquet", problems)
    assert a.content_sha256 == b.content_sha256 and a.file_sha256 != b.file_sha256
    assert read_parquet(tmp_path / "b.parquet")[1].tests[0].fn_name == "get_count"


def test_tampering_is_refused(tmp_path, problems):
    path = tmp_path / "p.jsonl"
    write(path, problems)
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:-1]))  # one problem lost
    with pytest.raises(DataError, match="file_sha256 .* does not match the manifest"):
        load_problems(path)
    manifest_path(path).write_text("{}")
    with pytest.raises(DataError, match="not a codecritique-problems/1 manifest"):
        check_manifest(path)


def test_content_mismatch_is_refused(tmp_path, problems):
    path = tmp_path / "p.jsonl"
    write(path, problems)
    with pytest.raises(DataError, match="content_sha256"):
        check_manifest(path, list(reversed(problems)))


def test_lcb_export_is_read_back_by_the_lcb_loader(tmp_path, problems):
    path = tmp_path / "p.lcb.jsonl"
    assert output_format(path) == "lcb"
    write(path, problems)
    back = read_lcb(path)
    assert [p.id for p in back] == [p.id for p in problems]
    assert [[(t.kind, t.input, t.output, t.fn_name) for t in p.tests] for p in back] == \
           [[(t.kind, t.input, t.output, t.fn_name) for t in p.tests] for p in problems]
    record = lcb_record(problems[1])
    assert json.loads(record["metadata"]) == {"func_name": "get_count"}
    assert "pickle" not in record["private_test_cases"] and json.loads(record["private_test_cases"])


def test_unwritable_cases(tmp_path):
    program = Problem(id="h", tests=[Test("program", "assert True")])
    with pytest.raises(DataError, match="program test"):
        write(tmp_path / "h.lcb.jsonl", [program])
    assert not (tmp_path / "h.lcb.jsonl").exists()
    with pytest.raises(DataError, match="duplicate problem id"):
        write(tmp_path / "d.jsonl", [program, program])
    with pytest.raises(ValueError, match="cannot tell the output format"):
        write(tmp_path / "d.csv", [program])


def test_stats(problems):
    s = problem_stats(problems)
    assert s["problems"] == 6 and s["problems_without_tests"] == 1
    assert s["by_source"] == {"taco": 3, "livecodebench": 3}
    assert s["by_platform"]["codeforces"] == 2 and s["by_platform"]["geeksforgeeks"] == 1
    assert s["by_month"] == {"(none)": 2, "2020-01": 1, "2024-07": 1, "2024-08": 1, "2025-02": 1}
    assert s["by_test_kinds"] == {"functional": 3, "stdin": 2, "no tests": 1}
    assert s["tests"]["functional/hidden"] == 5 and s["tests"]["stdin/public"] == 2
    text = format_stats(s)
    assert "problems: 6  (without tests: 1)" in text and "geeksforgeeks" in text
    json.dumps(s)


def test_inspect(problems):
    text = inspect_problem(problems[1], max_chars=60)
    assert text.startswith("id:           taco/train/1") and "calls get_count" in text
    assert "more characters]" in text and '"output_wrapped": 3' in text
    assert "... and 1 more tests" in inspect_problem(problems[1], max_tests=2)
