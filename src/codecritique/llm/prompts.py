"""The paper's prompts (Fig. 6 generation, Fig. 7 critique) and LiveCodeBench's question formatting.

Templates are plain text files in ``templates/`` (read them, or pass your own path). A template is used verbatim,
except that ONE trailing newline is dropped, like YAML's ``|-`` in the authors' configs (end a file with two newlines
to keep one). Placeholders are ``{question}`` (``{input}`` is accepted as the paper's spelling) and, for critiques,
``{solution}``; they are filled in one pass, so braces and placeholder-like text inside a question are left alone.

Built-in templates:

* ``generation_python``: NeMo-Skills ``eval/livecodebench/python_codegen_reasoning.yaml``, the same words as the paper's
  Fig. 6 (Python) with the line breaks the PDF lost.
* ``generation_cpp``: NeMo-Skills ``cpp_codegen_reasoning.yaml``, with ``// Your code here`` (the default: it is what
  the authors' evaluation and the OCR-Nemotron model card use).
* ``generation_cpp_paper``: the paper's Fig. 6 C++ text, which says ``# Your code here``; pick it with
  ``cpp_comment="paper"``.
* ``critique``: Fig. 7. The wording is the paper's; the line breaks are inferred (headings on their own lines).

Differences between the paper's Figure 6/7 prompts and NeMo-Skills' prompt files that these files settle:
the placeholder is ``{input}``
in the paper and ``{question}`` in NS (both work here); the NS *recipe* prompt for data generation adds "You must use
`input()` to get user input and `print()` to output your response." after the language line (not used here, it is
not in Fig. 6); the OCR-Nemotron-32B-IOI card adds a trailing newline (not used).

System message: Figs. 6 and 7 say ``system: ""``, so messages start with an empty system turn by default. Pass
``system=None`` to send no system turn, which is what NeMo-Skills' chat mode does with an empty system (for Qwen2.5
chat templates that means the template's default system prompt is inserted instead).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from codecritique.problems.extraction import extract_code
from codecritique.llm.parsing import split_reasoning
from codecritique.llm.types import Messages
from codecritique.problems.model import Problem

TEMPLATES_DIR = Path(__file__).parent / "templates"
LANGUAGES = ("python", "cpp")

Language = Literal["python", "cpp"]
CppComment = Literal["ns", "paper"]
QuestionFormat = Literal["lcb", "raw"]
SolutionMode = Literal["code", "answer"]

# LiveCodeBench question formatting, verbatim from NeMo-Skills livecodebench{,-cpp}/prepare.py (after Qwen2.5-Coder).
FORMATTING_MESSAGE_WITH_STARTER_CODE = (
    "You will use the following starter code to write the solution to the problem and enclose your code within "
    "delimiters."
)
_FORMATTING_WITHOUT_STARTER_CODE = (
    "Read the inputs from stdin solve the problem and write the answer to stdout (do not directly test on the sample "
    "inputs). Enclose your code within delimiters as follows. Ensure that when the {lang} program runs, it reads the "
    "inputs, runs the algorithm and writes output to STDOUT."
)
_LCB = {  # language -> (name in the stdin message, fence tag, placeholder comment)
    "python": ("python", "python", "# YOUR CODE HERE"),
    "cpp": ("c++", "cpp", "// YOUR CODE HERE"),
}

_PLACEHOLDER = re.compile(r"\{(question|input|solution)\}")


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")


def formatting_without_starter_code(language: Language) -> str:
    """LiveCodeBench's instruction for stdin/stdout problems, naming ``python`` or ``c++``."""
    _check_language(language)
    return _FORMATTING_WITHOUT_STARTER_CODE.format(lang=_LCB[language][0])


def format_lcb_question(statement: str, starter_code: str = "", language: Language = "python") -> str:
    """A problem statement formatted as LiveCodeBench/NeMo-Skills do for evaluation, byte for byte.

    ``statement + "\\n\\n"`` then the starter-code message and a fenced starter block, or the stdin message and a
    ``# YOUR CODE HERE`` (``// YOUR CODE HERE`` for C++) block; finally every run of four spaces becomes a tab.
    """
    _check_language(language)
    _, tag, comment = _LCB[language]
    question = statement + "\n\n"
    if starter_code:
        question += f"{FORMATTING_MESSAGE_WITH_STARTER_CODE}\n"
        question += f"```{tag}\n{starter_code}\n```\n\n"
    else:
        question += f"{formatting_without_starter_code(language)}\n\n"
        question += f"```{tag}\n{comment}\n```\n\n"
    return question.replace("    ", "\t")


def starter_code_for(problem: Problem, language: Language) -> str:
    """The problem's starter code in ``language``: ``metadata["starter_codes"][language]``, else for C++
    ``metadata["cpp_starter_code"]`` (what the LiveCodeBench-CPP and DebugBench loaders set), for Python
    ``problem.starter_code`` unless that is the C++ one; ``""`` when there is none."""
    per_language = problem.metadata.get("starter_codes") or {}
    if per_language.get(language):
        return per_language[language]
    cpp = problem.metadata.get("cpp_starter_code") or ""  # LiveCodeBench-CPP and DebugBench C++ records
    if language == "cpp":
        return cpp
    return "" if cpp and problem.starter_code == cpp else problem.starter_code


