"""What a solution must not be able to do, and the judge surviving all of it while other samples keep their
correct verdicts. Every attack is bounded (a fixed number of forks, bytes, files) so that a broken sandbox fails the
test instead of taking the machine down."""

import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
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
    """This judge's processes under the test uids (other judges on the host may use the same uids), other than each
    worker's standby test process (a child of its fork server, set up and waiting for the next test)."""
    out = subprocess.run(["ps", "-ww", "-eo", "uid=,pid=,ppid=,args="], capture_output=True, text=True).stdout
    rows = [line.split(None, 3) for line in out.splitlines() if line.strip()]
    args = {int(r[1]): r[3] if len(r) > 3 else "" for r in rows}
    mine = set(descendants(os.getpid()))
    return [" ".join(r) for r in rows
            if BASE_UID <= int(r[0]) < BASE_UID + 1000 and int(r[1]) in mine
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


def probe(**snippets: str) -> str:
    """A program that runs each snippet and prints a JSON object: ``name: "ok"`` or ``name: "<exception>:<errno>"``,
    so that a test can require the *specific* denial (never a swallowed exception of any kind)."""
    body = ["import json as _json\n_seen = {}"]
    for name, s in snippets.items():
        body.append("try:\n" + textwrap.indent(textwrap.dedent(s).strip(), "    ") + f"\n    _seen[{name!r}] = 'ok'\n"
                    f"except BaseException as _e:\n    _seen[{name!r}] = type(_e).__name__ + ':' + "
                    "str(getattr(_e, 'errno', None))")
    body.append("print(_json.dumps(_seen))")
    return "\n".join(body) + "\n"


def stdout_of(judge, code: str) -> str:
    """The stdout of one run of ``code`` on one of the judge's workers (the verdict alone would hide it)."""
    from codecritique.judge.worker import RunRequest

    w = next(w for w in judge.workers if w.alive)
    key = "probe-" + hashlib.sha256(code.encode()).hexdigest()[:16]
    w.load(key, code)
    out = w.run(RunRequest(key=key, cpu_limit=3, wall_limit=20, memory_mb=256))
    assert out.exit_code == 0, out.stderr_tail.decode()
    return out.stdout.decode()


def run_probe(judge, **snippets: str) -> dict[str, str]:
    return json.loads(stdout_of(judge, probe(**snippets)))


MODES = ["bwrap", "rlimit"]
EPERM = "PermissionError:1"  # what the seccomp filter answers
EACCES = "PermissionError:13"
ENOENT = "FileNotFoundError:2"
SECRET_ENV = "CODECRITIQUE_TEST_SECRET_ENV"


@pytest.fixture(scope="module", params=MODES)
def judge(request):
    os.environ[SECRET_ENV] = "judge-secret-value"  # the judge's environment must never reach a solution
    try:
        with Judge(JudgeConfig(workers=2, time_limit=3, memory_mb=256, output_mb=1, tmp_size_mb=64,
                               sandbox=request.param)) as j:
            j.run([Submission(SAFE, "print('safe')")])
            assert j.isolation.startswith(request.param + "/fork+seccomp"), j.isolation
            yield j
    finally:
        os.environ.pop(SECRET_ENV, None)


def test_no_sockets_of_any_family(judge):
    import socket

    name = f"codecritique-test-{os.getpid()}"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)  # a host service on an abstract unix socket
    listener.bind("\0" + name)
    listener.listen(1)
    listener.setblocking(False)
    try:
        seen = run_probe(
            judge,
            inet="import socket\nsocket.socket(socket.AF_INET, socket.SOCK_STREAM)",
            inet6="import socket\nsocket.socket(socket.AF_INET6, socket.SOCK_DGRAM)",
            connect="import socket\nsocket.create_connection(('127.0.0.1', 22), timeout=1)",
            packet="import socket\nsocket.socket(socket.AF_PACKET, socket.SOCK_RAW)",
            netlink="import socket\nsocket.socket(socket.AF_NETLINK, socket.SOCK_RAW)",
            unix="import socket\nsocket.socket(socket.AF_UNIX, socket.SOCK_STREAM)",
            abstract=f"import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect('\\0{name}')",
            vsock="import socket\nsocket.socket(socket.AF_VSOCK, socket.SOCK_STREAM)",
            raw_syscall="import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
                        "assert libc.syscall(41, 1, 1, 0) < 0\nraise OSError(ctypes.get_errno(), 'socket')",
            pair_inet="import socket\nsocket.socketpair(socket.AF_INET)",
            # allowed on purpose (see sandbox._build_filter): an anonymous AF_UNIX pair reaches nothing outside
            pair_unix="import socket\na, b = socket.socketpair()\na.send(b'x')\nassert b.recv(1) == b'x'",
            asyncio="import asyncio\nassert asyncio.run(asyncio.sleep(0, result=5)) == 5",
        )
        assert seen == {"inet": EPERM, "inet6": EPERM, "connect": EPERM, "packet": EPERM, "netlink": EPERM,
                        "unix": EPERM, "abstract": EPERM, "vsock": EPERM, "raw_syscall": EPERM,
                        "pair_inet": EPERM, "pair_unix": "ok", "asyncio": "ok"}, seen
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected
    finally:
        listener.close()


