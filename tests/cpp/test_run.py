"""C++ stdin solutions through the judge: the same verdicts, limits, checkers and sandbox as Python, and the faults
specific to compiled code (segfault, stack overflow, infinite output, a binary that forks or opens a socket)."""

import pytest

from codecritique.judge.engine import Judge, JudgeConfig, Submission
from codecritique.judge.verdict import Verdict

from .conftest import judge_all, needs_bwrap, stdin_problem

pytestmark = needs_bwrap

SUM = stdin_problem("sum", [("1 2\n", "3\n"), ("40 2\n", "42\n"), ("-5 5\n", "0\n")])
SAFE = stdin_problem("safe", [("", "safe\n")])

ADD = "#include <bits/stdc++.h>\nint main() { long long a, b; std::cin >> a >> b; std::cout << a + b << '\\n'; }\n"


def test_verdicts_of_ordinary_solutions(cpp_judge):
    sub = ADD.replace("a + b", "a - b")
    ce = "int main() { return undefined_name; }\n"
    tle = "int main() { volatile unsigned long long x = 0; while (true) x++; }\n"
    mle = "#include <bits/stdc++.h>\nint main() { std::vector<char> v(1u << 30, 1); return v[7]; }\n"
    ac, wa, ce_res, tle_res, mle_res = judge_all(cpp_judge, SUM, [ADD, sub, ce, tle, mle])
    assert ac.verdict is Verdict.AC and ac.tests_passed == 3 and "bwrap" in ac.sandbox
    assert wa.verdict is Verdict.WA and wa.failed_test == 0
    assert ce_res.verdict is Verdict.CE and "undefined_name" in ce_res.message and ce_res.failed_test is None
    assert tle_res.verdict is Verdict.TLE
    assert mle_res.verdict is Verdict.MLE, mle_res.message


def test_float_tolerance_and_whitespace_as_for_python(cpp_judge):
    p = stdin_problem("third", [("1\n", "0.333333333\n")])
    code = "#include <cstdio>\nint main() { printf(\"%.7f   \\n\\n\", 1.0 / 3); }\n"
    assert judge_all(cpp_judge, p, [code])[0].verdict is Verdict.AC


def test_per_test_verdicts_with_all_tests(cpp_cache):
    code = "#include <bits/stdc++.h>\nint main() { long long a, b; std::cin >> a >> b; std::cout << (a > 0 ? a + b : 7); }\n"
    with Judge(JudgeConfig(workers=2, all_tests=True, cpp_cache=str(cpp_cache))) as j:
        res = judge_all(j, SUM, [code])[0]
    assert [t.verdict for t in res.test_results] == [Verdict.AC, Verdict.AC, Verdict.WA]
    assert res.verdict is Verdict.WA and res.failed_test == 2 and res.tests_passed == 2


def test_segfault_is_a_runtime_error(cpp_judge):
    code = ("#include <cstdio>\n#include <cstdlib>\n"
            "int main() { int *p = (int *)strtoul(\"16\", 0, 10); *p = 1; puts(\"safe\"); }\n")
    res = judge_all(cpp_judge, SAFE, [code])[0]
    assert res.verdict is Verdict.RE and "SIGSEGV" in res.message


def test_stack_overflow_is_a_runtime_error(cpp_judge):
    code = ("#include <cstdio>\nint depth(int n) { volatile char pad[4096]; pad[0] = n; return depth(n + 1) + pad[0]; }\n"
            "int main() { printf(\"%d\\n\", depth(0)); }\n")
    res = judge_all(cpp_judge, SAFE, [code])[0]
    assert res.verdict is Verdict.RE and "SIGSEGV" in res.message


def test_deep_recursion_within_the_memory_limit_is_fine(cpp_judge):
    # the stack may grow to the memory limit, as on Codeforces (a default 8 MiB stack would crash here)
    code = ("#include <cstdio>\nint depth(int n) { return n == 0 ? 0 : 1 + depth(n - 1); }\n"
            "int main() { printf(\"%s\\n\", depth(1000000) == 1000000 ? \"safe\" : \"wrong\"); }\n")
    assert judge_all(cpp_judge, SAFE, [code])[0].verdict is Verdict.AC


def test_infinite_output_is_ole_and_bounded(cpp_judge):
    code = "#include <cstdio>\nint main() { while (true) puts(\"spam spam spam spam spam spam\"); }\n"
    res = judge_all(cpp_judge, SAFE, [code])[0]
    assert res.verdict is Verdict.OLE


