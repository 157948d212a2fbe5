"""The fork server ("zygote") that runs solutions. Standard library only: it is started as a script inside the
sandbox and must not import the codecritique package.

One zygote serves one judge worker, one test at a time. It starts once, pre-imports the usual modules, compiles
each solution once, and then forks a child per test. The child gets real file descriptors (memfds) on 0/1/2, an
unprivileged uid, rlimits and a seccomp filter, and then either runs the Python code in a fresh ``__main__`` from
this file's top level -- so uncaught exceptions, ``sys.exit``, ``os._exit``, atexit handlers and non-daemon threads
behave exactly as in ``python3 solution.py < input`` -- or ``execve``-s a binary.

How a test is kept from outliving its verdict depends on what the zygote may do (the "strategy", chosen once):

* ``fork``   (root, seccomp available): one fork per test; the seccomp filter forbids creating processes (threads
  are allowed), so nothing can survive the solution. The next test's process is forked while a test runs and
  waits, set up, for its test; consecutive tests alternate between the worker's two uids, so a test can neither
  signal nor inspect the process that will run the next one.
* ``pidns``  (root, no process filter): zygote -> init (PID 1 of a new PID + mount namespace, private /proc and
  tmpfs) -> solution. When init exits, the kernel kills everything left in the namespace.
* ``userns`` (unprivileged): as ``pidns`` inside a new user namespace.
* ``plain``  (``--sandbox none`` or nothing else works): fork into a process group, killed afterwards.

This file holds the request loop and the test processes' life; ``zygote_protocol.py`` the frames on its pipes,
``zygote_isolation.py`` how tests are isolated (namespaces, uids, seccomp, rlimits, clean-up; the kernel calls in
``zygote_kernel.py``), ``zygote_python.py`` how a Python solution runs.
"""

import fcntl
import json
import marshal
import os
import resource
import select
import signal
import struct
import sys
import time

# siblings in this folder (the script's directory is sys.path[0] when the zygote starts)
import zygote_isolation as iso
import zygote_protocol as proto
import zygote_python as py

REQ_FD, REP_FD = 3, 4  # overridden by the config ("req_fd", "rep_fd")


# ---------------------------------------------------------------- the zygote


