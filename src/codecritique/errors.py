"""Errors that name what went wrong and where, so a user can fix the input."""

from __future__ import annotations


class CodecritiqueError(Exception):
    """Base class of the project's own errors."""


class DataError(CodecritiqueError, ValueError):
    """A malformed input record: names the file, the line (1-based, if any), the field and the problem."""

    def __init__(self, path: str | None, message: str, *, line: int | None = None, field: str | None = None):
        self.path = str(path) if path is not None else None
        self.line = line
        self.field = field
        self.reason = message
        where = self.path or "<input>"
        if line is not None:
            where += f":{line}"
        if field:
            where += f": field '{field}'"
        super().__init__(f"{where}: {message}")
