"""Sandboxed execution of Python and C++ solutions against tests: checkers, verdicts, scheduling, caching."""
