"""How a judge worker (a zygote) is started: under bubblewrap, with rlimits only, or with no isolation.

``bwrap`` (the default) gives each worker: no network (own network namespace), an own PID/IPC/UTS namespace, a
read-only view of only the system directories and the Python installation (no home directories, no /root, no
project files), a private /tmp, and death with the judge. Inside, every test additionally gets its own PID and
mount namespace (so nothing it starts survives its verdict), an unprivileged uid, rlimits and a seccomp filter.

``rlimit`` runs the zygote directly, with a cleared environment; tests still get rlimits, the seccomp filter (no
sockets of any family), an unprivileged uid (never root: when the judge runs as root, the zygote makes the
interpreter reachable for that uid in its own mount namespace, or refuses to start, saying how to fix it), a
private IPC namespace per worker emptied after every test, and a PID/mount namespace when the kernel allows it; but
they see the host's (world-readable) files. ``none`` runs tests as the judge's own user, with a cleared environment
and the same seccomp filter: for trusted code and debugging only.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

SANDBOX_KINDS = ("bwrap", "rlimit", "none")
# What runs inside the sandbox (the zygote, the files it imports) lives in sandboxed/, bound read-only at /judge.
SANDBOXED_DIR = Path(__file__).with_name("sandboxed")
ZYGOTE_PATH = SANDBOXED_DIR / "run_zygote.py"
SANDBOX_DIR = "/judge"
SANDBOX_ZYGOTE = f"{SANDBOX_DIR}/{ZYGOTE_PATH.name}"
# The only environment a solution sees. PYTHONHASHSEED fixed: every test process is forked from a zygote, so they
# all share its hash secret; a random one would make a solution whose output follows set or dict-of-str order get
# one verdict in one run (or worker) and another in the next. Fixed, the same code gets the same verdict every time.
CLEAN_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/tmp", "PYTHONDONTWRITEBYTECODE": "1",
             "PYTHONHASHSEED": "0"}
BASE_UID = 40000  # worker i runs its tests as uids BASE_UID + 2i and + 2i + 1, in turn (when the judge is root)

# System paths a solution may read. Symlinks (merged /usr) are recreated as symlinks.
SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/alternatives",
             "/etc/nsswitch.conf")


@dataclass
class SandboxConfig:
    kind: str = "bwrap"
    tmp_size_mb: int = 256  # private /tmp per test (disk quota)
    seccomp: bool = True
    allow_fork: bool = False  # let solutions create processes (then each test gets its own PID namespace)
    ro_binds: list[str] = field(default_factory=list)  # extra host paths visible read-only (e.g. a binary cache)
    preload: list[str] | None = None  # modules the zygote imports once (None: the default list)
    python: str | None = None  # interpreter for Python solutions (default: this one)

    def __post_init__(self):
        if self.kind not in SANDBOX_KINDS:
            raise ValueError(f"unknown sandbox {self.kind!r}; choose one of {', '.join(SANDBOX_KINDS)}")


@functools.lru_cache(maxsize=None)
def bwrap_problem() -> str | None:
    """None if bubblewrap is installed and can create its namespaces here; otherwise why not."""
    exe = shutil.which("bwrap")
    if exe is None:
        return "bubblewrap (bwrap) is not installed"
    try:
        r = subprocess.run([exe, "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "true"],
                           capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"bwrap failed to start: {e}"
    if r.returncode != 0:
        return f"bwrap cannot create namespaces here: {r.stderr.decode(errors='replace').strip()[:300]}"
    return None


def resolve_kind(requested: str) -> tuple[str, str | None]:
    """The sandbox kind to use and, when it differs from the request, a warning to print and record."""
    if requested == "bwrap":
        problem = bwrap_problem()
        if problem:
            return "rlimit", (f"WARNING: {problem}; falling back to --sandbox rlimit: solutions run with resource "
                              f"limits but can see the host filesystem and network. Install bubblewrap "
                              f"(apt-get install bubblewrap) for isolation.")
    return requested, None


CLONE_THREAD = 0x00010000
NAMESPACE_FLAGS = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000, 0x00000080)
DENIED_SYSCALLS = (
    "ptrace", "process_vm_readv", "process_vm_writev", "mount", "umount2", "pivot_root", "chroot", "unshare",
    "setns", "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd", "kexec_load",
    "kexec_file_load", "init_module", "finit_module", "delete_module", "reboot", "swapon", "swapoff", "syslog",
    "acct", "open_by_handle_at", "name_to_handle_at", "fanotify_init", "io_uring_setup", "mount_setattr",
    "fsopen", "fsmount", "move_mount", "open_tree",
    "mq_open",  # POSIX message queues: state that would outlive a test in the worker's IPC namespace
)


@functools.lru_cache(maxsize=None)
def seccomp_filters() -> dict[str, bytes] | None:
    """Two BPF programs built with libseccomp (pyseccomp), or None if unavailable.

    ``base`` denies what a solution never needs: ``socket()`` of every family (no network even where a network
    namespace is missing, no AF_UNIX -- the host's abstract sockets --, no AF_VSOCK) and ``socketpair()`` of every
    family but AF_UNIX, POSIX message queues, ptrace and cross-process memory access, new namespaces, mounts, kernel keyrings, BPF,
    perf, module loading. ``nofork`` denies creating processes (fork, vfork, clone without CLONE_THREAD;
    threads stay allowed), which is what lets a test run as a single fork with nothing able to outlive it.
    """
    try:
        import pyseccomp  # noqa: F401
    except Exception as e:  # missing package or libseccomp
        log.warning("seccomp unavailable (%s); solutions run without a syscall filter", e)
        return None
    return {"base": _build_filter(nofork=False), "nofork": _build_filter(nofork=True)}


def _build_filter(nofork: bool) -> bytes:
    """``nofork=False``: the base filter. ``nofork=True``: only the process-creation rules, small because the
    kernel evaluates a filter for every syscall number when it is attached (about 0.3 ms for the base filter),
    and the zygote attaches the base filter once to itself and this one per test."""
    import errno
    import socket
    import tempfile

    import pyseccomp as sc

    f = sc.SyscallFilter(defaction=sc.ALLOW)
    try:  # a binary tree over syscall numbers
        f.set_attr(sc.Attr.CTL_OPTIMIZE, 2)
    except Exception:
        pass
    eperm = sc.ERRNO(errno.EPERM)
    if nofork:
        f.add_rule(eperm, "clone", sc.Arg(0, sc.MASKED_EQ, CLONE_THREAD, 0))
        for name in ("fork", "vfork"):
            try:
                f.add_rule(eperm, name)
            except Exception:
                pass
    else:
        # socket(): denied for every family. socketpair(): allowed for AF_UNIX only, because an anonymous connected
        # pair can address nothing outside the process (it is a bidirectional pipe) and the standard library uses it
        # (asyncio's event loop wakes itself through one, multiprocessing's duplex Pipe()); every other family denied.
        f.add_rule(eperm, "socket")
        f.add_rule(eperm, "socketpair", sc.Arg(0, sc.NE, socket.AF_UNIX))
        for name in DENIED_SYSCALLS:
            try:
                f.add_rule(eperm, name)
            except Exception:
                pass  # not a syscall on this architecture
        for bit in NAMESPACE_FLAGS:  # clone() into fresh namespaces
            f.add_rule(eperm, "clone", sc.Arg(0, sc.MASKED_EQ, bit, bit))
        try:  # clone3 passes its flags in memory, which seccomp cannot inspect: make libc fall back to clone()
            f.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
        except Exception:
            pass
    with tempfile.TemporaryFile() as tmp:
        f.export_bpf(tmp)
        tmp.seek(0)
        return tmp.read()


def readable_by_others(path: str) -> bool:
    """Whether an unprivileged uid can reach ``path`` (every ancestor traversable by "others")."""
    p = Path(os.path.realpath(path))
    for d in [p, *p.parents]:
        try:
            if not os.stat(d).st_mode & 0o001:
                return False
        except OSError:
            return False
    return True


@functools.lru_cache(maxsize=None)
def compile_sandboxed(exe: str) -> None:
    """Compile the zygote's modules (sandboxed/*.py) into ``__pycache__`` for the interpreter ``exe``, where the
    folder is writable and they are not compiled yet (a pip install compiles them itself), so that each zygote
    imports them instead of compiling them (see run_zygote.py). Best effort: the zygote runs either way."""
    if not os.access(SANDBOXED_DIR, os.W_OK):
        return
    if os.path.realpath(exe) == os.path.realpath(sys.executable):
        import compileall

        try:
            compileall.compile_dir(str(SANDBOXED_DIR), maxlevels=0, quiet=2)
        except OSError as e:
            log.debug("cannot compile %s: %s", SANDBOXED_DIR, e)
        return
    try:
        subprocess.run([exe, "-m", "compileall", "-q", "-l", str(SANDBOXED_DIR)], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError) as e:
        log.debug("cannot compile %s with %s: %s", SANDBOXED_DIR, exe, e)


def python_executable(cfg: SandboxConfig) -> str:
    exe = cfg.python or sys.executable
    if "/shims/" in exe:  # pyenv shims need a writable home; use the real interpreter
        exe = os.path.realpath(exe)
    return exe


def _python_roots(exe: str) -> list[str]:
    """Directories the interpreter needs: its prefixes (stdlib, site-packages) and the real binary's home."""
    import sysconfig

    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             str(Path(os.path.realpath(exe)).parent.parent)}
    if exe != sys.executable:
        roots.add(str(Path(exe).parent.parent))
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        p = sysconfig.get_paths().get(key)
        if p:
            roots.add(p)
    out = []
    for r in sorted(roots, key=len):
        if r and os.path.exists(r) and not any(r == o or r.startswith(o.rstrip("/") + "/") for o in out):
            out.append(r)
    return out


