"""Compiling C++ solutions: profiles, a precompiled ``bits/stdc++.h`` per flag set, a sandboxed compiler and an
on-disk binary cache.

* **Profiles.** ``default`` compiles with ``-O2 -std=gnu++17`` (Codeforces-like); ``lcb-cpp`` compiles exactly as the
  paper's LiveCodeBench-CPP evaluator does: plain ``g++`` (no flags), 6 s per test, 8 GiB, and stdin outputs compared
  as ``stdout.strip() == expected.strip()``. ``--cxxflags`` replaces a profile's flags.
* **Precompiled header.** ``bits/stdc++.h.gch`` is built once per (compiler, flags) into the cache, under a file lock,
  with exactly the flags of the compiles that use it (g++ silently ignores a PCH built with other flags).
  Compiles add ``-I <pch dir> -Winvalid-pch``, so a source whose first include is ``<bits/stdc++.h>`` finds the
  ``.gch`` first; any other source is compiled as usual. Whether the PCH was used is recorded per compile.
* **Binary cache.** A binary is stored under ``sha256(compiler identity, flags, source)``; a compile error is stored
  too (not a compile stopped by the limits, which may depend on the machine's load). A striped file lock per key
  makes two threads or two judges never compile the same source twice; binaries are moved into place atomically.
  Binaries are mode 0711 in a 0711 directory: the test uids can run one by its path, but neither list the
  directory nor read another solution's binary.
* **Sandbox.** With ``bwrap``, the compiler runs in new user, PID, network, IPC and UTS namespaces as an unprivileged
  uid with no capabilities, sees only the system directories read-only, a per-compile writable directory and a
  size-limited /tmp. In every mode it runs under rlimits (CPU 30 s, address space 2 GiB, files 256 MiB, no core)
  and a wall-clock backstop that kills its whole process group. A template explosion or a huge ``constexpr``
  ends as a compile error "compile limits exceeded (...)". The compiler forks (cc1plus, as, ld), so the no-fork
  filter of the test sandbox is not used here.

The cache lives in ``$CODECRITIQUE_CPP_CACHE``, else ``$XDG_CACHE_HOME/codecritique/cpp``, else
``~/.cache/codecritique/cpp``. Nothing is ever evicted: delete the directory to reclaim space.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import logging
import os
import re
import resource
import shlex
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .checkers import Checker
from .sandbox import SYSTEM_PATHS, system_binds

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CxxProfile:
    name: str
    flags: tuple[str, ...]
    time_limit: float | None = None  # seconds per test; None: the judge's usual default
    memory_mb: int | None = None
    checker: str | None = None  # how stdin outputs of C++ solutions are compared, when the judge's is "default"
    description: str = ""


PROFILES = {
    "default": CxxProfile("default", ("-O2", "-std=gnu++17"), description="-O2 -std=gnu++17, the judge's limits"),
    "lcb-cpp": CxxProfile("lcb-cpp", (), time_limit=6.0, memory_mb=8192, checker="lcb-cpp",
                          description="the paper's LiveCodeBench-CPP evaluator: plain g++, 6 s, 8 GiB, "
                                      "stdout.strip() == expected.strip()"),
}


# The main() of C++ program tests (HumanEval-X, LiveCodeBench-CPP harnesses) under every profile but lcb-cpp. The test
# program's own main is renamed __cc_harness_main in its object file (objcopy, after compiling it as main, so its
# implicit "return 0" stays) and called from here. The test's end-of-test token, which the judge puts in fd 3, is
# taken out of fd 3 by a .preinit_array function linked first: before any static initializer or constructor of the
# solution runs. Only a normal return of 0 from the test program's main writes it back; exit(0), _exit(0), _Exit(0),
# quick_exit(0), abort or signal handlers, static initializers and destructors exiting 0 never reach that line.
MAIN_WRAPPER = r"""
#include <unistd.h>
extern "C" int __cc_harness_main(int, char**, char**);
static char cc_token[64];
static ssize_t cc_token_n = -1;
static void cc_take_token(int, char**, char**) {
    cc_token_n = pread(3, cc_token, sizeof cc_token, 0);
    if (ftruncate(3, 0) != 0) cc_token_n = -1;
}
__attribute__((section(".preinit_array"), used)) static void (*cc_take_token_at_start)(int, char**, char**) =
    cc_take_token;
