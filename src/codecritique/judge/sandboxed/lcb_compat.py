"""LiveCodeBench's way of running a stdin solution, reproduced bug for bug, so that official numbers can be
reproduced and compared with the exact semantics of the default judge. Two versions of lcb_runner:

* ``lcb``: LiveCodeBench@15808c7 (January 2025, the grader of the release_v5 runs; checked against the O1 runs in
  ../shared/data/lcb-submissions): ``sys.stdin`` is a plain ``StringIO`` of the input;
* ``lcb-current``: LiveCodeBench@28fef95 (July 2025, read from its lcb_runner code): ``sys.stdin`` is its
  ``MockStdinWithBuffer`` (``read()``/``readlines()``/``buffer.read()`` return the whole input every time,
  ``readlines()`` has no newlines and a trailing ``''``, ``buffer.readline()`` always returns the first line,
  ``buffer.readlines()`` does not exist, iterating fails).

Common to both:

* the code runs in-process, not as a script: LiveCodeBench's import prelude is prepended; a *last* top-level
  ``if`` whose condition unparses to exactly ``__name__ == '__main__'`` is unwrapped (not ``__name__ in (...)``,
  whose body then never runs); every other top-level statement except imports is moved into a function
  ``wrapped_function`` (so module-level names become locals: ``global`` in nested functions breaks), and the
  module is named ``tmp_sol``, not ``__main__``;
* the real file descriptor 0 is not the input: lcb_runner's test processes inherit the grader's own standard input,
  which is at end of file under a batch scheduler, nohup, CI or any pipeline (/dev/null), so a program reading fd 0
  directly (``os.read(0)``, ``io.open(0)``, ``open(0)`` where ``open`` is the prelude's ``io.open``) gets nothing
  (at a terminal it would wait until the timeout instead: it fails either way, and waiting would cost the timeout);
* standard output is captured by swapping ``sys.stdout`` for a ``StringIO`` during the call: ``sys.stdout.buffer``
  does not exist, writes to fd 1 are lost, and so is what threads still running after the call print (a race:
  a thread that finishes within the interpreter's switch interval gets its output captured);
* ``builtins.open`` returns the input during the call (``mock_open``); the prelude's ``from builtins import *``
  has bound the real one to ``open`` before, so only code that looks it up later (``builtins.open``) sees it;
* the grader's own ``sys.stdin`` object (which the prelude's ``from sys import *`` binds to ``stdin``) has its
  ``readline``/``readlines``/``read`` patched during the call (see :func:`_patch_methods`);
* ``sys.argv`` is the grader's command line; ``os._exit`` ends the grader's test process (no result: a failure);
* ``SystemExit`` is swallowed; what its ``reliability_guard`` removes (``quit``, ``os.kill``, ``resource``, ...) is
  removed.

Standard library only: the zygote imports this file inside the sandbox. The captured output is written to fd 3
(the judge compares that, not fd 1).
"""

import ast
import builtins
import io
import os
import sys

# sys.argv of lcb_runner's test processes: the grader's own command line (as in its README)
GRADER_ARGV = ["/LiveCodeBench/lcb_runner/runner/main.py", "--model", "MODEL", "--scenario", "codegeneration",
               "--evaluate", "--release_version", "release_v5"]
MAIN_GUARD = "__name__ == '__main__'"  # a last ``if`` whose condition unparses to exactly this is unwrapped


def transform(source, prelude):
    """The code lcb_runner actually executes for a stdin problem (prelude + wrapped body)."""
    tree = ast.parse(prelude + source)
    body = list(tree.body)
    last = body[-1] if body else None
    if isinstance(last, ast.If) and ast.unparse(last.test).strip() == MAIN_GUARD:  # lcb_runner's own test
        body = body[:-1] + last.body
    imports = [s for s in body if isinstance(s, (ast.Import, ast.ImportFrom))]
    others = [s for s in body if not isinstance(s, (ast.Import, ast.ImportFrom))]
    func = ast.FunctionDef(name="wrapped_function", args=ast.arguments(posonlyargs=[], args=[], kwonlyargs=[],
                                                                        kw_defaults=[], defaults=[]),
                           body=others or [ast.Pass()], decorator_list=[], returns=None, type_params=[])
    module = ast.Module(body=imports + [func], type_ignores=[])
    return ast.fix_missing_locations(module)


class _MockBuffer:
    def __init__(self, data):
        self._data = data.encode("utf-8")

    def read(self, *args):
        return self._data

    def readline(self, *args):
        return self._data.split(b"\n")[0] + b"\n"


class _MockStdin:
    """LiveCodeBench's ``MockStdinWithBuffer``: independent cursors, no ``__iter__``."""

    def __init__(self, data):
        self._data = data
        self._io = io.StringIO(data)
        self.buffer = _MockBuffer(data)

    def read(self, *args):
        return self._data

    def readline(self, *args):
        return self._io.readline(*args)

    def readlines(self, *args):
        return self._data.split("\n")

    def __getattr__(self, name):
        return getattr(self._io, name)


