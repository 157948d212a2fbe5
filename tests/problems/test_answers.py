"""Statements that accept answers in any case, or any of several answers (problems.answers), and the judge's
case-insensitive comparison for the first kind."""

import pytest

from codecritique.judge.checkers import get_checker
from codecritique.problems.answers import annotate, case_insensitive_sentence, several_answers_sentence
from codecritique.problems.model import Problem, Test


@pytest.mark.parametrize("text", [
    "Print YES if possible. You can print each letter in any case (upper or lower).",
    'You may print every letter in any case you want (so, for example, the strings yEs, yes, Yes and YES will all '
    "be recognized as positive answer).",
    "You can output the answer in any case.",
    "The checker is case-insensitive.",
])
def test_any_case_is_found(text):
    assert case_insensitive_sentence(text)


@pytest.mark.parametrize("text", [
    "In any case, Vasya wins.",  # "anyway", not about letters
    "The string consists of lowercase Latin letters.",
    "Print the answer.",
])
def test_no_case_rule(text):
    assert case_insensitive_sentence(text) is None


@pytest.mark.parametrize("text", [
    "If there are multiple answers, print any of them.",
    "If there are several solutions, output any of them.",
    "If there are several such sequences, any of them is acceptable.",
    "You can print the edges in any order.",
    "If the first player wins, print any winning first move.",
    "If there are several partitions, Petya will be satisfied by any of them.",
    "There is no requirement for the points to be arranged in any special order, they just define the set.",
])
def test_several_answers_are_found(text):
    assert several_answers_sentence(text)


@pytest.mark.parametrize("text", [
    "If there are several such vertices, you select the one with the smallest number.",
    "Divisor of n is any such natural number that divides n.",
    "Victoria didn't want to marry any of them anyway.",
    "He pours them in one by one, in any order.",
    "If he cannot find any such snack, he fails the mission.",
    "There are too many answers in the third test, so we won't describe any of them.",
    "You can print each letter in any case (upper or lower).",
])
def test_no_several_answers(text):
    assert several_answers_sentence(text) is None


def test_annotate_sets_the_checker_and_marks_several_answers():
    p = annotate(Problem("p", [Test("stdin", "1\n", "YES\n")], statement="Print YES or NO. You can print each "
                         "letter in any case. If there are multiple answers, print any of them."))
    assert p.checker == "case-insensitive" and "print any of them" in p.metadata["several_answers"]
    own = annotate(Problem("q", [Test("stdin", "1\n", "YES\n")], statement="You can print it in any case.",
                           checker="exact"))
    assert own.checker == "exact"  # a checker of its own is kept
    functional = annotate(Problem("f", [Test("functional", "1", "2", fn_name="f")], statement="Print in any case."))
    assert functional.checker is None


def test_codeforces_yes_no_answers_are_compared_without_case():
    statement = 'If the network is reasonable, print "YES". Otherwise, print "NO".'
    cf = annotate(Problem("cf", [Test("stdin", "1\n", "No\n")], statement=statement, platform="codeforces"))
    other = annotate(Problem("ac", [Test("stdin", "1\n", "No\n")], statement=statement, platform="atcoder"))
    assert cf.checker == "yes-no" and other.checker is None
    check = get_checker("yes-no").compare
    assert check("", "No\n", "NO")[0] and check("", "YES 3", "yes 3")[0]
    assert not check("", "abc", "ABC")[0]  # only the words yes and no
    assert not check("", "YES", "NO")[0]


def test_case_insensitive_checker():
    check = get_checker("case-insensitive").compare
    assert check("", "YES\nNO\n", "yes\nNo")[0]
    assert check("", "1.0 YES", "1.0000001 yEs")[0]
    ok, message = check("", "YES", "NO")
    assert not ok and "case-insensitively" in message
    assert not get_checker("default").compare("", "YES", "yes")[0]


def test_the_judge_uses_the_problems_comparison_under_the_default_checker():
    from codecritique.judge.engine import Judge, JudgeConfig, Submission

    statement = "Print YES if a+b is even. You can print each letter in any case (upper or lower)."
    p = annotate(Problem("even", [Test("stdin", "1 3\n", "YES\n")], statement=statement))
    plain = Problem("even-plain", [Test("stdin", "1 3\n", "YES\n")], statement="Print YES if a+b is even.")
    with Judge(JudgeConfig(sandbox="rlimit", workers=1)) as judge:
        ok, wrong = judge.run([Submission(p, "print('yes')"), Submission(plain, "print('yes')")])
    assert ok.passed and not wrong.passed
    with Judge(JudgeConfig(checker="exact", sandbox="rlimit", workers=1)) as judge:
        assert not judge.run([Submission(p, "print('yes')")])[0].passed  # an explicit checker wins
