"""Rows of any tabular container the problem sources come in, as positioned records.

The Hugging Face hub stores the same datasets as JSON Lines (LiveCodeBench, APPS), Parquet shards
(CodeContests, open-r1/codeforces, TACO, OpenCodeReasoning-2, LiveCodeBench-CPP) or Arrow shards (TACO's
original files, ``datasets.save_to_disk`` folders). :func:`iter_rows` reads all of them the same way, from a
file or a folder of shards, and yields :class:`~.records.Record` objects so that every malformed row raises a
DataError naming the file, the row and the field:

* ``*.jsonl`` / ``*.jsonl.gz`` (and ``*.ndjson``): the record's line is its line in the file;
* ``*.json`` / ``*.json.gz``: one JSON array of objects; the line is where the object starts;
* ``*.parquet``, ``*.arrow``: the "line" is the 1-based row number within that file;
* a folder: every such file inside it, recursively, in name order (``train-00000-of-00009.parquet`` first), so
  row order, the order an ``index`` field points into, is the dataset's order.

Nothing here unpickles: JSON, Parquet and Arrow IPC hold plain data. Values are normalised to JSON types: a
timestamp becomes its ISO 8601 text (LiveCodeBench-CPP stores ``contest_date`` as a timestamp), bytes are
decoded as UTF-8, a Decimal becomes a float.
"""

from __future__ import annotations

import datetime as _dt
import decimal
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from codecritique.errors import DataError
from codecritique.problems.records import Record, iter_json_array, iter_jsonl

JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson")
JSON_SUFFIXES = (".json", ".json.gz")
PARQUET_SUFFIXES = (".parquet",)
ARROW_SUFFIXES = (".arrow",)
TABLE_SUFFIXES = JSONL_SUFFIXES + JSON_SUFFIXES + PARQUET_SUFFIXES + ARROW_SUFFIXES


def container(path: str | Path) -> str:
    """``"jsonl"``, ``"json"``, ``"parquet"``, ``"arrow"`` or ``"dir"``; DataError for anything else."""
    p = Path(path)
    if p.is_dir():
        return "dir"
    name = p.name.lower()
    for kind, suffixes in (("jsonl", JSONL_SUFFIXES), ("json", JSON_SUFFIXES), ("parquet", PARQUET_SUFFIXES),
                           ("arrow", ARROW_SUFFIXES)):
        if name.endswith(suffixes):
            return kind
    if not p.exists():
        raise DataError(str(path), "no such file or folder")
    raise DataError(str(path), f"unsupported file type; expected one of {', '.join(TABLE_SUFFIXES)} or a folder")


def table_files(path: str | Path) -> list[Path]:
    """The data files of ``path``: itself, or every supported file under a folder in name order."""
    p = Path(path)
    if container(p) != "dir":
        if not p.exists():
            raise DataError(str(p), "no such file")
        return [p]
    files = sorted((f for f in p.rglob("*") if f.is_file() and f.name.lower().endswith(TABLE_SUFFIXES)
                    and not f.name.startswith((".", "_"))), key=lambda f: f.relative_to(p).as_posix())
    files = [f for f in files if f.name not in ("dataset_info.json", "state.json")]  # save_to_disk metadata
    if not files:
        raise DataError(str(p), f"no data files ({', '.join(TABLE_SUFFIXES)}) in this folder")
    return files


def iter_rows(path: str | Path, columns: list[str] | None = None) -> Iterator[Record]:
    """Every row of a file or folder of shards, in order (see the module docstring). ``columns`` reads only those
    columns of Parquet and Arrow files (a speed-up; JSON rows always carry every field)."""
    for f in table_files(path):
        kind = container(f)
        if kind == "jsonl":
            yield from iter_jsonl(f)
        elif kind == "json":
            yield from iter_json_array(f)
        elif kind == "parquet":
            yield from _iter_parquet(f, columns)
        else:
            yield from _iter_arrow(f, columns)


def first_row(path: str | Path) -> Record | None:
    """The first row of ``path`` (None if it has none), read without loading the rest."""
    return next(iter_rows(path), None)


