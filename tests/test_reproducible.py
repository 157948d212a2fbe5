"""Issue 11, must-show 1: the same run gives the same numbers. `codecritique run` twice on the same directory (the
second run reads every response and verdict back): every output file is byte-for-byte identical. Twice with the
same seed into two directories, the bundled model batching rows differently (--local-batch 4 and 1): metrics.json,
generations and critiques are byte-for-byte identical, and so are the verdicts except for what the judge measures
(each verdict's CPU time and memory, which no two executions share). Real model, real judge; a few tokens per
response so that it stays short."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")

COMMON = ("run", "--limit", "2", "-k", "2", "--max-tokens", "16", "--seed", "5", "--quiet", "--json")
COMPARED = ("metrics.json", "critiques.jsonl", "verdicts.jsonl", "generations.jsonl", "solutions.jsonl")


def run(cwd: Path, *args: str) -> None:
    r = subprocess.run([sys.executable, "-m", "codecritique.cli", *COMMON, *args], cwd=cwd, capture_output=True,
                       text=True, timeout=900, env=os.environ.copy())
    assert r.returncode == 0, r.stderr


def outputs(d: Path) -> dict[str, bytes]:
    return {name: (d / name).read_bytes() for name in COMPARED}


def without_measurements(data: bytes) -> bytes:
    """A JSONL file of verdict rows with each verdict's measured CPU time and memory left out, key order kept."""
    rows = [json.loads(line) for line in data.decode().splitlines()]
    for r in rows:
        for key in ("time", "memory_kb"):
            r["verdict"].pop(key)
    return "".join(json.dumps(r) + "\n" for r in rows).encode()


@pytest.mark.slow
def test_same_directory_twice_and_same_seed_twice(tmp_path):
    run(tmp_path, "--out", "a", "--local-batch", "4")
    first = outputs(tmp_path / "a")
    run(tmp_path, "--out", "a", "--local-batch", "4")  # everything read back: stored responses, cached verdicts
    again = outputs(tmp_path / "a")
    for name in COMPARED:
        assert again[name] == first[name], f"{name} changed when the run was repeated in its directory"
    run(tmp_path, "--out", "b", "--local-batch", "1")  # same seed, fresh directory, one row per forward pass
    other = outputs(tmp_path / "b")
    for name in ("verdicts.jsonl", "solutions.jsonl"):
        other[name], first[name] = without_measurements(other[name]), without_measurements(first[name])
    for name in COMPARED:
        assert other[name] == first[name], f"{name} differs between two runs with the same seed"
