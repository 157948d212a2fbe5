"""Recipes: the paper's values as defaults, YAML, generated CLI overrides, shipped configs."""

from __future__ import annotations

from pathlib import Path

import pytest

from codecritique.errors import DataError
from codecritique.train.args import OverrideError, parse_overrides
from codecritique.train.config import CONFIGS_DIR, apply, build_recipe, get_recipe, load_yaml


def test_ocr2_stage_configs_hold_the_papers_values(tmp_path, monkeypatch):
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    recipe = get_recipe("ocr2")
    s1 = recipe.stage_config("1", tmp_path, use_cpu=True)
    s2 = recipe.stage_config("2", tmp_path, use_cpu=True)
    for c in (s1, s2):
        assert c.learning_rate == 5e-5
        assert c.optim == "adamw_torch"
        assert c.lr_scheduler_type == "cosine"
        assert c.warmup_steps == 0.05
        assert c.max_length == 32768
        assert c.packing is True and c.bf16 is True
        assert c.activation_checkpointing is True
        assert c.per_device_train_batch_size * c.gradient_accumulation_steps == 256
    assert (s1.num_train_epochs, s2.num_train_epochs) == (3, 1)
    d = recipe.data
    assert (d.critique_filter, d.critique_ratio, d.min_pass_rate, d.system) == ("all", None, None, "")


def test_global_batch_is_reached_by_accumulation_over_processes(tmp_path, monkeypatch):
    from codecritique.train.config import accumulation_for

    assert accumulation_for(256, 2, 64) == 2  # 8 nodes x 8 GPUs x 2 rows x 2 steps
    assert accumulation_for(256, 1, 64) == 4
    with pytest.raises(ValueError, match="not a multiple"):
        accumulation_for(256, 1, 3)
    monkeypatch.setenv("WORLD_SIZE", "1")  # a real WORLD_SIZE > 1 makes TrainingArguments join a process group
    c = get_recipe("ocr2").stage_config("1", tmp_path, use_cpu=True, per_device_train_batch_size=4)
    assert c.gradient_accumulation_steps == 64


def test_shipped_ocr2_yaml_equals_the_builtin_recipe():
    from_file = build_recipe(CONFIGS_DIR / "ocr2.yaml")
    builtin = get_recipe("ocr2")
    assert from_file.data == builtin.data
    for stage in ("1", "2"):
        builtin_kwargs = builtin.stage_settings(stage)
        file_kwargs = from_file.stage_settings(stage)
        from codecritique.train.config import stage_fields

        fields = stage_fields()
        for key, value in file_kwargs.items():  # every value written in the file is the dataclass default
            assert builtin_kwargs.get(key, fields[key].default) == value, key


def test_cli_overrides_are_generated_from_the_dataclasses():
    got = parse_overrides(["--learning-rate", "1e-4", "--stage2.max_steps", "5", "--critique_filter", "agree",
                           "--report_to", "tensorboard", "--packing", "false", "--min_pass_rate", "0.5",
                           "--stage1.lr_scheduler_type", "linear"])
    assert got == {"train": {"learning_rate": 1e-4, "report_to": "tensorboard", "packing": False},
                   "stage2": {"max_steps": 5}, "stage1": {"lr_scheduler_type": "linear"},
                   "data": {"critique_filter": "agree", "min_pass_rate": 0.5}}
    recipe = build_recipe(overrides=got)
    assert recipe.data.critique_filter == "agree"
    assert recipe.stage_settings("2")["max_steps"] == 5 and "max_steps" not in recipe.stage_settings("1")
    assert recipe.stage_settings("1")["learning_rate"] == 1e-4
    with pytest.raises(OverrideError, match="--no_such_option"):
        parse_overrides(["--no_such_option", "1"])
    with pytest.raises(OverrideError):
        parse_overrides(["--critique_filter", "some"])


def test_yaml_errors_name_the_file_and_key(tmp_path):
    bad = tmp_path / "r.yaml"
    bad.write_text("train:\n  learning_rat: 1e-4\n")
    with pytest.raises(DataError, match=r"r\.yaml.*learning_rat"):
        build_recipe(bad)
    bad.write_text("data:\n  critique_filter: maybe\n")
    with pytest.raises(DataError, match="critique_filter"):
        build_recipe(bad)
    bad.write_text("- a list\n")
    with pytest.raises(DataError, match="mapping"):
        load_yaml(bad)
    with pytest.raises(DataError, match="unknown key"):
        apply(get_recipe("ocr2"), {"stage3": {}})


def test_shipped_accelerate_configs_parse_for_8x8_gpus():
    from accelerate.commands.config.config_args import load_config_from_file
    from accelerate.utils import DistributedType

    folder = Path(CONFIGS_DIR) / "accelerate"
    zero3 = load_config_from_file(str(folder / "deepspeed_zero3.yaml"))
    assert zero3.distributed_type == DistributedType.DEEPSPEED
    assert zero3.deepspeed_config["zero_stage"] == 3 and zero3.deepspeed_config["zero3_save_16bit_model"]
    # accumulation is left to the trainer ("auto"), which fills it from global_batch_size
    assert "gradient_accumulation_steps" not in zero3.deepspeed_config
    fsdp = load_config_from_file(str(folder / "fsdp.yaml"))
    assert fsdp.distributed_type == DistributedType.FSDP
    assert fsdp.fsdp_config["fsdp_state_dict_type"] == "FULL_STATE_DICT"
    for c in (zero3, fsdp):
        assert (c.num_machines, c.num_processes, c.mixed_precision) == (8, 64, "bf16")
