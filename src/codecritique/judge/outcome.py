"""From a raw run outcome (exit status, rusage, output) to a test verdict."""

from __future__ import annotations

import hashlib
import re
import signal as _signal

from ..problems.model import Test
from .checkers import Checker, check_functional
from .limits import Limits
from .verdict import TestResult, Verdict
from .worker import RunOutcome

_MEMORY_MARKERS = ("MemoryError", "std::bad_alloc", "Cannot allocate memory", "out of memory")


def _signal_name(sig: int) -> str:
    try:
        return _signal.Signals(sig).name
    except ValueError:
        return f"signal {sig}"


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip()[:300] if lines else ""


def _exception_name(stderr: str) -> str | None:
    m = re.search(r"^(\w+(?:\.\w+)*)(?::|$)", _last_line(stderr))
    return m.group(1) if m else None


def classify(out: RunOutcome, test: Test, index: int, limits: Limits, checker: Checker,
             mode_binary: bool = False, compat: bool = False) -> TestResult:
    """``mode_binary``: a compiled program (its program tests pass on the end-of-test token written by our main
    wrapper, see cpp.MAIN_WRAPPER, or on exit code 0 alone when no token was asked for: ``--profile lcb-cpp``).
    ``compat``: run in LiveCodeBench's compatibility mode (its captured output is in ``out.result``)."""
    stderr = out.stderr_tail.decode("utf-8", "replace")
    result = out.result
    ended = not out.token  # the harness's normal end was reached (or no token was asked for)
    if out.token and result.startswith(out.token):
        ended, result = True, result[len(out.token):]
    produced = result if (compat or test.kind == "functional") else out.stdout
    res = TestResult(verdict=Verdict.AC, index=index, cpu_time=round(out.cpu_time, 4),
                     output_digest=hashlib.sha256(produced).hexdigest()[:16],
                     wall_time=round(out.wall_time, 4), memory_kb=out.rss_kb, exit_code=out.exit_code,
                     signal=out.signal, stderr_tail=stderr[-1000:])

    def done(verdict: Verdict, message: str) -> TestResult:
        res.verdict, res.message = verdict, message
        return res

    if out.wall_killed:
        return done(Verdict.TLE, f"wall-clock limit exceeded after {out.wall_time:.1f} s (CPU {out.cpu_time:.2f} s)")
    if out.signal == _signal.SIGXCPU or out.cpu_time > limits.cpu:
        return done(Verdict.TLE, f"CPU time {out.cpu_time:.2f} s > limit {limits.cpu:g} s")
    if out.stdout_size > limits.output_bytes or out.stderr_size > limits.output_bytes or \
            out.signal == _signal.SIGXFSZ:
        return done(Verdict.OLE, f"output exceeds {limits.output_bytes >> 20} MiB")
    crashed = out.signal is not None or out.exit_code not in (0, None)
    if crashed and (any(m in stderr for m in _MEMORY_MARKERS) or out.rss_kb > limits.memory_mb * 1024):
        return done(Verdict.MLE, f"memory limit of {limits.memory_mb} MiB exceeded" +
                    (f": {_last_line(stderr)}" if stderr.strip() else ""))
    if test.kind == "program" and mode_binary and (
            out.signal == _signal.SIGABRT and "Assertion `" in stderr or out.signal is None and crashed):
        # a C++ test program's assert(), or its own non-zero exit code (LiveCodeBench-CPP's harnesses)
        return done(Verdict.WA, f"assertion failed: {_last_line(stderr)}" if out.signal else
                    f"the test program reported a failure (exit code {out.exit_code})")
    if out.signal is not None:
        return done(Verdict.RE, f"killed by {_signal_name(out.signal)}" +
                    (f": {_last_line(stderr)}" if stderr.strip() else ""))
    if out.exit_code != 0:
        if test.kind == "program" and _exception_name(stderr) == "AssertionError":
            return done(Verdict.WA, f"assertion failed: {_last_line(stderr)}")
        return done(Verdict.RE, f"exit code {out.exit_code}" + (f": {_last_line(stderr)}" if stderr.strip() else ""))
    if test.kind == "program":
        # exit code 0 alone proves nothing (os._exit(0), a signal handler, an atexit handler, a static initializer
        # can all produce it): the test's token must have come back. Without a token (--profile lcb-cpp), the exit
        # code alone decides, as in LiveCodeBench-CPP.
        if not ended or out.token and result:
            return done(Verdict.WA, "exit code 0, but the test program did not reach its normal end (an early "
                                    "exit, or its end-of-test token was not written)")
        return res
    if test.kind == "functional":
        if not ended or not result:
            return done(Verdict.RE, "exited without returning a value")
        ok, msg = check_functional(test.output, result, checker.functional_mode)
    else:
        raw = result if compat else out.stdout  # LiveCodeBench's captured output, or the real stdout
        ok, msg = checker.compare(test.input, test.output, raw.decode("utf-8", "replace"))
    return res if ok else done(Verdict.WA, msg)
