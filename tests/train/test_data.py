"""Rows -> chat examples -> the tokens and labels the trainer really sees."""

from __future__ import annotations

import pytest
from conftest import generation, ocr2_rows, question, write_parquet

from codecritique.errors import DataError
from codecritique.llm.prompts import load_template
from codecritique.train.config import DataConfig, get_recipe
from codecritique.train.data import DataStats, read_rows, stage_examples
from codecritique.train.stage import prepare_stage
from codecritique.train.tokenize import tokenize_examples


def _recipe(model, **train):
    r = get_recipe("demo")
    r.base_model = str(model)
    r.train.update({"max_length": 512, "max_steps": 2, "packing": False, "per_device_train_batch_size": 1,
                    "global_batch_size": 1, **train})
    return r


def test_examples_use_fig6_and_fig7_prompts_with_an_empty_system_turn(ocr2_parquet):
    rows = read_rows([ocr2_parquet], DataConfig(), stats=DataStats())
    assert len(rows) == 12 and {r.language for r in rows} == {"python"}  # from the python/ folder
    examples = stage_examples(rows, "2", DataConfig(), DataStats())
    gen = next(e for e in examples if e.kind == "generation")
    crit = next(e for e in examples if e.kind == "critique")
    assert gen.prompt[0] == {"role": "system", "content": ""}
    fig6 = load_template("generation_python")
    assert gen.prompt[1]["content"] == fig6.replace("{question}", question(0))
    assert gen.completion == [{"role": "assistant", "content": generation(0)}]  # reasoning included
    assert crit.prompt[0]["content"] == ""
    assert question(0) in crit.prompt[1]["content"] and "```python\na, b = map" in crit.prompt[1]["content"]
    assert crit.prompt[1]["content"].startswith(load_template("critique").split("{")[0])
    assert crit.completion[0]["content"].endswith("</judgment>")


@pytest.mark.parametrize("packing", [False, True])
def test_loss_is_on_response_tokens_only(tiny_model, ocr2_parquet, tmp_path, packing):
    """The batches the SFTTrainer trains on: every prompt token is -100, every response token (and the end-of-turn
    token) is its own label."""
    rows = read_rows([ocr2_parquet], DataConfig())
    examples = stage_examples(rows, "2", DataConfig(), DataStats())
    prepared = prepare_stage(_recipe(tiny_model, packing=packing, per_device_train_batch_size=2,
                                     global_batch_size=2), "2", str(tiny_model), examples, tmp_path / "out")
    tok = prepared.tokenizer
    by_ids = {}
    for e in examples:  # expected spans from the chat template alone (independent of train.tokenize)
        prompt = tok.apply_chat_template(e.prompt, add_generation_prompt=True, tokenize=False)
        full = tok.apply_chat_template(e.prompt + e.completion, tokenize=False)
        assert full.startswith(prompt)
        by_ids[tuple(tok(full, add_special_tokens=False)["input_ids"])] = len(
            tok(prompt, add_special_tokens=False)["input_ids"])
    seen = 0
    for batch in prepared.trainer.get_train_dataloader():
        ids, labels = batch["input_ids"], batch["labels"]
        if packing:  # one row; samples start where position ids restart
            starts = (batch["position_ids"][0] == 0).nonzero().flatten().tolist() + [ids.shape[1]]
            spans = [(0, a, b) for a, b in zip(starts, starts[1:])]
        else:
            spans = [(i, 0, int((batch["attention_mask"][i] == 1).sum())) for i in range(ids.shape[0])]
        for row, a, b in spans:
            sample = tuple(ids[row, a:b].tolist())
            if sample not in by_ids:
                continue  # padding tail
            n_prompt = by_ids[sample]
            lab = labels[row, a:b].tolist()
            assert all(x == -100 for x in lab[:n_prompt])
            assert lab[n_prompt:] == list(sample[n_prompt:])
            response = tok.decode(sample[n_prompt:])
            assert response.endswith("<|im_end|>\n") or response.endswith("<|im_end|>")
            assert "</think>" in response
            seen += 1
    assert seen == len(examples)


def test_mask_with_the_bundled_tokenizer():
    """The same check on the real SmolLM2 tokenizer and chat template (skipped where the model is not converted)."""
    from codecritique.llm.local import BUNDLED_MODEL_NAME, cache_dir

    folder = cache_dir() / "models" / BUNDLED_MODEL_NAME
    if not (folder / "tokenizer_config.json").is_file():
        pytest.skip("bundled SmolLM2 not converted yet (codecritique run converts it on first use)")
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    rows = read_rows([], DataConfig())
    assert rows == []
    examples = stage_examples(_rows(), "2", DataConfig(), DataStats())
    out, stats = tokenize_examples(tok, examples, 4096)
    assert stats.kept["critique"] == stats.kept["generation"] == 3
    for row, e in zip(out, examples):
        n_prompt = row["completion_mask"].index(1)
        prompt_text = tok.decode(row["input_ids"][:n_prompt])
        assert prompt_text.endswith("<|im_start|>assistant\n")
        assert "<|im_start|>system\n<|im_end|>" in prompt_text  # the empty system message, not SmolLM's default
        assert tok.decode(row["input_ids"][n_prompt:]).strip() == e.completion[0]["content"] + "<|im_end|>"


