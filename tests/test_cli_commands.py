"""The `codecritique problems ...` and `codecritique critique-bench` commands, through the real CLI."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codecritique.cli import app

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "problems"
SRC = FIXTURES / "sources"
runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_problems_stats_json_with_filters():
    r = _run("problems", "stats", FIXTURES / "lcb_small.jsonl", "--json", "--samples", "--platform", "atcoder")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["problems"] == 1 and data["statement_samples"]["by_platform"] == {"atcoder": {"found": 1}}


def test_problems_stats_named_source_folder():
    r = _run("problems", "stats", SRC / "taco", "--source", "taco", "--split", "test")
    assert r.exit_code == 0, r.output
    assert "problems: 3" in r.output and "taco" in r.output


def test_problems_inspect_and_unknown_id():
    path = SRC / "codeforces" / "train-00000-of-00001.jsonl"
    r = _run("problems", "inspect", "2059/B", path, "--max-chars", "0")
    assert r.exit_code == 0 and "Any Permutation" in r.output
    r = _run("problems", "inspect", "2063", path)
    assert r.exit_code == 2 and "similar ids: 2063/A" in r.output


def test_problems_convert_writes_a_checksummed_file(tmp_path):
    out = tmp_path / "cf.jsonl"
    r = _run("problems", "convert", SRC / "codeforces", "--source", "codeforces", "-o", out)
    assert r.exit_code == 0, r.output
    info = json.loads(r.output)
    assert info["problems"] == 3 and Path(info["manifest"]).exists()
    again = _run("problems", "stats", out, "--json")
    assert json.loads(again.output)["problems"] == 3


def test_problems_bad_input_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question_id": "x", "question_content": "hi"}\n{not json\n')
    r = _run("problems", "stats", bad)
    assert r.exit_code == 2 and "bad.jsonl" in r.output and ":2" in r.output
    r = _run("problems", "stats", "--source", "nope", bad)
    assert r.exit_code == 2 and "unknown problem source 'nope'" in r.output


@pytest.mark.slow
def test_critique_bench_on_debugbench_with_the_bundled_model(tmp_path):
    """The whole benchmark for real: DebugBench-layout files, the bundled SmolLM2 critiquing on CPU, the report."""
    d = tmp_path / "debugbench"
    d.mkdir()
    rec = {"slug": "add-two", "level": "easy", "description": "Return a + b.", "examples": ["Input: a = 1, b = 2\n"
           "Output: 3"], "constraints": "", "oracle_code": "class Solution:\n    def add(self, a, b):\n        return a + b\n",
           "buggy_code": "class Solution:\n    def add(self, a, b):\n        return a - b\n"}
    (d / "python3_operation error.json").write_text(json.dumps([rec]))
    out = tmp_path / "bench"
    r = _run("critique-bench", d, "--out", out, "--max-tokens", "12", "--language", "python")
    assert r.exit_code == 0, r.output
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["overall"]["n"] == 2 and "SmolLM2" in metrics["model"]
    results = [json.loads(line) for line in open(out / "results.jsonl")]
    assert sorted(row["label"] for row in results) == ["accepted", "rejected"]
    assert (out / "report.html").stat().st_size > 1000
    assert "all" in r.output.splitlines()[-1]
    # a second run is served from the stored responses: same results, no new request
    before = (out / "requests.jsonl").read_text()
    assert _run("critique-bench", d, "--out", out, "--max-tokens", "12", "--language", "python").exit_code == 0
    assert (out / "requests.jsonl").read_text() == before
