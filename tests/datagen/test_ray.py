"""--executor ray on a real local Ray cluster of two nodes (ray.cluster_utils.Cluster): the same dataset as the local
executor, and a worker killed mid-task loses no work and asks no finished request again."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")
pytest.importorskip("datasketch")

from codecritique.datagen.backends import ModelSpec  # noqa: E402
from codecritique.datagen.run import DatagenConfig, run_datagen  # noqa: E402

HERE = Path(__file__).resolve().parent
POOL = HERE.parents[1] / "src" / "codecritique" / "datagen" / "data" / "pool.jsonl"
WANTED = ("pool-sum-list", "pool-gcd", "pool-word-count", "pool-palindrome")


def _config(out: Path, url: str, questions: Path) -> DatagenConfig:
    spec = ModelSpec(urls=(url,), model="scripted-teacher", max_attempts=3, retry_base_delay=0.05, concurrency=2)
    return DatagenConfig(out=str(out), questions=[str(questions)], samples=2, shards=2, teacher=spec, critic=spec,
                         p_right="forced", languages=("python", "cpp"))


def _rows(out: Path) -> dict:
    import pyarrow.parquet as pq

    return {lang: [r for f in sorted((out / "data" / lang).glob("*.parquet")) for r in pq.read_table(f).to_pylist()]
            for lang in ("python", "cpp")}


def _kill_first_generate_worker(out: Path, killed: list) -> None:
    """Kill -9 the Ray worker running a generate shard once it has stored a request (pid from the store's lock)."""
    end = time.monotonic() + 120
    while time.monotonic() < end and not killed:
        for store in sorted((out / "requests").glob("generate-*.jsonl")):
            lock = store.with_name(store.name + ".lock")
            try:
                lines = store.read_text().count("\n")
                pid = int(lock.read_text().strip() or 0)
            except (OSError, ValueError):
                continue
            if lines >= 1 and pid and pid != os.getpid():
                os.kill(pid, signal.SIGKILL)
                killed.append((store.name, pid, lines))
                return
        time.sleep(0.02)


@pytest.mark.slow
def test_ray_cluster_gives_the_local_dataset_and_survives_a_killed_worker(tmp_path, make_teacher, monkeypatch):
    from ray.cluster_utils import Cluster

    from codecritique.pipeline.ray_executor import RayExecutor

    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")
    questions = tmp_path / "pool.jsonl"
    questions.write_text("".join(line + "\n" for line in POOL.read_text().splitlines()
                                 if json.loads(line)["id"] in WANTED))
    teacher = make_teacher().start("--delay", "0.15")
    local, remote = tmp_path / "local", tmp_path / "ray"
    run_datagen(_config(local, teacher.url, questions))
    served_local = len(teacher.served())

    # Ray's nodes listen on this machine's own address (forcing loopback breaks its GCS connection); every
    # connection stays on this machine
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
    cluster.add_node(num_cpus=1)
    killed: list = []
    try:
        ray.init(address=cluster.address, log_to_driver=False)
        assert len([n for n in ray.nodes() if n["Alive"]]) == 2
        killer = threading.Thread(target=_kill_first_generate_worker, args=(remote, killed), daemon=True)
        killer.start()
        with RayExecutor() as ex:
            run_datagen(_config(remote, teacher.url, questions), executor=ex)
        killer.join(5)
    finally:
        ray.shutdown()
        cluster.shutdown()
    assert killed, "no generate worker was killed"
    assert _rows(remote) == _rows(local)
    assert len(_rows(local)["python"]) == len(_rows(local)["cpp"]) == 8
    # the killed shard's finished requests were answered from its store: only those in flight when it died (the
    # server still answers them, to a client that is gone) were asked again; 2 streams per shard, and a margin of 2
    # for requests the retried attempt had in flight when the first one's answers were still being written
    served_ray = len(teacher.served()) - served_local
    assert served_local <= served_ray <= served_local + 4
    for store in (remote / "requests").glob("*.jsonl"):
        keys = [json.loads(line)["key"] for line in store.read_text().splitlines()]
        assert len(keys) == len(set(keys))
