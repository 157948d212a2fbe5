"""`codecritique run --model DIR` serves a trained stage folder with the local backend."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_run_uses_a_local_model_folder(tiny_model, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "HF_HUB_OFFLINE": "1"}
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "codecritique.cli", "run", "--model", str(tiny_model), "--out", str(out), "-k", "1",
           "--limit", "1", "--max-tokens", "6", "--quiet"]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    gens = [json.loads(line) for line in (out / "generations.jsonl").read_text().splitlines()]
    assert len(gens) == 1
    requests = (out / "requests.jsonl").read_text()
    assert str(tiny_model) in requests  # the requests were answered by that folder's model
    bad_cmd = [str(tmp_path / "nowhere") if c == str(tiny_model) else c for c in cmd]
    bad = subprocess.run(bad_cmd, env=env, capture_output=True, text=True,
                         timeout=120)
    assert bad.returncode != 0 and "local HF model folder" in bad.stderr
