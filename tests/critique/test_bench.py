"""The critique-accuracy benchmark (P2 App. B): seeded pairing, the length filter, scoring with unparsable critiques,
and whole runs on DebugBench- and CodeContests-shaped fixtures with a scripted backend."""

import json
from pathlib import Path

import pytest

from codecritique.critique.bench import (BenchItem, apply_length_limit, codecontests_candidates,
                                         debugbench_candidates, limit_problems, result_rows, score, select_pairs)
from codecritique.critique.bench_run import BenchConfig, run_bench
from codecritique.llm.backend import Backend
from codecritique.llm.config import BackendConfig
from codecritique.llm.tasks import Critique
from codecritique.llm.types import Completion
from codecritique.problems.codecontests import read_code_contests
from codecritique.report.critique_bench import render_bench

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "problems" / "sources"


def _record(slug, level, oracle, buggy, **extra):
    return {"slug": slug, "description": f"Solve {slug}.", "examples": ["Input: n = 1\nOutput: 1"],
            "constraints": "1 <= n <= 10", "level": level, "oracle_code": oracle, "buggy_code": buggy, **extra}


@pytest.fixture
def debugbench(tmp_path):
    """A DebugBench folder in the real layout: <language>_<category>.json arrays."""
    d = tmp_path / "debugbench"
    d.mkdir()
    files = {
        "python3_double.json": [_record("two-sum", "easy", "class Solution:\n    def f(self, n): return n\n",
                                        "class Solution:\n    def f(self, n): return n + 1\n",
                                        type=["operation error", "variable error"]),
                                _record("knight-dialer", "medium", "class Solution:\n    def g(self, n): return 10\n",
                                        "class Solution:\n    def g(self, n): return 1\n", type=["misused =="])],
        "python3_condition error.json": [_record("two-sum", "easy",
                                                 "class Solution:\n    def f(self, n): return n\n",
                                                 "class Solution:\n    def f(self, n): return -n\n",
                                                 explanations="sign")],
        "cpp_double.json": [_record("two-sum", "easy", "class Solution { public: int f(int n) { return n; } };",
                                    "class Solution { public: int f(int n) { return 0; } };", type=["x", "y"])],
    }
    for name, records in files.items():
        (d / name).write_text(json.dumps(records))
    return d


def test_debugbench_candidates(debugbench):
    cands = debugbench_candidates(debugbench)
    assert [c.problem_id for c in cands] == ["knight-dialer", "two-sum"]
    two = cands[1]
    assert len(two.accepted["python"]) == 1  # the same accepted solution in both files: kept once
    assert len(two.rejected["python"]) == 2 and len(two.accepted["cpp"]) == 1
    assert two.difficulty == "easy" and two.question.startswith("Solve two-sum.\n\nExample 1:")
    assert two.refs[("python", "rejected")] == ["condition error/0/two-sum:buggy_code", "double/0/two-sum:buggy_code"]


def test_selection_is_seeded_and_per_problem(debugbench):
    cands = debugbench_candidates(debugbench)
    items = select_pairs(cands, seed=1)
    assert [(i.problem_id, i.language, i.label) for i in items] == [
        ("knight-dialer", "python", "accepted"), ("knight-dialer", "python", "rejected"),
        ("two-sum", "python", "accepted"), ("two-sum", "python", "rejected"),
        ("two-sum", "cpp", "accepted"), ("two-sum", "cpp", "rejected")]
    assert [i.sample_index for i in items] == [0, 1, 0, 1, 2, 3]
    # a problem's draw does not depend on the other problems
    alone = select_pairs([cands[1]], seed=1)
    assert [i.code for i in alone] == [i.code for i in items[2:]]
    picks = {select_pairs([cands[1]], seed=s, languages=["python"])[1].code for s in range(20)}
    assert len(picks) == 2  # both rejected variants get picked across seeds
    with pytest.raises(ValueError, match="language"):
        select_pairs(cands, languages=["java"])


def test_codecontests_candidates_use_language_codes():
    problems = read_code_contests(FIXTURES / "code_contests" / "test-00000-of-00001.jsonl", with_solutions=True)
    cf, atcoder = codecontests_candidates(problems)
    assert len(cf.accepted["python"]) == 1 and len(cf.rejected["python"]) == 2  # Python 3 only, no Java
    assert len(cf.accepted["cpp"]) == 1 and atcoder.accepted == {}
    cf2, _ = codecontests_candidates(problems, python2_as_python=True)
    assert len(cf2.accepted["python"]) == 2
    items = select_pairs([cf, atcoder], seed=0)
    assert {(i.language, i.label) for i in items} == {("python", "accepted"), ("python", "rejected"),
                                                      ("cpp", "accepted"), ("cpp", "rejected")}
    assert items[0].difficulty == "A" and items[0].ref.startswith("solutions[")
    with pytest.raises(Exception, match="with_solutions=True"):
        codecontests_candidates(read_code_contests(FIXTURES / "code_contests" / "test-00000-of-00001.jsonl"))


