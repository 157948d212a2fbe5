"""APPS (``codeparrot/apps``), and the ``input_output`` test format that APPS and TACO share.

**APPS rows** (``train.jsonl`` / ``test.jsonl``, 5000 problems each; the authors load them with
``load_dataset("codeparrot/apps")``, whose script yields the lines in file order): ``problem_id`` (int, numbered from
0 in *each* split), ``question``, ``solutions`` (a JSON string: a list of accepted Python solutions; may be ``""``),
``input_output`` (a JSON string, may be ``""``), ``difficulty`` (``introductory`` / ``interview`` /
``competition``), ``url``, ``starter_code``. A problem's id is ``apps/<split>/<problem_id>``; its platform is read
from the URL's host.

**input_output** is ``{"inputs": [...], "outputs": [...], "fn_name"?: str}``:

* without ``fn_name`` every test is a stdin test: an input or output given as a list of lines is joined with
  ``"\\n"`` (as the APPS harness does) and ends with a line break;
* with ``fn_name`` (call-based: Codewars, LeetCode, GeeksForGeeks) ``inputs[i]`` is the list of arguments, and
  becomes our functional format, one JSON value per line. ``outputs[i]`` is, by the datasets' convention, the
  return value wrapped in a one-element list (``[[1, 2]]`` for a function returning ``[1, 2]``); the APPS harness
  accepts either the value or its first element. We unwrap a one-element list and keep the other outputs as they
  are; ``metadata["output_wrapped"]`` says how many were unwrapped, so the rare unwrapped single-element result can
  be spotted. Arguments that are not JSON-serialisable (never seen in the data) raise a DataError.

Nothing is unpickled: both fields are JSON text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from codecritique.problems.model import Problem, Test
from codecritique.problems.records import Record
from codecritique.problems.tables import iter_rows

SOURCE = "apps"

# host (without "www.") -> platform, for APPS/TACO urls
_HOSTS = {
    "codeforces.com": "codeforces", "atcoder.jp": "atcoder", "codechef.com": "codechef", "kattis.com": "kattis",
    "open.kattis.com": "kattis", "leetcode.com": "leetcode", "codewars.com": "codewars",
    "hackerrank.com": "hackerrank", "hackerearth.com": "hackerearth", "geeksforgeeks.org": "geeksforgeeks",
    "practice.geeksforgeeks.org": "geeksforgeeks", "judge.u-aizu.ac.jp": "aizu", "onlinejudge.u-aizu.ac.jp": "aizu",
}


def platform_from_url(url: str) -> str:
    """The platform a problem URL points to (``""`` if unknown)."""
    host = (urlparse(url.strip()).hostname or "").lower()
    host = host[4:] if host.startswith("www.") else host
    if host in _HOSTS:
        return _HOSTS[host]
    for known, platform in _HOSTS.items():
        if host.endswith("." + known):
            return platform
    return ""


def split_of(path: str | Path, default: str = "") -> str:
    """``train`` / ``test`` / ``valid`` when the file or folder name says so (``test.jsonl``,
    ``ALL/train-00000-of-00009.parquet``), else ``default``."""
    for part in reversed(Path(path).parts):
        m = re.match(r"(train|test|valid|validation)(?:[-_.]|$)", part.lower())
        if m:
            return "valid" if m.group(1) == "validation" else m.group(1)
    return default


def read_apps(path: str | Path, *, split: str | None = None, with_solutions: bool = False) -> list[Problem]:
    """Problems of an APPS file (``train.jsonl``/``test.jsonl``) or folder; ``split`` defaults to the name's."""
    split = split if split is not None else split_of(path)
    return [problem_from_apps(rec, split=split, with_solutions=with_solutions) for rec in iter_rows(path)]


def problem_from_apps(rec: Record, *, split: str = "", with_solutions: bool = False) -> Problem:
    pid = rec.data.get("problem_id")
    if not isinstance(pid, int) or isinstance(pid, bool):
        raise rec.error(f"expected an integer, got {type(pid).__name__}", "problem_id")
    tests, meta = parse_input_output(rec)
    url = rec.str_field("url", "")
    if with_solutions:
        meta["solutions"] = solution_entries(rec)
    meta["url"] = url
    return Problem(
        id=f"apps/{split}/{pid}" if split else f"apps/{pid}",
        tests=tests,
        statement=rec.str_field("question"),
        platform=platform_from_url(url),
        difficulty=rec.str_field("difficulty", ""),
        starter_code=rec.str_field("starter_code", ""),
        source=SOURCE,
        metadata=meta,
    )


