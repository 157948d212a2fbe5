"""Which (solution, test) runs next: work is handed out per test, not per solution, so one slow solution never
holds the other workers back, while each solution still stops at its first failing test.

Policy, asked by an idle worker:
1. the next test of an already started solution that has nothing in flight (finish what was started first);
2. else the first test of a new solution, while fewer than ``window`` solutions are open;
3. else, speculatively, the next test of a started solution that already has tests in flight (so a few solutions
   with many tests still use every worker). If an earlier test then fails, later results are discarded: the
   verdict is always the first failing test in test order.

A solution's preparation (e.g. a C++ compile) runs on separate threads; its tests are handed out once it is ready.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from .verdict import TestResult, Verdict


@dataclass
class Job:
    """One unique solution of one problem, with the tests it must pass."""

    key: str
    payload: Any  # whatever the engine needs to run it
    n_tests: int
    stop_at_first_failure: bool = True
    ready: bool = True  # False until prepared (compiled)
    next_test: int = 0
    in_flight: set[int] = field(default_factory=set)
    results: dict[int, TestResult] = field(default_factory=dict)
    first_failure: int | None = None
    final: TestResult | None = None  # a verdict that ends the job without tests (CE, SE in preparation)
    done: bool = False

    def remaining(self) -> bool:
        if self.final is not None:
            return False
        limit = self.first_failure if self.stop_at_first_failure and self.first_failure is not None else self.n_tests
        return self.next_test < limit


class Scheduler:
    def __init__(self, window: int):
        self.window = max(1, window)
        self._lock = threading.Condition()
        self._new: deque[Job] = deque()
        self._open: list[Job] = []  # started, not done, in start order
        self._closed = False
        self._finished: deque[Job] = deque()

    # -- producer side

    def add(self, job: Job) -> None:
        with self._lock:
            self._new.append(job)
            self._lock.notify_all()

    def close(self) -> None:
        """No more jobs will be added."""
        with self._lock:
            self._closed = True
            self._lock.notify_all()

    # -- worker side

    def next_unit(self, timeout: float | None = None) -> tuple[Job, int] | None:
        """Blocks until a test can run; None when everything is finished (or on timeout)."""
        with self._lock:
            while True:
                unit = self._pick()
                if unit is not None:
                    return unit
                if self._closed and not self._new and not self._open:
                    return None
                if not self._lock.wait(timeout):
                    return None

    def _pick(self) -> tuple[Job, int] | None:
        for job in self._open:
            if job.ready and not job.in_flight and job.remaining():
                return self._dispatch(job)
        while self._new and len(self._open) < self.window:
            job = self._new.popleft()
            self._open.append(job)
            if job.ready and job.remaining():
                return self._dispatch(job)
            if job.ready:  # nothing to run (no tests, or already final)
                self._finish(job)
        for job in self._open:
            if job.ready and job.remaining():
                return self._dispatch(job)
        return None

    def _dispatch(self, job: Job) -> tuple[Job, int]:
        i = job.next_test
        job.next_test += 1
        job.in_flight.add(i)
        return job, i

    def report(self, job: Job, index: int, result: TestResult) -> None:
        with self._lock:
            job.in_flight.discard(index)
            job.results[index] = result
            if result.verdict is not Verdict.AC and (job.first_failure is None or index < job.first_failure):
                job.first_failure = index
            self._maybe_finish(job)
            self._lock.notify_all()

    def retry(self, job: Job, index: int) -> None:
        """Give a test back (its worker failed); it will be handed out again."""
        with self._lock:
            job.in_flight.discard(index)
            job.next_test = min(job.next_test, index)
            for i in range(index, job.next_test):
                job.results.pop(i, None)
            self._lock.notify_all()

    def mark_ready(self, job: Job, final: TestResult | None = None) -> None:
        """Preparation finished; ``final`` ends the job without running tests (e.g. a compile error)."""
        with self._lock:
            job.ready = True
            job.final = final
            self._maybe_finish(job)
            self._lock.notify_all()

    def _maybe_finish(self, job: Job) -> None:
        if job.done or not job.ready:
            return
        if job.final is not None:
            if not job.in_flight:
                self._finish(job)
            return
        if job.stop_at_first_failure and job.first_failure is not None:
            if all(i in job.results for i in range(job.first_failure)) and not any(
                    i < job.first_failure for i in job.in_flight):
                self._finish(job)
            return
        if job.next_test >= job.n_tests and not job.in_flight:
            self._finish(job)

    def _finish(self, job: Job) -> None:
        job.done = True
        if job in self._open:
            self._open.remove(job)
        elif job in self._new:  # ended in preparation (a compile error) before it was opened
            self._new.remove(job)
        self._finished.append(job)

    def pop_finished(self) -> list[Job]:
        with self._lock:
            out = list(self._finished)
            self._finished.clear()
            return out

    def wait_finished(self, timeout: float | None = None) -> list[Job]:
        with self._lock:
            if not self._finished:
                self._lock.wait(timeout)
            out = list(self._finished)
            self._finished.clear()
            return out

    @property
    def idle(self) -> bool:
        with self._lock:
            return self._closed and not self._new and not self._open
