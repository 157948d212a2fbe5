"""Compiling C++ solutions into an on-disk binary cache, with precompiled headers per flag set.

* **Precompiled headers.** Two kinds, both built with exactly the flags of the compiles that use them (g++ silently
  ignores a PCH built with other flags; ``-Winvalid-pch`` makes it say so, and the result says whether one was used):
  - a source that starts with its own standard includes (``#include <vector>``, ``<string>``...: the rule is in
    ``cpp_pch.py``) is compiled with ``-include`` of a PCH of exactly those lines, built once ``min_uses`` sources
    have them; object files are byte-identical to the plain compile's;
  - ``bits/stdc++.h.gch``, built when a source first mentions ``bits/stdc++.h``: compiles add ``-I <pch dir>``, so
    a source whose first include is ``<bits/stdc++.h>`` finds the ``.gch`` first (g++ checks that nothing before it
    changes its meaning).
  A compile with a PCH that fails is compiled again without it, and that result is kept (verdict and message).
* **Binary cache.** A binary is stored under ``sha256(compiler identity, flags, source)``; a compile error is stored
  too (not a compile stopped by the limits, which may depend on the machine's load). A striped file lock per key
  makes two threads or two judges never compile the same source twice; binaries are moved into place atomically.
  Binaries are mode 0711 in a 0711 directory: the test uids can run one by its path, but neither list the
  directory nor read another solution's binary.

How the compiler itself runs (sandbox, limits) is in ``cpp_toolchain.py``; the profiles (``default``, ``lcb-cpp``)
in ``cpp_profiles.py``; what the judge compiles for a solution's tests in ``cpp_prepare.py``.

The cache lives in ``$CODECRITIQUE_CPP_CACHE``, else ``$XDG_CACHE_HOME/codecritique/cpp``, else
``~/.cache/codecritique/cpp``. Binaries are never evicted (delete the directory to reclaim space); block PCHs are
kept under ``pch_max_mb``.
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

from .cpp_pch import PchStore
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
    pch: bool = False  # a precompiled header was used (the result is the one of a compile that used it)
    pch_retried: bool = False  # the compile with a PCH failed, and this is the result without it


def default_cache_dir() -> Path:
    if os.environ.get("CODECRITIQUE_CPP_CACHE"):
        return Path(os.environ["CODECRITIQUE_CPP_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "codecritique" / "cpp"


class CppCompiler:
    """Compiles sources with fixed flags into the binary cache; thread-safe, and safe across processes."""

    def __init__(self, flags: Sequence[str], cache_dir: str | Path | None = None, compiler: str = "g++",
                 limits: CompileLimits = CompileLimits(), sandbox: str = "bwrap", pch: bool = True,
                 pch_min_uses: int = 4, pch_max_mb: int = 4096):
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
        self.blocks = PchStore(self.cache_dir / "pch", self.identity, self.flags, self._build_block,
                               min_uses=pch_min_uses, max_mb=pch_max_mb)

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
            self.blocks.settle(source)
            return found
        with self._lock(f"bin-{key[:2]}"):
            found = self._cached(key)
            if found:
                self.blocks.settle(source)
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
        block = self.blocks.choose(source) if self.use_pch else None
        std = self.pch_dir() if self.use_pch and block is None and "bits/stdc++.h" in source else None
        res, limited, stderr = self._attempt(key, source, objects, wrap_main, block, std)
        if not res.ok and not limited and (block or std) and _pch_involved(stderr):
            # a PCH must never change a verdict: a failure that involves it (an error reached through the
            # PCH's include chain, a damaged or vanished PCH) is compiled again as plain g++ would, and that is kept
            if block:
                self.blocks.forget(block[0])
            again, limited, _ = self._attempt(key, source, objects, wrap_main, None, None)
            again.cpu_time += res.cpu_time
            again.wall_time += res.wall_time
            again.pch_retried, res = True, again
        if not res.ok and not limited:
            _write_atomic(self.cache_dir / "ce" / key, res.error)
        return res

    def _attempt(self, key: str, source: str, objects: Sequence[Path], wrap_main: bool,
                 block: tuple[tuple[str, ...], Path] | None, std: Path | None) -> tuple[CompileResult, bool, str]:
        """One compile (with the block PCH ``block``, or the bits/stdc++.h PCH directory ``std``, or neither): the
        result, whether a compile limit stopped it, the compiler's stderr. A binary goes into the cache; a compile
        error does not (the caller decides)."""
        work = Path(tempfile.mkdtemp(prefix="c-", dir=self.cache_dir / "tmp"))
        try:
            (work / "solution.cpp").write_text(source, encoding="utf-8", errors="surrogateescape")
            argv = [self.compiler, *self.flags, "-fdiagnostics-color=never"]
            binds: dict[Path, str] = {}
            if block is not None:
                argv += ["-include", self._inside(block[1], "/pch-blk") + "/b.h", "-Winvalid-pch"]
                binds[block[1]] = "/pch-blk"
            elif std is not None:
                argv += ["-I", self._inside(std, "/pch"), "-Winvalid-pch"]
                binds[std] = "/pch"
            objs = [self._inside(o, f"/obj/{o.name}") for o in objects]
            if wrap_main:  # compile, rename main, link: three steps in one sandboxed shell
                compile_ = shlex.join([*argv, "-c", "solution.cpp", "-o", "solution.o"])
                # the wrapper first: its .preinit_array entry runs before the solution's
                link = shlex.join([self.compiler, *self.flags, objs[0], "solution.o", *objs[1:], "-o", "solution"])
                argv = ["/bin/sh", "-c", f"{compile_} && objcopy --redefine-sym main=__cc_harness_main solution.o "
                                         f"&& {link}"]
            else:
                argv += ["solution.cpp", *objs, "-o", "solution"]
            if objects:
                binds[self.obj_dir] = "/obj"
            run = self._run(argv, work, binds)
            ignored = "not used because" in run.stderr or "were invalid" in run.stderr
            used = not ignored and (block is not None or (std is not None and "bits/stdc++.h" in source))
            res = CompileResult(False, key, cpu_time=run.cpu_time, wall_time=run.wall_time, pch=used)
            out = work / "solution"
            if run.returncode == 0 and out.exists():
                os.chmod(out, 0o711)
                os.replace(out, self.bin_dir / key)
                res.ok, res.binary = True, str(self.bin_dir / key)
                return res, False, run.stderr
            limit = limit_hit(run, self.limits)
            if limit:
                res.error = f"compile limits exceeded ({limit})"
            else:
                res.error = first_errors(run.stderr) or f"the compiler failed (exit code {run.returncode})"
            return res, bool(limit), run.stderr
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _build_block(self, work: Path, name: str) -> CompilerRun:
        """Precompile ``work/<name>`` (a block header, see cpp_pch.py) into ``work/<name>.gch``."""
        return self._run([self.compiler, *self.flags, "-x", "c++-header", name, "-o", f"{name}.gch"], work, {})

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

    def _run(self, argv: list[str], work: Path, ro_binds: dict[Path, str]) -> CompilerRun:
        return run_compiler(argv, work, ro_binds, compiler=self.compiler, limits=self.limits, sandbox=self.sandbox)


def _pch_involved(stderr: str) -> bool:
    """Whether a failed compile's messages involve a precompiled header (its path, its include chain, g++'s PCH
    messages, the command line where -include sits); a plain error in the source itself does not (a CE with the
    PCH is a CE without it: the object code is the same, see cpp_pch.py)."""
    return bool(re.search(r"/pch-blk/|/pch/|\.gch|<command-line>|precompiled|\bPCH\b|internal compiler error|"
                          r"b\.h:|Segmentation fault|No such file", stderr))


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
