"""Checker rules, including LiveCodeBench's official ones reproduced bug for bug."""

import os
import stat

import pytest

from codecritique.judge.checkers import check_default, check_exact, check_functional, check_lcb, get_checker


@pytest.mark.parametrize("expected,actual,ok", [
    ("3\n", "3", True),
    ("1 2 3\n", "1\n2\n3\n", True),           # whitespace-insensitive tokens
    ("0.333333333\n", "0.333333", True),       # LCB rejects this (judges.md 1.7 #1)
    ("0.3333\n", "0.3334", False),
    ("1e-9\n", "0", True),                      # absolute error 1e-6
    ("1000000000.0\n", "1000000001.0", True),   # relative error 1e-6
    ("1000000000000000000\n", "1000000000000000001", False),  # integers are exact
    ("007\n", "7", True),
    ("-0\n", "0", True),
    ("2.5\n", "2.50000", True),
    ("Yes\n", "YES", False),                    # case matters
    ("nan\n", "nan", True),                     # identical tokens
    ("1.5\n", "nan", False),
    ("1 2\n", "1 2 3", False),
    ("1 2 3\n", "1 2", False),
    ("9" * 5000 + "\n", "9" * 5000, True),      # beyond int()'s 4300-digit limit
])
def test_default(expected, actual, ok):
    assert check_default(expected, actual)[0] is ok


def test_default_messages_say_where():
    ok, msg = check_default("1 2 3", "1 5 3")
    assert not ok and msg == "token 2: expected '2', got '5'"
    assert "ends after 1 tokens" in check_default("1 2", "1")[1]


@pytest.mark.parametrize("expected,actual,ok", [
    ("a b\nc\n", "a b  \nc\n\n\n", True),
    ("a b\n", "a  b\n", False),
    ("a\nb\n", "a\n\nb\n", False),
    ("a\r\nb\r\n", "a\nb", True),
])
def test_exact(expected, actual, ok):
    assert check_exact(expected, actual)[0] is ok


@pytest.mark.parametrize("expected,actual,ok", [
    ("1.0\n", "1.00", True),                    # Decimal equality
    ("0.333333333\n", "0.333333", False),       # no tolerance
    ("  a b \n", "a b", True),                  # per-line strip
    ("a  b\n", "a b", False),                   # spacing inside a non-numeric line matters
    ("1  2\n", "1 2", True),                    # ...but not inside a numeric one
    ("1\n2\n", "1\n\n2", False),                # line counts must match
    ("YES\n", "yes", False),
    ("1_000\n", "1000", True),                  # Decimal accepts underscores: a real LCB quirk
    ("NaN\n", "NaN", True),                     # exact string match comes first
    ("1 NaN\n", "1  NaN", False),               # Decimal('NaN') != Decimal('NaN')
])
def test_lcb_rules(expected, actual, ok):
    assert check_lcb(expected, actual)[0] is ok


def test_lcb_message_matches_official():
    ok, msg = check_lcb("YES\nNO\n", "YES\nYES\n")
    assert msg == "Wrong answer at output_line_idx=1: YES != NO"
    assert check_lcb("1\n2\n", "1\n")[1] == "Wrong answer: mismatched output length"


def test_functional_modes():
    assert check_functional("0.3", b"0.30000000000000004")[0]
    assert not check_functional("0.3", b"0.30000000000000004", mode="lcb")[0]
    assert check_functional("[1, 2]", b'{"__tuple__": [1, 2]}', mode="lcb")[0]
    assert not check_functional("[[1, 2]]", b'[{"__tuple__": [1, 2]}]', mode="lcb")[0]
    assert check_functional("[[1, 2]]", b'[{"__tuple__": [1, 2]}]')[0]
    assert check_functional("true", b"1")[0]  # Python's True == 1, as LeetCode's Python judge and LCB
    assert not check_functional("[1]", b"")[0]


def test_custom_python_checker(tmp_path):
    f = tmp_path / "chk.py"
    f.write_text("def check(inp, expected, actual):\n    return sorted(actual.split()) == sorted(expected.split())\n")
    c = get_checker(f"{f}:check")
    assert c.compare("", "1 2 3", "3 2 1")[0]
    assert not c.compare("", "1 2 3", "3 2 2")[0]
    with pytest.raises(ValueError):
        get_checker(f"{tmp_path}/missing.py:check")


def test_testlib_style_program_checker(tmp_path):
    prog = tmp_path / "checker.sh"
    prog.write_text('#!/bin/sh\n# input output answer\n[ "$(sort "$2")" = "$(sort "$3")" ] && exit 0\n'
                    'echo "wrong answer: not a permutation" >&2\nexit 1\n')
    prog.chmod(prog.stat().st_mode | stat.S_IXUSR)
    c = get_checker(f"program:{prog}")
    assert c.compare("in", "a\nb\n", "b\na\n") == (True, "")
    ok, msg = c.compare("in", "a\nb\n", "b\nc\n")
    assert not ok and "not a permutation" in msg


def test_unknown_checker():
    with pytest.raises(ValueError, match="unknown checker"):
        get_checker("fuzzy")
