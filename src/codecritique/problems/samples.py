"""Sample tests extracted from problem statements.

Two families of statements are read:

* **stdin problems** (AtCoder, Codeforces, CodeContests, TACO/APPS, CodeChef, HackerRank), by
  :func:`extract_stdin_samples`. Samples sit under numbered headers, ``Sample Input 1`` / ``Sample Output 1`` (with
  or without a colon, decorated as ``-----Sample Input-----`` or ``### Sample Input 1``, or glued to the end of the
  previous sentence as in LiveCodeBench's Codeforces statements), or, when there are none, under bare ``Input`` /
  ``Output`` headers inside an ``Examples`` / ``Example`` section. A bare word such as ``Input`` or ``Note`` counts
  as a header only at the start of a paragraph, so sample data that happens to read ``Note`` stays data. A block
  may be a fenced code block. An input is everything up to the next header; an output ends at its first paragraph
  break (an explanation follows). In CRLF statements (AtCoder's preformatted text) ``\r\n\r\n`` is a blank line
  inside a block and a bare paragraph break ends any block; an AtCoder output may be empty. LiveCodeBench's
  Codeforces inputs carry a blank line after every line: undone when unambiguous (:func:`_undouble`).
  Interactive problems have transcripts, not samples: ``not_found``.
* **LeetCode problems** (the starter code defines ``class Solution``), by :func:`extract_functional_samples`:
  ``Example 1:`` / ``Input: nums = [1,2,3], k = 2`` / ``Output: 5`` becomes a functional test whose input is one
  JSON value per line, in the order of the method's parameters (names must match them exactly).

Every test gets ``public=True``. A stdin test's input and output are its lines, each ended by ``\n`` (outer blank
lines dropped, trailing spaces removed, CRLF read as LF; an empty output is ``""``). A functional test's input
has no trailing newline (LiveCodeBench splits it on ``\n``); input values and the output are compact JSON.

Nothing is guessed: a statement whose samples cannot be read unambiguously gets status ``ambiguous`` or
``not_found``, no tests, and a reason a person can check.
"""

from __future__ import annotations

import ast
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from codecritique.problems.model import Problem, Test
from codecritique.problems.signature import Signature, solution_signature

Status = Literal["found", "not_found", "ambiguous"]
STATUSES: tuple[str, ...] = ("found", "not_found", "ambiguous")


@dataclass
class SampleExtraction:
    """The sample tests of one statement; ``tests`` is empty unless ``status == "found"``."""

    tests: list[Test]
    status: Status
    reason: str = ""


class _Unreadable(Exception):
    """Raised inside the parsers; becomes an ``ambiguous`` extraction with this message as the reason."""


def extract_samples(
    statement: str, *, platform: str = "", starter_code: str = "", fn_name: str | None = None
) -> SampleExtraction:
    """The sample tests of a statement: functional if ``starter_code`` defines a function, else stdin.

    ``fn_name`` picks the method of ``class Solution`` when the starter code has several.
    """
    if "def " in starter_code:
        lenient = platform.lower() == "geeksforgeeks"
        result = extract_functional_samples(statement, starter_code, fn_name=fn_name, lenient=lenient)
        if result.status == "not_found" and not re.search(r"^\s*class\s+Solution\b", starter_code, re.M):
            name = fn_name or _top_level_function(starter_code)
            if name:  # Codewars-style: a plain function and examples written as calls
                return extract_call_samples(statement, name)
        return result
    if platform.lower() == "leetcode":
        return SampleExtraction([], "not_found", "LeetCode problem without starter code: no signature to call")
    return extract_stdin_samples(statement, platform=platform)


# ---------------------------------------------------------------------------------------------------------------
# stdin statements

