"""Every generated test of one solution in one sandboxed run, on the judge's workers (the ``batched`` mode of
:mod:`.dual_execution`): each assert in its own copy of the solution's globals, under its own CPU-time limit
(``ITIMER_PROF``, re-armed so a bare ``except:`` cannot swallow it), the solution's output discarded; per test:
passed, and the digest of the value the call returned."""

from __future__ import annotations

import json

from codecritique.judge.requests import code_key
from codecritique.judge.sandbox import SandboxConfig, resolve_kind
from codecritique.judge.worker import RunRequest, Worker, WorkerError
from codecritique.problems.generated_tests import VALUE_NAME, GeneratedTests, split_value
from codecritique.problems.model import Problem

_HARNESS = r"""

def __codecritique_run_generated(__cases, __limit):
    import contextlib as _c, hashlib as _h, io as _io, json as _j, signal as _s, sys as _sys

    class _Limit(BaseException):
        pass

    def _alarm(*_a):
        raise _Limit()

    _s.signal(_s.SIGPROF, _alarm)
    _base = dict(globals())
    _out = []
    for _value, _check in __cases:
        _ns = dict(_base)
        _digest = None
        _sink = _io.StringIO()
        try:
            with _c.redirect_stdout(_sink), _c.redirect_stderr(_sink):
                _s.setitimer(_s.ITIMER_PROF, __limit, 0.05)
                try:
                    if _value is not None:
                        _v = eval(_value, _ns)
                        _ns["%(value)s"] = _v
                        try:
                            _digest = _h.sha256(repr(_v).encode("utf-8", "replace")).hexdigest()[:12]
                        except BaseException:
                            _digest = "unrepresentable"
                    exec(_check, _ns)
                finally:
                    _s.setitimer(_s.ITIMER_PROF, 0, 0)
            _out.append([1, _digest or "AC"])
        except _Limit:
            _out.append([0, "TLE"])
        except AssertionError:
            _out.append([0, _digest or "WA"])
        except BaseException:
            _out.append([0, _digest or "RE"])
    _sys.__stdout__.write("\n%(marker)s" + _j.dumps(_out) + "\n")
    _sys.__stdout__.flush()


__codecritique_run_generated(%(cases)s, %(limit)r)
"""
_MARKER = "@@codecritique-generated@@"


class BatchRunner:
    """Runs all generated tests of one solution in one sandboxed run, on the judge's workers (see module doc)."""

    def __init__(self, time_limit: float, workers: int = 0, sandbox: str = "bwrap", memory_mb: int = 2048):
        import os as _os

        self.time_limit = time_limit  # CPU seconds per test
        self.memory_mb = memory_mb
        kind, self.warning = resolve_kind(sandbox)
        n = workers or _os.cpu_count() or 1
        self.workers = [Worker(i, SandboxConfig(kind=kind), kind) for i in range(n)]

    def __enter__(self) -> "BatchRunner":
        return self

    def __exit__(self, *exc) -> None:
        for w in self.workers:
            w.close()

    def _source(self, code: str, cases: list[tuple[str | None, str]]) -> str:
        return code + _HARNESS % {"value": VALUE_NAME, "marker": _MARKER, "cases": repr(cases),
                                  "limit": float(self.time_limit)}

    def run(self, items: list[tuple[Problem, GeneratedTests, str]]) -> list[tuple[list[int], list[str]]]:
        """(passed test indices, per-test output digest or verdict) for each (problem, tests, code), in order;
        identical (problem, code) pairs are run once."""
        import queue
        import threading

        split: dict[str, list[tuple[str | None, str]]] = {}
        unique: dict[tuple[str, str], int] = {}
        order = []
        prelude: dict[str, bool] = {}
        for p, g, code in items:
            if p.id not in split:
                entry = p.metadata.get("entry_point") or p.fn_name or ""
                split[p.id] = [split_value(c, entry) for c in g.cases]
                # a LeetCode method: the solution relies on LeetCode's implicit imports (List, ...), as in the judge
                prelude[p.id] = not p.metadata.get("entry_point") and bool(p.fn_name)
            order.append(unique.setdefault((p.id, code), len(unique)))
        jobs = list(unique)
        results: list[tuple[list[int], list[str]] | None] = [None] * len(jobs)
        todo: queue.Queue = queue.Queue()
        for i in range(len(jobs)):
            todo.put(i)

        def drive(worker: Worker) -> None:
            while True:
                try:
                    i = todo.get_nowait()
                except queue.Empty:
                    return
                pid, code = jobs[i]
                results[i] = self._one(worker, code, split[pid], prelude[pid])

        threads = [threading.Thread(target=drive, args=(w,), daemon=True) for w in self.workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return [results[j] for j in order]  # type: ignore[misc]

    def _one(self, worker: Worker, code: str, cases: list[tuple[str | None, str]],
             prelude: bool = False) -> tuple[list[int], list[str]]:
        n = len(cases)
        source = self._source(code, cases)
        key = code_key("python-generated", source, prelude)
        cpu = self.time_limit * n + 1.0
        for attempt in range(3):
            try:
                if not worker.alive:
                    worker.start()
                err = worker.load(key, source, prelude=prelude)
                if err is not None:
                    return [], ["CE"] * n
                out = worker.run(RunRequest(key=key, kind="program", cpu_limit=cpu, wall_limit=3 * cpu + 5,
                                            memory_mb=self.memory_mb, output_cap=16 << 20, nproc=64))
                break
            except WorkerError:
                worker.close()
        else:
            return [], ["SE"] * n
        text = out.stdout.decode("utf-8", "replace")
        at = text.rfind(_MARKER)
        if at < 0:  # killed (CPU limit of the whole run), exited early, or crashed
            verdict = "TLE" if out.wall_killed or (out.cpu_time >= cpu) else "RE"
            return [], [verdict] * n
        try:
            rows = json.loads(text[at + len(_MARKER):].strip().splitlines()[0])
        except (ValueError, IndexError):
            return [], ["RE"] * n
        if len(rows) != n:
            return [], ["RE"] * n
        return [i for i, (ok, _) in enumerate(rows) if ok], [d for _, d in rows]
