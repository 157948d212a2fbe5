"""The Problem/Test model shared by every layer.

A problem carries its tests; a test is one of three kinds:

* ``stdin``: ``input`` is fed on standard input, ``output`` is the expected standard output;
* ``functional`` (LeetCode style): ``input`` holds the arguments in LiveCodeBench's format (one JSON value per
  line), ``output`` the expected JSON value, ``fn_name`` the method of ``class Solution`` to call;
* ``program``: ``input`` is a test program appended after the solution (HumanEval/MBPP ``check(candidate)``,
  LiveCodeBench-CPP's C++ harnesses); the test passes iff the combined program exits 0. ``output`` is unused.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

TestKind = Literal["stdin", "functional", "program"]
TEST_KINDS: tuple[str, ...] = ("stdin", "functional", "program")


@dataclass
class Test:
    __test__ = False  # not a pytest test class

    kind: TestKind
    input: str
    output: str = ""
    fn_name: str | None = None
    public: bool = False  # shown in the statement (sample test)

    def to_dict(self) -> dict[str, Any]:
        d = {"kind": self.kind, "input": self.input, "output": self.output}
        if self.fn_name is not None:
            d["fn_name"] = self.fn_name
        if self.public:
            d["public"] = True
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Test":
        return cls(
            kind=d["kind"],
            input=d["input"],
            output=d.get("output", ""),
            fn_name=d.get("fn_name"),
            public=bool(d.get("public", False)),
        )


@dataclass
class Problem:
    id: str
    tests: list[Test] = field(default_factory=list)
    title: str = ""
    statement: str = ""
    platform: str = ""
    difficulty: str = ""
    contest_date: str = ""  # ISO 8601, as the source gives it
    starter_code: str = ""  # Python starter code (LeetCode signature) or a HumanEval prompt
    time_limit: float | None = None  # seconds of CPU time per test
    memory_limit: int | None = None  # MiB
    source: str = ""  # where it was loaded from: "livecodebench", "humaneval", ...
    checker: str | None = None  # "default" | "exact" | "lcb" | "python:<file>:<func>" | "program:<path>"
    metadata: dict[str, Any] = field(default_factory=dict)  # fn_name, entry_point, starter codes per language...

    @property
    def fn_name(self) -> str | None:
        for t in self.tests:
            if t.fn_name:
                return t.fn_name
        return self.metadata.get("fn_name") or self.metadata.get("func_name")

    @property
    def test_kinds(self) -> set[str]:
        return {t.kind for t in self.tests}

    def public_tests(self) -> list[Test]:
        return [t for t in self.tests if t.public]

    def tests_fingerprint(self) -> str:
        """A short hash of the tests: part of every judge cache key, so edited tests are never served stale."""
        h = hashlib.sha256()
        for t in self.tests:
            h.update(json.dumps(t.to_dict(), sort_keys=True).encode())
            h.update(b"\0")
        return h.hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["tests"] = [t.to_dict() for t in self.tests]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Problem":
        known = {f.name for f in dataclasses.fields(cls)}
        kw = {k: v for k, v in d.items() if k in known and k != "tests"}
        return cls(tests=[Test.from_dict(t) for t in d.get("tests", [])], **kw)
