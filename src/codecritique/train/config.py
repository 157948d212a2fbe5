"""Training configs: dataclasses on TRL's :class:`~trl.SFTConfig`, with the paper's values as defaults.

* :class:`StageConfig` is an ``SFTConfig`` (so every TRL/transformers training argument is available, and
  ``report_to``, DeepSpeed, FSDP, ... pass straight through) whose defaults are the OCR-II recipe (OCR-II paper §3-4):
  AdamW, lr 5e-5, a global batch of 256 reached by gradient accumulation, 32,768 tokens, cosine schedule with 5 %
  warmup, packing, bf16, activation checkpointing. It adds ``global_batch_size``.
* :class:`DataConfig` settles the paper's gaps about the data (each default stated in its field comment).
* :class:`Recipe` is a named recipe: the base model, the data options, settings shared by both stages (``train``)
  and per stage (``stage1``, ``stage2``). ``ocr2`` is the paper (Stage I: 3 epochs on generation; Stage II: 1 epoch
  on generation + critique); ``demo`` is the embedded CPU default (the recipe's shape on the bundled model, at a
  scale that finishes in minutes: a demonstration, not the recipe's scale).

A stage's ``SFTConfig`` is only built when the stage runs (:meth:`Recipe.stage_config`): building one checks the
device (bf16 on a machine without it is refused), so recipes and YAML files load anywhere.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from trl import SFTConfig

from codecritique.errors import DataError

CONFIGS_DIR = Path(__file__).parent / "configs"
STAGES = ("1", "2")


_SFT_FIELDS = {f.name: f for f in dataclasses.fields(SFTConfig)}


def _paper(name: str, default: Any) -> Any:
    """A field of SFTConfig with this recipe's default (help text kept, the new default stated)."""
    meta = dict(_SFT_FIELDS[name].metadata)
    meta["help"] = f"{meta.get('help', '')} [ocr2 default: {default}]"
    if default is True:  # HfArgumentParser adds a --no_X flag for a True default, which takes no nargs/const
        meta.pop("nargs", None)
        meta.pop("const", None)
    return field(default=default, metadata=meta)


@dataclass
class StageConfig(SFTConfig):
    """One stage's trainer arguments: ``SFTConfig`` with the OCR-II paper's values as defaults (§3-4)."""

    # OCR-II paper §4, "Training and Inference Hyper-Parameters": "AdamW optimizer ... learning rate 5e-5, batch size
    # of 256, maximum context length of 32,768 tokens, CosineAnnealing learning rate schedule with a 5% warmup ...
    # sequence packing ... BF16".
    learning_rate: float = _paper("learning_rate", 5e-5)
    optim: str = _paper("optim", "adamw_torch")
    lr_scheduler_type: str = _paper("lr_scheduler_type", "cosine")
    warmup_steps: float = _paper("warmup_steps", 0.05)  # a float in [0, 1) is a ratio of the total steps
    max_length: int | None = _paper("max_length", 32768)  # longer samples are dropped and counted, never truncated
    packing: bool = _paper("packing", True)  # used only where exact (position ids reset per sample): train.packing
    packing_strategy: str = _paper("packing_strategy", "bfd")
    bf16: bool | None = _paper("bf16", True)
    # gradient checkpointing: transformers 5 calls it activation checkpointing (the old name is a deprecated alias)
    gradient_checkpointing: bool | None = _paper("gradient_checkpointing", None)
    activation_checkpointing: bool | None = _paper("activation_checkpointing", True)
    per_device_train_batch_size: int = _paper("per_device_train_batch_size", 1)
    # [GAP] the paper's "batch size of 256" does not say whether it counts packed sequences or samples: here it
    # counts trainer rows, i.e. packed sequences when packing is on, samples otherwise. None: use
    # gradient_accumulation_steps as given.
    global_batch_size: int | None = field(default=256, metadata={
        "help": "Global batch (rows per optimizer step over all processes), reached by gradient accumulation: "
                "gradient_accumulation_steps = global_batch_size / (per_device_train_batch_size x WORLD_SIZE). "
                "None: use gradient_accumulation_steps as given. [ocr2 default: 256]"})
    # [GAP] weight decay, Adam betas, gradient clipping and min lr are not given: TrainingArguments' defaults
    # (weight_decay 0, betas 0.9/0.999, max_grad_norm 1.0, cosine down to 0).
    # [GAP] where the warmup starts: transformers' linear warmup gives step k (1-based) lr x (k-1)/W, so the first
    # optimizer step of each stage has lr 0 and leaves the weights as they are (AdamW's moments are updated);
    # False: lr x k/(W+1) (NeMo's WarmupPolicy, the authors' stack), every step moves the weights.
    warmup_from_zero: bool = field(default=True, metadata={
        "help": "Linear warmup from lr 0 at the first step (transformers' schedule: that step leaves the weights "
                "unchanged). False: step k of W warmup steps uses lr x k/(W+1) (NeMo's warmup), so the first step "
                "trains. [ocr2 default: True]"})
    logging_steps: float = _paper("logging_steps", 1)
    save_steps: float = _paper("save_steps", 200)
    save_total_limit: int | None = _paper("save_total_limit", 2)
    disable_tqdm: bool | None = _paper("disable_tqdm", True)  # the CLI renders progress (train.callbacks)

    def __post_init__(self) -> None:
        if self.global_batch_size is not None:
            world = int(os.environ.get("WORLD_SIZE", "1"))
            self.gradient_accumulation_steps = accumulation_for(self.global_batch_size,
                                                                self.per_device_train_batch_size, world)
        super().__post_init__()


