"""Precompiled headers for a source's own leading standard includes (cpp_pch.py): which sources get one, and that a
compile with one is the plain compile — the same binary, byte for byte, on a corpus of hand-made edge cases and of
real programs (DebugBench's C++ solutions as HumanEval-X style programs, when ../shared/data is there) — under the
default profile and under lcb-cpp's plain g++. Real g++, real bwrap."""

import filecmp
import os
import shutil
from pathlib import Path

import pytest

from codecritique.judge.cpp import CppCompiler
from codecritique.judge.cpp_pch import include_block
from codecritique.judge.cpp_profiles import PROFILES
from codecritique.judge.engine import Judge, JudgeConfig, Submission
from codecritique.judge.verdict import Verdict
from codecritique.problems.model import Problem, Test

DEBUGBENCH = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "debugbench"
HEX = "#include<stdio.h>\n#include<vector>\n#include<string>\n#include<algorithm>\nusing namespace std;\n"


# -- the rule: which leading includes count


@pytest.mark.parametrize("source, block", [
    (HEX + "int main(){}", ("stdio.h", "vector", "string", "algorithm")),
    ("/*\nHumanEval-X prompt: a comment first\n*/\n#include<stdio.h>\n#include<math.h>\nint f();",
     ("stdio.h", "math.h")),
    ("// a comment\n#include <vector>  // trailing comment\n  #  include <map>\n#include <set> /* c */\nint x;",
     ("vector", "map", "set")),
    ("#include <bits/stdc++.h>\nusing namespace std;\n", ("bits/stdc++.h",)),
    ("#include <vector>", ("vector",)),  # no newline at the end
    # what comes first may change what the headers mean: no block
    ("#define _GLIBCXX_DEBUG\n#include <vector>\n", ()),
    ("#define private public\n#include <vector>\n", ()),
    ("#pragma GCC optimize(\"O3\")\n#include <vector>\n", ()),
    ("#undef NDEBUG\n#include <cassert>\n", ()),
    ("using namespace std;\n#include <vector>\n", ()),
    # the block ends at the first other thing
    ("#include <vector>\n#define N 10\n#include <string>\n", ("vector",)),
    ("#include <vector>\n#include \"vector\"\n", ("vector",)),  # quoted: searched elsewhere first
    ("#include <vector>\n#include <boost/any.hpp>\n#include <map>\n", ("vector",)),  # not standard
    ("#include <vector> extra\n", ()),
    ("#include < vector>\n", ()),
    # a line splice could join a comment with the next line: nothing
    ("// comment \\\n#include <vector>\n", ()),
    ("#include <vector> // ??/\n#include <map>\n", ()),
    ("/* unterminated\n#include <vector>\n", ()),
])
def test_include_block(source, block):
    assert include_block(source) == block


# -- compiles with a PCH are plain compiles

EDGE_CASES = {
    # names that collide with what a bigger header (bits/stdc++.h) would declare: fine with the exact block
    "global count": "#include <iostream>\nusing namespace std;\nint count = 3;\n"
                    "int main() { cout << count << '\\n'; return count == 3 ? 0 : 1; }\n",
    "own max": "#include <cstdio>\nusing namespace std;\nint max(int a, int b) { return a > b ? a + 100 : b + 100; }\n"
               "int main() { printf(\"%d\\n\", max(1, 2)); return max(1, 2) == 102 ? 0 : 1; }\n",
    "abs of a double": "#include <cstdlib>\n#include <cstdio>\nint main() { printf(\"%d\\n\", (int)(abs(-2.7) * 10));"
                       " return 0; }\n",
    "assert twice": "#include <cassert>\n#include <vector>\n#define NDEBUG\n#include <cassert>\n"
                    "int main() { assert(false); return 0; }\n",
    "later include": HEX + "#include <map>\nint main() { map<int, string> m; m[1] = \"a\"; return m.size() - 1; }\n",
    "macro after block": HEX + "#define sort(a, b) 42\nint main() { vector<int> v; return sort(1, 2) - 42; }\n",
    "line macro": HEX + "int main() { printf(\"%d %s\\n\", __LINE__, __FILE__); return __LINE__ == 6 ? 0 : 1; }\n",
    "iostream static init": "#include <iostream>\nstruct S { S() { std::cout << \"init\\n\"; } } s;\n"
                            "int main() { std::cout << \"main\\n\"; }\n",
    "bits/stdc++.h first (its own PCH, -I)": "#include <bits/stdc++.h>\nusing namespace std;\nint main() { "
                                             "vector<int> v{2, 1}; sort(v.begin(), v.end()); cout << v[0]; }\n",
    "heavy": "#include <vector>\n#include <string>\n#include <algorithm>\n#include <map>\n#include <sstream>\n"
             "#include <iostream>\nusing namespace std;\nint main() { vector<string> w{\"b\", \"a\"}; sort(w.begin(), "
             "w.end()); map<string, int> m; for (auto& s : w) m[s]++; stringstream ss; ss << m.size(); "
             "cout << ss.str() << w[0] << '\\n'; }\n",
}


