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

Protocol: frames on two pipes: a 4-byte big-endian length, a JSON header whose "blobs" lists the lengths of the
binary payloads that follow it.
"""

import ctypes
import fcntl
import json
import marshal
import os
import platform
import resource
import select
import signal
import struct
import sys
import time

REQ_FD, REP_FD = 3, 4  # overridden by the config ("req_fd", "rep_fd")

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_REC, MS_PRIVATE = 2, 4, 8, 4096, 16384, 1 << 18
MNT_DETACH, IPC_RMID = 2, 0
# What one test may create in System V IPC (the worker's IPC namespace is emptied after every test): a few objects,
# 64 MiB of shared memory in all (it is not counted in the address-space limit).
IPC_LIMITS = {"shmmni": "16", "shmmax": str(64 << 20), "shmall": str((64 << 20) // 4096), "msgmni": "16",
              "sem": "250 4000 32 16"}
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, PR_CAPBSET_DROP = 1, 38, 22, 24
SECCOMP_MODE_FILTER = 2
SYS_CLONE = {"x86_64": 56, "aarch64": 220, "arm64": 220}.get(platform.machine())

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
_libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
_libc.unshare.argtypes = [ctypes.c_int]
_libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]

# The prelude LiveCodeBench prepends to every solution (used in its compatibility mode and for LeetCode-style
# functional problems, whose code relies on LeetCode's implicit imports such as List and collections).
LCB_PRELUDE = (
    "from string import *\nfrom re import *\nfrom datetime import *\nfrom collections import *\n"
    "from heapq import *\nfrom bisect import *\nfrom copy import *\nfrom math import *\nfrom random import *\n"
    "from statistics import *\nfrom itertools import *\nfrom functools import *\nfrom operator import *\n"
    "from io import *\nfrom sys import *\nfrom json import *\nfrom builtins import *\nfrom typing import *\n"
    "import string\nimport re\nimport datetime\nimport collections\nimport heapq\nimport bisect\nimport copy\n"
    "import math\nimport random\nimport statistics\nimport itertools\nimport functools\nimport operator\n"
    "import io\nimport sys\nimport json\nsys.setrecursionlimit(50000)\n"
)
# Imported once here so each test need not. Not random, statistics or threading: modules that register fork
# hooks (random reseeds itself in every child; statistics imports random) make every fork slower than their own
# import costs the few solutions that use them.
PRELOAD = "math collections heapq bisect itertools functools string re typing copy operator array json io".split()


def _check(ret, what):
    if ret < 0:
        e = ctypes.get_errno()
        raise OSError(e, f"{what}: {os.strerror(e)}")
    return ret


def _raw_clone(flags):
    """fork() into new namespaces (CPython has no clone()). Only used for init, which runs no user code."""
    if SYS_CLONE is None:
        raise OSError(38, "clone: unsupported architecture")
    return _check(_libc.syscall(SYS_CLONE, ctypes.c_ulong(flags | signal.SIGCHLD), None, None, None, None), "clone")


def _mount(src, target, fstype, flags, data=None):
    _check(_libc.mount(src and src.encode(), target.encode(), fstype and fstype.encode(), flags,
                       data and data.encode()), f"mount {target}")


# ---------------------------------------------------------------- framing


def _read_exact(fd, n):
    chunks = []
    while n:
        b = os.read(fd, min(n, 1 << 20))
        if not b:
            raise EOFError
        chunks.append(b)
        n -= len(b)
    return b"".join(chunks)


def _recv():
    (n,) = struct.unpack(">I", _read_exact(REQ_FD, 4))
    head = json.loads(_read_exact(REQ_FD, n))
    blobs = [_read_exact(REQ_FD, k) for k in head.get("blobs", [])]
    return head, blobs


def _send(head, blobs=()):
    blobs = list(blobs)
    head["blobs"] = [len(b) for b in blobs]
    h = json.dumps(head).encode()
    _write_all(REP_FD, b"".join([struct.pack(">I", len(h)), h, *blobs]))


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


# ---------------------------------------------------------------- the zygote


class Zygote:
    def __init__(self, cfg):
        self.cfg = cfg
        self.codes = {}  # key -> (code object or None, source, filename, marshalled code)
        self.uids = cfg.get("uids") or []  # unprivileged uids for the tests, used in turn
        self.uid = self.uids[0] if self.uids else None
        self.tmp_size = int(cfg.get("tmp_size_mb", 256)) << 20
        self.workdir = cfg.get("workdir", "/tmp/w")
        self.outer_uid, self.outer_gid = os.getuid(), os.getgid()
        self.fatal = None  # why this zygote cannot run tests as asked (sent instead of the hello)
        self.ipc_private = False  # the zygote has an IPC namespace of its own: every object in it is a test's
        self.scratch = []  # private tmpfs directories the tests may write to, emptied after each test
        self.keep = set()  # paths in them that are not the tests' (bound back, or on the way to the workdir)
        if os.getuid() == 0 and cfg.get("isolation", True):
            self._private_namespaces()
        self.written = None  # key of the solution file currently in workdir
        self.standby = None  # (pid, go pipe) of the next test process, already set up
        self.serial = 0
        self.standby_fork_time = 0.0
        nofork = bytes.fromhex(cfg["seccomp_nofork"]) if cfg.get("seccomp_nofork") else None
        base = bytes.fromhex(cfg["seccomp_base"]) if cfg.get("seccomp_base") else None
        self.strategy, self.ns_flags = self._choose_strategy(cfg.get("isolation", True), nofork is not None)
        # "fork": the base filter goes on the zygote itself, once; each test adds the small no-fork filter.
        # Otherwise each test attaches the base filter (the zygote needs namespaces the filter denies).
        self.seccomp = _SeccompProgram(nofork if self.strategy == "fork" else base)
        self.fds = {name: os.memfd_create(name, 0) for name in ("stdin", "stdout", "stderr", "result")}
        self.status_r, self.status_w = os.pipe()
        os.set_blocking(self.status_r, False)
        if self.strategy in ("fork", "plain"):
            self._prepare_workdir()
        if self.uids and not self.fatal:
            blocked = [p for p in cfg.get("expose", []) if not _reachable_by_others(p)]
            if blocked:
                self.fatal = (f"--sandbox rlimit runs solutions as an unprivileged uid, which cannot read "
                              f"{blocked[0]}: make it world-readable (chmod -R o+rX on it and o+x on its parent "
                              f"directories), choose a world-readable interpreter with --python, or use --sandbox "
                              f"bwrap")
        if self.strategy == "fork":
            _SeccompProgram(base).load()

    def _choose_strategy(self, isolation, have_nofork):
        if not isolation:
            return "plain", 0
        root = os.getuid() == 0
        if root and have_nofork:
            return "fork", 0
        candidates = [(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC, "pidns")] if root else []
        candidates.append((CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC, "userns"))
        for flags, name in candidates:
            try:
                pid = _raw_clone(flags)
            except OSError:
                continue
            if pid == 0:
                try:
                    if flags & CLONE_NEWUSER:
                        self._map_self()
                    self._mount_private_tmp(flags)
                    os._exit(0)
                except BaseException:
                    os._exit(1)
            _, status = os.waitpid(pid, 0)
            if status == 0:
                return name, flags
        return "plain", 0

    def _private_namespaces(self):
        """As root: a mount and an IPC namespace of this zygote's own (inside bwrap too), with System V IPC limited,
        a private /dev/shm, and what the tests' uid must read made reachable (outside bwrap)."""
        try:
            _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWIPC), "unshare")
            _mount(None, "/", None, MS_REC | MS_PRIVATE)
        except OSError as e:
            if self.uids and self.cfg.get("expose"):
                self.fatal = f"cannot create the sandbox's namespaces ({e}): use --sandbox bwrap"
            return
        self.ipc_private = True
        _set_ipc_limits()
        if os.path.isdir("/dev/shm"):
            try:
                _mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, f"size={self.tmp_size},mode=1777")
                self.scratch.append("/dev/shm")
            except OSError:
                pass
        if self.uids:
            self._expose(self.cfg.get("expose", []))
        if self.cfg.get("cover_tmp"):
            self._cover_shared_dirs(self.cfg.get("expose", []))

    def _expose(self, paths):
        """Make ``paths`` reachable by the tests' uid without changing the host: each top-most ancestor that others
        cannot traverse (e.g. /root, mode 0700, holding a pyenv Python) is covered, in this mount namespace only, by
        an empty tmpfs of mode 0755 into which just the needed paths are bound back (what bwrap does)."""
        groups = {}
        for p in paths:
            top = next((a for a in _ancestors(p) if not os.stat(a).st_mode & 0o001), None)
            if top is not None:
                groups.setdefault(top, []).append(p)
        for top, below in sorted(groups.items(), key=lambda kv: len(kv[0])):
            _cover(top, below, "size=1m,mode=0755")

    def _cover_shared_dirs(self, keep):
        """Outside bwrap: the host's world-writable directories (/tmp, /var/tmp, /run/lock) get a private, empty
        tmpfs each (the paths in ``keep`` below them bound back), so a test can neither leave files there for the
        next test nor touch the host's."""
        for top in ("/tmp", "/var/tmp", "/run/lock"):
            if os.path.isdir(top) and not os.path.islink(top):
                below = [p for p in keep if p.startswith(top + "/")] + \
                        ([self.workdir] if self.workdir.startswith(top + "/") else [])
                if _cover(top, [p for p in below if os.path.exists(p)], f"size={self.tmp_size},mode=1777"):
                    self.scratch.append(top)
                    self.keep.update(a for p in below for a in [*_ancestors(p), p])

    def _prepare_workdir(self):
        os.makedirs(self.workdir, exist_ok=True)
        if self.ipc_private and not self.cfg.get("shared_workdir"):
            # A tmpfs of bounded size for the tests' files, private to this zygote (in its mount namespace).
            try:
                _mount("tmpfs", self.workdir, "tmpfs", MS_NOSUID | MS_NODEV, f"size={self.tmp_size},mode=1777")
            except OSError:
                pass
        os.chmod(self.workdir, 0o1777)

    def _clean_ipc(self):
        """Remove every System V IPC object a test left (the worker's namespace holds only tests' objects; in a
        shared one, only those created by or given to the tests' uids), and empty the private /dev/shm."""
        uids = {str(u) for u in self.uids}
        for kind, uid_col, cuid_col in (("shm", 7, 9), ("msg", 7, 9), ("sem", 4, 6)):
            try:
                with open(f"/proc/sysvipc/{kind}") as f:
                    rows = f.read().splitlines()[1:]
            except OSError:
                continue
            for row in rows:
                cols = row.split()
                if len(cols) <= cuid_col or not (self.ipc_private or cols[uid_col] in uids or cols[cuid_col] in uids):
                    continue
                ident = int(cols[1])
                if kind == "shm":
                    _libc.shmctl(ident, IPC_RMID, None)
                elif kind == "msg":
                    _libc.msgctl(ident, IPC_RMID, None)
                else:
                    _libc.semctl(ident, 0, IPC_RMID)
        for d in self.scratch:
            try:
                with os.scandir(d) as it:
                    leftovers = [e.path for e in it if e.path not in self.keep]
            except OSError:
                leftovers = []
            for p in leftovers:
                _remove(p)

    def _map_self(self):
        with open("/proc/self/setgroups", "w") as f:
            f.write("deny")
        with open("/proc/self/uid_map", "w") as f:
            f.write(f"0 {self.outer_uid} 1")
        with open("/proc/self/gid_map", "w") as f:
            f.write(f"0 {self.outer_gid} 1")

    def _mount_private_tmp(self, flags):
        _mount(None, "/", None, MS_REC | MS_PRIVATE)
        _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        os.makedirs(self.workdir, exist_ok=True)
        _mount("tmpfs", self.workdir, "tmpfs", MS_NOSUID | MS_NODEV, f"size={self.tmp_size},mode=1777")
        if flags & CLONE_NEWIPC:  # a fresh IPC namespace per test: limit what it may hold
            _set_ipc_limits()
            if os.path.isdir("/dev/shm"):
                try:
                    _mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, f"size={self.tmp_size},mode=1777")
                except OSError:
                    pass

    # -- requests

    def serve(self):
        if self.fatal:
            _send({"ok": False, "error": self.fatal})
            os._exit(0)
        _send({"ok": True, "strategy": self.strategy, "seccomp": bool(self.seccomp), "pid": os.getpid(),
               "ipc_private": self.ipc_private})
        while True:
            if not self.ns_flags and self.standby is None:
                job = self._spawn_standby()
                if job is not None:  # only in the (former) standby process, now running a test
                    return job
            try:
                head, blobs = _recv()
            except EOFError:
                os._exit(0)
            op = head.get("op")
            try:
                if op == "load":
                    _send(self.load(head, blobs))
                elif op == "run":
                    job = self.run(head, blobs)
                    if job is not None:  # only in the solution process (namespace strategies)
                        return job
                elif op == "drop":
                    self.codes.pop(head["key"], None)
                    _send({"ok": True})
                elif op == "ping":
                    _send({"ok": True})
                else:
                    _send({"ok": False, "error": f"unknown op {op!r}"})
            except Exception as e:  # the judge records a system error and retries on a fresh worker
                _send({"ok": False, "error": f"{type(e).__name__}: {e}"})

    def load(self, head, blobs):
        key = head["key"]
        filename = head.get("filename", "solution.py")
        source = blobs[0].decode("utf-8", "surrogateescape")
        code = None
        if head.get("lang", "python") == "python":
            prelude = LCB_PRELUDE if head.get("prelude") else ""
            try:
                if head.get("compat"):  # LiveCodeBench's in-process execution, bug for bug
                    code = compile(_lcb_compat().transform(source, prelude), filename, "exec", dont_inherit=True)
                else:
                    code = compile(prelude + source, filename, "exec", dont_inherit=True)
            except (SyntaxError, ValueError, OverflowError, MemoryError, RecursionError) as e:
                return {"ok": True, "compile_error": _format_compile_error(e, prelude)}
        if len(self.codes) >= 256:
            self.codes.pop(next(iter(self.codes)))
        self.codes[key] = (code, source, filename, marshal.dumps(code) if code is not None else b"")
        return {"ok": True}

    def _test_message(self, head, key):
        """What the test process needs to know, beyond what it inherited."""
        return {k: head.get(k) for k in ("kind", "mode", "fn_name", "args", "argv", "cpu", "mem_mb", "out_cap",
                                         "nproc", "compat", "token")} | {"filename": self.codes[key][2], "key": key}

    def run(self, head, blobs):
        t_start = time.monotonic()
        key = head["key"]
        if key not in self.codes:
            _send({"ok": False, "error": "unknown code key", "missing": True})
            return None
        out_cap = int(head.get("out_cap", 64 << 20))
        for fd in self.fds.values():
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
        _write_all(self.fds["stdin"], blobs[0] if blobs else b"")
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
            pid = _raw_clone(self.ns_flags)
            if pid == 0:
                return self._init(msg, key)  # returns only in the solution process
            fork_time = time.monotonic() - t_fork
        else:  # hand the test to the standby process, which forked and set itself up after the previous test
            pid, go = self.standby
            self.standby = None
            fork_time = self.standby_fork_time
            h = json.dumps(msg).encode()
            code = self.codes[key][3]
            try:
                _write_all(go, struct.pack(">II", len(h), len(code)) + h + code)
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
        status, rusage, wall, killed, ready, t_exit = self._wait(pid, float(head.get("wall", 10.0)))
        if self.strategy == "plain":
            _kill_group(pid)
        if not self.ns_flags:
            self._clean_workdir()
            self._clean_ipc()
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
        out = _read_capped(out_fd, out_cap + 1)
        err_size = os.fstat(err_fd).st_size
        err = os.pread(err_fd, 4096, max(0, err_size - 4096))
        res = _read_capped(self.fds["result"], out_cap + 1)
        rep.update(out_size=os.fstat(out_fd).st_size, err_size=err_size)
        rep["times"] = {"fork": fork_time, "setup": max(0.0, t_ready - t_go), "run": max(0.0, t_exit - t_ready),
                        "zygote": time.monotonic() - t_start}
        _send(rep, [out, err, res])
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
            _remove(p)

    def _wait(self, pid, wall_limit):
        """Wait with the wall-clock backstop. Returns (solution wait status | error text | None, rusage, wall,
        killed, (time the test process was ready, its CPU time then) or None, time it ended). With an init in
        between, the status comes through the status pipe."""
        t0 = time.monotonic()
        killed = False
        pfd = os.pidfd_open(pid)
        try:
            if not select.select([pfd], [], [], wall_limit)[0]:
                killed = True
                try:
                    os.kill(pid, signal.SIGKILL)  # for init: the kernel then kills its whole namespace
                except ProcessLookupError:
                    pass
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
        if self.uids:  # the next test runs under the other uid than the test running now
            self.serial += 1
            self.uid = self.uids[self.serial % len(self.uids)]
        pid = os.fork()
        if pid == 0:
            os.close(go_w)
            try:
                go_r = fcntl.fcntl(go_r, fcntl.F_DUPFD, 10)  # above the descriptors the test will use
                self._setup_process()
                _warm_up()
                raw = _read_exact(go_r, 8)
            except EOFError:
                os._exit(0)  # the zygote is gone
            except BaseException as e:
                _report_setup_error(self.status_w, e)
            try:
                n_head, n_code = struct.unpack(">II", raw)
                msg = json.loads(_read_exact(go_r, n_head))
                blob = _read_exact(go_r, n_code) if n_code else b""
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
            if self.ns_flags & CLONE_NEWUSER:
                self._map_self()
            self._mount_private_tmp(self.ns_flags)
            if msg.get("mode", "python") == "python":
                self._write_source(self.workdir, key)
            pid = os.fork()
            if pid == 0:
                try:
                    self._setup_process()
                    return self._apply_test(msg, self.codes[key][0])
                except BaseException as e:
                    _report_setup_error(self.status_w, e)
            while True:
                p, st = os.waitpid(-1, 0)
                if p == pid:
                    _write_all(self.status_w, struct.pack("i", st))
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
        if self.strategy == "userns":
            _drop_capabilities()
        elif self.uid is not None:
            os.setgroups([])
            os.setresgid(self.uid, self.uid, self.uid)
            os.setresuid(self.uid, self.uid, self.uid)
        elif self.cfg.get("drop_caps"):
            _drop_capabilities()
        if self.strategy != "plain":
            _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        self.seccomp.load()

    def _apply_test(self, msg, code):
        """The test's own limits, then hand over to the solution (return the job, or exec a binary)."""
        _set_limits(msg)
        cpu = resource.getrusage(resource.RUSAGE_SELF)
        # set up: from here on, whatever happens is the solution's doing
        _write_all(self.status_w, b"R" + struct.pack("dd", time.monotonic(), cpu.ru_utime + cpu.ru_stime))
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


