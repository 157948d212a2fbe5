"""The async OpenAI-compatible client against a local scripted HTTP server (real sockets, real openai package)."""

import asyncio
import time

import pytest

from codecritique.llm.client import LLMRequestError, OpenAIClient, RetryPolicy
from codecritique.llm.server import free_port
from codecritique.llm.store import Store
from codecritique.llm.types import SamplingParams

MSGS = [{"role": "system", "content": ""}, {"role": "user", "content": "Add two numbers."}]
FAST = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05)
P = SamplingParams(max_tokens=16, seed=100)


def run(client, coro_fn):
    async def main():
        async with client:
            return await coro_fn(client)

    return asyncio.run(main())


def test_k_samples_one_request_each_with_per_sample_seeds(stub):
    out = run(OpenAIClient("m", stub.url, retry=FAST), lambda c: c.generate(MSGS, n=3, params=P))
    assert [c.sample_index for c in out] == [0, 1, 2]
    assert sorted(b["seed"] for b in stub.bodies) == [100, 101, 102]
    assert all(b["n"] == 1 and b["temperature"] == 0.6 and b["top_p"] == 0.95 and b["max_tokens"] == 16
               for b in stub.bodies)
    assert [c.text.split()[0] for c in out] == ["seed=100", "seed=101", "seed=102"]
    assert all(c.prompt_tokens == 7 and c.completion_tokens == 5 and c.finish_reason == "stop" for c in out)
    assert stub.bodies[0]["messages"] == MSGS and stub.bodies[0]["model"] == "m"


def test_no_seed_when_seed_is_none(stub):
    run(OpenAIClient("m", stub.url), lambda c: c.generate(MSGS, n=2, params=SamplingParams(seed=None)))
    assert all("seed" not in b for b in stub.bodies)


def test_completions_endpoint_and_extra_body(stub):
    params = SamplingParams(max_tokens=4, stop=("\n\n",), extra_body={"top_k": 20})
    out = run(OpenAIClient("m", stub.url), lambda c: c.complete("def f():", n=2, params=params))
    assert [c.finish_reason for c in out] == ["length", "length"]
    assert all(b["prompt"] == "def f():" and b["stop"] == ["\n\n"] and b["top_k"] == 20 for b in stub.bodies)


def test_retries_5xx_then_succeeds(stub):
    stub.fail_first = 2
    events = []
    client = OpenAIClient("m", stub.url, retry=FAST, progress=events.append)
    out = run(client, lambda c: c.generate(MSGS, n=1, params=P))
    assert out[0].text.startswith("seed=100") and stub.posts == 3
    retries = [e for e in events if e.kind == "retry"]
    assert [e.attempt for e in retries] == [1, 2] and "InternalServerError" in retries[0].error
    assert [e.kind for e in events][-1] == "done"


def test_backoff_grows_exponentially_with_jitter():
    policy = RetryPolicy(base_delay=1.0, max_delay=10.0)
    for attempt, full in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 10.0), (9, 10.0)]:
        delays = [policy.delay(attempt) for _ in range(200)]
        assert all(full / 2 <= d <= full for d in delays)
        assert len(set(delays)) > 1  # jitter


def test_gives_up_with_a_clear_error(stub):
    stub.fail_first = 100
    stub.fail_status = 503
    events = []
    with pytest.raises(LLMRequestError) as err:
        run(OpenAIClient("my-model", stub.url, retry=FAST, progress=events.append),
            lambda c: c.generate(MSGS, n=1, params=P))
    message = str(err.value)
    assert "my-model" in message and "4 attempts" in message and stub.url in message and "503" in message
    assert stub.posts == 4 and events[-1].kind == "failed"


def test_client_errors_are_not_retried(stub):
    stub.fail_first = 100
    stub.fail_status = 400
    with pytest.raises(LLMRequestError, match="BadRequestError"):
        run(OpenAIClient("m", stub.url, retry=FAST), lambda c: c.generate(MSGS, n=1, params=P))
    assert stub.posts == 1


def test_429_honours_retry_after(stub):
    stub.fail_first = 1
    stub.fail_status = 429
    stub.retry_after = "0.4"
    t0 = time.monotonic()
    run(OpenAIClient("m", stub.url, retry=FAST), lambda c: c.generate(MSGS, n=1, params=P))
    assert stub.posts == 2 and time.monotonic() - t0 >= 0.4


def test_request_timeout_is_retried_then_reported(stub):
    stub.delay = 1.0
    t0 = time.monotonic()
    with pytest.raises(LLMRequestError, match="APITimeoutError"):
        run(OpenAIClient("m", stub.url, timeout=0.2, retry=RetryPolicy(2, 0.01, 0.01)),
            lambda c: c.generate(MSGS, n=1, params=P))
    assert time.monotonic() - t0 < 1.5 and stub.posts == 2


