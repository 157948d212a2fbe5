"""The judge's side of one zygote: start it in its sandbox, send code and tests, read outcomes, restart it."""

from __future__ import annotations

import fcntl
import json
import os
import select
import signal
import struct
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from typing import Protocol

from .limits import DEFAULT_MEMORY_MB, DEFAULT_NPROC, DEFAULT_OUTPUT_MB, DEFAULT_TIME_LIMIT
from .sandbox import BASE_UID, CLEAN_ENV, SANDBOX_ZYGOTE, SANDBOXED_DIR, ZYGOTE_PATH, SandboxConfig, _python_roots, \
    bwrap_argv, compile_sandboxed, python_executable, seccomp_filters


class WorkerError(RuntimeError):
    """The zygote failed, hung or replied nonsense: a system error, retried on a fresh worker."""


class SandboxRefused(WorkerError):
    """The zygote cannot give tests the isolation asked for (and says how to fix it): not worth retrying."""


@dataclass
class RunOutcome:
    exit_code: int | None
    signal: int | None
    cpu_time: float
    wall_time: float
    rss_kb: int
    wall_killed: bool
    stdout: bytes
    stdout_size: int
    stderr_tail: bytes
    stderr_size: int
    result: bytes = b""  # fd 3 after the test: functional tests: token + JSON of the return value; program: token
    token: bytes = b""  # the test's end-of-test token (empty: none was asked for), see zygote._run_solution
    times: dict[str, float] = field(default_factory=dict)  # fork, setup, run, zygote, roundtrip (seconds)
    compile_error: str | None = None  # the code, loaded with the request, does not compile (nothing ran)


@dataclass
class RunRequest:
    key: str  # identifies loaded code in the zygote
    kind: str = "stdin"  # stdin | functional | program
    stdin: bytes = b""
    cpu_limit: float = DEFAULT_TIME_LIMIT
    wall_limit: float = 15.0  # the judge sends limits.Limits.wall
    memory_mb: int = DEFAULT_MEMORY_MB
    output_cap: int = DEFAULT_OUTPUT_MB << 20
    nproc: int = DEFAULT_NPROC
    fn_name: str | None = None
    args: str = ""  # functional arguments, one JSON value per line
    mode: str = "python"  # python | exec
    compat: str | None = None  # "lcb": run as LiveCodeBench does; the output to check comes back as `result`
    argv: list[str] = field(default_factory=list)  # exec mode: the binary (a path visible in the sandbox)
    token: bool = False  # give the test an end-of-test token that only the harness's normal end writes back
    loads: bool = False  # set by Worker.submit: the code came with this request (compiled, then run)


class LoadSpec(Protocol):
    """What :meth:`Worker.submit` needs of code to load with a request (requests.Code is one)."""

    source: str
    lang: str
    prelude: bool
    filename: str
    compat: str | None


F_SETPIPE_SZ, F_GETPIPE_SZ = 1031, 1032


