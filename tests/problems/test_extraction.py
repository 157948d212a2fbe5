"""Code extraction edge cases (codecritique.problems.extraction is stdlib-only; the judge layer uses it too)."""

import ast
import subprocess
import sys

import pytest

from codecritique.problems.extraction import extract_code, final_code_block, find_code_blocks, normalize_language

F = "```"


def test_single_python_block():
    assert extract_code(f"Here:\n{F}python\nprint(1)\n{F}\nDone.") == "print(1)"


def test_final_block_wins_over_earlier_drafts():
    text = f"{F}python\nprint('draft')\n{F}\nBetter:\n{F}python\nprint('final')\n{F}\n"
    assert extract_code(text) == "print('final')"


@pytest.mark.parametrize("tag", ["python", "python3", "Python", "py", "PYTHON3", "{python}"])
def test_python_tags(tag):
    assert extract_code(f"{F}{tag}\nx = 1\n{F}", "python") == "x = 1"


@pytest.mark.parametrize("tag", ["cpp", "c++", "C++", "cxx", "cc"])
def test_cpp_tags(tag):
    assert extract_code(f"{F}{tag}\nint main(){{}}\n{F}", "cpp") == "int main(){}"
    assert extract_code(f"{F}{tag}\nint main(){{}}\n{F}", "c++") == "int main(){}"


def test_untagged_block_counts_for_any_language():
    assert extract_code(f"{F}\nx = 2\n{F}", "python") == "x = 2"
    assert extract_code(f"{F}\nint x;\n{F}", "cpp") == "int x;"
    assert extract_code(f"{F}\nx = 2\n{F}") == "x = 2"


def test_other_language_blocks_are_skipped():
    text = f"{F}python\nsolve()\n{F}\nSample run:\n{F}text\n3 4\n7\n{F}\n{F}bash\npython a.py\n{F}\n"
    assert extract_code(text) == "solve()"
    assert extract_code(text, "python") == "solve()"
    assert extract_code(text, "cpp") is None


def test_language_mismatch_gives_none():
    assert extract_code(f"{F}cpp\nint main(){{}}\n{F}", "python") is None


def test_tilde_fences():
    assert extract_code("~~~python\nprint(2)\n~~~\n") == "print(2)"
    # a ~~~ block is not closed by backticks
    assert extract_code(f"~~~\na = '{F}'\n{F}\nb\n~~~") == f"a = '{F}'\n{F}\nb"


def test_unterminated_final_fence_runs_to_end():
    block = final_code_block(f"text\n{F}python\ndef f():\n    return 1\n")
    assert block is not None and block.code == "def f():\n    return 1" and not block.terminated


def test_no_fence_at_all():
    assert extract_code("just prose, no code") is None
    assert find_code_blocks("") == []


def test_backticks_inside_code_do_not_close():
    text = f'{F}python\ns = "{F}"\nprint(s)\n{F}\n'
    assert extract_code(text) == f's = "{F}"\nprint(s)'


def test_longer_fence_needs_longer_close():
    text = "````python\nx = '''\n```\n'''\n````\n"
    assert extract_code(text) == "x = '''\n```\n'''"


def test_closing_fence_glued_to_last_line():
    assert extract_code(f"{F}python\nx = 1\nprint(x){F}") == "x = 1\nprint(x)"
    assert extract_code(f"{F}python\nprint(3){F}\nThis prints 3.") == "print(3)"
    assert extract_code(f"{F}python\nprint(3){F}\n\nAnd more") == "print(3)"


def test_indented_fence_is_dedented():
    text = f"1. Solution:\n   {F}python\n   def f():\n       return 1\n   {F}\n"
    code = extract_code(text)
    assert code == "def f():\n    return 1"
    ast.parse(code)


def test_crlf_line_endings():
    assert extract_code(f"{F}python\r\nprint(1)\r\n{F}\r\n") == "print(1)"


def test_inline_triple_backticks_are_not_fences():
    assert extract_code(f"Use {F}python{F} blocks.") is None


def test_empty_block():
    assert extract_code(f"{F}python\n{F}") == ""


def test_info_string_with_extra_words():
    assert extract_code(f"{F}python title=sol.py\nx = 3\n{F}", "python") == "x = 3"


def test_normalize_language():
    assert normalize_language("Python3") == "python"
    assert normalize_language("C++") == "cpp"
    assert normalize_language(None) == ""
    assert normalize_language("rust") == "rust"


def test_module_is_stdlib_only():
    code = (
        "import sys; import codecritique.problems.extraction; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('codecritique',) and m not in "
        "('codecritique', 'codecritique.problems', 'codecritique.problems.extraction')]; "
        "assert not bad, bad; "
        "assert not any(m in sys.modules for m in ('openai', 'torch', 'transformers')), 'heavy import'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
