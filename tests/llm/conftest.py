"""Fixtures for the LLM layer: a scriptable OpenAI-compatible HTTP stub (for faults a real server cannot be made to
produce on demand) and the real bundled-model server (slow tests)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Stub:
    """An OpenAI-compatible server on 127.0.0.1 whose answers the test scripts.

    The first ``fail_first`` POSTs get ``fail_status`` (with ``Retry-After: retry_after`` if set); ``delay`` seconds
    are slept before answering; ``honor_n`` decides whether ``n`` choices are returned or just one; ``usage`` whether
    a usage block is sent; ``reasoning`` adds a ``reasoning_content`` field. Answers name the seed, the choice and the
    request number so tests can tell samples apart.
    """

    def __init__(self) -> None:
        self.fail_first = 0
        self.fail_status = 500
        self.retry_after: str | None = None
        self.delay = 0.0
        self.honor_n = False
        self.usage = True
        self.reasoning: str | None = None
        self.bodies: list[dict] = []
        self.inflight = 0
        self.max_inflight = 0
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    @property
    def posts(self) -> int:
        return len(self.bodies)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _answer(self, path: str, body: dict) -> tuple[int, dict, dict]:
        with self._lock:
            self.bodies.append(body)
            number = len(self.bodies)
            self.inflight += 1
            self.max_inflight = max(self.max_inflight, self.inflight)
        try:
            if self.delay:
                time.sleep(self.delay)
            if number <= self.fail_first:
                headers = {"Retry-After": self.retry_after} if self.retry_after else {}
                return self.fail_status, headers, {"error": {"message": f"scripted failure {number}", "type": "x"}}
            n = int(body.get("n") or 1) if self.honor_n else 1
            texts = [f"seed={body.get('seed')} choice={j} request={number}" for j in range(n)]
            if path.endswith("/chat/completions"):
                choices = []
                for j, t in enumerate(texts):
                    message = {"role": "assistant", "content": t}
                    if self.reasoning:
                        message["reasoning_content"] = self.reasoning
                    choices.append({"index": j, "message": message, "finish_reason": "stop"})
                obj = "chat.completion"
            else:
                choices = [{"index": j, "text": t, "finish_reason": "length", "logprobs": None}
                           for j, t in enumerate(texts)]
                obj = "text_completion"
            out = {"id": f"r{number}", "object": obj, "created": 0, "model": body.get("model"), "choices": choices}
            if self.usage:
                out["usage"] = {"prompt_tokens": 7, "completion_tokens": 5 * n, "total_tokens": 7 + 5 * n}
            return 200, {}, out
        finally:
            with self._lock:
                self.inflight -= 1

    def _handler(self):
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def _send(self, status: int, headers: dict, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_GET(self):
                self._send(200, {}, {"object": "list", "data": [{"id": "stub", "object": "model"}]})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                self._send(*stub._answer(self.path, body))

        return Handler


@pytest.fixture
def stub():
    s = Stub()
    yield s
    s.close()


@pytest.fixture
def stub2():
    s = Stub()
    yield s
    s.close()


@pytest.fixture(scope="session")
def bundled_dir():
    """The bundled SmolLM2 as an HF folder (converted from the GGUF once per machine, ~50 s on 2 cores)."""
    from codecritique.llm.local import bundled_model_dir

    return bundled_model_dir()
