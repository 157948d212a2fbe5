import json
import os

import pytest

from codecritique.errors import DataError
from codecritique.problems.jsonl import read_problems, write_problems
from codecritique.problems.model import Problem, Test


def test_read_fixture(fixtures):
    p1, p2 = read_problems(fixtures / "ours_small.jsonl")
    assert p1.id == "p1" and p1.time_limit == 2.0 and p1.memory_limit == 1024 and p1.metadata == {"note": "fixture"}
    assert [t.public for t in p1.tests] == [True, False]
    assert p2.fn_name == "hasSum" and p2.tests[0].kind == "functional"


@pytest.mark.parametrize("name", ["out.jsonl", "out.jsonl.gz"])
def test_round_trip(tmp_path, name):
    problems = [
        Problem(
            id="a", tests=[Test("stdin", "1\n", "2\n", public=True)], statement="ünïcode ✓", metadata={"k": [1]}
        ),
        Problem(id="b", tests=[Test("program", "check(f)\n")], time_limit=1.5),
    ]
    path = tmp_path / name
    write_problems(path, problems)
    assert read_problems(path) == problems
    assert oct(os.stat(path).st_mode & 0o777) == "0o644"
    assert [f.name for f in tmp_path.iterdir()] == [name]  # no temporary file left behind


def test_write_is_atomic(tmp_path):
    path = tmp_path / "out.jsonl"
    write_problems(path, [Problem(id="old")])

    def problems():
        yield Problem(id="new")
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        write_problems(path, problems())
    assert [p.id for p in read_problems(path)] == ["old"]  # the previous file is intact
    assert [f.name for f in tmp_path.iterdir()] == ["out.jsonl"]


@pytest.mark.parametrize(
    "record, field",
    [
        ({"tests": []}, "id"),
        ({"id": 3}, "id"),
        ({"id": "x", "tests": {}}, "tests"),
        ({"id": "x", "tests": ["t"]}, "tests[0]"),
        ({"id": "x", "tests": [{"kind": "stdout", "input": ""}]}, "tests[0].kind"),
        ({"id": "x", "tests": [{"kind": "stdin"}]}, "tests[0].input"),
        ({"id": "x", "tests": [{"kind": "stdin", "input": "", "output": 5}]}, "tests[0].output"),
        ({"id": "x", "tests": [{"kind": "functional", "input": "1"}]}, "tests[0].fn_name"),
        ({"id": "x", "tests": [{"kind": "stdin", "input": "", "public": "yes"}]}, "tests[0].public"),
        ({"id": "x", "time_limit": "2s"}, "time_limit"),
        ({"id": "x", "memory_limit": 1.5}, "memory_limit"),
        ({"id": "x", "metadata": []}, "metadata"),
        ({"id": "x", "title": None, "statement": 1}, "statement"),  # null title: the default
    ],
)
def test_malformed_records(tmp_path, record, field):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"id": "ok"}) + "\n\n" + json.dumps(record) + "\n")
    with pytest.raises(DataError) as e:
        read_problems(path)
    assert (e.value.path, e.value.line, e.value.field) == (str(path), 3, field)


def test_unreadable_gzip(tmp_path):
    path = tmp_path / "x.jsonl.gz"
    path.write_text("not gzip")
    with pytest.raises(DataError, match="cannot read file") as e:
        read_problems(path)
    assert e.value.path == str(path)
