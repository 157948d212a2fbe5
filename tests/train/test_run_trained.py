"""`codecritique run --model DIR` serves a trained stage folder with the local backend (the CLI in this process:
the command is the same, only the interpreter start-up is saved)."""

from __future__ import annotations

import json

from conftest import invoke_cli


def test_run_uses_a_local_model_folder(tiny_model, tmp_path):
    out = tmp_path / "run"
    args = ["run", "--model", str(tiny_model), "--out", str(out), "-k", "1", "--limit", "1", "--max-tokens", "6",
            "--quiet"]
    code, text = invoke_cli(*args)
    assert code == 0, text
    gens = [json.loads(line) for line in (out / "generations.jsonl").read_text().splitlines()]
    assert len(gens) == 1
    requests = (out / "requests.jsonl").read_text()
    assert str(tiny_model) in requests  # the requests were answered by that folder's model
    code, text = invoke_cli(*[str(tmp_path / "nowhere") if a == str(tiny_model) else a for a in args])
    assert code == 2 and "local HF model folder" in text
