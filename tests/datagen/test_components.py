"""Questions, dedup, decontamination, filter, execution draw and export, each on its own."""

from __future__ import annotations

import json

import pytest

from codecritique.datagen.dedup import DedupConfig, dedup
from codecritique.datagen.execute import ExecuteConfig, drawn_tests
from codecritique.datagen.filter import FilterConfig, check, filter_records
from codecritique.datagen.questions import SourceSpec, collect_questions, is_benchmark
from codecritique.datagen.text import normalize
from codecritique.problems.model import Problem, Test

pytest.importorskip("datasketch")

BASE = ("You are given an array of N integers and Q queries. Each query gives two indices L and R and asks for the "
        "sum of the elements from position L to position R inclusive. Print the answer to every query on its own "
        "line. The first line holds N and Q, the second the array, then Q lines with L and R.")


def _q(qid: str, text: str, n_tests: int = 1) -> dict:
    return {"question_id": qid, "question": text, "n_tests": n_tests}


def test_source_specs():
    assert SourceSpec.parse("taco@train=/d/taco") == SourceSpec("taco", "/d/taco", "train")
    assert SourceSpec.parse("code_contests@train") == SourceSpec("code_contests", None, "train")
    assert SourceSpec.parse("/no/such/file.jsonl") == SourceSpec("auto", "/no/such/file.jsonl")
    assert SourceSpec.parse("pool") == SourceSpec("pool")


def test_benchmark_splits_are_refused(tmp_path):
    assert is_benchmark("code_contests", "test") and is_benchmark("livecodebench", "")
    assert not is_benchmark("code_contests", "train") and not is_benchmark("taco", "train")
    f = tmp_path / "lcb.jsonl"
    f.write_text(json.dumps({"question_id": "abc1", "question_content": "Print 1.", "question_title": "t",
                             "platform": "atcoder", "contest_date": "2024-09-01T00:00:00", "difficulty": "easy",
                             "public_test_cases": "[]", "private_test_cases": "[]", "metadata": "{}",
                             "starter_code": ""}) + "\n")
    with pytest.raises(ValueError, match="benchmark split"):
        collect_questions([SourceSpec.parse(str(f))])
    from codecritique.datagen.questions import QuestionOptions

    got = collect_questions([SourceSpec.parse(str(f))], QuestionOptions(allow_benchmarks=True))
    assert [r["question_id"] for r in got.records] == ["abc1"]


def test_pool_questions_keep_source_fields():
    got = collect_questions([SourceSpec.parse("pool")])
    r = got.records[0]
    assert r["question"].startswith("You are given N integers") and r["dataset"] == "pool"
    assert r["split"] == "train" and r["index"] == 0 and r["n_tests"] == len(r["problem"]["tests"])


def test_normalize_ignores_format_case_and_numbers():
    assert normalize("**Given** N <= 10^5,\n  print it!") == normalize("given n <= 20^6 print   IT")


def test_dedup_finds_planted_copies_and_keeps_the_one_with_most_tests():
    words = BASE.split()
    dropped = " ".join(w for i, w in enumerate(words) if i % 9 != 4)  # every 9th word dropped
    renamed = BASE.replace("array", "sequence").replace("N", "M")
    records = [_q("a", BASE, 2), _q("b", "**" + BASE.upper().replace(". ", ".\n\n") + "**", 7), _q("c", dropped, 1),
               _q("d", renamed, 1),
               _q("e", "Given a tree with N vertices, find its diameter: the longest path between two vertices.")]
    result = dedup(records)
    assert [r["question_id"] for r in result.kept] == ["b", "e"]  # b has the most tests
    (cluster,) = result.clusters
    assert cluster["kept"] == "b" and cluster["size"] == 4
    methods = {r["question_id"]: r["method"] for r in cluster["removed"]}
    assert methods == {"a": "exact", "c": "minhash", "d": "minhash"}
    assert all(0.5 <= r["similarity"] <= 1.0 for r in cluster["removed"])


def test_dedup_tie_keeps_the_smallest_id_whatever_the_order():
    r1 = dedup([_q("z", BASE, 3), _q("m", BASE + " ", 3)])
    r2 = dedup([_q("m", BASE + " ", 3), _q("z", BASE, 3)])
    assert [r["question_id"] for r in r1.kept] == [r["question_id"] for r in r2.kept] == ["m"]


def test_dedup_keeps_distinct_statements_of_the_same_shape():
    a = "Given N integers, print the maximum of them. The first line holds N, the second the integers."
    b = "Given N integers, print the number of distinct values. The first line holds N, the second the integers."
    assert dedup([_q("a", a), _q("b", b)], DedupConfig(threshold=0.7)).removed == 0


