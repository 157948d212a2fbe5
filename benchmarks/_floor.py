"""The physical floor of a Python judging workload: the CPU time the solutions themselves need.

Each test runs once in a bare fork server (no sandbox, no IPC, no checker): the server pre-imports what the judge's
zygote pre-imports (all of it, also what it imports only once a LiveCodeBench-prelude code comes), then per test forks a child that gets the input on a memfd as fd 0, compiles and runs the code
as ``__main__`` (functional tests: calls the method with the arguments), flushes and ``_exit``-s; the parent reads
the child's CPU time (user + system) from ``wait4``. Compiling the code is counted (a fresh solution has to be
compiled once), interpreter start-up is not (every judge amortises it). The tests run under the judge's limits:
its address-space limit and its stack limit (the memory limit, as on Codeforces: a deeply recursive solution
recurses on instead of crashing at the usual 8 MB), and a test that reaches its CPU limit counts the limit (what any
judge must spend to call it a TLE; the run itself is ended by RLIMIT_CPU a little later). The floor of a run on
``cores`` cores is ``sum(cpu) / cores``: no judge can finish sooner.

    from _floor import solution_cpu_times
    cpu = solution_cpu_times(jobs, workers=2)   # jobs: [{"code", "kind", "input", "fn_name", "cpu"}]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

from codecritique.judge.limits import DEFAULT_MEMORY_MB
from codecritique.judge.sandboxed import zygote_python
from codecritique.judge.sandboxed.zygote_python import LCB_PRELUDE, PRELOAD

# what the zygote imports once a prelude code comes (older versions of it: nothing more)
PRELUDE_PRELOAD = getattr(zygote_python, "PRELUDE_PRELOAD", [])

CLEAN_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/tmp"}

SERVER = r"""
import json, os, resource, sys
PRELOAD, PRELUDE, MEM_MB = json.loads(sys.argv[2]), json.loads(sys.argv[3]), int(sys.argv[4])
for m in PRELOAD:
    __import__(m)
with open(sys.argv[1]) as f:
    jobs = json.load(f)
fi, fo, fe = (os.memfd_create(n, 0) for n in ("in", "out", "err"))
out = []
for job in jobs:
    for fd in (fi, fo, fe):
        os.ftruncate(fd, 0); os.lseek(fd, 0, 0)
    kind = job.get("kind", "stdin")
    os.write(fi, job["input"].encode() if kind == "stdin" else b""); os.lseek(fi, 0, 0)
    pid = os.fork()
    if pid == 0:
        cpu = int(job.get("cpu", 6)) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        mem = MEM_MB << 20  # as the judge's set_limits
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
        hard = resource.getrlimit(resource.RLIMIT_STACK)[1]
        resource.setrlimit(resource.RLIMIT_STACK, (mem if hard == resource.RLIM_INFINITY else min(mem, hard), hard))
        os.dup2(fi, 0); os.dup2(fo, 1); os.dup2(fe, 2)
        ns = {"__name__": "__main__", "__builtins__": __builtins__}
        rc = 0
        try:
            src = (PRELUDE if job.get("prelude") else "") + job["code"]
            exec(compile(src, "solution.py", "exec"), ns)
            if kind == "functional":
                args = [json.loads(line) for line in job["input"].split("\n") if line.strip()]
                fn = job["fn_name"]
                target = getattr(ns["Solution"](), fn) if isinstance(ns.get("Solution"), type) else ns[fn]
                print(repr(target(*args)))
        except SystemExit as e:
            rc = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except BaseException:
            rc = 1
        try:  # what interpreter shutdown waits for: non-daemon threads, atexit handlers
            if "threading" in sys.modules:
                sys.modules["threading"]._shutdown()
            import atexit
            atexit._run_exitfuncs()
        except BaseException:
            pass
        try:
            sys.stdout.flush()
        except BaseException:
            pass
        os._exit(rc & 0xFF)
    _, status, ru = os.wait4(pid, 0)
    out.append(min(ru.ru_utime + ru.ru_stime, float(job.get("cpu", 6))))
print(json.dumps(out))
"""


def solution_cpu_times(jobs: list[dict], workers: int = 1, python: str = sys.executable) -> list[float]:
    """CPU seconds of each job (see the module doc), run on ``workers`` bare fork servers in parallel."""
    if not jobs:
        return []
    shards = [jobs[i::workers] for i in range(workers)]
    with tempfile.TemporaryDirectory() as d:
        procs = []
        for k, shard in enumerate(shards):
            path = os.path.join(d, f"jobs{k}.json")
            with open(path, "w") as f:
                json.dump(shard, f)
            procs.append(subprocess.Popen([python, "-c", SERVER, path, json.dumps(PRELOAD + PRELUDE_PRELOAD),
                                           json.dumps(LCB_PRELUDE), str(DEFAULT_MEMORY_MB)],
                                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=CLEAN_ENV, cwd=d))
        results = []
        for p in procs:
            out, _ = p.communicate()
            if p.returncode != 0:
                raise RuntimeError(f"the bare fork server failed (exit {p.returncode})")
            results.append(json.loads(out))
    times = [0.0] * len(jobs)
    for k, shard_times in enumerate(results):
        for j, t in enumerate(shard_times):
            times[k + j * workers] = t
    return times


# ---------------------------------------------------------------- CPU time of a judge's processes, from /proc

TICK = os.sysconf("SC_CLK_TCK")


def proc_times(pid: int) -> tuple[float, float]:
    """(own CPU seconds, CPU seconds of its waited-for children) of a process."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ut, st, cut, cst = (int(x) for x in fields[11:15])
    return (ut + st) / TICK, (cut + cst) / TICK


def descendants(pid: int) -> list[int]:
    children = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(d))
            except OSError:
                pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for c in children.get(p, []):
            out.append(c)
            todo.append(c)
    return out


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(c) for c in f.read().split()]
    except OSError:
        return []


def zygote_pids(judge: Judge) -> list[int]:
    """The zygote of each worker (the python process right below bwrap, or the worker's process itself) and its fork
    server (the zygote's long-lived child that forks and reaps the test processes), where it has one."""
    pids = []
    for w in judge.workers:
        if w.proc is None:
            continue
        cands = [w.proc.pid] + descendants(w.proc.pid)
        for p in cands:
            try:
                with open(f"/proc/{p}/cmdline", "rb") as f:
                    cmd = f.read()
            except OSError:
                continue
            if b"zygote" in cmd and b"bwrap" not in cmd.split(b"\0")[0]:
                pids.append(p)
                pids += [c for c in _children(p) if _is_fork_server(c)]
                break
    return pids


def _is_fork_server(pid: int) -> bool:
    """Whether a child of the zygote is its fork server: the one that holds a socket (an init holds none)."""
    try:
        return any(os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:") for fd in os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return False


def judge_cpu(judge) -> float:
    """CPU seconds used so far by this process and by the judge's zygotes and fork servers with everything they reaped
    (tests)."""
    me = os.times()
    return me.user + me.system + sum(sum(proc_times(p)) for p in zygote_pids(judge))