def problem_question(problem: Problem, language: Language = "python", fmt: QuestionFormat = "lcb") -> str:
    """The text that fills ``{question}``: LiveCodeBench formatting (``"lcb"``) or the bare statement (``"raw"``,
    as in the OCR-II training questions)."""
    _check_language(language)
    if fmt == "raw":
        return problem.statement
    if fmt != "lcb":
        raise ValueError(f"question format must be 'lcb' or 'raw', got {fmt!r}")
    return format_lcb_question(problem.statement, starter_code_for(problem, language), language)


def load_template(name_or_path: str | Path) -> str:
    """A built-in template by name (``generation_python``, ``generation_cpp``, ``generation_cpp_paper``,
    ``critique``) or any text file by path; one trailing newline is dropped."""
    path = Path(name_or_path)
    if not path.suffix and not path.exists():
        path = TEMPLATES_DIR / f"{name_or_path}.txt"
    if not path.is_file():
        builtin = sorted(p.stem for p in TEMPLATES_DIR.glob("*.txt"))
        raise FileNotFoundError(f"prompt template {str(name_or_path)!r} not found (built-in: {', '.join(builtin)})")
    text = path.read_text(encoding="utf-8")
    if text.endswith("\r\n"):
        return text[:-2]
    return text[:-1] if text.endswith("\n") else text


def generation_template_name(language: Language, cpp_comment: CppComment = "ns") -> str:
    """``generation_python``, ``generation_cpp`` (NS ``// Your code here``) or ``generation_cpp_paper``."""
    _check_language(language)
    if cpp_comment not in ("ns", "paper"):
        raise ValueError(f"cpp_comment must be 'ns' or 'paper', got {cpp_comment!r}")
    if language == "cpp" and cpp_comment == "paper":
        return "generation_cpp_paper"
    return f"generation_{language}"


def fill(template: str, *, question: str, solution: str | None = None) -> str:
    """Fill ``{question}``/``{input}`` and ``{solution}`` in one pass; other braces are left as they are."""
    if not re.search(r"\{(question|input)\}", template):
        raise ValueError("prompt template has no {question} (or {input}) placeholder")
    if solution is None and "{solution}" in template:
        raise ValueError("prompt template has a {solution} placeholder but no solution was given")
    if solution is not None and "{solution}" not in template:
        raise ValueError("a solution was given but the prompt template has no {solution} placeholder")

    def sub(m: re.Match[str]) -> str:
        return solution if m.group(1) == "solution" else question  # type: ignore[return-value]

    return _PLACEHOLDER.sub(sub, template)


def chat(user: str, system: str | None = "") -> Messages:
    """``[system, user]`` messages; ``system=None`` leaves the system turn out."""
    messages: Messages = [] if system is None else [{"role": "system", "content": system}]
    messages.append({"role": "user", "content": user})
    return messages


def generation_messages(
    problem: Problem | str,
    language: Language = "python",
    *,
    question_format: QuestionFormat = "lcb",
    template: str | Path | None = None,
    cpp_comment: CppComment = "ns",
    system: str | None = "",
) -> Messages:
    """Chat messages asking for a solution (Fig. 6). ``problem`` may be a ``Problem`` or an already formatted
    question string; ``template`` overrides the built-in one (a name or a path)."""
    question = problem if isinstance(problem, str) else problem_question(problem, language, question_format)
    text = load_template(template or generation_template_name(language, cpp_comment))
    return chat(fill(text, question=question), system)


def solution_for_critique(response: str, language: Language = "python", mode: SolutionMode = "code") -> str | None:
    """What fills ``{solution}`` for a generated ``response``: its final code re-fenced as ```` ```python ````
    (``"code"``, the default, as Fig. 2 draws it), or the whole answer after ``</think>`` (``"answer"``).
    None when there is nothing to critique (no code, or an empty answer)."""
    _check_language(language)
    _, answer, _, _ = split_reasoning(response)
    if mode == "answer":
        return answer or None
    if mode != "code":
        raise ValueError(f"solution mode must be 'code' or 'answer', got {mode!r}")
    code = extract_code(answer, language)
    if code is None or not code.strip():
        return None
    return f"```{_LCB[language][1]}\n{code}\n```"


def critique_messages(
    question: str,
    solution: str,
    *,
    template: str | Path | None = None,
    system: str | None = "",
) -> Messages:
    """Chat messages asking the model to critique ``solution`` (Fig. 7). Pass the same ``question`` text the
    solution was generated from (see :func:`problem_question`) and ``solution`` from :func:`solution_for_critique`."""
    return chat(fill(load_template(template or "critique"), question=question, solution=solution), system)
