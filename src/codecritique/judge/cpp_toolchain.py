"""Running the C++ compiler: its identity, the compile limits, and one sandboxed, limited run of it.

With ``bwrap``, the compiler runs in new user, PID, network, IPC and UTS namespaces as an unprivileged uid with no
capabilities, sees only the system directories read-only, a per-compile writable directory and a size-limited
/tmp. In every mode it runs under rlimits (CPU 30 s, address space 2 GiB, files 256 MiB, no core) and a wall-clock
backstop that kills its whole process group. A template explosion or a huge ``constexpr`` ends as a compile error
"compile limits exceeded (...)". The compiler forks (cc1plus, as, ld), so the no-fork filter of the test sandbox is
not used here.
"""

from __future__ import annotations

import functools
import os
import re
import resource
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .limits import CompileLimits
from .sandbox import SYSTEM_PATHS, system_binds


class CompilerMissing(RuntimeError):
    """The C++ compiler cannot be run."""


@functools.lru_cache(maxsize=None)
def compiler_identity(compiler: str) -> str:
    """What makes the compiler's output what it is: its resolved path, version line and target."""
    exe = shutil.which(compiler)
    if exe is None:
        raise CompilerMissing(f"C++ compiler {compiler!r} not found (apt-get install g++)")
    try:
        version = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30).stdout
        target = subprocess.run([exe, "-dumpmachine"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError) as e:
        raise CompilerMissing(f"cannot run {exe}: {e}") from None
    return f"{os.path.realpath(exe)}|{version.splitlines()[0] if version else '?'}|{target.strip()}"


@dataclass
class CompilerRun:
    """One run of the compiler (or of a shell around it)."""

    returncode: int
    stderr: str
    cpu_time: float
    wall_time: float
    wall_killed: bool


def run_compiler(argv: list[str], work: Path, ro_binds: dict[Path, str], *, compiler: str, limits: CompileLimits,
                 sandbox: str) -> CompilerRun:
    """Run the compiler in ``work`` under the compile limits (and bwrap, if that is the sandbox)."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/tmp", "TMPDIR": "/tmp"}
    if sandbox == "bwrap":
        argv = _bwrap(work, ro_binds, compiler, limits.tmp_mb) + argv
        cwd = None
    else:
        env["TMPDIR"] = str(work)
        cwd = work
    lim = limits

    def set_limits() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (int(lim.cpu), int(lim.cpu) + 1))
        resource.setrlimit(resource.RLIMIT_AS, (lim.memory_mb << 20, lim.memory_mb << 20))
        resource.setrlimit(resource.RLIMIT_FSIZE, (lim.output_mb << 20, lim.output_mb << 20))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    t0 = time.monotonic()
    try:
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, start_new_session=True, preexec_fn=set_limits)
    except OSError as e:
        raise CompilerMissing(f"cannot start {argv[0]}: {e}") from None
    killed = threading.Event()

    def kill() -> None:
        killed.set()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    timer = threading.Timer(lim.wall, kill)
    timer.start()
    try:
        stderr = _read_capped(proc.stderr, 256 << 10)
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        timer.cancel()
        proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return CompilerRun(proc.returncode, stderr.decode("utf-8", "replace"), usage.ru_utime + usage.ru_stime,
                time.monotonic() - t0, killed.is_set())


def _bwrap(work: Path, ro_binds: dict[Path, str], compiler: str, tmp_mb: int) -> list[str]:
    argv = ["bwrap", "--unshare-all", "--uid", "65534", "--gid", "65534", "--cap-drop", "ALL",
            "--as-pid-1", "--die-with-parent", "--new-session", *system_binds()]
    home = Path(os.path.realpath(shutil.which(compiler) or compiler)).parent.parent
    if not any(str(home) == s or str(home).startswith(s + "/") for s in SYSTEM_PATHS):
        argv += ["--ro-bind", str(home), str(home)]  # a compiler installed outside the system directories
    argv += ["--proc", "/proc", "--dev", "/dev", "--size", str(tmp_mb << 20), "--tmpfs", "/tmp",
             "--bind", str(work), "/w"]
    for host, inside in ro_binds.items():
        argv += ["--ro-bind", str(host), inside]
    return argv + ["--chdir", "/w"]


def limit_hit(run: CompilerRun, lim: CompileLimits) -> str | None:
    """Which compile limit stopped ``run``, if one did (a compile error then, but not cached: load-dependent)."""
    err = run.stderr
    if run.wall_killed:
        return f"wall-clock limit of {lim.wall:g} s"
    if run.cpu_time >= lim.cpu or "CPU time limit exceeded" in err or "signal 24" in err:
        return f"CPU time limit of {lim.cpu:g} s"
    if re.search(r"out of memory|virtual memory exhausted|std::bad_alloc|Cannot allocate memory", err):
        return f"memory limit of {lim.memory_mb} MiB"
    if "File size limit exceeded" in err or "signal 25" in err:
        return f"output size limit of {lim.output_mb} MiB"
    if re.search(r"Killed signal terminated program|terminated with signal 9\b", err):
        return "killed by the sandbox"
    return None


def first_errors(stderr: str, max_lines: int = 20) -> str:
    """The compiler's first error lines (from the first error, or the context line just before it; warnings before
    the first error are left out)."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    start = next((i for i, line in enumerate(lines)
                  if re.search(r"(?:^|: )(?:fatal )?error\b|undefined reference|multiple definition", line)), None)
    if start is None:
        return "\n".join(lines[:max_lines])
    if start and re.search(r"(?:In (?:member )?function|In instantiation|In constructor|required from)", lines[start - 1]):
        start -= 1
    return "\n".join(lines[start:start + max_lines])


def _read_capped(stream, cap: int) -> bytes:
    """Everything the stream gives until EOF, keeping the first ``cap`` bytes."""
    kept = bytearray()
    while True:
        chunk = stream.read1(1 << 16) if hasattr(stream, "read1") else stream.read(1 << 16)
        if not chunk:
            return bytes(kept)
        if len(kept) < cap:
            kept += chunk[: cap - len(kept)]
