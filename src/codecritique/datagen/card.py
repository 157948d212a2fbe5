"""The dataset card (``README.md`` of the output): what was built, how, and every stage's counts.

:func:`merge_stats` adds up the shards' stats files into one dict (also written as ``stats.json``);
:func:`card_text` renders it as a Hugging Face dataset card (YAML header with the Parquet ``configs``, so
``load_dataset(DIR)`` finds both splits), including the paper's Table 1 (questions and samples per source and
language).
"""

from __future__ import annotations

from typing import Any

from codecritique.datagen.export import EXTRA_FIELDS, RELEASED_FIELDS


def _add(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out = dict(a)
    for k, v in b.items():
        if isinstance(v, bool) or not isinstance(v, (int, float, dict)):
            out.setdefault(k, v)
        elif isinstance(v, dict):
            out[k] = _add(out.get(k, {}) if isinstance(out.get(k), dict) else {}, v)
        else:
            out[k] = out.get(k, 0) + v
    return out


def merge_stats(per_file: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for name, parts in per_file.items():
        key = name.rsplit("/", 1)[-1].split(".")[0]  # stages/filter.stats.json -> filter
        total: dict[str, Any] = {}
        for p in parts:
            if key == "export":
                p = dict(p)
                p["table1"] = {lang: {src: {"questions": len(c["questions"]) if isinstance(c["questions"], list)
                                            else c["questions"], "samples": c["samples"]}
                                      for src, c in t.items()} for lang, t in p.get("table1", {}).items()}
            total = _add(total, p)
        merged[key] = total
    return merged


def _table1(stats: dict[str, Any], languages: list[str]) -> str:
    table = stats.get("export", {}).get("table1", {})
    sources = sorted({s for lang in languages for s in table.get(lang, {})})
    head = "| Source | " + " | ".join(f"{_lang(l)} #Q | {_lang(l)} #Samples" for l in languages) + " |"
    sep = "|---|" + "---:|---:|" * len(languages)
    lines = [head, sep]
    totals = {l: [0, 0] for l in languages}
    for s in sources:
        cells = []
        for l in languages:
            c = table.get(l, {}).get(s, {"questions": 0, "samples": 0})
            cells += [f"{c['questions']:,}", f"{c['samples']:,}"]
            totals[l][0] += c["questions"]
            totals[l][1] += c["samples"]
        lines.append(f"| {s} | " + " | ".join(cells) + " |")
    lines.append("| **Total** | " + " | ".join(f"**{totals[l][0]:,}** | **{totals[l][1]:,}**" for l in languages)
                 + " |")
    return "\n".join(lines)


def _lang(l: str) -> str:
    return {"python": "Python", "cpp": "C++"}.get(l, l)


def _counts(d: dict[str, Any]) -> str:
    if not d:
        return "none"
    return ", ".join(f"{k}: {v:,}" if isinstance(v, int) else f"{k}: {v}" for k, v in sorted(d.items()))


def card_text(stats: dict[str, Any]) -> str:
    st = stats.get("settings", {})
    languages = list(st.get("languages", ["python", "cpp"]))
    q, dd, dc = stats.get("questions", {}), stats.get("dedup", {}), stats.get("decontam", {})
    gen, flt, crit = stats.get("generate", {}), stats.get("filter", {}), stats.get("critique", {})
    exe, exp = stats.get("execute", {}), stats.get("export", {})
    rows = exp.get("rows", {})
    yaml = ["---", "configs:", "- config_name: default", "  data_files:"]
    for l in languages:
        yaml += [f"  - split: {l}", f"    path: data/{l}/*.parquet"]
    yaml += ["license: other", "task_categories:", "- text-generation", "tags:", "- code", "- synthetic", "---", ""]
    out = yaml + [
        "# Question-solution-critique data for competitive programming",
        "",
        "Built by `codecritique datagen`, a reproduction of the OpenCodeReasoning-II pipeline (arXiv 2507.09075): "
        "questions -> deduplication -> decontamination -> teacher solutions -> structural filters -> critiques "
        "with a binary judgement -> execution pass rates.",
        "",
        f"- Teacher: `{st.get('teacher_model', '?')}`; critic: `{st.get('critic_model', '?')}`; "
        f"{st.get('samples', '?')} samples per question and language; temperature {st.get('temperature', '?')}, "
        f"top-p {st.get('top_p', '?')}, at most {st.get('max_tokens', '?')} solution tokens and "
        f"{st.get('critique_max_tokens', '?')} critique tokens; seed {st.get('seed', '?')}.",
        f"- Rows: " + ", ".join(f"{_lang(l)} {rows.get(l, 0):,}" for l in languages) + ".",
    ]
    if st.get("embedded"):
        out += ["- **Embedded demonstration**: the bundled SmolLM2-135M-Instruct and the question pool shipped with "
                "the package. It shows every stage working on CPU; it is not a training set of any quality."]
    if not st.get("require_think", True):
        out += ["- **The `<think>` rule was relaxed**: the model does not reason inside `<think>...</think>`, so "
                "the whole response was taken as the solution segment (the paper drops such responses)."]
    rel = stats.get("release")
    if rel:
        out += [f"- **From the OCR-2 release** `{st.get('from_release')}`: {rel.get('rows', 0):,} rows, "
                f"{rel.get('questions', 0):,} questions rebuilt, {rel.get('samples', 0):,} samples; stages run: "
                f"{', '.join(st.get('release_stages', []))} (the other fields are the release's)."]
    elif not dc.get("benchmarks"):
        out += ["- **No benchmarks were given: the questions were NOT decontaminated.**"]
    out += [
        "",
        "## Table 1: questions and samples per source and language",
        "",
        _table1(stats, languages),
        "",
        "## Counts of every stage",
        "",
        "| stage | in | out | notes |",
        "|---|---:|---:|---|",
        f"| questions | {q.get('read', 0):,} | {q.get('kept', 0):,} | dropped: {_counts(q.get('dropped', {}))}; "
        f"sources: {_counts(q.get('per_source', {}))} |",
        f"| dedup | {dd.get('in', 0):,} | {dd.get('kept', 0):,} | {dd.get('clusters', 0):,} clusters; exact "
        f"{dd.get('exact_removed', 0):,}, MinHash {dd.get('fuzzy_removed', 0):,} removed (word "
        f"{dd.get('config', {}).get('shingle', '?')}-grams, {dd.get('config', {}).get('num_perm', '?')} "
        f"permutations, Jaccard >= {dd.get('config', {}).get('threshold', '?')}); clusters in `dedup.jsonl` |",
        f"| decontaminate | {dc.get('in', 0):,} | {dc.get('kept', 0):,} | {dc.get('benchmark_items', 0):,} benchmark "
        f"items ({', '.join(dc.get('benchmarks', [])) or 'none'}); flagged {dc.get('flagged', 0):,} "
        f"({_counts(dc.get('by_method', {}))}); LLM judge: {dc.get('judge') or 'none'}"
        f"{' (said True: ' + str(dc.get('judge_true', 0)) + ')' if dc.get('judge') else ''}; removal policy "
        f"`{dc.get('policy', '?')}`; pairs in `contamination.jsonl` |",
        f"| generate | {gen.get('questions', 0):,} questions | {gen.get('requests', 0) - gen.get('failed', 0):,} "
        f"samples | per language: {_counts(gen.get('per_language', {}))}; failed requests: {gen.get('failed', 0):,}"
        f" ({_counts(gen.get('errors', {}))}; retried by the next run) |",
        f"| filter | {flt.get('in', 0):,} | {flt.get('kept', 0):,} | dropped: {_counts(flt.get('dropped', {}))} |",
        f"| critique | {crit.get('requests', 0):,} | {crit.get('parsed', 0) + crit.get('forced', 0):,} | judgement "
        f"tag written: {crit.get('parsed', 0):,}; forced choice: {crit.get('forced', 0):,}; unparsable (dropped): "
        f"{crit.get('unparsable', 0):,}; failed requests: {crit.get('failed', 0):,}; with p_right: "
        f"{crit.get('p_right', 0):,} |",
        f"| execute | {exe.get('samples', 0):,} | {exe.get('executed', 0):,} executed | not executed (< 5 tests): "
        f"{exe.get('not_executed', 0):,}; judge system errors: {exe.get('system_errors', 0):,}; tests run: "
        f"{exe.get('tests_run', 0):,}; all tests passed: {exe.get('all_passed', 0):,} |",
        f"| export | | {sum(rows.values()):,} | dropped: {_counts(exp.get('dropped', {}))}; judgements: "
        + "; ".join(f"{_lang(l)} {_counts(exp.get('judgements', {}).get(l, {}))}" for l in languages) + " |",
        "",
        "Filter drops per language: " + "; ".join(
            f"{_lang(l)}: {_counts(flt.get('per_language', {}).get(l, {}))}" for l in languages) + ".",
        "",
        "## How each stage was done",
        "",
        "- **Questions**: the question text as the authors' `get_question` builds it (CodeContests `description`, "
        "TACO/APPS `question`, open-r1/codeforces description with Input/Output/Examples/Note); benchmark test "
        "splits refused unless asked for.",
        "- **Dedup**: exact match of normalised text (NFKC, lower case, digits as 0, punctuation dropped), then "
        "MinHash LSH (datasketch); one question kept per cluster: most tests, then the smallest question_id.",
        "- **Decontamination**: long word n-gram containment and all-MiniLM-L6-v2 cosine similarity to the nearest "
        "benchmark item (the paper's cutoff 0.7), optionally an LLM judge of the flagged pairs.",
        "- **Filter**: reasoning inside `<think>...</think>`, a code block of the language after it, tree-sitter "
        "syntax check (Python, C++)" + (", and the authors' recipe rules" if flt.get("config", {}).get("recipe")
                                         else "") + ".",
        f"- **Critique**: the Figure 7 prompt with the question and the solution's code; only binary judgements "
        f"kept. {crit.get('forced', 0):,} judgements were **forced**: the critic wrote no judgement tag, so "
        "`right` and `wrong` were scored after `<judgment>` and the likelier taken (`judgement_forced` is true on "
        "those rows; `p_right` holds P(right)/(P(right)+P(wrong)) wherever it could be had).",
        "- **Execute**: questions with at least 5 tests, at most 50 drawn at random (seeded per question); "
        "`pass_rate` is the **fraction of the drawn tests passed** (the paper does not say whether its pass rate "
        "is a fraction or a 0/1 verdict); the question's time and memory limits; `\"\"` where not executed.",
        "",
        "## Schema",
        "",
        "The 14 string fields of `nvidia/OpenCodeReasoning-2`: " + ", ".join(f"`{f}`" for f in RELEASED_FIELDS)
        + ". Differences from the release: `question` holds the text (the release has the placeholder `-`), "
        "`solution` is the extracted code without its fence, `pass_rate` is a decimal string or `\"\"`.",
        "",
        "Extra columns:",
        "",
    ] + [f"- `{name}` ({kind.rstrip('_')}): {desc}" for name, (kind, desc) in EXTRA_FIELDS.items()] + [
        "",
        "```python",
        "from datasets import load_dataset",
        "ds = load_dataset(\"parquet\", data_files={" + ", ".join(
            f"\"{l}\": \"DIR/data/{l}/*.parquet\"" for l in languages) + "})",
        "```",
        "",
    ]
    return "\n".join(out)
