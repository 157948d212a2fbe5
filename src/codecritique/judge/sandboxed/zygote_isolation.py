"""How the zygote isolates its tests (runs inside the sandbox; standard library only, see zygote.py).

One :class:`Confinement` per zygote, chosen once at start: the namespaces and private mounts it can make (the
"strategy"), the tests' working directory and scratch space, the unprivileged uids the tests run as in turn, the
seccomp filter, and the clean-up of what a test leaves behind (System V IPC objects, scratch files). Also the
per-test resource limits; the low-level calls (clone, mount, capabilities, seccomp) are in zygote_kernel.py.
"""

import os
import resource
import signal

from zygote_kernel import (
    CLONE_NEWIPC, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUSER, IPC_RMID, MNT_DETACH, MS_BIND, MS_NODEV, MS_NOEXEC,
    MS_NOSUID, MS_PRIVATE, MS_REC, PR_SET_PDEATHSIG, SeccompProgram, check, drop_capabilities, ipc_count, libc,
    mount, raw_clone)

# What one test may create in System V IPC (the worker's IPC namespace is emptied after every test): a few objects,
# 64 MiB of shared memory in all (it is not counted in the address-space limit).
IPC_LIMITS = {"shmmni": "16", "shmmax": str(64 << 20), "shmall": str((64 << 20) // 4096), "msgmni": "16",
              "sem": "250 4000 32 16"}


class Confinement:
    """The isolation of one zygote's tests (see zygote.py for the strategies)."""

    def __init__(self, cfg):
        self.cfg = cfg
        self.uids = cfg.get("uids") or []  # unprivileged uids for the tests, used in turn
        self.uid = self.uids[0] if self.uids else None
        self.serial = 0
        self.tmp_size = int(cfg.get("tmp_size_mb", 256)) << 20
        self.workdir = cfg.get("workdir", "/tmp/w")
        self.outer_uid, self.outer_gid = os.getuid(), os.getgid()
        self.fatal = None  # why this zygote cannot run tests as asked (sent instead of the hello)
        self.ipc_private = False  # the zygote has an IPC namespace of its own: every object in it is a test's
        self.scratch = []  # private tmpfs directories the tests may write to, emptied after each test
        self.keep = set()  # paths in them that are not the tests' (bound back, or on the way to the workdir)
        if os.getuid() == 0 and cfg.get("isolation", True):
            self._private_namespaces()
        nofork = bytes.fromhex(cfg["seccomp_nofork"]) if cfg.get("seccomp_nofork") else None
        self.base_filter = bytes.fromhex(cfg["seccomp_base"]) if cfg.get("seccomp_base") else None
        self.strategy, self.ns_flags = self._choose_strategy(cfg.get("isolation", True), nofork is not None)
        # "fork": the base filter goes on the zygote itself, once; each test adds the small no-fork filter.
        # Otherwise each test attaches the base filter (the zygote needs namespaces the filter denies).
        self.seccomp = SeccompProgram(nofork if self.strategy == "fork" else self.base_filter)

    def prepare(self):
        """Once the zygote's own descriptors exist: the tests' working directory, the check that the tests' uid
        can read what it must, and (``fork`` strategy) the base filter on the zygote itself."""
        if self.strategy in ("fork", "plain"):
            self._prepare_workdir()
        if self.uids and not self.fatal:
            blocked = [p for p in self.cfg.get("expose", []) if not _reachable_by_others(p)]
            if blocked:
                self.fatal = (f"--sandbox rlimit runs solutions as an unprivileged uid, which cannot read "
                              f"{blocked[0]}: make it world-readable (chmod -R o+rX on it and o+x on its parent "
                              f"directories), choose a world-readable interpreter with --python, or use --sandbox "
                              f"bwrap")
        if self.strategy == "fork":
            SeccompProgram(self.base_filter).load()

    def next_uid(self):
        """Before forking the next test process: it runs under the other uid than the test running now."""
        self.skip_uids(1)

    def skip_uids(self, n):
        """Move ``n`` steps along the uids (back, for test processes forked but never given a test)."""
        if self.uids:
            self.serial += n
            self.uid = self.uids[self.serial % len(self.uids)]

    def enter_test_namespaces(self):
        """In a test's init (namespace strategies): its user mapping, private /proc, tmpfs and IPC limits."""
        if self.ns_flags & CLONE_NEWUSER:
            self._map_self()
        self._mount_private_tmp(self.ns_flags)

    def restrict(self):
        """In a test process, after its descriptors are set: identity (uid or dropped capabilities), death with
        its parent, syscall filter."""
        if self.strategy == "userns":
            drop_capabilities()
        elif self.uid is not None:
            os.setgroups([])
            os.setresgid(self.uid, self.uid, self.uid)
            os.setresuid(self.uid, self.uid, self.uid)
        elif self.cfg.get("drop_caps"):
            drop_capabilities()
        if self.strategy != "plain":
            die_with_parent()
        self.seccomp.load()


    def _choose_strategy(self, isolation, have_nofork):
        if not isolation:
            return "plain", 0
        root = os.getuid() == 0
        if root and have_nofork:
            return "fork", 0
        candidates = [(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC, "pidns")] if root else []
        candidates.append((CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC, "userns"))
        for flags, name in candidates:
            try:
                pid = raw_clone(flags)
            except OSError:
                continue
            if pid == 0:
                try:
                    if flags & CLONE_NEWUSER:
                        self._map_self()
                    self._mount_private_tmp(flags)
                    os._exit(0)
                except BaseException:
                    os._exit(1)
            _, status = os.waitpid(pid, 0)
            if status == 0:
                return name, flags
        return "plain", 0

    def _private_namespaces(self):
        """As root: a mount and an IPC namespace of this zygote's own (inside bwrap too), with System V IPC limited,
        a private /dev/shm, and what the tests' uid must read made reachable (outside bwrap)."""
        try:
            check(libc.unshare(CLONE_NEWNS | CLONE_NEWIPC), "unshare")
            mount(None, "/", None, MS_REC | MS_PRIVATE)
        except OSError as e:
            if self.uids and self.cfg.get("expose"):
                self.fatal = f"cannot create the sandbox's namespaces ({e}): use --sandbox bwrap"
            return
        self.ipc_private = True
        _set_ipc_limits()
        if os.path.isdir("/dev/shm"):
            try:
                mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, f"size={self.tmp_size},mode=1777")
                self.scratch.append("/dev/shm")
            except OSError:
                pass
        if self.uids:
            self._expose(self.cfg.get("expose", []))
        if self.cfg.get("cover_tmp"):
            self._cover_shared_dirs(self.cfg.get("expose", []))

    def _expose(self, paths):
        """Make ``paths`` reachable by the tests' uid without changing the host: each top-most ancestor that others
        cannot traverse (e.g. /root, mode 0700, holding a pyenv Python) is covered, in this mount namespace only, by
        an empty tmpfs of mode 0755 into which just the needed paths are bound back (what bwrap does)."""
        groups = {}
        for p in paths:
            top = next((a for a in _ancestors(p) if not os.stat(a).st_mode & 0o001), None)
            if top is not None:
                groups.setdefault(top, []).append(p)
        for top, below in sorted(groups.items(), key=lambda kv: len(kv[0])):
            _cover(top, below, "size=1m,mode=0755")

    def _cover_shared_dirs(self, keep):
        """Outside bwrap: the host's world-writable directories (/tmp, /var/tmp, /run/lock) get a private, empty
        tmpfs each (the paths in ``keep`` below them bound back), so a test can neither leave files there for the
        next test nor touch the host's."""
        for top in ("/tmp", "/var/tmp", "/run/lock"):
            if os.path.isdir(top) and not os.path.islink(top):
                below = [p for p in keep if p.startswith(top + "/")] + \
                        ([self.workdir] if self.workdir.startswith(top + "/") else [])
                if _cover(top, [p for p in below if os.path.exists(p)], f"size={self.tmp_size},mode=1777"):
                    self.scratch.append(top)
                    self.keep.update(a for p in below for a in [*_ancestors(p), p])

    def _prepare_workdir(self):
        os.makedirs(self.workdir, exist_ok=True)
        if self.ipc_private and not self.cfg.get("shared_workdir"):
            # A tmpfs of bounded size for the tests' files, private to this zygote (in its mount namespace).
            try:
                mount("tmpfs", self.workdir, "tmpfs", MS_NOSUID | MS_NODEV, f"size={self.tmp_size},mode=1777")
            except OSError:
                pass
        os.chmod(self.workdir, 0o1777)

    def clean_ipc(self):
        """Remove every System V IPC object a test left (the worker's namespace holds only tests' objects; in a
        shared one, only those created by or given to the tests' uids), and empty the private /dev/shm. A kind of
        object is looked up in /proc/sysvipc only when the namespace's own count of that kind (``IPC_INFO``-style
        calls: three syscalls instead of three files to read and parse) says one exists."""
        uids = {str(u) for u in self.uids}
        for kind, uid_col, cuid_col in (("shm", 7, 9), ("msg", 7, 9), ("sem", 4, 6)):
            if ipc_count(kind) == 0:
                continue
            try:
                with open(f"/proc/sysvipc/{kind}") as f:
                    rows = f.read().splitlines()[1:]
            except OSError:
                continue
            for row in rows:
                cols = row.split()
                if len(cols) <= cuid_col or not (self.ipc_private or cols[uid_col] in uids or cols[cuid_col] in uids):
                    continue
                ident = int(cols[1])
                if kind == "shm":
                    libc.shmctl(ident, IPC_RMID, None)
                elif kind == "msg":
                    libc.msgctl(ident, IPC_RMID, None)
                else:
                    libc.semctl(ident, 0, IPC_RMID)
        for d in self.scratch:
            try:
                with os.scandir(d) as it:
                    leftovers = [e.path for e in it if e.path not in self.keep]
            except OSError:
                leftovers = []
            for p in leftovers:
                remove(p)

    def _map_self(self):
        with open("/proc/self/setgroups", "w") as f:
            f.write("deny")
        with open("/proc/self/uid_map", "w") as f:
            f.write(f"0 {self.outer_uid} 1")
        with open("/proc/self/gid_map", "w") as f:
            f.write(f"0 {self.outer_gid} 1")

    def _mount_private_tmp(self, flags):
        mount(None, "/", None, MS_REC | MS_PRIVATE)
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        os.makedirs(self.workdir, exist_ok=True)
        mount("tmpfs", self.workdir, "tmpfs", MS_NOSUID | MS_NODEV, f"size={self.tmp_size},mode=1777")
        if flags & CLONE_NEWIPC:  # a fresh IPC namespace per test: limit what it may hold
            _set_ipc_limits()
            if os.path.isdir("/dev/shm"):
                try:
                    mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, f"size={self.tmp_size},mode=1777")
                except OSError:
                    pass