def test_length_filter_after_picking():
    items = [BenchItem("p", "python", "accepted", "x " * 10, "easy", "r"),
             BenchItem("p", "python", "rejected", "x " * 3, "easy", "r")]
    apply_length_limit(items, lambda s: len(s.split()), max_tokens=5)
    assert [(i.tokens, i.dropped) for i in items] == [(10, "10 tokens > 5"), (3, "")]
    untouched = [BenchItem("p", "cpp", "accepted", "y", "easy", "r")]
    apply_length_limit(untouched, None)
    assert untouched[0].tokens is None and not untouched[0].dropped


def test_limit_problems_is_seeded():
    items = [BenchItem(f"p{i}", "python", lab, "c", "easy", "r") for i in range(10) for lab in ("accepted", "rejected")]
    a, b = limit_problems(items, 3, seed=5), limit_problems(items, 3, seed=5)
    assert a == b and len({i.problem_id for i in a}) == 3 and len(a) == 6
    assert limit_problems(items, None) == items


def _critique(item, judgement):
    text = f"<think>hmm</think>\nverdict <judgment>{judgement}</judgment>" if judgement else "no verdict"
    return Critique(item.problem_id, item.sample_index, text, judgement, 3, "tokens", "stop", False)


def test_scoring_counts_unparsable_as_incorrect():
    items = [BenchItem("a", "python", "accepted", "c", "easy", "r"), BenchItem("a", "python", "rejected", "c", "easy", "r"),
             BenchItem("b", "cpp", "accepted", "c", "hard", "r"), BenchItem("b", "cpp", "rejected", "c", "hard", "r"),
             BenchItem("c", "cpp", "accepted", "long", "hard", "r", dropped="5000 tokens > 4096")]
    judgements = ["right", "right", None, "wrong"]
    rows = result_rows(items, [_critique(i, j) for i, j in zip(items[:4], judgements)])
    assert [r["correct"] for r in rows] == [True, False, False, True]
    m = score(rows)
    o = m["overall"]
    assert (o["n"], o["correct"], o["accuracy"], o["unparsable"], o["accuracy_parsed"]) == (4, 2, 0.5, 1, 2 / 3)
    assert (o["accuracy_on_accepted"], o["accuracy_on_rejected"]) == (0.5, 0.5)
    assert o["confusion"] == {"tp": 1, "fp": 1, "fn": 0, "tn": 1, "unparsable_passed": 1, "unparsable_failed": 0}
    assert m["by_language"]["python"]["accuracy"] == 0.5 and m["by_language"]["cpp"]["unparsable"] == 1
    assert list(m["by_difficulty"]) == ["easy", "hard"]
    assert m["by_language_difficulty"]["cpp"]["hard"]["n"] == 2
    with pytest.raises(ValueError, match="critique"):
        result_rows(items, [_critique(items[1], "right")] * 4)


class ScriptedBackend(Backend):
    """Judges a solution right iff its code contains 'return n' (a stand-in for a model, so the scoring has known
    answers); one answer has no tag. It implements only the backend's fetch: store and request identity are the
    real ones."""

    model = "scripted"

    def __init__(self):
        self.calls = []

    async def fetch(self, endpoint, messages, params, indices):
        prompt = messages[-1]["content"]
        assert messages[0] == {"role": "system", "content": ""} and "## Question\n" in prompt and "## Solution\n```" in prompt
        for i in indices:
            if "def g" in prompt:
                yield Completion(text="I am not sure.", finish_reason="length", sample_index=i, model=self.model)
                continue
            verdict = "right" if "return n\n" in prompt or "return n; }" in prompt else "wrong"
            yield Completion(text=f"<think>check</think>Looks {verdict}.\n<judgment>{verdict}</judgment>",
                             finish_reason="stop", sample_index=i, model=self.model)

    async def generate(self, messages, n=1, params=None, *, meta=None):
        self.calls.append((messages, params, meta))
        return await super().generate(messages, n, params, meta=meta)

    def count_tokens(self, text):
        return len(text.split())