CritiqueFilter = Literal["all", "agree"]


@dataclass
class DataConfig:
    """Which rows each stage trains on. The OCR-II paper leaves all of this open (§3 "Finetuning Setup" names the
    two stages, not their data mix, sizes, critique filtering or loss masking)."""

    languages: list[str] = field(default_factory=lambda: ["python", "cpp"])  # rows of other languages are skipped
    # generation rows: keep those whose pass rate is at least this (None: every row, as the release is used;
    # rows without a pass rate are kept unless require_pass_rate)
    min_pass_rate: float | None = None
    require_pass_rate: bool = False
    # critique targets: "all" (the paper, as far as it says) or "agree": only critiques whose judgement agrees with
    # execution (right with pass rate 1, wrong with pass rate < 1; rows without a pass rate are dropped)
    critique_filter: CritiqueFilter = "all"
    # datagen rows whose critic wrote no <judgment> tag (judgement_forced: the judgement is its forced choice):
    # "append" ends the target with that judgement in the paper's tag (what the critic chose after "<judgment>"),
    # "keep" trains on the text as written, "drop" leaves such rows out. Release rows are never forced.
    forced_judgement: Literal["append", "keep", "drop"] = "append"
    # Stage II mix: None = all generation rows plus all critique rows; a number r = critique rows drawn (seeded) to
    # r x the generation rows (all of them if there are fewer)
    critique_ratio: float | None = None
    # Stage II generation rows: all of them by default (the paper "jointly fine-tuned for both")
    stage2_generation: bool = True
    system: str = ""  # Figs. 6/7: an empty system message
    max_rows: int | None = None  # only the first N rows of the sources (a demonstration or a smoke test)
    seed: int = 0


@dataclass
class Recipe:
    """A named two-stage recipe. ``train`` holds StageConfig fields shared by both stages; ``stage1``/``stage2``
    override them per stage."""

    name: str = "ocr2"
    base_model: str | None = None  # None: the bundled SmolLM2-135M-Instruct
    data: DataConfig = field(default_factory=DataConfig)
    train: dict[str, Any] = field(default_factory=dict)
    stage1: dict[str, Any] = field(default_factory=lambda: {"num_train_epochs": 3})
    stage2: dict[str, Any] = field(default_factory=lambda: {"num_train_epochs": 1})
    model_dtype: str = "auto"  # weights' dtype at load: auto (bf16 when the stage trains in bf16), float32, bfloat16

    def stage_settings(self, stage: str) -> dict[str, Any]:
        """The StageConfig keyword arguments of ``stage`` ('1' or '2'): shared settings, then the stage's own."""
        if stage not in STAGES:
            raise ValueError(f"stage must be one of {STAGES}, got {stage!r}")
        return {**self.train, **(self.stage1 if stage == "1" else self.stage2)}

    def stage_config(self, stage: str, output_dir: str | Path, **extra: Any) -> StageConfig:
        kwargs = {**self.stage_settings(stage), **extra, "output_dir": str(output_dir)}
        return StageConfig(**kwargs)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _ocr2() -> Recipe:
    return Recipe()


def _demo() -> Recipe:
    """The embedded default: the bundled SmolLM2-135M on CPU in minutes. Same prompts, masking, two stages, fresh
    optimizer and cosine schedule with warmup; short sequences and a handful of steps."""
    return Recipe(
        name="demo",
        data=DataConfig(),
        train={
            "max_length": 1024, "bf16": False, "use_cpu": True, "activation_checkpointing": False,
            "per_device_train_batch_size": 1, "global_batch_size": 2, "learning_rate": 2e-4,
            "warmup_steps": 0.1, "save_steps": 4, "save_total_limit": 1, "dataloader_num_workers": 0,
        },
        stage1={"num_train_epochs": 3, "max_steps": 4},
        stage2={"num_train_epochs": 1, "max_steps": 8},
        model_dtype="float32",
    )


