"""LeetCode-style C++ harnesses: the method to call, the LeetCode types it takes, and the program that calls it.

A problem's C++ signature comes from, in order: its C++ starter code (``metadata["cpp_starter_code"]``, or a
``starter_code`` that is C++), else the type hints of its Python starter code (``List[int]`` -> ``vector<int>&``,
``Optional[TreeNode]`` -> ``TreeNode*``, ``int`` -> ``int``, widened to ``long long`` where a test value does not
fit 32 bits). The LeetCode types are ``int``, ``long``, ``long long``, ``double``/``float``, ``bool``, ``char``,
``string``, ``vector`` of these at any depth, ``ListNode*`` and ``TreeNode*`` (LeetCode's level order with nulls).
Anything else (design problems, ``Node*``, maps, pairs) raises :class:`Unmappable` with the reason: it is reported
for the problem, never guessed. A ``void`` method follows LeetCode's in-place convention: the answer is its first
argument after the call, which must then be a non-const reference (or a node pointer).

Two harness styles:

* ours (:func:`functional_program`, linked with :func:`runtime_library`): one program per solution; each test is
  one run with the test's arguments on stdin (LiveCodeBench's format, one JSON value per line). The program builds the arguments, calls the method on a
  fresh ``new Solution()`` and writes the return value as JSON to fd 3; the judge compares it in Python with the
  same rules as for Python solutions (float tolerance, ...), so every test gets its own verdict. Parameter types are
  taken from the solution's own method (template deduction), so ``long long`` where the starter says ``int``, or a
  ``const&``, is accepted as LeetCode's implicit conversions would.
* LiveCodeBench-CPP's (:func:`lcb_style_harness`): a ``main()`` with every test's arguments and expected value as
  C++ literals of the declared types, calling the method and comparing in C++ (1e-6 tolerance for floating
  values); the program passes iff it exits 0. The harness is appended after the solution, as LiveCodeBench-CPP
  does, after :func:`lcb_style_prefix` (``#include <bits/stdc++.h>``, ``using namespace std;`` and, where needed,
  LeetCode's node types).

The C++ side lives in ``sandboxed/cpp_harness_runtime.h``; everything of ours there is in ``namespace __cc``.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from importlib import resources
from typing import Any

from ..problems.cpp_signature import (CppParam, CppSignature, CppType, Unmappable, cpp_signature,  # noqa: F401
                                      parse_cpp_type, python_hint_type, solution_methods)
from ..problems.lcb_cpp import LCB_CPP_PREFIX
from ..problems.model import Problem, Test
from ..problems.signature import Signature, solution_signature

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)


def signature_from_python(sig: Signature, tests: list[Test] = ()) -> CppSignature:
    """The C++ signature LeetCode would give for a Python starter code's method; ``int`` becomes ``long long``
    where a test's value does not fit 32 bits."""
    if len(sig.annotations) != len(sig.params) or any(not a for a in sig.annotations):
        raise Unmappable(f"method {sig.name} has parameters without type hints")
    values = [_test_values(t) for t in tests]
    params = []
    for i, (name, hint) in enumerate(zip(sig.params, sig.annotations)):
        t = _widen(python_hint_type(hint), [v[0][i] for v in values if v and len(v[0]) == len(sig.params)])
        params.append(CppParam(name, t, by_ref=t.kind == "vector"))
    returns = _widen(python_hint_type(sig.returns), [v[1] for v in values if v])
    return CppSignature(sig.name, tuple(params), returns).validate()


def _test_values(test: Test) -> tuple[list[Any], Any] | None:
    try:
        return [json.loads(line) for line in test.input.split("\n") if line.strip()], json.loads(test.output)
    except ValueError:
        return None


