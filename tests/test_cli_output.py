"""Output for machines and for people when stdout is not a terminal: `judge` writes OUT.summary.json and prints it
with --json, and its table is never cut to the width of an absent terminal."""

import json
import os
import subprocess
import sys
from pathlib import Path

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


def test_judge_names_problems_that_need_a_special_checker(tmp_path):
    """A CodeContests statement that accepts any of several answers: said before judging (one line) and listed
    in the summary with its WA verdicts; one that accepts any letter case is compared without case."""
    src = Path(__file__).resolve().parent / "fixtures" / "problems" / "sources" / "code_contests"
    rec = json.loads((src / "test-00000-of-00001.jsonl").read_text().splitlines()[0])
    several = {**rec, "name": "several", "description": "Print any two numbers with sum 3. If there are multiple "
               "answers, print any of them.", "public_tests": {"input": ["\n"], "output": ["1 2\n"]},
               "private_tests": {"input": [], "output": []}, "generated_tests": {"input": [], "output": []}}
    case = {**several, "name": "case", "description": "Print YES. You can print each letter in any case.",
            "public_tests": {"input": ["\n"], "output": ["YES\n"]}}
    (tmp_path / "cc.jsonl").write_text(json.dumps(several) + "\n" + json.dumps(case) + "\n")
    (tmp_path / "g.jsonl").write_text(json.dumps({"question_id": "several", "code": "print(2, 1)"}) + "\n" +
                                      json.dumps({"question_id": "case", "code": "print('yes')"}) + "\n")
    r = cli(tmp_path, "judge", "cc.jsonl", "g.jsonl", "--out", "e.json", "--sandbox", "rlimit", "--workers", "1")
    assert r.returncode == 0, r.stderr
    assert r.stderr.startswith('warning: 1 problems accept any of several answers (e.g. several: "Print any two '
                               'numbers with sum 3"); ')
    summary = json.loads((tmp_path / "e.json.summary.json").read_text())
    assert summary["needs_checker"]["problems"]["several"]["wrong_answers"] == 1
    assert summary["overall"]["verdicts"] == {"AC": 1, "WA": 1}  # "yes" accepted for "YES"
    assert "needs a special checker: 1 problems" in r.stdout