def _rows():
    from codecritique.train.data import TrainRow

    return [TrainRow(id=f"s{i}", question_id=f"q{i}", question=question(i), language="python",
                     r1_generation=generation(i), qwq_critique=f"<think>x</think>ok <judgment>right</judgment>",
                     solution="print(1)", judgement="right", pass_rate=1.0) for i in range(3)]


def test_over_long_samples_are_dropped_and_counted_never_truncated(tiny_model, tmp_path):
    rows = ocr2_rows(6)
    rows[2]["r1_generation"] = "<think>\n" + "long reasoning " * 400 + "\n</think>\n```python\nprint(1)\n```"
    rows[4]["qwq_critique"] = "<think>\n" + "long critique " * 400 + "\n</think>\n<judgment>right</judgment>"
    src = write_parquet(rows, tmp_path / "d" / "python" / "p.parquet")
    examples = stage_examples(read_rows([src], DataConfig()), "2", DataConfig(), DataStats())
    prepared = prepare_stage(_recipe(tiny_model), "2", str(tiny_model), examples, tmp_path / "out")
    stats = prepared.token_stats
    assert stats.over_long == {"generation": 1, "critique": 1}
    assert stats.kept == {"generation": 5, "critique": 5}
    assert stats.longest_dropped > 512
    # listed by id (stage.json, and the log line)
    assert [(d["id"], d["kind"]) for d in stats.over_long_ids] == [("s2", "generation"), ("s4", "critique")]
    assert all(d["tokens"] > 512 for d in stats.over_long_ids)
    assert "s2 (generation" in stats.dropped_line() and "s4 (critique" in stats.dropped_line()
    eos = prepared.tokenizer.convert_tokens_to_ids("<|im_end|>")
    dataset = prepared.trainer.train_dataset
    assert len(dataset) == 10
    for ids in dataset["input_ids"]:  # every kept sample is whole: it ends with the end-of-turn token (+ newline)
        assert len(ids) <= 512 and eos in ids[-2:]


def test_critique_filter_agree_and_ratio(ocr2_parquet):
    raw = ocr2_rows(12)
    agree = {r["id"] for r in raw if (r["judgement"] == "right") == (r["pass_rate"] == "1.0")}
    assert 0 < len(agree) < 12  # the fixture has both
    rows = read_rows([ocr2_parquet], DataConfig())
    stats = DataStats()
    kept = stage_examples(rows, "2", DataConfig(critique_filter="agree"), stats)
    assert {e.id for e in kept if e.kind == "critique"} == agree
    assert stats.dropped["critique: judgement disagrees with execution"] == 12 - len(agree)
    assert sum(e.kind == "generation" for e in kept) == 12
    half = stage_examples(rows, "2", DataConfig(critique_ratio=0.5), DataStats())
    assert sum(e.kind == "critique" for e in half) == 6
    again = stage_examples(rows, "2", DataConfig(critique_ratio=0.5), DataStats())
    assert [e.id for e in half] == [e.id for e in again]  # seeded
    only_crit = stage_examples(rows, "2", DataConfig(stage2_generation=False), DataStats())
    assert {e.kind for e in only_crit} == {"critique"}
    assert {e.kind for e in stage_examples(rows, "1", DataConfig(), DataStats())} == {"generation"}


def test_pass_rate_filter_on_generation_rows(tmp_path):
    raw = ocr2_rows(8)
    raw[0]["pass_rate"] = ""  # not executed
    src = write_parquet(raw, tmp_path / "python" / "p.parquet")
    rows = read_rows([src], DataConfig())
    assert rows[0].pass_rate is None
    ids = {e.id for e in stage_examples(rows, "1", DataConfig(min_pass_rate=1.0), DataStats())}
    assert ids == {r["id"] for r in raw if r["pass_rate"] in ("1.0", "")}
    ids = {e.id for e in stage_examples(rows, "1", DataConfig(min_pass_rate=1.0, require_pass_rate=True),
                                        DataStats())}
    assert ids == {r["id"] for r in raw if r["pass_rate"] == "1.0"}


def test_bad_rows_name_the_file_and_field(tmp_path):
    raw = ocr2_rows(3)
    raw[1]["pass_rate"] = "often"
    src = write_parquet(raw, tmp_path / "python" / "p.parquet")
    with pytest.raises(DataError, match=r"p\.parquet:2: field 'pass_rate'"):
        read_rows([src], DataConfig())
    raw = ocr2_rows(3)
    raw[0]["question"] = "-"  # the release's placeholder
    src = write_parquet(raw, tmp_path / "b" / "python" / "p.parquet")
    with pytest.raises(DataError, match="placeholder"):
        read_rows([src], DataConfig())
    with pytest.raises(DataError, match="no such file"):
        read_rows([tmp_path / "missing"], DataConfig())


