"""Recipes: the paper's values as defaults, YAML, generated CLI overrides, shipped configs."""

from __future__ import annotations

from pathlib import Path

import pytest

from codecritique.errors import DataError
from codecritique.train.args import OverrideError, parse_overrides
from codecritique.train.config import CONFIGS_DIR, apply, build_recipe, get_recipe, load_yaml, stage_fields


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


def _readme_gpu_command() -> list[str]:
    """The README's 8 x 8 GPU command (the `accelerate launch` line of the Training section), as argv."""
    import shlex

    text = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = text[text.index("**On a GPU cluster**"):]
    start = block.index("accelerate launch")
    command = block[start: block.index("\n\n", start)].replace("\\\n", " ")
    return shlex.split(command)[1:]  # after "accelerate"


@pytest.mark.parametrize("config", ["deepspeed_zero3.yaml", "fsdp.yaml"])
def test_readme_gpu_command_matches_the_shipped_configs(config, monkeypatch):
    """No GPU here, so the command cannot run: what accelerate's launcher would hand each process (its own
    launch-argument parsing and environment preparation, as `accelerate launch` does) and what the trainer then
    computes are checked against the README's claims: 8 nodes x 8 processes, bf16, ZeRO-3 / FSDP with a full
    model saved, no double activation checkpointing, 4 accumulation steps for the global batch of 256."""
    from accelerate.commands.launch import _validate_launch_command, launch_command_parser
    from accelerate.utils.launch import prepare_deepspeed_cmd_env, prepare_multi_gpu_env

    from codecritique.train.args import parse_overrides
    from codecritique.train.config import accumulation_for

    argv = _readme_gpu_command()
    assert argv[:3] == ["launch", "--config_file", "$CFG/deepspeed_zero3.yaml"]
    argv[2] = str(CONFIGS_DIR / "accelerate" / config)
    argv = ["3" if a == "N" else "10.0.0.1" if a == "HOST0" else a for a in argv[1:]]
    m = argv.index("-m")
    assert argv[m + 1: m + 3] == ["codecritique.cli", "train"]
    args, defaults, mp_from_config = _validate_launch_command(launch_command_parser().parse_args(argv))
    if config.startswith("deepspeed"):
        assert args.use_deepspeed
        args.deepspeed_fields_from_accelerate_config = ",".join(list(defaults.deepspeed_config))  # as launch does
        _, env = prepare_deepspeed_cmd_env(args)
        assert env["ACCELERATE_DEEPSPEED_ZERO_STAGE"] == "3"
        assert env["ACCELERATE_DEEPSPEED_ZERO3_SAVE_16BIT_MODEL"] == "true"  # stageN/ is a loadable HF folder
    else:
        assert args.use_fsdp
        env = prepare_multi_gpu_env(args)
        assert env["FSDP_VERSION"] == "2" and env["FSDP_STATE_DICT_TYPE"] == "FULL_STATE_DICT"
        assert env["FSDP_ACTIVATION_CHECKPOINTING"] == "false"  # the recipe's (trainer-side) checkpointing only
    assert env["ACCELERATE_MIXED_PRECISION"] == "bf16"
    assert (args.nnodes, args.nproc_per_node, args.node_rank) == ("8", "8", 3)  # torchrun's, on node N = 3
    master = getattr(args, "master_addr", None) or getattr(args, "rdzv_endpoint", "")
    assert master.startswith("10.0.0.1")  # HOST0

    # the trainer's side: what `codecritique train` makes of the rest (typer's own options removed, as the CLI does)
    train_args = argv[m + 3:]
    own = {"--base-model", "--data", "--out"}
    rest = [a for i, a in enumerate(train_args) if a not in own and (i == 0 or train_args[i - 1] not in own)]
    overrides = parse_overrides(rest)
    overrides["base_model"] = train_args[train_args.index("--base-model") + 1]
    recipe = build_recipe(overrides=overrides)  # with --base-model: the ocr2 recipe
    assert recipe.name == "ocr2"
    settings = {**{k: f.default for k, f in stage_fields().items()}, **recipe.stage_settings("1")}
    assert settings["bf16"] is True and settings["activation_checkpointing"] is True
    assert settings["dataset_num_proc"] == 32 and settings["report_to"] == "wandb"
    processes = int(args.nnodes) * int(args.nproc_per_node)  # WORLD_SIZE of every rank
    assert accumulation_for(settings["global_batch_size"], settings["per_device_train_batch_size"], processes) == 4
