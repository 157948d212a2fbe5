"""One small judge-backed run: generated tests executed in the sandbox (batched and one judge test per assert give
the same matrix), the results file resumes, and `codecritique select` end to end with one-line errors."""

import json

from typer.testing import CliRunner

from codecritique.cli import app
from codecritique.critique.dual_execution import DualExecutionConfig, execute
from codecritique.problems.generated_tests import read_codet_tests
from codecritique.problems.humaneval import read_humaneval

PROBLEMS = [
    {"task_id": "T/0", "prompt": 'def add(a, b):\n    """Add.\n    >>> add(1, 2)\n    3\n    """\n',
     "entry_point": "add", "canonical_solution": "    return a + b\n",
     "test": "def check(candidate):\n    assert candidate(2, 3) == 5\n    assert candidate(-1, 1) == 0\n"},
    {"task_id": "T/1", "prompt": 'def rev(s):\n    """Reverse a string."""\n', "entry_point": "rev",
     "canonical_solution": "    return s[::-1]\n",
     "test": "def check(candidate):\n    assert candidate('ab') == 'ba'\n    assert candidate('') == ''\n"},
]
GENERATIONS = [("T/0", "    return a + b\n"), ("T/0", "    return a - b\n"), ("T/0", "    return a + b\n"),
               ("T/0", "    while True:\n        pass\n"), ("T/1", "    return s\n"), ("T/1", "    return s[::-1]\n"),
               ("T/1", "    print('noise')\n    return ''.join(reversed(s))\n")]
TESTS = [
    {"prompt": 'def add(a, b):\n    """Add."""\n    pass\n\n# check the correctness of add\nassert ',
     "samples": ["add(1, 1) == 2\nassert add(0, 0) == 0\n", "add(1, 1) == 3\n",
                 "add(2, 2) == 4\nassert abs(add(0.5, 0.25) - 0.75) < 1e-9\n"]},
    {"prompt": 'def rev(s):\n    """Reverse a string."""\n    pass\n\n# check the correctness of rev\nassert ',
     "samples": ["rev('abc') == 'cba'\n", "rev('x') == 'x'\n"]},
]


def _write(tmp_path):
    (tmp_path / "p.jsonl").write_text("".join(json.dumps(r) + "\n" for r in PROBLEMS))
    (tmp_path / "g.jsonl").write_text("".join(json.dumps({"task_id": t, "completion": c}) + "\n"
                                              for t, c in GENERATIONS))
    (tmp_path / "t.jsonl").write_text("".join(json.dumps(r) + "\n" for r in TESTS))


def test_batched_and_per_test_agree_and_resume(tmp_path):
    _write(tmp_path)
    problems = read_humaneval(tmp_path / "p.jsonl")
    codes = {}
    for pid, comp in GENERATIONS:
        p = next(p for p in problems if p.id == pid)
        codes.setdefault(pid, []).append(p.starter_code + comp)
    gen = read_codet_tests(tmp_path / "t.jsonl", problems)
    results = {}
    for mode in ("batched", "per-test"):
        cfg = DualExecutionConfig(workers=2, mode=mode, time_limit=0.2)
        results[mode] = execute(problems, codes, gen, tmp_path / f"{mode}.jsonl", cfg,
                                public={"T/0": ["assert add(1, 2) == 3"]})
    b, t = results["batched"], results["per-test"]
    # T/0 tests: add(1,1)==2, add(0,0)==0, add(1,1)==3, add(2,2)==4, abs(...)<1e-9 (written once each, 1 twice)
    assert gen["T/0"].weights == [1, 1, 1, 1, 1]
    assert b["T/0"].passed == [True, False, True, False]
    assert b["T/0"].gen_passed == [frozenset({0, 1, 3, 4}), frozenset({1}), frozenset({0, 1, 3, 4}), frozenset()]
    assert b["T/0"].passed_public == [True, False, True, False]
    assert b["T/0"].gen_outputs[3] == ("TLE",) * 5
    assert b["T/0"].gen_outputs[0][0] == b["T/0"].gen_outputs[2][0] != b["T/0"].gen_outputs[1][0]
    assert b["T/1"].passed == [False, True, True]
    assert b["T/1"].gen_passed == [frozenset({1}), frozenset({0, 1}), frozenset({0, 1})]
    for pid in ("T/0", "T/1"):
        assert t[pid].passed == b[pid].passed and t[pid].gen_passed == b[pid].gen_passed
        assert t[pid].passed_public == b[pid].passed_public
    # a re-run reads the results file and judges nothing (a torn last line is judged again)
    path = tmp_path / "batched.jsonl"
    lines = path.read_text().splitlines()
    path.write_text(lines[0] + "\n" + lines[1][:20])
    seen = []
    again = execute(problems, codes, gen, path, DualExecutionConfig(workers=1, time_limit=0.2),
                    on_problem=lambda pid, done, total: seen.append((pid, done, total)),
                    public={"T/0": ["assert add(1, 2) == 3"]})
    assert again["T/1"].gen_passed == b["T/1"].gen_passed and again["T/0"].passed == b["T/0"].passed
    rows = [json.loads(x) for x in path.read_text().splitlines() if x.startswith("{\"") and x.endswith("}")]
    # kept: T/0's main row; judged again: T/1's (torn) and T/0's public examples (lost with the tear)
    assert [(r["problem_id"], r["part"]) for r in rows] == [("T/0", "main"), ("T/1", "main"), ("T/0", "public")]
    assert again["T/0"].passed_public == b["T/0"].passed_public


def test_select_command(tmp_path):
    _write(tmp_path)
    out = tmp_path / "out"
    crit = tmp_path / "c.jsonl"
    crit.write_text("".join(json.dumps({"problem_id": "T/0", "sample_index": i, "judgement": "right",
                                        "reasoning_tokens": 10 + i, "p_right": p}) + "\n"
                            for i, p in enumerate([0.4, 0.9, 0.8, 0.1])))
    args = ["select", str(tmp_path / "p.jsonl"), str(tmp_path / "g.jsonl"), "--generated-tests",
            str(tmp_path / "t.jsonl"), "--critiques", str(crit), "--out", str(out), "--workers", "1",
            "--time-limit", "0.2", "--bootstrap", "50"]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    sel = json.loads((out / "selection.json").read_text())
    s = sel["strategies"]
    assert set(s) == {"random", "codet", "codet-paper", "cluster", "p-right", "cascade"}
    # T/0: random 2/4, T/1: 2/3 -> (0.5 + 2/3) / 2
    assert abs(s["random"]["pass@1"] - (0.5 + 2 / 3) / 2) < 1e-12
    assert s["codet"]["pass@1"] == 1.0 and s["codet"]["selected"]["T/0"] in (0, 2)
    assert s["p-right"]["selected"]["T/0"] == 1 and s["p-right"]["pass@1"] < 1  # the critic's favourite is wrong
    assert s["cascade"]["selected"]["T/0"] == 2  # public + agreement: {0, 2}; then P(right) 0.8 > 0.4
    assert sel["oracle"]["pass@k"] == 1.0
    assert "pass@1 codet" in r.output and "pass@4 (oracle)" in r.output
    # bad input: one line naming the file and line
    crit.write_text('{"problem_id": "T/0", "sample_index": 9, "judgement": "right"}\n')
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 2 and "c.jsonl:1" in r.output and "sample_index" in r.output
    assert len(r.output.strip().splitlines()) == 1
    r = CliRunner().invoke(app, args[:1] + [str(tmp_path / "missing.jsonl")] + args[2:])
    assert r.exit_code == 2 and "missing.jsonl" in r.output
