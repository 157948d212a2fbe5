"""Progress bars across the step boundary: a step reports through events, the caller draws.

Inside a step, :class:`ShardProgress` stands in for a caller's progress factory (``factory(what, total, unit,
eta_after)`` returning a bar with ``update(n, tokens=)``, ``skip(n)``, ``set_status(text)``, used as a context
manager): every call becomes a ``ctx.progress`` event, so the step needs no callable from the caller and stays
picklable. On the caller's side, :class:`ProgressRelay` is the pipeline's ``on_event`` callback that turns those
events back into bars made by the caller's own factory (cli.py's), and ``log`` events into log lines.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from .executor import PipelineEvent
from .step import ShardContext


class ShardProgress:
    """A progress factory whose bars are events of the shard's context."""

    def __init__(self, ctx: ShardContext):
        self.ctx = ctx
        self._ids = itertools.count()

    def __call__(self, what: str, total: int | None = None, unit: str = "item", eta_after: int = 1) -> "_EventBar":
        return _EventBar(self.ctx, next(self._ids), what, total, unit, eta_after)

    def log(self, message: str) -> None:
        self.ctx.progress("log", message=message)


class _EventBar:
    def __init__(self, ctx: ShardContext, bar: int, what: str, total: int | None, unit: str, eta_after: int):
        self.ctx, self.bar = ctx, bar
        self._open = dict(what=what, total=total, unit=unit, eta_after=eta_after)

    def __enter__(self) -> "_EventBar":
        self.ctx.progress("bar-open", bar=self.bar, **self._open)
        return self

    def __exit__(self, *exc: object) -> None:
        self.ctx.progress("bar-close", bar=self.bar)

    def update(self, n: int = 1, tokens: int | None = None) -> None:
        self.ctx.progress("bar-update", bar=self.bar, n=n, tokens=tokens)

    def skip(self, n: int = 1) -> None:
        self.ctx.progress("bar-skip", bar=self.bar, n=n)

    def set_status(self, text: str) -> None:
        self.ctx.progress("bar-status", bar=self.bar, text=text)


class ProgressRelay:
    """The pipeline's ``on_event``: bar events drawn with ``factory`` (None: not drawn), ``log`` events to ``log``.
    A shard that fails closes its open bars."""

    def __init__(self, factory: Callable[..., Any] | None, log: Callable[[str], None] | None = None):
        self.factory = factory
        self.log = log
        self._bars: dict[tuple, Any] = {}

    def __call__(self, event: PipelineEvent) -> None:
        d = event.data
        key = (event.step, event.shard, d.get("bar"))
        if event.kind == "log":
            if self.log is not None:
                self.log(d["message"])
        elif event.kind == "shard-skipped":
            if self.log is not None:
                self.log(f"{event.step}: done before with the same settings and inputs, skipped")
        elif self.factory is None:
            return
        elif event.kind == "bar-open":
            bar = self.factory(d["what"], d["total"], d["unit"], d["eta_after"])
            bar.__enter__()
            self._bars[key] = bar
        elif event.kind == "bar-update" and key in self._bars:
            self._bars[key].update(d["n"], tokens=d["tokens"])
        elif event.kind == "bar-skip" and key in self._bars:
            self._bars[key].skip(d["n"])
        elif event.kind == "bar-status" and key in self._bars:
            self._bars[key].set_status(d["text"])
        elif event.kind == "bar-close" and key in self._bars:
            self._bars.pop(key).__exit__(None, None, None)
        elif event.kind == "shard-failed":
            for k in [k for k in self._bars if k[:2] == (event.step, event.shard)]:
                self._bars.pop(k).__exit__(None, None, None)