_GLUED_HEADER = re.compile(  # "...in any case.Sample Input 1:" (LiveCodeBench's Codeforces statements)
    r"(?<=[^\n])(?=sample (?:input|output)[ \t]*#?\d*[ \t]*:[ \t]*\r?\n)|"
    r"(?<=[.!?)])(?=sample (?:input|output)[ \t]*#?\d*[ \t]*\r?\n)",
    re.IGNORECASE,
)
_DECORATION = "#*-=_:. \t"
_INTERACTIVE = re.compile(
    r"(?<!non-)(?<!not an )\binteractive (?:problem|task)\b|^[ \t#*-]*interaction[ \t:*-]*$", re.IGNORECASE | re.M
)
_SAMPLE_HEADER = re.compile(
    r"(?:sample|example)\s+(input|output)\s*#?\s*(\d*)|(input|output)\s+(?:sample|example)\s*#?\s*(\d*)"
)
_AIZU_OUTPUT = re.compile(r"output\s+for\s+(?:the\s+)?sample\s+input\s*#?\s*(\d*)")
_EXAMPLES_HEADER = re.compile(r"(?:examples?|samples?|sample tests?|sample cases?|example tests?)(?:\s*#?\s*(\d+))?")
_BARE_HEADER = re.compile(r"(input|output)s?(?:\s*#?\s*(\d+))?(?:\s*copy)?")  # "inputCopy": Codeforces pages
_STOP_HEADER = re.compile(
    r"notes?|hints?|constraints|scoring|subtasks?|interaction|limits|tags|categories|source|testing|"
    r"(?:input|output)\s+(?:format|specification)|(?:sample\s+)?explanations?(?:\s+(?:of|for)\b.*|\s*#?\s*\d+)?"
)
_STRONG_DECORATION = re.compile(r"^-{3,}|-{3,}$|\*\*|:$")
_MARKDOWN_HEADING = re.compile(r"#{1,6}\s+\S")
_STOP_PREFIX = re.compile(r"(?:Explanation|Note|Hint)s?\b\s*[:\s]")
_EMPTY_LINE_WORDS = re.compile(r"\b(?:empty|blank) lines?\b", re.IGNORECASE)


@dataclass
class _Line:
    text: str  # without the line break and trailing whitespace
    pre_blank: bool  # a blank line written "\r\n": part of a preformatted block, not a paragraph break


@dataclass
class _Header:
    index: int  # line index
    kind: str  # "sample_in" | "sample_out" | "examples" | "in" | "out" | "stop"
    number: str = ""
    strong: bool = False  # unmistakable as a header: "Sample Input 1", "-----Input-----", "**Input**:", "Input:"


def extract_stdin_samples(statement: str, *, platform: str = "") -> SampleExtraction:
    """Sample stdin tests of an AtCoder/Codeforces/CodeContests-style statement (see the module docstring)."""
    if _INTERACTIVE.search(statement):
        return SampleExtraction([], "not_found", "interactive problem: its samples are transcripts, not stdin tests")
    lines = _split_lines(statement)
    headers = _headers(lines)
    crlf = "\r\n" in statement
    platform = platform.lower()
    style = _Style(statement, crlf, atcoder_layout=crlf or platform == "atcoder", undouble=platform == "codeforces")
    try:
        numbered = any(h.kind == "sample_in" for h in headers)
        sections = [_numbered_samples(lines, headers)] if numbered else _example_sections(lines, headers)
        tests = _merge_sections([[_stdin_test(lines, i, o, style) for i, o in pairs] for pairs in sections])
        if not tests:
            return SampleExtraction([], "not_found", "no sample input/output headers in the statement")
        if not numbered and any(_is_sentence(t.input) and _is_sentence(t.output) for t in tests):
            raise _Unreadable("an Input/Output pair under 'Example' reads as the format description, not a sample")
    except _Unreadable as e:
        return SampleExtraction([], "ambiguous", str(e))
    return SampleExtraction(tests, "found", f"{len(tests)} sample(s)")


def _split_lines(statement: str) -> list[_Line]:
    text = _GLUED_HEADER.sub("\n", statement)
    return [_Line(raw.rstrip(), raw.endswith("\r") and not raw.strip()) for raw in text.split("\n")]


def _headers(lines: list[_Line]) -> list[_Header]:
    """The header lines, in order. A weak header (a bare word such as ``Input`` or ``Note``, which could also be
    sample data) counts only at a paragraph start: after a blank line or right after another header."""
    headers: list[_Header] = []
    for i, line in enumerate(lines):
        h = _classify(i, line.text)
        if h is None:
            continue
        prev = lines[i - 1] if i else None
        at_paragraph_start = prev is None or (not prev.text and not prev.pre_blank)
        if h.strong or at_paragraph_start or (headers and headers[-1].index == i - 1):
            headers.append(h)
    return headers


