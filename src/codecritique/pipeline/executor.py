"""The executor interface: how the pending shards of one step get run. Executors know tasks, not steps' work.

An executor receives the shards still to do (planning, markers and skipping are the pipeline's job, see
:mod:`.pipeline`) and runs each through :func:`~.shard.run_shard` / :func:`~.shard.arun_shard`, which also commit
the outputs and write the marker. It returns one :class:`~.shard.ShardOutcome` per task, in task order, and never
raises for a failing shard: one shard's failure does not stop the others, and their work is kept.

A new executor (e.g. on Ray) implements :meth:`Executor.aexecute` only.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .shard import ShardOutcome, ShardTask


@dataclass(frozen=True)
class PipelineEvent:
    """Something a pipeline reports while it runs.

    kinds: ``step-start`` (data: ``shards``, ``pending``), ``shard-skipped`` (its marker is valid),
    ``shard-done``, ``shard-failed`` (data: ``error``), ``step-done``, and whatever a step reports through
    ``ctx.progress(kind, ...)`` (e.g. ``advance`` with ``n``, ``total`` with ``n``).
    """

    kind: str
    step: str
    shard: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


EventCallback = Callable[[PipelineEvent], None]


class Executor(ABC):
    """Runs the pending shards of one step."""

    @abstractmethod
    async def aexecute(self, tasks: list[ShardTask], on_event: EventCallback | None = None) -> list[ShardOutcome]:
        """Run every task; one outcome per task, in order. Report ``shard-done``/``shard-failed`` events and,
        where the executor can carry them, the steps' own progress events."""

    def execute(self, tasks: list[ShardTask], on_event: EventCallback | None = None) -> list[ShardOutcome]:
        return asyncio.run(self.aexecute(tasks, on_event))

    def close(self) -> None:
        """Release workers (a no-op for executors that hold none between steps)."""

    def __enter__(self) -> "Executor":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def report_outcome(outcome: ShardOutcome, on_event: EventCallback | None) -> ShardOutcome:
    """Emit the ``shard-done``/``shard-failed`` event of an outcome (for executors' use)."""
    if on_event is not None:
        t = outcome.task
        if outcome.error is None:
            on_event(PipelineEvent("shard-done", t.step.name, t.shard.id, {"result": outcome.result}))
        else:
            on_event(PipelineEvent("shard-failed", t.step.name, t.shard.id,
                                   {"error": f"{type(outcome.error).__name__}: {outcome.error}"}))
    return outcome


def step_sink(task: ShardTask, on_event: EventCallback | None):
    """A step's ``ctx.progress`` forwarded as pipeline events (None when nobody listens)."""
    if on_event is None:
        return None
    return lambda kind, data: on_event(PipelineEvent(kind, task.step.name, task.shard.id, data))