class Zygote:
    def __init__(self, cfg):
        self.codes = {}  # key -> (code object or None, source, filename, marshalled code)
        self.box = iso.Confinement(cfg)
        self.workdir, self.strategy, self.ns_flags = self.box.workdir, self.box.strategy, self.box.ns_flags
        self.written = None  # key of the solution file currently in workdir
        self.standby = None  # (pid, go pipe) of the next test process, already set up
        self.standby_fork_time = 0.0
        self.compat_ready = False  # what LiveCodeBench-compatible tests import is imported (py.preload_compat)
        self.prelude_ready = False  # what LiveCodeBench's prelude imports is imported (py.PRELUDE_PRELOAD)
        self.fds = {name: os.memfd_create(name, 0) for name in ("stdin", "stdout", "stderr", "result")}
        self.status_r, self.status_w = os.pipe()
        os.set_blocking(self.status_r, False)
        self.box.prepare()

    # -- requests

    def serve(self):
        if self.box.fatal:
            proto.send(REP_FD, {"ok": False, "error": self.box.fatal})
            os._exit(0)
        proto.send(REP_FD, {"ok": True, "strategy": self.strategy, "seccomp": bool(self.box.seccomp), "pid": os.getpid(),
               "ipc_private": self.box.ipc_private})
        while True:
            if not self.ns_flags and self.standby is None:
                job = self._spawn_standby()
                if job is not None:  # only in the (former) standby process, now running a test
                    return job
            try:
                head, blobs = proto.recv(REQ_FD)
            except EOFError:
                os._exit(0)
            op = head.get("op")
            try:
                if op == "load":
                    proto.send(REP_FD, self.load(head, blobs))
                elif op == "run":
                    job = self.run(head, blobs)
                    if job is not None:  # only in the solution process (namespace strategies)
                        return job
                elif op == "drop":
                    self.codes.pop(head["key"], None)
                    proto.send(REP_FD, {"ok": True})
                elif op == "ping":
                    proto.send(REP_FD, {"ok": True})
                else:
                    proto.send(REP_FD, {"ok": False, "error": f"unknown op {op!r}"})
            except Exception as e:  # the judge records a system error and retries on a fresh worker
                proto.send(REP_FD, {"ok": False, "error": f"{type(e).__name__}: {e}"})

    def load(self, head, blobs):
        key = head["key"]
        filename = head.get("filename", "solution.py")
        source = blobs[0].decode("utf-8", "surrogateescape")
        code = None
        if head.get("lang", "python") == "python":
            prelude = py.LCB_PRELUDE if head.get("prelude") else ""
            if prelude and not self.prelude_ready:
                self._preload(py.import_prelude_modules)
                self.prelude_ready = True
            if head.get("compat") and not self.compat_ready:
                self._preload(py.preload_compat)
                self.compat_ready = True
            try:
                if head.get("compat"):  # LiveCodeBench's in-process execution, bug for bug
                    code = compile(py.lcb_compat().transform(source, prelude), filename, "exec", dont_inherit=True)
                else:
                    code = compile(prelude + source, filename, "exec", dont_inherit=True)
            except (SyntaxError, ValueError, OverflowError, MemoryError, RecursionError) as e:
                return {"ok": True, "compile_error": py.format_compile_error(e, prelude)}
        self.codes.pop(key, None)  # a reload moves it to the end (the judge remembers its last 200 in this order)
        if len(self.codes) >= 256:
            self.codes.pop(next(iter(self.codes)))
        self.codes[key] = (code, source, filename, marshal.dumps(code) if code is not None else b"")
        return {"ok": True}

    def _preload(self, do_import):
        """Import what some tests need once, here (``do_import()``); the standby process, forked before, is replaced
        by one that has it (forked before its test)."""
        do_import()
        if self.standby is not None:
            pid, go = self.standby
            self.standby = None
            os.close(go)  # it exits on EOF
            os.waitpid(pid, 0)

    def _test_message(self, head, key):
        """What the test process needs to know, beyond what it inherited."""
        return {k: head.get(k) for k in ("kind", "mode", "fn_name", "args", "argv", "cpu", "mem_mb", "out_cap",
                                         "nproc", "compat", "token")} | {"filename": self.codes[key][2], "key": key}

    def run(self, head, blobs):
        t_start = time.monotonic()
        key = head["key"]
        if key not in self.codes:
            if head.get("load") is None:
                proto.send(REP_FD, {"ok": False, "error": "unknown code key", "missing": True})
                return None
            # the code came with the request (blobs: stdin, source): compile it, then run the test, in one round
            # trip; a compile error is the reply and nothing runs
            loaded = self.load(dict(head["load"], key=key), blobs[1:2])
            if loaded.get("compile_error") is not None:
                proto.send(REP_FD, loaded)
                return None
        out_cap = int(head.get("out_cap", 64 << 20))
        for fd in self.fds.values():
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
        proto.write_all(self.fds["stdin"], blobs[0] if blobs else b"")
        os.lseek(self.fds["stdin"], 0, os.SEEK_SET)
        # The end-of-test token: random per test, waiting in the result file (fd 3 of the test) for the harness,
        # which takes it and empties the file before any of the solution's code runs (Python), or first thing in
        # main() (the C++ wrapper); only the harness's normal end writes it back. See _apply_test.
        token = os.urandom(16).hex().encode() if head.get("token") else b""
        if token:
            os.pwrite(self.fds["result"], token, 0)
        python = head.get("mode", "python") == "python"
        if python and not self.ns_flags and self.written != key:
            self._write_source(self.workdir, key)
            self.written = key
        msg = self._test_message(head, key)
        if self.ns_flags:
            t_fork = time.monotonic()
            pid = iso.raw_clone(self.ns_flags)
            if pid == 0:
                return self._init(msg, key)  # returns only in the solution process
            fork_time = time.monotonic() - t_fork
        else:  # hand the test to the standby process, which forked and set itself up after the previous test
            if self.standby is None:  # replaced by a load just now (see _preload)
                job = self._spawn_standby()
                if job is not None:
                    return job  # in that process, once its test has come
            pid, go = self.standby
            self.standby = None
            fork_time = self.standby_fork_time
            h = json.dumps(msg).encode()
            code = self.codes[key][3]
            try:
                proto.write_all(go, struct.pack(">II", len(h), len(code)) + h + code)
            except OSError:
                pass  # it died setting itself up; _wait reports why
            finally:
                os.close(go)
            t_go = time.monotonic()
            # Fork the next test's process now, while this test runs (on another core if there is one).
            job = self._spawn_standby()
            if job is not None:
                return job  # in that next test's process, once its own test has come
        if self.ns_flags:
            t_go = time.monotonic()
        status, rusage, wall, killed, ready, t_exit = self._wait(pid, float(head.get("wall", 10.0)),
                                                                 None if self.ns_flags else iso.cpu_limit(head))
        if self.strategy == "plain":
            iso.kill_group(pid)
        t_ready, cpu_before = ready or (t_go, 0.0)
        rep = {"ok": True, "wall": wall, "wall_killed": killed, "rss_kb": rusage.ru_maxrss, "minflt": rusage.ru_minflt,
               "cpu": max(0.0, rusage.ru_utime + rusage.ru_stime - cpu_before), "token": token.decode()}
        if isinstance(status, str):
            rep.update(ok=False, error=status)
        elif status is None:
            rep.update(exit=None, signal=signal.SIGKILL if killed else None)
        else:
            rep.update(exit=os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
                       signal=os.WTERMSIG(status) if os.WIFSIGNALED(status) else None)
        out_fd, err_fd = self.fds["stdout"], self.fds["stderr"]
        out = proto.read_capped(out_fd, out_cap + 1)
        err_size = os.fstat(err_fd).st_size
        err = os.pread(err_fd, 4096, max(0, err_size - 4096))
        res = proto.read_capped(self.fds["result"], out_cap + 1)
        rep.update(out_size=os.fstat(out_fd).st_size, err_size=err_size)
        rep["times"] = {"fork": fork_time, "setup": max(0.0, t_ready - t_go), "run": max(0.0, t_exit - t_ready),
                        "zygote": time.monotonic() - t_start}
        proto.send(REP_FD, rep, [out, err, res])
        if not self.ns_flags:
            # What the test left behind is removed after its reply (the judge checks the result meanwhile), and
            # before this zygote reads its next request, so always before the next test starts. A failure here
            # cannot be reported any more: the zygote exits, the judge sees a dead worker at its next request and
            # restarts it (that test is retried, never judged after an unclean one).
            try:
                self._clean_workdir()
                self.box.clean_ipc()
            except BaseException:
                os._exit(70)
        return None

    def _write_source(self, directory, key):
        _, source, filename, _ = self.codes[key]
        path = os.path.join(directory, filename)
        with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(source)
        os.chmod(path, 0o644)

    def _clean_workdir(self):
        keep = self.codes[self.written][2] if self.written in self.codes else None
        if keep is None:
            self.written = None
        with os.scandir(self.workdir) as it:
            dirty = [e.path for e in it if e.name != keep]
        for p in dirty:
            iso.remove(p)

    def _wait(self, pid, wall_limit, cpu_limit=None):
        """Wait with the wall-clock backstop, and end the test once its CPU time passes ``cpu_limit`` (None: the
        process is an init, which does that itself). Returns (solution wait status | error text | None, rusage,
        wall, killed by the wall-clock backstop, (time the test process was ready, its CPU time then) or None, time
        it ended). With an init in between, the status comes through the status pipe."""
        t0 = time.monotonic()
        pfd = os.pidfd_open(pid)
        try:
            killed = _wait_limited(pfd, pid, t0 + wall_limit, cpu_limit) == "wall"
        finally:
            os.close(pfd)
        t_exit = time.monotonic()
        _, status, rusage = os.wait4(pid, 0)
        wall = t_exit - t0
        raw = b""
        try:
            while True:
                raw += os.read(self.status_r, 65536)
        except BlockingIOError:
            pass
        if raw.startswith(b"E"):
            return raw[1:].decode(errors="replace"), rusage, wall, killed, None, t_exit
        if not raw.startswith(b"R") and not killed:
            return f"test process died during set-up (status {status})", rusage, wall, killed, None, t_exit
        ready = struct.unpack("dd", raw[1:17]) if len(raw) >= 17 else None
        if self.ns_flags:  # init reported the solution's status after the "R"
            status = struct.unpack("i", raw[17:21])[0] if len(raw) >= 21 else None
        return status, rusage, wall, killed, ready, t_exit

    # -- the test process

    def _spawn_standby(self):
        """Fork the next test process now and let it set itself up while the judge is busy with the previous
        result; it waits on a pipe for its test. Returns the job in the child, None in the zygote."""
        t = time.monotonic()
        go_r, go_w = os.pipe()
        self.box.next_uid()
        pid = os.fork()
        if pid == 0:
            os.close(go_w)
            try:
                go_r = fcntl.fcntl(go_r, fcntl.F_DUPFD, 10)  # above the descriptors the test will use
                self._setup_process()
                py.warm_up()
                raw = proto.read_exact(go_r, 8)
            except EOFError:
                os._exit(0)  # the zygote is gone
            except BaseException as e:
                _report_setup_error(self.status_w, e)
            try:
                n_head, n_code = struct.unpack(">II", raw)
                msg = json.loads(proto.read_exact(go_r, n_head))
                blob = proto.read_exact(go_r, n_code) if n_code else b""
                known = self.codes.get(msg["key"])  # loaded before this process was forked
                code = known[0] if known else (marshal.loads(blob) if blob else None)
                return self._apply_test(msg, code)
            except EOFError:
                os._exit(0)
            except BaseException as e:
                _report_setup_error(self.status_w, e)
        os.close(go_r)
        self.standby = (pid, go_w)
        self.standby_fork_time = time.monotonic() - t
        return None

    def _init(self, msg, key):
        """PID 1 of the test's namespaces: private /proc and tmpfs, fork the solution, reap, report."""
        try:
            self.box.enter_test_namespaces()
            if msg.get("mode", "python") == "python":
                self._write_source(self.workdir, key)
            pid = os.fork()
            if pid == 0:
                try:
                    self._setup_process()
                    return self._apply_test(msg, self.codes[key][0])
                except BaseException as e:
                    _report_setup_error(self.status_w, e)
            pfd = os.pidfd_open(pid)
            _wait_limited(pfd, pid, float("inf"), iso.cpu_limit(msg))  # the zygote keeps the wall-clock backstop
            os.close(pfd)
            while True:
                p, st = os.waitpid(-1, 0)
                if p == pid:
                    proto.write_all(self.status_w, struct.pack("i", st))
                    break
            os._exit(0)
        except BaseException as e:
            _report_setup_error(self.status_w, e)

    def _setup_process(self):
        """Everything that does not depend on the test: descriptors, directory, identity, syscall filter."""
        os.closerange(0, 3)
        fds = self.fds
        os.dup2(fds["stdin"], 0)
        os.dup2(fds["stdout"], 1)
        os.dup2(fds["stderr"], 2)
        os.dup2(fds["result"], 3)
        os.chdir(self.workdir)
        os.setpgid(0, 0)  # its own process group: killpg(0) reaches nobody else
        self.box.restrict()

    def _apply_test(self, msg, code):
        """The test's own limits, then hand over to the solution (return the job, or exec a binary)."""
        iso.set_limits(msg)
        cpu = resource.getrusage(resource.RUSAGE_SELF)
        # set up: from here on, whatever happens is the solution's doing
        proto.write_all(self.status_w, b"R" + struct.pack("dd", time.monotonic(), cpu.ru_utime + cpu.ru_stime))
        kind = msg.get("kind") or "stdin"
        os.closerange(4 if kind in ("functional", "program") or msg.get("compat") else 3, 1 << 16)
        token = b""
        if msg.get("token") and msg.get("mode", "python") == "python":  # gone from fd 3 before the solution runs
            token = os.pread(3, 64, 0)
            os.ftruncate(3, 0)
        if msg.get("mode", "python") != "python":
            signal.signal(signal.SIGPIPE, signal.SIG_DFL)
            signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
            argv = msg["argv"]
            env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": self.workdir}
            try:
                os.execve(argv[0], argv, env)
            except OSError as e:
                os.write(2, f"exec failed: {e}\n".encode())
                os._exit(127)
        return {"code": code, "filename": msg["filename"], "cwd": self.workdir, "kind": kind,
                "fn_name": msg.get("fn_name"), "args": msg.get("args") or "", "compat": msg.get("compat"),
                "token": token}


