"""Steps used by the pipeline tests (a module, so worker processes can import them), and a small pipeline that
the kill -9 test runs in a subprocess: ``python -m tests.pipeline.steps WORKDIR WORKERS SLEEP``."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from dataclasses import dataclass

from codecritique.io import write_jsonl
from codecritique.pipeline import LocalExecutor, Pipeline, Shard, ShardContext, Step


def log_start(workdir: str, step: str, shard: Shard) -> None:
    """Record that a shard started (a test-only side channel: O_APPEND lines, one per start)."""
    with open(os.path.join(workdir, "starts.log"), "a") as f:
        f.write(f"{step} {shard.id}\n")


@dataclass
class Square(Step):
    """Reads numbers.jsonl, writes each number's square, its shard's share only."""

    name = "square"
    reads = ("numbers.jsonl",)
    writes = ("squares.jsonl",)
    shards: int = 4
    sleep: float = 0.0  # per row, so a kill lands mid-shard
    fail_on: int | None = None  # a number whose row raises
    log_dir: str = ""

    def run(self, shard: Shard, ctx: ShardContext) -> dict:
        if self.log_dir:
            log_start(self.log_dir, self.name, shard)
        rows = [r.data for r in ctx.read_jsonl("numbers.jsonl")]
        mine = shard.take(rows)
        with open(ctx.output("squares.jsonl"), "w") as f:
            for r in mine:
                if r["x"] == self.fail_on:
                    raise ValueError(f"row {r['x']} is cursed")
                f.write(json.dumps({"x": r["x"], "y": r["x"] ** 2}) + "\n")
                f.flush()
                time.sleep(self.sleep)
                ctx.progress("advance", n=1)
        return {"rows": len(mine), "pid": os.getpid()}


@dataclass
class Total(Step):
    """Sums every shard of squares.jsonl into total.json."""

    name = "total"
    reads = ("squares.jsonl",)
    writes = ("total.json",)
    log_dir: str = ""

    def run(self, shard: Shard, ctx: ShardContext) -> int:
        if self.log_dir:
            log_start(self.log_dir, self.name, shard)
        ys = [r.data["y"] for r in ctx.read_jsonl("squares.jsonl")]
        with open(ctx.output("total.json"), "w") as f:
            json.dump({"total": sum(ys), "n": len(ys)}, f)
        return sum(ys)


@dataclass
class AsyncEcho(Step):
    """An async step: each shard awaits (like model calls) and writes its share of numbers back."""

    name = "echo"
    reads = ("numbers.jsonl",)
    writes = ("echo.jsonl",)
    shards: int = 3
    delay: float = 0.05

    async def run(self, shard: Shard, ctx: ShardContext) -> float:
        started = time.monotonic()
        rows = shard.take([r.data for r in ctx.read_jsonl("numbers.jsonl")])
        ctx.progress("total", n=len(rows))
        for r in rows:
            await asyncio.sleep(self.delay)
            ctx.progress("advance", n=1)
        ctx.write_jsonl("echo.jsonl", rows)
        return started


def main() -> None:
    workdir, workers, sleep = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    if not os.path.exists(os.path.join(workdir, "numbers.jsonl")):
        write_jsonl(os.path.join(workdir, "numbers.jsonl"), ({"x": i} for i in range(40)))
    steps = [Square(shards=8, sleep=sleep, log_dir=workdir), Total(log_dir=workdir)]
    with LocalExecutor(workers=workers) as ex:
        Pipeline(steps, workdir, ex).run()


if __name__ == "__main__":
    main()