def _warm_up():
    """In a standby test process, before its test arrives: touch what the test's critical path will touch, so the
    copy-on-write page faults (the bulk of a fork server's per-test cost) happen off that path."""
    _prepare_main({"cwd": os.getcwd(), "filename": "solution.py"}, early=True)
    json.loads('{"kind": "stdin", "cpu": 1.0, "args": null}')
    resource.getrusage(resource.RUSAGE_SELF)
    for lim in (resource.RLIMIT_CPU, resource.RLIMIT_AS, resource.RLIMIT_STACK, resource.RLIMIT_FSIZE):
        resource.getrlimit(lim)
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    import atexit  # noqa: F401


def _lcb_compat():
    """lcb_compat.py, which lies next to this file (imported by path: a test changes sys.path)."""
    mod = sys.modules.get("lcb_compat")
    if mod is None:
        import importlib.util

        spec = importlib.util.spec_from_file_location("lcb_compat", os.path.join(os.path.dirname(__file__),
                                                                                "lcb_compat.py"))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        sys.modules["lcb_compat"] = mod
    return mod


def _report_setup_error(fd, e):
    import traceback

    try:
        tb = traceback.extract_tb(e.__traceback__)
        where = f" (zygote line {tb[-1].lineno}: {tb[-1].line})" if tb else ""
        _write_all(fd, b"E" + f"test set-up failed: {type(e).__name__}: {e}{where}".encode()[:2000])
    finally:
        os._exit(0)


