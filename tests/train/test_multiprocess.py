"""The same `codecritique train` command under `accelerate launch` with two CPU processes (gloo)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_accelerate_launch_two_cpu_processes(tiny_model, ocr2_parquet, tmp_path):
    accelerate = Path(sys.executable).with_name("accelerate")
    if not accelerate.exists() and shutil.which("accelerate") is None:
        pytest.skip("accelerate launcher not installed")
    out = tmp_path / "run"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
           "OMP_NUM_THREADS": "1", "MASTER_ADDR": "127.0.0.1"}
    # --multi_gpu selects accelerate's torchrun launcher; with use_cpu (the demo recipe) the processes join a gloo
    # group on CPU. On a cluster: --config_file train/configs/accelerate/{deepspeed_zero3,fsdp}.yaml instead.
    cmd = [str(accelerate if accelerate.exists() else "accelerate"), "launch", "--multi_gpu", "--num_processes", "2",
           "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
           "--main_process_ip", "127.0.0.1", "--main_process_port", str(_free_port()),
           "-m", "codecritique.cli", "train", "--data", str(ocr2_parquet), "--out", str(out),
           "--base-model", str(tiny_model), "--recipe", "demo", "--stage", "1", "--max_steps", "4",
           "--max_length", "512", "--per_device_train_batch_size", "1", "--global_batch_size", "4", "--keep-checkpoints",
           "-q"]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads((out / "stage1" / "stage.json").read_text())
    settings = result["settings"]
    assert settings["world_size"] == 2 and "MULTI_CPU" in settings["distributed_type"]
    assert settings["gradient_accumulation_steps"] == 2  # global batch 4 = 1 row x 2 processes x 2 steps
    assert result["steps"] == 4 and len(result["losses"]) == 4
    assert proc.stdout.count("stage 1: trained") == 1  # one report for the launch (rank 0)
    # rank 0 tokenized first into one cache file (both ranks agree on its name), rank 1 then loaded it
    assert len(list((out / "stage1" / "tokenized").glob("tokenized-*.arrow"))) == 1
    from transformers import AutoModelForCausalLM

    AutoModelForCausalLM.from_pretrained(out / "stage1", local_files_only=True)
