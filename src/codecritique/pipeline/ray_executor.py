"""A Ray executor: each pending shard of a step runs as a Ray task on the cluster (the real engine).

    with RayExecutor(address="ray://head:10001") as ex:        # or address=None: a local Ray on this machine
        Pipeline(steps, workdir, ex).run()

Each task calls :func:`~.shard.run_shard` on a worker, which writes the shard's outputs and its completion marker
in the work directory, so the work directory must be on storage every node sees (a shared file system), as the
pipeline's contract says; the executor adds no bookkeeping of its own. Steps do not change.

* A worker that dies mid-task (killed, out of memory, its node lost) is a system failure: Ray runs the task again
  (``max_retries``), on any node. The retried shard starts from a clean temporary folder, and the work it had
  finished survives where the step keeps it outside the shard's outputs (datagen's model requests are in a store
  per shard: the retry answers them from disk, so nothing is lost or asked twice). An exception raised by the step
  itself is not retried; it becomes the shard's failure, as with the local executor.
* ``num_cpus`` per task (default 1) lets Ray spread the shards over the nodes' cores.
* Progress inside a shard (``ctx.progress``) stays on the worker; the pipeline gets ``shard-done`` /
  ``shard-failed`` events.
* Worker processes need ``codecritique`` importable: installed on every node, or shipped with
  ``runtime_env`` (``RayExecutor(runtime_env={"py_modules": [...]})``).
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from .executor import EventCallback, Executor, report_outcome
from .shard import ShardOutcome, ShardTask, run_shard


def _run(task: ShardTask) -> Any:
    return run_shard(task)


class RayExecutor(Executor):
    def __init__(self, address: str | None = None, *, num_cpus: float = 1, max_retries: int = 3,
                 runtime_env: dict[str, Any] | None = None, init_kwargs: dict[str, Any] | None = None):
        if max_retries < 0 or num_cpus <= 0:
            raise ValueError(f"max_retries must be >= 0 and num_cpus > 0, got {max_retries} and {num_cpus}")
        self.address = address
        self.num_cpus = num_cpus
        self.max_retries = max_retries
        self.runtime_env = runtime_env
        self.init_kwargs = dict(init_kwargs or {})
        self._started_here = False
        self._remote: Any = None

    def _ray(self) -> Any:
        try:
            import ray
        except ImportError:
            raise RuntimeError("--executor ray needs Ray: pip install 'codecritique[ray]'") from None
        if not ray.is_initialized():
            os.environ.setdefault("RAY_AUTH_MODE", "disabled")
            kwargs: dict[str, Any] = {"ignore_reinit_error": True, "log_to_driver": False}
            if self.address:
                kwargs["address"] = self.address
            else:  # a local Ray on this machine
                kwargs["include_dashboard"] = False
            if self.runtime_env:
                kwargs["runtime_env"] = self.runtime_env
            kwargs.update(self.init_kwargs)
            ray.init(**kwargs)
            self._started_here = True
        if self._remote is None:
            self._remote = ray.remote(_run).options(num_cpus=self.num_cpus, max_retries=self.max_retries,
                                                   retry_exceptions=False)
        return ray

    async def aexecute(self, tasks: list[ShardTask], on_event: EventCallback | None = None) -> list[ShardOutcome]:
        ray = self._ray()
        refs = [self._remote.remote(t) for t in tasks]

        async def one(task: ShardTask, ref: Any) -> ShardOutcome:
            try:
                result = await asyncio.wrap_future(ref.future())
            except ray.exceptions.RayTaskError as e:  # the step raised: its own exception, as locally
                cause = e.as_instanceof_cause() if hasattr(e, "as_instanceof_cause") else e
                return report_outcome(ShardOutcome(task, error=cause), on_event)
            except Exception as e:  # noqa: BLE001 - worker lost after every retry, cluster gone, ...
                err = RuntimeError(f"shard {task.label}: the Ray task failed: {type(e).__name__}: {e}")
                return report_outcome(ShardOutcome(task, error=err), on_event)
            return report_outcome(ShardOutcome(task, result=result), on_event)

        return list(await asyncio.gather(*(one(t, r) for t, r in zip(tasks, refs))))

    def close(self) -> None:
        if self._started_here:
            import ray

            ray.shutdown()
            self._started_here = False
        self._remote = None
