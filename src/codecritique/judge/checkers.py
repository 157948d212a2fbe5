"""Output checkers: decide whether a solution's output answers a test.

* ``default``: whitespace-separated tokens; words must match exactly, numbers with an absolute-or-relative error of
  1e-6 (testlib's ``rcmp6``, DMOJ's ``floats``). Two integer literals must be equal exactly (no tolerance can make
  10**18 + 1 equal to 10**18); NaN never matches.
* ``exact``: lines with trailing whitespace removed, trailing empty lines ignored.
* ``lcb`` / ``lcb-current``: LiveCodeBench's official grading rules, bug for bug (whole-output strip, per-line
  strip, equal line counts, then exact line match or element-wise ``Decimal`` equality; functional results compared
  with ``==`` after turning a top-level tuple into a list, no float tolerance). The judge then also runs stdin
  solutions the way lcb_runner does (see lcb_compat.py), in its leaderboard (``lcb``) or current version.
* a Python function ``check(input, expected, actual) -> bool`` (``python:FILE:FUNC`` or ``module:func``);
* an external program following testlib's convention, ``CHECKER input output answer``, exit 0 = accepted
  (``program:PATH``).

A checker returns ``(ok, message)``; the message says where a wrong answer first differs.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import math
import os
import re
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

TOLERANCE = 1e-6
_INT = re.compile(r"[+-]?\d+\Z")
_FLOAT = re.compile(r"[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)\Z")

CheckResult = tuple[bool, str]


def _short(s: str, n: int = 60) -> str:
    return s if len(s) <= n else s[: n - 3] + "..."


def numbers_close(expected: float, actual: float, tol: float = TOLERANCE) -> bool:
    if math.isnan(expected) or math.isnan(actual):
        return False
    if math.isinf(expected) or math.isinf(actual):
        return expected == actual
    return abs(expected - actual) <= tol * max(1.0, abs(expected))


def _canonical_int(tok: str) -> str:
    """Integer literal in canonical form, without int() (which refuses more than 4300 digits)."""
    sign = "-" if tok.startswith("-") else ""
    digits = tok.lstrip("+-").lstrip("0") or "0"
    return digits if digits == "0" else sign + digits


def tokens_equal(expected: str, actual: str, tol: float = TOLERANCE) -> bool:
    if expected == actual:
        return True
    e_int, a_int = _INT.match(expected), _INT.match(actual)
    if e_int and a_int:
        return _canonical_int(expected) == _canonical_int(actual)
    if (e_int or _FLOAT.match(expected)) and (a_int or _FLOAT.match(actual)):
        return numbers_close(float(expected), float(actual), tol)
    return False


def check_default(expected: str, actual: str) -> CheckResult:
    exp, act = expected.split(), actual.split()
    for i, (e, a) in enumerate(zip(exp, act)):
        if not tokens_equal(e, a):
            return False, f"token {i + 1}: expected {_short(e)!r}, got {_short(a)!r}"
    if len(exp) != len(act):
        if len(act) < len(exp):
            return False, f"output ends after {len(act)} tokens, expected {len(exp)} (next: {_short(exp[len(act)])!r})"
        return False, f"extra output after {len(exp)} tokens: {_short(act[len(exp)])!r}"
    return True, ""


def check_case_insensitive(expected: str, actual: str) -> CheckResult:
    """The default comparison, letters compared without case (statements that accept "YES", "yes", "yEs")."""
    ok, message = check_default(expected.lower(), actual.lower())
    return ok, message and f"{message} (compared case-insensitively)"


def check_yes_no(expected: str, actual: str) -> CheckResult:
    """The default comparison with the words yes and no compared without case (Codeforces' yes/no checker)."""
    def norm(text: str) -> str:
        return " ".join(t.lower() if t.lower() in ("yes", "no") else t for t in text.split())

    ok, message = check_default(norm(expected), norm(actual))
    return ok, message and f"{message} (YES/NO compared case-insensitively)"


def _lines_rstripped(s: str) -> list[str]:
    lines = [line.rstrip() for line in s.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def check_exact(expected: str, actual: str) -> CheckResult:
    exp, act = _lines_rstripped(expected), _lines_rstripped(actual)
    for i, (e, a) in enumerate(zip(exp, act)):
        if e != a:
            return False, f"line {i + 1}: expected {_short(e)!r}, got {_short(a)!r}"
    if len(exp) != len(act):
        return False, f"expected {len(exp)} lines, got {len(act)}"
    return True, ""


# ---------------------------------------------------------------- LiveCodeBench's rules


def _lcb_lines(val: str) -> list[str]:
    return [line.strip() for line in val.strip().split("\n")]


def _lcb_decimals(line: str) -> list[Decimal] | None:
    try:
        return [Decimal(tok) for tok in line.split()]
    except (InvalidOperation, ValueError):
        return None


def _lcb_truncate(s: str, length: int = 300) -> str:
    return s if len(s) <= length else s[: length // 2] + "...(truncated) ..." + s[-length // 2:]


def check_lcb(expected: str, actual: str) -> CheckResult:
    """``lcb_runner.evaluation.testing_util.grade_stdio``: same decisions, same messages."""
    pred, gt = _lcb_lines(actual), _lcb_lines(expected)
    if len(pred) != len(gt):
        return False, "Wrong answer: mismatched output length"
    for idx, (p, g) in enumerate(zip(pred, gt)):
        if p == g:
            continue
        msg = f"Wrong answer at output_line_idx={idx}: {_lcb_truncate(p)} != {_lcb_truncate(g)}"
        dp, dg = _lcb_decimals(p), _lcb_decimals(g)
        if dp is None or dg is None or dp != dg:
            return False, msg
    return True, ""


# ---------------------------------------------------------------- functional (LeetCode) results


def decode_result(raw: bytes) -> object:
    """The JSON a functional test's child wrote (tuples marked as {"__tuple__": [...]})."""
    return json.loads(raw.decode("utf-8", "replace"))


def _untuple(v: object, top_only: bool = False) -> object:
    if isinstance(v, dict) and set(v) == {"__tuple__"}:
        items = v["__tuple__"]
        return [x if top_only else _untuple(x) for x in items]
    if top_only:
        return v
    if isinstance(v, list):
        return [_untuple(x) for x in v]
    if isinstance(v, dict):
        return {k: _untuple(x) for k, x in v.items()}
    return v


def values_equal(expected: object, actual: object, tol: float = TOLERANCE) -> bool:
    """Python ``==`` on JSON values (so True == 1, 2 == 2.0, as LeetCode's Python judge and LiveCodeBench accept),
    with float tolerance at any depth."""
    if isinstance(expected, float) or isinstance(actual, float):
        if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
            return numbers_close(float(expected), float(actual), tol)
        return False
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(values_equal(e, a, tol) for e, a in zip(expected, actual))
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(values_equal(expected[k], actual[k], tol) for k in expected)
    return expected == actual


def _lcb_value(v: object) -> object:
    """Rebuild the Python value LiveCodeBench compares: nested tuples stay tuples (unequal to lists)."""
    if isinstance(v, dict) and set(v) == {"__tuple__"}:
        return tuple(_lcb_value(x) for x in v["__tuple__"])
    if isinstance(v, list):
        return [_lcb_value(x) for x in v]
    if isinstance(v, dict):
        return {k: _lcb_value(x) for k, x in v.items()}
    return v


def check_functional(expected_json: str, raw_result: bytes, mode: str = "default") -> CheckResult:
    try:
        expected = json.loads(expected_json)
    except ValueError as e:
        return False, f"expected value is not JSON: {e}"
    try:
        actual = decode_result(raw_result)
    except ValueError:
        return False, "no return value recorded"
    if mode == "lcb":
        pred = _lcb_value(actual)
        if isinstance(pred, tuple):
            pred = list(pred)
        ok = pred == expected
    else:
        actual = _untuple(actual)
        ok = values_equal(expected, actual)
    if ok:
        return True, ""
    shown = json.dumps(_untuple(actual))
    return False, f"expected {_short(json.dumps(expected), 120)}, got {_short(shown, 120)}"


# ---------------------------------------------------------------- custom checkers


@dataclass(frozen=True)
class Checker:
    """A stdout checker: ``compare(input, expected, actual) -> (ok, message)``; ``name`` is part of cache keys."""

    name: str
    compare: Callable[[str, str, str], CheckResult]
    functional_mode: str = "default"  # how functional results are compared: "default" or "lcb"
    fingerprint: str = ""  # custom checkers: a hash of their content (part of cache keys; a path alone is not)


def _python_checker(spec: str) -> Callable[[str, str, str], CheckResult]:
    """``python:path/to/file.py:func`` or ``package.module:func``: a ``check(input, expected, actual)``
    returning bool (or (bool, message))."""
    target = spec[len("python:"):] if spec.startswith("python:") else spec
    path, _, func = target.rpartition(":")
    if not path or not func:
        raise ValueError(f"custom checker {spec!r}: expected FILE.py:FUNC or module:FUNC")
    if path.endswith(".py") or os.sep in path:
        if not os.path.exists(path):
            raise ValueError(f"custom checker {spec!r}: no file {path}")
        mod_spec = importlib.util.spec_from_file_location(f"_codecritique_checker_{abs(hash(path))}", path)
        module = importlib.util.module_from_spec(mod_spec)
        assert mod_spec.loader is not None
        mod_spec.loader.exec_module(module)
    else:
        module = importlib.import_module(path)
    fn = getattr(module, func, None)
    if not callable(fn):
        raise ValueError(f"custom checker {spec!r}: {func} is not a function of {path}")

    def compare(inp: str, expected: str, actual: str) -> CheckResult:
        r = fn(inp, expected, actual)
        if isinstance(r, tuple):
            return bool(r[0]), str(r[1]) if len(r) > 1 else ""
        return bool(r), "" if r else "rejected by the custom checker"

    compare.__wrapped__ = fn  # type: ignore[attr-defined]  # whose source file makes the cache key
    return compare


def _program_checker(path: str, timeout: float = 30.0) -> Callable[[str, str, str], CheckResult]:
    """A testlib-style checker program: ``path input output answer``; exit code 0 means accepted. Trusted code,
    run without the sandbox (it is the problem setter's, not the model's)."""
    if not os.access(path, os.X_OK):
        raise ValueError(f"checker program {path!r} does not exist or is not executable")

    def compare(inp: str, expected: str, actual: str) -> CheckResult:
        with tempfile.TemporaryDirectory(prefix="codecritique-checker-") as d:
            files = []
            for name, text in (("input.txt", inp), ("output.txt", actual), ("answer.txt", expected)):
                p = os.path.join(d, name)
                with open(p, "w", encoding="utf-8", errors="surrogateescape") as f:
                    f.write(text)
                files.append(p)
            try:
                r = subprocess.run([path, *files], capture_output=True, timeout=timeout)
            except subprocess.TimeoutExpired:
                raise RuntimeError(f"checker {path} timed out") from None
        msg = (r.stderr or r.stdout).decode(errors="replace").strip()
        return r.returncode == 0, _short(msg, 200)

    return compare


def _file_hash(path: str) -> str:
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()[:16]
    except OSError:
        return ""


def _source_hash(fn: Callable) -> str:
    """A hash of the source file defining a Python checker (the whole file: helpers it calls count too)."""
    import inspect

    try:
        return _file_hash(inspect.getsourcefile(inspect.unwrap(fn)) or "")
    except TypeError:
        return ""


def get_checker(spec: str | None) -> Checker:
    spec = spec or "default"
    if spec == "default":
        return Checker("default", lambda i, e, a: check_default(e, a))
    if spec == "case-insensitive":  # set per problem by problems.answers (its statement allows any case)
        return Checker("case-insensitive", lambda i, e, a: check_case_insensitive(e, a))
    if spec == "yes-no":  # set per problem by problems.answers (a Codeforces YES/NO answer)
        return Checker("yes-no", lambda i, e, a: check_yes_no(e, a))
    if spec == "exact":
        return Checker("exact", lambda i, e, a: check_exact(e, a))
    if spec in ("lcb", "lcb-current"):  # same comparison; they differ in how stdin solutions are run
        return Checker(spec, lambda i, e, a: check_lcb(e, a), functional_mode="lcb")
    if spec.startswith("program:"):
        path = spec[len("program:"):]
        return Checker(f"program:{os.path.abspath(path)}", _program_checker(path), fingerprint=_file_hash(path))
    if ":" in spec:
        fn = _python_checker(spec)
        return Checker(f"python:{spec}", fn, fingerprint=_source_hash(fn))
    raise ValueError(f"unknown checker {spec!r}: use default, exact, lcb, FILE.py:FUNC, module:FUNC or program:PATH")