def test_connection_refused_is_retried():
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(LLMRequestError, match="APIConnectionError"):
        run(OpenAIClient("m", url, retry=RetryPolicy(3, 0.01, 0.01)), lambda c: c.generate(MSGS, n=1, params=P))


def test_concurrency_is_bounded(stub):
    stub.delay = 0.15

    async def many(c):
        return await asyncio.gather(*(c.generate([{"role": "user", "content": str(i)}], n=2, params=P)
                                      for i in range(6)))

    out = run(OpenAIClient("m", stub.url, concurrency=3), many)
    assert len(out) == 6 and stub.posts == 12 and stub.max_inflight == 3


def test_several_endpoints_share_the_load(stub, stub2):
    stub.delay = stub2.delay = 0.1
    run(OpenAIClient("m", [stub.url, stub2.url], concurrency=8), lambda c: c.generate(MSGS, n=8, params=P))
    assert stub.posts == 4 and stub2.posts == 4


def test_dead_endpoint_is_avoided(stub):
    dead = f"http://127.0.0.1:{free_port()}/v1"
    events = []
    out = run(OpenAIClient("m", [dead, stub.url], concurrency=1, retry=FAST, progress=events.append),
              lambda c: c.generate(MSGS, n=6, params=P))
    assert len(out) == 6 and stub.posts == 6
    assert sum(e.kind == "retry" for e in events) == 1  # one refusal, then the endpoint rests


def test_use_n_with_a_server_that_honours_n(stub):
    stub.honor_n = True
    out = run(OpenAIClient("m", stub.url, use_n=True, count_tokens=lambda s: len(s.split())),
              lambda c: c.generate(MSGS, n=3, params=P))
    assert stub.posts == 1 and stub.bodies[0]["n"] == 3 and "seed" not in stub.bodies[0]
    assert [c.text.split()[1] for c in out] == ["choice=0", "choice=1", "choice=2"]
    assert all(c.completion_tokens == 3 for c in out)  # per-choice count from the tokenizer, usage is a total


def test_use_n_with_a_server_that_ignores_n(stub):
    out = run(OpenAIClient("m", stub.url, use_n=True), lambda c: c.generate(MSGS, n=3, params=P))
    assert stub.posts == 3 and stub.bodies[0]["n"] == 3
    assert sorted(b.get("seed") for b in stub.bodies[1:]) == [101, 102]  # the missing ones, one by one
    assert len({c.text for c in out}) == 3


def test_token_count_fallback_without_usage(stub):
    stub.usage = False
    out = run(OpenAIClient("m", stub.url, count_tokens=lambda s: len(s)), lambda c: c.complete("abc", n=1, params=P))
    assert out[0].completion_tokens == len(out[0].text) and out[0].prompt_tokens == 3
    out = run(OpenAIClient("m", stub.url), lambda c: c.generate(MSGS, n=1, params=P))
    assert out[0].completion_tokens is None and out[0].prompt_tokens is None


def test_split_off_reasoning_is_put_back(stub):
    stub.reasoning = "let me think"
    out = run(OpenAIClient("m", stub.url), lambda c: c.generate(MSGS, n=1, params=P))
    assert out[0].text.startswith("<think>\nlet me think\n</think>\n\nseed=")


def test_store_makes_reruns_free(stub, tmp_path):
    path = tmp_path / "s.jsonl"
    with Store(path) as store:
        first = run(OpenAIClient("m", stub.url, store=store), lambda c: c.generate(MSGS, n=3, params=P))
    assert stub.posts == 3
    events = []
    with Store(path) as store:
        again = run(OpenAIClient("m", stub.url, store=store, progress=events.append),
                    lambda c: c.generate(MSGS, n=4, params=P))
    assert stub.posts == 4  # only sample 3 was new
    assert [c.text for c in again[:3]] == [c.text for c in first] and [c.cached for c in again] == [True] * 3 + [False]
    assert [e.kind for e in events].count("cached") == 3
    assert len(path.read_text().splitlines()) == 4


def test_partial_failure_keeps_finished_samples(stub, tmp_path):
    """Sample 0 succeeds, the others hit a dead server; a rerun asks only for the others."""
    path = tmp_path / "s.jsonl"
    with Store(path) as store:
        client = OpenAIClient("m", stub.url, store=store, concurrency=1, retry=RetryPolicy(2, 0.01, 0.01))
        stub.fail_first = 0

        async def go(c):
            first = await c.generate(MSGS, n=1, params=P)
            stub.fail_first = 100  # the server now fails everything
            await c.generate(MSGS, n=3, params=P)
            return first

        with pytest.raises(LLMRequestError):
            run(client, go)
        assert len(store) == 1
    stub.fail_first = 0
    stub.bodies.clear()
    with Store(path) as store:
        out = run(OpenAIClient("m", stub.url, store=store), lambda c: c.generate(MSGS, n=3, params=P))
    assert stub.posts == 2 and [c.cached for c in out] == [True, False, False]