def _set_limits(head):
    cpu = float(head.get("cpu") or 6.0)
    soft = int(cpu) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (soft, soft + 1))
    mem = int(head.get("mem_mb") or 2048) << 20
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    hard = resource.getrlimit(resource.RLIMIT_STACK)[1]  # usually unlimited: solutions may raise their own
    resource.setrlimit(resource.RLIMIT_STACK, (mem if hard == resource.RLIM_INFINITY else min(mem, hard), hard))
    fsize = int(head.get("out_cap") or 64 << 20) + 1
    resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    nproc = int(head.get("nproc") or 64)  # processes and threads of the test's uid
    if os.getuid() != 0:  # uid 0 shares its count with every root process of the host
        resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))


def _drop_capabilities():
    for cap in range(64):
        if _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0:
            break

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                    ("inheritable", ctypes.c_uint32)]

    hdr = Header(0x20080522, 0)
    data = (Data * 2)()
    _check(_libc.capset(ctypes.byref(hdr), data), "capset")


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


class _SeccompProgram:
    """A BPF filter prepared once in the zygote, so a test only pays for two prctl() calls."""

    def __init__(self, bpf):
        self.buf = ctypes.create_string_buffer(bpf, len(bpf)) if bpf else None
        self.prog = _SockFprog(len(bpf) // 8, ctypes.cast(self.buf, ctypes.c_void_p)) if bpf else None
        self.addr = ctypes.addressof(self.prog) if bpf else 0

    def __bool__(self):
        return self.prog is not None

    def load(self):
        if self.prog is None:
            return
        _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
        _check(_libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, self.addr, 0, 0), "seccomp")


