"""Metrics of self-critique test-time scaling (OCR-II paper §3-5, Tables 3-4, Fig. 3).

* :mod:`.records`: per-solution records, validation, grouping into problems of k samples;
* :mod:`.passk`: pass@k and pass@1;
* :mod:`.critique`: self-critique accuracy (Table 4) and the confusion matrix;
* :mod:`.summary`: :func:`~.summary.compute_metrics` and :func:`~.summary.curves`.
"""