int main(int argc, char** argv, char** envp) {
    int status = __cc_harness_main(argc, argv, envp);
    if (status == 0 && cc_token_n > 0 &&
        (ftruncate(3, 0) != 0 || pwrite(3, cc_token, (size_t)cc_token_n, 0) != cc_token_n)) status = 1;
    return status;
}
"""


def get_profile(name: str) -> CxxProfile:
    if name not in PROFILES:
        raise ValueError(f"unknown C++ profile {name!r}; choose one of {', '.join(PROFILES)}")
    return PROFILES[name]


def _lcb_cpp_compare(_input: str, expected: str, actual: str) -> tuple[bool, str]:
    if actual.strip() == expected.strip():
        return True, ""
    return False, "output differs from the expected output (LiveCodeBench-CPP: exact match after strip)"


LCB_CPP_CHECKER = Checker("lcb-cpp", _lcb_cpp_compare)


@dataclass(frozen=True)
class CompileLimits:
    cpu: float = 30.0  # seconds of CPU time, per compiler process
    memory_mb: int = 2048  # address space, per compiler process
    output_mb: int = 256  # largest file the compiler may write
    wall: float = 120.0  # backstop for the whole compile
    tmp_mb: int = 512  # the compiler's /tmp (sandboxed compiles)


@dataclass
class CompileResult:
    ok: bool
    key: str
    binary: str | None = None
    error: str = ""  # the compiler's first error lines, or which compile limit stopped it
    cached: bool = False
    cpu_time: float = 0.0  # seconds (compiler, assembler and linker)
    wall_time: float = 0.0
    pch: bool = False  # the precompiled bits/stdc++.h was used


class CompilerMissing(RuntimeError):
    """The C++ compiler cannot be run."""


def default_cache_dir() -> Path:
    if os.environ.get("CODECRITIQUE_CPP_CACHE"):
        return Path(os.environ["CODECRITIQUE_CPP_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "codecritique" / "cpp"


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
class _Run:
    returncode: int
    stderr: str
    cpu_time: float
    wall_time: float
    wall_killed: bool


class CppCompiler:
    """Compiles sources with fixed flags into the binary cache; thread-safe, and safe across processes."""

    def __init__(self, flags: Sequence[str], cache_dir: str | Path | None = None, compiler: str = "g++",
                 limits: CompileLimits = CompileLimits(), sandbox: str = "bwrap", pch: bool = True):
        self.flags = tuple(flags)
        self.compiler = compiler
        self.limits = limits
        self.sandbox = sandbox
        self.use_pch = pch
        self.identity = compiler_identity(compiler)
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        self.bin_dir = self.cache_dir / "bin"
        self.obj_dir = self.cache_dir / "obj"
        for d, mode in ((self.cache_dir, 0o711), (self.bin_dir, 0o711), (self.cache_dir / "ce", 0o700),
                        (self.cache_dir / "tmp", 0o700), (self.cache_dir / "locks", 0o700),
                        (self.cache_dir / "pch", 0o755), (self.obj_dir, 0o755)):
            d.mkdir(parents=True, exist_ok=True)
            os.chmod(d, mode)
        self._pch_lock = threading.Lock()
        self._pch: Path | None | bool = False  # False: not looked at yet; None: unavailable

    def key(self, source: str, objects: Sequence[Path] = (), wrap_main: bool = False) -> str:
        parts = [self.identity, *self.flags, *(o.name for o in objects), *(["wrap-main"] if wrap_main else []), ""]
        h = hashlib.sha256("\0".join(parts).encode())
        h.update(source.encode("utf-8", "surrogateescape"))
        return h.hexdigest()[:40]

    # -- compiling

    def compile(self, source: str, objects: Sequence[Path] = (), wrap_main: bool = False) -> CompileResult:
        """The binary of ``source`` linked with ``objects`` (from :meth:`object_file`), compiled now or taken from
        the cache, or the reason it does not compile. ``wrap_main``: the source's ``main`` is renamed and called
        from :data:`MAIN_WRAPPER`'s."""
        if wrap_main:
            objects = [self.object_file("cc_main_wrapper", MAIN_WRAPPER), *objects]
        key = self.key(source, objects, wrap_main)
        found = self._cached(key)
        if found:
            return found
        with self._lock(f"bin-{key[:2]}"):
            found = self._cached(key)
            if found:
                return found
            return self._compile(key, source, objects, wrap_main)

    def _cached(self, key: str) -> CompileResult | None:
        binary = self.bin_dir / key
        if binary.exists():
            return CompileResult(True, key, binary=str(binary), cached=True)
        ce = self.cache_dir / "ce" / key
        if ce.exists():
            return CompileResult(False, key, error=ce.read_text(encoding="utf-8", errors="replace"), cached=True)
        return None

    def _compile(self, key: str, source: str, objects: Sequence[Path], wrap_main: bool = False) -> CompileResult:
        pch = self.pch_dir() if self.use_pch else None
        work = Path(tempfile.mkdtemp(prefix="c-", dir=self.cache_dir / "tmp"))
        try:
            (work / "solution.cpp").write_text(source, encoding="utf-8", errors="surrogateescape")
            argv = [self.compiler, *self.flags, "-fdiagnostics-color=never"]
            if pch is not None:
                argv += ["-I", self._inside(pch, "/pch"), "-Winvalid-pch"]
            objs = [self._inside(o, f"/obj/{o.name}") for o in objects]
            if wrap_main:  # compile, rename main, link: three steps in one sandboxed shell
                compile_ = shlex.join([*argv, "-c", "solution.cpp", "-o", "solution.o"])
                # the wrapper first: its .preinit_array entry runs before the solution's
                link = shlex.join([self.compiler, *self.flags, objs[0], "solution.o", *objs[1:], "-o", "solution"])
                argv = ["/bin/sh", "-c", f"{compile_} && objcopy --redefine-sym main=__cc_harness_main solution.o "
                                         f"&& {link}"]
            else:
                argv += ["solution.cpp", *objs, "-o", "solution"]
            binds = {pch: "/pch"} if pch else {}
            if objects:
                binds[self.obj_dir] = "/obj"
            run = self._run(argv, work, binds)
            res = CompileResult(False, key, cpu_time=run.cpu_time, wall_time=run.wall_time,
                                pch=pch is not None and "bits/stdc++.h" in source and "not used because" not in
                                run.stderr)
            out = work / "solution"
            if run.returncode == 0 and out.exists():
                os.chmod(out, 0o711)
                os.replace(out, self.bin_dir / key)
                res.ok, res.binary = True, str(self.bin_dir / key)
                return res
            limit = self._limit_hit(run)
            if limit:
                res.error = f"compile limits exceeded ({limit})"
            else:
                res.error = first_errors(run.stderr) or f"the compiler failed (exit code {run.returncode})"
                _write_atomic(self.cache_dir / "ce" / key, res.error)
            return res
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _limit_hit(self, run: _Run) -> str | None:
        err = run.stderr
        lim = self.limits
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

    # -- objects linked into many programs

    def object_file(self, name: str, source: str) -> Path:
        """``source`` compiled once (with these flags) into an object file; raises CompilerMissing if it fails."""
        tag = self.key(source)[:16]
        final = self.obj_dir / f"{name}-{tag}.o"
        if final.exists():
            return final
        with self._lock(f"obj-{tag}"):
            if final.exists():
                return final
            work = Path(tempfile.mkdtemp(prefix="obj-", dir=self.cache_dir / "tmp"))
            try:
                (work / f"{name}.cpp").write_text(source, encoding="utf-8")
                run = self._run([self.compiler, *self.flags, "-c", f"{name}.cpp", "-o", f"{name}.o"], work, {})
                if run.returncode != 0:
                    raise CompilerMissing(f"cannot compile {name}: {first_errors(run.stderr)}")
                os.chmod(work / f"{name}.o", 0o644)
                os.replace(work / f"{name}.o", final)
                return final
            finally:
                shutil.rmtree(work, ignore_errors=True)

    # -- the precompiled header

    def pch_dir(self) -> Path | None:
        """The directory holding ``bits/stdc++.h.gch`` for these flags, built if needed; None if it cannot be
        built (compiles then go without it)."""
        with self._pch_lock:
            if self._pch is False:
                self._pch = self._build_pch()
            return self._pch  # type: ignore[return-value]

    def _build_pch(self) -> Path | None:
        tag = hashlib.sha256("\0".join([self.identity, *self.flags]).encode()).hexdigest()[:16]
        final = self.cache_dir / "pch" / tag
        gch = final / "bits" / "stdc++.h.gch"
        failed = final / "FAILED"
        if gch.exists():
            return final
        with self._lock(f"pch-{tag}"):
            if gch.exists():
                return final
            if failed.exists():
                return None
            work = Path(tempfile.mkdtemp(prefix="pch-", dir=self.cache_dir / "tmp"))
            try:
                (work / "probe.cpp").write_text("#include <bits/stdc++.h>\n")
                probe = self._run([self.compiler, *self.flags, "-H", "-E", "probe.cpp", "-o", "/dev/null"], work, {})
                m = re.search(r"^\. (\S+stdc\+\+\.h)$", probe.stderr, re.M)
                why = "cannot locate bits/stdc++.h"
                if m:
                    build = self._run([self.compiler, *self.flags, "-x", "c++-header", m.group(1), "-o", "stdc++.h.gch"],
                                      work, {})
                    if build.returncode == 0 and (work / "stdc++.h.gch").exists():
                        (final / "bits").mkdir(parents=True, exist_ok=True)
                        for d in (final, final / "bits"):
                            os.chmod(d, 0o755)
                        os.chmod(work / "stdc++.h.gch", 0o644)
                        os.replace(work / "stdc++.h.gch", gch)
                        log.info("built the precompiled bits/stdc++.h for %s in %.1f s", " ".join(self.flags) or
                                 "(no flags)", build.wall_time)
                        return final
                    why = first_errors(build.stderr) or f"exit code {build.returncode}"
                log.warning("no precompiled header for flags %r: %s", self.flags, why)
                final.mkdir(parents=True, exist_ok=True)
                _write_atomic(failed, why)
                return None
            finally:
                shutil.rmtree(work, ignore_errors=True)

    # -- running the compiler

    @contextmanager
    def _lock(self, name: str):
        with open(self.cache_dir / "locks" / name, "a") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def _inside(self, host: Path, inside: str) -> str:
        return inside if self.sandbox == "bwrap" else str(host)

    def _run(self, argv: list[str], work: Path, ro_binds: dict[Path, str]) -> _Run:
        """Run the compiler in ``work`` under the compile limits (and bwrap, if that is the sandbox)."""
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/tmp", "TMPDIR": "/tmp"}
        if self.sandbox == "bwrap":
            argv = self._bwrap(work, ro_binds) + argv
            cwd = None
        else:
            env["TMPDIR"] = str(work)
            cwd = work
        lim = self.limits

        def limits() -> None:
            resource.setrlimit(resource.RLIMIT_CPU, (int(lim.cpu), int(lim.cpu) + 1))
            resource.setrlimit(resource.RLIMIT_AS, (lim.memory_mb << 20, lim.memory_mb << 20))
            resource.setrlimit(resource.RLIMIT_FSIZE, (lim.output_mb << 20, lim.output_mb << 20))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

        t0 = time.monotonic()
        try:
            proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE, start_new_session=True, preexec_fn=limits)
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
        return _Run(proc.returncode, stderr.decode("utf-8", "replace"), usage.ru_utime + usage.ru_stime,
                    time.monotonic() - t0, killed.is_set())

    def _bwrap(self, work: Path, ro_binds: dict[Path, str]) -> list[str]:
        argv = ["bwrap", "--unshare-all", "--uid", "65534", "--gid", "65534", "--cap-drop", "ALL",
                "--as-pid-1", "--die-with-parent", "--new-session", *system_binds()]
        home = Path(os.path.realpath(shutil.which(self.compiler) or self.compiler)).parent.parent
        if not any(str(home) == s or str(home).startswith(s + "/") for s in SYSTEM_PATHS):
            argv += ["--ro-bind", str(home), str(home)]  # a compiler installed outside the system directories
        argv += ["--proc", "/proc", "--dev", "/dev", "--size", str(self.limits.tmp_mb << 20), "--tmpfs", "/tmp",
                 "--bind", str(work), "/w"]
        for host, inside in ro_binds.items():
            argv += ["--ro-bind", str(host), inside]
        return argv + ["--chdir", "/w"]


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


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
