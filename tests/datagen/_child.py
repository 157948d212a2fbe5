"""Run datagen in this process and, optionally, kill -9 it at a chosen pipeline event (used by test_resume.py).

    python _child.py OUT TEACHER_URL QUESTIONS [STEP KIND N]

kills itself with SIGKILL at the N-th event of KIND from STEP (a real kill -9, mid-stage).
"""

import os
import signal
import sys

from codecritique.datagen.backends import ModelSpec
from codecritique.datagen.run import DatagenConfig, run_datagen


def main() -> None:
    out, url, questions = sys.argv[1:4]
    kill = sys.argv[4:7]
    teacher = ModelSpec(urls=(url,), model="scripted-teacher", max_attempts=3, retry_base_delay=0.05, concurrency=4)
    critic = ModelSpec()  # the default batching: each row samples with its own seed
    cfg = DatagenConfig(out=out, questions=[questions], benchmarks=["pool-benchmark"], samples=2, shards=2,
                        teacher=teacher, critic=critic, max_tokens=512, critique_max_tokens=8, seed=0)
    seen = {"n": 0}

    def on_event(e) -> None:
        if kill and e.step == kill[0] and e.kind == kill[1]:
            seen["n"] += 1
            if seen["n"] >= int(kill[2]):
                os.kill(os.getpid(), signal.SIGKILL)

    run_datagen(cfg, on_event=on_event)


if __name__ == "__main__":
    main()
