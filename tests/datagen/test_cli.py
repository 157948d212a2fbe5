"""`codecritique datagen` options are checked before any work; `datagen stats` on a non-output is one line."""

from __future__ import annotations

import subprocess
import sys


def _cli(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "codecritique.cli", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


def test_bad_options_fail_at_once_with_one_line(tmp_path):
    for args, needle in [(["--languages", "rust"], "unknown language 'rust'"),
                         (["--samples", "0"], "--samples must be at least 1"),
                         (["--only", "bogus"], "unknown stage(s) bogus")]:
        r = _cli("datagen", "--out", str(tmp_path / "o"), *args)
        assert r.returncode == 2, r.stderr
        assert needle in r.stderr.strip().splitlines()[-1]
    assert not (tmp_path / "o" / "requests").exists()


def test_stats_of_a_directory_that_is_no_output(tmp_path):
    r = _cli("datagen", "stats", str(tmp_path))
    assert r.returncode == 2 and "not a finished datagen output" in r.stderr


def test_an_endpoint_that_cannot_be_used_fails_before_any_stage(tmp_path, make_teacher):
    """The teacher's and the critic's endpoints are probed before the first stage runs (as `run` probes its own):
    a dead one, or one that does not serve the named model, is one line within seconds, and nothing is written."""
    dead = "http://127.0.0.1:9/v1"
    r = _cli("datagen", "--out", str(tmp_path / "o"), "--teacher-url", dead, "--teacher-model", "m")
    assert (r.returncode, r.stderr.strip().splitlines()[-1]) == (2, f"error: cannot reach {dead}: connection refused")
    teacher = make_teacher().start()
    r = _cli("datagen", "--out", str(tmp_path / "o"), "--teacher-url", teacher.url, "--teacher-model", "other")
    assert r.returncode == 2
    assert r.stderr.strip().splitlines()[-1] == (f"error: --teacher-model: {teacher.url} does not serve 'other' (it "
                                                 "serves scripted-teacher)")
    r = _cli("datagen", "--out", str(tmp_path / "o"), "--teacher-url", teacher.url, "--critic-url", dead)
    assert r.stderr.strip().splitlines()[-1] == f"error: cannot reach {dead}: connection refused"
    assert not (tmp_path / "o").exists()
    assert teacher.served() == []  # probed (GET /models), never asked for a completion
