"""What a competitive-programming statement says about its accepted answers, read from its text (data only,
nothing runs): whether answers may be printed in any letter case, and whether any of several valid answers is
accepted. Codeforces and CodeContests judge such problems with a checker; a comparison against the one expected
output then fails correct solutions.

* case: the judge compares tokens case-insensitively (``Problem.checker = "case-insensitive"``); on Codeforces,
  whose yes/no problems are judged case-insensitively whether or not the statement says so, the words YES and NO
  are (``"yes-no"``) when the statement asks to print them;
* several answers: no comparison can judge them; the problem is marked (``metadata["several_answers"]``, the
  sentence that says so) so that a wrong-answer verdict on it is reported as needing a special checker, never
  silently counted as a failure of the solution.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .model import Problem

_SENTENCE = r"[^.\n]*"
_CASE = re.compile(
    _SENTENCE + r"(?:"
    r"\b(?:print|output|write)\b[^.\n]{0,80}\bin\s+any\s+(?:case|register)\b|"
    r"\bletters?\b[^.\n]{0,40}\bin\s+any\s+(?:case|register)\b|"
    r"\bany\s+(?:letter\s+)?case\s*\(\s*(?:either\s+)?(?:upper|lower)|"
    r"\b(?:will|would)\s+(?:all\s+)?be\s+(?:recogni[sz]ed|accepted|treated|considered)\s+as\s+(?:a\s+)?"
    r"(?:positive|negative|correct)|"
    r"\bcase[- ]insensitive\b"
    r")" + _SENTENCE,
    re.IGNORECASE,
)
# a sentence allows several answers when it has one of these and also speaks of the output (_OUTPUT): "If there
# are several such vertices, select the smallest" or "marry any of them" do not
_SEVERAL = re.compile(
    _SENTENCE + r"(?:"
    r"\b(?:print|output|show|choose|find)\s+(?:any|an\s+arbitrary)\b(?!\s+(?:case|register))|"
    r"\b(?:if|when)\s+there\s+(?:are|is|exist|exists)\s+(?:several|multiple|many|more\s+than\s+one)\b|"
    r"\b(?:several|multiple)\s+(?:possible\s+|correct\s+|valid\s+|optimal\s+)?(?:answers|solutions|outputs)\b|"
    r"\bany\s+(?:of\s+them|of\s+those|valid|correct|suitable)\b|"
    r"\bin\s+(?:any|arbitrary)\s+order\b|"
    r"\bother\s+(?:answers|solutions)\s+(?:are\s+)?(?:also\s+)?(?:possible|accepted|correct)\b"
    r")" + _SENTENCE,
    re.IGNORECASE,
)
# sentences that say so by themselves ("There is no requirement for the points to be arranged in any order")
_SEVERAL_ALONE = re.compile(
    _SENTENCE + r"\b(?:no\s+requirement|not\s+required|need\s+not|needn't|does\s+not\s+matter|doesn't\s+matter)"
    r"[^.\n]{0,60}\border\b" + _SENTENCE, re.IGNORECASE)
# "print "YES" ... otherwise print "NO"": Codeforces judges these answers with a case-insensitive yes/no checker
# (accepted solutions print "Yes", and generated tests expect "No" where the statement shows "NO")
_YES_NO = re.compile(r"\b(?:print|output)\s*[\"“'«]?(?:yes|no)\b[\"”'»]?", re.IGNORECASE)
_OUTPUT = re.compile(r"\b(?:print|output|write|accept(?:ed|able)?|allowed|satisf\w*)\b", re.IGNORECASE)
PLATFORMS = ("codeforces", "codechef", "atcoder", "hackerearth", "aizu")


def _sentence(m: re.Match | None) -> str | None:
    return " ".join(m.group(0).split()) if m else None


def case_insensitive_sentence(statement: str) -> str | None:
    """The sentence saying answers may be printed in any letter case, if any."""
    return _sentence(_CASE.search(statement))


def several_answers_sentence(statement: str) -> str | None:
    """The sentence saying that any of several answers is accepted, if any."""
    for m in _SEVERAL.finditer(statement):
        if _OUTPUT.search(m.group(0)):
            return _sentence(m)
    return _sentence(_SEVERAL_ALONE.search(statement))


def yes_no_sentence(statement: str) -> str | None:
    """The sentence asking to print YES or NO, if any."""
    m = _YES_NO.search(statement)
    if m is None:
        return None
    start = max(statement.rfind(".", 0, m.start()), statement.rfind("\n", 0, m.start())) + 1
    end = min([i for i in (statement.find(".", m.end()), statement.find("\n", m.end())) if i >= 0] or
              [len(statement)])
    return " ".join(statement[start:end].split())


def annotate(problem: Problem) -> Problem:
    """Mark a stdin problem whose statement allows answers in any case (checker ``case-insensitive`` unless it
    has a checker) or several answers (``metadata["several_answers"]``); returns it."""
    if not problem.statement or any(t.kind != "stdin" for t in problem.tests):
        return problem
    if problem.checker is None and (sentence := case_insensitive_sentence(problem.statement)):
        problem.checker = "case-insensitive"
        problem.metadata["case_insensitive"] = sentence
    elif problem.checker is None and problem.platform == "codeforces" and \
            (sentence := yes_no_sentence(problem.statement)):
        problem.checker = "yes-no"
        problem.metadata["case_insensitive"] = sentence
    if "checker_source" not in problem.metadata and (sentence := several_answers_sentence(problem.statement)):
        problem.metadata["several_answers"] = sentence
    return problem


def annotate_all(problems: Iterable[Problem]) -> None:
    for p in problems:
        annotate(p)