def test_whole_run_on_debugbench(debugbench, tmp_path):
    backend = ScriptedBackend()
    cfg = BenchConfig(out=str(tmp_path / "run"), source="debugbench", path=str(debugbench), seed=0,
                      max_solution_tokens=12, backend=BackendConfig(max_tokens=64))
    result = run_bench(cfg, backend=backend, log=lambda s: None)
    metrics, out = result.metrics, tmp_path / "run"
    assert not (out / "report.html").exists()  # the method returns data; the CLI renders it
    render_bench(out, result)
    assert {p.name for p in out.iterdir()} >= {"config.json", "items.jsonl", "results.jsonl", "metrics.json",
                                               "report.html", "requests.jsonl"}
    items = [json.loads(line) for line in open(out / "items.jsonl")]
    assert len(items) == 6 and all(i["tokens"] is not None for i in items)  # the backend's tokenizer
    assert metrics["length_filter"] == {"max_solution_tokens": 12, "tokenizer": "the backend's (scripted)",
                                        "applied": True}
    o = metrics["overall"]
    assert o["n"] == 6 and o["unparsable"] == 2  # knight-dialer's two critiques carry no judgement
    assert o["correct"] == 4 and o["accuracy"] == pytest.approx(4 / 6)
    assert metrics["selection"]["languages"]["cpp"]["critiqued"] == 2
    assert [m for _, _, m in backend.calls][0]["bench"] == "critique-accuracy"
    assert all(p.max_tokens == 64 for _, p, _ in backend.calls)
    report = (out / "report.html").read_text()
    assert "Critique accuracy: scripted on debugbench" in report and "knight-dialer" in report
    assert "Table 6" in report and "66.7" in report
    # the same run again: a step on the stage runner, done with the same settings and input, is skipped
    calls = len(backend.calls)
    again = run_bench(cfg, backend=backend, log=lambda s: None)
    assert len(backend.calls) == calls and again.metrics == metrics


def test_whole_run_drops_long_solutions(debugbench, tmp_path):
    cfg = BenchConfig(out=str(tmp_path / "run"), source="debugbench", path=str(debugbench), seed=0,
                      max_solution_tokens=4)
    result = run_bench(cfg, backend=ScriptedBackend(), log=lambda s: None)
    metrics = result.metrics
    render_bench(tmp_path / "run", result)
    items = [json.loads(line) for line in open(tmp_path / "run" / "items.jsonl")]
    assert all(i["tokens"] > 4 and i["dropped"] == f"{i['tokens']} tokens > 4" for i in items)
    assert metrics["overall"]["n"] == 0 and metrics["overall"]["accuracy"] is None
    assert metrics["selection"]["languages"]["python"]["dropped"] == 4
    html = (tmp_path / "run" / "report.html").read_text()
    assert "Dropped solutions" in html


def test_whole_run_on_codecontests(tmp_path):
    cfg = BenchConfig(out=str(tmp_path / "cc"), source="codecontests",
                      path=str(FIXTURES / "code_contests" / "test-00000-of-00001.jsonl"), seed=3,
                      languages=("python", "cpp"), max_solution_tokens=None)
    metrics = run_bench(cfg, backend=ScriptedBackend(), log=lambda s: None).metrics
    assert metrics["overall"]["n"] == 4 and metrics["by_difficulty"] == {"A": metrics["overall"]}
    assert metrics["selection"]["problems"] == 2 and metrics["selection"]["languages"]["python"][
        "problems_without_pair"] == 1
    assert metrics["length_filter"]["applied"] is False


def test_unknown_source(tmp_path):
    with pytest.raises(Exception, match="unknown critique-bench source"):
        run_bench(BenchConfig(out=str(tmp_path), source="mbpp"), backend=ScriptedBackend(), log=lambda s: None)


def test_model_defaults_live_in_the_config():
    # the defaults live in the config, not in the CLI: QwQ's 24,576 critique tokens with an endpoint, 256 for the local model
    assert BenchConfig().backend.resolved_max_tokens() == 256
    served = BenchConfig()
    served.backend.base_urls = ["http://h:8000/v1"]
    assert served.backend.resolved_max_tokens() == 24576


def test_format_summary():
    rows = result_rows([BenchItem("a", "python", "accepted", "c", "easy", "r")],
                       [_critique(BenchItem("a", "python", "accepted", "c", "easy", "r"), "right")])
    from codecritique.critique.bench import format_summary

    text = format_summary(score(rows))
    assert "python" in text and "100.0" in text and text.splitlines()[-1].startswith("all")