def _iter_parquet(path: Path, columns: list[str] | None = None) -> Iterator[Record]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
        if columns is not None:
            columns = [c for c in columns if c in pf.schema_arrow.names]
        batches = pf.iter_batches(batch_size=256, columns=columns)
        row = 0
        for batch in batches:
            for d in batch.to_pylist():
                row += 1
                yield Record(str(path), row, normalize(d))
    except (OSError, pa.ArrowException) as e:
        raise DataError(str(path), f"cannot read Parquet: {e}") from e


def _iter_arrow(path: Path, columns: list[str] | None = None) -> Iterator[Record]:
    import pyarrow as pa

    try:
        with open(path, "rb") as f:
            try:
                reader = pa.ipc.open_stream(f)  # what datasets writes
            except pa.ArrowInvalid:
                f.seek(0)
                reader = pa.ipc.open_file(f)
                batches: Iterable[Any] = (reader.get_batch(i) for i in range(reader.num_record_batches))
            else:
                batches = reader
            row = 0
            for batch in batches:
                if columns is not None:
                    batch = batch.select([c for c in columns if c in batch.schema.names])
                for d in batch.to_pylist():
                    row += 1
                    yield Record(str(path), row, normalize(d))
    except (OSError, pa.ArrowException) as e:
        raise DataError(str(path), f"cannot read Arrow IPC: {e}") from e


def normalize(value: Any) -> Any:
    """``value`` with every timestamp, bytes and Decimal turned into a JSON type (recursively)."""
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalize(v) for v in value]
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, decimal.Decimal):
        return float(value)
    if hasattr(value, "item") and type(value).__module__ == "numpy":  # numpy scalar
        return value.item()
    if hasattr(value, "tolist") and type(value).__module__ == "numpy":  # numpy array
        return normalize(value.tolist())
    return value


def rows_of(dataset: Iterable[dict[str, Any]], origin: str) -> Iterator[Record]:
    """Records of an in-memory dataset (a ``datasets.Dataset`` or any iterable of dicts); ``origin`` names it in
    errors (e.g. ``hf://datasets/deepmind/code_contests/test``) and the line is the 1-based row number."""
    for i, row in enumerate(dataset, start=1):
        if not isinstance(row, dict):
            raise DataError(origin, f"expected a row object, got {type(row).__name__}", line=i)
        yield Record(origin, i, normalize(row))


# ---------------------------------------------------------------------------------------------------------------
# typed access to the fields of a row (Record.str_field covers strings)

_MISSING = object()


def _get(rec: Record, name: str, default: Any) -> Any:
    value = rec.data.get(name)
    if value is None:
        if default is _MISSING:
            raise rec.error("missing required field", name)
        return default
    return value


def int_field(rec: Record, name: str, default: Any = _MISSING) -> Any:
    """An integer field (a float with an integral value, as Parquet sometimes stores them, is accepted)."""
    value = _get(rec, name, default)
    if value is default:
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise rec.error(f"expected an integer, got {type(value).__name__}", name)
    return value


def number_field(rec: Record, name: str, default: Any = _MISSING) -> Any:
    value = _get(rec, name, default)
    if value is default:
        return value
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise rec.error(f"expected a number, got {type(value).__name__}", name)
    return float(value)


def bool_field(rec: Record, name: str, default: Any = _MISSING) -> Any:
    value = _get(rec, name, default)
    if value is default:
        return value
    if not isinstance(value, bool):
        raise rec.error(f"expected true or false, got {type(value).__name__}", name)
    return value


def list_field(rec: Record, name: str, default: Any = _MISSING) -> Any:
    value = _get(rec, name, default)
    if value is default:
        return value
    if not isinstance(value, list):
        raise rec.error(f"expected a list, got {type(value).__name__}", name)
    return value


def dict_field(rec: Record, name: str, default: Any = _MISSING) -> Any:
    value = _get(rec, name, default)
    if value is default:
        return value
    if not isinstance(value, dict):
        raise rec.error(f"expected an object, got {type(value).__name__}", name)
    return value


def str_list(rec: Record, value: Any, where: str) -> list[str]:
    """``value`` checked to be a list of strings (``where`` names it in the error)."""
    if not isinstance(value, list):
        raise rec.error(f"expected a list of strings, got {type(value).__name__}", where)
    for i, v in enumerate(value):
        if not isinstance(v, str):
            raise rec.error(f"expected a string, got {type(v).__name__}", f"{where}[{i}]")
    return value
