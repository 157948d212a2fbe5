"""`codecritique run` end to end with real models: the bundled SmolLM2 in-process, and the same model behind a real
OpenAI-compatible server that is killed mid-run (the run resumes with nothing lost or repeated)."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codecritique.critique.run import DEMO_PROBLEMS, RunConfig, run
from codecritique.judge.engine import JudgeConfig
from codecritique.llm.config import BackendConfig
from codecritique.problems.jsonl import write_problems
from codecritique.problems.load import load_problems
from codecritique.report.run_report import render_run

pytestmark = pytest.mark.slow

FIELDS = {"problem_id", "sample_index", "difficulty", "passed", "judgement", "critique_reasoning_tokens", "code",
          "critique", "verdict", "passed_public", "output_signature"}


def two_problems(tmp_path: Path) -> Path:
    """Two of the demo problems (one stdin, one LeetCode-style), to keep the model's work small."""
    problems = [p for p in load_problems(DEMO_PROBLEMS) if p.id in ("demo-sum", "demo-count-vowels")]
    path = tmp_path / "problems.jsonl"
    write_problems(path, problems)
    return path


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_local_run_end_to_end_and_stages_on_saved_files(tmp_path):
    out = tmp_path / "run"
    cfg = RunConfig(out=str(out), problems=str(two_problems(tmp_path)), k=2, backend=BackendConfig(max_tokens=48), bootstrap=50,
                    judge=JudgeConfig(workers=1))
    result = run(cfg, log=lambda m: None)
    metrics = result.metrics
    assert not (out / "report.html").exists()  # the method returns data; the CLI renders it
    render_run(out, result)
    rows = read_jsonl(out / "solutions.jsonl")
    assert len(rows) == 4 and all(FIELDS <= set(r) for r in rows)
    assert {(r["problem_id"], r["sample_index"]) for r in rows} == {(p, i) for p in ("demo-sum", "demo-count-vowels")
                                                                    for i in range(2)}
    for r in rows:
        assert r["verdict"]["verdict"] in ("AC", "WA", "RE", "CE", "TLE", "MLE", "OLE")
        assert r["passed"] == (r["verdict"]["verdict"] == "AC")
        assert r["judgement"] in ("right", "wrong", None)
    assert metrics["n_problems"] == 2 and metrics["k"] == 2
    assert set(metrics["overall"]["pass@1|select@k"]) >= {"shortest-critique", "random-right"}
    html = (out / "report.html").read_text()
    assert "demo-sum" in html and "data:image/png;base64," in html and "pass@1|select@k" in html

    # the metrics command recomputes the same numbers from the saved file
    cmd = [sys.executable, "-m", "codecritique.cli", "metrics", str(out / "solutions.jsonl"), "--json",
           "--bootstrap", "0"]
    again = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
    assert again["overall"]["pass@1"] == metrics["overall"]["pass@1"]
    assert again["overall"]["pass@1|select@k"] == metrics["overall"]["pass@1|select@k"]

    # a stage on its own, over the saved files: no model is asked anything again
    requests_before = (out / "requests.jsonl").read_text()
    (out / "report.html").unlink()
    again = run(cfg, only=["critique", "report"], log=lambda m: None)
    assert (out / "requests.jsonl").read_text() == requests_before
    assert again.metrics == metrics


def test_run_through_a_server_killed_mid_run(tmp_path):
    from codecritique.llm.local import bundled_model_dir
    from codecritique.llm.server import free_port, start_server

    port = free_port()
    out = tmp_path / "run"
    args = [sys.executable, "-m", "codecritique.cli", "run", "--out", str(out), "--problems", str(two_problems(tmp_path)),
            "--base-url", f"http://127.0.0.1:{port}/v1", "--model", str(bundled_model_dir()), "-k", "2",
            "--max-tokens", "24", "--workers", "1"]
    server = start_server(port=port, log_path=tmp_path / "serve1.log")
    client = None
    try:
        client = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        store = out / "requests.jsonl"
        deadline = time.monotonic() + 300
        while (not store.exists() or not store.read_text().strip()) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert read_jsonl(store), "no request finished before the deadline"
        server.kill()  # mid-run: the client keeps retrying with backoff
        assert client.poll() is None
        server = start_server(port=port, log_path=tmp_path / "serve2.log")  # the endpoint comes back
        stdout, stderr = client.communicate(timeout=600)
        assert client.returncode == 0, stderr[-3000:]
    finally:
        server.kill()
        if client and client.poll() is None:
            client.kill()
    records = read_jsonl(out / "requests.jsonl")
    keys = [r["key"] for r in records]
    # 2 problems x 2 solutions, and a critique of each that has code (a server's batched sampling may differ
    # between runs, and a solution without code is not sent for critique): each asked once
    critiqued = sum(not c.get("skipped") for c in read_jsonl(out / "critiques.jsonl"))
    assert critiqued >= 1
    assert len(keys) == len(set(keys)) == 4 + critiqued
    assert len(read_jsonl(out / "solutions.jsonl")) == 4
    assert "report:" in stdout

    # the same command again: everything is read back, nothing is asked of the (now stopped) server
    again = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    assert read_jsonl(out / "requests.jsonl") == records


