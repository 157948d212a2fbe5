"""What runs *inside* the sandbox, apart from the host code that starts it.

- ``zygote.py``: the fork server each judge worker starts in its sandbox, through the small script ``run_zygote.py``
  (``python3 /judge/run_zygote.py CONFIG``; see ``judge/sandbox.py`` and ``judge/worker.py``), which imports it from
  its compiled file.
- ``lcb_compat.py``: LiveCodeBench's way of running a stdin solution, imported by the zygote in the test process.
- ``cpp_harness_runtime.h`` / ``.cpp``: the C++ harness library compiled into every functional C++ program
  (``judge/cpp_harness.py`` builds the programs on the host).

These files use the standard library only and import each other by plain module name (the folder is the script's
directory, bound read-only at ``/judge`` under bwrap). Host code never imports them: it only needs their paths
(``sandbox.SANDBOXED_DIR``) or reads the C++ sources as package data.
"""
