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

The C++ side lives in ``cpp_harness_runtime.h``; everything of ours there is in ``namespace __cc``.
"""

from __future__ import annotations

import ast
import json
import math
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from ..problems.lcb_cpp import LCB_CPP_PREFIX
from ..problems.model import Problem, Test
from ..problems.signature import Signature, solution_signature

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)


class Unmappable(ValueError):
    """A signature or a test that no LeetCode C++ harness can express; ``str()`` says why."""


# ---------------------------------------------------------------------------------------------------------------
# types


@dataclass(frozen=True)
class CppType:
    """A LeetCode type: a scalar spelled as in C++ (``int``, ``long long``, ``double``, ``bool``, ``char``,
    ``string``), ``vector`` (with ``elem``), ``ListNode*``, ``TreeNode*`` or ``void``."""

    name: str
    elem: CppType | None = None

    @property
    def spelling(self) -> str:
        return f"vector<{self.elem.spelling}>" if self.elem else self.name

    @property
    def kind(self) -> str:
        """``int``, ``float``, ``bool``, ``char``, ``string``, ``vector``, ``list``, ``tree`` or ``void``."""
        return _KIND[self.name]

    def nodes(self) -> set[str]:
        """LeetCode node types the type uses (``ListNode``, ``TreeNode``)."""
        if self.elem is not None:
            return self.elem.nodes()
        return {self.name[:-1]} if self.name.endswith("Node*") else set()


_INTEGRAL = {"int": "int", "long": "long", "long int": "long", "long long": "long long", "long long int": "long long",
             "int64_t": "long long", "int32_t": "int", "unsigned": "unsigned int", "unsigned int": "unsigned int"}
_SCALARS = {**_INTEGRAL, "double": "double", "float": "float", "bool": "bool", "char": "char", "string": "string",
            "void": "void", "ListNode*": "ListNode*", "TreeNode*": "TreeNode*"}
_KIND = {**{v: "int" for v in _INTEGRAL.values()}, "double": "float", "float": "float", "bool": "bool",
         "char": "char", "string": "string", "void": "void", "ListNode*": "list", "TreeNode*": "tree",
         "vector": "vector"}


def parse_cpp_type(text: str) -> CppType:
    """A C++ parameter or return type (``const vector<vector<int>>&``, ``std::string``, ``TreeNode *``)."""
    t = re.sub(r"\bstd\s*::\s*", "", text)
    t = re.sub(r"\b(?:const|volatile|inline|static|virtual|constexpr)\b|&", " ", t)
    t = " ".join(t.replace("*", " * ").split()).replace(" *", "*")
    m = re.fullmatch(r"vector\s*<(.*)>", t)
    if m:
        return CppType("vector", parse_cpp_type(m.group(1)))
    name = _SCALARS.get(t)
    if name is None:
        raise Unmappable(f"C++ type {text.strip()!r} is not a LeetCode type this harness supports")
    return CppType(name)


_PY_SCALARS = {"int": "int", "float": "double", "bool": "bool", "str": "string", "None": "void",
               "TreeNode": "TreeNode*", "ListNode": "ListNode*"}


def python_hint_type(hint: str) -> CppType:
    """The C++ type of a Python annotation (``List[List[int]]``, ``Optional[TreeNode]``, ``str``)."""
    try:
        node = ast.parse(hint.strip() or "?", mode="eval").body
    except SyntaxError:
        raise Unmappable(f"Python type hint {hint!r} cannot be parsed") from None
    return _hint(node, hint)


def _hint(node: ast.AST, hint: str) -> CppType:
    if isinstance(node, ast.Constant) and node.value is None:
        return CppType("void")
    if isinstance(node, ast.Constant) and isinstance(node.value, str):  # a quoted forward reference
        return python_hint_type(node.value)
    if isinstance(node, ast.Name) and node.id in _PY_SCALARS:
        return CppType(_PY_SCALARS[node.id])
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        outer = node.value.id
        if outer in ("List", "list"):
            return CppType("vector", _hint(node.slice, hint))
        if outer == "Optional" and isinstance(node.slice, ast.Name) and node.slice.id in ("TreeNode", "ListNode"):
            return CppType(node.slice.id + "*")
    shown = hint.strip() or "(none)"
    raise Unmappable(f"Python type hint {shown!r} has no LeetCode C++ counterpart this harness supports")


# ---------------------------------------------------------------------------------------------------------------
# signatures


@dataclass(frozen=True)
class CppParam:
    name: str
    type: CppType
    by_ref: bool = False  # a non-const reference (LeetCode passes vectors so)

    @property
    def declaration(self) -> str:
        return f"{self.type.spelling}{'&' if self.by_ref else ''} {self.name}"


@dataclass(frozen=True)
class CppSignature:
    """The method of ``class Solution`` that a LeetCode test calls."""

    name: str
    params: tuple[CppParam, ...]
    returns: CppType

    def nodes(self) -> set[str]:
        found = self.returns.nodes()
        for p in self.params:
            found |= p.type.nodes()
        return found

    @property
    def answer_type(self) -> CppType:
        """The type of what a test's expected value describes: the return type, or for a void method the first
        argument (modified in place)."""
        return self.params[0].type if self.returns.kind == "void" else self.returns

    def starter_code(self) -> str:
        """LeetCode's C++ starter code for this signature."""
        params = ", ".join(p.declaration for p in self.params)
        return f"class Solution {{\npublic:\n    {self.returns.spelling} {self.name}({params}) {{\n        \n    }}\n}};\n"

    def validate(self) -> CppSignature:
        """Raise Unmappable if no harness can call this method."""
        if self.returns.kind == "void":
            if not self.params:
                raise Unmappable(f"{self.name} returns void and takes no argument: nothing to check")
            first = self.params[0]
            if not (first.by_ref or first.type.kind in ("list", "tree")):
                raise Unmappable(f"{self.name} returns void and its first parameter {first.declaration!r} is not a "
                                 "reference: no in-place answer to check")
        return self


