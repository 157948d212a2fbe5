"""Sample tests of LeetCode statements (``Example 1:`` / ``Input: nums = [1,2], k = 2`` / ``Output: 5``) as
functional tests, and GeeksForGeeks' looser notation (``lenient``)."""

from __future__ import annotations

import ast
import json
import re
from typing import Any

from codecritique.problems.model import Test
from codecritique.problems.samples.base import SampleExtraction, Unreadable as _Unreadable
from codecritique.problems.signature import Signature, solution_signature

_EXAMPLE = re.compile(r"^[ \t*#]*Example[ \t]*\d*[ \t]*:?[ \t*]*$", re.IGNORECASE | re.M)
_END_OF_EXAMPLES = re.compile(
    r"^[ \t*#]*(?:(?:Constraints|Notes?)[ \t]*:?[ \t*]*$|Follow[- ]?up\b|Your Task\b|Expected (?:Time|Auxiliary)\b)",
    re.IGNORECASE | re.M,
)
_DESIGN_EXAMPLE = re.compile(r"^\s*Input:?\s*\n\s*\[\s*\"", re.M)
_LABEL = re.compile(r"^[ \t*]*(Input|Output)[ \t]*:[ \t*]*", re.M)
_OUTPUT_END = re.compile(r"^\s*$|^[ \t*]*(?:Explanation|Note|Example|Constraints|Input|Output|Your Task)\b",
                         re.IGNORECASE)
_ASSIGNMENT = re.compile(r"\s*([A-Za-z_]\w*)\s*=(.*)", re.S)
_UNSUPPORTED_TYPES = re.compile(r"\b(?:TreeNode|ListNode|Node|NestedInteger|Employee|ImmutableListNode)\b")


def extract_functional_samples(statement: str, starter_code: str, *, fn_name: str | None = None,
                                lenient: bool = False) -> SampleExtraction:
    """Functional tests from LeetCode ``Example k:`` blocks, arguments ordered by the starter code's signature.
    ``lenient`` reads GeeksForGeeks' notation too (see :func:`functional_samples`)."""
    try:
        sig = solution_signature(starter_code, fn_name)
    except ValueError as e:
        return SampleExtraction([], "not_found", str(e))
    if m := _UNSUPPORTED_TYPES.search(" ".join(sig.annotations) + " " + sig.returns):
        return SampleExtraction([], "not_found", f"{m.group(0)} values cannot be written as JSON arguments")
    return functional_samples(statement, sig, lenient=lenient)


def functional_samples(statement: str, sig: Signature, *, lenient: bool = False) -> SampleExtraction:
    """Functional tests from LeetCode ``Example k:`` blocks for a method whose signature is known otherwise (e.g.
    from C++ code): arguments are ordered by ``sig.params``; its annotations are not looked at.

    ``lenient`` (GeeksForGeeks statements) also reads ``arr[] = {1, 2, 3}`` (C-style arrays), Python literals and
    bare words as strings, and matches argument names to parameters ignoring case (``N`` is ``n``)."""
    try:
        examples = _example_blocks(statement.replace("\r\n", "\n").replace("\xa0", " "))
    except _Unreadable as e:
        return SampleExtraction([], "ambiguous", str(e))
    if not examples:
        if _DESIGN_EXAMPLE.search(statement):
            return SampleExtraction([], "not_found", "design-style examples (lists of method calls)")
        return SampleExtraction([], "not_found", "no 'Example' blocks with Input:/Output: in the statement")
    tests = []
    for number, block in examples:
        try:
            tests.append(_functional_test(block, sig, lenient))
        except _Unreadable as e:
            return SampleExtraction([], "ambiguous", f"example {number}: {e}")
    return SampleExtraction(tests, "found", f"{len(tests)} example(s)")


def example_argument_names(statement: str) -> list[str] | None:
    """The argument names of the first example's ``Input: a = ..., b = ...``, in order; None if unreadable."""
    try:
        examples = _example_blocks(statement.replace("\r\n", "\n").replace("\xa0", " "))
        labels = list(_LABEL.finditer(examples[0][1])) if examples else []
        if len(labels) < 2:
            return None
        parts = _split_top_level(examples[0][1][labels[0].end() : labels[1].start()])
    except _Unreadable:
        return None
    names = [m.group(1) for p in parts if p.strip() and (m := _ASSIGNMENT.fullmatch(p))]
    return names if len(names) == len([p for p in parts if p.strip()]) else None