def _classify(index: int, text: str) -> _Header | None:
    t = " ".join(text.strip(_DECORATION).lower().split())
    if not t or len(t) > 60:
        return None
    strong = bool(_STRONG_DECORATION.search(text.strip()))
    if m := _AIZU_OUTPUT.fullmatch(t):  # AIZU: "Output for the Sample Input 1"
        return _Header(index, "sample_out", m.group(1), strong=True)
    if m := _SAMPLE_HEADER.fullmatch(t):
        kind, number = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        return _Header(index, "sample_in" if kind == "input" else "sample_out", number, strong=True)
    if m := _EXAMPLES_HEADER.fullmatch(t):
        return _Header(index, "examples", m.group(1) or "", strong=strong)
    if m := _BARE_HEADER.fullmatch(t):
        kind = "in" if m.group(1) == "input" else "out"
        return _Header(index, kind, m.group(2) or "", strong=strong or t.endswith("copy"))
    if _STOP_HEADER.fullmatch(t) or _MARKDOWN_HEADING.match(text):
        return _Header(index, "stop", strong=strong)
    if _STOP_PREFIX.match(text.strip("*# \t")):
        return _Header(index, "stop", strong=True)
    return None


Block = tuple[int, int]  # [start, end) line indices of a block's content


def _numbered_samples(lines: list[_Line], headers: list[_Header]) -> list[tuple[Block, Block]]:
    """Pair ``Sample Input k`` with ``Sample Output k`` headers, in order."""
    samples = [(pos, h) for pos, h in enumerate(headers) if h.kind in ("sample_in", "sample_out")]
    pairs: list[tuple[Block, Block]] = []
    seen: set[str] = set()
    for k in range(0, len(samples), 2):
        (pi, hi) = samples[k]
        if hi.kind != "sample_in" or k + 1 == len(samples) or samples[k + 1][1].kind != "sample_out":
            raise _Unreadable(f"sample headers do not alternate input/output at line {hi.index + 1}")
        (po, ho) = samples[k + 1]
        if hi.number != ho.number:
            raise _Unreadable(f"Sample Input {hi.number} is followed by Sample Output {ho.number}")
        if hi.number and hi.number in seen:
            raise _Unreadable(f"Sample Input {hi.number} appears twice")
        seen.add(hi.number)
        pairs.append((_block(headers, pi, len(lines)), _block(headers, po, len(lines))))
    return pairs


def _example_sections(lines: list[_Line], headers: list[_Header]) -> list[list[tuple[Block, Block]]]:
    """Input/Output pairs under ``Examples`` headings, per section: an unnumbered heading opens a section,
    ``Example k`` continues one."""
    sections: list[list[tuple[Block, Block]]] = []
    in_examples = False
    pending_input: Block | None = None
    for pos, h in enumerate(headers):
        if h.kind == "examples":
            if not in_examples or not h.number:
                sections.append([])
            in_examples = True
        elif h.kind == "stop":
            if not _is_explanation(lines[h.index].text):
                in_examples = False
        elif h.kind in ("in", "out") and not in_examples:
            if sections:
                raise _Unreadable(f"'{lines[h.index].text.strip()}' header outside the examples at line {h.index + 1}")
        elif h.kind == "in":
            if pending_input is not None:
                raise _Unreadable(f"example input without output before line {h.index + 1}")
            pending_input = _block(headers, pos, len(lines))
        elif h.kind == "out":
            if pending_input is None:
                raise _Unreadable(f"example output without input at line {h.index + 1}")
            sections[-1].append((pending_input, _block(headers, pos, len(lines))))
            pending_input = None
        if h.kind not in ("in", "out", "examples") and pending_input is not None:
            raise _Unreadable(f"example input without output before line {h.index + 1}")
    if pending_input is not None:
        raise _Unreadable("the last example input has no output")
    return sections


def _merge_sections(sections: list[list[Test]]) -> list[Test]:
    """The samples of several sections: they must either be the same samples (a statement that repeats its
    examples) or have distinct inputs (one example per section)."""
    sections = [s for s in sections if s]
    if len(sections) <= 1:
        return sections[0] if sections else []
    contents = [sorted((t.input, t.output) for t in s) for s in sections]
    if all(c == contents[0] for c in contents[1:]):
        return sections[0]
    inputs = [i for c in contents for i, _ in c]
    if len(set(inputs)) == len(inputs):
        return [t for s in sections for t in s]
    raise _Unreadable(f"{len(sections)} example sections hold different samples")