def test_decontamination_methods():
    from codecritique.datagen.decontam import DecontamConfig, decontaminate, parse_judge_answer

    bench = [{"benchmark": "lcb", "item_id": "q1", "text": BASE},
             {"benchmark": "lcb", "item_id": "q2", "text": "Count the inversions of a permutation of size N."}]
    records = [_q("pasted", "Story: a shopkeeper. " + BASE + " Extra note about limits."),
               _q("paraphrase", "You have an array of N numbers and Q queries; each query asks for the sum of the "
                                "elements between indices L and R. Output each answer on a separate line."),
               _q("other", "Find the minimum spanning tree weight of a weighted undirected graph.")]
    r = decontaminate(records, bench, DecontamConfig())
    by = {f["question_id"]: f for f in r.flagged}
    assert by["pasted"]["method"] == "both" and by["pasted"]["ngram_score"] >= 0.9
    assert by["paraphrase"]["method"] == "embedding" and by["paraphrase"]["embedding_cosine"] >= 0.7
    assert "other" not in by
    assert [k["question_id"] for k in r.kept] == ["other"]
    only_ngram = decontaminate(records, bench, DecontamConfig(embedding=False))
    assert [f["question_id"] for f in only_ngram.flagged] == ["pasted"]
    judged = decontaminate(records, bench, DecontamConfig(), judge=lambda pairs: [False] * len(pairs))
    assert {k["question_id"] for k in judged.kept} == {"paraphrase", "other"}  # n-gram overlap stays removed
    assert parse_judge_answer("True") is True and parse_judge_answer(" false.") is False
    assert parse_judge_answer("maybe") is None


FENCE = "```"


@pytest.mark.parametrize("text,lang,reason", [
    (f"<think>x</think>\n{FENCE}python\nprint(1)\n{FENCE}", "python", None),
    (f"x</think>\n{FENCE}python\nprint(1)\n{FENCE}", "python", None),  # <think> opened by the template
    (f"{FENCE}python\nprint(1)\n{FENCE}", "python", "no </think>"),
    ("<think>cut off", "python", "unclosed <think> (truncated)"),
    ("<think>x</think>", "python", "empty solution"),
    (f"<think>x</think>{FENCE}cpp\nint main(){{}}\n{FENCE}", "python", "no python code block"),
    (f"<think>x</think>{FENCE}python\nprint(1)", "python", "code block not closed"),
    (f"<think>x</think>{FENCE}python\ndef f(:\n  pass\n{FENCE}", "python", "syntax error"),
    (f"<think>x</think>{FENCE}cpp\nint main() {{ int n = 3 return 0; }}\n{FENCE}", "cpp", "syntax error"),
    (f"<think>x</think>{FENCE}cpp\n#include <cstdio>\nint main(){{puts(\"a\");}}\n{FENCE}", "cpp", None),
])
def test_filter_rules(text, lang, reason):
    assert check(text, lang, FilterConfig()).reason == reason


def test_filter_relaxed_think_and_recipe_rules_and_counts():
    relaxed = FilterConfig(require_think=False)
    assert check(f"{FENCE}python\nprint(1)\n{FENCE}", "python", relaxed).reason is None
    recipe = FilterConfig(recipe=True)
    assert check(f"<think>x</think>Here it is:\n{FENCE}python\nfor i in range(3):\n    pass\n{FENCE}", "python",
                 recipe).reason == "recipe: code contains 'pass'"
    gens = [{"id": str(i), "language": "python", "response": t, "finish_reason": "stop"} for i, t in enumerate(
        [f"<think>a</think>{FENCE}python\nprint(1)\n{FENCE}", "nothing", "nothing either"])]
    gens.append({"id": "x", "language": "python", "response": None, "error": "LLMRequestError: boom"})
    kept, dropped = filter_records(gens, FilterConfig())
    assert [k["id"] for k in kept] == ["0"] and kept[0]["code"] == "print(1)"
    assert dropped == {"no </think>": 2, "request failed": 1}


def test_execution_draws_at_most_50_tests_seeded_per_question():
    p = Problem("q", tests=[Test("stdin", str(i), str(i)) for i in range(80)])
    a = drawn_tests(p, ExecuteConfig(seed=1))
    assert len(a) == 50 and a == sorted(a) and a == drawn_tests(p, ExecuteConfig(seed=1))
    assert a != drawn_tests(p, ExecuteConfig(seed=2))
    assert drawn_tests(Problem("few", tests=p.tests[:4]), ExecuteConfig()) is None
    assert drawn_tests(Problem("ok", tests=p.tests[:7]), ExecuteConfig()) == list(range(7))


def test_export_schema_loads_with_datasets(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "cache"))
    from datasets import load_dataset

    from codecritique.datagen.export import EXTRA_FIELDS, RELEASED_FIELDS, export_row, write_parquet

    q = {"question_id": "q1", "question": "Print 1.", "source": "AtCoder", "dataset": "taco", "split": "train",
         "index": 7, "difficulty": "EASY", "license": "apache-2.0"}
    gen = {"id": "ab" * 16, "language": "python", "sample_index": 0, "response": "<think>t</think>code",
           "code": "print(1)", "model": "m", "finish_reason": "stop", "completion_tokens": 5}
    crit = {"critique": "fine <judgment>right</judgment>", "judgement": "right", "forced": False, "p_right": 0.9}
    exe = {"pass_rate": 0.5, "tests_passed": 3, "tests_run": 6, "verdict": "WA"}
    (tmp_path / "python").mkdir()
    write_parquet(tmp_path / "python" / "train-00000-of-00001.parquet",
                  [export_row(q, gen, crit, exe, think_required=True),
                   export_row(q, {**gen, "id": "cd" * 16}, crit, None, think_required=True)])
    ds = load_dataset("parquet", data_files={"python": str(tmp_path / "python" / "*.parquet")})["python"]
    assert ds.column_names == list(RELEASED_FIELDS) + list(EXTRA_FIELDS)
    assert all(ds.features[f].dtype == "string" for f in RELEASED_FIELDS)
    row = ds[0]
    assert row["pass_rate"] == "0.5" and row["index"] == "7" and row["judgement"] == "right"
    assert ds[1]["pass_rate"] == "" and ds[1]["pass_rate_value"] is None