def _example_blocks(statement: str) -> list[tuple[int, str]]:
    """The text of every example (from its ``Input:`` label to the next example), numbered from 1. The examples
    end at a ``Constraints`` / ``Note`` / ``Follow-up`` heading; every ``Example k`` heading must have an input."""
    first = _LABEL.search(statement)
    if first is None:
        return []
    stop = _END_OF_EXAMPLES.search(statement, first.start())
    text = statement[: stop.start()] if stop else statement
    starts = [m.start() for m in _LABEL.finditer(text) if m.group(1) == "Input"]
    n_headings = len(_EXAMPLE.findall(statement))
    if n_headings and n_headings != len(starts):
        raise _Unreadable(f"{n_headings} 'Example' headings but {len(starts)} 'Input:' labels")
    ends = starts[1:] + [len(text)]
    return [(k + 1, _cut_at_next_example(text[s:e])) for k, (s, e) in enumerate(zip(starts, ends))]


def _cut_at_next_example(block: str) -> str:
    m = _EXAMPLE.search(block)
    return block[: m.start()] if m else block


def _functional_test(block: str, sig: Signature, lenient: bool = False) -> Test:
    labels = list(_LABEL.finditer(block))
    kinds = [m.group(1) for m in labels]
    if kinds[:2] != ["Input", "Output"] or len(kinds) != 2:
        raise _Unreadable(f"expected one Input: and one Output:, found {', '.join(kinds) or 'none'}")
    input_text = block[labels[0].end() : labels[1].start()]
    output_lines = block[labels[1].end() :].split("\n")
    output_text = output_lines[0]
    for ln in output_lines[1:]:
        if _OUTPUT_END.match(ln):
            break
        output_text += "\n" + ln
    args = _arguments(input_text, sig, lenient)
    try:
        output = json.loads(output_text.strip())
    except json.JSONDecodeError:
        if not lenient:
            raise _Unreadable(f"output {output_text.strip()[:40]!r} is not a JSON value") from None
        output = _lenient_value(output_text)
    return Test(
        kind="functional",
        input="\n".join(_compact(a) for a in args),
        output=_compact(output),
        fn_name=sig.name,
        public=True,
    )


def _arguments(input_text: str, sig: Signature, lenient: bool = False) -> list[Any]:
    """The argument values of an example's ``name = value, ...`` input, in signature order."""
    parts = [p for p in _split_top_level(input_text) if p.strip()]
    if not parts:
        raise _Unreadable("empty input")
    value_of = _lenient_value if lenient else _json_value
    named: dict[str, Any] = {}
    for part in parts:
        m = (_LENIENT_ASSIGNMENT if lenient else _ASSIGNMENT).fullmatch(part)
        if not m:
            if len(parts) == 1 and len(sig.params) == 1:
                return [value_of(part)]
            raise _Unreadable(f"input part {part.strip()[:40]!r} is not 'name = value'")
        name, value = m.group(1), m.group(2)
        if name in named:
            raise _Unreadable(f"argument {name} is given twice")
        named[name] = value_of(value)
    if lenient and sorted(named) != sorted(sig.params):
        by_lower = {p.lower(): p for p in sig.params}
        if len(by_lower) == len(sig.params) and sorted(n.lower() for n in named) == sorted(by_lower):
            named = {by_lower[n.lower()]: v for n, v in named.items()}
    if sorted(named) != sorted(sig.params):
        raise _Unreadable(f"arguments ({', '.join(named)}) do not match the parameters ({', '.join(sig.params)})")
    return [named[p] for p in sig.params]


def _split_top_level(text: str) -> list[str]:
    """Split at commas and line breaks outside brackets and double-quoted strings."""
    parts, depth, start, quoted, escaped = [], 0, 0, False, False
    for i, ch in enumerate(text):
        if quoted:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                quoted = False
        elif ch == '"':
            quoted = True
        elif ch in "[{(":
            depth += 1
        elif ch in "]})":
            depth -= 1
        elif ch in ",\n" and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    if quoted or depth != 0:
        raise _Unreadable("unbalanced brackets or quotes in the input")
    parts.append(text[start:])
    return parts


def _json_value(text: str) -> Any:
    text = text.strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise _Unreadable(f"value {text[:40]!r} is not JSON") from None


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)



# GeeksForGeeks' notation

_LENIENT_ASSIGNMENT = re.compile(r"\s*([A-Za-z_]\w*)\s*(?:\[\s*\]\s*)*=(.*)", re.S)
_BARE_WORD = re.compile(r"[^\s\"'\[\]{}(),]+")


def _lenient_value(text: str) -> Any:
    """A value as GeeksForGeeks writes it: JSON, a Python literal, ``{1, 2}`` for an array, or a bare word (a
    string written without quotes)."""
    text = text.strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    candidates = [text]
    if text.startswith("{") and text.endswith("}"):  # a C-style array, not a set
        candidates = [text.replace("{", "[").replace("}", "]")]
    for c in candidates:
        try:
            value = ast.literal_eval(c)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            continue
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError):
            raise _Unreadable(f"value {text[:40]!r} cannot be written as JSON") from None
        return value
    if _BARE_WORD.fullmatch(text):
        return text
    raise _Unreadable(f"value {text[:40]!r} is not a literal")