def test_never_root_and_a_clean_environment(judge):
    out = stdout_of(judge, "import os\nprint(os.getuid(), os.geteuid(), os.getgid(), os.getgroups())\n"
                           "print(sorted(os.environ))\n")
    ids, env = out.splitlines()
    uid, euid, gid, groups = ids.split(" ", 3)
    assert BASE_UID <= int(uid) == int(euid) < BASE_UID + 1000 and int(gid) == int(uid) and groups == "[]", ids
    assert SECRET_ENV in os.environ and SECRET_ENV not in env
    assert set(eval(env)) <= {"PATH", "LANG", "HOME", "PYTHONDONTWRITEBYTECODE", "PYTHONHASHSEED", "PWD"}, env


def test_cannot_read_host_home_or_secrets(judge, tmp_path):
    home = os.path.expanduser("~")
    secret = os.path.join(home, ".codecritique-test-secret")
    with open(secret, "w") as f:
        f.write("TOPSECRET")
    os.chmod(secret, 0o600)
    host_file = tmp_path / "host-file.txt"
    host_file.write_text("host data")
    os.chmod(host_file, 0o600)
    rlimit = judge.sandbox_kind == "rlimit"
    try:
        seen = run_probe(
            judge,
            secret=f"open({secret!r}).read()",
            home=f"import os\nassert '.codecritique-test-secret' in os.listdir({home!r})",
            host_file=f"open({str(host_file)!r}).read()",
            shadow="open('/etc/shadow').read()",
            judge_environ=f"open('/proc/{os.getpid()}/environ').read()",
            judge_mem=f"open('/proc/{os.getpid()}/mem', 'rb').read(1)",
            init_environ="open('/proc/1/environ').read()",
        )
        assert seen["secret"] in (ENOENT, EACCES), seen
        assert seen["home"] in (ENOENT, EACCES, "AssertionError:None"), seen  # hidden, denied, or an empty stand-in
        assert seen["host_file"] == ENOENT, seen  # bwrap: not mounted; rlimit: /tmp is a private tmpfs
        for k in ("shadow", "judge_environ", "judge_mem"):  # denied (rlimit: another uid) or hidden (bwrap)
            assert seen[k] in ((EACCES,) if rlimit else (ENOENT, EACCES)), (k, seen)
        assert seen["init_environ"] == EACCES, seen
        if not rlimit:  # under bwrap the checkout is not visible (under rlimit, world-readable files are) ...
            cwd = os.getcwd()
            # ... except as the path to the interpreter when the venv lives inside it (CI: ./.venv): then the
            # folder holds that one entry, the read-only prefix, and none of the project's files
            on_the_way = sorted({os.path.relpath(os.path.realpath(q), cwd).split(os.sep)[0]
                                 for q in (sys.prefix, sys.exec_prefix, sys.base_prefix)
                                 if os.path.realpath(q).startswith(cwd + os.sep)})
            seen = run_probe(judge, checkout=f"import os\nentries = sorted(os.listdir({cwd!r}))\n"
                                             f"assert set(entries) <= set({on_the_way!r}), entries")
            assert seen["checkout"] in (ENOENT, "ok"), seen
    finally:
        os.unlink(secret)


