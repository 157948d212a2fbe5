"""Both stages with real TRL steps on a tiny model: HF folders, fresh Stage II optimizer/schedule, logs, resume."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import invoke_cli

from codecritique.train.config import build_recipe
from codecritique.train.pipeline import train
from codecritique.train.stage import CHECKPOINTS

REPO = Path(__file__).resolve().parents[2]
LR, WARMUP = 1e-3, 4


def _overrides(model, **train_):
    return {"base_model": str(model),
            "train": {"max_steps": 8, "max_length": 512, "learning_rate": LR, "warmup_steps": WARMUP,
                      "per_device_train_batch_size": 2, "global_batch_size": 2, **train_}}


def test_two_stages_write_model_folders_and_stage2_starts_fresh(tiny_model, ocr2_parquet, tmp_path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out = tmp_path / "run"
    import importlib.util

    tensorboard = importlib.util.find_spec("tensorboardX") is not None  # the train extra installs it
    recipe = build_recipe(recipe="demo", overrides=_overrides(tiny_model, report_to="tensorboard" if tensorboard
                                                              else "none"))
    events = []
    r1, r2 = train(recipe, [ocr2_parquet], out, on_event=events.append)
    assert r2.base_model == str(out / "stage1")  # Stage II starts from Stage I's weights
    for r in (r1, r2):
        assert r.steps == 8 and len(r.losses) == 8
        assert r.losses[-1][1] < r.losses[0][1]  # it learns
        # a fresh cosine schedule with linear warmup: lr at step k (1-based) is LR * (k-1)/WARMUP
        assert [lr for _, lr in r.first_lrs[:3]] == pytest.approx([0.0, LR / WARMUP, 2 * LR / WARMUP])
        assert r.fresh_optimizer is True
        folder = Path(r.model_dir)
        assert not (folder / CHECKPOINTS).exists()  # removed once the stage is complete
        tok = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        assert tok.chat_template and "<|im_start|>" in tok.chat_template
        AutoModelForCausalLM.from_pretrained(folder, local_files_only=True)
        curve = json.loads((folder / "loss.json").read_text())
        assert [p["step"] for p in curve] == list(range(1, 9))
        assert (folder / "loss.csv").read_text().startswith("step,loss,learning_rate")
        if tensorboard:  # report_to passes through, and its logs outlive the removed checkpoints
            assert _tensorboard_scalars(folder / "tensorboard", "train/loss") == pytest.approx(
                [v for _, v in r.losses], rel=1e-5)
    assert r1.tokens["kept"] == {"generation": 12} and r2.tokens["kept"] == {"generation": 12, "critique": 12}
    s1 = AutoModelForCausalLM.from_pretrained(out / "stage1").state_dict()
    s2 = AutoModelForCausalLM.from_pretrained(out / "stage2").state_dict()
    assert any(not (s1[k] == s2[k]).all() for k in s1)  # Stage II changed the weights
    logs = [e for e in events if e["event"] == "log"]
    assert {e["stage"] for e in logs} == {"1", "2"}
    assert all(e["loss"] is not None and e["eta_s"] is not None for e in logs)
    assert any(e["tokens_per_s"] for e in logs)
    # the same call again trains nothing
    again = train(recipe, [ocr2_parquet], out)
    assert [r.skipped for r in again] == [True, True]


def _tensorboard_scalars(folder: Path, tag: str) -> list[float]:
    """The values of one scalar tag in TensorBoard event files (TFRecord framing: length, crc, event, crc)."""
    import struct

    from tensorboardX.proto import event_pb2

    values = []
    for path in sorted(folder.rglob("events.out.tfevents.*")):
        data = path.read_bytes()
        pos = 0
        while pos < len(data):
            (length,) = struct.unpack("<Q", data[pos: pos + 8])
            event = event_pb2.Event.FromString(data[pos + 12: pos + 12 + length])
            pos += 12 + length + 4
            values += [v.simple_value for v in event.summary.value if v.tag == tag]
    return values


def _cli(args: list[str], **kw):
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    return subprocess.Popen([sys.executable, "-m", "codecritique.cli", "train", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


def test_kill_9_inside_a_stage_then_the_same_command_resumes(tiny_model, ocr2_parquet, tmp_path):
    out = tmp_path / "run"
    args = ["--data", str(ocr2_parquet), "--out", str(out), "--base-model", str(tiny_model), "--recipe", "demo",
            "--stage", "1", "--max_steps", "30", "--max_length", "512", "--save_steps", "2", "--save_total_limit",
            "2", "--global_batch_size", "2", "--per_device_train_batch_size", "2", "--learning_rate", "1e-3", "-q"]
    proc = _cli(args, start_new_session=True)
    ckpts = out / "stage1" / CHECKPOINTS
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            done = [p for p in ckpts.glob("checkpoint-*") if (p / "trainer_state.json").is_file()] \
                if ckpts.is_dir() else []
            if any(int(p.name.split("-")[1]) >= 4 for p in done):
                break
            if proc.poll() is not None:
                pytest.fail(f"training ended before it could be killed:\n{proc.stdout.read()}")
            time.sleep(0.05)
        else:
            pytest.fail("no checkpoint within 120 s")
        os.killpg(proc.pid, signal.SIGKILL)  # kill -9, mid-stage
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert not (out / "stage1" / "stage.json").exists()
    # the same command again (in this process: it saves an interpreter start-up, the command is the same)
    code, text = invoke_cli("train", *args)
    assert code == 0, text
    assert "resuming from" in text and "checkpoint-" in text
    assert "loss per step: 1:" in text and "30:" in text  # the curve's numbers in the command's output
    result = json.loads((out / "stage1" / "stage.json").read_text())
    assert result["complete"] and result["steps"] == 30
    start = int(Path(result["resumed_from"]).name.split("-")[1])
    assert 4 <= start < 30
    # the resumed run's schedule continues where the checkpoint was (not a fresh warmup)
    assert result["first_lrs"][0][0] == start + 1 and result["first_lrs"][0][1] > 0
    steps = [p["step"] for p in json.loads((out / "stage1" / "loss.json").read_text())]
    assert steps == list(range(1, 31))  # no step lost or repeated in the loss curve


@pytest.mark.parametrize("from_zero", [True, False])
def test_warmup_from_zero_or_from_the_first_step(tiny_model, ocr2_parquet, tmp_path, from_zero):
    """transformers' warmup gives the first step lr 0 (it leaves the weights unchanged); warmup_from_zero=False
    gives step k of W lr x k/(W+1), then the same cosine."""
    from codecritique.train.data import DataConfig, DataStats, read_rows, stage_examples
    from codecritique.train.stage import prepare_stage

    recipe = build_recipe(recipe="demo", overrides=_overrides(tiny_model, warmup_from_zero=from_zero))
    examples = stage_examples(read_rows([ocr2_parquet], DataConfig()), "1", DataConfig(), DataStats())
    trainer = prepare_stage(recipe, "1", str(tiny_model), examples, tmp_path / "out").trainer
    trainer.create_optimizer_and_scheduler(num_training_steps=8)
    lrs = []
    for _ in range(8):
        lrs.append(trainer.optimizer.param_groups[0]["lr"])
        trainer.optimizer.step()
        trainer.lr_scheduler.step()
    cosine = [LR * 0.5 * (1 + math.cos(math.pi * (k - WARMUP) / (8 - WARMUP))) for k in range(WARMUP, 8)]
    warmup = [LR * k / WARMUP for k in range(WARMUP)] if from_zero else \
        [LR * (k + 1) / (WARMUP + 1) for k in range(WARMUP)]
    assert lrs == pytest.approx(warmup + cosine)
    assert (lrs[0] == 0) is from_zero
