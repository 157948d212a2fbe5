"""Sample extraction from stdin-style statements, on hand-written statements in the real layouts."""

import pytest

from codecritique.problems.samples import extract_samples, extract_stdin_samples


def pairs(result):
    assert result.status == "found", result.reason
    assert all(t.kind == "stdin" and t.public and t.fn_name is None for t in result.tests)
    return [(t.input, t.output) for t in result.tests]


# ---- AtCoder (LiveCodeBench): "Sample Input k", blank line, block, blank line, explanation; CRLF inside blocks

ATCODER = (
    "There is a grid with H rows and W columns.\r\nPrint Yes if it has a black cell.\n\n"
    "Input\n\nThe input is given from Standard Input in the following format:\nH W\r\nS_1\r\n\\vdots\r\nS_H\n\n"
    "Output\n\nPrint the answer.\n\nConstraints\n\n\n- 1 \\leq H, W \\leq 10\n\n"
    "Sample Input 1\n\n2 3\r\n#.#\r\n...\n\n"
    "Sample Output 1\n\nYes\r\n\nThe cell (1,1) is black.\r\nThus, print Yes.\n\n"
    "Sample Input 2\n\n1 1\r\n.\n\n"
    "Sample Output 2\n\nNo\r\n\n- \r\nThere is no black cell.\n\n"
    "Sample Input 3\n\n1 2  \r\n##\n\n"
    "Sample Output 3\n\nYes"
)


def test_atcoder_layout():
    assert pairs(extract_samples(ATCODER, platform="atcoder")) == [
        ("2 3\n#.#\n...\n", "Yes\n"),
        ("1 1\n.\n", "No\n"),
        ("1 2\n##\n", "Yes\n"),  # trailing spaces dropped
    ]


def test_atcoder_without_crlf_uses_the_prose_after_the_block():
    statement = ATCODER.replace("\r\n", "\n").replace("- \nThere", "There")
    assert len(pairs(extract_samples(statement, platform="atcoder"))) == 3


def test_atcoder_blank_line_inside_a_preformatted_output_is_kept():
    statement = "Sample Input 1\n\n2\n\nSample Output 1\n\nab\r\n\r\ncd\r\n\nTwo lines, the middle one empty."
    assert pairs(extract_stdin_samples(statement)) == [("2\n", "ab\n\ncd\n")]


@pytest.mark.parametrize(
    "output_section",
    [
        "Sample Output 2\n\n\r\n\nIn this example, the final S is an empty string.",  # a blank preformatted line
        "Sample Output 2\n\n\r\n\r\n\r\n\nG may have no edges.",
        "Sample Output 2\n\n\n\nThere may be no region that satisfies the conditions.",  # an empty block
        "Sample Output 2\n\n\nThere may be no sequences to print.\r\nIn this case, the output can be empty.",
    ],
)
def test_atcoder_empty_outputs(output_section):
    statement = "Sample Input 1\n\n1\n\nSample Output 1\n\n1\r\n\nSample Input 2\n\n0\n\n" + output_section
    assert pairs(extract_samples(statement, platform="atcoder")) == [("1\n", "1\n"), ("0\n", "")]


def test_empty_looking_output_outside_atcoder_layout_is_ambiguous():
    statement = "Sample Input 1\n\n1\n\nSample Output 1\n\n\n\nThere may be no region that satisfies it."
    result = extract_samples(statement, platform="codechef")
    assert result.status == "ambiguous" and "empty output" in result.reason and result.tests == []


def test_output_continuing_with_data_after_a_blank_line_is_ambiguous():
    statement = "Sample Input 1\n\n3\n\nSample Output 1\n\n1\n2\n\n3\n\nSample Input 2\n\n1\n\nSample Output 2\n\n1"
    result = extract_stdin_samples(statement)
    assert result.status == "ambiguous" and "'Sample Output 1' continues after a blank line" in result.reason


def test_interactive_problem():
    statement = "This is an interactive task, where your program and the judge interact.\n\nSample Input 1\n\n3\n\n"
    result = extract_samples(statement, platform="atcoder")
    assert result.status == "not_found" and "interactive" in result.reason


def test_no_samples():
    result = extract_stdin_samples("Print 1.\n\nInput\n\nNothing.\n\nOutput\n\nPrint 1.")
    assert result.status == "not_found" and result.tests == []


