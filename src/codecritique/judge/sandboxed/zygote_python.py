"""The solution process of a Python test: run the code as ``python3 solution.py`` would (runs inside the sandbox;
standard library only, see zygote.py).

A fresh ``__main__`` (prepared early by a standby test process), the run itself (functional and program tests end
with the test's token on fd 3, see :func:`run_solution`), and the observable part of interpreter shutdown
(:func:`finalize`). Uncaught exceptions print without this file's frame. Also what the zygote compiles solutions
with (LiveCodeBench's prelude) and the modules it imports once.
"""

import atexit
import builtins
import json
import marshal
import os
import resource
import sys

# The prelude LiveCodeBench prepends to every solution (used in its compatibility mode and for LeetCode-style
# functional problems, whose code relies on LeetCode's implicit imports such as List and collections).
LCB_PRELUDE = (
    "from string import *\nfrom re import *\nfrom datetime import *\nfrom collections import *\n"
    "from heapq import *\nfrom bisect import *\nfrom copy import *\nfrom math import *\nfrom random import *\n"
    "from statistics import *\nfrom itertools import *\nfrom functools import *\nfrom operator import *\n"
    "from io import *\nfrom sys import *\nfrom json import *\nfrom builtins import *\nfrom typing import *\n"
    "import string\nimport re\nimport datetime\nimport collections\nimport heapq\nimport bisect\nimport copy\n"
    "import math\nimport random\nimport statistics\nimport itertools\nimport functools\nimport operator\n"
    "import io\nimport sys\nimport json\nsys.setrecursionlimit(50000)\n"
)
# Imported once here so each test need not (and atexit above: importing it in a test process cost ~130 page faults,
# 0.6 ms of CPU). Not threading: its fork hook and the shutdown it adds to every test
# are for the few solutions that use it.
PRELOAD = "math collections heapq bisect itertools functools string re typing copy operator array json io".split()
# What LiveCodeBench's prelude imports beyond PRELOAD: imported by the zygote when the first code with the prelude is
# loaded (functional problems, --checker lcb), ~6 ms per such test otherwise. Not before: they make the zygote
# (so every fork and every test's exit) bigger, and random reseeds itself in every child (as a fresh interpreter).
PRELUDE_PRELOAD = "random statistics datetime".split()


def warm_up():
    """In a standby test process, before its test arrives: touch what the test's critical path will touch, so the
    copy-on-write page faults (the bulk of a fork server's per-test cost) happen off that path."""
    prepare_main({"cwd": os.getcwd(), "filename": "solution.py"}, early=True)
    marshal.loads(marshal.dumps({"kind": "stdin", "cpu": 1.0, "args": None}))
    resource.getrusage(resource.RUSAGE_SELF)
    for lim in (resource.RLIMIT_CPU, resource.RLIMIT_AS, resource.RLIMIT_STACK, resource.RLIMIT_FSIZE):
        resource.getrlimit(lim)
    for stream in (sys.stdout, sys.stderr):
        stream.flush()


def lcb_compat():
    """lcb_compat.py, which lies next to this file (imported by path: a test changes sys.path)."""
    mod = sys.modules.get("lcb_compat")
    if mod is None:
        import importlib.util

        spec = importlib.util.spec_from_file_location("lcb_compat", os.path.join(os.path.dirname(__file__),
                                                                                "lcb_compat.py"))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        sys.modules["lcb_compat"] = mod
    return mod


def preload_compat():
    """What a test in LiveCodeBench's compatibility mode imports (lcb_compat.py and what its reliability guard
    imports: shutil, subprocess), imported once in the zygote instead of in every test process. Not numpy (~100 ms
    to import, but ~25 MB more to fork for every test): a test imports it only if its solution could use it (see
    lcb_compat.may_import_numpy)."""
    mod = lcb_compat()
    mod.preload(with_numpy=False)
    return mod


def format_compile_error(e, prelude):
    if isinstance(e, SyntaxError) and e.lineno is not None:
        line = e.lineno - prelude.count("\n")
        text = (e.text or "").rstrip()
        return f"{type(e).__name__}: {e.msg} (line {line})" + (f"\n    {text}" if text else "")
    return f"{type(e).__name__}: {e}"


# ---------------------------------------------------------------- the solution process


def _strip_zygote_frame(exc_type, exc, tb):
    """Print uncaught exceptions as ``python3 solution.py`` would: without this file's frame, by the interpreter's
    own printer (``sys.__excepthook__``: in C, the last ``sys.tracebacklimit`` = 1000 entries). The traceback module
    would format every frame in Python: a RecursionError a million frames deep took 15 s of CPU to print."""
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    if exc is not None:
        exc.__traceback__ = tb
    sys.__excepthook__(exc_type, exc, tb)


