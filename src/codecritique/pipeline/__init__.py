"""Resumable steps over shards with completion markers, and the executors that run them.

Knows steps, not what they do: see :mod:`.step` for the contract a step keeps, :mod:`.markers` for what makes a
shard count as done, :mod:`.executor` for the interface an executor (local now, Ray next) implements.
"""

from .executor import Executor, PipelineEvent
from .local import LocalExecutor
from .pipeline import Pipeline, PipelineError, StepReport
from .shard import ShardOutcome, ShardTask, arun_shard, run_shard
from .step import Shard, ShardContext, Step, output_name

__all__ = ["Executor", "LocalExecutor", "Pipeline", "PipelineError", "PipelineEvent", "Shard", "ShardContext",
           "ShardOutcome", "ShardTask", "Step", "StepReport", "arun_shard", "output_name", "run_shard"]
