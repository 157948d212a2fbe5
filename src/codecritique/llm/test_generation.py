"""Model-written tests: the prompt that asks for them and the parsing of what the model wrote.

Two kinds, after the published methods that use them for selection:

* ``stdin`` problems: the model writes test *inputs* only (AlphaCode §4.6, MBR-exec): the outputs come from running
  the sampled solutions on them, and solutions are compared by those outputs. A model that cannot solve a problem
  is rarely able to write its expected outputs, and the inputs alone are what clustering needs.
* ``functional`` problems (a function or a LeetCode ``class Solution`` method): the model writes ``assert`` lines,
  a call with literal arguments and the expected value, in CodeT's format (Chen et al. 2022), so a solution passes
  or fails each one and CodeT's dual execution agreement applies.

The prompts are package files (``templates/test_generation_stdin.txt``, ``templates/test_generation_functional.txt``),
with the placeholders ``{question}``, ``{n}``, ``{entry_point}`` and ``{starter_code}``, filled in one pass.

Parsing never raises: what cannot be used is counted, by reason, in :attr:`ParsedTests.dropped`
(``code`` a fenced block of code where an input was asked for, ``empty``, ``too-long``, ``placeholder`` the
prompt's own example echoed, ``unterminated`` a block cut off by the length limit, ``no-call`` an assert that does
not call the function, ``invalid`` an assert that does not compile, ``over-limit`` beyond the ``n`` asked for).
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from codecritique.llm.parsing import split_reasoning
from codecritique.llm.prompts import chat, load_template
from codecritique.llm.types import Messages
from codecritique.problems.model import Problem

KINDS = ("stdin", "functional")
MAX_INPUT_CHARS = 4096  # a generated input longer than this is dropped (the model rambling, not a test)
_PLACEHOLDERS = re.compile(r"\{(question|n|entry_point|starter_code)\}")
_FENCE_OPEN = re.compile(r"^[ \t]*```[ \t]*([\w+#.-]*)[^\n]*$")
CODE_TAGS = frozenset({"python", "py", "python3", "cpp", "c++", "c", "java", "javascript", "js", "rust", "go",
                       "bash", "sh", "shell", "ruby", "kotlin", "csharp", "cs"})
INPUT_EXAMPLE = "(one test input)"  # the stdin template's example block


def generated_test_kind(problem: Problem) -> str | None:
    """``"functional"`` for a problem solved by a function (HumanEval's ``entry_point``, LeetCode's ``fn_name``),
    ``"stdin"`` for one read from standard input, None when neither (nothing to generate)."""
    if problem.metadata.get("entry_point") or problem.fn_name:
        return "functional"
    if any(t.kind == "stdin" for t in problem.tests):
        return "stdin"
    return None


def entry_point(problem: Problem) -> str | None:
    return problem.metadata.get("entry_point") or problem.fn_name


def class_method(problem: Problem) -> bool:
    """Whether the function is a method of LeetCode's ``class Solution`` (rather than a top-level function)."""
    return not problem.metadata.get("entry_point") and bool(problem.fn_name)


def _fill(template: str, values: dict[str, str]) -> str:
    return _PLACEHOLDERS.sub(lambda m: values[m.group(1)], template)


def generated_test_messages(problem: Problem, n: int, *, template: str | Path | None = None,
                             system: str | None = "") -> Messages:
    """Chat messages asking for ``n`` tests of ``problem`` (its kind picks the template). The question is the bare
    statement (not the generation prompt's formatting, which asks for code)."""
    kind = generated_test_kind(problem)
    if kind is None:
        raise ValueError(f"problem {problem.id!r} is neither a stdin nor a functional problem")
    text = load_template(template or f"test_generation_{kind}")
    return chat(_fill(text, {"question": problem.statement.strip(), "n": str(n),
                             "entry_point": entry_point(problem) or "", "starter_code": problem.starter_code.strip()}),
                system)


@dataclass
class ParsedTests:
    """The tests found in one response: inputs (stdin) or asserts (functional), in order, duplicates kept (a test
    written twice counts twice, as CodeT counts it)."""

    tests: list[str] = field(default_factory=list)
    found: int = 0  # candidates seen (fenced blocks, or asserts)
    dropped: dict[str, int] = field(default_factory=dict)  # reason -> how many

    def drop(self, reason: str) -> None:
        self.dropped[reason] = self.dropped.get(reason, 0) + 1


def _blocks(text: str, with_heading: bool = False) -> tuple[list, bool]:
    """Fenced blocks as (tag, content) (with ``with_heading``: (tag, content, the last non-blank line before the
    fence)), and whether a last block was left open (cut off)."""
    out, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        m = _FENCE_OPEN.match(lines[i])
        if not m:
            i += 1
            continue
        heading = next((line.strip() for line in reversed(lines[:i]) if line.strip()), "")
        tag, body, j = m.group(1).lower(), [], i + 1
        while j < len(lines) and not lines[j].strip().startswith("```"):
            body.append(lines[j])
            j += 1
        if j >= len(lines):
            return out, True
        out.append((tag, "\n".join(body), heading) if with_heading else (tag, "\n".join(body)))
        i = j + 1
    return out, False


_OUTPUT_HEADING = re.compile(r"\b(output|result|explanation)s?\b", re.IGNORECASE)


