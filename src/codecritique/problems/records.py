"""Raw input records with their position in the file, and typed access to their fields.

Every problem loader reads through this module, so that a malformed record always raises
:class:`~codecritique.errors.DataError` naming the file, the 1-based line where the record starts and the field.

Two container formats are read:

* JSON Lines (one JSON object per line, blank lines ignored), optionally gzip-compressed (``*.gz``);
* a JSON array of objects (LiveCodeBench ``eval_all`` files), optionally gzip-compressed.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from codecritique.errors import DataError

_MISSING = object()


def open_text(path: str | Path) -> IO[str]:
    """Open ``path`` for reading as UTF-8 text, transparently decompressing ``*.gz`` files."""
    if str(path).endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def read_text(path: str | Path) -> str:
    """The whole text of ``path`` (``*.gz`` decompressed); an unreadable file raises DataError."""
    try:
        with open_text(path) as f:
            return f.read()
    except (OSError, EOFError, UnicodeDecodeError) as e:
        raise DataError(path, f"cannot read file: {e}") from e


@dataclass(frozen=True)
class Record:
    """One JSON object read from ``path``, starting at 1-based ``line``."""

    path: str
    line: int
    data: dict[str, Any]

    def error(self, message: str, field: str | None = None) -> DataError:
        """A DataError located at this record (and ``field``, if given)."""
        return DataError(self.path, message, line=self.line, field=field)

    def str_field(self, name: str, default: Any = _MISSING) -> str:
        """The string value of field ``name``; a missing field returns ``default`` or, without one, raises."""
        value = self.data.get(name)
        if value is None:
            if default is _MISSING:
                raise self.error("missing required field", name)
            return default
        if not isinstance(value, str):
            raise self.error(f"expected a string, got {type(value).__name__}", name)
        return value


def iter_jsonl(path: str | Path) -> Iterator[Record]:
    """Yield the records of a JSON Lines file; blank lines are skipped, anything else must be a JSON object."""
    path = str(path)
    try:
        with open_text(path) as f:
            for lineno, text in enumerate(f, start=1):
                if not text.strip():
                    continue
                try:
                    value = json.loads(text)
                except json.JSONDecodeError as e:
                    raise DataError(path, f"invalid JSON: {e.msg} (column {e.colno})", line=lineno) from e
                if not isinstance(value, dict):
                    raise DataError(path, f"expected a JSON object, got {type(value).__name__}", line=lineno)
                yield Record(path, lineno, value)
    except (OSError, EOFError, UnicodeDecodeError) as e:
        raise DataError(path, f"cannot read file: {e}") from e


def iter_json_array(path: str | Path) -> Iterator[Record]:
    """Yield the objects of a file holding one JSON array, each with the line where it starts."""
    path = str(path)
    text = read_text(path)
    decoder = json.JSONDecoder()
    pos = _skip_ws(text, 0)
    if not text.startswith("[", pos):
        raise DataError(path, "expected a JSON array", line=text.count("\n", 0, pos) + 1)
    pos = _skip_ws(text, pos + 1)
    line, counted = 1, 0
    first = True
    while True:
        if text.startswith("]", pos):
            break
        if not first:
            if not text.startswith(",", pos):
                line += text.count("\n", counted, pos)
                raise DataError(path, "invalid JSON: expected ',' or ']' between array elements", line=line)
            pos = _skip_ws(text, pos + 1)
        line += text.count("\n", counted, pos)
        counted = pos
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as e:
            raise DataError(path, f"invalid JSON: {e.msg} (column {e.colno})", line=e.lineno) from e
        if not isinstance(value, dict):
            raise DataError(path, f"expected a JSON object in the array, got {type(value).__name__}", line=line)
        yield Record(path, line, value)
        pos = _skip_ws(text, end)
        first = False
    if _skip_ws(text, pos + 1) != len(text):
        raise DataError(path, "invalid JSON: extra data after the array", line=text.count("\n", 0, pos) + 1)


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos
