"""A small OpenAI-compatible HTTP server for datagen tests: a scripted teacher (and a server that fails on demand).

It answers ``POST /v1/chat/completions`` for questions of the shipped pool with a reasoning block and a fenced
solution: the pool's Python reference solution (or, for C++, one written here) for even seeds, a wrong program for
odd seeds, so pass rates differ. Faults, for the fault tests: ``--fail-first N`` answers the first N requests with
``--fail-status`` (500, 429, 503 ...). Every answered request is appended to ``--log`` (one JSON line: the
request's question id, language and seed), so a test can check that no request was answered twice.

Run: ``python teacher_server.py --port P [--log FILE] [--fail-first N --fail-status S]``; prints ``ready`` when
it listens. Only binds 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

POOL = Path(__file__).resolve().parents[2] / "src" / "codecritique" / "datagen" / "data" / "pool.jsonl"
CPP = {
    "pool-sum-list": "#include <cstdio>\nint main(){int n;long long s=0,x;scanf(\"%d\",&n);"
                     "for(int i=0;i<n;i++){scanf(\"%lld\",&x);s+=x;}printf(\"%lld\\n\",s);}",
    "pool-gcd": "#include <cstdio>\nlong long g(long long a,long long b){return b?g(b,a%b):a;}\n"
                "int main(){long long a,b;scanf(\"%lld %lld\",&a,&b);printf(\"%lld\\n\",g(a,b));}",
}


def load_pool() -> dict[str, dict]:
    out = {}
    for line in POOL.read_text().splitlines():
        p = json.loads(line)
        out[p["id"]] = p
    return out


class State:
    def __init__(self, log: str | None, fail_first: int, fail_status: int):
        self.pool = load_pool()
        self.log = log
        self.fail_left = fail_first
        self.fail_status = fail_status
        self.lock = threading.Lock()
        self.delay = 0.0


def answer(state: State, body: dict) -> str:
    text = body["messages"][-1]["content"]
    if "Now, you will critique your solution" in text:  # a Fig. 7 critique
        verdict = "wrong" if "print(0)" in text or 'puts("0")' in text else "right"
        if state.log:
            with state.lock, open(state.log, "a") as f:
                f.write(json.dumps({"critique": text[-200:]}) + "\n")
        return f"<think>\nCheck the code against the statement.\n</think>\nLooks {verdict}.\n<judgment>{verdict}</judgment>"
    language = "cpp" if "c++ programming language" in text else "python"
    seed = int(body.get("seed") or 0)
    qid = next((pid for pid, p in state.pool.items() if p["statement"] in text), None)
    if qid is None:
        return "<think>\nI do not know this problem.\n</think>\nNo code."
    good = seed % 2 == 0
    if language == "python":
        code = state.pool[qid]["metadata"]["solutions"][0]["code"] if good else "print(0)\n"
    else:
        code = CPP.get(qid, "int main(){return 0;}") if good else "#include <cstdio>\nint main(){puts(\"0\");}"
    if state.log:
        with state.lock, open(state.log, "a") as f:
            f.write(json.dumps({"question_id": qid, "language": language, "seed": seed}) + "\n")
    return f"<think>\nRead the input, compute the answer, print it.\n</think>\n\n```{language}\n{code.rstrip()}\n```\n"


def make_handler(state: State):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):  # quiet
            pass

        def _send(self, status: int, payload: dict) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path.rstrip("/").endswith("/models"):
                self._send(200, {"object": "list", "data": [{"id": "scripted-teacher", "object": "model"}]})
            else:
                self._send(404, {"error": "not found"})

        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            with state.lock:
                fail = state.fail_left > 0
                if fail:
                    state.fail_left -= 1
            if fail:
                self._send(state.fail_status, {"error": {"message": "scripted failure", "type": "server_error"}})
                return
            if not self.path.endswith("/chat/completions"):
                self._send(404, {"error": "not found"})
                return
            if state.delay:
                time.sleep(state.delay)
            text = answer(state, body)
            self._send(200, {"id": "x", "object": "chat.completion", "created": 0, "model": body.get("model"),
                             "choices": [{"index": 0, "finish_reason": "stop",
                                          "message": {"role": "assistant", "content": text}}],
                             "usage": {"prompt_tokens": 10, "completion_tokens": len(text.split()),
                                       "total_tokens": 10 + len(text.split())}})

    return Handler


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--log")
    ap.add_argument("--fail-first", type=int, default=0)
    ap.add_argument("--fail-status", type=int, default=500)
    ap.add_argument("--delay", type=float, default=0.0, help="seconds before each answer")
    a = ap.parse_args()
    state = State(a.log, a.fail_first, a.fail_status)
    state.delay = a.delay
    server = ThreadingHTTPServer(("127.0.0.1", a.port), make_handler(state))
    print("ready", flush=True)
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
