"""The local executor: asyncio for steps that wait (model calls), worker processes for steps that compute.

* ``async`` steps: every pending shard runs as a task in one event loop, at most ``concurrency`` at a time; their
  progress reaches the pipeline's callback.
* other steps, ``workers=0``: shards run one after another in this process (progress forwarded; the step need not
  be picklable).
* other steps, ``workers=N``: shards run in a pool of N worker processes (``forkserver`` start: no inherited
  threads or locks); steps must be picklable, and their in-shard progress is not forwarded, only shard events.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from .executor import EventCallback, Executor, report_outcome, step_sink
from .shard import ShardOutcome, ShardTask, arun_shard, is_async, run_shard


class LocalExecutor(Executor):
    def __init__(self, workers: int = 0, concurrency: int = 64, start_method: str = "forkserver"):
        if workers < 0 or concurrency < 1:
            raise ValueError(f"workers must be >= 0 and concurrency >= 1, got {workers} and {concurrency}")
        self.workers = workers
        self.concurrency = concurrency
        self.start_method = start_method

    async def aexecute(self, tasks: list[ShardTask], on_event: EventCallback | None = None) -> list[ShardOutcome]:
        pool = None
        if self.workers and any(not is_async(t.step) for t in tasks):
            pool = ProcessPoolExecutor(min(self.workers, len(tasks)),
                                       mp_context=multiprocessing.get_context(self.start_method))
        limit = asyncio.Semaphore(self.concurrency)
        loop = asyncio.get_running_loop()

        async def one(task: ShardTask) -> ShardOutcome:
            try:
                if is_async(task.step):
                    async with limit:
                        result = await arun_shard(task, step_sink(task, on_event))
                elif pool is not None:
                    result = await loop.run_in_executor(pool, run_shard, task)
                else:
                    result = run_shard(task, step_sink(task, on_event))
            except BrokenProcessPool as e:
                err = RuntimeError(f"shard {task.label}: a worker process died (killed, or out of memory) "
                                   f"while it ran: {e}")
                return report_outcome(ShardOutcome(task, error=err), on_event)
            except Exception as e:  # noqa: BLE001 - reported per shard; the others go on
                return report_outcome(ShardOutcome(task, error=e), on_event)
            return report_outcome(ShardOutcome(task, result=result), on_event)

        try:
            return list(await asyncio.gather(*(one(t) for t in tasks)))
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
