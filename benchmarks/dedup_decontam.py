"""Dedup and decontamination measured on planted data built from real statements (../shared/data), side by side.

    python benchmarks/dedup_decontam.py [--copies 200] [--seed 0] [--skip-embedding] [--json OUT]

Real statements: the CodeContests problems (codecontests_155_problems.jsonl), the 423 distinct DebugBench LeetCode
problems, the 1055 LiveCodeBench release_v6 statements. Planted copies of four kinds, each from one real statement:

* ``reformatted``: LaTeX ``$`` and ``\\le`` rewritten, Markdown headers and bold, paragraphs re-broken, case changed;
* ``renamed``: person names and one-letter variables renamed, every number changed (renumbered);
* ``drop10`` / ``drop25``: 10% / 25% of the words dropped at random.

1. **Dedup**: pool = every real statement + planted copies of ``--copies`` random ones. For exact matching and for
   MinHash at several (shingle, threshold) settings: recall per kind (the copy lands in its original's cluster),
   false merges (two different real statements in one cluster; each is listed, because a "false" merge can be a real
   duplicate: the same LeetCode problem in DebugBench and LiveCodeBench is caught here), and time.
2. **Decontamination**: benchmark = LiveCodeBench; pool = CodeContests + DebugBench statements + planted copies of
   ``--copies`` LiveCodeBench statements. For n-gram containment, embedding cosine >= 0.7, both (AND) and either
   (OR): recall per kind (the copy flagged against its own source) and flags on the real statements.
3. **Real finding**: the flags on the real CodeContests and DebugBench statements against LiveCodeBench, each with
   its scores, its nearest LCB item, and whether the titles say it is the same problem (DebugBench slug = LCB
   title, the LeetCode problem's URL name).

The machine is shared: timings are indicative; the recall/false-positive counts are not timing-dependent.
"""

from __future__ import annotations

import argparse
import glob
import json
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

DATA = ROOT.parent / "shared" / "data"
NAMES = ["Alice", "Bob", "Monocarp", "Polycarp", "Vasya", "Petya", "Masha", "Dasha", "Takahashi", "Aoki", "John",
         "Chef", "Limak", "Snuke", "Mike", "Ivan", "Anna"]
KINDS = ("reformatted", "renamed", "drop10", "drop25")


def load_real() -> dict[str, list[dict]]:
    from codecritique.problems.load import load_problems

    cc = [{"id": f"cc/{p.id}", "text": p.statement, "title": p.title}
          for p in load_problems(DATA / "codecontests" / "codecontests_155_problems.jsonl")]
    seen, db = set(), []
    for f in sorted(glob.glob(str(DATA / "debugbench" / "python3_*.json"))):
        for r in json.load(open(f)):
            if r["slug"] in seen:
                continue
            seen.add(r["slug"])
            text = r["description"] + "\n\n" + "\n".join(r.get("examples") or []) + "\n\n" + (r.get("constraints") or "")
            db.append({"id": f"debugbench/{r['slug']}", "text": text, "title": r["slug"]})
    lcb = []
    for line in open(DATA / "lcb" / "lcb_release_v6_problems.jsonl"):
        r = json.loads(line)
        lcb.append({"id": f"lcb/{r['question_id']}", "text": r["question_content"], "title": r["question_title"],
                    "platform": r.get("platform", "")})
    return {"codecontests": cc, "debugbench": db, "lcb": lcb}


def reformat(text: str, rng: random.Random) -> str:
    t = text.replace("$", "").replace("\\leq", "≤").replace("\\le", "≤").replace("\\geq", "≥").replace("\\ge", "≥")
    t = re.sub(r"^(Input|Output|Examples?|Note|Constraints)\s*$", r"### \1", t, flags=re.M)
    t = re.sub(r"\n{2,}", "\n", t) if rng.random() < 0.5 else t.replace("\n", "\n\n")
    t = re.sub(r"\b(integer|string|array)s?\b", lambda m: f"**{m.group(0)}**", t)
    return t.upper() if rng.random() < 0.3 else t


def rename(text: str, rng: random.Random) -> str:
    others = NAMES[:]
    rng.shuffle(others)
    mapping = dict(zip(NAMES, others))
    t = re.sub(r"\b(" + "|".join(NAMES) + r")\b", lambda m: mapping[m.group(1)], text)
    letters = {"n": "m", "m": "n", "k": "q", "x": "y", "s": "t", "a": "b", "N": "M", "K": "Q"}
    t = re.sub(r"\b([nmkxsaNK])\b", lambda m: letters[m.group(1)], t)
    return re.sub(r"\d+", lambda m: str(int(m.group(0)) + rng.randint(1, 9)), t)