def parse_inputs(response: str, n: int | None = None, *, max_chars: int = MAX_INPUT_CHARS) -> ParsedTests:
    """Test inputs of a stdin problem: the fenced blocks of the answer (after any reasoning), each an input as typed
    on standard input (trailing spaces removed, one final newline). At most ``n`` are kept."""
    _, answer, _, _ = split_reasoning(response or "")
    blocks, open_block = _blocks(answer, with_heading=True)
    parsed = ParsedTests()
    if open_block:
        parsed.found += 1
        parsed.drop("unterminated")
    for tag, content, heading in blocks:
        parsed.found += 1
        lines = [line.rstrip() for line in content.splitlines()]
        while lines and not lines[0]:
            lines.pop(0)
        while lines and not lines[-1]:
            lines.pop()
        text = "\n".join(lines)
        if tag in CODE_TAGS:
            parsed.drop("code")
        elif _OUTPUT_HEADING.search(heading) and not re.search(r"\binput", heading, re.IGNORECASE):
            parsed.drop("output")  # a block under "Output": what a program printed, not an input
        elif not text:
            parsed.drop("empty")
        elif text == INPUT_EXAMPLE or text.startswith("(") and text.endswith(")") and "input" in text:
            parsed.drop("placeholder")
        elif len(text) > max_chars:
            parsed.drop("too-long")
        elif n is not None and len(parsed.tests) >= n:
            parsed.drop("over-limit")
        else:
            parsed.tests.append(text + "\n")
    return parsed


def _calls(node: ast.AST, name: str) -> bool:
    return any(isinstance(x, ast.Call) and isinstance(x.func, ast.Name) and x.func.id == name for x in ast.walk(node))


def parse_asserts(response: str, function: str, n: int | None = None) -> ParsedTests:
    """Assert lines testing ``function``, CodeT-style: from the answer's fenced blocks (all of the answer when it
    has none), ``Solution().f(`` written as ``f(`` (the method is called as a function), one assert a line (a
    comment after it is dropped), kept when it compiles and calls ``function``; usage examples that state the
    expected value (``print(f(x))  # v``, ``>>> f(x)`` then ``v``) count as asserts. At most ``n`` are kept."""
    _, answer, _, _ = split_reasoning(response or "")
    blocks, _open = _blocks(answer)
    code_blocks = [c for tag, c in blocks if tag in ("", "python", "py", "python3")]
    text = "\n".join(code_blocks) if code_blocks else answer
    if _open and not code_blocks:  # an unterminated block is still the model's asserts
        text = answer
    text = re.sub(r"\bSolution\s*\(\s*\)\s*\.\s*(" + re.escape(function) + r")\s*\(", r"\1(", text)
    parsed = ParsedTests()
    lines = text.splitlines()
    for at, line in enumerate(lines):
        stripped = line.strip()
        case = _example_as_assert(stripped, lines[at + 1] if at + 1 < len(lines) else "", function)
        if case is None and not stripped.startswith("assert"):
            continue
        parsed.found += 1
        case = (case or stripped).rstrip(";").rstrip()
        try:
            tree = ast.parse(case)
            compile(tree, "<generated test>", "exec")
        except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError):
            tree = None
        if tree is None or len(tree.body) != 1 or not isinstance(tree.body[0], ast.Assert):
            parsed.drop("invalid")
        elif not _calls(tree.body[0].test, function):
            parsed.drop("no-call")
        elif n is not None and len(parsed.tests) >= n:
            parsed.drop("over-limit")
        else:
            parsed.tests.append(ast.unparse(tree.body[0]))
    return parsed


_PRINTED = re.compile(r"^print\((?P<call>.+)\)\s*#\s*(?:->|=>|=|output:?|returns?:?)?\s*(?P<value>.+)$",
                      re.IGNORECASE)
_SHOWN = re.compile(r"^(?:>>>\s*)?(?P<call>.+?)\s*(?:#\s*)?(?:->|=>)\s*(?P<value>.+)$")
_JSON_WORDS = {"true": "True", "false": "False", "null": "None"}


def _example_as_assert(line: str, next_line: str, function: str) -> str | None:
    """A usage example that states the expected value, as an assert: ``print(f(x))  # v``, ``f(x)  # => v``,
    ``f(x) -> v`` and a doctest ``>>> f(x)`` followed by ``v`` (models write these where asked for asserts). The
    value must be a Python literal (``true``/``false``/``null`` read as JSON); anything else is not a test."""
    m = _PRINTED.match(line) or (_SHOWN.match(line) if not line.startswith(("assert", "def ", "print")) else None)
    if m:
        call, value = m.group("call").strip(), m.group("value").strip()
    elif line.startswith(">>>") and next_line.strip() and not next_line.strip().startswith(">>>"):
        call, value = line[3:].strip(), next_line.strip()
    else:
        return None
    value = _JSON_WORDS.get(value.lower(), value)
    try:
        call_tree = ast.parse(call, mode="eval")
        ast.literal_eval(value)
    except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError):
        return None
    if not (isinstance(call_tree.body, ast.Call) and isinstance(call_tree.body.func, ast.Name)
            and call_tree.body.func.id == function):
        return None
    return f"assert {call} == {value}"


def parse_tests(response: str, kind: str, function: str | None, n: int | None = None) -> ParsedTests:
    if kind == "stdin":
        return parse_inputs(response, n)
    if kind == "functional" and function:
        return parse_asserts(response, function, n)
    raise ValueError(f"unknown test kind {kind!r} (or no function name)")


def merge_counts(counts: list[dict[str, int]]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for c in counts:
        total.update(c)
    return dict(sorted(total.items()))
