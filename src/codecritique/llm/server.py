"""Start and stop a real OpenAI-compatible server on CPU: ``transformers serve`` with the bundled SmolLM2 (or any HF
folder). For tests, demos and users without a GPU; on a cluster, run vLLM/SGLang yourself and point the client at it.

The server runs in its own process group (killed as a whole by :meth:`Server.stop`), offline
(``HF_HUB_OFFLINE=1``), with its log in a file. Requests must name the model exactly as ``Server.model`` (the folder
path: ``serve`` pins the preloaded model under that name). ``serve`` ignores ``n`` (one choice per request: the
client then asks per sample) and only samples when the folder's ``generation_config.json`` says ``do_sample: true``
(:func:`~codecritique.llm.local.bundled_model_dir` writes it).

Continuous batching (``continuous_batching=True``) multiplies throughput for concurrent requests on 2 cores but
reserves a paged KV cache that grew to ~10 GB RSS with default settings; ``cb_num_blocks``/``cb_block_size`` bound it
(the default here, 256 blocks of 32 tokens = 8192 cached tokens, keeps RSS near 1 GB for the 135M model).
``OMP_WAIT_POLICY`` defaults to ``PASSIVE`` in the server's environment: spinning OpenMP threads made generation
several times slower whenever anything else used the 2 cores.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from codecritique.errors import CodecritiqueError

_SERVE = "import sys; from transformers.cli.transformers import main; sys.argv[0] = 'transformers'; sys.exit(main())"


class ServerError(CodecritiqueError):
    """The server did not come up (its log tail is in the message)."""


@dataclass
class Server:
    """A running server: ``base_url`` (``http://host:port/v1``) and the ``model`` name requests must use."""

    process: subprocess.Popen
    base_url: str
    model: str
    log_path: Path
    command: list[str] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 5.0) -> None:
        """SIGTERM the whole process group, SIGKILL it after ``timeout`` s (uvicorn waits for running generations
        on SIGTERM); safe to call twice."""
        if self.process.poll() is None:
            _signal_group(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        _signal_group(self.process.pid, signal.SIGKILL)  # stragglers of the group, even if the leader is gone
        if self.process.poll() is None:
            self.process.wait(timeout)

    def kill(self) -> None:
        """SIGKILL the process group at once (a crash, for tests)."""
        _signal_group(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _pdeathsig_hook() -> Callable[[], None]:
    """A pre-exec hook giving the child SIGKILL when its parent dies (Linux ``PR_SET_PDEATHSIG``), so a test run or
    script killed without cleanup does not leave a server holding gigabytes. ``prctl`` is looked up here, in the
    parent, so the forked child only calls it."""
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    pr_set_pdeathsig = 1

    def hook() -> None:
        prctl(pr_set_pdeathsig, int(signal.SIGKILL))

    return hook


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def serve_command(
    folder: str | Path,
    *,
    host: str,
    port: int,
    continuous_batching: bool,
    cb_num_blocks: int | None,
    cb_block_size: int | None,
    cb_max_batch_tokens: int | None,
) -> list[str]:
    """The ``transformers serve`` command line (run with this interpreter, so no PATH lookup)."""
    cmd = [sys.executable, "-c", _SERVE, "serve", str(folder), "--host", host, "--port", str(port), "--device", "cpu"]
    if continuous_batching:
        cmd.append("--continuous-batching")
        for flag, value in (
            ("--cb-num-blocks", cb_num_blocks),
            ("--cb-block-size", cb_block_size),
            ("--cb-max-batch-tokens", cb_max_batch_tokens),
        ):
            if value is not None:
                cmd += [flag, str(value)]
    return cmd


def start_server(
    folder: str | Path | None = None,
    *,
    host: str = "127.0.0.1",
    port: int | None = None,
    continuous_batching: bool = True,
    cb_num_blocks: int | None = 256,
    cb_block_size: int | None = 32,
    cb_max_batch_tokens: int | None = None,
    threads: int | None = None,
    startup_timeout: float = 180.0,
    log_path: str | Path | None = None,
    die_with_parent: bool = True,
) -> Server:
    """Start ``transformers serve`` on ``folder`` (default: the bundled SmolLM2, converted on first use) and wait
    until ``/v1/models`` answers. Raises :class:`ServerError` with the log tail if it exits or times out.

    ``die_with_parent`` kills the server when the thread that started it exits (Linux): keep it for tests and
    scripts; turn it off to start a server from a short-lived thread."""
    if folder is None:
        from codecritique.llm.local import bundled_model_dir

        folder = bundled_model_dir()
    folder = Path(folder).resolve()
    port = port or free_port(host)
    cmd = serve_command(
        folder,
        host=host,
        port=port,
        continuous_batching=continuous_batching,
        cb_num_blocks=cb_num_blocks,
        cb_block_size=cb_block_size,
        cb_max_batch_tokens=cb_max_batch_tokens,
    )
    if log_path is None:
        fd, name = tempfile.mkstemp(prefix=f"codecritique-serve-{port}-", suffix=".log")
        os.close(fd)
        log_path = name
    log_path = Path(log_path)
    env = {"OMP_WAIT_POLICY": "PASSIVE", **os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    if threads:
        env["OMP_NUM_THREADS"] = str(threads)
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
            preexec_fn=_pdeathsig_hook() if die_with_parent else None,
        )
    server = Server(process, f"http://{host}:{port}/v1", str(folder), log_path, cmd)
    try:
        wait_ready(server, startup_timeout)
    except BaseException:
        server.stop()
        raise
    return server


def wait_ready(server: Server, timeout: float) -> None:
    """Poll ``GET /v1/models`` until it answers 200, the process exits, or ``timeout`` s pass."""
    deadline = time.monotonic() + timeout
    url = server.base_url + "/models"
    while True:
        if not server.alive():
            raise ServerError(
                f"server exited with code {server.process.returncode} before answering {url}; "
                f"log {server.log_path}:\n{server.log_tail()}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    json.load(response)
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
            pass
        if time.monotonic() > deadline:
            raise ServerError(f"server did not answer {url} within {timeout:.0f} s; log {server.log_path}:\n"
                              f"{server.log_tail()}")
        time.sleep(0.25)


def main(argv: list[str] | None = None) -> None:
    """``python -m codecritique.llm.server``: serve the bundled model (or ``--folder``) until Ctrl-C."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m codecritique.llm.server", description=main.__doc__)
    parser.add_argument("--folder", help="HF model folder (default: the bundled SmolLM2-135M-Instruct)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--no-continuous-batching", action="store_true")
    parser.add_argument("--cb-num-blocks", type=int, default=256)
    parser.add_argument("--cb-block-size", type=int, default=32)
    args = parser.parse_args(argv)
    server = start_server(
        args.folder,
        host=args.host,
        port=args.port,
        continuous_batching=not args.no_continuous_batching,
        cb_num_blocks=args.cb_num_blocks,
        cb_block_size=args.cb_block_size,
    )
    print(f"serving {server.model}\nbase URL {server.base_url}\nlog {server.log_path}", flush=True)
    try:
        server.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