RECIPES = {"ocr2": _ocr2, "demo": _demo}


def get_recipe(name: str) -> Recipe:
    if name not in RECIPES:
        raise ValueError(f"unknown recipe {name!r} (known: {', '.join(RECIPES)})")
    return RECIPES[name]()


def stage_fields() -> dict[str, dataclasses.Field]:
    return {f.name: f for f in dataclasses.fields(StageConfig) if f.init}


def data_fields() -> dict[str, dataclasses.Field]:
    return {f.name: f for f in dataclasses.fields(DataConfig)}


def apply(recipe: Recipe, overrides: dict[str, Any], *, where: str = "overrides") -> Recipe:
    """A copy of ``recipe`` with ``overrides`` (the shape of a YAML file: ``recipe``, ``base_model``,
    ``model_dtype``, ``data``, ``train``, ``stage1``, ``stage2``) applied; unknown keys are errors naming ``where``."""
    out = copy.deepcopy(recipe)
    known = {"recipe", "name", "base_model", "model_dtype", "data", "train", "stage1", "stage2"}
    for key in overrides:
        if key not in known:
            raise DataError(where, f"unknown key {key!r} (expected: {', '.join(sorted(known))})")
    if overrides.get("base_model") is not None:
        out.base_model = str(overrides["base_model"])
    if overrides.get("model_dtype") is not None:
        out.model_dtype = str(overrides["model_dtype"])
    dfields = data_fields()
    for key, value in (overrides.get("data") or {}).items():
        if key not in dfields:
            raise DataError(where, f"unknown data option {key!r} (known: {', '.join(dfields)})", field="data")
        setattr(out.data, key, value)
    sfields = stage_fields()
    for section in ("train", "stage1", "stage2"):
        values = overrides.get(section) or {}
        if not isinstance(values, dict):
            raise DataError(where, f"expected a mapping of trainer arguments, got {type(values).__name__}",
                            field=section)
        for key, value in values.items():
            if key not in sfields or key == "output_dir":
                raise DataError(where, f"unknown trainer argument {key!r} (any SFTConfig field except output_dir)",
                                field=section)
            if section == "train":
                # a shared setting replaces the recipe's per-stage value too (e.g. max_steps for a smoke test)
                out.stage1.pop(key, None)
                out.stage2.pop(key, None)
        getattr(out, section).update(values)
    if out.data.forced_judgement not in ("append", "keep", "drop"):
        raise DataError(where, f"forced_judgement must be append, keep or drop, got {out.data.forced_judgement!r}",
                        field="data.forced_judgement")
    if out.data.critique_filter not in ("all", "agree"):
        raise DataError(where, f"critique_filter must be 'all' or 'agree', got {out.data.critique_filter!r}",
                        field="data.critique_filter")
    return out


def load_yaml(path: str | Path) -> dict[str, Any]:
    import yaml

    path = Path(path)
    try:
        value = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as e:
        raise DataError(str(path), f"cannot read: {e.strerror}") from None
    except yaml.YAMLError as e:
        raise DataError(str(path), f"invalid YAML: {e}") from None
    if not isinstance(value, dict):
        raise DataError(str(path), f"expected a mapping at the top level, got {type(value).__name__}")
    return value


def build_recipe(config: str | Path | None = None, overrides: dict[str, Any] | None = None,
                 recipe: str | None = None) -> Recipe:
    """The recipe a run uses: the named one (``recipe``, else the file's ``recipe:`` key, else ``ocr2``), then the
    YAML file, then command-line overrides (same shape)."""
    file_values = load_yaml(config) if config else {}
    name = recipe or file_values.get("recipe") or "ocr2"
    out = apply(get_recipe(name), file_values, where=str(config) if config else "config")
    if overrides:
        out = apply(out, overrides, where="command line")
    return out


def accumulation_for(global_batch: int, per_device: int, world_size: int) -> int:
    """Gradient accumulation steps that reach ``global_batch`` (exactly, or an error)."""
    steps = global_batch / (per_device * world_size)
    if steps != math.floor(steps) or steps < 1:
        raise ValueError(f"global_batch_size {global_batch} is not a multiple of per_device_train_batch_size "
                         f"{per_device} x {world_size} processes")
    return int(steps)