def _wait_limited(pfd, pid, deadline, cpu_limit):
    """Wait until the process ends ("exit"), its wall-clock ``deadline`` passes or its CPU time (all its threads,
    user + system) passes ``cpu_limit`` plus a small margin; the process is then killed ("wall" or "cpu").

    The CPU time is read from the process's own CPU clock: the scheduler's runtime, the quantity wait4 reports, so a
    test ended here is always measured over its limit. Without this check a TLE would run on until RLIMIT_CPU (whole
    seconds, set to the limit rounded down plus one, and counted by sampling ticks: up to 2 s of CPU wasted per TLE);
    that limit stays the backstop. The clock is looked at when the test could have reached the limit (after the CPU
    time left over two cores, at the least 5 ms): a handful of wake-ups for a test that runs to its limit, none for
    the others."""
    clock = iso.cpu_clock_id(pid) if cpu_limit is not None else None
    while True:
        timeout = deadline - time.monotonic()
        if clock is not None:
            try:
                left = cpu_limit + iso.CPU_KILL_MARGIN - time.clock_gettime(clock)
            except OSError:  # gone already
                left = 1.0
            if left <= 0:
                reason = "cpu"
                break
            timeout = min(timeout, max(left / 2, 0.005))
        if timeout <= 0:
            reason = "wall"
            break
        if select.select([pfd], [], [], timeout)[0]:
            return "exit"
    try:
        os.kill(pid, signal.SIGKILL)  # for an init: the kernel then kills its whole namespace
    except ProcessLookupError:
        pass
    return reason


def _report_setup_error(fd, e):
    import traceback

    try:
        tb = traceback.extract_tb(e.__traceback__)
        where = f" ({os.path.basename(tb[-1].filename)} line {tb[-1].lineno}: {tb[-1].line})" if tb else ""
        proto.write_all(fd, b"E" + f"test set-up failed: {type(e).__name__}: {e}{where}".encode()[:2000])
    finally:
        os._exit(0)


if __name__ == "__main__":
    _cfg = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    REQ_FD, REP_FD = _cfg.get("req_fd", REQ_FD), _cfg.get("rep_fd", REP_FD)
    for _m in _cfg.get("preload", py.PRELOAD):
        try:
            __import__(_m)
        except Exception:
            pass
    import gc

    gc.freeze()  # keep the collector in each test away from the zygote's objects (and their pages shared)
    _job = Zygote(_cfg).serve()
    # ---- from here on, only in the solution process ----
    os._exit(py.finalize(py.run_solution(_job, py.prepare_main(_job))))
