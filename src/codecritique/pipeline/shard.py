"""Running one shard of one step: the unit every executor runs (in-process, in a worker process, on Ray).

:func:`run_shard` (and :func:`arun_shard` for ``async`` steps) gives the step temporary output paths, calls it,
then renames every output into place and writes the completion marker last. It is a module-level function of one
picklable :class:`ShardTask`, so a process pool or ``ray.remote`` can ship it as is.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..io import fsync_dir
from .markers import file_identity, tmp_dir, write_marker
from .step import ProgressSink, Shard, ShardContext, Step, output_name


@dataclass
class ShardTask:
    """One shard to run: the step, which shard, the work directory and the resolved input files."""

    step: Step
    shard: Shard
    workdir: str
    inputs: dict[str, list[str]]
    fingerprint: str  # the step's, computed where the run is planned (a worker may name the class otherwise)

    @property
    def label(self) -> str:
        return f"{self.step.name}[{self.shard.id}]"

    def final_outputs(self) -> dict[str, Path]:
        return {name: Path(self.workdir) / output_name(name, self.shard) for name in self.step.writes}


@dataclass
class ShardOutcome:
    """What became of a task: its result, or the exception it raised."""

    task: ShardTask
    result: Any = None
    error: BaseException | None = None


def is_async(step: Step) -> bool:
    return inspect.iscoroutinefunction(step.run)


def _prepare(task: ShardTask, sink: ProgressSink | None) -> ShardContext:
    tmp = tmp_dir(task.workdir, task.step.name, task.shard)
    shutil.rmtree(tmp, ignore_errors=True)  # leftovers of a killed attempt
    tmp.mkdir(parents=True)
    outputs = {name: tmp / f"{i}-{Path(final).name}" for i, (name, final) in enumerate(task.final_outputs().items())}
    inputs = {name: [Path(p) for p in paths] for name, paths in task.inputs.items()}
    return ShardContext(task.step.name, task.shard, inputs, outputs, sink)


def _commit(task: ShardTask, ctx: ShardContext, result: Any) -> Any:
    finals = task.final_outputs()
    for name, tmp in ctx.outputs.items():
        if not tmp.exists():
            raise RuntimeError(f"step {task.label} finished without writing its output {name!r}")
    for name, tmp in ctx.outputs.items():
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        finals[name].parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, finals[name])
    for parent in {p.parent for p in finals.values()}:
        fsync_dir(parent)
    # the temporary folder goes before the marker is written: a kill in between only makes the shard run again
    shutil.rmtree(tmp_dir(task.workdir, task.step.name, task.shard), ignore_errors=True)
    inputs = file_identity([Path(p) for paths in task.inputs.values() for p in paths])
    write_marker(task.workdir, task.step.name, task.shard, fingerprint=task.fingerprint, inputs=inputs,
                 outputs=list(finals.values()), result=result)
    return result


def run_shard(task: ShardTask, sink: ProgressSink | None = None) -> Any:
    """Run one shard to completion (an async step in its own event loop) and return its result."""
    ctx = _prepare(task, sink)
    result = task.step.run(task.shard, ctx)
    if inspect.isawaitable(result):
        result = asyncio.run(_await(result))
    return _commit(task, ctx, result)


async def arun_shard(task: ShardTask, sink: ProgressSink | None = None) -> Any:
    """Run one shard of an async step in the running event loop."""
    ctx = _prepare(task, sink)
    result = task.step.run(task.shard, ctx)
    if inspect.isawaitable(result):
        result = await result
    return await asyncio.to_thread(_commit, task, ctx, result)


async def _await(awaitable: Any) -> Any:
    return await awaitable
