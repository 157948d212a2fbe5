"""The step contract: what one pipeline step declares and what it is handed for one shard.

A step is one small class with one job. It declares the named files it ``reads`` and ``writes`` and how many
``shards`` its work is cut into; for each shard it is called once with a :class:`ShardContext` and writes each of
its outputs through ``ctx.output(name)`` (a temporary path). Only when ``run`` returns do the outputs replace the
real files, all of them, and only then is the shard's completion marker written (see :mod:`.markers`). A step never
sees executors, markers or other shards: it may run in this process, in a process pool or on a Ray worker.

Rules a step keeps, so that any executor can run it and a killed run resumes exactly:

* ``run`` is a function of the step's own settings, its shard and its input files. Shard ``i`` of ``n`` takes its
  own share of the input (e.g. ``rows[i::n]`` or :meth:`Shard.slice`), so every item belongs to exactly one shard.
* A step is picklable (plain settings; open models, clients and pools are made inside ``run``, or by the step
  lazily, never passed in by the executor) unless it is only ever run in-process (``LocalExecutor(workers=0)``
  or an ``async`` step).
* Side effects outside ``ctx.output`` must be idempotent (an LLM request store that answers a repeated request
  from disk is; appending to a shared file is not).
* ``run`` may be ``async def`` (model calls): the executor awaits it, concurrently with the step's other shards.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, is_dataclass
from pathlib import Path
from typing import Any, ClassVar

from ..io import Record, iter_jsonl, jsonl_line


@dataclass(frozen=True, order=True)
class Shard:
    """Shard ``index`` (0-based) of ``count``."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if not 0 <= self.index < self.count:
            raise ValueError(f"shard index {self.index} out of range for {self.count} shards")

    @property
    def id(self) -> str:
        return f"{self.index:05d}-of-{self.count:05d}"

    def slice(self, n: int) -> range:
        """This shard's contiguous share of ``n`` items (shards differ in size by at most one)."""
        base, extra = divmod(n, self.count)
        start = self.index * base + min(self.index, extra)
        return range(start, start + base + (self.index < extra))

    def take(self, items: Sequence[Any]) -> list[Any]:
        """This shard's contiguous share of ``items``."""
        r = self.slice(len(items))
        return list(items[r.start:r.stop])


def output_name(name: str, shard: Shard) -> str:
    """The file name of output ``name`` for ``shard``: ``name`` itself for a one-shard step, else
    ``stem-00003-of-00008.suffix`` (the Hugging Face shard naming)."""
    if shard.count == 1:
        return name
    p = Path(name)
    suffix = "".join(p.suffixes)
    stem = p.name[: len(p.name) - len(suffix)] if suffix else p.name
    return str(p.with_name(f"{stem}-{shard.id}{suffix}"))


class Step:
    """Base class of a pipeline step. Subclasses set ``name``, ``reads``, ``writes`` (and ``shards``) and
    implement :meth:`run`; dataclass subclasses get a :meth:`fingerprint` of their fields for free."""

    name: ClassVar[str] = ""
    reads: tuple[str, ...] = ()  # names of files this step reads: another step's output, or a path
    writes: tuple[str, ...] = ()  # names of the files each shard writes
    shards: int = 1  # fixed by the step's settings, never by the executor, so markers stay valid

    def run(self, shard: Shard, ctx: "ShardContext") -> Any:
        """Do the work of ``shard``; write every name in ``writes`` through ``ctx.output(name)``. May be async.
        The return value (JSON-serialisable, small) is kept in the shard's completion marker."""
        raise NotImplementedError

    def settings(self) -> dict[str, Any]:
        """What the step's result depends on besides its inputs (default: a dataclass step's fields)."""
        return asdict(self) if is_dataclass(self) else {}

    def fingerprint(self) -> str:
        """A digest of the step's identity and settings: a marker left by a step with other settings is not
        trusted (the shard runs again)."""
        blob = json.dumps({"step": self.name, "class": type(self).__qualname__,
                           "shards": self.shards, "settings": self.settings()}, sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


ProgressSink = Callable[[str, dict[str, Any]], None]


@dataclass
class ShardContext:
    """What a step is handed for one shard: its input paths and where to write its outputs."""

    step: str
    shard: Shard
    inputs: dict[str, list[Path]]  # every declared read -> its files (all shards of the step that wrote it)
    outputs: dict[str, Path]  # every declared write -> the temporary path to write it to
    on_progress: ProgressSink | None = field(default=None, repr=False)

    def input_paths(self, name: str) -> list[Path]:
        if name not in self.inputs:
            raise KeyError(f"step {self.step!r} did not declare {name!r} in reads")
        return self.inputs[name]

    def read_jsonl(self, name: str) -> Iterator[Record]:
        """The records of input ``name``, file after file in shard order, each with its file and line."""
        for path in self.input_paths(name):
            yield from iter_jsonl(path)

    def output(self, name: str) -> Path:
        """The path to write output ``name`` to (temporary: it replaces the real file when the shard ends)."""
        if name not in self.outputs:
            raise KeyError(f"step {self.step!r} did not declare {name!r} in writes")
        return self.outputs[name]

    def write_jsonl(self, name: str, rows: Iterable[Any]) -> int:
        """Write output ``name`` as JSON Lines; returns the number of rows."""
        n = 0
        with open(self.output(name), "w", encoding="utf-8") as f:
            for row in rows:
                f.write(jsonl_line(row))
                n += 1
        return n

    def progress(self, kind: str, **data: Any) -> None:
        """Report progress (e.g. ``ctx.progress("advance", n=1)``, ``ctx.progress("total", n=40)``); the
        executor forwards it to the pipeline's callback where it can (in-process and async steps)."""
        if self.on_progress is not None:
            self.on_progress(kind, data)
