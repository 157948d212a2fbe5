"""The local transformers backend on the bundled SmolLM2-135M-Instruct (real model, offline)."""

import asyncio

import pytest

from codecritique.llm.local import LocalModel
from codecritique.llm.tokens import tokenizer_counter
from codecritique.llm.store import Store
from codecritique.llm.types import SamplingParams

pytestmark = pytest.mark.slow

MSGS = [{"role": "system", "content": ""}, {"role": "user", "content": "Write a Python function that adds two numbers."}]


@pytest.fixture(scope="module")
def model(bundled_dir):
    return LocalModel(bundled_dir)


POEM = [{"role": "user", "content": "Write a short poem about the sea."}]


def test_sampling_samples_and_is_seeded(model):
    params = SamplingParams(max_tokens=8, temperature=1.0, top_p=1.0, seed=7)
    a = asyncio.run(model.generate(POEM, n=2, params=params))
    assert [c.sample_index for c in a] == [0, 1]
    assert a[0].text != a[1].text  # do_sample is on: the two samples differ
    assert all(c.finish_reason == "length" and c.completion_tokens == 8 and c.prompt_tokens > 5 for c in a)
    b = asyncio.run(model.generate(POEM, n=2, params=params))
    assert [c.text for c in a] == [c.text for c in b]  # same seed, same samples


def test_greedy_n_copies(model):
    out = asyncio.run(model.generate(MSGS, n=2, params=SamplingParams(max_tokens=8, temperature=0)))
    assert out[0].text == out[1].text and out[0].text


def test_complete_with_stop_string(model):
    out = asyncio.run(model.complete("def add(a, b):\n", n=1, params=SamplingParams(max_tokens=16, stop=("\n\n",))))
    assert "\n\n" not in out[0].text and out[0].finish_reason in ("stop", "length")


def test_store_resume(model, tmp_path):
    events = []
    path = tmp_path / "s.jsonl"
    params = SamplingParams(max_tokens=4)
    with Store(path) as store:
        model.store, model.progress = store, events.append
        try:
            first = asyncio.run(model.generate(MSGS, n=2, params=params))
            again = asyncio.run(model.generate(MSGS, n=3, params=params))
        finally:
            model.store = model.progress = None
    assert [e.kind for e in events] == ["done", "done", "cached", "cached", "done"]
    assert [c.text for c in again[:2]] == [c.text for c in first] and len(path.read_text().splitlines()) == 3


def test_token_counter_matches_the_model_tokenizer(model, bundled_dir):
    text = "<think>reason about it</think> right"
    assert tokenizer_counter(bundled_dir, online=False)(text) == model.count_tokens(text) > 3


def test_concurrent_prompts_share_a_batch_and_match_alone(model):
    """Single-sample requests for different prompts sent together (a run's critiques) run as one left-padded
    batch, and each answer is what the prompt gives alone (greedy, so comparable)."""
    prompts = [[{"role": "user", "content": q}] for q in ("Say hi.", "Name a colour.", "Count to three, please.")]
    greedy = SamplingParams(max_tokens=6, temperature=0)
    alone = [asyncio.run(model.generate(p, n=1, params=greedy))[0].text for p in prompts]

    async def together():
        return await asyncio.gather(*(model.generate(p, n=1, params=greedy) for p in prompts))

    before = model._batcher.batches
    batched = [c[0].text for c in asyncio.run(together())]
    assert model._batcher.batches - before == 1
    assert batched == alone


def test_sampling_depends_on_the_request_alone_not_on_the_batch(model):
    """The same requests sampled in one batch, one by one, and in another order and batch size give the same texts:
    each row draws from its own generator, seeded by its request (issue 11: critiques used to follow the seed of
    whichever row led their batch)."""
    prompts = [[{"role": "user", "content": q}] for q in
               ("Say hi.", "Name a colour.", "Count to three, please.", "What is a cat?")]
    params = [SamplingParams(max_tokens=10, temperature=1.0, top_p=0.95, seed=s) for s in (3, 3, 11, 40)]

    async def together(order, max_batch):
        model.max_batch = model._batcher._max_rows = max_batch
        outs = await asyncio.gather(*(model.generate(prompts[i], n=2, params=params[i]) for i in order))
        return {i: [c.text for c in out] for i, out in zip(order, outs)}

    async def alone():
        model.max_batch = model._batcher._max_rows = 1
        return {i: [c.text for c in await model.generate(prompts[i], n=2, params=params[i])] for i in range(4)}

    before = model._batcher.batches
    try:
        batched = asyncio.run(together([0, 1, 2, 3], 8))
        assert model._batcher.batches - before == 1  # 8 rows in one forward pass
        singly = asyncio.run(alone())
        shuffled = asyncio.run(together([3, 1, 0, 2], 3))
    finally:
        model.max_batch = model._batcher._max_rows = 4
    assert batched == singly == shuffled
    assert batched[0][0] != batched[0][1]  # the samples of a request still differ


def test_top_k_1_is_greedy(model):
    greedy = asyncio.run(model.generate(POEM, n=1, params=SamplingParams(max_tokens=8, temperature=0)))[0].text
    top1 = asyncio.run(model.generate(POEM, n=1, params=SamplingParams(max_tokens=8, temperature=1.0, seed=5,
                                                                       extra_body={"top_k": 1})))[0].text
    assert top1 == greedy
