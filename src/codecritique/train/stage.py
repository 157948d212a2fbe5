"""One training stage with TRL's SFTTrainer (no loop of our own).

``OUT/stageN/`` is an HF model folder when the stage is complete (weights, tokenizer, chat template, generation
config) plus ``stage.json`` (the result: data and token counts, packing decision, steps, first learning rates,
fresh-optimizer check), ``loss.json``/``loss.csv`` (the loss curve) and ``log_history.json`` (everything the trainer
logged). While it runs, checkpoints go to ``OUT/stageN/checkpoints/``; after ``kill -9`` the same call resumes from
the last complete checkpoint (model, optimizer, scheduler, RNG and data position, as the Trainer saves them). A stage
always starts from its base model's weights with a fresh optimizer and schedule: Stage II's base is Stage I's folder,
never Stage I's trainer state.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from codecritique.io import write_json
from codecritique.train.callbacks import Event, ProgressEvents, StepRecorder
from codecritique.train.config import Recipe
from codecritique.train.data import Example
from codecritique.train.packing import packing_is_exact
from codecritique.train.tokenize import TokenStats, tokenize_dataset

RESULT_FILE = "stage.json"
CHECKPOINTS = "checkpoints"
TOKENIZED = "tokenized"  # the tokenization cache (datasets Arrow files), removed with the checkpoints
TENSORBOARD = "tensorboard"  # --report_to tensorboard: the event files, kept


@dataclass
class StageResult:
    stage: str
    model_dir: str
    base_model: str
    complete: bool = False
    skipped: bool = False  # already complete: nothing was run
    resumed_from: str | None = None
    steps: int = 0
    seconds: float = 0.0
    losses: list[tuple[int, float]] = field(default_factory=list)
    first_lrs: list[tuple[int, float]] = field(default_factory=list)  # the first steps of THIS run
    fresh_optimizer: bool | None = None
    packing: bool = False
    packing_reason: str = ""
    tokens: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def load(cls, path: Path) -> "StageResult":
        d = json.loads(path.read_text())
        d["losses"] = [tuple(x) for x in d.get("losses", [])]
        d["first_lrs"] = [tuple(x) for x in d.get("first_lrs", [])]
        return cls(**d)


def stage_dir(out: str | Path, stage: str) -> Path:
    return Path(out) / f"stage{stage}"


def is_complete(out: str | Path, stage: str) -> bool:
    path = stage_dir(out, stage) / RESULT_FILE
    if not path.is_file():
        return False
    try:
        return bool(json.loads(path.read_text()).get("complete"))
    except (OSError, ValueError):
        return False


def last_checkpoint(folder: Path) -> Path | None:
    """The newest checkpoint the Trainer finished writing (its trainer_state.json is written last)."""
    if not folder.is_dir():
        return None
    done = [p for p in folder.glob("checkpoint-*") if p.name[11:].isdigit() and (p / "trainer_state.json").is_file()]
    return max(done, key=lambda p: int(p.name[11:]), default=None)


def _local(name: str) -> bool:
    return Path(name).is_dir()


def _dtype(recipe: Recipe, bf16: bool) -> Any:
    import torch

    if recipe.model_dtype == "auto":
        return torch.bfloat16 if bf16 else torch.float32
    return getattr(torch, recipe.model_dtype)


@dataclass
class PreparedStage:
    """A stage ready to train: the SFTTrainer and what was decided on the way."""

    trainer: Any
    tokenizer: Any
    token_stats: TokenStats
    packing_reason: str
    checkpoint: Path | None
    recorder: StepRecorder


def prepare_stage(recipe: Recipe, stage: str, base_model: str, examples: list[Example], out: str | Path, *,
                  on_event: Callable[[Event], None] | None = None,
                  log: Callable[[str], None] = lambda message: None) -> PreparedStage:
    """Tokenize, decide packing, load the base model and build the SFTTrainer of ``stage`` (not trained yet)."""
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer, PrinterCallback
    from trl import SFTTrainer

    folder = stage_dir(out, stage)
    folder.mkdir(parents=True, exist_ok=True)
    # completion_only_loss: TRL masks the prompt with our completion_mask (labels -100), on pre-tokenized rows
    args = recipe.stage_config(stage, folder / CHECKPOINTS, completion_only_loss=True)
    local = _local(base_model)
    tokenizer = AutoTokenizer.from_pretrained(base_model, local_files_only=local)
    if tokenizer.chat_template is None:
        raise ValueError(f"{base_model} has no chat template: the examples are chat-formatted with the base model's "
                         f"template (use an instruct model)")
    # datasets.map (dataset_num_proc processes) into a cache in the stage folder; under a distributed launch the
    # main process tokenizes first and the other ranks load its cache (the run folder is shared storage, as the
    # checkpoints need it to be)
    dataset, token_stats = tokenize_dataset(
        tokenizer, examples, args.max_length, cache_dir=folder / TOKENIZED, num_proc=args.dataset_num_proc,
        first=lambda: args.main_process_first(local=False, desc="tokenize"))
    over = sum(token_stats.over_long.values())
    log(f"stage {stage}: {len(dataset)} samples ({dict(token_stats.kept)}), {over} longer than max_length "
        f"{args.max_length} dropped ({dict(token_stats.over_long)})" +
        (f": {token_stats.dropped_line()}" if over else ""))

    model_config = AutoConfig.from_pretrained(base_model, local_files_only=local)
    init_kwargs = dict(args.model_init_kwargs or {})
    attn = init_kwargs.pop("attn_implementation", None) or "sdpa"
    init_kwargs.pop("dtype", None)
    packing_reason = "packing off in the recipe"
    if args.packing:
        if args.packing_strategy not in ("bfd", "bfd_split"):
            exact, packing_reason = False, f"packing_strategy {args.packing_strategy!r} lets samples cross rows"
        else:
            exact, packing_reason = packing_is_exact(model_config, attn)
        if not exact:
            args.packing = False
        log(f"stage {stage}: packing {'on' if exact else 'OFF'} ({packing_reason})")
    else:
        log(f"stage {stage}: packing off (recipe)")

    model = AutoModelForCausalLM.from_pretrained(base_model, local_files_only=local, attn_implementation=attn,
                                                 dtype=_dtype(recipe, bool(args.bf16)), **init_kwargs)
    model.config.use_cache = False
    recorder = StepRecorder()
    trainer = _trainer_class(SFTTrainer)(model=model, args=args, train_dataset=dataset, processing_class=tokenizer,
                         callbacks=[ProgressEvents(stage, on_event), recorder])
    trainer.remove_callback(PrinterCallback)  # it prints every log dict; progress goes through on_event
    for callback in trainer.callback_handler.callbacks:
        # --report_to tensorboard logs under output_dir (the checkpoints, removed when the stage completes) unless
        # TENSORBOARD_LOGGING_DIR says otherwise: keep them in the stage folder (`tensorboard --logdir OUT`)
        if type(callback).__name__ == "TensorBoardCallback" and getattr(callback, "logging_dir", "") is None:
            callback.logging_dir = str(folder / TENSORBOARD)
    checkpoint = last_checkpoint(folder / CHECKPOINTS)
    return PreparedStage(trainer, tokenizer, token_stats, packing_reason, checkpoint, recorder)


def _trainer_class(base: type) -> type:
    """TRL's SFTTrainer with one option of ours: ``warmup_from_zero=False`` (see :func:`shift_warmup`)."""

    class StageTrainer(base):  # type: ignore[misc, valid-type]
        def create_scheduler(self, num_training_steps: int, optimizer: Any = None) -> Any:
            created = self.lr_scheduler is None
            scheduler = super().create_scheduler(num_training_steps, optimizer)
            if created and not getattr(self.args, "warmup_from_zero", True):
                shift_warmup(scheduler, self.args.get_warmup_steps(num_training_steps))
            return scheduler

    return StageTrainer