@dataclass
class _Method:
    name: str
    returns: str
    params: tuple[tuple[str, str], ...]  # (type text, name)
    public: bool
    body: str = ""  # without comments and literals


def solution_methods(code: str) -> list[_Method]:
    """The methods defined in ``class Solution`` (or ``struct Solution``), in order, with their access."""
    text = _skeleton(code)
    m = re.search(r"\b(class|struct)\s+Solution\b[^;{]*\{", text)
    if not m:
        return []
    public = m.group(1) == "struct"
    methods: list[_Method] = []
    method: _Method | None = None
    depth, start, i = 0, m.end(), m.end()
    while i < len(text):
        c = text[i]
        if c == "{":
            if depth == 0:
                decl = text[start:i]
                for access in re.finditer(r"\b(public|private|protected)\s*:(?!:)", decl):
                    public = access.group(1) == "public"
                decl = re.split(r"\b(?:public|private|protected)\s*:(?!:)", decl)[-1]
                method = _method(decl, public)
                start = i + 1
            depth += 1
        elif c == "}":
            if depth == 0:
                break
            depth -= 1
            if depth == 0:
                if method is not None:
                    method.body = text[start:i]
                    methods.append(method)
                    method = None
                start = i + 1
        elif c == ";" and depth == 0:
            decl = text[start:i]
            for access in re.finditer(r"\b(public|private|protected)\s*:(?!:)", decl):
                public = access.group(1) == "public"
            start = i + 1
        i += 1
    return methods


_DECL = re.compile(r"(?P<ret>[\w:<>,*&\s]*?)\b(?P<name>~?\w+)\s*\((?P<params>.*)\)\s*(?:const\s*)?(?:noexcept\s*)?"
                   r"(?:override\s*)?(?::.*)?$", re.S)


def _method(decl: str, public: bool) -> _Method | None:
    decl = re.sub(r"\[\[.*?\]\]|\btemplate\s*<.*?>", " ", decl.strip(), flags=re.S)
    m = _DECL.fullmatch(decl.strip())
    if not m or m.group("name") in ("Solution", "~Solution") or not m.group("ret").strip():
        return None
    params = []
    for part in _split_commas(m.group("params")):
        part = part.split("=", 1)[0].strip()
        if not part or part == "void":
            continue
        pm = re.fullmatch(r"(.*?)(\w+)\s*(\[\s*\])?", part, re.S)
        if not pm or not pm.group(1).strip():
            params.append((part, ""))
        else:
            params.append((pm.group(1).strip() + ("*" if pm.group(3) else ""), pm.group(2)))
    return _Method(m.group("name"), m.group("ret").strip(), tuple(params), public)


def _split_commas(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c in "<([":
            depth += 1
        elif c in ">)]":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _skeleton(code: str) -> str:
    """The code with comments, string and character literals blanked out (same length)."""
    out = []
    i, n = 0, len(code)
    while i < n:
        c = code[i]
        if code.startswith("//", i):
            j = code.find("\n", i)
            j = n if j < 0 else j
        elif code.startswith("/*", i):
            j = code.find("*/", i + 2)
            j = n if j < 0 else j + 2
        elif c in "\"'":
            j = i + 1
            while j < n and code[j] != c and code[j] != "\n":
                j += 2 if code[j] == "\\" else 1
            j = min(n, j + 1)
            out.append(c + " " * max(0, j - i - 2) + (c if j - i >= 2 else ""))
            i = j
            continue
        else:
            out.append(c)
            i += 1
            continue
        out.append(" " * (j - i))
        i = j
    return "".join(out)


def cpp_signature(code: str, fn_name: str | None = None, param_names: list[str] | None = None) -> CppSignature:
    """The signature of the method a test calls, from C++ starter code or a solution: ``fn_name`` if given, else the
    only public method, else the public method whose parameter names are ``param_names``."""
    methods = [m for m in solution_methods(code) if m.public]
    if not methods:
        raise Unmappable("no public method in a class Solution" if "Solution" in code else "no class Solution")
    if fn_name is not None:
        methods = [m for m in methods if m.name == fn_name]
        if not methods:
            raise Unmappable(f"class Solution has no public method {fn_name}")
    if len(methods) > 1 and param_names is not None:
        methods = [m for m in methods if [name for _, name in m.params] == list(param_names)] or methods
    names = {m.name for m in methods}
    if len(names) > 1:
        raise Unmappable(f"class Solution has several public methods ({', '.join(sorted(names))}); which one to call?")
    if len(methods) > 1:
        raise Unmappable(f"method {methods[0].name} is overloaded")
    return _signature(methods[0])


def _signature(m: _Method) -> CppSignature:
    params = []
    for type_text, name in m.params:
        t = parse_cpp_type(type_text)
        by_ref = "&" in type_text and not re.search(r"\bconst\b", type_text)
        params.append(CppParam(name or f"arg{len(params)}", t, by_ref))
    return CppSignature(m.name, tuple(params), parse_cpp_type(m.returns)).validate()


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
    return resources.files(__package__).joinpath("cpp_harness_runtime.h").read_text(encoding="utf-8")


@cache
def runtime_library() -> str:
    """The source of the library every program of :func:`functional_program` links (compile it once per flag
    set, e.g. with :meth:`.cpp.CppCompiler.object_file`)."""
    return resources.files(__package__).joinpath("cpp_harness_runtime.cpp").read_text(encoding="utf-8")


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