def _is_explanation(text: str) -> bool:
    return "explanation" in text.lower()


def _block(headers: list[_Header], pos: int, n_lines: int) -> Block:
    start = headers[pos].index + 1
    return start, headers[pos + 1].index if pos + 1 < len(headers) else n_lines


@dataclass(frozen=True)
class _Style:
    statement: str
    crlf: bool  # preformatted blocks break lines with CRLF, so a bare LF LF always ends a block
    atcoder_layout: bool  # "Sample Output k", blank line, preformatted block, blank line, explanation
    undouble: bool  # Codeforces statement: sample inputs may carry LiveCodeBench's doubled line breaks


def _stdin_test(lines: list[_Line], inp: Block, out: Block, style: _Style) -> Test:
    header = lines[inp[0] - 1].text.strip()
    in_lines = _content(lines, inp, style, is_output=False, header=header)
    in_lines = _stdin_table(in_lines, header)
    if style.undouble:
        in_lines = _undouble(in_lines, style.statement, header)
    out_lines = _content(lines, out, style, is_output=True, header=lines[out[0] - 1].text.strip())
    return Test(kind="stdin", input=_joined(in_lines), output=_joined(out_lines), public=True)


def _joined(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


def _content(lines: list[_Line], block: Block, style: _Style, *, is_output: bool, header: str) -> list[str]:
    """The text lines of a block, outer blank lines dropped.

    A fenced code block gives its body. An output ends at its first paragraph break, and what follows must read as
    prose; an input is every line up to the next header, except in a CRLF-preformatted statement, where a paragraph
    break ends any block for certain. An output may be empty only where the statement shows it so: blank
    preformatted lines, or, in AtCoder's layout, an empty block (two paragraph breaks) followed by its explanation.
    """
    body = lines[block[0] : block[1]]
    gap = next((k for k, ln in enumerate(body) if ln.text or ln.pre_blank), len(body))
    body = body[gap:]
    if not body:
        raise _Unreadable(f"'{header}' is empty")
    if body[0].text.lstrip().startswith("```"):
        close = next((k for k in range(1, len(body)) if body[k].text.strip() == "```"), None)
        if close is None:
            raise _Unreadable(f"unclosed code fence after '{header}'")
        text, rest = [ln.text for ln in body[1:close]], body[close + 1 :]
    elif not is_output and not style.crlf:
        text, rest = [ln.text for ln in body], []
    elif is_output and gap >= 2 and _is_prose(body[0].text):
        if not style.atcoder_layout:
            raise _Unreadable(f"'{header}' is followed by prose only: an empty output or an explanation?")
        text, rest = [], []
    else:
        end = next((k for k, ln in enumerate(body) if not ln.text and not ln.pre_blank), len(body))
        text, rest = [ln.text for ln in body[:end]], ([] if style.crlf else body[end:])
    trailing = [ln.text for ln in rest if ln.text.strip()]
    if trailing and not _is_prose(trailing[0]):
        raise _Unreadable(f"'{header}' continues after a blank line with {trailing[0][:40]!r}")
    while text and not text[-1].strip():
        text.pop()
    while text and not text[0].strip():
        text.pop(0)
    if not text and not is_output:
        raise _Unreadable(f"'{header}' is empty")
    return text


def _is_prose(line: str) -> bool:
    """A line of explanation rather than sample data: several words, a sentence, a bullet or an image."""
    words = re.findall(r"[A-Za-z][a-z]+", line)
    if len(words) >= 3 or "<image>" in line:
        return True
    sentence = line.rstrip().endswith((".", ":", "!", "?")) or line.startswith("- ")
    return sentence and bool(re.search(r"[A-Za-z]|\S=\S", line))


def _is_sentence(block: str) -> bool:
    first = block.split("\n", 1)[0]
    return _is_prose(first) and first.endswith(".")


def _undouble(in_lines: list[str], statement: str, header: str) -> list[str]:
    """Undo LiveCodeBench's Codeforces artefact: a blank line inserted after every line of a sample input.

    Applied only when the block cannot be read otherwise: no two text lines are adjacent, every gap is one blank
    line (or 2k+1 blank lines, k empty lines of the original, when the statement speaks of empty lines), and the
    statement does not say its input has empty lines when every gap is a single blank line.
    """
    if len(in_lines) < 3 or any(a.strip() and b.strip() for a, b in zip(in_lines, in_lines[1:])):
        return in_lines
    runs: list[int] = []
    run = 0
    for ln in in_lines:
        if ln.strip():
            if run:
                runs.append(run)
            run = 0
        else:
            run += 1
    mentions_empty = bool(_EMPTY_LINE_WORDS.search(statement))
    if any(r % 2 == 0 for r in runs):
        raise _Unreadable(f"'{header}': blank-line gaps of even length: not the doubling artefact, yet blank lines")
    if all(r == 1 for r in runs) and mentions_empty:
        raise _Unreadable(
            f"'{header}': every line is followed by a blank line, and the statement mentions empty lines: "
            "doubled or literal?"
        )
    if any(r > 1 for r in runs) and not mentions_empty:
        raise _Unreadable(f"'{header}': blank-line gaps of several lengths, and the statement mentions no empty lines")
    return in_lines[::2]


# ---------------------------------------------------------------------------------------------------------------
# LeetCode statements

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


# ---------------------------------------------------------------------------------------------------------------
# many problems


@dataclass
class ExtractionSummary:
    """Counts of extraction statuses per platform, and every miss with its reason."""

    counts: dict[str, Counter[str]] = field(default_factory=dict)
    misses: list[tuple[str, str, str, str]] = field(default_factory=list)  # (platform, id, status, reason)

    def table(self) -> str:
        """A plain-text table: one row per platform (and a total), one column per status."""
        rows = [("platform", *STATUSES, "total")]
        total: Counter[str] = Counter()
        for platform in sorted(self.counts):
            c = self.counts[platform]
            total.update(c)
            rows.append((platform, *(str(c[s]) for s in STATUSES), str(sum(c.values()))))
        rows.append(("all", *(str(total[s]) for s in STATUSES), str(sum(total.values()))))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows)


