"""OpenCodeReasoning-2 rows: the placeholder question rebuilt from the source datasets exactly as NeMo-Skills'
get_question does, from local copies (fixtures in the datasets' schemas)."""

import json

import pytest

from codecritique.errors import DataError
from codecritique.problems.load import detect_format, load_problems
from codecritique.problems.ocr2 import (SourceRows, get_question, question_problems, read_ocr2,
                                        rebuild_questions)
from codecritique.problems.records import iter_jsonl
from codecritique.problems.sources import load_source

from .conftest import FIXTURES

SRC = FIXTURES / "sources"
OCR2 = SRC / "ocr2" / "python" / "train-00000-of-00001.jsonl"
LOCAL = {"taco": SRC / "taco", "apps": SRC / "apps", "code_contests": SRC / "code_contests",
         "open-r1/codeforces": SRC / "codeforces"}


def _source_row(dataset, relative, index):
    return list(iter_jsonl(SRC / relative))[index]


def nemo_skills_get_question(ds_name, benchmark):
    """NeMo-Skills recipes/opencodereasoning/scripts/prepare_questions.py get_question, verbatim logic, applied to
    a row dict: the reference the rebuilt questions must equal byte for byte."""
    if ds_name == "code_contests":
        if not benchmark["description"]:
            return None
        return benchmark["description"]
    elif ds_name in ["taco", "apps"]:
        return benchmark["question"]
    elif ds_name == "open-r1/codeforces":
        if not benchmark["description"]:
            return None
        question = benchmark["description"]
        if benchmark["input_format"]:
            question += "\n\nInput\n\n" + benchmark["input_format"]
        if benchmark["output_format"]:
            question += "\n\nOutput\n\n" + benchmark["output_format"]
        if benchmark["examples"]:
            question += "\n\nExamples"
            for example in benchmark["examples"]:
                if "input" in example:
                    question += "\n\nInput\n\n" + example["input"]
                if "output" in example:
                    question += "\n\nOutput\n\n" + example["output"]
        if benchmark["note"]:
            question += "\n\nNote\n\n" + benchmark["note"]
        return question
    return None


def test_rows_are_typed():
    rows = read_ocr2(OCR2)
    assert len(rows) == 5 and all(r.language == "python" for r in rows)  # from the path
    assert (rows[0].dataset, rows[0].split, rows[0].index, rows[0].question) == ("taco", "train", 0, "-")
    assert rows[4].judgement == "wrong" and rows[4].pass_rate == "0.0" and rows[0].line == 1
    assert detect_format(str(OCR2)) == "ocr2"


def test_rebuilt_questions_equal_the_recipe():
    rows = read_ocr2(OCR2)
    rebuild_questions(rows, SourceRows(LOCAL))
    where = {"taco": "taco/train-00000-of-00001.jsonl", "apps": "apps/train.jsonl",
             "code_contests": "code_contests/test-00000-of-00001.jsonl",
             "open-r1/codeforces": "codeforces/train-00000-of-00001.jsonl"}
    for r in rows:
        source = _source_row(r.dataset, where[r.dataset], r.index)
        assert r.question == nemo_skills_get_question(r.dataset, source.data) == get_question(r.dataset, source)
    assert rows[3].question.startswith("Given a segment [l, r]") and "\n\nExamples\n\nInput\n\n2\n1 2" in \
        rows[3].question


def test_question_problems_one_per_question_id_with_source_tests():
    rows = read_ocr2(OCR2)
    sources = SourceRows(LOCAL)
    rebuild_questions(rows, sources)
    problems = question_problems(rows, sources, with_tests=True)
    assert [p.id for p in problems] == ["q-taco-0", "q-apps-1", "q-cc-0", "q-cf-0"]
    taco, apps, cc, cf = problems
    assert taco.source == "ocr2" and taco.metadata["source_id"] == "taco/train/0" and len(taco.tests) == 3
    assert apps.fn_name == "largest" and apps.metadata["output_wrapped"] == 2
    assert cc.metadata == {"dataset": "code_contests", "split": "test", "index": 0, "license": "cc-by-4.0",
                           "source_id": "1575_A. Another Sorting Problem"}
    assert cf.statement == rows[3].question and len(cf.tests) == 2 and cf.time_limit == 1.0
    assert [p.tests for p in question_problems(rows)] == [[], [], [], []]  # statements only


def test_load_source_ocr2():
    problems = load_source("ocr2", OCR2, ocr2_sources={k: str(v) for k, v in LOCAL.items()})
    assert len(problems) == 4 and all(p.statement and p.statement != "-" for p in problems)


def test_placeholder_questions_are_not_loaded_silently():
    with pytest.raises(DataError, match="placeholder question"):
        load_problems(OCR2)


def test_split_keyed_sources(tmp_path):
    rows = read_ocr2(OCR2)[:1]
    rebuild_questions(rows, SourceRows({"taco:train": SRC / "taco" / "train-00000-of-00001.jsonl"}))
    assert rows[0].question.startswith("You are given n.")


def test_errors_name_the_ocr2_row(tmp_path):
    data = [r.data for r in iter_jsonl(OCR2)]
    data[1]["index"] = "7"  # APPS train has 3 rows
    path = tmp_path / "python" / "rows.jsonl"
    path.parent.mkdir()
    path.write_text("".join(json.dumps(d) + "\n" for d in data))
    rows = read_ocr2(path)
    with pytest.raises(DataError, match="no row 7") as e:
        rebuild_questions(rows, SourceRows(LOCAL))
    assert (e.value.path, e.value.line, e.value.field) == (str(path), 2, "index")
    with pytest.raises(DataError, match="no local copy of taco"):
        rebuild_questions(read_ocr2(OCR2), SourceRows({}))


@pytest.mark.parametrize("change, field, message", [
    ({"dataset": "mbpp"}, "dataset", "expected one of taco"),
    ({"index": "x"}, "index", "non-negative integer"),
    ({"index": "-1"}, "index", "non-negative integer"),
    ({"question_id": None}, "question_id", "missing required field"),
    ({"solution": 3}, "solution", "expected a string"),
])
def test_malformed_rows(tmp_path, change, field, message):
    data = [r.data for r in iter_jsonl(OCR2)]
    data[2].update(change)
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in data))
    with pytest.raises(DataError, match=message) as e:
        read_ocr2(path)
    assert (e.value.line, e.value.field) == (3, field)


def test_empty_description_gives_no_question(tmp_path):
    cc = [r.data for r in iter_jsonl(SRC / "code_contests" / "test-00000-of-00001.jsonl")]
    cc[0]["description"] = ""
    folder = tmp_path / "cc"
    folder.mkdir()
    (folder / "test.jsonl").write_text("".join(json.dumps(d) + "\n" for d in cc))
    rows = [r for r in read_ocr2(OCR2) if r.dataset == "code_contests"]
    with pytest.raises(DataError, match="empty description") as e:
        rebuild_questions(rows, SourceRows({"code_contests": folder}))
    assert e.value.line == 3


def test_unknown_source_key():
    with pytest.raises(ValueError, match="unknown source dataset"):
        SourceRows({"mbpp": "x"})
