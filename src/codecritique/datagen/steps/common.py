"""What the datagen steps share: the languages, reading a shard's rows, counters, small JSON files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from codecritique.pipeline import Shard, ShardContext


LANGUAGES = ("python", "cpp")


def write_json_file(path: Path, value: Any) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")


def input_rows(ctx: ShardContext, name: str) -> Iterator[dict[str, Any]]:
    for rec in ctx.read_jsonl(name):
        yield rec.data


def shard_rows(ctx: ShardContext, name: str, shard: Shard) -> list[dict[str, Any]]:
    """This shard's rows of input ``name``: its own file when the producer has as many shards, else its share."""
    from codecritique.io import iter_jsonl

    paths = ctx.input_paths(name)
    if len(paths) == shard.count and shard.count > 1:
        return [r.data for r in iter_jsonl(paths[shard.index])]
    return shard.take([r.data for p in paths for r in iter_jsonl(p)])


def workdir_of(ctx: ShardContext) -> Path:
    """The pipeline's work directory (a shard's temporary outputs live in ``WORKDIR/.pipeline/STEP/tmp/SHARD/``)."""
    tmp = Path(next(iter(ctx.outputs.values()))).resolve()
    for parent in tmp.parents:
        if parent.name == ".pipeline":
            return parent.parent
    raise RuntimeError(f"cannot tell the work directory from the output path {tmp}")


def add_count(d: dict[str, int], key: str, n: int = 1) -> None:
    d[key] = d.get(key, 0) + n



def per_language(rows: list[dict[str, Any]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in rows:
        add_count(out, r["language"])
    return out