def test_cpp_run_judges_saved_generations(tmp_path):
    """`--language cpp` over saved generations (stages judge and report on their own): stdin and LeetCode-style
    problems compiled and run by the C++ judge, the harness derived from the Python type hints."""
    out = tmp_path / "run"
    out.mkdir()
    sols = {
        ("demo-sum", 0): "#include <bits/stdc++.h>\nint main(){long long a,b;std::cin>>a>>b;std::cout<<a+b<<'\\n';}",
        ("demo-sum", 1): "#include <cstdio>\nint main(){int a,b;scanf(\"%d %d\",&a,&b);printf(\"%d\\n\",a-b);}",
        ("demo-count-vowels", 0): "class Solution {\npublic:\n    int countVowels(string s) {\n        int n = 0;\n"
                                  "        for (char c : s) n += string(\"aeiou\").find(c) != string::npos;\n"
                                  "        return n;\n    }\n};",
        ("demo-count-vowels", 1): "class Solution {\npublic:\n    int countVowels(string s) { return s.size() }\n};",
    }
    with open(out / "generations.jsonl", "w") as f:
        for (pid, i), code in sols.items():
            f.write(json.dumps({"problem_id": pid, "sample_index": i, "language": "cpp",
                                "response": f"```cpp\n{code}\n```", "finish_reason": "stop", "code": code,
                                "reasoning_tokens": 0, "completion_tokens": 10, "truncated": False,
                                "no_code": False}) + "\n")
    with open(out / "critiques.jsonl", "w") as f:
        for (pid, i), judgement in zip(sols, ["right", "right", "right", "wrong"]):
            f.write(json.dumps({"problem_id": pid, "sample_index": i, "text": f"<judgment>{judgement}</judgment>",
                                "judgement": judgement, "reasoning_tokens": 5 + i, "reasoning_unit": "tokens",
                                "finish_reason": "stop", "truncated": False, "skipped": False}) + "\n")
    cfg = RunConfig(out=str(out), problems=str(two_problems(tmp_path)), k=2, language="cpp", bootstrap=0,
                    judge=JudgeConfig(workers=1), generated_tests=False)  # no model here to write tests
    metrics = run(cfg, only=["judge", "report"], log=lambda m: None).metrics
    rows = {(r["problem_id"], r["sample_index"]): r for r in read_jsonl(out / "solutions.jsonl")}
    verdicts = {key: r["verdict"]["verdict"] for key, r in rows.items()}
    assert verdicts == {("demo-sum", 0): "AC", ("demo-sum", 1): "WA", ("demo-count-vowels", 0): "AC",
                        ("demo-count-vowels", 1): "CE"}
    assert metrics["overall"]["pass@1"] == 0.5
    # shortest right critique: demo-sum sample 0 (AC); demo-count-vowels: sample 0 is the only `right` (AC)
    assert metrics["overall"]["pass@1|select@k"]["shortest-critique"] == 1.0
    assert metrics["overall"]["critique_accuracy_solution"] == 0.75


def test_run_stages_are_pipeline_steps_that_skip_what_is_done(tmp_path):
    """Over saved generations and critiques: judge and report run once; run again with the same settings both are
    skipped (markers); a changed selection fallback reruns the report alone; a changed judge setting the judge and
    the report; the saved files in between stay as they were."""
    from codecritique.critique.run_steps import run_steps
    from codecritique.pipeline import Pipeline

    out = tmp_path / "run"
    out.mkdir()
    gens = [{"problem_id": "demo-sum", "sample_index": i, "language": "python", "response": "", "finish_reason": "stop",
             "code": code, "reasoning_tokens": 0, "completion_tokens": 1, "truncated": False, "no_code": False}
            for i, code in enumerate(["a, b = map(int, input().split())\nprint(a + b)", "print(0)"])]
    (out / "generations.jsonl").write_text("".join(json.dumps(g) + "\n" for g in gens))
    (out / "critiques.jsonl").write_text("".join(json.dumps(
        {"problem_id": "demo-sum", "sample_index": i, "text": "", "judgement": "right", "reasoning_tokens": 3 - i,
         "reasoning_unit": "chars", "finish_reason": "stop", "truncated": False, "skipped": ""}) + "\n"
        for i in range(2)))
    problems = tmp_path / "problems.jsonl"
    write_problems(problems, [p for p in load_problems(DEMO_PROBLEMS) if p.id == "demo-sum"])
    cfg = RunConfig(out=str(out), problems=str(problems), k=2, bootstrap=0, judge=JudgeConfig(workers=1),
                    generated_tests=False)  # no model here to write tests
    first = run(cfg, only=["judge", "report"], log=lambda m: None)
    assert first.metrics["overall"]["pass@1"] == 0.5
    verdicts_mtime = (out / "verdicts.jsonl").stat().st_mtime_ns

    def rerun(c):
        reports = Pipeline(run_steps(c), out).run(only=["judge", "report"])
        return {name: (len(r.ran), len(r.skipped)) for name, r in reports.items()}

    assert rerun(cfg) == {"judge": (0, 1), "report": (0, 1)}
    cfg.fallback = "first"
    assert rerun(cfg) == {"judge": (0, 1), "report": (1, 0)}
    assert (out / "verdicts.jsonl").stat().st_mtime_ns == verdicts_mtime
    cfg.judge.time_limit = 5.0
    assert rerun(cfg) == {"judge": (1, 0), "report": (1, 0)}
    assert json.loads((out / "metrics.json").read_text())["metrics"] == first.metrics | {"fallback": "first"}
