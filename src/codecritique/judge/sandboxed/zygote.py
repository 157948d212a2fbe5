"""The fork server ("zygote") that runs solutions. Standard library only: it is started as a script inside the
sandbox and must not import the codecritique package.

One zygote serves one judge worker, one test at a time. It starts once, pre-imports the usual modules, compiles
each solution once, and then forks a child per test. The child gets real file descriptors (memfds) on 0/1/2, an
unprivileged uid, rlimits and a seccomp filter, and then either runs the Python code in a fresh ``__main__`` from
this file's top level -- so uncaught exceptions, ``sys.exit``, ``os._exit``, atexit handlers and non-daemon threads
behave exactly as in ``python3 solution.py < input`` -- or ``execve``-s a binary.

How a test is kept from outliving its verdict depends on what the zygote may do (the "strategy", chosen once):

* ``fork``   (root, seccomp available): one fork per test; the seccomp filter forbids creating processes (threads
  are allowed), so nothing can survive the solution. The test processes are forked by a small fork server (a
  child of the zygote, see "the fork server" below), the next one while a test runs; it waits, set up, for its
  test. Consecutive tests alternate between the worker's two uids, so a test can neither signal nor inspect the
  process that will run the next one.
* ``pidns``  (root, no process filter): zygote -> init (PID 1 of a new PID + mount namespace, private /proc and
  tmpfs) -> solution. When init exits, the kernel kills everything left in the namespace.
* ``userns`` (unprivileged): as ``pidns`` inside a new user namespace.
* ``plain``  (``--sandbox none`` or nothing else works): fork (by the fork server) into a process group, killed
  afterwards.

This file holds the request loop and the test processes' life; ``zygote_protocol.py`` the frames on its pipes,
``zygote_isolation.py`` how tests are isolated (namespaces, uids, seccomp, rlimits, clean-up; the kernel calls in
``zygote_kernel.py``), ``zygote_python.py`` how a Python solution runs.
"""

import json
import marshal
import os
import resource
import select
import signal
import struct
import sys
import time