def _widen(t: CppType, samples: list[Any]) -> CppType:
    """``int`` -> ``long long`` (also inside vectors) if any sample value lies outside 32 bits."""
    def ints(v: Any):
        if isinstance(v, list):
            for x in v:
                yield from ints(x)
        elif isinstance(v, int) and not isinstance(v, bool):
            yield v

    base = t
    while base.elem is not None:
        base = base.elem
    if base.name != "int" or all(INT32[0] <= x <= INT32[1] for s in samples for x in ints(s)):
        return t
    return parse_cpp_type(t.spelling.replace("int", "long long"))


def problem_signature(problem: Problem) -> CppSignature:
    """The C++ signature of a LeetCode-style problem (see the module docstring for where it comes from)."""
    fn_name = problem.fn_name
    cpp_starter = problem.metadata.get("cpp_starter_code") or (
        problem.starter_code if _is_cpp(problem.starter_code) else "")
    if cpp_starter:
        return cpp_signature(cpp_starter, fn_name)
    if "def " not in problem.starter_code:
        raise Unmappable("no starter code to take a signature from")
    try:
        sig = solution_signature(problem.starter_code, fn_name)
    except ValueError as e:
        raise Unmappable(str(e)) from None
    return signature_from_python(sig, [t for t in problem.tests if t.kind == "functional"])


def _is_cpp(code: str) -> bool:
    return bool(re.search(r"\b(class|struct)\s+Solution\s*\{", code))


# ---------------------------------------------------------------------------------------------------------------
# tests


def check_test(sig: CppSignature, test: Test) -> None:
    """Raise Unmappable if ``test``'s arguments or expected value do not fit the signature's types."""
    values = _test_values(test)
    if values is None:
        raise Unmappable("an argument or the expected value is not JSON")
    args, expected = values
    if len(args) != len(sig.params):
        raise Unmappable(f"{len(args)} arguments for {len(sig.params)} parameters")
    for p, v in zip(sig.params, args):
        why = _misfit(p.type, v)
        if why:
            raise Unmappable(f"argument {p.name}: {why}")
    why = _misfit(sig.answer_type, expected)
    if why:
        raise Unmappable(f"expected value: {why}")


def _misfit(t: CppType, v: Any) -> str | None:
    """Why JSON value ``v`` cannot be a value of ``t`` (None if it can)."""
    kind = t.kind
    ok = {
        "int": lambda: isinstance(v, int) and not isinstance(v, bool) and INT64[0] <= v <= INT64[1]
        and (t.name != "int" or INT32[0] <= v <= INT32[1]),
        "float": lambda: isinstance(v, (int, float)) and not isinstance(v, bool),
        "bool": lambda: isinstance(v, bool),
        "char": lambda: isinstance(v, str) and len(v.encode()) == 1,
        "string": lambda: isinstance(v, str),
        "list": lambda: v is None or (isinstance(v, list) and all(isinstance(x, int) and not isinstance(x, bool)
                                                                   for x in v)),
        "tree": lambda: v is None or (isinstance(v, list) and all(x is None or (isinstance(x, int) and
                                                                                 not isinstance(x, bool)) for x in v)),
    }
    if kind == "vector":
        if not isinstance(v, list):
            return f"{_short(v)} is not an array for {t.spelling}"
        return next((why for x in v if (why := _misfit(t.elem, x))), None)
    if kind == "void" or not ok[kind]():
        return f"{_short(v)} is not a {t.spelling}"
    return None


def _short(v: Any) -> str:
    s = json.dumps(v)
    return s if len(s) <= 40 else s[:37] + "..."


# ---------------------------------------------------------------------------------------------------------------
# programs


@cache
def _runtime() -> str:
    return resources.files(__package__).joinpath("sandboxed", "cpp_harness_runtime.h").read_text(encoding="utf-8")


@cache
def runtime_library() -> str:
    """The source of the library every program of :func:`functional_program` links (compile it once per flag
    set, e.g. with :meth:`.cpp.CppCompiler.object_file`)."""
    return resources.files(__package__).joinpath("sandboxed", "cpp_harness_runtime.cpp").read_text(encoding="utf-8")