class Worker:
    """One zygote process. Not thread-safe: one thread drives one worker."""

    def __init__(self, index: int, cfg: SandboxConfig, kind: str):
        self.index = index
        self.cfg = cfg
        self.kind = kind  # the effective sandbox kind
        self.proc: subprocess.Popen | None = None
        self.loaded: dict[str, str | None] = {}  # key -> compile error (None: compiled fine)
        self._req_capacity = 1 << 16  # bytes the request pipe holds (see fits_in_flight)
        self.strategy = ""
        self.seccomp_active = False
        self._workdir: tempfile.TemporaryDirectory | None = None
        self.starts = 0

    # -- life cycle

    def start(self) -> None:
        self.close()
        self.starts += 1
        exe = python_executable(self.cfg)
        compile_sandboxed(exe)
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        try:  # room for a whole request sent while the previous test runs (see fits_in_flight)
            fcntl.fcntl(req_w, F_SETPIPE_SZ, 1 << 20)
        except OSError:
            pass
        self._req_capacity = fcntl.fcntl(req_w, F_GETPIPE_SZ)
        zcfg: dict = {"req_fd": req_r, "rep_fd": rep_w, "tmp_size_mb": self.cfg.tmp_size_mb,
                      "isolation": self.kind != "none"}
        if self.cfg.preload is not None:
            zcfg["preload"] = self.cfg.preload
        if self.kind != "none" and os.getuid() == 0:
            # never root: tests run as the worker's two unprivileged uids; outside bwrap, the zygote first makes
            # what they must read (interpreter, standard library, binary cache, lcb_compat.py) reachable in its own
            # mount namespace, or refuses to start (see sandboxed/zygote.py, Zygote._expose)
            zcfg["uids"] = [BASE_UID + 2 * self.index, BASE_UID + 2 * self.index + 1]
            if self.kind != "bwrap":
                need = _python_roots(exe) + [os.path.dirname(os.path.realpath(exe)), str(SANDBOXED_DIR)]
                need += [os.path.abspath(b) for b in self.cfg.ro_binds]
                zcfg["expose"] = sorted({os.path.realpath(p) for p in need if os.path.exists(p)})
                zcfg["cover_tmp"] = True  # private /tmp, /var/tmp, /run/lock (the host's are world-writable)
        filters = seccomp_filters() if self.cfg.seccomp else None
        if filters:  # in every mode: --sandbox none gets the base filter too (no sockets), but may fork
            zcfg["seccomp_base"] = filters["base"].hex()
            if not self.cfg.allow_fork and self.kind != "none":
                zcfg["seccomp_nofork"] = filters["nofork"].hex()
        if self.kind == "bwrap":
            argv = bwrap_argv(self.cfg, exe) + [exe, SANDBOX_ZYGOTE]
        else:
            self._workdir = tempfile.TemporaryDirectory(prefix="codecritique-w")
            os.chmod(self._workdir.name, 0o755)
            zcfg["workdir"] = os.path.join(self._workdir.name, "w")
            argv = [exe, str(ZYGOTE_PATH)]
        argv.append(json.dumps(zcfg))
        # the judge's environment (tokens, paths, PYTHONPATH) never reaches a solution, in any mode
        env = dict(CLEAN_ENV, HOME=zcfg.get("workdir", "/tmp"))
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, pass_fds=(req_r, rep_w), start_new_session=True,
                                     preexec_fn=_zygote_rlimits, env=env)
        os.close(req_r)
        os.close(rep_w)
        self._req, self._rep = req_w, rep_r
        self.loaded.clear()
        try:
            hello, _ = self._recv(timeout=60)
        except WorkerError as e:
            err = self._stderr()
            self.close()
            raise WorkerError(f"sandbox failed to start ({' '.join(argv[:3])} ...): {e}; {err}") from None
        if not hello.get("ok"):  # the zygote refused to start (e.g. nothing an unprivileged uid can run)
            self.close()
            raise SandboxRefused(hello.get("error", "the sandbox refused to start"))
        self.strategy = hello.get("strategy", "?")
        self.seccomp_active = bool(hello.get("seccomp"))

    def _stderr(self) -> str:
        if self.proc is None or self.proc.stderr is None:
            return ""
        try:
            if self.proc.poll() is None:
                return ""
            return self.proc.stderr.read(4000).decode(errors="replace").strip()
        except Exception:
            return ""

    def close(self) -> None:
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            if self.proc.stderr:
                self.proc.stderr.close()
            for fd in (self._req, self._rep):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self.proc = None
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # -- protocol

    def _send(self, head: dict, blobs: list[bytes] = ()) -> None:
        blobs = list(blobs)
        head = dict(head, blobs=[len(b) for b in blobs])
        h = json.dumps(head).encode()
        data = memoryview(b"".join([struct.pack(">I", len(h)), h, *blobs]))
        try:
            while data:
                data = data[os.write(self._req, data):]
        except OSError as e:
            raise WorkerError(f"zygote gone: {e}") from None

    def _read_exact(self, n: int, deadline: float) -> bytes:
        chunks = []
        while n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise WorkerError("zygote did not answer in time")
            r, _, _ = select.select([self._rep], [], [], left)
            if not r:
                continue
            b = os.read(self._rep, min(n, 1 << 20))
            if not b:
                raise WorkerError("zygote closed its pipe")
            chunks.append(b)
            n -= len(b)
        return b"".join(chunks)

    def _recv(self, timeout: float) -> tuple[dict, list[bytes]]:
        deadline = time.monotonic() + timeout
        (n,) = struct.unpack(">I", self._read_exact(4, deadline))
        if n > 1 << 20:
            raise WorkerError("oversized reply header")
        try:
            head = json.loads(self._read_exact(n, deadline))
        except ValueError as e:
            raise WorkerError(f"malformed reply: {e}") from None
        blobs = [self._read_exact(int(k), deadline) for k in head.get("blobs", [])]
        return head, blobs

    def _call(self, head: dict, blobs: list[bytes], timeout: float) -> tuple[dict, list[bytes]]:
        if not self.alive:
            self.start()
        self._send(head, blobs)
        return self._recv(timeout)

    # -- operations

    def load(self, key: str, source: str, *, lang: str = "python", prelude: bool = False,
             filename: str = "solution.py", compat: str | None = None) -> str | None:
        """Make code available under ``key``; returns the compile error for Python syntax errors, else None.
        ``compat="lcb"``: compiled the way LiveCodeBench runs stdin solutions (see lcb_compat.py)."""
        if key in self.loaded:
            return self.loaded[key]
        head, _ = self._call({"op": "load", "key": key, "lang": lang, "prelude": prelude, "filename": filename,
                              "compat": compat}, [source.encode("utf-8", "surrogateescape")], timeout=60)
        if not head.get("ok"):
            raise WorkerError(head.get("error", "load failed"))
        err = head.get("compile_error")
        self._remember(key, err)
        return err

    def _remember(self, key: str, err: str | None) -> None:
        """The zygote keeps the last 256 codes it loaded (a reload moves a code to the end); remembering only the
        last 200 here, in the same order, every key held here is held there too."""
        if key not in self.loaded and len(self.loaded) >= 200:
            self.loaded.pop(next(iter(self.loaded)))
        self.loaded[key] = err

    def run(self, req: RunRequest) -> RunOutcome:
        return self.collect(req, self.submit(req))

    def has(self, key: str) -> bool:
        """Whether code ``key`` is loaded and compiled fine (a run of it needs no other request first)."""
        return key in self.loaded and self.loaded[key] is None

    def fits_in_flight(self, req: RunRequest, source: str = "") -> bool:
        """Whether ``req`` (with ``source``, if it loads its code) may be sent while another request is in flight.
        The zygote reads requests only between tests, so such a request must fit in the pipe whole: otherwise the
        judge blocks writing it while the zygote blocks writing the reply the judge is not reading yet."""
        size = len(req.stdin) + len(req.args.encode("utf-8", "surrogateescape")) + \
            len(source.encode("utf-8", "surrogateescape")) + 16384  # + the header, generously
        return size <= self._req_capacity

    def submit(self, req: RunRequest, load: LoadSpec | None = None) -> float:
        """Send a run request without waiting for its reply (see :meth:`collect`); returns when it was sent. The
        zygote answers requests in order, so a second request may be sent while the first one runs (if it
        :meth:`fits_in_flight`). ``load``: code this worker does not hold yet, sent with the request: the zygote
        compiles it and runs the test in one round trip (or answers with the compile error)."""
        head = {"op": "run", "key": req.key, "kind": req.kind, "cpu": req.cpu_limit, "wall": req.wall_limit,
                "mem_mb": req.memory_mb, "out_cap": req.output_cap, "nproc": req.nproc, "mode": req.mode}
        blobs = [req.stdin]
        req.loads = load is not None
        if load is not None:
            head["load"] = {"lang": load.lang, "prelude": load.prelude, "filename": load.filename,
                            "compat": load.compat}
            blobs.append(load.source.encode("utf-8", "surrogateescape"))
        if req.kind == "functional":
            head.update(fn_name=req.fn_name, args=req.args)
        if req.mode == "exec":
            head["argv"] = req.argv
        if req.compat:
            head["compat"] = req.compat
        if req.token:
            head["token"] = True
        if not self.alive:
            self.start()
        self._send(head, blobs)
        return time.monotonic()

    def collect(self, req: RunRequest, t0: float) -> RunOutcome:
        """The reply to a request sent with :meth:`submit` (replies come in request order: collect the earlier
        ones first; ``t0`` is when this one's wait began, for the round-trip accounting)."""
        rep, blobs = self._recv(req.wall_limit + 30)
        times = dict(rep.get("times") or {}, roundtrip=time.monotonic() - t0)
        if not rep.get("ok"):
            if rep.get("missing"):
                self.loaded.pop(req.key, None)
            raise WorkerError(rep.get("error", "run failed"))
        if req.loads:
            self._remember(req.key, rep.get("compile_error"))
        if rep.get("compile_error") is not None:
            return RunOutcome(exit_code=None, signal=None, cpu_time=0.0, wall_time=0.0, rss_kb=0, wall_killed=False,
                              stdout=b"", stdout_size=0, stderr_tail=b"", stderr_size=0, times=times,
                              compile_error=rep["compile_error"])
        out, err, res = (blobs + [b"", b"", b""])[:3]
        return RunOutcome(exit_code=rep.get("exit"), signal=rep.get("signal"), cpu_time=rep.get("cpu") or 0.0,
                          wall_time=rep.get("wall", 0.0), rss_kb=rep.get("rss_kb", 0),
                          wall_killed=bool(rep.get("wall_killed")), stdout=out, stdout_size=rep.get("out_size", 0),
                          stderr_tail=err, stderr_size=rep.get("err_size", 0), result=res, times=times,
                          token=(rep.get("token") or "").encode())


def _zygote_rlimits() -> None:
    """Runs in the zygote before exec: the usual 8 MiB stack, as under a default shell. glibc sizes new threads'
    stacks from the exec-time stack limit, so a larger value here would make every thread reserve that much (and
    fail under the memory limit). Each test sets its own limits later."""
    import resource

    try:
        hard = resource.getrlimit(resource.RLIMIT_STACK)[1]
        soft = 8 << 20 if hard == resource.RLIM_INFINITY else min(8 << 20, hard)
        resource.setrlimit(resource.RLIMIT_STACK, (soft, hard))
    except (ValueError, OSError):
        pass