import _socket  # not socket: 0.2 MB more to copy in every fork

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
        self.standby = None  # (pid, go pipe, pidfd, fork time) of the next test process, setting itself up
        self.forker = None  # (pid, socket) of the fork server ("fork" and "plain" strategies; see _start_forker)
        self.asked = []  # what the fork server was asked and has not answered yet, in order: go pipes ("S"), "W"
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
            if not self.ns_flags and self.forker is None:
                job = self._start_forker()
                if job is not None:  # only in a test process
                    return job
            if not self.ns_flags and self.standby is None and not self.asked:
                self._ask_standby()  # forked and set up while this zygote waits for the request
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
        """Import what some tests need once, here (``do_import()``); the fork server and its standby process,
        forked before, are replaced by ones that have it."""
        do_import()
        self._stop_forker()

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
            t_go = time.monotonic()
            pfd = None
        else:  # hand the test to the standby process, which the fork server forked after the previous test
            if self.forker is None:  # replaced by a load just now (see _preload)
                job = self._start_forker()
                if job is not None:
                    return job  # in a test process, once its own test has come
            pid, go, pfd, fork_time = self._take_standby()
            h = marshal.dumps(msg)
            code = self.codes[key][3]
            try:
                proto.write_all(go, struct.pack(">II", len(h), len(code)) + h + code)
            except OSError:
                pass  # it died setting itself up; _wait reports why
            finally:
                os.close(go)
            t_go = time.monotonic()
            # The next test's process is forked now, while this test runs (on another core if there is one), and
            # this one is reaped by the fork server once it has ended.
            self._ask_standby()
            self._ask_forker(b"W" + struct.pack("=i", pid))
            self.asked.append("W")
        status, rusage, wall, killed, ready, t_exit = self._wait(pid, float(head.get("wall", 10.0)),
                                                                 None if self.ns_flags else iso.cpu_limit(head), pfd)
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

    def _wait(self, pid, wall_limit, cpu_limit=None, pfd=None):
        """Wait with the wall-clock backstop, and end the test once its CPU time passes ``cpu_limit`` (None: the
        process is an init, which does that itself). Returns (solution wait status | error text | None, rusage,
        wall, killed by the wall-clock backstop, (time the test process was ready, its CPU time then) or None, time
        it ended). With an init in between, the status comes through the status pipe. ``pfd``: the pidfd of a
        test process of the fork server, which reaps it (its status and rusage come from there)."""
        t0 = time.monotonic()
        child = pfd is None
        if child:
            pfd = os.pidfd_open(pid)
        try:
            killed = _wait_limited(pfd, pid, t0 + wall_limit, cpu_limit) == "wall"
        finally:
            os.close(pfd)
        t_exit = time.monotonic()
        if child:
            _, status, rusage = os.wait4(pid, 0)
        else:
            status, rusage = self._reaped()
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

    # -- the fork server ("fork" and "plain" strategies)
    #
    # Test processes are forked by a fork server: a child of this zygote, forked once (again after a preload), that
    # only forks and reaps. A page that a process writes while it shares the page with a fork of it is copied (a
    # page fault and 4 KiB): the zygote, which runs the protocol between forks, copied ~230 pages per test when it
    # forked the tests itself; the fork server's loop copies a few dozen, and the zygote's pages stop being shared
    # once it has written each of them once. Requests on a socket pair, answered in order: "S" + the test's uid with
    # the read end of the test's go pipe (SCM_RIGHTS): fork a test process, answer its pid and the fork's duration;
    # "W" + pid: reap it once it has ended, answer its wait status and rusage. The zygote holds a pidfd of each
    # test process (its end, the kill) and reads its CPU clock, as for its own children.

    def _start_forker(self):
        """Fork the fork server. Returns None in the zygote, the job in a test process."""
        zs, fs = _socket.socketpair(_socket.AF_UNIX, _socket.SOCK_SEQPACKET)
        pid = os.fork()
        if pid == 0:
            zs.close()
            return self._forker_loop(fs)
        fs.close()
        self.forker = (pid, zs)
        return None

    def _stop_forker(self):
        if self.forker is None:
            return
        while self.asked and self.asked[0] != "W":
            try:
                self._take_standby_reply()
            except OSError:
                break
        unused = 0  # test processes forked (or asked for) that will run no test
        if self.standby is not None:
            _, go, pfd, _ = self.standby
            self.standby = None
            os.close(go)  # it exits on EOF; the fork server reaps it before it exits itself
            os.close(pfd)
            unused += 1
        for fd in self.asked:
            if fd != "W":
                os.close(fd)
                unused += 1
        self.box.skip_uids(-unused)  # the next test process gets the uid the unused one had
        pid, sock = self.forker
        self.forker, self.asked = None, []
        sock.close()  # the fork server exits on EOF
        os.waitpid(pid, 0)

    def _ask_forker(self, data, fds=()):
        anc = [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, struct.pack(f"{len(fds)}i", *fds))] if fds else []
        self.forker[1].sendmsg([data], anc)

    def _answer(self, size):
        data = self.forker[1].recv(64)
        if len(data) != size:
            raise OSError("the fork server is gone")
        return data

    def _ask_standby(self):
        """Have the fork server fork the next test process (taken in _take_standby)."""
        go_r, go_w = os.pipe()
        self.box.next_uid()  # the next test runs under the other uid than the test running now
        try:
            self._ask_forker(b"S" + struct.pack("=i", -1 if self.box.uid is None else self.box.uid), [go_r])
        except BaseException:
            os.close(go_w)
            raise
        finally:
            os.close(go_r)
        self.asked.append(go_w)

    def _take_standby_reply(self):
        go = self.asked.pop(0)
        pid, fork_time = struct.unpack("=id", self._answer(12))
        self.standby = (pid, go, os.pidfd_open(pid), fork_time)

    def _take_standby(self):
        if self.standby is None:
            if not self.asked:
                self._ask_standby()
            self._take_standby_reply()
        standby, self.standby = self.standby, None
        return standby

    def _reaped(self):
        """(wait status, rusage) of the test process just ended, from the fork server (the next test process's pid
        comes first when it was asked for before)."""
        while self.asked[0] != "W":
            self._take_standby_reply()
        self.asked.pop(0)
        status, utime, stime, maxrss, minflt = struct.unpack("=iddqq", self._answer(36))
        return status, _Usage(utime, stime, maxrss, minflt)

    def _forker_loop(self, sock):
        """The fork server's life (see above); returns only in a test process, with its job."""
        for fd in (REQ_FD, REP_FD):  # the judge's pipes: only the zygote holds them
            os.close(fd)
        self._inheritable_setup()  # once here instead of in every test process
        if self.strategy != "plain":
            iso.die_with_parent()
        import gc

        gc.collect()
        gc.freeze()  # what the zygote made since it started: left alone by the tests' garbage collections
        iso.trim_heap()  # every page of this process is copied (its entry) in each fork and freed in each exit
        while True:
            try:
                data, anc, _, _ = sock.recvmsg(64, _socket.CMSG_SPACE(4))
            except OSError:
                data = b""
            if data[:1] == b"S" and anc:
                go_r = struct.unpack("=i", anc[0][2][:4])[0]
                uid = struct.unpack("=i", data[1:5])[0]
                self.box.uid = None if uid < 0 else uid
                t = time.monotonic()
                pid = os.fork()
                if pid == 0:
                    sock.close()
                    return self._standby(go_r)
                os.close(go_r)
                sock.send(struct.pack("=id", pid, time.monotonic() - t))
            elif data[:1] == b"W":
                _, status, ru = os.wait4(struct.unpack("=i", data[1:5])[0], 0)
                sock.send(struct.pack("=iddqq", status, ru.ru_utime, ru.ru_stime, ru.ru_maxrss, ru.ru_minflt))
            else:  # the zygote is gone, or replaces this server
                try:
                    while True:
                        os.wait()
                except ChildProcessError:
                    pass
                os._exit(0)

    def _standby(self, go_r):
        """A test process: set itself up while the zygote is busy, then wait on its go pipe for its test. Returns
        the job."""
        try:  # go_r is above 0-3, which this process inherited set (_inheritable_setup)
            self._restrict_process()
            py.warm_up()
            raw = proto.read_exact(go_r, 8)
        except EOFError:
            os._exit(0)  # the zygote is gone, or no longer needs this process
        except BaseException as e:
            _report_setup_error(self.status_w, e)
        try:
            n_head, n_code = struct.unpack(">II", raw)
            msg = marshal.loads(proto.read_exact(go_r, n_head))
            blob = proto.read_exact(go_r, n_code) if n_code else b""
            known = self.codes.get(msg["key"])  # loaded before the fork server was forked
            code = known[0] if known else (marshal.loads(blob) if blob else None)
            return self._apply_test(msg, code)
        except EOFError:
            os._exit(0)
        except BaseException as e:
            _report_setup_error(self.status_w, e)

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
        self._inheritable_setup()
        self._restrict_process()

    def _inheritable_setup(self):
        """What a fork inherits: the test's files on descriptors 0-3, the working directory."""
        os.closerange(0, 3)
        fds = self.fds
        os.dup2(fds["stdin"], 0)
        os.dup2(fds["stdout"], 1)
        os.dup2(fds["stderr"], 2)
        os.dup2(fds["result"], 3)
        os.chdir(self.workdir)

    def _restrict_process(self):
        """What each test process does itself: its process group, identity, death with its parent, syscall filter."""
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
    try:  # through the pidfd: the process may have ended and been reaped (by the fork server) meanwhile
        signal.pidfd_send_signal(pfd, signal.SIGKILL)  # for an init: the kernel then kills its whole namespace
    except ProcessLookupError:
        pass
    return reason