def test_a_binary_cannot_fork_run_a_shell_or_open_a_socket(cpp_judge):
    code = r"""#include <bits/stdc++.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
int main() {
    std::vector<std::string> leaks;
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    if (pid > 0) { leaks.push_back("fork"); waitpid(pid, nullptr, 0); }
    if (system("echo pwned > /tmp/pwned") == 0) leaks.push_back("system");
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s >= 0) {
        sockaddr_in a{}; a.sin_family = AF_INET; a.sin_port = htons(80); a.sin_addr.s_addr = htonl(0x7f000001);
        leaks.push_back(connect(s, (sockaddr *)&a, sizeof a) == 0 ? "connect" : "socket");
    }
    if (socket(AF_INET6, SOCK_DGRAM, 0) >= 0) leaks.push_back("socket6");
    if (leaks.empty()) puts("safe");
    for (auto &l : leaks) printf("LEAK:%s\n", l.c_str());
}
"""
    res = judge_all(cpp_judge, SAFE, [code])[0]
    assert res.verdict is Verdict.AC, res.message


def test_a_binary_cannot_read_the_judges_files_or_other_binaries(cpp_judge, cpp_cache):
    code = rf"""#include <bits/stdc++.h>
#include <dirent.h>
int main() {{
    bool leak = false;
    if (FILE *f = fopen("/etc/shadow", "r")) {{ leak = true; fclose(f); }}
    if (opendir("{cpp_cache}/bin")) leak = true;  // binaries run by path, the directory is not listable
    if (FILE *f = fopen("/proc/1/environ", "r")) {{ if (fgetc(f) != EOF) leak = true; fclose(f); }}
    puts(leak ? "LEAK" : "safe");
}}
"""
    res = judge_all(cpp_judge, SAFE, [code])[0]
    assert res.verdict is Verdict.AC, res.message


def test_language_names_and_unsupported_languages(cpp_judge):
    ok, unknown = cpp_judge.run([Submission(SUM, ADD, "C++"), Submission(SUM, "class A {}", "java")])
    assert ok.verdict is Verdict.AC
    assert unknown.verdict is Verdict.SE and "not supported" in unknown.message


def test_identical_solutions_are_compiled_and_run_once(cpp_judge):
    before = dict(cpp_judge.stats)
    src = ADD + "// unique: dedup test\n"
    results = cpp_judge.run([Submission(SUM, src, "cpp") for _ in range(3)])
    assert all(r.verdict is Verdict.AC for r in results)
    assert cpp_judge.stats["compiles"] - before["compiles"] == 1
    assert cpp_judge.stats["deduplicated"] - before["deduplicated"] == 2


@pytest.fixture(scope="module")
def lcb_judge(cpp_cache):
    with Judge(JudgeConfig(workers=2, cpp_profile="lcb-cpp", cpp_cache=str(cpp_cache))) as j:
        yield j


def test_lcb_cpp_profile_compiles_and_compares_as_the_papers_evaluator(lcb_judge):
    p = SUM
    assert lcb_judge.limits_for(p, "cpp").cpu == 6 and lcb_judge.limits_for(p, "cpp").memory_mb == 8192
    assert lcb_judge.cpp_compiler.flags == ()
    probe = stdin_problem("opt", [("", "O0\n")])
    optimized = "#include <cstdio>\nint main() {\n#ifdef __OPTIMIZE__\nputs(\"O2\");\n#else\nputs(\"O0\");\n#endif\n}\n"
    assert judge_all(lcb_judge, probe, [optimized])[0].verdict is Verdict.AC, "plain g++: no -O2"
    spaced = stdin_problem("spaced", [("", "1 2\n")])
    # LiveCodeBench-CPP compares stdout.strip() == expected.strip(): exact inside, unlike our default checker
    exact, inner_space = judge_all(lcb_judge, spaced, ["#include <cstdio>\nint main() { puts(\"\\n1 2  \"); }\n",
                                                      "#include <cstdio>\nint main() { puts(\"1  2\"); }\n"])
    assert exact.verdict is Verdict.AC
    assert inner_space.verdict is Verdict.WA


def test_no_compiler_is_a_system_error_not_a_failure(monkeypatch, cpp_cache):
    from codecritique.judge import cpp_prepare
    from codecritique.judge.cpp_toolchain import CompilerMissing

    def missing(*_args, **_kw):
        raise CompilerMissing("C++ compiler 'g++' not found (apt-get install g++)")

    monkeypatch.setattr(cpp_prepare, "CppCompiler", missing)
    with Judge(JudgeConfig(workers=1, cpp_cache=str(cpp_cache))) as j:
        cpp, py = j.run([Submission(SUM, ADD, "cpp"), Submission(SUM, "print(sum(map(int, input().split())))")])
    assert cpp.verdict is Verdict.SE and "not found" in cpp.message
    assert py.verdict is Verdict.AC