def test_cannot_write_host_files(judge, tmp_path):
    victim = tempfile.NamedTemporaryFile("w", dir="/tmp", prefix="codecritique-victim-", delete=False)
    victim.write("root's")
    victim.close()
    os.chmod(victim.name, 0o644)
    targets = {"root_owned": victim.name, "tmp_path": str(tmp_path / "escaped.txt"), "slash": "/escaped.txt",
               "etc": "/etc/escaped.txt", "usr": "/usr/escaped.txt", "prefix": os.path.join(sys.prefix, "x.txt"),
               "var_tmp": "/var/tmp/escaped.txt"}
    try:
        seen = run_probe(judge, **{k: f"import os\nos.close(os.open({t!r}, os.O_WRONLY | os.O_CREAT | os.O_APPEND))"
                                   for k, t in targets.items()})
        for k in ("slash", "etc", "usr", "prefix"):
            assert seen[k] in (EACCES, "OSError:30"), (k, seen)  # EACCES, or EROFS under bwrap
        # rlimit: /tmp and /var/tmp are private tmpfs, a write lands there, never on the host; bwrap: not writable
        for k in ("root_owned", "var_tmp"):
            assert seen[k] in (("ok",) if judge.sandbox_kind == "rlimit" else (EACCES, ENOENT, "OSError:30")), seen
        assert seen["tmp_path"] == ENOENT, seen
        assert open(victim.name).read() == "root's"
        assert not os.path.exists("/var/tmp/escaped.txt") and not (tmp_path / "escaped.txt").exists()
    finally:
        os.unlink(victim.name)
    # the working directory and /tmp are writable, and private: the next test sees neither file
    w = judge.run([Submission(stdin_problem("w", cases=[("", "ok\n")]),
                              "open('scratch.txt','w').write('x' * 1000)\n"
                              "try:\n    open('/tmp/left','w').write('x')\nexcept OSError:\n    pass\nprint('ok')")])[0]
    assert w.verdict is Verdict.AC, w.message
    r = judge.run([Submission(stdin_problem("r", cases=[("", "[] False\n")]),
                              "import os\nprint([f for f in os.listdir('.') if f != 'solution.py'], "
                              "os.path.exists('/tmp/left'))")] * 1)[0]
    assert r.verdict is Verdict.AC, r.message


IPC_SOLUTION = r"""
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
IPC_CREAT, IPC_EXCL = 0o1000, 0o2000
if input() == "create":
    shm = libc.shmget(0x4242, 4096, IPC_CREAT | 0o666)
    assert shm >= 0, ctypes.get_errno()
    ctypes.memmove(libc.shmat(shm, None, 0), b"left by test 0", 14)
    assert libc.msgget(0x4243, IPC_CREAT | 0o666) >= 0 and libc.semget(0x4244, 1, IPC_CREAT | 0o666) >= 0
    made = 0
    for k in range(100):  # bounded: a broken limit leaves 100 MiB of segments, not a full machine
        if libc.shmget(0x5000 + k, 1 << 20, IPC_CREAT | IPC_EXCL | 0o600) < 0:
            break
        made += 1
    open("/dev/shm/left-by-test-0", "w").write("x")
    print("created", "limited" if made < 100 else made)
else:
    found = [libc.shmget(0x4242, 0, 0), libc.msgget(0x4243, 0), libc.semget(0x4244, 0, 0)]
    rows = open("/proc/sysvipc/shm").read().splitlines()[1:]
    print("clean" if found == [-1, -1, -1] and not rows and not os.path.exists("/dev/shm/left-by-test-0")
          else f"LEAK {found} {len(rows)}")
"""


