"""A pipeline: steps in order over one work directory, each step's pending shards handed to an executor.

For each step the pipeline resolves the files it reads (another step's outputs, all shards, or a plain path),
skips the shards whose completion marker is valid (:mod:`.markers`), gives the rest to the executor, and waits for
all of them before the next step starts. A shard that fails leaves no marker and no output; the others' work is
kept, and the pipeline then raises (the shard's own exception when one failed), so a rerun does only what is left.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CodecritiqueError
from .executor import EventCallback, Executor, PipelineEvent
from .local import LocalExecutor
from .markers import file_identity, is_complete
from .shard import ShardTask
from .step import Shard, Step, output_name


class PipelineError(CodecritiqueError):
    """Shards of a step failed (the first failure is the cause)."""


@dataclass
class StepReport:
    """What a step did in one pipeline run: shards run and skipped, and each shard's result (by shard id)."""

    step: str
    ran: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    results: dict[str, Any] = field(default_factory=dict)


class Pipeline:
    def __init__(self, steps: Sequence[Step], workdir: str | Path, executor: Executor | None = None,
                 on_event: EventCallback | None = None):
        names = [s.name for s in steps]
        if any(not n for n in names) or len(set(names)) != len(names):
            raise ValueError(f"steps need distinct, non-empty names, got {names}")
        self.steps = list(steps)
        self.workdir = Path(workdir)
        self.executor = executor or LocalExecutor()
        self.on_event = on_event
        self.producers: dict[str, Step] = {}
        for s in self.steps:
            if s.shards < 1:
                raise ValueError(f"step {s.name!r}: shards must be >= 1, got {s.shards}")
            for name in s.writes:
                if name in self.producers:
                    raise ValueError(f"{name!r} is written by both {self.producers[name].name!r} and {s.name!r}")
                self.producers[name] = s

    def outputs(self, name: str) -> list[Path]:
        """The files of output ``name``, in shard order (whether or not they exist yet)."""
        step = self.producers[name]
        return [self.workdir / output_name(name, Shard(i, step.shards)) for i in range(step.shards)]

    def inputs_of(self, step: Step) -> dict[str, list[Path]]:
        """The files ``step`` reads; a missing one raises FileNotFoundError naming the step that writes it."""
        resolved = {}
        for name in step.reads:
            if name in self.producers:
                paths = self.outputs(name)
                missing = [p for p in paths if not p.exists()]
                if missing:
                    raise FileNotFoundError(f"{missing[0]} not found: run the step that writes it first "
                                            f"({self.producers[name].name!r})")
            else:
                path = Path(name) if Path(name).is_absolute() else self.workdir / name
                if not path.exists():
                    raise FileNotFoundError(f"{path} not found (read by step {step.name!r})")
                paths = [path]
            resolved[name] = paths
        return resolved

    def _emit(self, kind: str, step: str, shard: str | None = None, **data: Any) -> None:
        if self.on_event is not None:
            self.on_event(PipelineEvent(kind, step, shard, data))

    def plan(self, step: Step, force: bool = False) -> tuple[list[ShardTask], StepReport]:
        """The shards of ``step`` still to run, and a report listing those skipped."""
        inputs = self.inputs_of(step)
        identity = file_identity([p for paths in inputs.values() for p in paths])
        fingerprint = step.fingerprint()
        report, tasks = StepReport(step.name), []
        for i in range(step.shards):
            shard = Shard(i, step.shards)
            outputs = [self.workdir / output_name(n, shard) for n in step.writes]
            marker = None if force else is_complete(self.workdir, step.name, shard, fingerprint=fingerprint,
                                                    inputs=identity, outputs=outputs)
            if marker is not None:
                report.skipped.append(shard.id)
                report.results[shard.id] = marker.get("result")
            else:
                tasks.append(ShardTask(step, shard, str(self.workdir),
                                       {n: [str(p) for p in ps] for n, ps in inputs.items()}, fingerprint))
        return tasks, report

    async def arun_step(self, step: Step, force: bool = False) -> StepReport:
        tasks, report = self.plan(step, force)
        self._emit("step-start", step.name, shards=step.shards, pending=len(tasks))
        for shard_id in report.skipped:
            self._emit("shard-skipped", step.name, shard_id)
        outcomes = await self.executor.aexecute(tasks, self.on_event) if tasks else []
        failed = [o for o in outcomes if o.error is not None]
        for o in outcomes:
            if o.error is None:
                report.ran.append(o.task.shard.id)
                report.results[o.task.shard.id] = o.result
        if failed:
            first = failed[0].error
            if len(failed) == 1 and isinstance(first, Exception):
                first.add_note(f"(in pipeline step {failed[0].task.label}; {len(report.ran)} other shard(s) "
                               "of the step completed and are kept)")
                raise first
            labels = ", ".join(o.task.label for o in failed)
            raise PipelineError(f"{len(failed)} of {step.shards} shards failed ({labels}); first: "
                                f"{type(first).__name__}: {first}") from first
        self._emit("step-done", step.name, ran=len(report.ran), skipped=len(report.skipped))
        return report

    async def arun(self, only: Iterable[str] | None = None, force: Iterable[str] = ()) -> dict[str, StepReport]:
        """Run the steps (those named in ``only``, in pipeline order; all by default). Steps named in ``force``
        run every shard again even where a marker is valid."""
        wanted = set(only) if only is not None else {s.name for s in self.steps}
        forced = set(force)
        unknown = (wanted | forced) - {s.name for s in self.steps}
        if unknown:
            raise ValueError(f"unknown step(s) {sorted(unknown)}; steps are {', '.join(s.name for s in self.steps)}")
        self.workdir.mkdir(parents=True, exist_ok=True)
        reports = {}
        for step in self.steps:
            if step.name in wanted:
                reports[step.name] = await self.arun_step(step, force=step.name in forced)
        return reports

    def run(self, only: Iterable[str] | None = None, force: Iterable[str] = ()) -> dict[str, StepReport]:
        return asyncio.run(self.arun(only, force))