def _compilers(tmp_path, flags, pch_cache=None):
    with_pch = CppCompiler(flags, pch_cache or tmp_path / "pch", pch_min_uses=1)
    plain = CppCompiler(flags, tmp_path / "plain", pch=False)
    return with_pch, plain


def _same(with_pch: CppCompiler, plain: CppCompiler, source: str, wrap_main: bool = False) -> bool:
    """Compile ``source`` both ways; True if it used a PCH. Asserts the outcomes are the same: both fail, or both
    give byte-identical binaries."""
    a = with_pch.compile(source, wrap_main=wrap_main)
    b = plain.compile(source, wrap_main=wrap_main)
    assert a.ok == b.ok, (source[:300], a.error, b.error)
    if a.ok:
        assert filecmp.cmp(a.binary, b.binary, shallow=False), f"binaries differ for {source[:300]!r}"
    else:
        assert a.error == b.error
    return a.pch


@pytest.mark.parametrize("profile", ["default", "lcb-cpp"])
def test_edge_cases_compile_to_the_plain_binary(tmp_path, cpp_cache, profile):
    with_pch, plain = _compilers(tmp_path, PROFILES[profile].flags, cpp_cache)  # (its bits/stdc++.h PCH shared)
    used = {name: _same(with_pch, plain, src) for name, src in EDGE_CASES.items()}
    assert all(used.values()), used  # every one of them has a block, and it was used
    # and with the wrapped main of program tests (objcopy + wrapper link)
    assert _same(with_pch, plain, EDGE_CASES["heavy"] + "// wrapped\n", wrap_main=True)


def test_a_missing_include_stays_a_compile_error(tmp_path):
    """<vector> does not declare std::sort: plain g++ says CE, and so do we; a force-included bits/stdc++.h (the
    approach cpp_pch.py rejects) would have compiled it, a verdict plain g++ never gives."""
    source = "#include <vector>\nint main() { std::vector<int> v{3, 1, 2}; std::sort(v.begin(), v.end()); }\n"
    with_pch, plain = _compilers(tmp_path, PROFILES["default"].flags)
    res = with_pch.compile(source)
    assert not res.ok and "sort" in res.error and not res.pch_retried
    assert not plain.compile(source).ok
    superset = CppCompiler(PROFILES["default"].flags + ("-include", "bits/stdc++.h"), tmp_path / "superset",
                           pch=False)
    assert superset.compile(source).ok


def test_sources_whose_start_changes_the_headers_compile_plainly(tmp_path):
    debug = ("#define _GLIBCXX_DEBUG\n#include <vector>\n#include <cstdio>\n"
             "int main() { std::vector<int> v(2); printf(\"%d\\n\", v[5]); }\n")
    with_pch, plain = _compilers(tmp_path, PROFILES["default"].flags)
    res = with_pch.compile(debug)
    assert res.ok and not res.pch
    assert filecmp.cmp(res.binary, plain.compile(debug).binary, shallow=False)


def test_the_pch_waits_for_enough_sources(tmp_path):
    compiler = CppCompiler(PROFILES["default"].flags, tmp_path, pch_min_uses=3)
    srcs = [HEX + f"int main() {{ return {i}; }}\n" for i in range(4)]
    assert [compiler.compile(s).pch for s in srcs] == [False, False, True, True]
    assert compiler.blocks.stats["builds"] == 1
    # announced sources count at once (the judge announces a batch before compiling it)
    fresh = CppCompiler(PROFILES["default"].flags, tmp_path / "other", pch_min_uses=3)
    srcs = [HEX.replace("<vector>", "<map>") + f"int main() {{ return {i}; }}\n" for i in range(3)]
    for s in srcs:
        fresh.blocks.expect(s)
    assert all(fresh.compile(s).pch for s in srcs)
    # a new judge on the same cache finds the PCH on disk: used at once
    again = CppCompiler(PROFILES["default"].flags, tmp_path, pch_min_uses=3)
    assert again.compile(HEX + "int main() { return 9; }\n").pch and again.blocks.stats["builds"] == 0


def test_a_longer_block_uses_the_pch_of_its_prefix(tmp_path):
    compiler = CppCompiler(PROFILES["default"].flags, tmp_path, pch_min_uses=2)
    for i in range(2):
        assert compiler.compile(HEX + f"int main() {{ return {i}; }}\n").ok
    longer = HEX.replace("using namespace std;\n", "#include <map>\nusing namespace std;\n")
    res = compiler.compile(longer + "int main() { map<int, int> m; return m.size(); }\n")
    assert res.ok and res.pch and compiler.blocks.stats["builds"] == 1


