"""The precompiled include block (judge/cpp_pch.py, issue 14): a source that starts with standard headers other than
<bits/stdc++.h> is compiled with a PCH of exactly those lines, and must behave exactly as plain compilation: the
same compile success or failure, the same program output (tests/cpp/test_pch.py checks the binaries byte for byte). A corpus of programs written to tell the two apart (names
that only a larger set of headers declares, macros before the headers, assert without <cassert>, ...) and, when
../shared/data is present, DebugBench's accepted and buggy solutions as HumanEval-X style programs."""

import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from codecritique.judge.cpp import CppCompiler
from codecritique.judge.cpp_pch import block_text, include_block

FLAGS = ("-O2", "-std=gnu++17")
DEBUGBENCH = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "debugbench"

HEX = "#include<stdio.h>\n#include<math.h>\n#include<vector>\n#include<string>\n#include<algorithm>\nusing namespace std;\n"
CORPUS = {
    "plain": HEX + "int main(){ vector<int> v{3,1,2}; sort(v.begin(), v.end()); printf(\"%d\\n\", v[0]); }\n",
    # names the preamble's headers do not declare: plain g++ fails, so must we (a PCH of bits/stdc++.h passes)
    "unordered_map_missing": HEX + "int main(){ unordered_map<int,int> m; m[1]=2; printf(\"%d\\n\", m[1]); }\n",
    "assert_missing": "#include<vector>\nint main(){ std::vector<int> v; assert(v.empty()); return 0; }\n",
    "accumulate_missing": HEX + "int main(){ vector<int> v{1,2}; printf(\"%d\\n\", accumulate(v.begin(), v.end(), 0)); }\n",
    # a user name that std:: also declares in a header this source does not include
    "user_count": HEX + "int count = 3;\nint main(){ printf(\"%d\\n\", count); }\n",
    "user_gcd": "#include<stdio.h>\nusing namespace std;\nlong long gcd(long long a, long long b){ return b ? gcd(b, a % b) : a; }\n"
                "int main(){ printf(\"%lld\\n\", gcd(12, 18)); }\n",
    # a macro before the headers: no block (compiled as is)
    "define_first": "#define int long long\n#include<stdio.h>\n#include<vector>\nsigned main(){ int x = 1LL << 40; printf(\"%lld\\n\", x); }\n",
    "define_between": "#include<stdio.h>\n#define _GLIBCXX_DEBUG 1\n#include<vector>\nint main(){ std::vector<int> v(2); printf(\"%d\\n\", (int)v.size()); }\n",
    "comments_and_blank": "// a solution\n\n#include <iostream>\n#include <string> // strings\n\nusing namespace std;\n"
                          "int main(){ string s = \"ab\"; cout << s.size() << \" \" << __LINE__ << endl; }\n",
    "include_after_code": HEX + "int f(){ return 1; }\n#undef NDEBUG\n#include<assert.h>\nint main(){ assert(f() == 1); puts(\"ok\"); }\n",
    "compile_error_line": HEX + "int main(){\n  int x = ;\n}\n",
    "crlf": "#include <cstdio>\r\n#include <vector>\r\nint main(){ std::vector<int> v(3); printf(\"%d\\n\", (int)v.size()); }\r\n",
    "line_macro": "#include <cstdio>\n\n\nint main(){ printf(\"%d %s\\n\", __LINE__, __FILE__); }\n",
}


def test_block_is_only_leading_standard_includes():
    assert include_block(HEX + "int main(){}\n") == ("stdio.h", "math.h", "vector", "string", "algorithm")
    assert include_block(CORPUS["define_first"]) == ()
    assert include_block(CORPUS["define_between"]) == ("stdio.h",)
    assert include_block(CORPUS["crlf"]) == ("cstdio", "vector")
    assert include_block("#include \"mine.h\"\nint main(){}\n") == ()
    assert include_block("#include <boost/any.hpp>\nint main(){}\n") == ()
    assert include_block("/* block */\n#include <vector>\nint main(){}\n") == ("vector",)  # HumanEval-X prompts
    assert include_block("// continued \\\n#include <vector>\nint main(){}\n") == ()


def plain(source: str, d: Path, name: str) -> tuple[bool, str]:
    """``g++ FLAGS solution.cpp`` in a directory of its own (the judge's file name, for __FILE__)."""
    d = d / name
    d.mkdir()
    (d / "solution.cpp").write_text(source)
    r = subprocess.run(["g++", *FLAGS, "solution.cpp", "-o", "solution"], capture_output=True, text=True, cwd=d)
    if r.returncode != 0:
        return False, ""
    return True, run(str(d / "solution"))


def run(binary: str) -> str:
    try:  # (a buggy solution may loop: both sides then time out)
        r = subprocess.run([binary], capture_output=True, text=True, timeout=5, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return "timeout"
    return f"{r.returncode}:{r.stdout}"


def compare(sources: dict[str, str], tmp_path: Path) -> None:
    compiler = CppCompiler(FLAGS, tmp_path / "cache", pch_min_uses=1)  # a PCH from the first compile on
    (tmp_path / "plain").mkdir()
    for block in {include_block(s) for s in sources.values()} - {()}:  # built first (a build in progress
        assert compiler.compile(block_text(block) + "int main(){}\n").pch  # makes a parallel compile go without)

    def both(item):
        name, source = item
        ours = compiler.compile(source)
        if include_block(source) and "bits/stdc++.h" not in source:
            # (an error reached through the PCH's include chain is compiled again plainly: pch_retried)
            assert ours.pch or ours.pch_retried, (name, "the block's PCH was not used")
        got = (ours.ok, run(ours.binary) if ours.ok else "")
        return name, got, plain(source, tmp_path / "plain", name.replace("/", "_")), ours.error

    with ThreadPoolExecutor(2) as pool:
        rows = list(pool.map(both, sources.items()))
    differ = [(name, got, want) for name, got, want, _ in rows if got != want]
    assert not differ, differ
    errors = {name: err for name, _, _, err in rows}
    if "compile_error_line" in errors:  # diagnostics keep the source's own line numbers
        assert "solution.cpp:8:11:" in errors["compile_error_line"], errors["compile_error_line"]


def test_same_verdicts_as_plain_compilation(tmp_path):
    compare(CORPUS, tmp_path)


@pytest.mark.skipif(not DEBUGBENCH.is_dir(), reason="../shared/data/debugbench not found")
def test_same_verdicts_on_debugbench_programs(tmp_path):
    """Real solutions (accepted and buggy) after HumanEval-X style includes, as benchmarks/cpp_speed.py builds them."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from cpp_speed import workload

    work = workload(8)
    sources = {f"{p.id}/{k}": p.metadata["program_prefix"] + "\n\n" + code + "\n\n" + p.tests[0].input
               for k, (p, code) in enumerate(work)}
    assert len(sources) >= 10
    compare(sources, tmp_path)
