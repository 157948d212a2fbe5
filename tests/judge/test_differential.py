"""The differential corpus: every case runs through the judge and through a plain ``python3 solution.py < input``
subprocess (same interpreter, same input, same CPU and memory limits), and both must give the same verdict and the
same output. Cases: the idioms of issue 9 (the FastIO template, ``with sys.stdin as fin, sys.stdout as fout:``,
an atexit handler writing a StringIO to ``sys.__stdout__``), the semantics of fds 0/1/2 and of interpreter shutdown,
the idioms of test_python_semantics, and a sample of the human solutions in ``../shared/data/codecontests`` (all of
them: ``benchmarks/codecontests_human.py --differential``)."""

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from codecritique.judge.checkers import get_checker
from codecritique.judge.config import PER_PROBLEM_CHECKERS
from codecritique.judge.engine import Judge, JudgeConfig, Submission
from codecritique.judge.verdict import Verdict

from .conftest import CLEAN_ENV, needs_bwrap, stdin_problem
from .test_python_semantics import IDIOMS

pytestmark = needs_bwrap

CPU_LIMIT, MEMORY_MB = 6.0, 2048
NUMS = "3\n1 2 3\n"

FASTIO = '''import os
import sys
from io import BytesIO, IOBase
from os import *

BUFSIZE = 8192


class FastIO(IOBase):
    newlines = 0

    def __init__(self, file):
        self._fd = file.fileno()
        self.buffer = BytesIO()
        self.writable = "x" in file.mode or "r" not in file.mode
        self.write = self.buffer.write if self.writable else None

    def read(self):
        while True:
            b = read(self._fd, max(fstat(self._fd).st_size, BUFSIZE))
            if not b:
                break
            ptr = self.buffer.tell()
            self.buffer.seek(0, 2), self.buffer.write(b), self.buffer.seek(ptr)
        self.newlines = 0
        return self.buffer.read()

    def readline(self):
        while self.newlines == 0:
            b = read(self._fd, max(fstat(self._fd).st_size, BUFSIZE))
            self.newlines = b.count(b"\\n") + (not b)
            ptr = self.buffer.tell()
            self.buffer.seek(0, 2), self.buffer.write(b), self.buffer.seek(ptr)
        self.newlines -= 1
        return self.buffer.readline()

    def flush(self):
        if self.writable:
            write(self._fd, self.buffer.getvalue())
            self.buffer.truncate(0), self.buffer.seek(0)


class IOWrapper(IOBase):
    def __init__(self, file):
        self.buffer = FastIO(file)
        self.flush = self.buffer.flush
        self.writable = self.buffer.writable
        self.write = lambda s: self.buffer.write(s.encode("ascii"))
        self.read = lambda: self.buffer.read().decode("ascii")
        self.readline = lambda: self.buffer.readline().decode("ascii")


sys.stdin, sys.stdout = IOWrapper(sys.stdin), IOWrapper(sys.stdout)
input = lambda: sys.stdin.readline().rstrip("\\r\\n")

'''