def test_release_rows_get_their_question_rebuilt(tmp_path):
    """A released row (question '-') is rebuilt from code_contests split/index, as problems.ocr2 does."""
    from codecritique.train.data import source_rows_from

    contests = [{"name": f"p{i}", "description": f"Statement number {i}."} for i in range(3)]
    cc = write_parquet(contests, tmp_path / "cc" / "train-00000-of-00001.parquet")
    raw = ocr2_rows(2)
    for i, r in enumerate(raw):
        r["question"], r["index"] = "-", str(2 - i)
    src = write_parquet(raw, tmp_path / "rel" / "python" / "p.parquet")
    rows = read_rows([src], DataConfig(), source_rows=source_rows_from([f"code_contests={cc.parent}"]))
    assert [r.question for r in rows] == ["Statement number 2.", "Statement number 1."]


def test_datagen_folder_reads_its_parquet_only_and_forced_judgements(tmp_path):
    """datagen's layout: DIR/data/python/*.parquet beside the stages' JSONL files; a critique whose judgement
    was forced (no tag written) gets the judgement appended in the paper's tag (default) or is dropped."""
    raw = ocr2_rows(4)
    for r in raw:
        r.update(language="python", judgement_forced=False, p_right=None)
    raw[1]["qwq_critique"] = "The code looks fine to me."  # the critic wrote no tag
    raw[1].update(judgement_forced=True, judgement="wrong", p_right=0.3)
    write_parquet(raw, tmp_path / "run" / "data" / "python" / "train-00000-of-00001.parquet")
    (tmp_path / "run" / "questions.jsonl").write_text('{"question_id": "x", "question": "not a sample"}\n')
    rows = read_rows([tmp_path / "run"], DataConfig())
    assert [r.id for r in rows] == ["s0", "s1", "s2", "s3"]
    crit = {e.id: e for e in stage_examples(rows, "2", DataConfig(), DataStats()) if e.kind == "critique"}
    assert crit["s1"].completion[0]["content"] == "The code looks fine to me.\n\n<judgment>wrong</judgment>"
    assert crit["s0"].completion[0]["content"] == raw[0]["qwq_critique"]  # a written tag: untouched
    stats = DataStats()
    dropped = stage_examples(rows, "2", DataConfig(forced_judgement="drop"), stats)
    assert "s1" not in {e.id for e in dropped if e.kind == "critique"}
    assert stats.dropped["critique: forced judgement (forced_judgement=drop)"] == 1
    kept = stage_examples(rows, "2", DataConfig(forced_judgement="keep"), DataStats())
    assert [e.completion[0]["content"] for e in kept if e.id == "s1" and e.kind == "critique"] == \
        ["The code looks fine to me."]


def test_tokenization_is_cached_so_other_ranks_and_resumes_load_it(tiny_model, ocr2_parquet, tmp_path):
    """datasets.map writes the tokenized rows to a cache named by the examples and the tokenizer; a second call (the
    other ranks after the main process, or a resumed stage) loads it and does not tokenize again."""
    from transformers import AutoTokenizer

    from codecritique.train.tokenize import tokenize_dataset

    tok = AutoTokenizer.from_pretrained(tiny_model, local_files_only=True)
    examples = stage_examples(read_rows([ocr2_parquet], DataConfig()), "2", DataConfig(), DataStats())
    entered = []

    class First:  # stands for args.main_process_first(): entered around the tokenization
        def __enter__(self):
            entered.append(True)

        def __exit__(self, *exc):
            return False

    ds, stats = tokenize_dataset(tok, examples, 512, cache_dir=tmp_path / "cache", num_proc=2, first=First)
    assert entered == [True] and len(ds) == 24 and stats.kept == {"generation": 12, "critique": 12}
    assert ds.column_names == ["input_ids", "completion_mask"]
    assert len(list((tmp_path / "cache").glob("tokenized-*.arrow"))) == 2  # one file per map process
    expected, _ = tokenize_examples(tok, examples, 512)
    assert ds["input_ids"] == [r["input_ids"] for r in expected]  # same as tokenizing one by one, same order
    assert ds["completion_mask"] == [r["completion_mask"] for r in expected]

    fresh = AutoTokenizer.from_pretrained(tiny_model, local_files_only=True)  # another process's tokenizer
    calls = []
    original = fresh.apply_chat_template
    fresh.apply_chat_template = lambda *a, **k: calls.append(1) or original(*a, **k)
    # in this process (no map workers), so a tokenization would show in `calls`
    again, stats2 = tokenize_dataset(fresh, examples, 512, cache_dir=tmp_path / "cache")
    assert calls == [] and again["input_ids"] == ds["input_ids"] and stats2.kept == stats.kept
    changed = examples[:-1]  # other examples: another cache file, tokenized afresh
    other, _ = tokenize_dataset(fresh, changed, 512, cache_dir=tmp_path / "cache")
    assert len(other) == 23 and calls
