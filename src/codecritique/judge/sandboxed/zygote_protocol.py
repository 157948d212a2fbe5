"""The zygote's frames (runs inside the sandbox; standard library only, see zygote.py): on each pipe a 4-byte
big-endian length, a JSON header whose "blobs" lists the lengths of the binary payloads that follow it."""

import json
import os
import struct


def read_exact(fd, n):
    chunks = []
    while n:
        b = os.read(fd, min(n, 1 << 20))
        if not b:
            raise EOFError
        chunks.append(b)
        n -= len(b)
    return b"".join(chunks)


def recv(fd):
    """One request: (header, blobs)."""
    (n,) = struct.unpack(">I", read_exact(fd, 4))
    head = json.loads(read_exact(fd, n))
    blobs = [read_exact(fd, k) for k in head.get("blobs", [])]
    return head, blobs


def send(fd, head, blobs=()):
    """One reply: ``head`` (its "blobs" filled in) and the payloads."""
    blobs = list(blobs)
    head["blobs"] = [len(b) for b in blobs]
    h = json.dumps(head).encode()
    write_all(fd, b"".join([struct.pack(">I", len(h)), h, *blobs]))


def write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def read_capped(fd, cap):
    """At most ``cap`` bytes of the file behind ``fd`` (a memfd the test wrote), from its start."""
    size = os.fstat(fd).st_size
    return os.pread(fd, min(size, cap), 0) if size else b""