def die_with_parent():
    """SIGKILL when the parent (the thread that forked this process) ends."""
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def trim_heap():
    """Give the C heap's free pages back to the kernel (malloc_trim): the zygote compiled its own modules from source
    at start, ~1 MiB of heap then freed but kept."""
    try:
        libc.malloc_trim(0)
    except AttributeError:  # not glibc
        pass


def cpu_limit(head):
    """The test's CPU limit in seconds (RLIMIT_CPU's backstop and the zygote's CPU-clock check)."""
    return float(head.get("cpu") or 6.0)


def set_limits(head):
    soft = int(cpu_limit(head)) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (soft, soft + 1))
    mem = int(head.get("mem_mb") or 2048) << 20
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    hard = resource.getrlimit(resource.RLIMIT_STACK)[1]  # usually unlimited: solutions may raise their own
    resource.setrlimit(resource.RLIMIT_STACK, (mem if hard == resource.RLIM_INFINITY else min(mem, hard), hard))
    fsize = int(head.get("out_cap") or 64 << 20) + 1
    resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    nproc = int(head.get("nproc") or 64)  # processes and threads of the test's uid
    if os.getuid() != 0:  # uid 0 shares its count with every root process of the host
        resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))


# How far past its CPU limit a test is ended (see zygote._wait_limited): more than the test process's own set-up,
# which its CPU clock counts and its measured CPU time does not.
CPU_KILL_MARGIN = 0.03