def shift_warmup(scheduler: Any, warmup_steps: int) -> None:
    """Make a transformers warmup schedule start above 0: during the ``warmup_steps`` first steps the factor is
    (step + 1) / (warmup_steps + 1) instead of step / warmup_steps (from then on the schedule is unchanged)."""
    from torch.optim.lr_scheduler import LambdaLR

    if warmup_steps <= 0:
        return
    if not isinstance(scheduler, LambdaLR):
        raise ValueError(f"warmup_from_zero=False needs a LambdaLR schedule (linear, cosine, constant_with_warmup, "
                         f"...), not {type(scheduler).__name__}")

    def shifted(inner: Callable[[int], float]) -> Callable[[int], float]:
        def factor(step: int) -> float:  # a plain function: LambdaLR's state_dict does not try to save it
            return (step + 1) / (warmup_steps + 1) if step < warmup_steps else inner(step)
        return factor

    scheduler.lr_lambdas = [shifted(f) for f in scheduler.lr_lambdas]
    for group, base, f in zip(scheduler.optimizer.param_groups, scheduler.base_lrs, scheduler.lr_lambdas):
        group["lr"] = base * f(scheduler.last_epoch)
    scheduler._last_lr = [group["lr"] for group in scheduler.optimizer.param_groups]


def run_stage(recipe: Recipe, stage: str, base_model: str, examples: list[Example], out: str | Path, *,
              data_stats: dict[str, Any] | None = None, on_event: Callable[[Event], None] | None = None,
              log: Callable[[str], None] = lambda message: None, keep_checkpoints: bool = False) -> StageResult:
    """Train ``stage`` ('1' or '2') of ``recipe`` from ``base_model`` on ``examples``; resumable; a complete stage
    is not trained again."""
    folder = stage_dir(out, stage)
    if is_complete(out, stage):
        result = StageResult.load(folder / RESULT_FILE)
        result.skipped = True
        log(f"stage {stage}: already complete in {folder} (delete it to train again)")
        return result
    t0 = time.monotonic()
    prepared = prepare_stage(recipe, stage, base_model, examples, out, on_event=on_event, log=log)
    trainer, checkpoint = prepared.trainer, prepared.checkpoint
    if checkpoint is not None:
        log(f"stage {stage}: resuming from {checkpoint}")
    trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    trainer.save_model(str(folder))  # weights + tokenizer (+ chat template); collective under ZeRO-3/FSDP
    args = trainer.args
    result = StageResult(
        stage=stage, model_dir=str(folder), base_model=base_model, complete=True,
        resumed_from=str(checkpoint) if checkpoint else None, steps=trainer.state.global_step,
        seconds=time.monotonic() - t0, losses=_losses(trainer.state.log_history),
        first_lrs=prepared.recorder.lrs[:5], fresh_optimizer=prepared.recorder.fresh_optimizer,
        packing=bool(args.packing), packing_reason=prepared.packing_reason,
        tokens=prepared.token_stats.to_dict(), data=data_stats or {}, settings=_settings(args, trainer))
    if trainer.is_world_process_zero():
        trainer.model.generation_config.save_pretrained(str(folder))
        _write_logs(folder, trainer.state.log_history, result)
        if not keep_checkpoints:
            shutil.rmtree(folder / CHECKPOINTS, ignore_errors=True)
            shutil.rmtree(folder / TOKENIZED, ignore_errors=True)
    return result


