"""Trainer callbacks: progress events for the CLI (no printing here) and the learning-rate record of each step.

:class:`ProgressEvents` calls ``on_event(dict)`` on the main process with ``{"event": "begin"|"log"|"end", "stage",
"step", "max_steps", ...}``; a ``log`` event carries ``loss``, ``learning_rate``, ``grad_norm``, ``tokens_per_s``
(train tokens, from TRL's ``num_tokens``, over wall time since the previous log) and ``eta_s``.
:class:`StepRecorder` keeps the learning rate the optimizer uses at each step and whether the optimizer state was
empty at the first step (a fresh optimizer), for the stage log.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from transformers import TrainerCallback

Event = dict[str, Any]


class ProgressEvents(TrainerCallback):
    def __init__(self, stage: str, on_event: Callable[[Event], None] | None):
        self.stage = stage
        self.on_event = on_event
        self._t0 = self._last_t = 0.0
        self._start_step = 0
        self._last_tokens: float | None = None

    def _emit(self, state: Any, event: Event) -> None:
        if self.on_event is not None and state.is_world_process_zero:
            self.on_event({"stage": self.stage, "step": state.global_step, "max_steps": state.max_steps, **event})

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self._t0 = self._last_t = time.monotonic()
        self._start_step = state.global_step
        self._emit(state, {"event": "begin", "resumed_from": state.global_step})

    def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        logs = logs or {}
        if "loss" not in logs:
            return
        now = time.monotonic()
        tokens = logs.get("num_tokens")
        rate = None
        if tokens is not None and self._last_tokens is not None and tokens > self._last_tokens and now > self._last_t:
            rate = (tokens - self._last_tokens) / (now - self._last_t)
        elif tokens is not None and self._last_tokens is None and now > self._t0:
            rate = tokens / (now - self._t0)
        self._last_tokens, self._last_t = tokens, now
        done = state.global_step - self._start_step
        eta = (now - self._t0) / done * (state.max_steps - state.global_step) if done > 0 else None
        self._emit(state, {"event": "log", "loss": logs.get("loss"), "learning_rate": logs.get("learning_rate"),
                           "grad_norm": logs.get("grad_norm"), "tokens_per_s": rate, "eta_s": eta,
                           "epoch": logs.get("epoch")})

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self._emit(state, {"event": "end", "seconds": time.monotonic() - self._t0})


class StepRecorder(TrainerCallback):
    """The learning rate each optimizer step uses (read before the step) and the optimizer's state at the first
    step of this run."""

    def __init__(self) -> None:
        self.lrs: list[tuple[int, float]] = []  # (step about to run, 1-based; lr)
        self.fresh_optimizer: bool | None = None

    def on_step_begin(self, args: Any, state: Any, control: Any, optimizer: Any = None, **kwargs: Any) -> None:
        if optimizer is None:
            return
        if not self.lrs:
            inner = getattr(optimizer, "optimizer", optimizer)
            self.fresh_optimizer = len(getattr(inner, "state", {}) or {}) == 0
        self.lrs.append((state.global_step + 1, float(optimizer.param_groups[0]["lr"])))