# Names through which a solution could import numpy (directly, through a library built on it, or dynamically).
_NUMPY_USERS = frozenset({"numpy", "pandas", "scipy", "sklearn", "networkx", "sympy", "__import__", "importlib",
                          "import_module", "exec", "eval", "compile"})


def may_import_numpy(code):
    """Whether the code object (or one nested in it) names a way to numpy (see _NUMPY_USERS)."""
    todo = [code]
    while todo:
        c = todo.pop()
        if any(n.split(".")[0] in _NUMPY_USERS for n in c.co_names):
            return True
        todo.extend(k for k in c.co_consts if hasattr(k, "co_names"))
    return False


def preload(with_numpy=True):
    """Import what :func:`_reliability_guard` needs: the zygote does it once (without numpy: ~25 MB more to fork for
    every test), so that its tests need not. numpy is imported (in the test, for the solutions that could use it)
    because the grader process has already imported it, so a solution's ``import numpy`` works there despite the
    guard."""
    import shutil  # noqa: F401
    import subprocess  # noqa: F401

    if with_numpy:
        try:
            import numpy  # noqa: F401
        except ImportError:
            pass


def _reliability_guard(with_numpy=True):
    """What lcb_runner's ``reliability_guard`` removes that a solution could notice."""
    import shutil
    import subprocess

    preload(with_numpy)

    builtins.quit = None
    builtins.help = None
    os.environ["OMP_NUM_THREADS"] = "1"
    # set whether or not this platform has them (lchflags, lchmod: not on Linux), as lcb_runner does
    for name in ("kill", "system", "putenv", "remove", "removedirs", "rmdir", "fchdir", "setuid", "fork", "forkpty",
                 "killpg", "rename", "renames", "truncate", "replace", "unlink", "fchmod", "fchown", "chmod", "chown",
                 "chroot", "lchflags", "lchmod", "lchown", "getcwd", "chdir"):
        setattr(os, name, None)
    shutil.rmtree = shutil.move = shutil.chown = None
    subprocess.Popen = None
    for mod in ("ipdb", "joblib", "resource", "psutil", "tkinter"):
        sys.modules[mod] = None


def _open_returning(data):
    """``mock_open(read_data=data)``: every file opened reads as the input."""
    def fake_open(*args, **kwargs):
        return io.StringIO(data)

    return fake_open


def _patch_methods(stdin, data):
    """lcb_runner's ``@patch("sys.stdin.readline")`` (and ``.readlines``, ``.read``) are entered before its
    ``@patch("sys.stdin")`` (stacked patch decorators start bottom first), so they patch the grader's *own*
    ``sys.stdin`` object, not the stand-in: a solution holding that object (``from sys import stdin``, or the
    prelude's ``from sys import *``, both run before the call) reads the input through them during the call:
    ``readline()`` the next line *without* its newline (StopIteration after the last), ``readlines()`` the input
    split at newlines, ``read()`` all of it every time. Its ``buffer`` and iteration stay at end of file. Returns the
    names set (removed after the call, as the patches are)."""
    lines = iter(data.split("\n"))
    methods = {"read": lambda *args: data, "readlines": lambda *args: data.split("\n"),
               "readline": lambda *args: next(lines)}
    for name, fn in methods.items():
        setattr(stdin, name, fn)
    return tuple(methods)


def _exit_ends_the_grader(real_exit):
    """``os._exit`` for the solution: in lcb_runner it ends the grader's own test process, which then reports no
    result, a failure whatever was printed; here the test ends with an error that says so."""
    def _exit(status=0):
        os.write(2, b"os._exit() ends lcb_runner's test process itself: no result, a failure there\n")
        real_exit(1)

    return _exit


def run_stdio(code, version="lcb", result_fd=3):
    """Run a transformed code object the way lcb_runner (``version``) does; its captured output goes to
    ``result_fd`` and the process exits 0 (an uncaught exception propagates to the caller)."""
    data = sys.stdin.read()
    r, w = os.pipe()  # fd 0 becomes an empty pipe at end of file, as lcb_runner's stdin under a batch job
    os.close(w)
    os.dup2(r, 0)
    os.close(r)
    _reliability_guard(may_import_numpy(code))
    real_exit = os._exit  # (the zygote's own final os._exit was looked up before the solution started)
    os._exit = _exit_ends_the_grader(real_exit)
    sys.argv[:] = GRADER_ARGV
    namespace = {"__name__": "tmp_sol", "__builtins__": builtins}
    exec(code, namespace)
    captured = io.StringIO()
    real_stdin, real_stdout, real_open = sys.stdin, sys.stdout, builtins.open
    patched = _patch_methods(real_stdin, data)
    sys.stdin, sys.stdout = (_MockStdin(data) if version == "lcb-current" else io.StringIO(data)), captured
    builtins.open = _open_returning(data)
    try:
        namespace["wrapped_function"]()
    except SystemExit:
        pass
    finally:
        sys.stdin, sys.stdout, builtins.open = real_stdin, real_stdout, real_open
        for name in patched:
            delattr(real_stdin, name)
    out = captured.getvalue().encode("utf-8", "replace")
    view = memoryview(out)
    while view:
        view = view[os.write(result_fd, view):]
    real_exit(0)  # threads still running are abandoned, as when lcb_runner moves on