def summarize_extraction(problems: Iterable[Problem]) -> ExtractionSummary:
    """Extract the samples of every problem and count the outcomes per platform."""
    summary = ExtractionSummary()
    for p in problems:
        result = extract_samples(p.statement, platform=p.platform, starter_code=p.starter_code, fn_name=p.fn_name)
        platform = p.platform or "unknown"
        summary.counts.setdefault(platform, Counter())[result.status] += 1
        if result.status != "found":
            summary.misses.append((platform, p.id, result.status, result.reason))
    return summary


def add_samples(problems: Iterable[Problem]) -> None:
    """Give every problem that has no tests the sample tests of its statement (as public tests), and record the
    outcome in ``metadata["samples"]`` (``{"status", "reason"}``); problems with tests are left alone."""
    for p in problems:
        if p.tests:
            continue
        found = extract_samples(p.statement, platform=p.platform, starter_code=p.starter_code, fn_name=p.fn_name)
        p.tests = found.tests
        p.metadata["samples"] = {"status": found.status, "reason": found.reason}


# ---------------------------------------------------------------------------------------------------------------
# more platforms: HackerRank's annotated inputs, Codewars' calls, GeeksForGeeks' notation

_STDIN_TABLE_HEAD = re.compile(r"^\s*STDIN\s+Function\s*$", re.IGNORECASE)
_STDIN_TABLE_RULE = re.compile(r"^\s*-{3,}\s+-{3,}\s*$")
_ANNOTATION_GAP = re.compile(r"\t| {2,}")


def _stdin_table(in_lines: list[str], header: str) -> list[str]:
    """HackerRank shows some sample inputs as a two-column table, ``STDIN  Function`` / ``-----  --------`` then
    ``6   ar[] size n = 6``: the input is the first column. A line is split at its first tab or run of two spaces;
    a line whose value part still reads like an annotation (``=``) makes the sample unreadable."""
    if len(in_lines) < 2 or not _STDIN_TABLE_HEAD.match(in_lines[0]) or not _STDIN_TABLE_RULE.match(in_lines[1]):
        return in_lines
    values = []
    for line in in_lines[2:]:
        value = _ANNOTATION_GAP.split(line.strip(), maxsplit=1)[0]
        if "=" in value:
            raise _Unreadable(f"'{header}': cannot tell the value from the annotation in {line.strip()[:40]!r}")
        values.append(value)
    if not any(v.strip() for v in values):
        raise _Unreadable(f"'{header}': an STDIN/Function table with no values")
    return values


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


def _top_level_function(starter_code: str) -> str | None:
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
