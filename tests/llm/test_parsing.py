"""Response parsing: think tags, answers, final code, judgements; malformed text never raises."""

import pytest

from codecritique.llm.parsing import parse_critique, parse_judgement, parse_solution, split_reasoning

F = "```"
CODE = f"{F}python\nprint(sum(map(int, input().split())))\n{F}"


def test_full_think_block():
    p = parse_solution(f"<think>\nadd them\n</think>\n\nHere:\n{CODE}\n", language="python")
    assert p.reasoning == "add them"
    assert p.answer.startswith("Here:")
    assert p.code == "print(sum(map(int, input().split())))"
    assert p.code_language == "python"
    assert p.thinking and not p.truncated and not p.no_code
    assert p.reasoning_chars == len("add them") and p.reasoning_tokens is None


def test_opening_tag_in_prompt_only_close_appears():
    p = parse_solution(f"I think we add.\n</think>\n{CODE}")
    assert p.reasoning == "I think we add." and p.thinking and p.code is not None


def test_model_that_does_not_think():
    p = parse_solution(f"Sure!\n{CODE}")
    assert p.reasoning == "" and not p.thinking and p.answer.startswith("Sure!") and p.code is not None
    assert p.reasoning_chars == 0


def test_unclosed_think_is_truncated_and_code_inside_is_ignored():
    p = parse_solution(f"<think>\nlet me try\n{CODE}\nhmm, wait")
    assert p.truncated and p.no_code and p.code is None and p.answer == ""
    assert "let me try" in p.reasoning


def test_think_in_prompt_without_close_is_unfinished_reasoning():
    p = parse_solution(f"thinking... {CODE}", think_in_prompt=True)
    assert p.truncated and p.no_code and p.answer == ""


def test_code_drafted_while_thinking_is_not_the_answer():
    text = f"<think>{F}python\nprint('draft')\n{F}</think>The answer:\n{F}python\nprint('final')\n{F}"
    assert parse_solution(text).code == "print('final')"
    assert parse_solution(f"<think>{F}python\nprint('draft')\n{F}</think>No code, sorry.").no_code


def test_finish_reason_length_marks_truncated():
    p = parse_solution(f"<think>x</think>{CODE}", finish_reason="length")
    assert p.truncated and p.code is not None


def test_unterminated_final_fence_is_truncated_but_code_kept():
    p = parse_solution(f"<think>x</think>{F}python\nprint(1)\nprint(2")
    assert p.truncated and p.code == "print(1)\nprint(2" and not p.no_code


def test_empty_code_block_counts_as_no_code():
    assert parse_solution(f"</think>{F}python\n\n{F}").no_code


def test_second_think_block_stays_in_answer():
    r, a, thinking, cut = split_reasoning("<think>a</think>b<think>c</think>d")
    assert (r, a, thinking, cut) == ("a", "b<think>c</think>d", True, False)


def test_reasoning_tokens_with_counter():
    p = parse_solution("<think>one two three</think>x", count_tokens=lambda s: len(s.split()))
    assert p.reasoning_tokens == 3
    assert parse_solution("no think", count_tokens=lambda s: 1 / 0).reasoning_tokens == 0  # not called on ""


@pytest.mark.parametrize(
    "text",
    ["", "</think>", "<think>", "<think></think>", "```", "~~~~", "<judgment>", "\x00\ufffd", "</think><think>"],
)
def test_malformed_never_raises(text):
    parse_solution(text, language="python")
    parse_solution(text, language="cpp", finish_reason="length")
    parse_critique(text)


def test_none_text_is_tolerated():
    assert parse_solution(None).no_code  # type: ignore[arg-type]
    assert parse_critique(None).no_judgement  # type: ignore[arg-type]


def test_cpp_language_selection():
    text = f"</think>{F}cpp\nint main(){{return 0;}}\n{F}\n{F}python\nprint(1)\n{F}"
    assert parse_solution(text, language="cpp").code == "int main(){return 0;}"
    assert parse_solution(text, language="python").code == "print(1)"


# ---- judgements -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer, expected",
    [
        ("<judgment>right</judgment>", "right"),
        ("<judgement>wrong</judgement>", "wrong"),
        ("<judgment> Right \n</judgment>", "right"),
        ("<JUDGMENT>WRONG</JUDGMENT>", "wrong"),
        ("<judgment>right</judgement>", "right"),  # mixed spellings
        ("<judgment>wrong</judgment> then <judgment>right</judgment>", "right"),  # last wins
        ("<judgment>right</judgment> ... <judgment>maybe</judgment>", None),  # last wins, and it is not binary
        ("conclude with <judgment>right/wrong</judgment>", None),  # echo of the prompt
        ("<judgment>**right**</judgment>", None),
        ("<judgment>correct</judgment>", None),
        ("<judgment>partially correct</judgment>", None),
        ("<judgment>right", None),  # unterminated
        ("judgment: right", None),
        ("", None),
    ],
)
def test_parse_judgement(answer, expected):
    assert parse_judgement(answer) == expected


def test_critique_judgement_is_read_after_think_only():
    c = parse_critique("<think>I'd say <judgment>right</judgment>... no.</think>It fails.\n<judgment>wrong</judgment>")
    assert c.judgement == "wrong" and not c.no_judgement and not c.truncated
    c = parse_critique("<think>maybe <judgment>right</judgment></think>I cannot decide.")
    assert c.judgement is None and c.no_judgement


def test_truncated_critique():
    c = parse_critique("<think>long reasoning <judgment>right</judgment>")
    assert c.truncated and c.no_judgement and c.judgement is None


def test_critique_of_model_that_does_not_think():
    c = parse_critique("The code is fine.\n<judgment>right</judgment>")
    assert c.judgement == "right" and c.reasoning == "" and not c.thinking


def test_critique_close_only_and_lengths():
    c = parse_critique("checking edge cases\n</think>\nLooks good. <judgement> right </judgement>",
                       count_tokens=lambda s: len(s.split()))
    assert c.judgement == "right"
    assert c.reasoning == "checking edge cases" and c.reasoning_chars == 19 and c.reasoning_tokens == 3
