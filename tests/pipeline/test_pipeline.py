"""The stage runner: shards, completion markers, skipping, reruns after changes and failures, executors, and a
real ``kill -9`` of a running pipeline (in-process and with worker processes) resumed without loss or repeats."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codecritique.io import read_jsonl, write_jsonl
from codecritique.pipeline import LocalExecutor, Pipeline, PipelineError, Shard, output_name
from codecritique.pipeline.markers import marker_path

from .steps import AsyncEcho, Square, Total

ROOT = Path(__file__).resolve().parents[2]


def numbers(workdir: Path, n: int = 10) -> None:
    write_jsonl(workdir / "numbers.jsonl", ({"x": i} for i in range(n)))


def starts(workdir: Path) -> list[str]:
    p = workdir / "starts.log"
    return p.read_text().split("\n")[:-1] if p.exists() else []


def squares(workdir: Path, shards: int) -> list[int]:
    return [r.data["x"] for i in range(shards)
            for r in read_jsonl(workdir / output_name("squares.jsonl", Shard(i, shards)))]


def test_shard_take_covers_every_item_once():
    for n in (0, 1, 7, 8, 9, 100):
        for count in (1, 3, 8):
            got = [x for i in range(count) for x in Shard(i, count).take(list(range(n)))]
            assert got == list(range(n))
    assert output_name("a/b.jsonl.gz", Shard(2, 8)) == "a/b-00002-of-00008.jsonl.gz"
    assert output_name("b.jsonl", Shard(0, 1)) == "b.jsonl"
    with pytest.raises(ValueError):
        Shard(3, 3)


def test_outputs_markers_and_rerun_skips(tmp_path):
    numbers(tmp_path)
    steps = [Square(shards=3, log_dir=str(tmp_path)), Total(log_dir=str(tmp_path))]
    reports = Pipeline(steps, tmp_path).run()
    assert squares(tmp_path, 3) == list(range(10))
    assert json.loads((tmp_path / "total.json").read_text()) == {"total": sum(i * i for i in range(10)), "n": 10}
    assert sorted(reports["square"].ran) == ["00000-of-00003", "00001-of-00003", "00002-of-00003"]
    assert [reports["square"].results[s]["rows"] for s in sorted(reports["square"].results)] == [4, 3, 3]
    for i in range(3):
        assert marker_path(tmp_path, "square", Shard(i, 3)).exists()
    assert not any((tmp_path / ".pipeline" / "square" / "tmp").iterdir())
    assert len(starts(tmp_path)) == 4

    again = Pipeline(steps, tmp_path).run()
    assert again["square"].ran == [] and len(again["square"].skipped) == 3 and again["total"].ran == []
    assert again["total"].results["00000-of-00001"] == sum(i * i for i in range(10))  # kept in the marker
    assert len(starts(tmp_path)) == 4  # nothing ran again


def test_changes_invalidate_exactly_what_depends_on_them(tmp_path):
    numbers(tmp_path)
    log = str(tmp_path)
    Pipeline([Square(shards=3, log_dir=log), Total(log_dir=log)], tmp_path).run()
    # a deleted output: that shard alone runs again, then the step reading it
    (tmp_path / output_name("squares.jsonl", Shard(1, 3))).unlink()
    r = Pipeline([Square(shards=3, log_dir=log), Total(log_dir=log)], tmp_path).run()
    assert r["square"].ran == ["00001-of-00003"] and r["total"].ran == ["00000-of-00001"]
    # changed settings: every shard of that step (the marker's fingerprint no longer matches)
    r = Pipeline([Square(shards=3, sleep=0.001, log_dir=log), Total(log_dir=log)], tmp_path).run()
    assert len(r["square"].ran) == 3 and r["total"].ran == ["00000-of-00001"]
    # a changed input file: everything downstream of it
    numbers(tmp_path, 12)
    r = Pipeline([Square(shards=3, sleep=0.001, log_dir=log), Total(log_dir=log)], tmp_path).run()
    assert len(r["square"].ran) == 3 and squares(tmp_path, 3) == list(range(12))
    assert json.loads((tmp_path / "total.json").read_text())["n"] == 12
    # forced, and only one step
    r = Pipeline([Square(shards=3, sleep=0.001, log_dir=log), Total(log_dir=log)], tmp_path).run(
        only=["total"], force=["total"])
    assert list(r) == ["total"] and r["total"].ran == ["00000-of-00001"]


def test_a_failing_shard_keeps_the_others_and_reruns_alone(tmp_path):
    numbers(tmp_path)
    log = str(tmp_path)
    with pytest.raises(ValueError, match="row 5 is cursed") as info:
        Pipeline([Square(shards=3, fail_on=5, log_dir=log), Total(log_dir=log)], tmp_path).run()
    assert "square[00001-of-00003]" in "".join(info.value.__notes__)
    done = [i for i in range(3) if marker_path(tmp_path, "square", Shard(i, 3)).exists()]
    assert done == [0, 2]
    assert not (tmp_path / output_name("squares.jsonl", Shard(1, 3))).exists()  # no half-written output
    assert not (tmp_path / "total.json").exists()
    # fixed: the failed shard runs, the finished ones do not (the fix is a setting here, so pin the fingerprint)
    fixed = Square(shards=3, log_dir=log)
    fixed.fingerprint = Square(shards=3, fail_on=5, log_dir=log).fingerprint
    r = Pipeline([fixed, Total(log_dir=log)], tmp_path).run()
    assert r["square"].ran == ["00001-of-00003"]
    assert squares(tmp_path, 3) == list(range(10))


def test_two_failures_raise_a_pipeline_error_naming_both(tmp_path):
    write_jsonl(tmp_path / "numbers.jsonl", ({"x": 7} for _ in range(4)))
    with pytest.raises(PipelineError, match=r"2 of 2 shards failed \(square\[00000-of-00002\], square"):
        Pipeline([Square(shards=2, fail_on=7)], tmp_path).run()


def test_missing_input_names_the_step_that_writes_it(tmp_path):
    numbers(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"squares-00000-of-00002.jsonl not found: run the step that "
                                                 r"writes it first \('square'\)"):
        Pipeline([Square(shards=2), Total()], tmp_path).run(only=["total"])
    with pytest.raises(ValueError, match="unknown step"):
        Pipeline([Square(shards=2)], tmp_path).run(only=["nope"])


def test_worker_processes_give_the_inline_results(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a, b):
        d.mkdir()
        numbers(d, 30)
    Pipeline([Square(shards=5), Total()], a).run()
    with LocalExecutor(workers=2) as ex:
        r = Pipeline([Square(shards=5), Total()], b, ex).run()
    assert squares(a, 5) == squares(b, 5) == list(range(30))
    assert (a / "total.json").read_text() == (b / "total.json").read_text()
    assert {v["pid"] for v in r["square"].results.values()} - {os.getpid()}  # really ran elsewhere


def test_async_step_shards_run_concurrently_and_report_progress(tmp_path):
    numbers(tmp_path, 9)
    events = []
    r = Pipeline([AsyncEcho(shards=3, delay=0.2)], tmp_path, on_event=events.append).run()
    starts_ = sorted(r["echo"].results.values())
    assert starts_[-1] - starts_[0] < 0.5  # all three began before the first (0.6 s of waits) finished
    kinds = [e.kind for e in events]
    assert kinds[0] == "step-start" and kinds[-1] == "step-done"
    assert sum(e.data["n"] for e in events if e.kind == "advance") == 9
    assert sum(e.data["n"] for e in events if e.kind == "total") == 9
    assert kinds.count("shard-done") == 3
    events.clear()
    Pipeline([AsyncEcho(shards=3, delay=0.2)], tmp_path, on_event=events.append).run()
    assert [e.kind for e in events].count("shard-skipped") == 3


@pytest.mark.parametrize("workers", [0, 2])
def test_kill_9_mid_run_resumes_without_losing_or_repeating(tmp_path, workers):
    """A real pipeline in a subprocess, killed with SIGKILL (its whole process group, workers included) once some
    shards are done and others are half-written; the rerun finishes only what was left, every row exactly once."""
    cmd = [sys.executable, "-m", "tests.pipeline.steps", str(tmp_path), str(workers), "0.05"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    markers = tmp_path / ".pipeline" / "square"
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if len(list(markers.glob("*.done"))) >= 2:
                break
            time.sleep(0.01)
        assert proc.poll() is None, "the run finished before it could be killed"
        assert time.monotonic() < deadline, "no shard finished within 60 s"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    done_before = sorted(p.name[:-5] for p in markers.glob("*.done"))
    assert 2 <= len(done_before) < 8
    # a shard without a marker left at most a temporary file, never a torn output in place
    for i in range(8):
        out = tmp_path / output_name("squares.jsonl", Shard(i, 8))
        if out.exists():
            assert len(read_jsonl(out)) == Shard(i, 8).slice(40).stop - Shard(i, 8).slice(40).start
    first = starts(tmp_path)

    subprocess.run(cmd, cwd=ROOT, env=env, check=True, timeout=120)
    assert squares(tmp_path, 8) == list(range(40))  # every row once, in order
    assert json.loads((tmp_path / "total.json").read_text()) == {"total": sum(i * i for i in range(40)), "n": 40}
    rerun = starts(tmp_path)[len(first):]
    rerun_square = {line.split()[1] for line in rerun if line.startswith("square")}
    assert not rerun_square & set(done_before)  # finished shards were not repeated
    assert rerun_square == {Shard(i, 8).id for i in range(8)} - set(done_before)
    assert not list((tmp_path / ".pipeline" / "square" / "tmp").iterdir())
