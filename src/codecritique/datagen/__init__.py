"""The OpenCodeReasoning-II dataset pipeline (``codecritique datagen``).

questions -> dedup -> decontaminate -> generate -> filter -> critique -> execute -> export, each stage a resumable
step over shards. Every module here holds one stage's logic as plain functions and small classes over records
(dicts); :mod:`.steps` wires them onto :mod:`codecritique.pipeline`. Nothing here prints: progress goes through
callbacks and results are returned.
"""
