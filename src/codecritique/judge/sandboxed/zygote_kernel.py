"""The kernel calls the zygote needs that the standard library lacks (runs inside the sandbox; standard library
only, see zygote.py): clone into namespaces, mount, capabilities, seccomp, System V IPC counts, through libc."""

import ctypes
import os
import platform
import signal

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_REC, MS_PRIVATE = 2, 4, 8, 4096, 16384, 1 << 18
MNT_DETACH, IPC_RMID = 2, 0
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, PR_CAPBSET_DROP = 1, 38, 22, 24
SECCOMP_MODE_FILTER = 2
SYS_CLONE = {"x86_64": 56, "aarch64": 220, "arm64": 220}.get(platform.machine())

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
libc.unshare.argtypes = [ctypes.c_int]
libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]


def check(ret, what):
    if ret < 0:
        e = ctypes.get_errno()
        raise OSError(e, f"{what}: {os.strerror(e)}")
    return ret


def raw_clone(flags):
    """fork() into new namespaces (CPython has no clone()). Only used for init, which runs no user code."""
    if SYS_CLONE is None:
        raise OSError(38, "clone: unsupported architecture")
    return check(libc.syscall(SYS_CLONE, ctypes.c_ulong(flags | signal.SIGCHLD), None, None, None, None), "clone")


def mount(src, target, fstype, flags, data=None):
    check(libc.mount(src and src.encode(), target.encode(), fstype and fstype.encode(), flags,
                       data and data.encode()), f"mount {target}")


_IPC_INFO_BUF = ctypes.create_string_buffer(256)  # struct shm_info / msginfo / seminfo (all smaller)
SHM_INFO, MSG_INFO, SEM_INFO = 14, 12, 19


def ipc_count(kind):
    """How many System V objects of ``kind`` (shm, msg, sem) exist in this IPC namespace; None if unknown (then the
    caller looks). ``shm_info.used_ids``, ``msginfo.msgpool`` (the number of queues under MSG_INFO) and
    ``seminfo.semusz`` (the number of sets under SEM_INFO)."""
    buf = _IPC_INFO_BUF
    if kind == "shm":
        ret, field = libc.shmctl(0, SHM_INFO, buf), 0
    elif kind == "msg":
        ret, field = libc.msgctl(0, MSG_INFO, buf), 0
    else:
        ret, field = libc.semctl(0, 0, SEM_INFO, buf), 7
    if ret < 0:
        return None
    return ctypes.c_int.from_buffer(buf, 4 * field).value


def drop_capabilities():
    for cap in range(64):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0:
            break

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                    ("inheritable", ctypes.c_uint32)]

    hdr = Header(0x20080522, 0)
    data = (Data * 2)()
    check(libc.capset(ctypes.byref(hdr), data), "capset")


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


class SeccompProgram:
    """A BPF filter prepared once in the zygote, so a test only pays for two prctl() calls."""

    def __init__(self, bpf):
        self.buf = ctypes.create_string_buffer(bpf, len(bpf)) if bpf else None
        self.prog = _SockFprog(len(bpf) // 8, ctypes.cast(self.buf, ctypes.c_void_p)) if bpf else None
        self.addr = ctypes.addressof(self.prog) if bpf else 0

    def __bool__(self):
        return self.prog is not None

    def load(self):
        if self.prog is None:
            return
        check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
        check(libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, self.addr, 0, 0), "seccomp")
