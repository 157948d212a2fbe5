"""Faults of the model endpoints, with real HTTP servers in their own processes: errors are retried with backoff,
requests that still fail are recorded and counted, and the next run of the same command retries exactly them."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("datasketch")

from codecritique.datagen.backends import ModelSpec  # noqa: E402
from codecritique.datagen.run import DatagenConfig, run_datagen  # noqa: E402

POOL = Path(__file__).resolve().parents[2] / "src" / "codecritique" / "datagen" / "data" / "pool.jsonl"
WANTED = ("pool-sum-list", "pool-gcd", "pool-palindrome")


def _questions(tmp_path: Path) -> Path:
    f = tmp_path / "q.jsonl"
    f.write_text("".join(line + "\n" for line in POOL.read_text().splitlines() if json.loads(line)["id"] in WANTED))
    return f


def _config(out: Path, url: str, questions: Path) -> DatagenConfig:
    spec = ModelSpec(urls=(url,), model="scripted-teacher", max_attempts=3, retry_base_delay=0.05, concurrency=2,
                     timeout=20)
    return DatagenConfig(out=str(out), questions=[str(questions)], samples=2, shards=2, teacher=spec, critic=spec,
                         p_right="forced", languages=("python",))


def _rows(out: Path) -> list:
    import pyarrow.parquet as pq

    return [r for f in sorted((out / "data" / "python").glob("*.parquet")) for r in pq.read_table(f).to_pylist()]


def _stats(out: Path) -> dict:
    return json.loads((out / "stats.json").read_text())


def test_http_errors_are_retried_with_backoff(tmp_path, make_teacher):
    q = _questions(tmp_path)
    t = make_teacher().start("--fail-first", "4", "--fail-status", "503")
    run_datagen(_config(tmp_path / "out", t.url, q))
    s = _stats(tmp_path / "out")
    assert s["generate"]["failed"] == 0 and s["critique"]["failed"] == 0
    assert len(_rows(tmp_path / "out")) == 6


def test_a_server_killed_mid_run_then_restarted(tmp_path, make_teacher):
    q = _questions(tmp_path)
    ref = make_teacher().start()
    run_datagen(_config(tmp_path / "ref", ref.url, q))
    ref.stop()

    t = make_teacher().start("--delay", "0.3")

    def kill_after_two() -> None:
        end = time.monotonic() + 60
        while time.monotonic() < end and len(t.served()) < 2:
            time.sleep(0.02)
        t.stop()

    killer = threading.Thread(target=kill_after_two, daemon=True)
    killer.start()
    out = tmp_path / "out"
    result = run_datagen(_config(out, t.url, q))  # the dead server's requests fail for good: recorded, not fatal
    killer.join(10)
    s = _stats(out)
    assert s["generate"]["failed"] > 0
    assert "LLMRequestError" in s["generate"]["errors"]
    card = (out / "README.md").read_text()
    assert f"failed requests: {s['generate']['failed']}" in card
    gens = [json.loads(line) for f in sorted((out / "stages").glob("generations-*.jsonl"))
            for line in f.read_text().splitlines()]
    failed = [g for g in gens if g["error"]]
    assert failed and all("connection" in g["error"].lower() or "attempts" in g["error"] for g in failed)
    assert not result["reopened"]

    served_before = len(t.served())
    t.start()  # the same port
    result = run_datagen(_config(out, t.url, q))
    assert result["reopened"]  # exactly the shards with failures were opened again
    s = _stats(out)
    assert s["generate"]["failed"] == 0 and s["critique"]["failed"] == 0
    assert _rows(out) == _rows(tmp_path / "ref")
    # the retry asked only what had failed: generations answered before the kill came from the store
    asked_again = [json.loads(x) for x in t.served()[served_before:] if "question_id" in json.loads(x)]
    assert len(asked_again) == len(failed)