def drop(text: str, rng: random.Random, p: float) -> str:
    return " ".join(w for w in text.split() if rng.random() >= p)


def plant(items: list[dict], n: int, rng: random.Random, prefix: str) -> list[dict]:
    out = []
    for it in rng.sample(items, min(n, len(items))):
        for kind in KINDS:
            text = {"reformatted": lambda t: reformat(t, rng), "renamed": lambda t: rename(t, rng),
                    "drop10": lambda t: drop(t, rng, 0.10), "drop25": lambda t: drop(t, rng, 0.25)}[kind](it["text"])
            out.append({"id": f"{prefix}{kind}/{it['id']}", "text": text, "of": it["id"], "kind": kind})
    return out


def bench_dedup(real: dict, copies: int, rng: random.Random) -> dict:
    from codecritique.datagen.dedup import DedupConfig, dedup

    base = real["codecontests"] + real["debugbench"] + real["lcb"]
    planted = plant(base, copies, rng, "copy/")
    docs = base + planted
    records = [{"question_id": d["id"], "question": d["text"], "n_tests": 1 if d["id"].startswith("copy/") else 2}
               for d in docs]
    title = {d["id"]: d.get("title", "") for d in base}
    settings = [("exact only", DedupConfig(fuzzy=False))] + [
        (f"minhash {s}-gram t={t}", DedupConfig(shingle=s, threshold=t)) for s in (3, 5) for t in (0.4, 0.5, 0.6, 0.7, 0.8)]
    out = {"docs": len(docs), "real": len(base), "planted": len(planted), "settings": []}
    for label, cfg in settings:
        t0 = time.perf_counter()
        res = dedup(records, cfg)
        secs = time.perf_counter() - t0
        cluster_of = {}
        for c in res.clusters:
            for m in [c["kept"]] + [r["question_id"] for r in c["removed"]]:
                cluster_of[m] = c["kept"]
        recall = {k: 0 for k in KINDS}
        for p in planted:
            recall[p["kind"]] += cluster_of.get(p["id"]) is not None and cluster_of.get(p["id"]) == cluster_of.get(p["of"])
        merges = []
        for c in res.clusters:
            reals = sorted(m for m in [c["kept"]] + [r["question_id"] for r in c["removed"]]
                           if not m.startswith("copy/"))
            for i in range(len(reals)):
                for j in range(i + 1, len(reals)):
                    a, b = reals[i], reals[j]
                    same = bool(title.get(a)) and title.get(a) == title.get(b)
                    merges.append({"a": a, "b": b, "same_title": same})
        out["settings"].append({"setting": label, "seconds": round(secs, 2),
                                "recall": {k: round(v / copies, 3) for k, v in recall.items()},
                                "false_merges": sum(not m["same_title"] for m in merges),
                                "same_problem_merges": sum(m["same_title"] for m in merges),
                                "merges": merges[:40]})
    return out


