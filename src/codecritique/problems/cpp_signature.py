"""C++ method signatures of LeetCode-style problems, read from C++ starter code or a solution (data, never run).

The LeetCode types are ``int``, ``long``, ``long long``, ``double``/``float``, ``bool``, ``char``, ``string``,
``vector`` of these at any depth, ``ListNode*`` and ``TreeNode*``; Python type hints map onto them
(:func:`python_hint_type`). Anything else raises :class:`Unmappable` with the reason. The judge builds its harness
programs from these signatures (``judge/cpp_harness.py``); the DebugBench loader reads example argument names with
them.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

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
