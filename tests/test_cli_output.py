"""Output for machines and for people when stdout is not a terminal: `judge` writes OUT.summary.json and prints it
with --json, and its table is never cut to the width of an absent terminal."""

import json
import os
import subprocess
import sys

PROBLEMS = [{"question_id": f"a-problem-with-a-rather-long-identifier-{i}", "question_title": "add",
             "question_content": "Print a+b.", "platform": "atcoder", "contest_id": "c1",
             "contest_date": "2024-08-03T00:00:00", "starter_code": "", "difficulty": "a-long-difficulty-name",
             "public_test_cases": json.dumps([{"input": "1 2\n", "output": "3\n", "testtype": "stdin"}]),
             "private_test_cases": "[]", "metadata": "{}"} for i in range(2)]


def cli(cwd, *args):
    return subprocess.run([sys.executable, "-m", "codecritique.cli", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env={k: v for k, v in os.environ.items() if k != "COLUMNS"})


def test_judge_summary_as_json_and_full_width_table(tmp_path):
    (tmp_path / "p.jsonl").write_text("".join(json.dumps(p) + "\n" for p in PROBLEMS))
    (tmp_path / "g.jsonl").write_text("".join(json.dumps({"question_id": p["question_id"], "code": code}) + "\n"
                                              for p, code in zip(PROBLEMS, ["print(3)", "print(4)"])))
    r = cli(tmp_path, "judge", "p.jsonl", "g.jsonl", "--out", "e.json", "--sandbox", "rlimit", "--workers", "1")
    assert r.returncode == 0, r.stderr
    summary = json.loads((tmp_path / "e.json.summary.json").read_text())
    assert summary["overall"]["pass@1"] == 0.5 and summary["overall"]["verdicts"] == {"AC": 1, "WA": 1}
    assert "a-long-difficulty-name" in r.stdout  # not cut to "a-lo…" at 80 columns
    assert "…" not in r.stdout
    assert "\r" not in r.stderr  # progress off a terminal: lines
    again = cli(tmp_path, "judge", "p.jsonl", "g.jsonl", "--out", "e.json", "--sandbox", "rlimit", "--workers", "1",
                "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["overall"] == summary["overall"]
