"""Fixtures for the datagen tests: a scripted teacher server (a real HTTP server in its own process)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Teacher:
    def __init__(self, tmp: Path):
        self.port = free_port()
        self.log = tmp / "served.jsonl"
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self, *args: str) -> "Teacher":
        self.proc = subprocess.Popen([sys.executable, str(HERE / "teacher_server.py"), "--port", str(self.port),
                                      "--log", str(self.log), *args], stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "ready"
        return self

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None

    def served(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []


@pytest.fixture
def teacher(tmp_path):
    t = Teacher(tmp_path).start()
    yield t
    t.stop()


@pytest.fixture
def make_teacher(tmp_path):
    made = []

    def make() -> Teacher:
        t = Teacher(tmp_path)
        made.append(t)
        return t

    yield make
    for t in made:
        t.stop()


def wait_until(pred, timeout: float = 20.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")
