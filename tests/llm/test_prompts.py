"""Prompt texts compared verbatim with the spec (NeMo-Skills YAML, Fig. 7, LiveCodeBench formatting)."""

import pytest

from codecritique.llm import prompts
from codecritique.problems.model import Problem

# Verbatim from spec/paper.md §1 Stage 2 (NS python_codegen_reasoning.yaml, `user: |-`, so no trailing newline).
NS_PYTHON = (
    "You are a helpful and harmless assistant. You should think step-by-step before responding to the instruction "
    "below.\n"
    "\n"
    "Please use python programming language only.\n"
    "\n"
    "You must use ```python for just the final solution code block with the following format:\n"
    "```python\n"
    "# Your code here\n"
    "```\n"
    "\n"
    "{question}"
)
NS_CPP = (
    "You are a helpful and harmless assistant. You should think step-by-step before responding to the instruction "
    "below.\n"
    "\n"
    "Please use c++ programming language only.\n"
    "\n"
    "You must use ```cpp for just the final solution code block with the following format:\n"
    "```cpp\n"
    "// Your code here\n"
    "```\n"
    "\n"
    "{question}"
)
PAPER_CPP = NS_CPP.replace("// Your code here", "# Your code here")
CRITIQUE = (
    "You are a helpful and harmless assistant. You should think step-by-step before responding to the instruction "
    "below.\n"
    "\n"
    "You have solved a programming problem. Now, you will critique your solution and conclude with "
    "<judgment>right/wrong</judgment>.\n"
    "\n"
    "## Question\n"
    "{question}\n"
    "\n"
    "## Solution\n"
    "{solution}"
)


@pytest.mark.parametrize(
    "name, expected",
    [("generation_python", NS_PYTHON), ("generation_cpp", NS_CPP), ("generation_cpp_paper", PAPER_CPP),
     ("critique", CRITIQUE)],
)
def test_builtin_templates_verbatim(name, expected):
    assert prompts.load_template(name) == expected


def test_template_choice_by_language_and_comment_style():
    assert prompts.generation_template_name("python") == "generation_python"
    assert prompts.generation_template_name("cpp") == "generation_cpp"  # NS / authors' evaluation by default
    assert prompts.generation_template_name("cpp", "paper") == "generation_cpp_paper"
    assert prompts.generation_template_name("python", "paper") == "generation_python"
    with pytest.raises(ValueError):
        prompts.generation_template_name("java")  # type: ignore[arg-type]


STATEMENT = "Given N, print N+1.\n\nInput\n    N"


def test_lcb_python_without_starter_code():
    q = prompts.format_lcb_question(STATEMENT, "", "python")
    expected = (
        "Given N, print N+1.\n\nInput\n\tN\n\n"
        "Read the inputs from stdin solve the problem and write the answer to stdout (do not directly test on the "
        "sample inputs). Enclose your code within delimiters as follows. Ensure that when the python program runs, it "
        "reads the inputs, runs the algorithm and writes output to STDOUT.\n\n"
        "```python\n# YOUR CODE HERE\n```\n\n"
    )
    assert q == expected


def test_lcb_cpp_without_starter_code():
    q = prompts.format_lcb_question(STATEMENT, "", "cpp")
    expected = (
        "Given N, print N+1.\n\nInput\n\tN\n\n"
        "Read the inputs from stdin solve the problem and write the answer to stdout (do not directly test on the "
        "sample inputs). Enclose your code within delimiters as follows. Ensure that when the c++ program runs, it "
        "reads the inputs, runs the algorithm and writes output to STDOUT.\n\n"
        "```cpp\n// YOUR CODE HERE\n```\n\n"
    )
    assert q == expected


def test_lcb_with_starter_code_and_tab_replacement():
    starter = "class Solution:\n    def f(self, n: int) -> int:\n        "
    q = prompts.format_lcb_question("Return n+1.", starter, "python")
    expected = (
        "Return n+1.\n\n"
        "You will use the following starter code to write the solution to the problem and enclose your code within "
        "delimiters.\n"
        "```python\nclass Solution:\n\tdef f(self, n: int) -> int:\n\t\t\n```\n\n"
    )
    assert q == expected
    cpp = prompts.format_lcb_question("Return n+1.", "class Solution {\npublic:\n    int f(int n) {\n        \n    }\n};", "cpp")
    assert cpp.endswith("delimiters.\n```cpp\nclass Solution {\npublic:\n\tint f(int n) {\n\t\t\n\t}\n};\n```\n\n")