def system_binds() -> list[str]:
    """bwrap arguments that show the system directories (read-only; merged-/usr symlinks as symlinks) and the few
    /etc files the dynamic loader and libc read."""
    argv: list[str] = []
    for p in SYSTEM_PATHS:
        if os.path.islink(p):
            argv += ["--symlink", os.readlink(p), p]
        elif os.path.isdir(p):
            argv += ["--ro-bind", p, p]
    for p in ETC_FILES:
        if os.path.exists(p):
            argv += ["--ro-bind", p, p]
    return argv


def bwrap_argv(cfg: SandboxConfig, exe: str) -> list[str]:
    # As root, no user namespace: the zygote keeps real CAP_SETUID and tests run under real unprivileged uids
    # (so rlimits such as RLIMIT_NPROC apply). Otherwise bwrap maps the caller into a new user namespace.
    unshare = ["--unshare-all"] if os.getuid() != 0 else \
        ["--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    argv = ["bwrap", *unshare, "--die-with-parent", "--new-session", "--clearenv"]
    for name, value in CLEAN_ENV.items():
        argv += ["--setenv", name, value]
    argv += system_binds()
    # /tmp first, so that binds below it (e.g. a binary cache in a temporary directory) stay visible
    argv += ["--proc", "/proc", "--dev", "/dev", "--size", str(cfg.tmp_size_mb << 20), "--tmpfs", "/tmp"]
    binds = _python_roots(exe) + [os.path.abspath(b) for b in cfg.ro_binds]
    # bwrap creates missing parents of a mount point with mode 0700, which an unprivileged uid cannot traverse
    # (e.g. /root for a pyenv Python); create them world-traversable first.
    parents = sorted({str(a) for b in binds for a in Path(b).parents if str(a) != "/"}, key=len)
    for d in parents:
        if not any(d == s or d.startswith(s + "/") for s in SYSTEM_PATHS) and d not in binds:
            argv += ["--perms", "0755", "--dir", d]
    for p in binds:
        argv += ["--ro-bind", p, p]
    argv += ["--ro-bind", str(SANDBOXED_DIR), SANDBOX_DIR, "--chdir", "/tmp"]
    if os.getuid() == 0:
        # Keep what the zygote needs to give every test its own namespaces and an unprivileged uid.
        # The solution itself never holds a capability: it drops to a non-root uid before running.
        for cap in ("CAP_SYS_ADMIN", "CAP_SETUID", "CAP_SETGID", "CAP_DAC_OVERRIDE", "CAP_FOWNER"):
            argv += ["--cap-add", cap]
    return argv