def _encode_result(value):
    """JSON of a functional test's return value. Tuples are marked so the LiveCodeBench-compatible comparison can
    tell them from lists; values JSON cannot express are sent as their repr."""

    def norm(v):
        if isinstance(v, tuple):
            return {"__tuple__": [norm(x) for x in v]}
        if isinstance(v, list):
            return [norm(x) for x in v]
        if isinstance(v, dict):
            return {str(k): norm(x) for k, x in v.items()}
        return v

    return json.dumps(norm(value), default=lambda o: {"__repr__": repr(o)[:200]}).encode()


def _system_exit_code(e):
    code = e.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    try:
        print(code, file=sys.stderr)
    except Exception:
        pass
    return 1


def _flush_std(streams, rc):
    """What CPython's flush_std_files does: flush each stream that is still open; a failure makes the status 120."""
    for stream in streams:
        try:
            if stream is not None and not getattr(stream, "closed", False):
                stream.flush()
        except Exception:
            rc = 120
    return rc


def finalize(rc):
    """The observable part of Py_FinalizeEx, in its order: wait for non-daemon threads, run atexit handlers, flush
    sys.stdout/sys.stderr (closed ones skipped; 120 if a flush fails), restore the original standard streams,
    clear ``__main__`` and collect garbage (so the solution's objects are finalized: buffered files and IOBase
    subclasses flush as they are destroyed), and flush the original streams (sys.__stdout__, sys.__stderr__). The
    rest of interpreter teardown has no observable effect and costs more than the fork."""
    try:
        if "threading" in sys.modules:
            sys.modules["threading"]._shutdown()
    except SystemExit as e:
        rc = _system_exit_code(e)
    except BaseException:
        pass
    atexit._run_exitfuncs()
    rc = _flush_std((sys.stdout, sys.stderr), rc)
    try:
        sys.stdin, sys.stdout, sys.stderr = sys.__stdin__, sys.__stdout__, sys.__stderr__
        main = sys.modules.get("__main__")
        if main is not None:
            main.__dict__.clear()
        import gc

        gc.collect(1)  # the young generations: what the solution made lately (a full collection costs more)
    except BaseException:  # a __del__ that fails is reported and ignored by CPython too
        pass
    return _flush_std((sys.__stdout__, sys.__stderr__), rc)


def run_solution(job, ns):
    """Run the solution (and, for program tests, the test program after it) in ``ns`` as ``python3 FILE`` would;
    returns the exit status before interpreter shutdown. Functional and program tests pass only if this function's
    normal end writes the test's token (taken out of fd 3 before the solution's code started) to fd 3: an early
    exit of any kind (``os._exit``, a signal, ``sys.exit``, an exception hook, an atexit handler, a thread) and a
    constant written anywhere are not the end of the test program."""
    token = job.pop("token", b"")
    try:
        if job["compat"] and job["kind"] == "stdin":
            lcb_compat().run_stdio(job["code"], job["compat"])  # exits
        exec(job["code"], ns)
        if job["kind"] == "functional":
            args = [json.loads(line) for line in job["args"].split("\n") if line.strip()]
            fn = job["fn_name"]
            method = getattr(ns["Solution"](), fn) if isinstance(ns.get("Solution"), type) else ns[fn]
            result = _encode_result(method(*args))  # serialised here, compared by the judge: no __eq__ of ours
            os.ftruncate(3, 0)
            os.pwrite(3, token + result, 0)
        elif job["kind"] == "program":
            os.ftruncate(3, 0)
            os.pwrite(3, token, 0)
        return 0
    except SystemExit as e:
        return _system_exit_code(e)
    except BaseException as e:
        sys.excepthook(type(e), e, e.__traceback__)
        return 1


_FRESH_MAIN = None  # a standby process's prepared __main__


def prepare_main(job, early=False):
    """A fresh ``__main__`` for the solution, as ``python3 FILE`` sets it up (done early by a standby process,
    then only the file name is updated)."""
    global _FRESH_MAIN
    main = _FRESH_MAIN
    if main is None:
        import types

        main = types.ModuleType("__main__")
        main.__builtins__ = builtins  # as in a script's __main__: the module
        main.__cached__ = None
        sys.modules["__main__"] = main
        sys.path[0] = job["cwd"]
        sys.excepthook = _strip_zygote_frame
    _FRESH_MAIN = main if early else None
    main.__file__ = os.path.join(job["cwd"], job["filename"])
    sys.argv[:] = [job["filename"]]
    return main.__dict__


def import_prelude_modules():
    """What LiveCodeBench's prelude imports (PRELUDE_PRELOAD), imported once in the zygote."""
    for m in PRELUDE_PRELOAD:
        try:
            __import__(m)
        except Exception:
            pass
