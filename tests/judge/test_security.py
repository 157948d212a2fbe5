"""What a solution must not be able to do, and the judge surviving all of it while other samples keep their
correct verdicts. Every attack is bounded (a fixed number of forks, bytes, files) so that a broken sandbox fails the
test instead of taking the machine down."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from codecritique.judge.engine import Judge, JudgeConfig, Submission
from codecritique.judge.sandbox import BASE_UID
from codecritique.judge.verdict import Verdict

from .conftest import needs_bwrap, needs_root, stdin_problem

pytestmark = needs_bwrap

ECHO = stdin_problem("echo", cases=[("hello\n", "hello\n"), ("world\n", "world\n")])
SAFE = stdin_problem("safe", cases=[("", "safe\n")])


def uid_processes(include_standby: bool = False) -> list[str]:
    """Processes on the host under the judge's test uids, other than each worker's standby test process (a child
    of its zygote, set up and waiting for the next test)."""
    out = subprocess.run(["ps", "-eo", "uid=,pid=,ppid=,args="], capture_output=True, text=True).stdout
    rows = [line.split(None, 3) for line in out.splitlines() if line.strip()]
    args = {int(r[1]): r[3] if len(r) > 3 else "" for r in rows}
    return [" ".join(r) for r in rows
            if BASE_UID <= int(r[0]) < BASE_UID + 1000
            and (include_standby or "zygote.py" not in args.get(int(r[2]), ""))]


def descendants(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-eo", "pid=,ppid="], capture_output=True, text=True).stdout
    children: dict[int, list[int]] = {}
    for line in out.splitlines():
        p, pp = map(int, line.split())
        children.setdefault(pp, []).append(p)
    found, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            found.append(c)
            todo.append(c)
    return found


def attempts(*snippets: str) -> str:
    """A program that tries each snippet and prints LEAK:<n> for every one that succeeds, else 'safe'."""
    body = ["leaks = []"]
    for i, s in enumerate(snippets):
        body.append("try:\n" + textwrap.indent(textwrap.dedent(s).strip(), "    ") + f"\n    leaks.append({i})\n"
                    "except Exception:\n    pass")
    body.append("print('safe' if not leaks else 'LEAK:' + ','.join(map(str, leaks)))")
    return "\n".join(body) + "\n"


@pytest.fixture(scope="module")
def judge():
    with Judge(JudgeConfig(workers=2, time_limit=3, memory_mb=256, output_mb=1, tmp_size_mb=64)) as j:
        yield j


def test_no_network(judge):
    code = attempts(
        "import socket\nsocket.socket(socket.AF_INET, socket.SOCK_STREAM)",
        "import socket\nsocket.socket(socket.AF_INET6, socket.SOCK_DGRAM)",
        "import socket\nsocket.create_connection(('127.0.0.1', 22), timeout=1)",
        "import urllib.request\nurllib.request.urlopen('http://pypi.org', timeout=2)",
        "import socket\nsocket.socket(socket.AF_PACKET, socket.SOCK_RAW)",
    )
    res = judge.run([Submission(SAFE, code)])[0]
    assert res.verdict is Verdict.AC, res.message


def test_cannot_read_host_home_or_secrets(judge, tmp_path):
    home = os.path.expanduser("~")
    secret = os.path.join(home, ".codecritique-test-secret")
    with open(secret, "w") as f:
        f.write("TOPSECRET")
    host_file = tmp_path / "host-file.txt"
    host_file.write_text("host data")
    try:
        code = attempts(
            f"open({secret!r}).read()",
            f"open({str(host_file)!r}).read()",
            "open('/etc/shadow').read()",
            f"import os\nassert '.codecritique-test-secret' in os.listdir({home!r})",
            f"import os\nassert set(os.listdir({os.getcwd()!r})) & {{'src', 'tests', '.git'}}",  # the checkout
            "open('/proc/1/environ').read()",
            "import os\nassert any(open(f'/proc/{p}/environ','rb').read() for p in os.listdir('/proc') if p.isdigit()"
            " and int(p) != os.getpid())",
        )
        res = judge.run([Submission(SAFE, code)])[0]
        assert res.verdict is Verdict.AC, res.message
    finally:
        os.unlink(secret)


def test_cannot_write_outside_its_tmp(judge, tmp_path):
    targets = [str(tmp_path / "escaped.txt"), "/escaped.txt", "/etc/escaped.txt", "/usr/escaped.txt",
               "/tmp/escaped.txt", os.path.join(sys.prefix, "escaped.txt")]
    code = attempts(*[f"open({t!r}, 'w').write('x')" for t in targets])
    res = judge.run([Submission(SAFE, code)])[0]
    assert res.verdict is Verdict.AC, res.message
    assert not (tmp_path / "escaped.txt").exists()
    # the working directory itself is writable, and private: the next test does not see the file
    w = judge.run([Submission(stdin_problem("w", cases=[("", "ok\n")]),
                              "open('scratch.txt','w').write('x' * 1000)\nprint('ok')")])[0]
    assert w.verdict is Verdict.AC
    r = judge.run([Submission(stdin_problem("r", cases=[("", "[]\n")]),
                              "import os\nprint([f for f in os.listdir('.') if f != 'solution.py'])")])[0]
    assert r.verdict is Verdict.AC, r.message


FORK_BOMB = """
import os, time
n = 0
for _ in range(300):          # bounded: a broken sandbox leaves 300 sleepers, not a dead machine
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(20)
        os._exit(0)
    n += 1