class _Usage:
    """The part of a test process's rusage the zygote reads, as the fork server sent it."""

    __slots__ = ("ru_utime", "ru_stime", "ru_maxrss", "ru_minflt")

    def __init__(self, utime, stime, maxrss, minflt):
        self.ru_utime, self.ru_stime, self.ru_maxrss, self.ru_minflt = utime, stime, maxrss, minflt


def _report_setup_error(fd, e):
    import traceback

    try:
        tb = traceback.extract_tb(e.__traceback__)
        where = f" ({os.path.basename(tb[-1].filename)} line {tb[-1].lineno}: {tb[-1].line})" if tb else ""
        proto.write_all(fd, b"E" + f"test set-up failed: {type(e).__name__}: {e}{where}".encode()[:2000])
    finally:
        os._exit(0)


def start(argv):
    """The zygote's life, from its command line (``zygote.py CONFIG``, where CONFIG is the worker's JSON); returns
    only in a test process, with its job."""
    global REQ_FD, REP_FD
    cfg = json.loads(argv[1]) if len(argv) > 1 else {}
    REQ_FD, REP_FD = cfg.get("req_fd", REQ_FD), cfg.get("rep_fd", REP_FD)
    for m in cfg.get("preload", py.PRELOAD):
        try:
            __import__(m)
        except Exception:
            pass
    import gc

    gc.freeze()  # keep the collector in each test away from the zygote's objects (and their pages shared)
    return Zygote(cfg).serve()


if __name__ == "__main__":  # started as a script itself (the judge starts it through run_zygote.py)
    _job = start(sys.argv)
    # ---- from here on, only in the solution process ----
    os._exit(py.finalize(py.run_solution(_job, py.prepare_main(_job))))
