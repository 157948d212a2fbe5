"""Sample tests of stdin statements (AtCoder, Codeforces, CodeContests, TACO/APPS, CodeChef, HackerRank):
see the package docstring for the rules."""

from __future__ import annotations

import re
from dataclasses import dataclass

from codecritique.problems.model import Test
from codecritique.problems.samples.base import SampleExtraction, Unreadable as _Unreadable

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




# HackerRank's annotated inputs

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