def _losses(history: list[dict[str, Any]]) -> list[tuple[int, float]]:
    seen: dict[int, float] = {}
    for entry in history:
        if "loss" in entry and "step" in entry:
            seen[int(entry["step"])] = float(entry["loss"])
    return sorted(seen.items())


def _settings(args: Any, trainer: Any) -> dict[str, Any]:
    keys = ("learning_rate", "lr_scheduler_type", "warmup_steps", "optim", "num_train_epochs", "max_steps",
            "max_length", "packing", "packing_strategy", "bf16", "per_device_train_batch_size",
            "gradient_accumulation_steps", "global_batch_size", "activation_checkpointing", "seed",
            "warmup_from_zero")
    world = int(os.environ.get("WORLD_SIZE", "1"))
    acc = trainer.accelerator
    return {**{k: getattr(args, k, None) for k in keys}, "world_size": world,
            "distributed_type": str(acc.distributed_type), "fsdp": bool(getattr(trainer, "is_fsdp_enabled", False)),
            "deepspeed": bool(getattr(trainer, "is_deepspeed_enabled", False))}


def _write_logs(folder: Path, history: list[dict[str, Any]], result: StageResult) -> None:
    (folder / "log_history.json").write_text(json.dumps(history, indent=1) + "\n")
    (folder / "loss.json").write_text(json.dumps([{"step": s, "loss": v} for s, v in result.losses]) + "\n")
    with open(folder / "loss.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["step", "loss", "learning_rate", "grad_norm", "num_tokens", "epoch"])
        for entry in history:
            if "loss" in entry:
                w.writerow([entry.get("step"), entry.get("loss"), entry.get("learning_rate"),
                            entry.get("grad_norm"), entry.get("num_tokens"), entry.get("epoch")])
    write_json(folder / RESULT_FILE, result.to_dict())  # last and atomic: its presence marks the stage done