def bench_decontam(real: dict, copies: int, rng: random.Random, embedding: bool) -> dict:
    from codecritique.datagen.decontam import NgramIndex, embedding_nearest

    bench = real["lcb"]
    planted = plant(bench, copies, rng, "planted/")
    pool = real["codecontests"] + real["debugbench"] + planted
    t0 = time.perf_counter()
    index = NgramIndex([b["text"] for b in bench], 13)
    ngram = [index.best(p["text"]) for p in pool]
    t_ngram = time.perf_counter() - t0
    emb = None
    t_emb = 0.0
    if embedding:
        from codecritique.datagen.embed import Embedder

        t0 = time.perf_counter()
        e = Embedder()
        bvec = e.encode([b["text"] for b in bench])
        pvec = e.encode([p["text"] for p in pool])
        idx, sim = embedding_nearest(pvec, bvec)
        emb = (idx, sim)
        t_emb = time.perf_counter() - t0
    rows = []
    for i, p in enumerate(pool):
        j, score, _ = ngram[i]
        rows.append({"id": p["id"], "of": p.get("of"), "kind": p.get("kind", "real"),
                     "ngram_item": bench[j]["id"] if j is not None else None, "ngram": round(score, 4),
                     "emb_item": bench[int(emb[0][i])]["id"] if emb else None,
                     "cosine": round(float(emb[1][i]), 4) if emb else None})
    methods = {"ngram>=0.2": lambda r: r["ngram"] >= 0.2, "ngram>=0.1": lambda r: r["ngram"] >= 0.1}
    if emb:
        methods.update({"embedding>=0.7": lambda r: r["cosine"] >= 0.7,
                        "both (AND)": lambda r: r["ngram"] >= 0.2 and r["cosine"] >= 0.7,
                        "either (OR, the default)": lambda r: r["ngram"] >= 0.2 or r["cosine"] >= 0.7})
    titles = {b["id"]: b["title"] for b in bench}
    results = []
    for name, hit in methods.items():
        rec = {k: 0 for k in KINDS}
        for r in rows:
            if r["kind"] in KINDS and hit(r):
                item = r["ngram_item"] if r["ngram"] >= 0.1 and (not emb or r["ngram_item"] == r["of"]) \
                    else r["emb_item"]
                rec[r["kind"]] += item == r["of"] or r["ngram_item"] == r["of"]
        real_flags = [r for r in rows if r["kind"] == "real" and hit(r)]
        results.append({"method": name, "recall": {k: round(v / copies, 3) for k, v in rec.items()},
                        "real_flagged": len(real_flags),
                        "real_flagged_codecontests": sum(r["id"].startswith("cc/") for r in real_flags),
                        "real_flagged_debugbench": sum(r["id"].startswith("debugbench/") for r in real_flags)})
    finding = []
    for r in rows:
        if r["kind"] != "real":
            continue
        flagged = r["ngram"] >= 0.2 or (r["cosine"] is not None and r["cosine"] >= 0.7)
        if not flagged:
            continue
        item = r["ngram_item"] if r["ngram"] >= 0.2 else r["emb_item"]
        slug = r["id"].split("/", 1)[1]
        finding.append({**r, "nearest": item, "nearest_title": titles.get(item),
                        "same_title": r["id"].startswith("debugbench/") and titles.get(item) == slug})
    lcb_titles = set(titles.values())
    db_in_lcb = sorted(d["title"] for d in real["debugbench"] if d["title"] in lcb_titles)
    return {"benchmark_items": len(bench), "pool": len(pool), "planted": len(planted),
            "seconds": {"ngram": round(t_ngram, 2), "embedding": round(t_emb, 2)}, "methods": results,
            "real_flags": finding, "debugbench_slugs_also_in_lcb": db_in_lcb}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-embedding", action="store_true")
    ap.add_argument("--json")
    a = ap.parse_args()
    if not (DATA / "lcb").is_dir():
        print(f"skipped: {DATA} not found (the shared benchmark data)")
        return
    rng = random.Random(a.seed)
    real = load_real()
    print(f"real statements: CodeContests {len(real['codecontests'])}, DebugBench {len(real['debugbench'])}, "
          f"LiveCodeBench {len(real['lcb'])}")
    d = bench_dedup(real, a.copies, rng)
    print(f"\n1. dedup: {d['docs']} statements ({d['real']} real + {d['planted']} planted copies of {a.copies})")
    print(f"{'setting':24} {'s':>6} " + " ".join(f"{k:>11}" for k in KINDS) + "  false merges  same-problem merges")
    for s in d["settings"]:
        print(f"{s['setting']:24} {s['seconds']:6.2f} " + " ".join(f"{s['recall'][k]:11.3f}" for k in KINDS)
              + f"  {s['false_merges']:12d}  {s['same_problem_merges']:18d}")
    c = bench_decontam(real, a.copies, rng, not a.skip_embedding)
    print(f"\n2. decontamination against LiveCodeBench ({c['benchmark_items']} items): pool {c['pool']} "
          f"({c['planted']} planted copies of {a.copies} LCB statements); n-gram {c['seconds']['ngram']} s, "
          f"embedding {c['seconds']['embedding']} s")
    print(f"{'method':26} " + " ".join(f"{k:>11}" for k in KINDS) + "  real flags (CC / DebugBench)")
    for m in c["methods"]:
        print(f"{m['method']:26} " + " ".join(f"{m['recall'][k]:11.3f}" for k in KINDS)
              + f"  {m['real_flagged']} ({m['real_flagged_codecontests']} / {m['real_flagged_debugbench']})")
    print(f"\n3. real finding: {len(c['real_flags'])} real CodeContests/DebugBench statements flagged against LCB "
          f"(n-gram >= 0.2 or cosine >= 0.7); DebugBench slugs that are also LCB titles: "
          f"{len(c['debugbench_slugs_also_in_lcb'])} {c['debugbench_slugs_also_in_lcb'][:10]}")
    for f in sorted(c["real_flags"], key=lambda f: -(f["cosine"] or 0))[:30]:
        print(f"  {f['id']:60} -> {f['nearest']:12} {str(f['nearest_title'])[:40]:40} ngram {f['ngram']:.3f} "
              f"cos {f['cosine'] if f['cosine'] is not None else '-'} same title: {f['same_title']}")
    if a.json:
        Path(a.json).write_text(json.dumps({"dedup": d, "decontam": c}, indent=1))


if __name__ == "__main__":
    main()
