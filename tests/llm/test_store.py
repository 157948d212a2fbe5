"""The append-only request store: resume, torn lines, duplicates, locking, crash safety."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from codecritique.llm import resume
from codecritique.llm.store import Store, StoreLockedError, canonical_request, request_key
from codecritique.llm.types import Completion, SamplingParams

MSGS = [{"role": "system", "content": ""}, {"role": "user", "content": "hi"}]
P = SamplingParams(max_tokens=8)


def req(i: int, content: str = "hi") -> dict:
    return canonical_request("m", "chat", [{"role": "user", "content": content}], P, i)


def test_key_is_canonical_and_sensitive():
    a = canonical_request("m", "chat", MSGS, P, 0)
    b = json.loads(json.dumps(a))  # same content, new objects, any key order
    assert request_key(a) == request_key(b)
    assert request_key(a) != request_key(canonical_request("m", "chat", MSGS, P, 1))
    assert request_key(a) != request_key(canonical_request("m", "chat", MSGS, SamplingParams(max_tokens=9), 0))
    assert request_key(a) != request_key(canonical_request("m2", "chat", MSGS, P, 0))
    assert request_key(a) != request_key(canonical_request("m", "completions", MSGS, P, 0))


def test_put_get_reopen(tmp_path):
    path = tmp_path / "s.jsonl"
    with Store(path) as s:
        assert s.put(req(0), Completion("zero", "stop", 3, 1, 0, "m"), {"problem": "p1"})
        assert s.put(req(1), Completion("one", "length", 3, 8, 1, "m"))
        assert len(s) == 2
    with Store(path) as s:
        assert len(s) == 2
        c = s.get(request_key(req(1)))
        assert c is not None and c.cached and c.text == "one" and c.finish_reason == "length" and c.sample_index == 1
        assert [r["meta"] for r in s.records()] == [{"problem": "p1"}, {}]
        assert s.get("nope") is None


def test_duplicate_put_is_not_written(tmp_path):
    path = tmp_path / "s.jsonl"
    with Store(path) as s:
        assert s.put(req(0), Completion("a"))
        assert not s.put(req(0), Completion("b"))
    assert len(path.read_text().splitlines()) == 1


def test_duplicate_lines_first_wins(tmp_path):
    path = tmp_path / "s.jsonl"
    with Store(path) as s:
        s.put(req(0), Completion("first"))
    line = path.read_text()
    path.write_text(line + line.replace("first", "second"))
    with Store(path) as s:
        assert len(s) == 1 and s.duplicate_lines == 1 and s.get(request_key(req(0))).text == "first"


def test_torn_last_line_is_truncated(tmp_path):
    path = tmp_path / "s.jsonl"
    with Store(path) as s:
        s.put(req(0), Completion("ok"))
    good = path.read_bytes()
    path.write_bytes(good + b'{"key": "abc", "request": {"mod')  # a crash in the middle of a write
    with Store(path) as s:
        assert len(s) == 1 and s.torn_bytes > 0
        s.put(req(1), Completion("after"))
    lines = path.read_text().splitlines()
    assert len(lines) == 2 and all(json.loads(x) for x in lines)


def test_unreadable_middle_line_is_skipped(tmp_path):
    path = tmp_path / "s.jsonl"
    with Store(path) as s:
        s.put(req(0), Completion("a"))
    with open(path, "a") as f:
        f.write("garbage\n{\"key\": 1}\n")
    with Store(path) as s:
        s.put(req(1), Completion("b"))
    with Store(path) as s:
        assert len(s) == 2 and s.bad_lines == 2


def test_second_open_is_refused_until_closed(tmp_path):
    path = tmp_path / "s.jsonl"
    s = Store(path)
    with pytest.raises(StoreLockedError, match=str(os.getpid())):
        Store(path)
    code = f"from codecritique.llm.store import Store; Store({str(path)!r})"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode != 0 and "StoreLockedError" in out.stderr and "in use by another process" in out.stderr
    s.close()
    Store(path).close()


def test_lock_is_released_when_the_holder_is_killed(tmp_path):
    path = tmp_path / "s.jsonl"
    code = f"from codecritique.llm.store import Store; import time; s = Store({str(path)!r}); print('ok', flush=True); time.sleep(60)"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ok"
        with pytest.raises(StoreLockedError):
            Store(path)
    finally:
        proc.kill()
        proc.wait()
    Store(path).close()


def test_concurrent_asyncio_writers(tmp_path):
    path = tmp_path / "s.jsonl"

    async def main(store):
        await asyncio.gather(*(store.aput(req(i), Completion(f"t{i}" * 50, sample_index=i)) for i in range(200)))
        # the same keys again, concurrently: nothing new is written
        results = await asyncio.gather(*(store.aput(req(i), Completion("dup")) for i in range(200)))
        assert not any(results)

    with Store(path) as s:
        asyncio.run(main(s))
    lines = path.read_text().splitlines()
    assert len(lines) == 200 and len({json.loads(x)["key"] for x in lines}) == 200


WRITER = textwrap.dedent(
    """
    import sys
    from codecritique.llm.store import Store, canonical_request
    from codecritique.llm.types import Completion, SamplingParams
    s = Store(sys.argv[1])
    p = SamplingParams(max_tokens=8)
    for i in range(100000):
        r = canonical_request("m", "chat", [{"role": "user", "content": "hi"}], p, i)
        s.put(r, Completion("x" * 3000, sample_index=i))
        if i == 20:
            print("go", flush=True)
    """
)


def test_sigkill_during_writes_loses_nothing_that_was_acknowledged(tmp_path):
    """Kill a writer at a random moment: the store reopens, every line is whole and unique, and resuming adds the
    rest without duplicates."""
    path = tmp_path / "s.jsonl"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "go"
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with Store(path) as s:
        done = len(s)
        assert done > 20 and s.bad_lines == 0 and s.duplicate_lines == 0
        for i in range(done + 10):
            s.put(req(i), Completion("x" * 3000, sample_index=i))
        assert len(s) == done + 10
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b"" and all(json.loads(x) for x in lines[:-1])
    assert len({json.loads(x)["key"] for x in lines[:-1]}) == len(lines) - 1 == done + 10


# ---- resume.sample: the shared "k samples with a store" loop ------------------------------------------------------


def fake_fetch(calls, fail_after=None):
    async def fetch(indices):
        calls.append(list(indices))
        for n, i in enumerate(indices):
            if fail_after is not None and n == fail_after:
                raise ConnectionError("server died")
            yield Completion(f"sample {i}", "stop", 1, 1, i)

    return fetch


def run_sample(store, fetch, n=4):
    return asyncio.run(resume.sample(model="m", endpoint="chat", payload=MSGS, params=P, n=n, fetch=fetch, store=store))


def test_resume_after_interruption_requests_only_the_missing(tmp_path):
    path = tmp_path / "s.jsonl"
    calls = []
    with Store(path) as s:
        with pytest.raises(ConnectionError):
            run_sample(s, fake_fetch(calls, fail_after=2))
        assert len(s) == 2  # the two finished before the failure are on disk
    with Store(path) as s:
        out = run_sample(s, fake_fetch(calls))
        assert [c.text for c in out] == [f"sample {i}" for i in range(4)]
        assert [c.cached for c in out] == [True, True, False, False]
        assert calls == [[0, 1, 2, 3], [2, 3]]
        assert run_sample(s, fake_fetch(calls)) and calls[-1] == [2, 3]  # nothing fetched the third time
        assert len(s) == 4
    assert len(path.read_text().splitlines()) == 4


def test_resume_with_more_samples_extends(tmp_path):
    calls = []
    with Store(tmp_path / "s.jsonl") as s:
        run_sample(s, fake_fetch(calls), n=2)
        out = run_sample(s, fake_fetch(calls), n=5)
    assert calls == [[0, 1], [2, 3, 4]] and [c.sample_index for c in out] == [0, 1, 2, 3, 4]


def test_backend_returning_too_few_is_an_error():
    async def short(indices):
        yield Completion("only one", sample_index=indices[0])

    with pytest.raises(RuntimeError, match="no completion"):
        run_sample(None, short, n=3)
