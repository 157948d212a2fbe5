"""codecritique: exact, sandboxed judging of Python and C++ solutions, self-critique test-time scaling and
question-solution-critique data for code-reasoning models (a reproduction of OpenCodeReasoning-II)."""

__version__ = "0.1.0"