CASES = {
    # issue 9's three real Codeforces idioms
    "fastio_template": (FASTIO + "n = int(input())\na = list(map(int, input().split()))\nfor x in a:\n"
                        "    print(x * 2)\nprint(sum(a))\n", NUMS),
    "fastio_template_large": (FASTIO + "n = int(input())\nprint(sum(int(input()) for _ in range(n)))\n",
                              "30000\n" + "".join(f"{i}\n" for i in range(30000))),
    "with_stdin_stdout": ("import sys\nwith sys.stdin as fin, sys.stdout as fout:\n    n = int(fin.readline())\n"
                          "    fout.write(str(sum(map(int, fin.readline().split()))) + '\\n')\n", NUMS),
    "atexit_stringio_to_real_stdout": ("import sys, io, atexit\nbuf = io.StringIO()\nsys.stdout = buf\n"
                                       "atexit.register(lambda: sys.__stdout__.write(buf.getvalue()))\n"
                                       "n = int(input())\nprint(sum(map(int, input().split())))\n", NUMS),
    # fds 0/1/2 are regular files: sizes, offsets, closing them
    "fstat_stdin_size": ("import os\nprint(os.fstat(0).st_size, os.lseek(0, 0, os.SEEK_CUR))\n", NUMS),
    "stdin_seek_and_reread": ("import os, sys\na = sys.stdin.buffer.read()\nos.lseek(0, 0, 0)\n"
                              "print(len(a), len(os.read(0, 1 << 20)))\n", NUMS),
    "stdout_offset_and_size": ("import os, sys\nprint('abc', flush=True)\n"
                               "print(os.lseek(1, 0, os.SEEK_CUR), os.fstat(1).st_size, flush=True)\n", ""),
    "close_stdout_then_exit": ("import os, sys\nprint('kept', flush=True)\nos.close(1)\n", ""),
    "close_stdout_unflushed": ("import sys\nprint('lost?')\nsys.stdout.close()\n", ""),
    "print_after_stdout_closed": ("import sys\nsys.stdout.close()\nprint('x')\n", ""),
    "dunder_stdout_is_real": ("import sys\nsys.stdout = open('/dev/null', 'w')\nsys.__stdout__.write('real\\n')\n", ""),
    "dunder_stdin_is_real": ("import sys, io\nsys.stdin = io.StringIO('fake\\n')\n"
                             "print(sys.__stdin__.readline().strip(), input())\n", NUMS),
    "stdin_isatty_and_mode": ("import sys, os, stat\nprint(sys.stdin.isatty(), stat.S_ISREG(os.fstat(0).st_mode), "
                              "sys.stdout.isatty(), stat.S_ISREG(os.fstat(1).st_mode))\n", NUMS),
    # interpreter shutdown as in a real process
    "unclosed_file_on_fd1_flushed": ("import os\nf = open(1, 'w', closefd=False)\nf.write('via fd 1\\n')\n", ""),
    "del_prints_at_shutdown": ("class A:\n    def __del__(self):\n        print('finalized')\na = A()\nprint('main')\n", ""),
    "atexit_order": ("import atexit\natexit.register(print, 'first registered')\natexit.register(print, 'last')\n", ""),
    "atexit_exits_nonzero": ("import atexit, sys\natexit.register(lambda: sys.exit(3))\nprint('x')\n", ""),
    "thread_prints_after_main": ("import threading, time\ndef w():\n    time.sleep(0.1)\n    print('late')\n"
                                 "threading.Thread(target=w).start()\nprint('early')\n", ""),
    "exception_in_atexit": ("import atexit\natexit.register(lambda: 1 / 0)\nprint('ok')\n", ""),
    "stderr_closed": ("import sys\nsys.stderr.close()\nprint('fine')\n", ""),
    "buffered_stdout_replaced": ("import sys, io\nsys.stdout = io.TextIOWrapper(open(1, 'wb', closefd=False))\n"
                                 "print('wrapped')\n", ""),
}


def plain_python(code: str, stdin: str, tmp_path: Path) -> tuple[int | None, bytes]:
    """``python3 solution.py < input > output`` with the judge's interpreter, environment and limits: the exit code
    (None for a signal or a timeout) and the bytes of stdout."""
    src = tmp_path / "solution.py"
    src.write_text(code)
    inp, out = tmp_path / "input.txt", tmp_path / "output.txt"
    inp.write_text(stdin)

    def limits():
        resource.setrlimit(resource.RLIMIT_CPU, (int(CPU_LIMIT) + 1, int(CPU_LIMIT) + 2))
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_MB << 20, MEMORY_MB << 20))

    with open(inp) as fin, open(out, "wb") as fout:
        try:
            r = subprocess.run([sys.executable, str(src)], stdin=fin, stdout=fout, stderr=subprocess.DEVNULL,
                               cwd=tmp_path, timeout=3 * CPU_LIMIT + 2, env=CLEAN_ENV, preexec_fn=limits)
            rc = r.returncode if r.returncode >= 0 else None
        except subprocess.TimeoutExpired:
            rc = None
    return rc, out.read_bytes()