print('forked', n)
"""


def test_fork_bomb_is_contained(judge):
    res = judge.run([Submission(stdin_problem("fb", cases=[("", "forked 0\n")]), FORK_BOMB)])[0]
    assert res.verdict is Verdict.AC, res.message  # fork() itself is refused
    sub = "import subprocess\nprint(subprocess.run(['echo', 'hi'], capture_output=True).stdout)"
    res = judge.run([Submission(SAFE, sub)])[0]
    assert res.verdict is Verdict.RE and "PermissionError" in res.message
    assert not uid_processes()


@needs_root
def test_fork_bomb_with_forks_allowed_is_bounded_and_cleaned_up():
    """With --allow-fork each test gets its own PID namespace and an RLIMIT_NPROC: forks stop at the limit and
    everything dies with the test, daemons included."""
    bounded = FORK_BOMB.replace("print('forked', n)", "print('bounded' if 0 < n < 300 else n)")
    daemon = ("import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
              "        time.sleep(60)\n        os._exit(0)\n    os._exit(0)\nprint('safe')\n")
    with Judge(JudgeConfig(workers=1, time_limit=2, allow_fork=True)) as j:
        res = j.run([Submission(stdin_problem("b", cases=[("", "bounded\n")]), bounded),
                     Submission(SAFE, daemon)])
        assert j.isolation.startswith("bwrap/pidns"), j.isolation
    assert res[0].verdict is Verdict.AC, res[0].message
    assert res[1].verdict is Verdict.AC, res[1].message
    time.sleep(0.5)
    assert not uid_processes(), uid_processes()


def test_memory_bomb_is_mle(judge):
    code = "a = []\nfor _ in range(80):\n    a.append(bytearray(100 * 2**20))\nprint(len(a))\n"  # at most 8 GB
    res = judge.run([Submission(SAFE, code)])[0]
    assert res.verdict is Verdict.MLE, res
    code2 = "import mmap\nm = mmap.mmap(-1, 8 * 2**30)\nprint('mapped')\n"
    assert judge.run([Submission(SAFE, code2)])[0].verdict is Verdict.MLE


def test_disk_bomb_is_stopped(judge):
    code = ("import os\nfor i in range(40):\n    with open(f'f{i}', 'wb') as f:\n"
            "        f.write(b'x' * (50 * 2**20))\nprint('wrote 2 GB')\n")  # bounded at 2 GB
    res = judge.run([Submission(SAFE, code)])[0]
    assert res.verdict in (Verdict.RE, Verdict.OLE), res
    assert "No space left" in res.message or "File too large" in res.message or res.verdict is Verdict.OLE
    r = judge.run([Submission(stdin_problem("r2", cases=[("", "[]\n")]),
                              "import os\nprint([f for f in os.listdir('.') if f != 'solution.py'])")])[0]
    assert r.verdict is Verdict.AC, r.message  # cleaned up


def test_output_flood_is_ole_and_bounded(judge):
    code = "import sys\nfor _ in range(500):\n    sys.stdout.write('x' * 2**20)\n"  # at most 500 MB
    t = time.monotonic()
    res = judge.run([Submission(SAFE, code)])[0]
    assert res.verdict is Verdict.OLE
    assert time.monotonic() - t < 30
    err = "import sys\nfor _ in range(500):\n    sys.stderr.write('y' * 2**20)\n"
    assert judge.run([Submission(SAFE, err)])[0].verdict is Verdict.OLE


def test_cannot_signal_the_judge_or_others(judge):
    # kill(-1) and killpg() can report success although every target refused the signal, so they are judged by
    # their effect: the judge's workers and the other samples must be untouched.
    code = ("import os, signal\nos.kill(-1, signal.SIGKILL)\n"
            "try:\n    os.killpg(os.getpgid(os.getppid()), signal.SIGKILL)\nexcept OSError:\n    pass\n")
    code += attempts(
        "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)",
        "import os, signal\nos.kill(1, signal.SIGKILL)",
        "import os, signal\npids = [int(p) for p in os.listdir('/proc') if p.isdigit() and int(p) != os.getpid()]\n"
        "ok = 0\nfor p in pids:\n    try:\n        os.kill(p, signal.SIGKILL); ok += 1\n    except OSError:\n        pass\n"
        "assert ok",
        "import ctypes\nlibc = ctypes.CDLL(None)\nassert libc.ptrace(16, 1, 0, 0) == 0",  # PTRACE_ATTACH
    )
    subs = [Submission(SAFE, code)] + [Submission(ECHO, "print(input())")] * 3
    subs += [Submission(ECHO, "import time\nwhile True: pass")]
    restarts = judge.stats["worker_restarts"]
    res = judge.run(subs)
    assert judge.stats["worker_restarts"] == restarts
    assert res[0].verdict is Verdict.AC, res[0].message
    assert all(r.verdict is Verdict.AC for r in res[1:4])
    assert res[4].verdict is Verdict.TLE


def test_judge_survives_everything_at_once(judge):
    """Attacks and honest solutions in one run: every honest sample keeps its correct verdict."""
    attacks = [
        FORK_BOMB,
        "a = [bytearray(100 * 2**20) for _ in range(80)]",
        "import sys\nfor _ in range(500): sys.stdout.write('x' * 2**20)",
        "import os, signal\nfor p in range(1, 200):\n    try: os.kill(p, signal.SIGKILL)\n    except OSError: pass",
        "import os\nos.kill(os.getpid(), 11)",
        "import time\ntime.sleep(60)",
        "while True: pass",
    ]
    honest = [("print(input())", Verdict.AC), ("print(input().upper())", Verdict.WA),
              ("import sys\nsys.stdout.write(sys.stdin.read())", Verdict.AC)]
    subs, expect = [], []
    for i in range(len(attacks)):
        subs.append(Submission(ECHO, attacks[i] + "\n"))
        expect.append(None)
        code, v = honest[i % len(honest)]
        subs.append(Submission(ECHO, code + f"\n# {i}"))
        expect.append(v)
    results = judge.run(subs)
    for r, v in zip(results, expect):
        if v is not None:
            assert r.verdict is v, r
        else:
            assert r.verdict is not Verdict.SE and r.verdict is not Verdict.AC, r
    assert judge.stats["system_errors"] == 0
    assert not uid_processes()


@needs_root
def test_sandbox_dies_with_the_judge(tmp_path):
    """SIGKILL the judge mid-test: its workers and their tests go with it."""
    script = tmp_path / "j.py"
    script.write_text(textwrap.dedent("""
        from codecritique.judge.engine import Judge, JudgeConfig, Submission
        from codecritique.problems.model import Problem, Test
        p = Problem(id="x", tests=[Test("stdin", "", "")])
        with Judge(JudgeConfig(workers=2, time_limit=30)) as j:
            print("started", flush=True)
            j.run([Submission(p, "while True: pass"), Submission(p, "import time; time.sleep(60)")])
    """))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "started"

    def test_uid_family() -> list[int]:
        def uid(pid: int) -> int | None:
            try:
                return os.stat(f"/proc/{pid}").st_uid
            except FileNotFoundError:  # exited between the listing and the stat (e.g. a used standby process)
                return None

        return [p for p in descendants(proc.pid) if BASE_UID <= (uid(p) or -1) < BASE_UID + 1000]

    deadline = time.monotonic() + 20
    while len(test_uid_family()) < 2 and time.monotonic() < deadline:  # both tests running
        time.sleep(0.1)
    family = descendants(proc.pid)
    assert len(test_uid_family()) >= 2, "the tests never started"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while [p for p in family if os.path.exists(f"/proc/{p}")] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in family if os.path.exists(f"/proc/{p}")]


def test_missing_bwrap_falls_back_loudly(monkeypatch, capsys):
    from codecritique.judge import sandbox

    sandbox.bwrap_problem.cache_clear()
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)  # a machine without bubblewrap
    try:
        with Judge(JudgeConfig(workers=1, sandbox="bwrap")) as j:
            res = j.run([Submission(ECHO, "print(input())")])[0]
            assert res.verdict is Verdict.AC
            assert j.sandbox_kind == "rlimit"
            assert "WARNING" in res.sandbox and "bubblewrap" in res.sandbox
        assert "falling back" in capsys.readouterr().err
    finally:
        sandbox.bwrap_problem.cache_clear()