def _ancestors(path):
    """``path``'s ancestors, from / down (not ``path`` itself)."""
    parts = path.rstrip("/").split("/")[1:-1]
    return ["/" + "/".join(parts[:i]) for i in range(0, len(parts) + 1)]


def _reachable_by_others(path):
    """Whether a uid other than the owner can reach ``path``: every directory on the way and the path itself, if it
    is a directory, traversable by others (the binary cache is deliberately not listable), a file readable."""
    try:
        if not all(os.stat(a).st_mode & 0o001 for a in _ancestors(path)):
            return False
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return bool(mode & 0o001) if os.path.isdir(path) else bool(mode & 0o004)


def _cover(top, keep, options):
    """Mount a fresh tmpfs over ``top`` (this mount namespace only), with the paths ``keep`` below it bound back;
    whether the tmpfs is there."""
    import tempfile

    keep = [p for p in keep if not any(p != q and p.startswith(q + "/") for q in keep)]
    holders = []
    covered = False
    try:
        for p in keep:
            # held in the private /dev/shm, which no covered directory contains
            h = tempfile.mkdtemp(prefix="codecritique-keep-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
            _mount(p, h, None, MS_BIND | MS_REC)
            holders.append((p, h))
        _mount("tmpfs", top, "tmpfs", MS_NOSUID | MS_NODEV, options)
        covered = True
        for p, h in holders:
            os.makedirs(p, mode=0o755, exist_ok=True)
            _mount(h, p, None, MS_BIND | MS_REC)
    except OSError:
        pass  # what stays unreachable is reported by the caller's check
    finally:
        for _, h in holders:
            _libc.umount2(h.encode(), MNT_DETACH)
            try:
                os.rmdir(h)
            except OSError:
                pass
    return covered


def _set_ipc_limits():
    for name, value in IPC_LIMITS.items():
        try:
            with open(f"/proc/sys/kernel/{name}", "w") as f:
                f.write(value)
        except OSError:
            pass


def _kill_group(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _remove(path):
    import shutil

    def make_writable(func, p, _exc):
        try:
            os.chmod(os.path.dirname(p), 0o700)
            os.chmod(p, 0o700)
            func(p)
        except OSError:
            pass

    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, onerror=make_writable)
    else:
        try:
            os.unlink(path)
        except OSError:
            pass


def _read_capped(fd, cap):
    size = os.fstat(fd).st_size
    return os.pread(fd, min(size, cap), 0) if size else b""


def _format_compile_error(e, prelude):
    if isinstance(e, SyntaxError) and e.lineno is not None:
        line = e.lineno - prelude.count("\n")
        text = (e.text or "").rstrip()
        return f"{type(e).__name__}: {e.msg} (line {line})" + (f"\n    {text}" if text else "")
    return f"{type(e).__name__}: {e}"


# ---------------------------------------------------------------- the solution process


def _strip_zygote_frame(exc_type, exc, tb):
    """Print uncaught exceptions as ``python3 solution.py`` would: without this file's frame."""
    import traceback

    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    traceback.print_exception(exc_type, exc, tb)


def _encode_result(value):
    """JSON of a functional test's return value. Tuples are marked so the LiveCodeBench-compatible comparison can
    tell them from lists; values JSON cannot express are sent as their repr."""

    def norm(v):
        if isinstance(v, tuple):
            return {"__tuple__": [norm(x) for x in v]}
        if isinstance(v, list):
            return [norm(x) for x in v]
        if isinstance(v, dict):
            return {str(k): norm(x) for k, x in v.items()}
        return v

    return json.dumps(norm(value), default=lambda o: {"__repr__": repr(o)[:200]}).encode()


def _system_exit_code(e):
    code = e.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    try:
        print(code, file=sys.stderr)
    except Exception:
        pass
    return 1


def _flush_std(streams, rc):
    """What CPython's flush_std_files does: flush each stream that is still open; a failure makes the status 120."""
    for stream in streams:
        try:
            if stream is not None and not getattr(stream, "closed", False):
                stream.flush()
        except Exception:
            rc = 120
    return rc


def _finalize(rc):
    """The observable part of Py_FinalizeEx, in its order: wait for non-daemon threads, run atexit handlers, flush
    sys.stdout/sys.stderr (closed ones skipped; 120 if a flush fails), restore the original standard streams,
    clear ``__main__`` and collect garbage (so the solution's objects are finalized: buffered files and IOBase
    subclasses flush as they are destroyed), and flush the original streams (sys.__stdout__, sys.__stderr__). The
    rest of interpreter teardown has no observable effect and costs more than the fork."""
    try:
        if "threading" in sys.modules:
            sys.modules["threading"]._shutdown()
    except SystemExit as e:
        rc = _system_exit_code(e)
    except BaseException:
        pass
    import atexit

    atexit._run_exitfuncs()
    rc = _flush_std((sys.stdout, sys.stderr), rc)
    try:
        sys.stdin, sys.stdout, sys.stderr = sys.__stdin__, sys.__stdout__, sys.__stderr__
        main = sys.modules.get("__main__")
        if main is not None:
            main.__dict__.clear()
        import gc

        gc.collect(1)  # the young generations: what the solution made lately (a full collection costs more)
    except BaseException:  # a __del__ that fails is reported and ignored by CPython too
        pass
    return _flush_std((sys.__stdout__, sys.__stderr__), rc)


def _run_solution(job, ns):
    """Run the solution (and, for program tests, the test program after it) in ``ns`` as ``python3 FILE`` would;
    returns the exit status before interpreter shutdown. Functional and program tests pass only if this function's
    normal end writes the test's token (taken out of fd 3 before the solution's code started) to fd 3: an early
    exit of any kind (``os._exit``, a signal, ``sys.exit``, an exception hook, an atexit handler, a thread) and a
    constant written anywhere are not the end of the test program."""
    token = job.pop("token", b"")
    try:
        if job["compat"] and job["kind"] == "stdin":
            _lcb_compat().run_stdio(job["code"], job["compat"])  # exits
        exec(job["code"], ns)
        if job["kind"] == "functional":
            args = [json.loads(line) for line in job["args"].split("\n") if line.strip()]
            fn = job["fn_name"]
            method = getattr(ns["Solution"](), fn) if isinstance(ns.get("Solution"), type) else ns[fn]
            result = _encode_result(method(*args))  # serialised here, compared by the judge: no __eq__ of ours
            os.ftruncate(3, 0)
            os.pwrite(3, token + result, 0)
        elif job["kind"] == "program":
            os.ftruncate(3, 0)
            os.pwrite(3, token, 0)
        return 0
    except SystemExit as e:
        return _system_exit_code(e)
    except BaseException as e:
        sys.excepthook(type(e), e, e.__traceback__)
        return 1


_FRESH_MAIN = None  # a standby process's prepared __main__


def _prepare_main(job, early=False):
    """A fresh ``__main__`` for the solution, as ``python3 FILE`` sets it up (done early by a standby process,
    then only the file name is updated)."""
    global _FRESH_MAIN
    main = _FRESH_MAIN
    if main is None:
        import types

        main = types.ModuleType("__main__")
        main.__builtins__ = __builtins__
        main.__cached__ = None
        sys.modules["__main__"] = main
        sys.path[0] = job["cwd"]
        sys.excepthook = _strip_zygote_frame
    _FRESH_MAIN = main if early else None
    main.__file__ = os.path.join(job["cwd"], job["filename"])
    sys.argv[:] = [job["filename"]]
    return main.__dict__


if __name__ == "__main__":
    _cfg = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    REQ_FD, REP_FD = _cfg.get("req_fd", REQ_FD), _cfg.get("rep_fd", REP_FD)
    for _m in _cfg.get("preload", PRELOAD):
        try:
            __import__(_m)
        except Exception:
            pass
    import gc

    gc.freeze()  # keep the collector in each test away from the zygote's objects (and their pages shared)
    _job = Zygote(_cfg).serve()
    # ---- from here on, only in the solution process ----
    os._exit(_finalize(_run_solution(_job, _prepare_main(_job))))
