"""Throughput of the datagen stages, measured in one run (the machine is shared and noisy: read the ratios).

    python benchmarks/datagen_throughput.py [--sizes 10000,30000,100000] [--requests 400] [--skip-ray]

1. dedup: questions/s of exact + MinHash LSH dedup on synthetic statements (templated competitive-programming text,
   10% near-duplicates planted) at each size, and how the time grows from the smallest to the largest size.
2. filter: records/s of the paper's filters with the tree-sitter syntax check (half Python, half C++ responses).
3. execute: tests/s of the execute stage (the judge, every test run) on the pool's reference solutions.
4. requests/s of the OpenAI-compatible client with 8 concurrent streams against a local HTTP server (the scripted
   teacher of the tests, so the model's own speed is out of the picture), every answer persisted in a store.
5. local vs Ray executor: the same pipeline (scripted teacher and critic, pool questions, 8 shards) on the local
   executor and on a local Ray instance with 2 CPUs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests" / "datagen"))

WORDS = ("array integer string query graph tree vertex edge path sum maximum minimum number count pairs subarray "
         "sequence permutation modulo prime divisor grid cell row column distance shortest longest operation swap "
         "reverse sort element index segment interval point line circle triangle polygon color game player turn "
         "move win lose score coin bag item weight value capacity time day year city road bridge").split()


def synthetic(n: int, rng: random.Random) -> list[dict]:
    out = []
    for i in range(n):
        if i and rng.random() < 0.1:
            src = out[rng.randrange(len(out))]["question"].split()
            text = " ".join(w for w in src if rng.random() > 0.05)
        else:
            body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(80, 200)))
            text = (f"You are given {rng.choice(WORDS)} of n elements. {body}. Input: the first line contains n "
                    f"({rng.randint(1, 9)} <= n <= 10^{rng.randint(3, 6)}). Output: print the answer.")
        out.append({"question_id": f"s{i}", "question": text, "n_tests": rng.randint(0, 20)})
    return out


def bench_dedup(sizes: list[int]) -> list[dict]:
    from codecritique.datagen.dedup import dedup

    rows = []
    for n in sizes:
        recs = synthetic(n, random.Random(n))
        t0 = time.perf_counter()
        res = dedup(recs)
        s = time.perf_counter() - t0
        rows.append({"n": n, "seconds": round(s, 2), "q_per_s": round(n / s), "removed": res.removed})
    return rows


def bench_filter(n: int) -> dict:
    from codecritique.datagen.filter import FilterConfig, filter_records

    py = "<think>\nplan\n</think>\n\n```python\nimport sys\nn = int(input())\nprint(sum(range(n)))\n```\n"
    cpp = ("<think>\nplan\n</think>\n\n```cpp\n#include <bits/stdc++.h>\nusing namespace std;\nint main(){long long n;"
           "cin>>n;cout<<n*(n-1)/2<<endl;return 0;}\n```\n")
    gens = [{"id": str(i), "language": "python" if i % 2 else "cpp", "response": py if i % 2 else cpp,
             "finish_reason": "stop"} for i in range(n)]
    t0 = time.perf_counter()
    kept, _ = filter_records(gens, FilterConfig())
    s = time.perf_counter() - t0
    return {"records": n, "seconds": round(s, 3), "records_per_s": round(n / s), "kept": len(kept)}


def bench_execute(copies: int) -> dict:
    from codecritique.datagen.execute import ExecuteConfig, execute_samples
    from codecritique.datagen.questions import POOL_PATH
    from codecritique.problems.load import load_problems

    problems = {p.id: p for p in load_problems(POOL_PATH)}
    samples = [{"id": f"{pid}/{k}", "question_id": pid, "language": "python",
                "code": p.metadata["solutions"][0]["code"] + f"\n# copy {k}\n"}
               for pid, p in problems.items() for k in range(copies)]
    t0 = time.perf_counter()
    rows = execute_samples(samples, problems, ExecuteConfig())
    s = time.perf_counter() - t0
    tests = sum(r["tests_run"] or 0 for r in rows)
    return {"samples": len(samples), "tests": tests, "seconds": round(s, 2), "tests_per_s": round(tests / s, 1)}


def bench_requests(n: int) -> dict:
    from conftest import Teacher

    from codecritique.llm.client import OpenAIClient
    from codecritique.llm.store import Store
    from codecritique.llm.types import SamplingParams

    pool = [json.loads(x) for x in (ROOT / "src/codecritique/datagen/data/pool.jsonl").read_text().splitlines()]
    with tempfile.TemporaryDirectory() as tmp:
        t = Teacher(Path(tmp)).start()
        try:
            async def go() -> float:
                with Store(Path(tmp) / "store.jsonl") as store:
                    client = OpenAIClient("scripted-teacher", t.url, concurrency=8, store=store)
                    params = SamplingParams(max_tokens=64)
                    t0 = time.perf_counter()
                    await asyncio.gather(*(client.generate(
                        [{"role": "user", "content": "Please use python programming language only.\n"
                                                     + pool[i % len(pool)]["statement"] + f"\n#{i}"}],
                        n=1, params=params) for i in range(n)))
                    s = time.perf_counter() - t0
                    await client.aclose()
                    return s
            s = asyncio.run(go())
        finally:
            t.stop()
    return {"requests": n, "streams": 8, "seconds": round(s, 2), "requests_per_s": round(n / s, 1)}


def bench_executors() -> dict:
    from conftest import Teacher

    from codecritique.datagen.backends import ModelSpec
    from codecritique.datagen.run import DatagenConfig, run_datagen

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        t = Teacher(Path(tmp)).start()
        spec = ModelSpec(urls=(t.url,), model="scripted-teacher", concurrency=4)
        try:
            for name in ("local", "ray"):
                cfg = DatagenConfig(out=str(Path(tmp) / name), questions=["pool"], benchmarks=[], samples=2,
                                    shards=8, teacher=spec, critic=spec, p_right="forced")
                ex = None
                if name == "ray":
                    import ray

                    from codecritique.pipeline.ray_executor import RayExecutor

                    ex = RayExecutor(init_kwargs={"num_cpus": 2})
                t0 = time.perf_counter()
                run_datagen(cfg, executor=ex)
                out[name] = round(time.perf_counter() - t0, 2)
                if ex is not None:
                    ex.close()
        finally:
            t.stop()
    out["ray_over_local"] = round(out["ray"] / out["local"], 2)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,30000,100000")
    ap.add_argument("--filter-records", type=int, default=20000)
    ap.add_argument("--execute-copies", type=int, default=8)
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--skip-ray", action="store_true")
    a = ap.parse_args()
    sizes = [int(x) for x in a.sizes.split(",")]
    d = bench_dedup(sizes)
    print("1. dedup (exact + MinHash LSH, word 3-grams, 128 permutations, threshold 0.5)")
    for r in d:
        print(f"   {r['n']:>7,} questions: {r['seconds']:7.2f} s  {r['q_per_s']:>7,} q/s  ({r['removed']:,} removed)")
    print(f"   time x{d[-1]['seconds'] / d[0]['seconds']:.1f} for x{d[-1]['n'] / d[0]['n']:.0f} questions")
    f = bench_filter(a.filter_records)
    print(f"2. filter (think, code block, tree-sitter): {f['records_per_s']:,} records/s ({f['records']:,} records)")
    e = bench_execute(a.execute_copies)
    print(f"3. execute: {e['tests_per_s']} tests/s ({e['tests']} tests, {e['samples']} samples, {e['seconds']} s)")
    r = bench_requests(a.requests)
    print(f"4. requests: {r['requests_per_s']} requests/s with 8 streams ({r['requests']} requests, persisted)")
    if not a.skip_ray:
        x = bench_executors()
        print(f"5. executors, same pipeline: local {x['local']} s, Ray {x['ray']} s (Ray/local {x['ray_over_local']})")


if __name__ == "__main__":
    main()
