"""Self-critique test-time scaling (the paper's §3 and Appendix A: sample k solutions, critique each, select one):
`codecritique run` (:mod:`.run`) and the critique-accuracy benchmark (:mod:`.bench`). The LLM calls are
:mod:`codecritique.llm.tasks`; the selection rules are :mod:`codecritique.metrics.selection`."""