@pytest.mark.parametrize(
    "statement, reason",
    [
        ("Sample Input 1\n\n1\n\nSample Output 2\n\n1", "Sample Input 1 is followed by Sample Output 2"),
        ("Sample Input 1\n\n1\n\nSample Input 2\n\n2\n\nSample Output 2\n\n2", "do not alternate"),
        ("Sample Input 1\n\n1\n\nSample Output 1\n\n1\n\nSample Input 1\n\n1\n\nSample Output 1\n\n1", "twice"),
        ("Sample Input 1\n\n\n\nSample Output 1\n\n1", "'Sample Input 1' is empty"),
        ("Sample Input 1\n\n1", "do not alternate"),
    ],
)
def test_inconsistent_sample_headers_are_ambiguous(statement, reason):
    result = extract_stdin_samples(statement)
    assert result.status == "ambiguous" and reason in result.reason


# ---- Codeforces (LiveCodeBench): headers glued to the previous sentence, inputs with doubled line breaks

CODEFORCES = (
    "Output\n\nFor each test case, output YES or NO.\n\nYou can output the answer in any case.Sample Input 1:\n"
    "3\n\n2\n\n1 2\n\n1\n\n5\n\n\n\nSample Output 1:\n\nYES\nNO\n\n\n"
    "Note\n\nIn the first test case the array is sorted."
)


def test_codeforces_doubled_input_is_undone():
    assert pairs(extract_samples(CODEFORCES, platform="codeforces")) == [("3\n2\n1 2\n1\n5\n", "YES\nNO\n")]


def test_codeforces_doubling_is_not_undone_for_other_platforms():
    assert pairs(extract_samples(CODEFORCES, platform=""))[0][0] == "3\n\n2\n\n1 2\n\n1\n\n5\n"


def test_codeforces_doubling_with_empty_lines_in_the_original():
    original_with_empty_line = CODEFORCES.replace("3\n\n2\n\n1 2", "2\n\n\n\n2\n\n1 2")
    statement = "Each test case is preceded by an empty line.\n\n" + original_with_empty_line
    assert pairs(extract_samples(statement, platform="codeforces"))[0][0] == "2\n\n2\n1 2\n1\n5\n"


def test_codeforces_single_blank_gaps_and_empty_lines_mentioned_is_ambiguous():
    statement = "Test cases are separated by an empty line.\n\n" + CODEFORCES
    result = extract_samples(statement, platform="codeforces")
    assert result.status == "ambiguous" and "doubled or literal" in result.reason


def test_codeforces_gaps_of_even_length_are_ambiguous():
    statement = CODEFORCES.replace("3\n\n2\n\n1 2", "3\n\n\n2\n\n1 2")
    assert extract_samples(statement, platform="codeforces").status == "ambiguous"


def test_codeforces_input_without_doubling_is_kept():
    statement = CODEFORCES.replace("3\n\n2\n\n1 2\n\n1\n\n5", "3\n2\n1 2\n\n1\n5")
    assert pairs(extract_samples(statement, platform="codeforces"))[0][0] == "3\n2\n1 2\n\n1\n5\n"


# ---- CodeContests / Codeforces problem pages: "Examples" then bare Input / Output headers

CODECONTESTS = (
    "Monocarp has a list of words.\n\nInput\n\nThe first line contains n.\n\nOutput\n\nPrint the answer.\n\n"
    "Examples\n\nInput\n\n\n4\nabc\nNote\nx\n\n\nOutput\n\n\nabc Note\n\nInput\n\n1\nz\n\n\nOutput\n\nz\n\n"
    "Note\n\nIn the first example, the word Note is part of the input.\n\n<image>"
)


def test_codecontests_examples_section():
    assert pairs(extract_stdin_samples(CODECONTESTS)) == [("4\nabc\nNote\nx\n", "abc Note\n"), ("1\nz\n", "z\n")]


def test_stray_input_header_after_the_examples_is_ambiguous():
    statement = CODECONTESTS + "\n\nInput\n\n5\n\nOutput\n\n5"
    result = extract_stdin_samples(statement)
    assert result.status == "ambiguous" and "outside the examples" in result.reason


def test_example_input_without_output_is_ambiguous():
    result = extract_stdin_samples("Example\n\nInput\n\n1\n\nNote\n\nno output")
    assert result.status == "ambiguous" and "without output" in result.reason


