"""Precompiled headers for a source's own leading standard includes (issue 14).

**The rule.** A source's *include block* is the run of ``#include <h>`` lines at its very start, where only
whitespace and comments may come before and between them and every ``h`` is a standard header
(:data:`STANDARD_HEADERS`: the C++ and C standard library, ``bits/stdc++.h``, the ``ext/pb_ds`` trees). The block
ends at the first other token: a ``#define`` (``_GLIBCXX_DEBUG``, ``private public``...), a ``#pragma``, an
``#undef``, a quoted include, a non-standard header, ``using namespace std;``, code. Anything with a line splice
(backslash-newline, or the trigraph ``??/``) in that region ends it too. A source whose block is ``h1 ... hn`` is
compiled with ``-include /pch/b.h``, where ``b.h`` holds exactly ``#include <h1>`` ... ``#include <hk>`` (k <= n, the
longest prefix that has a PCH) and ``b.h.gch`` is that header precompiled with the same compiler and flags. The
preprocessor state after ``b.h`` is the state the source reaches after its own first k lines (nothing of the source
comes before them), and the source's own includes of ``h1 ... hk`` are then no-ops (include guards; ``assert.h``,
which has none, defines the same ``assert`` again): the compile is the plain compile. On this machine the object
files are byte-identical (``tests/cpp/test_pch.py`` checks it on a corpus), and g++ itself refuses a PCH built
with other options (``-Winvalid-pch`` tells, then ``b.h`` is read as text: still the plain result).

**What is not done, on purpose:** force-including a precompiled ``bits/stdc++.h`` into every source whose includes
are all standard. It is faster to hit but not equivalent: a program that forgets ``#include <algorithm>`` and calls
``std::sort`` does not compile with plain g++ (CE) but compiles with the bigger header (a pass), and more visible
declarations can change which overload a call picks without any error. Neither can be detected from the PCH
compile. A bigger PCH is also slower per compile here (0.2 s of template instantiation of its own in every
translation unit, more than many HumanEval-X programs cost to compile plainly).

**When a PCH is built.** Building one costs about 3 plain compiles, so a block (or a prefix of it) gets its PCH once
``min_uses`` sources of this judge's life have it (the judge announces a batch's sources before compiling them:
:meth:`PchStore.expect`) or when it is already on disk. PCHs are kept in the cache (``pch/blk-<tag>``, tens of MiB
each), the least recently used removed past ``max_mb``. A build never blocks a compile: if another thread or
process is building the PCH a source wants, the source uses a shorter one or none.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import re
import shutil
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from .cpp_toolchain import CompilerRun, first_errors

log = logging.getLogger(__name__)

_CXX = """algorithm any array atomic barrier bit bitset cassert ccomplex cctype cerrno cfenv cfloat charconv chrono
cinttypes ciso646 climits clocale cmath codecvt compare complex concepts condition_variable coroutine csetjmp csignal
cstdalign cstdarg cstdbool cstddef cstdint cstdio cstdlib cstring ctgmath ctime cuchar cwchar cwctype deque exception
execution expected filesystem format forward_list fstream functional future initializer_list iomanip ios iosfwd
iostream istream iterator latch limits list locale map memory memory_resource mutex new numbers numeric optional
ostream queue random ranges ratio regex scoped_allocator semaphore set shared_mutex source_location span spanstream
sstream stack stacktrace stdexcept stop_token streambuf string string_view strstream syncstream system_error thread
tuple type_traits typeindex typeinfo unordered_map unordered_set utility valarray variant vector version"""
_C = """assert complex ctype errno fenv float inttypes iso646 limits locale math setjmp signal stdalign stdarg stdbool
stddef stdint stdio stdlib string tgmath time uchar wchar wctype"""
STANDARD_HEADERS = frozenset(
    _CXX.split() + [f"{h}.h" for h in _C.split()]
    + ["bits/stdc++.h", "bits/extc++.h", "ext/pb_ds/assoc_container.hpp", "ext/pb_ds/tree_policy.hpp"])

_INCLUDE = re.compile(r"#[ \t]*include[ \t]*<([^<>\n]+)>[ \t]*(?://[^\n]*|/\*[^\n]*?\*/[ \t]*)?\r?(?=\n|\Z)")
_SPACE = re.compile(r"[ \t\r\n\f\v]+")


def include_block(source: str) -> tuple[str, ...]:
    """The standard headers that ``source`` includes before anything else (see the module's rule)."""
    headers: list[str] = []
    i, n = 0, len(source)
    while i < n:
        m = _SPACE.match(source, i)
        if m:
            i = m.end()
            continue
        if source.startswith("//", i):
            end = source.find("\n", i)
            end = n if end < 0 else end
            i = end
        elif source.startswith("/*", i):
            end = source.find("*/", i + 2)
            if end < 0:
                break
            i = end + 2
        elif source.startswith("#", i):
            m = _INCLUDE.match(source, i)
            if not m or m.group(1).strip() not in STANDARD_HEADERS or m.group(1) != m.group(1).strip():
                break
            headers.append(m.group(1))
            i = m.end()
        else:
            break
    # a line splice in what was read could join a comment or an include with what follows: be conservative
    head = source[:i]
    if "\\\n" in head or "\\\r\n" in head or "??/" in head:
        return ()
    return tuple(headers)


def block_text(headers: tuple[str, ...]) -> str:
    return "".join(f"#include <{h}>\n" for h in headers)


class PchStore:
    """The block PCHs of one compiler and flag set, in ``root`` (``pch/`` of the compile cache).

    ``build(work, header_name)`` runs the compiler on ``work/<header_name>`` (sandboxed like every compile) to make
    ``work/<header_name>.gch``; it returns the :class:`CompilerRun`."""

    def __init__(self, root: Path, identity: str, flags: tuple[str, ...],
                 build: Callable[[Path, str], CompilerRun], min_uses: int = 4, max_mb: int = 4096):
        self.root = root
        self.identity = identity
        self.flags = flags
        self._build_fn = build
        self.min_uses = max(1, min_uses)
        self.max_mb = max_mb
        self.uses: Counter[tuple[str, ...]] = Counter()  # prefix -> sources seen with it
        self._expected: Counter[str] = Counter()  # source digests announced but not compiled yet
        self._state: dict[tuple[str, ...], Path | None] = {}  # prefix -> its directory, or None (failed)
        self._lock = threading.Lock()
        self._building: set[tuple[str, ...]] = set()
        self.stats: Counter[str] = Counter()

    def tag(self, prefix: tuple[str, ...]) -> str:
        return hashlib.sha256("\0".join([self.identity, *self.flags, block_text(prefix)]).encode()).hexdigest()[:16]

    # -- counting

    def expect(self, source: str) -> None:
        """Announce a source that will be compiled (counts towards ``min_uses`` now)."""
        block = include_block(source)
        if block:
            with self._lock:
                self._expected[_digest(source)] += 1
                self._count(block)

    def settle(self, source: str) -> None:
        """An announced source that needs no compile after all (its binary is cached)."""
        with self._lock:
            self._take_expected(_digest(source))

    def _take_expected(self, digest: str) -> bool:
        if not self._expected[digest]:
            self._expected.pop(digest, None)
            return False
        self._expected[digest] -= 1
        if not self._expected[digest]:
            del self._expected[digest]
        return True

    def _count(self, block: tuple[str, ...]) -> None:
        for k in range(1, len(block) + 1):
            self.uses[block[:k]] += 1

    # -- choosing

    def choose(self, source: str) -> tuple[tuple[str, ...], Path] | None:
        """The PCH to compile ``source`` with (its prefix and directory), built now if it is due; None: compile
        plainly."""
        block = include_block(source)
        if not block:
            return None
        with self._lock:
            if not self._take_expected(_digest(source)):
                self._count(block)
            if block[0] in ("bits/stdc++.h", "bits/extc++.h"):
                return None  # the whole library first: the -I bits/stdc++.h PCH (cpp.py) serves it
            candidates = [block[:k] for k in range(len(block), 0, -1)]
            todo, may_build = None, True
            for prefix in candidates:
                state = self._state.get(prefix, False)
                if state is False:
                    state = self._on_disk(prefix)
                if state:
                    self.stats["hits"] += 1
                    return prefix, state
                if prefix in self._building:
                    may_build = False  # a longer one is on its way: build no shorter one meanwhile
                elif state is False and may_build and self.uses[prefix] >= self.min_uses:
                    todo = prefix
                    self._building.add(todo)
                    break
            if todo is None:
                self.stats["plain"] += 1
                return None
        try:
            built = self._build(todo)
        finally:
            with self._lock:
                self._building.discard(todo)
        with self._lock:
            if built is not None:
                self.stats["hits"] += 1
                return todo, built
            # being built elsewhere, or failed: a shorter built one
            for prefix in candidates[candidates.index(todo) + 1:]:
                state = self._state.get(prefix)
                if state:
                    self.stats["hits"] += 1
                    return prefix, state
            self.stats["plain"] += 1
            return None

    def forget(self, prefix: tuple[str, ...]) -> None:
        """The PCH of ``prefix`` failed a compile (e.g. removed by another judge): look at the disk again."""
        with self._lock:
            self._state.pop(prefix, None)

    # -- on disk

    def _dir(self, prefix: tuple[str, ...]) -> Path:
        return self.root / f"blk-{self.tag(prefix)}"

    def _on_disk(self, prefix: tuple[str, ...]) -> Path | None | bool:
        """Its directory if built, None if it failed before, False if never tried (caller holds the lock)."""
        final = self._dir(prefix)
        if (final / "b.h.gch").exists():
            try:
                os.utime(final / "b.h.gch")  # least recently used goes first
            except OSError:
                pass
            self._state[prefix] = final
            return final
        if (final / "FAILED").exists():
            self._state[prefix] = None
            return None
        return False

    def _build(self, prefix: tuple[str, ...]) -> Path | None:
        final = self._dir(prefix)
        lock_path = self.root / f".lock-{final.name}"
        with open(lock_path, "a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # another judge builds it: do not wait
                return None
            try:
                with self._lock:
                    found = self._on_disk(prefix)
                if found is not False:
                    return found or None
                work = Path(tempfile.mkdtemp(prefix=".build-", dir=self.root))
                try:
                    (work / "b.h").write_text(block_text(prefix), encoding="utf-8")
                    t = time.monotonic()
                    run = self._build_fn(work, "b.h")
                    with self._lock:
                        self.stats["builds"] += 1
                        self.stats["build_cpu_ms"] += int(run.cpu_time * 1000)
                    if run.returncode != 0 or not (work / "b.h.gch").exists():
                        why = first_errors(run.stderr) or f"exit code {run.returncode}"
                        log.info("no PCH for <%s>: %s", "> <".join(prefix), why.splitlines()[0] if why else "")
                        final.mkdir(exist_ok=True)
                        (final / "FAILED").write_text(why, encoding="utf-8")
                        with self._lock:
                            self._state[prefix] = None
                        return None
                    for f in ("b.h", "b.h.gch"):
                        os.chmod(work / f, 0o644)
                    os.chmod(work, 0o755)
                    shutil.rmtree(final, ignore_errors=True)
                    os.replace(work, final)
                    log.info("built the PCH of <%s> in %.1f s", "> <".join(prefix), time.monotonic() - t)
                    with self._lock:
                        self._state[prefix] = final
                finally:
                    shutil.rmtree(work, ignore_errors=True)
                self._evict(keep=final)
                return final
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _evict(self, keep: Path) -> None:
        """Remove the least recently used PCHs while all of them take more than ``max_mb``."""
        entries = []
        for d in self.root.glob("blk-*"):
            try:
                st = (d / "b.h.gch").stat()
            except OSError:
                continue
            entries.append((st.st_mtime, st.st_size, d))
        total = sum(size for _, size, _ in entries)
        for _, size, d in sorted(entries, key=lambda e: e[0]):
            if total <= self.max_mb << 20:
                break
            if d == keep:
                continue
            trash = self.root / f".trash-{d.name}-{os.getpid()}-{threading.get_ident()}"
            try:
                os.replace(d, trash)
            except OSError:
                continue
            shutil.rmtree(trash, ignore_errors=True)
            total -= size
            with self._lock:
                self.stats["evicted"] += 1
                for prefix, state in list(self._state.items()):
                    if state == d:
                        del self._state[prefix]


def _digest(source: str) -> str:
    return hashlib.sha1(source.encode("utf-8", "surrogateescape")).hexdigest()
