"""Sample tests of statements whose examples are calls (Codewars: ``solution(1, 2) == 3``)."""

from __future__ import annotations

import ast
import json
import re
from typing import Any

from codecritique.problems.model import Test
from codecritique.problems.samples.base import SampleExtraction, Unreadable as _Unreadable
from codecritique.problems.samples.leetcode import _compact

def top_level_function(starter_code: str) -> str | None:
    names = re.findall(r"^def\s+([A-Za-z_]\w*)\s*\(", starter_code, re.M)
    return names[0] if len(names) == 1 else None


_RESULT_MARK = r"(?:#\s*)?(?:=>|==|->|→|returns?\b|should\s+(?:return|equal|be)\b|(?:is|equals)\b)"


def extract_call_samples(statement: str, fn_name: str) -> SampleExtraction:
    """Functional tests from examples written as calls, as Codewars statements show them::

        get_count("abracadabra") # => 5        solution(1, 2) == 3        >>> f([1, 2])
        f(4) => True                            f(0) should return 0        [2, 1]

    Only calls of ``fn_name`` count (examples in other languages name the function otherwise). Arguments and
    results are read as Python literals, or as JSON (``true``/``null``); a call line with a result that cannot be
    read makes the extraction ambiguous. Identical examples are kept once."""
    call = re.compile(rf"^\s*(?:>>>\s*)?(?:[A-Za-z_]\w*\.)?{re.escape(fn_name)}\s*\((?P<args>.*)\)\s*"
                      rf"(?:{_RESULT_MARK}\s*(?P<out>.*?))?\s*[;,]?\s*$")
    lines = statement.replace("\r\n", "\n").split("\n")
    tests: list[Test] = []
    seen: set[tuple[str, str]] = set()
    for i, line in enumerate(lines):
        line = line.strip().strip("`")
        m = call.match(line)
        if not m:
            continue
        out = m.group("out")
        if out is None and line.lstrip().startswith(">>>") and i + 1 < len(lines):
            out = lines[i + 1].strip().strip("`")  # doctest: the result is on the next line
        if out is None or not out:
            continue
        try:
            args = _call_arguments(m.group("args"))
            result = _literal(_strip_comment(out))
        except _Unreadable as e:
            return SampleExtraction([], "ambiguous", f"line {i + 1}: {e}")
        key = ("\n".join(_compact(a) for a in args), _compact(result))
        if key not in seen:
            seen.add(key)
            tests.append(Test(kind="functional", input=key[0], output=key[1], fn_name=fn_name, public=True))
    if not tests:
        return SampleExtraction([], "not_found", f"no example calls of {fn_name}(...) with a result")
    return SampleExtraction(tests, "found", f"{len(tests)} example call(s)")


def _strip_comment(text: str) -> str:
    """``5 # five`` -> ``5``, unless the ``#`` is inside a string."""
    quote = None
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#" or text.startswith("//", i):
            return text[:i].strip()
    return text.strip()


def _call_arguments(text: str) -> list[Any]:
    if not text.strip():
        return []
    value = _literal(f"({text},)", tuple_ok=True)
    return list(value)


_JS_WORDS = {"true": "True", "false": "False", "null": "None", "None": "None", "True": "True", "False": "False"}


def _literal(text: str, tuple_ok: bool = False) -> Any:
    text = text.strip()
    for candidate in (text, re.sub(r"\b(true|false|null)\b", lambda m: _JS_WORDS[m.group(1)], text)):
        try:
            value = ast.literal_eval(candidate)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            continue
        if isinstance(value, tuple) and not tuple_ok:
            value = list(value)
        try:
            json.dumps(list(value) if isinstance(value, tuple) else value, allow_nan=False)
        except (TypeError, ValueError):
            raise _Unreadable(f"{text[:40]!r} cannot be written as JSON") from None
        return value
    raise _Unreadable(f"{text[:40]!r} is not a literal")