def test_markdown_fenced_examples_agreeing_with_the_description():
    statement = (
        "## Description\n\nAdd.\n\nExamples\n\nInput\n\n1 2\n\nOutput\n\n3\n\nInput\n\n0 0\n\nOutput\n\n0\n\n"
        "## Examples\n\n### Example 1\n\n**Input**:\n```\n0 0\n```\n\n**Output**:\n```\n0\n```\n\n"
        "### Example 2\n\n**Input**:\n```\n1 2\n\n```\n\n**Output**:\n```\n3\n```\n\n## Testing\n\nRun it."
    )
    assert pairs(extract_stdin_samples(statement)) == [("1 2\n", "3\n"), ("0 0\n", "0\n")]
    disagreeing = statement.replace("```\n3\n```", "```\n4\n```")
    result = extract_stdin_samples(disagreeing)
    assert result.status == "ambiguous" and "example sections hold different samples" in result.reason


# ---- TACO / APPS / CodeChef / HackerRank layouts


@pytest.mark.parametrize(
    "statement, expected",
    [
        (
            "-----Input-----\nThe first line contains n.\n\n-----Output-----\nPrint the sum.\n\n"
            "-----Examples-----\nInput\n3\n1 2 3\n\nOutput\n6\n\nInput\n1\n5\n\nOutput\n5\n\n\n\n-----Note-----\nEasy.",
            [("3\n1 2 3\n", "6\n"), ("1\n5\n", "5\n")],
        ),
        (
            "-----Input:-----\n- First line: T.\n\n-----Sample Input:-----\n2\n1\n2\n-----Sample Output:-----\n1\n4\n"
            "-----EXPLANATION:-----\nSquares.",
            [("2\n1\n2\n", "1\n4\n")],
        ),
        (
            "Sample Input 0\n\n5\n1 2 3 4 5\n\nSample Output 0\n\n15\n\nExplanation 0\n\n1+2+3+4+5 = 15.\n\n"
            "Sample Input 1\n\n1\n7\n\nSample Output 1\n\n7\n",
            [("5\n1 2 3 4 5\n", "15\n"), ("1\n7\n", "7\n")],
        ),
        (
            "Example\n\nInput:\n3\n1 2 3\nOutput:\n6\nExplanation: 1 + 2 + 3 = 6.",
            [("3\n1 2 3\n", "6\n")],
        ),
        (
            "SAMPLE INPUT\r\n2\r\n3 4\r\n\r\nSAMPLE OUTPUT\r\n7\r\n",
            [("2\n3 4\n", "7\n")],
        ),
    ],
    ids=["taco-examples", "codechef", "hackerrank", "example-with-colons", "hackerearth-crlf"],
)
def test_other_layouts(statement, expected):
    assert pairs(extract_stdin_samples(statement)) == expected


def test_inputs_end_with_one_newline_and_outputs_too():
    statement = "Sample Input 1\n\n\n  1 2   \n\n\n\nSample Output 1\n\n3   \n"
    assert pairs(extract_stdin_samples(statement)) == [("  1 2\n", "3\n")]


def test_one_example_per_unnumbered_heading():
    statement = "Example\n\nInput\n\n1\n\nOutput\n\n2\n\nExample\n\nInput\n\n5\n\nOutput\n\n6"
    assert pairs(extract_stdin_samples(statement)) == [("1\n", "2\n"), ("5\n", "6\n")]


def test_format_sections_after_an_example_paragraph_are_not_samples():
    statement = (
        "Example\n\nFor n = 3 the answer is 6.\n\n"
        "Input\n\nThe first line contains n.\n\nOutput\n\nPrint the sum of 1..n.\n"
    )
    result = extract_stdin_samples(statement)
    assert result.status == "ambiguous" and "format description" in result.reason


def test_glued_header_without_colon_after_a_sentence():
    statement = "Print the sum.Sample Input 1\n1 2\n\nSample Output 1\n3\n"
    assert pairs(extract_stdin_samples(statement)) == [("1 2\n", "3\n")]


def test_not_an_interactive_problem():
    statement = "Note that this is not an interactive problem.\n\nSample Input 1\n\n1\n\nSample Output 1\n\n1"
    assert extract_stdin_samples(statement).status == "found"


def test_codeforces_page_copy_buttons():
    statement = "Examples\ninputCopy\n3\n1 2 3\noutputCopy\n6\ninputCopy\n1\n4\noutputCopy\n4\n\nNote\nEasy."
    assert pairs(extract_stdin_samples(statement)) == [("3\n1 2 3\n", "6\n"), ("1\n4\n", "4\n")]
