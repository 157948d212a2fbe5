"""Verdicts and the per-test / per-sample results that carry them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any


class Verdict(str, Enum):
    AC = "AC"  # accepted
    WA = "WA"  # wrong answer
    TLE = "TLE"  # CPU-time limit (or the wall-clock backstop) exceeded
    MLE = "MLE"  # memory limit exceeded
    RE = "RE"  # runtime error: non-zero exit code or a signal
    OLE = "OLE"  # output limit exceeded
    CE = "CE"  # compile error (Python: syntax error)
    SE = "SE"  # system error: the judge itself failed (retried first); never counted as a wrong answer

    def __str__(self) -> str:  # so f-strings print "AC", not "Verdict.AC"
        return self.value


# When a sample has several failing tests (e.g. --all-tests), the sample verdict is the first failure's.


@dataclass
class TestResult:
    verdict: Verdict
    index: int  # position of the test in the problem's test list
    cpu_time: float = 0.0  # seconds (user + sys)
    wall_time: float = 0.0  # seconds
    memory_kb: int = 0  # peak resident set size
    exit_code: int | None = None
    signal: int | None = None
    message: str = ""
    stderr_tail: str = ""
    output_digest: str = ""  # hash of what the test produced (stdout or return value): compares solutions

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["verdict"] = self.verdict.value
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "TestResult":
        known = {k: d[k] for k in cls.__dataclass_fields__ if k in d}
        return cls(**{**known, "verdict": Verdict(d["verdict"])})


@dataclass
class SampleResult:
    """The verdict of one solution (sample) on one problem."""

    verdict: Verdict
    failed_test: int | None = None  # index of the first failing test, None when accepted
    cpu_time: float = 0.0  # max over the tests run
    memory_kb: int = 0  # max over the tests run
    message: str = ""
    tests_passed: int = 0
    tests_total: int = 0
    tests_run: int = 0
    test_results: list[TestResult] = field(default_factory=list)
    sandbox: str = ""  # the isolation actually used ("bwrap", "rlimit", "none") and any warning
    cached: bool = False

    @property
    def passed(self) -> bool:
        return self.verdict is Verdict.AC

    def to_dict(self, with_tests: bool = False) -> dict[str, Any]:
        d = {
            "verdict": self.verdict.value,
            "failed_test": self.failed_test,
            "time": round(self.cpu_time, 4),
            "memory_kb": self.memory_kb,
            "message": self.message,
            "tests_passed": self.tests_passed,
            "tests_total": self.tests_total,
        }
        if with_tests:
            d["tests_run"] = self.tests_run
            d["tests"] = [t.to_dict() for t in self.test_results]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "SampleResult":
        return cls(
            verdict=Verdict(d["verdict"]),
            failed_test=d.get("failed_test"),
            cpu_time=d.get("time", 0.0),
            memory_kb=d.get("memory_kb", 0),
            message=d.get("message", ""),
            tests_passed=d.get("tests_passed", 0),
            tests_total=d.get("tests_total", 0),
            tests_run=d.get("tests_run", len(d.get("tests") or ())),
            test_results=[TestResult.from_dict(t) for t in d.get("tests") or ()],
        )
