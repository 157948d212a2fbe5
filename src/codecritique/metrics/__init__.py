"""Metrics of self-critique test-time scaling (P2 §3-5, Tables 3-4, Fig. 3; spec §4 and §7).

* :mod:`.records`: per-solution records, validation, grouping into problems of k samples;
* :mod:`.passk`: pass@k and pass@1;
* :mod:`.critique`: self-critique accuracy (Table 4) and the confusion matrix;
* :mod:`.summary`: :func:`~.summary.compute_metrics` and :func:`~.summary.curves`.
"""
