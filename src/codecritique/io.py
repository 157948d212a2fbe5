"""Files in and out, in one place: atomic writes, and JSON Lines / JSON-array reading with positions.

Writing: :func:`atomic_write` (and :func:`write_jsonl`, :func:`write_json` on top of it) writes a temporary file in
the target's folder, ``fsync``s it and renames it over the target, so a reader (or a run resumed after ``kill -9``)
sees either the old file or the whole new one, never a torn one.

Reading: every record comes with its file and 1-based line (:class:`Record`), so a malformed record raises
:class:`~codecritique.errors.DataError` naming the file, the line and the field. Two container formats are read:

* JSON Lines (one JSON object per line, blank lines ignored), optionally gzip-compressed (``*.gz``);
* a JSON array of objects (LiveCodeBench ``eval_all`` files), optionally gzip-compressed.

This module sits below every part (like :mod:`codecritique.errors`): it knows files, not what they hold.
"""

from __future__ import annotations

import contextlib
import gzip
import io  # the standard library's (absolute imports)
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
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


def iter_jsonl(path: str | Path, *, expected: str = "a JSON Lines file") -> Iterator[Record]:
    """Yield the records of a JSON Lines file; blank lines are skipped, anything else must be a JSON object.
    ``expected`` names what the file should be in the errors for a binary file or a directory."""
    path = str(path)
    lineno = 0
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
    except UnicodeDecodeError:
        raise DataError(path, f"not UTF-8 text ({expected} is expected)", line=lineno + 1) from None
    except IsADirectoryError:
        raise DataError(path, f"is a directory ({expected} is expected)") from None
    except (OSError, EOFError) as e:
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


# ---------------------------------------------------------------- writing


def fsync_dir(path: str | Path) -> None:
    """Make a rename inside folder ``path`` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "w", *, compress: bool | None = None,
                 permissions: int = 0o644) -> Iterator[IO]:
    """Write ``path`` all at once: yields a file (text for ``"w"``, bytes for ``"wb"``) on a temporary file in the
    same folder, which is ``fsync``'d and renamed over ``path`` when the block ends without an exception. On an
    exception the temporary file is removed and ``path`` is left as it was. ``compress`` (default: the name ends
    in ``.gz``) writes gzip."""
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_write mode must be 'w' or 'wb', got {mode!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if compress is None:
        compress = path.name.endswith(".gz")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as raw:
            stream: IO = gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) if compress else raw
            if mode == "w":
                text = io.TextIOWrapper(stream, encoding="utf-8", newline="\n", write_through=True)
                yield text
                text.flush()
                text.detach()
            else:
                yield stream
            if stream is not raw:
                stream.close()
            raw.flush()
            os.fsync(raw.fileno())
        os.chmod(tmp, permissions)  # mkstemp creates 0600; our files are meant to be read by others
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def jsonl_line(row: Any) -> str:
    """One JSON Lines line (non-ASCII kept as is)."""
    return json.dumps(row, ensure_ascii=False) + "\n"


def write_jsonl(path: str | Path, rows: Iterable[Any]) -> int:
    """Write ``rows`` one JSON object per line, atomically; returns the number of rows."""
    n = 0
    with atomic_write(path) as f:
        for row in rows:
            f.write(jsonl_line(row))
            n += 1
    return n


def write_json(path: str | Path, value: Any, *, indent: int | None = 1) -> None:
    """Write one JSON document atomically."""
    with atomic_write(path) as f:
        json.dump(value, f, indent=indent, ensure_ascii=False)
        f.write("\n")


def read_jsonl(path: str | Path, *, missing: str | None = None) -> list[Record]:
    """Every record of a JSON Lines file. A missing file raises FileNotFoundError with ``missing`` appended to
    the message when given (e.g. ``"run the stage that writes it first"``)."""
    if missing is not None and not Path(path).exists():
        raise FileNotFoundError(f"{path} not found: {missing}")
    return list(iter_jsonl(path))


def cache_dir() -> Path:
    """Where the project keeps files it derives once and reuses (converted models, unpacked model packages):
    ``$CODECRITIQUE_CACHE``, else ``$XDG_CACHE_HOME/codecritique``, else ``~/.cache/codecritique``."""
    root = os.environ.get("CODECRITIQUE_CACHE")
    if root:
        return Path(root)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "codecritique"
