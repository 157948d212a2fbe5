"""The datagen stages as pipeline steps (:mod:`codecritique.pipeline`).

Files in the output directory (``DIR``):

    stages/questions.all.jsonl        every question read (stage 1)
    dedup.jsonl, stages/questions.unique.jsonl        (stage 2)
    questions.jsonl, contamination.jsonl              (stage 3: the kept questions)
    stages/generations-SSSSS-of-NNNNN.jsonl           (stage 4; requests/generate-*.jsonl hold every request)
    stages/filtered-*.jsonl                           (stage 5)
    stages/critiques-*.jsonl                          (stage 6; requests/critique-*.jsonl)
    stages/executions-*.jsonl                         (stage 7)
    data/<language>/train-*.parquet, README.md, stats.json   (stage 8)
    stages/*.stats*.json              each shard's counts, read by the card

Shard ``i`` of the generate, filter, critique, execute and export steps holds the samples of the same questions
(shard ``i`` of ``questions.jsonl``), so a shard's work depends on one file of the stage before it.

The steps by stage family: ``questions.py`` (stages 1-3), ``solutions.py`` (4-6: the model calls), ``release.py``
(7-8 and the release), ``common.py`` (what they share).
"""

from codecritique.datagen.steps.common import LANGUAGES
from codecritique.datagen.steps.questions import DecontamStep, DedupStep, QuestionsStep
from codecritique.datagen.steps.release import CARD_STATS, CardStep, ExecuteStep, ExportStep, ReleaseStep
from codecritique.datagen.steps.solutions import CritiqueStep, FilterStep, GenerateStep

__all__ = ["LANGUAGES", "CARD_STATS", "QuestionsStep", "DedupStep", "DecontamStep", "GenerateStep", "FilterStep",
           "CritiqueStep", "ExecuteStep", "ExportStep", "CardStep", "ReleaseStep"]
