"""Command-line overrides generated from the config dataclasses (nothing is repeated by hand).

Every field of :class:`~codecritique.train.config.DataConfig` is ``--FIELD VALUE``; every field of
:class:`~codecritique.train.config.StageConfig` (i.e. every ``SFTConfig``/``TrainingArguments`` field) is
``--FIELD VALUE`` for both stages, or ``--stage1.FIELD VALUE`` / ``--stage2.FIELD VALUE`` for one. Dashes and
underscores are interchangeable. Types, choices and boolean flags come from transformers' ``HfArgumentParser``
reading the same dataclasses. :func:`parse_overrides` returns only what was given, in the shape of a YAML config.
"""

from __future__ import annotations

import argparse
from functools import lru_cache
from typing import Any

from codecritique.train.config import DataConfig, StageConfig

SECTIONS = ("train", "stage1", "stage2")


class OverrideError(ValueError):
    """A command-line override that is unknown or malformed."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise OverrideError(message)


def _base_actions(cls: type) -> list[argparse.Action]:
    from transformers import HfArgumentParser

    parser = HfArgumentParser(cls)
    return [a for a in parser._actions if a.option_strings and a.dest not in ("help", "output_dir")]


def _copy(parser: argparse.ArgumentParser, action: argparse.Action, prefix: str, dest: str) -> None:
    names = []
    for s in action.option_strings:
        if s.startswith("--"):
            body = s[2:]
            names += [f"--{prefix}{body}", f"--{prefix}{body.replace('_', '-')}"]
    names = list(dict.fromkeys(names))
    kwargs: dict[str, Any] = {"dest": dest, "default": argparse.SUPPRESS, "help": action.help}
    if isinstance(action, argparse._StoreTrueAction):
        kwargs["action"] = "store_true"
    elif isinstance(action, argparse._StoreFalseAction):
        kwargs["action"] = "store_false"
    else:
        kwargs.update(type=action.type, nargs=action.nargs, const=action.const, choices=action.choices,
                      metavar=action.metavar)
    parser.add_argument(*names, **kwargs)


@lru_cache(maxsize=1)
def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="codecritique train [...]", add_help=False, allow_abbrev=False,
                     description="Recipe overrides (each also settable in --config YAML).")
    data = parser.add_argument_group("data (DataConfig)")
    for a in _base_actions(DataConfig):
        _copy(data, a, "", f"data.{a.dest}")
    stage_actions = [a for a in _base_actions(StageConfig) if not a.dest.startswith("no_")]
    for section, prefix in (("train", ""), ("stage1", "stage1."), ("stage2", "stage2.")):
        group = parser.add_argument_group(f"{section} (StageConfig = TRL SFTConfig)")
        for a in stage_actions:
            if section == "train" and a.dest in {x.dest for x in _base_actions(DataConfig)}:
                continue  # a data option of the same name (e.g. seed) wins; use --stage1.seed for the trainer's
            _copy(group, a, prefix, f"{section}.{a.dest}")
    return parser


def parse_overrides(args: list[str]) -> dict[str, Any]:
    """``["--learning_rate", "1e-4", "--stage2.max_steps", "5", "--critique_filter", "agree"]`` ->
    ``{"train": {"learning_rate": 1e-4}, "stage2": {"max_steps": 5}, "data": {"critique_filter": "agree"}}``."""
    namespace, rest = build_parser().parse_known_args(args)
    if rest:
        raise OverrideError(f"unknown option(s) {' '.join(rest)}: see `codecritique train --list-options`")
    out: dict[str, Any] = {}
    for key, value in vars(namespace).items():
        section, name = key.split(".", 1)
        out.setdefault(section, {})[name] = value
    return out


def options_help() -> str:
    return build_parser().format_help()