def cpu_clock_id(pid):
    """The clock id of a process's CPU clock (clock_getcpuclockid(3), as Linux encodes it)."""
    return (~pid << 3) | 2  # CPUCLOCK_SCHED of the whole process


def _ancestors(path):
    """``path``'s ancestors, from / down (not ``path`` itself)."""
    parts = path.rstrip("/").split("/")[1:-1]
    return ["/" + "/".join(parts[:i]) for i in range(0, len(parts) + 1)]


def _reachable_by_others(path):
    """Whether a uid other than the owner can reach ``path``: every directory on the way and the path itself, if it
    is a directory, traversable by others (the binary cache is deliberately not listable), a file readable."""
    try:
        if not all(os.stat(a).st_mode & 0o001 for a in _ancestors(path)):
            return False
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return bool(mode & 0o001) if os.path.isdir(path) else bool(mode & 0o004)


def _cover(top, keep, options):
    """Mount a fresh tmpfs over ``top`` (this mount namespace only), with the paths ``keep`` below it bound back;
    whether the tmpfs is there."""
    import tempfile

    keep = [p for p in keep if not any(p != q and p.startswith(q + "/") for q in keep)]
    holders = []
    covered = False
    try:
        for p in keep:
            # held in the private /dev/shm, which no covered directory contains
            h = tempfile.mkdtemp(prefix="codecritique-keep-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
            mount(p, h, None, MS_BIND | MS_REC)
            holders.append((p, h))
        mount("tmpfs", top, "tmpfs", MS_NOSUID | MS_NODEV, options)
        covered = True
        for p, h in holders:
            os.makedirs(p, mode=0o755, exist_ok=True)
            mount(h, p, None, MS_BIND | MS_REC)
    except OSError:
        pass  # what stays unreachable is reported by the caller's check
    finally:
        for _, h in holders:
            libc.umount2(h.encode(), MNT_DETACH)
            try:
                os.rmdir(h)
            except OSError:
                pass
    return covered


def _set_ipc_limits():
    for name, value in IPC_LIMITS.items():
        try:
            with open(f"/proc/sys/kernel/{name}", "w") as f:
                f.write(value)
        except OSError:
            pass


def kill_group(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def remove(path):
    import shutil

    def make_writable(func, p, _exc):
        try:
            os.chmod(os.path.dirname(p), 0o700)
            os.chmod(p, 0o700)
            func(p)
        except OSError:
            pass

    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, onerror=make_writable)
    else:
        try:
            os.unlink(path)
        except OSError:
            pass