@pytest.mark.parametrize("mode", MODES)
def test_ipc_objects_do_not_survive_a_test(mode):
    """A System V shared-memory segment (and message queue, semaphore set, /dev/shm file) made by one test is gone
    for the next test of the same worker, and a test cannot create many."""
    p = stdin_problem("ipc", cases=[("create\n", "created limited\n"), ("check\n", "clean\n")] * 2)
    with Judge(JudgeConfig(workers=1, time_limit=3, memory_mb=512, sandbox=mode, all_tests=True)) as j:
        res = j.run([Submission(p, IPC_SOLUTION)])[0]
    assert res.verdict is Verdict.AC, (res.message, [t.stderr_tail for t in res.test_results])
    assert res.tests_passed == 4


def test_rlimit_refuses_an_interpreter_the_test_uid_cannot_read(tmp_path):
    """Outside bwrap a solution never runs as root: an interpreter the test uid cannot reach even after the
    zygote's remounting is refused with a one-line error saying how to fix it."""
    if os.getuid() != 0:
        pytest.skip("needs root")
    from codecritique.judge import sandbox

    locked = tmp_path / "locked"
    locked.mkdir()
    exe = locked / "python3"
    os.symlink(sys.executable, exe)
    (locked / "lib").mkdir(mode=0o700)  # a prefix directory that is itself private cannot be exposed
    cfg = sandbox.SandboxConfig(kind="rlimit", python=str(exe))
    from codecritique.judge.worker import SandboxRefused, Worker

    w = Worker(0, cfg, "rlimit")
    w_need = locked / "lib"
    import codecritique.judge.worker as worker_mod

    orig = worker_mod._python_roots
    worker_mod._python_roots = lambda e: orig(e) + [str(w_need)]
    try:
        with pytest.raises(SandboxRefused) as e:
            w.start()
    finally:
        worker_mod._python_roots = orig
        w.close()
    msg = str(e.value)
    assert "\n" not in msg, repr(msg)
    assert "unprivileged uid" in msg and "--sandbox bwrap" in msg, msg
    assert f"cannot read {tmp_path}" in msg, msg


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
    # their effect: the judge's workers and the other samples must be untouched. (Only under bwrap, whose PID
    # namespace holds nothing but this judge: under rlimit, kill(-1) would reach other judges' tests on this host
    # that happen to run as the same uid.)
    code = ("import os, signal\nos.kill(-1, signal.SIGKILL)\n"
            "try:\n    os.killpg(os.getpgid(os.getppid()), signal.SIGKILL)\nexcept OSError:\n    pass\n"
            if judge.sandbox_kind == "bwrap" else "")
    code += probe(
        parent="import os, signal\nos.kill(os.getppid(), signal.SIGKILL)",
        init="import os, signal\nos.kill(1, signal.SIGKILL)",
        judge=f"import os, signal\nos.kill({os.getpid()}, signal.SIGKILL)",
        ptrace="import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
               "assert libc.ptrace(16, os.getppid(), 0, 0) < 0\nraise OSError(ctypes.get_errno(), 'ptrace')"
               .replace("os.getppid()", "__import__('os').getppid()"),
    )
    expected = {"parent": EPERM, "init": EPERM,
                "judge": EPERM if judge.sandbox_kind == "rlimit" else "ProcessLookupError:3", "ptrace": EPERM}
    problem = stdin_problem("sig", cases=[("", json.dumps(expected) + "\n")])
    subs = [Submission(problem, code)] + [Submission(ECHO, "print(input())")] * 3
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


def test_missing_bwrap_falls_back_loudly(monkeypatch, caplog):
    from codecritique.judge import sandbox

    sandbox.bwrap_problem.cache_clear()
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)  # a machine without bubblewrap
    try:
        with Judge(JudgeConfig(workers=1, sandbox="bwrap")) as j:
            res = j.run([Submission(ECHO, "print(input())")])[0]
            assert res.verdict is Verdict.AC
            assert j.sandbox_kind == "rlimit"
            assert "WARNING" in res.sandbox and "bubblewrap" in res.sandbox
        warned = [r for r in caplog.records if r.name.startswith("codecritique.judge") and "falling back" in
                  r.getMessage()]
        assert warned and warned[0].levelname == "WARNING"
    finally:
        sandbox.bwrap_problem.cache_clear()