def parse_input_output(rec: Record, name: str = "input_output") -> tuple[list[Test], dict[str, Any]]:
    """The tests of an APPS/TACO ``input_output`` field, and metadata about them (``fn_name``,
    ``output_wrapped``). An empty or absent field means no tests."""
    raw = rec.data.get(name)
    if raw is None or raw == "":
        return [], {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as e:
            raise rec.error(f"invalid JSON: {e.msg} (column {e.colno})", name) from e
    if not isinstance(raw, dict):
        raise rec.error(f"expected a JSON object, got {type(raw).__name__}", name)
    inputs, outputs = raw.get("inputs", []), raw.get("outputs", [])
    if not isinstance(inputs, list) or not isinstance(outputs, list):
        raise rec.error("inputs and outputs must be lists", name)
    if len(inputs) != len(outputs):
        raise rec.error(f"{len(inputs)} inputs but {len(outputs)} outputs", name)
    fn_name = raw.get("fn_name")
    meta: dict[str, Any] = {}
    if fn_name is not None:
        if not isinstance(fn_name, str) or not fn_name.isidentifier():
            raise rec.error(f"fn_name must be a function name, got {fn_name!r}", f"{name}.fn_name")
        meta["fn_name"] = fn_name
        tests, wrapped = [], 0
        for i, (args, out) in enumerate(zip(inputs, outputs)):
            if not isinstance(args, list):
                raise rec.error(f"a call-based input must be a list of arguments, got {type(args).__name__}",
                                f"{name}.inputs[{i}]")
            if isinstance(out, list) and len(out) == 1:
                out, wrapped = out[0], wrapped + 1
            try:
                arg_lines = "\n".join(_compact(a) for a in args)
                expected = _compact(out)
            except (TypeError, ValueError) as e:
                raise rec.error(f"value is not JSON-serialisable: {e}", f"{name}.inputs[{i}]") from None
            tests.append(Test("functional", arg_lines, expected, fn_name=fn_name))
        meta["output_wrapped"] = wrapped
        return tests, meta
    tests = []
    for i, (inp, out) in enumerate(zip(inputs, outputs)):
        tests.append(Test("stdin", _stdin_text(rec, inp, f"{name}.inputs[{i}]"),
                          _stdin_text(rec, out, f"{name}.outputs[{i}]")))
    return tests, meta


def _stdin_text(rec: Record, value: Any, where: str) -> str:
    if isinstance(value, list):
        if not all(isinstance(v, str) for v in value):
            raise rec.error("expected a string or a list of lines", where)
        value = "\n".join(value)
    if not isinstance(value, str):
        raise rec.error(f"expected a string or a list of lines, got {type(value).__name__}", where)
    return value if not value or value.endswith("\n") else value + "\n"


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def parse_solutions(rec: Record, name: str = "solutions") -> list[str]:
    """The accepted solutions of a ``solutions`` JSON-string field (empty if absent or ``""``)."""
    raw = rec.data.get(name)
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as e:
            raise rec.error(f"invalid JSON: {e.msg} (column {e.colno})", name) from e
    if not isinstance(raw, list) or not all(isinstance(s, str) for s in raw):
        raise rec.error("expected a list of solution strings", name)
    return raw


def solution_entries(rec: Record) -> list[dict[str, Any]]:
    """The accepted Python 3 solutions of an APPS/TACO record, in the shape ``metadata["solutions"]`` uses."""
    return [{"language": "python3", "code": c, "accepted": True, "index": i}
            for i, c in enumerate(parse_solutions(rec))]


def iter_apps(path: str | Path, *, split: str | None = None) -> Iterator[Problem]:
    """Like :func:`read_apps`, one problem at a time (the test split holds 1.2 GB of tests)."""
    split = split if split is not None else split_of(path)
    for rec in iter_rows(path):
        yield problem_from_apps(rec, split=split)