def _prelude(sig: CppSignature, section: str) -> str:
    flags = [section] + sorted({"ListNode": "CC_LIST", "TreeNode": "CC_TREE"}[n] for n in sig.nodes())
    defines = "".join(f"#define {f} 1\n" for f in flags)
    undefs = "".join(f"#undef {f}\n" for f in flags)
    return LCB_CPP_PREFIX + defines + _runtime() + undefs


def functional_program(sig: CppSignature, solution: str) -> str:
    """Our harness: the whole program for ``solution`` (to link with :func:`runtime_library`); run it once per
    test with the test's input on stdin."""
    return (_prelude(sig, "CC_JSON") + '#line 1 "solution.cpp"\n' + solution + '\n#line 1 "harness.cpp"\n'
            f"int main() {{ return __cc::run(&Solution::{sig.name}); }}\n")


def lcb_style_prefix(sig: CppSignature) -> str:
    """What goes before the solution in the LiveCodeBench-CPP style: its prefix plus our comparison helpers and,
    where the signature uses them, LeetCode's node types."""
    return _prelude(sig, "CC_LITERAL")


def lcb_style_harness(sig: CppSignature, tests: list[Test]) -> str:
    """A LiveCodeBench-CPP style harness: ``main()`` runs every test on a fresh Solution and returns 1 at the first
    wrong answer, 0 if all pass."""
    lines = ["int main() {"]
    for k, test in enumerate(tests):
        check_test(sig, test)
        args, expected = _test_values(test)  # type: ignore[misc]
        lines.append(f"    {{  // test {k}")
        lines.append("        Solution *sol = new Solution();")
        names = []
        for i, (p, v) in enumerate(zip(sig.params, args)):
            names.append(f"a{i}")
            lines.append(f"        {p.type.spelling} a{i} = {cpp_literal(p.type, v)};")
        call = f"sol->{sig.name}({', '.join(names)})"
        if sig.returns.kind == "void":
            lines.append(f"        {call};")
            got = "a0"
        else:
            lines.append(f"        auto &&r = {call};")
            got = "r"
        answer = sig.answer_type
        lines.append(f"        if (!__cc::eq({got}, ({answer.spelling})({cpp_literal(answer, expected)}))) return 1;")
        lines.append("    }")
    lines += ["    return 0;", "}"]
    return "\n".join(lines) + "\n"


def cpp_literal(t: CppType, v: Any) -> str:
    """A C++ expression of type ``t`` with the value of JSON ``v``."""
    kind = t.kind
    if kind == "vector":
        return f"{t.spelling}{{{', '.join(cpp_literal(t.elem, x) for x in v)}}}"  # type: ignore[arg-type]
    if kind == "list":
        return "nullptr" if v is None else f"__cc::make_list({{{', '.join(map(str, v))}}})"
    if kind == "tree":
        items = ", ".join("std::nullopt" if x is None else str(x) for x in v or [])
        return "nullptr" if v is None else f"__cc::make_tree({{{items}}})"
    if kind == "bool":
        return "true" if v else "false"
    if kind == "int":
        if v == INT64[0]:
            return "(-9223372036854775807LL - 1)"
        return f"{v}LL" if not INT32[0] <= v <= INT32[1] else (f"({v})" if v < 0 else str(v))
    if kind == "float":
        f = float(v)
        if math.isnan(f):
            return "NAN"
        if math.isinf(f):
            return "INFINITY" if f > 0 else "(-INFINITY)"
        return f"({f!r})" if f < 0 else repr(f)
    if kind == "char":
        return "'" + _escape(v, "'") + "'"
    return 'string("' + _escape(v, '"') + '")'


def _escape(s: str, quote: str) -> str:
    out = []
    for b in s.encode("utf-8"):
        c = chr(b)
        if c in (quote, "\\"):
            out.append("\\" + c)
        elif 32 <= b < 127 and c != "?":
            out.append(c)
        else:
            out.append(f"\\{b:03o}")
    return "".join(out)