def test_a_damaged_pch_never_changes_the_result(tmp_path):
    compiler = CppCompiler(PROFILES["default"].flags, tmp_path, pch_min_uses=1)
    assert compiler.compile(HEX + "int main() { return 0; }\n").pch
    (gch,) = (tmp_path / "pch").glob("blk-*/b.h.gch")
    data = gch.read_bytes()
    os.chmod(gch, 0o644)
    gch.write_bytes(data[:4096] + bytes(len(data) - 4096))  # g++'s header intact, the rest zeroed
    res = compiler.compile(HEX + "int main() { vector<string> v{\"x\"}; sort(v.begin(), v.end()); "
                                 "return v.size() - 1; }\n")
    assert res.ok, res.error
    gch.unlink()  # removed by another judge under our feet
    res = compiler.compile(HEX + "int main() { return 2 - 2; }\n")
    assert res.ok, res.error
    shutil.rmtree(gch.parent)  # all of it: the sandbox cannot even bind it; compiled again plainly
    res = compiler.compile(HEX + "int main() { return 3 - 3; }\n")
    assert res.ok and res.pch_retried, res.error


def test_judge_verdicts_with_and_without_pch(tmp_path):
    """Through the judge: the same verdicts, and the PCH used for the sources that have a block."""
    problem = Problem(id="pch-verdicts", tests=[Test("program", "int main() { return f(2) == 4 ? 0 : 1; }")],
                      metadata={"program_prefix": HEX, "language": "cpp"})
    codes = ["int f(int x) { return x * 2; }", "int f(int x) { return x + 3; }", "int f(int x) { return y; }",
             "int f(int x) { vector<int> v(x, x); return accumulate(v.begin(), v.end(), 0); }",
             "#include <numeric>\nint f(int x) { vector<int> v(x, x); return accumulate(v.begin(), v.end(), 0); }"]
    verdicts = {}
    for pch in (True, False):
        cfg = JudgeConfig(workers=1, cpp_cache=str(tmp_path / str(pch)), cpp_pch=pch, cpp_pch_min_uses=2)
        with Judge(cfg) as judge:
            verdicts[pch] = [r.verdict for r in judge.run([Submission(problem, c, "cpp") for c in codes])]
            if pch:
                assert judge.stats["compile_pch"] == len(codes)  # the CE one too: its error is its own, not retried
    assert verdicts[True] == verdicts[False]
    assert verdicts[True][:3] == [Verdict.AC, Verdict.WA, Verdict.CE]


def _debugbench_programs(limit: int) -> list[str]:
    from codecritique.judge.cpp_harness import Unmappable, check_test, lcb_style_harness, lcb_style_prefix, \
        problem_signature
    from codecritique.problems.debugbench import problem_from_debugbench, read_debugbench
    from codecritique.problems.lcb_cpp import LCB_CPP_PREFIX

    out = []
    for rec in read_debugbench(DEBUGBENCH, "cpp"):
        p = problem_from_debugbench(rec)
        if not p.tests:
            continue
        try:
            sig = problem_signature(p)
            for t in p.tests:
                check_test(sig, t)
            harness = lcb_style_harness(sig, p.tests)
        except Unmappable:
            continue
        prefix = lcb_style_prefix(sig).replace(LCB_CPP_PREFIX, HEX, 1)
        out += [prefix + "\n\n" + code + "\n\n" + harness for code in (rec.oracle_code, rec.buggy_code)]
        if len(out) >= limit:
            return out
    return out


@pytest.mark.skipif(not DEBUGBENCH.is_dir(), reason=f"{DEBUGBENCH} not found (real data for the corpus check)")
def test_real_programs_compile_to_the_plain_binary(tmp_path):
    """DebugBench's accepted and buggy C++ solutions as HumanEval-X style programs (both compile and fail to)."""
    programs = _debugbench_programs(12)
    assert len(programs) >= 10
    with_pch, plain = _compilers(tmp_path, PROFILES["default"].flags)
    used = [_same(with_pch, plain, src, wrap_main=True) for src in programs]
    assert sum(used) >= len(programs) - 3  # compile errors may have been compiled again plainly


def test_least_recently_used_pchs_go_past_the_disk_budget(tmp_path):
    compiler = CppCompiler(PROFILES["default"].flags, tmp_path, pch_min_uses=1, pch_max_mb=0)
    first = compiler.compile("#include <cstdio>\nint main() { return 0; }\n")
    assert first.pch and len(list((tmp_path / "pch").glob("blk-*/b.h.gch"))) == 1
    second = compiler.compile("#include <cstring>\nint main() { return 0; }\n")
    assert second.pch and len(list((tmp_path / "pch").glob("blk-*/b.h.gch"))) == 1  # the newest one is kept
    assert compiler.blocks.stats["evicted"] == 1
    again = compiler.compile("#include <cstdio>\nint main() { return 1; }\n")  # built again when needed
    assert again.ok and again.pch and compiler.blocks.stats["builds"] == 3
