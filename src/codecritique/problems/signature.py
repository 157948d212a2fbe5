"""The method a LeetCode-style Python starter code asks for.

A starter code looks like::

    class Solution:
        def maxSum(self, nums: List[int], k: int) -> int:
            

(the body is missing, so the code is not valid Python as a whole; each ``def`` header is parsed on its own).
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass

_CLASS = re.compile(r"^class\s+(\w+)", re.M)
_DEF = re.compile(r"^([ \t]+)def\s+(\w+)\s*\(", re.M)


@dataclass(frozen=True)
class Signature:
    """A method of ``class Solution``: its name, its parameters after ``self``, their annotations (source text,
    ``""`` when absent) and the return annotation."""

    name: str
    params: tuple[str, ...]
    annotations: tuple[str, ...]
    returns: str = ""


def solution_signature(starter_code: str, fn_name: str | None = None) -> Signature:
    """The method of ``class Solution`` in ``starter_code``: ``fn_name`` if given, else its only public method.

    Raises ValueError with a reason when there is no such single method (no class Solution, a design problem whose
    class is not Solution, several public methods and no ``fn_name``).
    """
    classes = list(_CLASS.finditer(starter_code))
    names = [m.group(1) for m in classes]
    if "Solution" not in names:
        if names:
            return _raise(f"design problem (class {names[0]}): examples are sequences of method calls")
        return _raise("the starter code defines no class Solution")
    k = names.index("Solution")
    body = starter_code[classes[k].start() : classes[k + 1].start() if k + 1 < len(classes) else len(starter_code)]
    defs = list(_DEF.finditer(body))
    indent = min((len(m.group(1).expandtabs()) for m in defs), default=0)
    methods = [_parse_def(body, m.start()) for m in defs if len(m.group(1).expandtabs()) == indent]
    if fn_name is not None:
        chosen = [m for m in methods if m.name == fn_name]
        if not chosen:
            return _raise(f"class Solution has no method {fn_name}")
        return chosen[0]
    public = [m for m in methods if not m.name.startswith("_")]
    if len(public) != 1:
        found = ", ".join(m.name for m in public) or "none"
        return _raise(f"class Solution must have exactly one public method, found: {found}")
    return public[0]


def _raise(reason: str) -> Signature:
    raise ValueError(reason)


def _parse_def(code: str, start: int) -> Signature:
    """Parse the ``def`` header at ``start`` (it may span lines, and may carry a one-line body)."""
    lines = code[start:].split("\n")
    for n in range(1, min(len(lines), 20) + 1):
        header = textwrap.dedent("\n".join(lines[:n])).rstrip()
        fn = _function(header + "\n    pass\n") or _function(header + "\n")
        if fn is None:
            continue
        a = fn.args
        if a.vararg or a.kwarg or a.kwonlyargs or a.posonlyargs:
            return _raise(f"method {fn.name} takes *args, **kwargs or keyword-only parameters")
        params = a.args[1:]  # drop self
        return Signature(
            name=fn.name,
            params=tuple(p.arg for p in params),
            annotations=tuple(ast.unparse(p.annotation) if p.annotation else "" for p in params),
            returns=ast.unparse(fn.returns) if fn.returns else "",
        )
    return _raise(f"cannot parse the method header at {lines[0].strip()[:60]!r}")


def _function(source: str) -> ast.FunctionDef | None:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    fn = tree.body[0] if tree.body else None
    return fn if isinstance(fn, ast.FunctionDef) else None
