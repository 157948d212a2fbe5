"""Compiling C++ solutions into an on-disk binary cache, with a precompiled ``bits/stdc++.h`` per flag set.

* **Precompiled headers.** ``bits/stdc++.h.gch`` is built once per (compiler, flags) into the cache, under a file
  lock, with exactly the flags of the compiles that use it (g++ silently ignores a PCH built with other flags).
  Compiles of a source that includes ``<bits/stdc++.h>`` add ``-I <pch dir> -Winvalid-pch``, so a source whose
  first include is ``<bits/stdc++.h>`` finds the ``.gch`` first. A source that starts with other standard
  headers (HumanEval-X: ``#include <stdio.h>``, ``<vector>``, ``<algorithm>``..., see :func:`standard_preamble`)
  gets a precompiled header of exactly those leading lines (its "preamble"), built the second time that preamble
  is compiled and kept in the cache: the source is compiled with its preamble lines replaced by one
  ``#include "cc_preamble.h"`` (line numbers kept), which is textually the same program, so verdicts are those of
  plain compilation (a PCH of *all* of ``bits/stdc++.h`` would not be: names a source never included would become
  visible, and a program that does not compile could pass). Whether a PCH was used is recorded per compile.
* **Binary cache.** A binary is stored under ``sha256(compiler identity, flags, source)``; a compile error is stored
  too (not a compile stopped by the limits, which may depend on the machine's load). A striped file lock per key
  makes two threads or two judges never compile the same source twice; binaries are moved into place atomically.
  Binaries are mode 0711 in a 0711 directory: the test uids can run one by its path, but neither list the
  directory nor read another solution's binary.

How the compiler itself runs (sandbox, limits) is in ``cpp_toolchain.py``; the profiles (``default``, ``lcb-cpp``)
in ``cpp_profiles.py``; what the judge compiles for a solution's tests in ``cpp_prepare.py``.

The cache lives in ``$CODECRITIQUE_CPP_CACHE``, else ``$XDG_CACHE_HOME/codecritique/cpp``, else
``~/.cache/codecritique/cpp``. Nothing is ever evicted: delete the directory to reclaim space.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import re
import shlex
import shutil
import tempfile
import threading
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .cpp_toolchain import CompilerMissing, CompilerRun, compiler_identity, first_errors, limit_hit, run_compiler
from .limits import CompileLimits

log = logging.getLogger(__name__)

# The main() of C++ program tests (HumanEval-X, LiveCodeBench-CPP harnesses) under every profile but lcb-cpp
# (sandboxed/cpp_main_wrapper.cpp). The test program's own main is renamed __cc_harness_main in its object file
# (objcopy, after compiling it as main, so its implicit "return 0" stays) and called from there. The test's
# end-of-test token, which the judge puts in fd 3, is taken out of fd 3 by a .preinit_array function linked first:
# before any static initializer or constructor of the solution runs. Only a normal return of 0 from the test
# program's main writes it back; exit(0), _exit(0), _Exit(0), quick_exit(0), abort or signal handlers, static
# initializers and destructors exiting 0 never reach that line.
MAIN_WRAPPER = resources.files(__package__).joinpath("sandboxed", "cpp_main_wrapper.cpp").read_text(encoding="utf-8")


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


# The standard library's headers (C++17/20 and the C headers, in both spellings): content fixed by the toolchain,
# so a precompiled copy in the cache is the same text the compiler would read.
_C_HEADERS = ("assert complex ctype errno fenv float inttypes iso646 limits locale math setjmp signal stdalign "
              "stdarg stdbool stddef stdint stdio stdlib string tgmath time uchar wchar wctype").split()
STANDARD_HEADERS = frozenset(
    ("algorithm any array atomic bit bitset charconv chrono codecvt compare complex concepts condition_variable "
     "deque exception execution filesystem forward_list fstream functional future initializer_list iomanip ios "
     "iosfwd iostream istream iterator limits list locale map memory memory_resource mutex new numbers numeric "
     "optional ostream queue random ranges ratio regex scoped_allocator set shared_mutex source_location span "
     "sstream stack stdexcept streambuf string string_view system_error thread tuple type_traits typeindex "
     "typeinfo unordered_map unordered_set utility valarray variant vector version bits/stdc++.h").split()
    + [f"c{h}" for h in _C_HEADERS] + [f"{h}.h" for h in _C_HEADERS])
_PREAMBLE_INCLUDE = re.compile(r"\s*#\s*include\s*<([^<>]+)>\s*(?://.*)?")
_PREAMBLE_OTHER = re.compile(r"\s*(?://.*|using\s+namespace\s+std\s*;\s*(?://.*)?)?")
PREAMBLE_HEADER = "cc_preamble.h"


def standard_preamble(source: str) -> tuple[str, int] | None:
    """The source's leading lines when they are only ``#include <standard header>`` lines (at least one), blank
    lines, ``//`` comments and ``using namespace std;``: (those lines, how many). None otherwise. Stops at the first
    other line (a macro definition, a block comment, code, a continued line, another header), so nothing that could
    change what the headers mean comes before them."""
    lines = source.split("\n")
    n, includes = 0, 0
    for line in lines[:-1]:  # the last piece has no newline: never part of a preamble
        text = line.rstrip("\r")
        if text.endswith("\\"):
            break
        m = _PREAMBLE_INCLUDE.fullmatch(text)
        if m:
            if m.group(1).strip() not in STANDARD_HEADERS:
                break
            includes += 1
        elif not _PREAMBLE_OTHER.fullmatch(text):
            break
        n += 1
    while n and not _PREAMBLE_INCLUDE.fullmatch(lines[n - 1].rstrip("\r")):
        n -= 1  # end at the last include: what follows belongs to the program
    if not includes or not n:
        return None
    return "\n".join(lines[:n]) + "\n", n


def default_cache_dir() -> Path:
    if os.environ.get("CODECRITIQUE_CPP_CACHE"):
        return Path(os.environ["CODECRITIQUE_CPP_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "codecritique" / "cpp"


class CppCompiler:
    """Compiles sources with fixed flags into the binary cache; thread-safe, and safe across processes."""

    def __init__(self, flags: Sequence[str], cache_dir: str | Path | None = None, compiler: str = "g++",
                 limits: CompileLimits = CompileLimits(), sandbox: str = "bwrap", pch: bool = True,
                 preamble_min_uses: int = 2):
        self.flags = tuple(flags)
        self.compiler = compiler
        self.limits = limits
        self.sandbox = sandbox
        self.use_pch = pch
        self.preamble_min_uses = preamble_min_uses  # compiles of a preamble before its PCH is built
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
        self._preamble_uses: dict[str, int] = {}  # preamble PCH tag -> compiles that asked for it (this process)

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
        preamble = standard_preamble(source) if self.use_pch else None
        pre_dir = None
        if preamble is not None and _PREAMBLE_INCLUDE.search(preamble[0]).group(1).strip() != "bits/stdc++.h":
            pre_dir = self.preamble_pch(preamble[0])  # (bits/stdc++.h first: its own PCH, below)
        pch = self.pch_dir() if self.use_pch and pre_dir is None and "bits/stdc++.h" in source else None
        work = Path(tempfile.mkdtemp(prefix="c-", dir=self.cache_dir / "tmp"))
        try:
            text = source
            if pre_dir is not None:  # the same program: its preamble lines become one include, line numbers kept
                n = preamble[1]  # type: ignore[index]
                text = f'#include "{PREAMBLE_HEADER}"\n' + "\n" * (n - 1) + source.split("\n", n)[n]
            (work / "solution.cpp").write_text(text, encoding="utf-8", errors="surrogateescape")
            argv = [self.compiler, *self.flags, "-fdiagnostics-color=never"]
            if pre_dir is not None:
                argv += ["-I", self._inside(pre_dir, "/pre"), "-Winvalid-pch"]
            elif pch is not None:
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
            binds = {pch: "/pch"} if pch else {pre_dir: "/pre"} if pre_dir else {}
            if objects:
                binds[self.obj_dir] = "/obj"
            run = self._run(argv, work, binds)
            res = CompileResult(False, key, cpu_time=run.cpu_time, wall_time=run.wall_time,
                                pch=(pre_dir is not None or pch is not None and "bits/stdc++.h" in source) and
                                "not used because" not in run.stderr)
            out = work / "solution"
            if run.returncode == 0 and out.exists():
                os.chmod(out, 0o711)
                os.replace(out, self.bin_dir / key)
                res.ok, res.binary = True, str(self.bin_dir / key)
                return res
            limit = limit_hit(run, self.limits)
            if limit:
                res.error = f"compile limits exceeded ({limit})"
            else:
                res.error = first_errors(run.stderr) or f"the compiler failed (exit code {run.returncode})"
                _write_atomic(self.cache_dir / "ce" / key, res.error)
            return res
        finally:
            shutil.rmtree(work, ignore_errors=True)

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

    def preamble_pch(self, preamble: str, min_uses: int | None = None) -> Path | None:
        """The directory holding ``cc_preamble.h`` (the preamble's text) and its ``.gch`` for these flags, or None
        while it is not worth building (fewer than ``min_uses`` compiles asked for it in this process: a preamble
        seen once costs more to precompile than to compile), while another thread or judge builds it (this compile
        goes without), or if it cannot be built."""
        tag = hashlib.sha256("\0".join([self.identity, *self.flags, "preamble", preamble]).encode()).hexdigest()[:16]
        final = self.cache_dir / "pch" / f"pre-{tag}"
        gch = final / f"{PREAMBLE_HEADER}.gch"
        if gch.exists():
            return final
        with self._pch_lock:
            uses = self._preamble_uses[tag] = self._preamble_uses.get(tag, 0) + 1
        if uses < (self.preamble_min_uses if min_uses is None else min_uses) or (final / "FAILED").exists():
            return None
        with self._try_lock(f"pch-{tag}") as locked:
            if not locked or gch.exists():
                return final if gch.exists() else None
            work = Path(tempfile.mkdtemp(prefix="pre-", dir=self.cache_dir / "tmp"))
            try:
                (work / PREAMBLE_HEADER).write_text(preamble, encoding="utf-8", errors="surrogateescape")
                build = self._run([self.compiler, *self.flags, "-x", "c++-header", PREAMBLE_HEADER, "-o",
                                   f"{PREAMBLE_HEADER}.gch"], work, {})
                final.mkdir(parents=True, exist_ok=True)
                os.chmod(final, 0o755)
                if build.returncode != 0 or not (work / f"{PREAMBLE_HEADER}.gch").exists():
                    _write_atomic(final / "FAILED", first_errors(build.stderr) or f"exit code {build.returncode}")
                    return None
                for name in (PREAMBLE_HEADER, f"{PREAMBLE_HEADER}.gch"):  # the header first: the .gch means ready
                    os.chmod(work / name, 0o644)
                    os.replace(work / name, final / name)
                return final
            finally:
                shutil.rmtree(work, ignore_errors=True)

    # -- running the compiler

    @contextmanager
    def _try_lock(self, name: str):
        """Yields whether the lock was free (and is now held); never waits."""
        with open(self.cache_dir / "locks" / name, "a") as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

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

    def _run(self, argv: list[str], work: Path, ro_binds: dict[Path, str]) -> CompilerRun:
        return run_compiler(argv, work, ro_binds, compiler=self.compiler, limits=self.limits, sandbox=self.sandbox)





def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