@pytest.fixture(scope="module")
def exact_judge():
    with Judge(JudgeConfig(workers=2, checker="exact", time_limit=CPU_LIMIT, memory_mb=MEMORY_MB)) as j:
        yield j


CORPUS = {**CASES, **{f"semantics:{k}": v for k, v in IDIOMS.items()}}


def test_differential_corpus(exact_judge, tmp_path):
    """Every case: the judge's verdict and output equal plain python3's (exact bytes, exit code)."""
    names = sorted(CORPUS)
    plain = {}
    for n in names:
        d = tmp_path / n.replace(":", "_")
        d.mkdir()
        plain[n] = plain_python(*CORPUS[n], d)
    subs = [Submission(stdin_problem(n, cases=[(CORPUS[n][1], plain[n][1].decode("utf-8", "surrogateescape"))]),
                       CORPUS[n][0]) for n in names]
    mismatches = []
    for n, res in zip(names, exact_judge.run(subs)):
        rc, out = plain[n]
        t = res.test_results[0]
        expected = Verdict.AC if rc == 0 else Verdict.RE
        if res.verdict is not expected or t.exit_code != rc:
            mismatches.append((n, rc, res.verdict.value, t.exit_code, res.message[:200], t.stderr_tail[-300:]))
    assert not mismatches, mismatches
    # the three idioms of the issue really print their answer (plain python3 is not broken in the same way)
    assert plain["fastio_template"][1] == b"2\n4\n6\n6\n"
    assert plain["with_stdin_stdout"][1] == plain["atexit_stringio_to_real_stdout"][1] == b"6\n"


CODECONTESTS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "codecontests" / \
    "codecontests_155_problems.jsonl"
SAMPLE = 12  # problems of the in-suite sample; all of them: benchmarks/codecontests_human.py --differential


@pytest.mark.skipif(not CODECONTESTS.exists(), reason=f"{CODECONTESTS} is absent")
def test_codecontests_human_solutions_passing_under_python3_pass_in_the_judge(tmp_path):
    from codecritique.problems.codecontests import read_codecontests_repo

    problems = read_codecontests_repo(CODECONTESTS)
    step = max(1, len(problems) // SAMPLE)
    sample = problems[::step][:SAMPLE]
    plain_pass = {}
    for p in sample:
        # the judge's choice under --checker default: the problem's builtin comparison (e.g. YES/NO in any case)
        checker = get_checker(p.checker if p.checker in PER_PROBLEM_CHECKERS else "default")
        code = p.metadata["solutions"][0]["code"]
        ok = True
        for k, t in enumerate(p.tests):
            d = tmp_path / f"{p.id}-{k}"
            d.mkdir()
            rc, out = plain_python(code, t.input, d)
            if rc != 0 or not checker.compare(t.input, t.output, out.decode("utf-8", "replace"))[0]:
                ok = False
                break
        plain_pass[p.id] = ok
    with Judge(JudgeConfig(workers=2, time_limit=CPU_LIMIT, memory_mb=MEMORY_MB)) as j:
        results = j.run([Submission(p, p.metadata["solutions"][0]["code"]) for p in sample])
    judge_pass = {p.id: r.passed for p, r in zip(sample, results)}
    assert sum(plain_pass.values()) >= SAMPLE // 2, plain_pass  # the sample is not vacuous
    differ = {pid: (plain_pass[pid], judge_pass[pid], r.message[:150])
              for pid, r in zip(judge_pass, results) if plain_pass[pid] != judge_pass[pid]}
    assert not differ, differ
