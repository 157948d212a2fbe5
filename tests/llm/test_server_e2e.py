"""End to end with a real server: the bundled model behind `transformers serve`, killed mid-run and restarted; the
resumed run has every response exactly once."""

import asyncio
import json

import pytest

from codecritique.llm.client import LLMRequestError, OpenAIClient, RetryPolicy
from codecritique.llm.server import ServerError, start_server
from codecritique.llm.store import Store, canonical_request, request_key
from codecritique.llm.types import SamplingParams

pytestmark = pytest.mark.slow

K = 2
# One prompt finishes fast; the server is killed as soon as one of its samples is stored, while the others run.
JOBS = [
    ("Say hi.", SamplingParams(max_tokens=3)),
    ("Write a Python function that adds two numbers.", SamplingParams(max_tokens=16)),
    ("Write a short poem about the sea.", SamplingParams(max_tokens=16, temperature=1.0)),
]


def messages(prompt):
    return [{"role": "system", "content": ""}, {"role": "user", "content": prompt}]


async def run_all(client):
    return await asyncio.gather(
        *(client.generate(messages(p), n=K, params=params) for p, params in JOBS), return_exceptions=True
    )


def test_kill_server_mid_run_then_resume(bundled_dir, tmp_path):
    store_path = tmp_path / "store.jsonl"
    events = []
    server = start_server(bundled_dir, log_path=tmp_path / "serve1.log")
    try:
        model = server.model

        def on_event(e):
            events.append(e)
            if e.kind == "done" and server.alive():
                server.kill()

        with Store(store_path) as store:
            client = OpenAIClient(model, server.base_url, store=store, concurrency=8,
                                  retry=RetryPolicy(3, 0.1, 0.3), progress=on_event)
            results = asyncio.run(_closing(client, run_all))
            stored_first = {r["key"]: r["completion"]["text"] for r in store.records()}
    finally:
        server.stop()
    failures = [r for r in results if isinstance(r, BaseException)]
    assert failures and all(isinstance(f, LLMRequestError) for f in failures), results
    assert 1 <= len(stored_first) < K * len(JOBS)
    assert any(e.kind == "retry" for e in events)

    server = start_server(bundled_dir, log_path=tmp_path / "serve2.log")  # a new process on a new port
    try:
        events2 = []
        with Store(store_path) as store:
            client = OpenAIClient(model, server.base_url, store=store, concurrency=8, progress=events2.append)
            results = asyncio.run(_closing(client, run_all))
    finally:
        server.stop()
    assert not any(isinstance(r, BaseException) for r in results), results
    assert sum(e.kind == "cached" for e in events2) == len(stored_first)
    assert sum(e.kind == "done" for e in events2) == K * len(JOBS) - len(stored_first)

    lines = [json.loads(x) for x in store_path.read_text().splitlines()]
    expected = {request_key(canonical_request(model, "chat", messages(p), params, i)) for p, params in JOBS
                for i in range(K)}
    assert len(lines) == K * len(JOBS) and {r["key"] for r in lines} == expected  # each exactly once
    for (prompt, params), completions in zip(JOBS, results):
        assert [c.sample_index for c in completions] == list(range(K))
        for c in completions:
            assert c.text and 0 < c.completion_tokens <= params.max_tokens
            if c.key in stored_first:
                assert c.cached and c.text == stored_first[c.key]
    poems = results[2]
    assert poems[0].text != poems[1].text  # the server samples (do_sample in generation_config)


async def _closing(client, fn):
    async with client:
        return await fn(client)


def test_start_failure_reports_the_log(tmp_path):
    with pytest.raises(ServerError, match="exited with code"):
        start_server(tmp_path / "no-such-model", log_path=tmp_path / "bad.log", startup_timeout=120)
