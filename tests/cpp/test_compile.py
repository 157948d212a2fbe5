"""The compile layer: the binary cache, the precompiled header, compile errors, and compile bombs stopped by the
compile limits (real g++, real bwrap)."""

import os
import stat
import threading
import time

import pytest

from codecritique.judge.cpp import CppCompiler
from codecritique.judge.cpp_toolchain import CompileLimits, CompilerMissing, first_errors

from .conftest import needs_bwrap

FLAGS = ("-O2", "-std=gnu++17")
HELLO = "#include <bits/stdc++.h>\nusing namespace std;\nint main() { cout << \"hi\\n\"; }\n"


@pytest.fixture(scope="module")
def compiler(cpp_cache):
    return CppCompiler(FLAGS, cpp_cache)


@pytest.fixture(scope="module")
def tight(cpp_cache):
    """Small compile limits, so that bombs end in seconds."""
    return CppCompiler(FLAGS, cpp_cache, limits=CompileLimits(cpu=3, memory_mb=768, output_mb=32, wall=60))


def test_compiles_once_then_serves_the_cache(compiler):
    src = HELLO + "// unique: cache test\n"
    first = compiler.compile(src)
    assert first.ok and not first.cached and first.cpu_time > 0
    assert first.pch, "the precompiled bits/stdc++.h should be used"
    t0 = time.monotonic()
    again = compiler.compile(src)
    assert again.ok and again.cached and again.binary == first.binary
    assert time.monotonic() - t0 < 0.05
    mode = stat.S_IMODE(os.stat(first.binary).st_mode)
    assert mode == 0o711, "binaries: runnable by the test uids, readable by nobody else"


def test_concurrent_compiles_of_one_source_compile_once(compiler):
    src = HELLO + "// unique: concurrency test\n"
    results = []
    threads = [threading.Thread(target=lambda: results.append(compiler.compile(src))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r.ok for r in results)
    assert sum(not r.cached for r in results) == 1
    assert len({r.binary for r in results}) == 1


def test_compile_error_gives_the_first_error_lines_without_warnings(compiler):
    src = "#include <bits/stdc++.h>\n#warning just a warning\nint main() {\n    int x = ;\n    undefined_call();\n}\n"
    res = compiler.compile(src)
    assert not res.ok and res.binary is None
    assert "solution.cpp:4" in res.error and "error" in res.error
    assert "just a warning" not in res.error
    assert len(res.error.splitlines()) <= 20
    cached = compiler.compile(src)
    assert cached.cached and cached.error == res.error, "compile errors are cached too"


def test_warnings_are_not_errors(compiler):
    res = compiler.compile("#include <bits/stdc++.h>\n#warning careful\nint main() { int unused; return 0; }\n")
    assert res.ok


def test_link_errors_are_compile_errors(compiler):
    res = compiler.compile("int f();\nint main() { return f(); }\n")
    assert not res.ok and "undefined reference" in res.error


def test_a_precompiled_header_per_flag_set(cpp_cache, compiler):
    plain = CppCompiler((), cpp_cache)  # plain g++, as the lcb-cpp profile compiles (its tests reuse this PCH)
    assert plain.pch_dir() != compiler.pch_dir()
    res = plain.compile(HELLO + "// unique: no flags\n")
    assert res.ok and res.pch, "a PCH built with other flags would be silently ignored"


def test_first_errors_skips_leading_warnings():
    stderr = ("a.cpp:1:1: warning: unused\n    1 | x\na.cpp: In function 'int main()':\n"
              "a.cpp:3:5: error: 'y' was not declared\n")
    assert first_errors(stderr).startswith("a.cpp: In function")


@needs_bwrap
def test_compile_sandbox_sees_no_host_files(compiler, tmp_path):
    secret = tmp_path / "secret.h"
    secret.write_text("#error the sandbox leaked a host file\n")
    os.chmod(tmp_path, 0o755)
    res = compiler.compile(f'#include "{secret}"\nint main() {{}}\n')
    assert not res.ok and "No such file" in res.error


def test_template_explosion_is_stopped_by_the_limits(tight):
    bomb = ("template <int N, int M> struct E { static const long long v = E<N - 1, 2 * M>::v + "
            "E<N - 1, 2 * M + 1>::v; };\ntemplate <int M> struct E<0, M> { static const long long v = M; };\n"
            "int main() { return E<26, 1>::v & 1; }\n")
    t0 = time.monotonic()
    res = tight.compile(bomb)
    assert not res.ok and res.error.startswith("compile limits exceeded"), res.error
    assert time.monotonic() - t0 < 50
    assert not tight.compile(bomb).cached, "a compile stopped by the limits is not cached"


def test_huge_constexpr_is_stopped_by_the_limits(tight):
    bomb = ("constexpr long long f() { long long s = 0; for (int i = 0; i < 200000; ++i) "
            "for (int j = 0; j < 200000; ++j) s += i ^ j; return s; }\n"
            "constexpr long long x = f();\nint main() { return x & 1; }\n")
    res = tight.compile(bomb)
    assert not res.ok and "compile limits exceeded (CPU time" in res.error, res.error


def test_huge_binary_is_stopped_by_the_output_limit(tight):
    res = tight.compile("char big[1 << 28] = {1};\nint main() { return big[5]; }\n")
    assert not res.ok and "compile limits exceeded (output size" in res.error, res.error


def test_a_missing_compiler_is_reported(tmp_path):
    with pytest.raises(CompilerMissing, match="not found"):
        CppCompiler(FLAGS, tmp_path, compiler="no-such-g++")
