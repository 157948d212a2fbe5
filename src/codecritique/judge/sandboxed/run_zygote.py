"""How the judge starts its zygote: ``python3 /judge/run_zygote.py CONFIG`` (see zygote.py).

A script is compiled from its source at every start; the zygote is imported as modules, from their compiled files
(``__pycache__``, written on the host by ``sandbox.compile_sandboxed``) where they exist. Compiling zygote.py and its
siblings here left ~1 MiB of freed C heap in the zygote, and every page the zygote's fork server holds is copied (its
page-table entry) in each test's fork and dropped in each test's exit.
"""

import os
import sys

import zygote
import zygote_python as py

_job = zygote.start(sys.argv)
# ---- from here on, only in the solution process ----
os._exit(py.finalize(py.run_solution(_job, py.prepare_main(_job))))
