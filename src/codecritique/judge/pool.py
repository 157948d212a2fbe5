"""The judge's worker pool: one sandboxed worker (a zygote) per thread, fed tests by the :class:`Scheduler`.

Each worker thread runs a pipelined loop: while a test runs, the next unit's request is already sent (with the
code, when the worker does not hold it yet, so a fresh solution costs one round trip), so the zygote starts it as
soon as the previous one ends. A worker that fails
(crash, hang, garbage) is restarted and the test retried; after ``retries`` failures the test's verdict is SE,
which never counts as a wrong answer.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from .counters import Counters
from .outcome import classify
from .requests import Payload, RequestBuilder
from .sandbox import SandboxConfig
from .scheduler import Job, Scheduler
from .verdict import TestResult, Verdict
from .worker import RunOutcome, RunRequest, Worker, WorkerError

log = logging.getLogger(__name__)


class WorkerPool:
    """``requests`` says what each test runs; what happens is counted into ``counters`` (the judge's)."""

    def __init__(self, n: int, sandbox_config: SandboxConfig, kind: str, retries: int, requests: RequestBuilder,
                 counters: Counters):
        self.sandbox_config = sandbox_config
        self.workers = [Worker(i, sandbox_config, kind) for i in range(n)]
        self.retries = retries
        self.requests = requests
        self.counters = counters
        self._started = False

    # -- life cycle

    def start(self, ro_bind: str | None = None) -> None:
        """Start every worker (at least one must start); ``ro_bind``: a host path the sandbox must show (the C++
        binary cache): workers started without it start again."""
        if ro_bind is not None and ro_bind not in self.sandbox_config.ro_binds:
            self.sandbox_config.ro_binds.append(ro_bind)
            for w in self.workers:
                w.close()
            self._started = False
        if self._started:
            return
        errors = []
        for w in self.workers:
            try:
                w.start()
            except WorkerError as e:
                errors.append(str(e))
        if len(errors) == len(self.workers):
            raise RuntimeError(f"no judge worker could start: {errors[0]}")
        self._started = True

    def close(self) -> None:
        for w in self.workers:
            w.close()

    # -- running jobs

    def execute(self, jobs: list[Job], on_finished: Callable[[Job], None],
                prepare: Callable[[list[Job], Scheduler], None]) -> None:
        """Run every test the jobs need; ``prepare(jobs, scheduler)`` starts the preparation of the jobs that are
        not ready (C++ compiles), ``on_finished(job)`` is called in this thread as each job ends."""
        sched = Scheduler(window=4 * len(self.workers))
        for job in jobs:
            sched.add(job)
        sched.close()
        prepare([job for job in jobs if not job.ready], sched)
        threads = [threading.Thread(target=self._worker_loop, args=(w, sched), daemon=True,
                                    name=f"judge-worker-{w.index}") for w in self.workers]
        for t in threads:
            t.start()
        remaining = len(jobs)
        while remaining:
            finished = sched.wait_finished(timeout=1.0)
            if not finished and not any(t.is_alive() for t in threads):
                # the workers exit as soon as the last job is finished: collect what they finished meanwhile
                finished = sched.pop_finished()
                if not finished:
                    raise RuntimeError("all judge worker threads died")
            for job in finished:
                remaining -= 1
                on_finished(job)
        for t in threads:
            t.join()

    def _worker_loop(self, worker: Worker, sched: Scheduler) -> None:
        """Take units from the scheduler and run them. While a test runs, the next unit's request is already sent
        (with its code if the worker does not hold it; only if it fits in the request pipe whole, see
        Worker.fits_in_flight), so the zygote starts it as soon as the previous one ends and the judge's own work on a result overlaps the next test. The next unit is often
        the same solution's next test, handed out speculatively: results after a failing test are discarded."""
        pending: tuple[Job, int, RunRequest, float] | None = None
        while True:
            unit = sched.next_unit(timeout=0.0) if pending else sched.next_unit()
            if unit is None and pending is None:  # the blocking call returns None only when all is done
                return
            sent = None
            if unit is not None:
                job, index = unit
                try:
                    if worker.alive:
                        # code the worker does not hold yet goes with the request (compiled, then run, in one
                        # round trip); code known not to compile goes the plain way (its CE, no request)
                        code = self.requests.code(job.payload, index)
                        known = code.key in worker.loaded
                        if not known or worker.has(code.key):
                            req = self.requests.request(job.payload, index, code)
                            if pending is None or worker.fits_in_flight(req, "" if known else code.source):
                                sent = (job, index, req, worker.submit(req, load=None if known else code))
                                unit = None
                except WorkerError as e:
                    log.warning("worker %d: %s (sending)", worker.index, e)
                    worker.close()
                except Exception:  # a bug of ours: the unit runs on the plain path below, which reports it
                    log.exception("judge worker %d failed preparing a test", worker.index)
            if pending is not None:
                job0, index0, req0, t0 = pending
                try:
                    result = self._result(job0.payload, index0, req0, worker.collect(req0, t0))
                except WorkerError as e:  # the zygote died: what was in flight runs again on the plain path
                    log.warning("worker %d: %s (attempt 1)", worker.index, e)
                    worker.close()
                    result = self._run_unit(worker, job0, index0)
                    if sent is not None:
                        unit, sent = sent[:2], None
                except Exception as e:
                    result = self._internal_error(worker, index0, e)
                self._deliver(sched, job0, index0, result)
                if sent is not None:  # its wait only begins now (the zygote answers in order)
                    sent = (*sent[:3], time.monotonic())
            pending = sent
            if unit is not None:
                self._deliver(sched, unit[0], unit[1], self._run_unit(worker, unit[0], unit[1]))

    def _run_unit(self, worker: Worker, job: Job, index: int) -> TestResult:
        try:
            return self._run_test(worker, job, index)
        except Exception as e:
            return self._internal_error(worker, index, e)

    @staticmethod
    def _internal_error(worker: Worker, index: int, e: Exception) -> TestResult:
        """A bug of ours while running a test: logged and reported as SE, never a dead worker thread."""
        log.exception("judge worker %d failed", worker.index)
        return TestResult(Verdict.SE, index, message=f"internal error: {type(e).__name__}: {e}")

    def _result(self, p: Payload, index: int, req: RunRequest, outcome: RunOutcome) -> TestResult:
        """The verdict of a test from what its run produced (and the time that took, accounted)."""
        if outcome.compile_error is not None:  # its code came with the request and does not compile
            return TestResult(Verdict.CE, index, message=outcome.compile_error)
        t0 = time.monotonic()
        result = classify(outcome, p.tests[index], index, p.limits, p.checker, mode_binary=p.language == "cpp",
                          compat=bool(req.compat))
        self._account(outcome.times, time.monotonic() - t0)
        return result

    @staticmethod
    def _deliver(sched: Scheduler, job: Job, index: int, result: TestResult) -> None:
        if result.verdict is Verdict.CE:
            sched.mark_ready(job, final=result)
        sched.report(job, index, result)

    # -- running tests

    def _run_test(self, worker: Worker, job: Job, index: int) -> TestResult:
        p: Payload = job.payload
        last_error = ""
        for attempt in range(self.retries + 1):
            try:
                if not worker.alive:
                    if attempt or worker.starts:
                        self.counters.stats["worker_restarts"] += 1
                    worker.start()
                code = self.requests.code(p, index)
                err = code.load(worker)
                if err is not None:  # a Python syntax error
                    return TestResult(Verdict.CE, index, message=err)
                req = self.requests.request(p, index, code)
                return self._result(p, index, req, worker.run(req))
            except WorkerError as e:
                last_error = str(e)
                log.warning("worker %d: %s (attempt %d)", worker.index, e, attempt + 1)
                worker.close()
                time.sleep(0.05 * (attempt + 1))
        self.counters.stats["system_errors"] += 1
        return TestResult(Verdict.SE, index, message=f"judge system error after {self.retries + 1} "
                                                     f"attempts: {last_error}")

    def _account(self, times: dict[str, float], compare: float) -> None:
        with self.counters.lock:
            self.counters.stats["tests_run"] += 1
            t = self.counters.timing
            for name in ("fork", "setup", "run"):
                t[name] += times.get(name, 0.0)
            zygote = times.get("zygote", 0.0)
            t["zygote_other"] += max(0.0, zygote - sum(times.get(n, 0.0) for n in ("fork", "setup", "run")))
            t["ipc"] += max(0.0, times.get("roundtrip", 0.0) - zygote)
            t["compare"] += compare