def test_generation_messages_for_problem():
    p = Problem(id="p1", statement="Add two numbers.")
    msgs = prompts.generation_messages(p, "python")
    assert msgs[0] == {"role": "system", "content": ""}
    assert msgs[1]["role"] == "user"
    assert msgs[1]["content"] == NS_PYTHON.replace("{question}", prompts.format_lcb_question("Add two numbers."))
    raw = prompts.generation_messages(p, "cpp", question_format="raw", cpp_comment="paper", system=None)
    assert raw == [{"role": "user", "content": PAPER_CPP.replace("{question}", "Add two numbers.")}]


def test_starter_code_per_language():
    p = Problem(id="p", statement="S", starter_code="def f():\n    pass",
                metadata={"starter_codes": {"cpp": "int f() {\n}"}})
    assert prompts.starter_code_for(p, "python") == "def f():\n    pass"
    assert prompts.starter_code_for(p, "cpp") == "int f() {\n}"
    assert prompts.starter_code_for(Problem(id="q", starter_code="def g(): ..."), "cpp") == ""
    assert "```cpp\nint f() {\n}\n```" in prompts.problem_question(p, "cpp")


def test_braces_and_placeholders_in_question_are_left_alone():
    q = "Print {x} and {solution} and {question} literally: {}"
    sol = "```python\nprint('{}'.format(1))\n```"
    content = prompts.critique_messages(q, sol)[1]["content"]
    assert content == CRITIQUE.split("{question}")[0] + q + "\n\n## Solution\n" + sol


def test_paper_input_placeholder_is_accepted(tmp_path):
    path = tmp_path / "paper.txt"
    path.write_text("Solve:\n{input}\n")
    msgs = prompts.generation_messages("Q?", "python", template=path)
    assert msgs[1]["content"] == "Solve:\nQ?"


def test_user_template_keeps_one_trailing_newline_when_given_two(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("{question}\n\n")
    assert prompts.generation_messages("Q", template=path)[1]["content"] == "Q\n"


def test_bad_templates(tmp_path):
    with pytest.raises(FileNotFoundError, match="built-in"):
        prompts.load_template("no_such_template")
    path = tmp_path / "bad.txt"
    path.write_text("no placeholder")
    with pytest.raises(ValueError, match="question"):
        prompts.generation_messages("Q", template=path)
    with pytest.raises(ValueError, match="solution"):
        prompts.critique_messages("Q", "S", template=prompts.TEMPLATES_DIR / "generation_python.txt")


RESPONSE = "<think>\nhmm\n</think>\n\nHere is my solution:\n```python3\nprint(1)\n```\nIt prints 1."


def test_solution_for_critique_modes():
    assert prompts.solution_for_critique(RESPONSE, "python") == "```python\nprint(1)\n```"
    assert prompts.solution_for_critique(RESPONSE, "python", "answer") == (
        "Here is my solution:\n```python3\nprint(1)\n```\nIt prints 1."
    )
    assert prompts.solution_for_critique("<think>never finished", "python") is None
    assert prompts.solution_for_critique("<think>never finished", "python", "answer") is None
    cpp = "</think>```c++\nint main(){}\n```"
    assert prompts.solution_for_critique(cpp, "cpp") == "```cpp\nint main(){}\n```"


def test_critique_messages_layout():
    msgs = prompts.critique_messages("What is 1?", "```python\nprint(1)\n```")
    assert msgs == [
        {"role": "system", "content": ""},
        {"role": "user", "content": CRITIQUE.replace("{question}", "What is 1?").replace(
            "{solution}", "```python\nprint(1)\n```")},
    ]


def test_starter_code_of_livecodebench_cpp_records():
    """LiveCodeBench-CPP rows carry C++ starter code: the C++ prompt shows it, the Python prompt does not."""
    from pathlib import Path

    from codecritique.problems.load import load_problems

    path = Path(__file__).resolve().parents[1] / "fixtures" / "problems" / "lcb_cpp_small.jsonl"
    leetcode = [p for p in load_problems(path) if p.metadata.get("cpp_starter_code")]
    assert leetcode
    p = leetcode[0]
    assert "class Solution" in prompts.starter_code_for(p, "cpp")
    assert prompts.starter_code_for(p, "python") == ""
    assert "class Solution" in prompts.problem_question(p, "cpp")
    assert "class Solution" not in prompts.problem_question(p, "python")
