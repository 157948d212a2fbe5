"""Convert problems between formats once, with a checksum, so a release means the same problems everywhere.

Output formats (picked from the file name unless given):

* ``ours`` (``*.jsonl``, ``*.jsonl.gz``): the project's JSONL (:mod:`.jsonl`), one ``Problem.to_dict()`` a line;
* ``ours-parquet`` (``*.parquet``): the same problems as a Parquet table (zstd): one row per problem, ``tests`` a
  list of ``{kind, input, output, fn_name, public}`` structs, ``metadata`` a JSON string; read back by
  :func:`read_parquet` (and by ``load_problems``);
* ``lcb`` (``*.lcb.jsonl``): LiveCodeBench's ``code_generation_lite`` schema, for lcb_runner and other tools
  (``public_test_cases``/``private_test_cases`` as plain JSON text, never pickled; ``program`` tests cannot be
  written in it and raise an error).

Every written file gets a manifest beside it, ``<file>.manifest.json``::

    {"format": "codecritique-problems/1", "file": "lcb_v5.jsonl", "problems": 279,
     "content_sha256": "...",   # of the problems themselves, whatever the container (see problems_digest)
     "file_sha256": "...",      # of the file's bytes
     "provenance": {...}}       # where they came from: source, split, revision, filters, input file digest

:func:`check_manifest` re-hashes a file against its manifest (``load_problems`` does it for our own files), so a
copy that was edited, truncated or re-generated differently is refused with a message naming both digests.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codecritique.errors import DataError
from codecritique.io import atomic_write
from codecritique.problems.jsonl import problem_from_record, write_problems
from codecritique.problems.model import Problem
from codecritique.problems.records import Record
from codecritique.problems.tables import iter_rows

MANIFEST_FORMAT = "codecritique-problems/1"
OUTPUT_FORMATS = ("ours", "ours-parquet", "lcb")


def output_format(path: str | Path) -> str:
    """The output format a file name implies."""
    name = Path(path).name.lower()
    if name.endswith(".parquet"):
        return "ours-parquet"
    if name.endswith((".lcb.jsonl", ".lcb.jsonl.gz")):
        return "lcb"
    if name.endswith((".jsonl", ".jsonl.gz")):
        return "ours"
    raise ValueError(f"cannot tell the output format of {path}: name it *.jsonl[.gz], *.lcb.jsonl or *.parquet, "
                     f"or pass the format ({', '.join(OUTPUT_FORMATS)})")


def canonical_line(problem: Problem) -> bytes:
    return json.dumps(problem.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def problems_digest(problems: Iterable[Problem]) -> str:
    """SHA-256 of the problems, in order, as canonical JSON lines (sorted keys, no spaces): the same problems give
    the same digest in JSONL, gzip or Parquet."""
    h = hashlib.sha256()
    for p in problems:
        h.update(canonical_line(p))
        h.update(b"\n")
    return h.hexdigest()


def file_digest(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def manifest_path(path: str | Path) -> Path:
    return Path(str(path) + ".manifest.json")


@dataclass
class Conversion:
    """What :func:`write` produced."""

    path: Path
    format: str
    problems: int
    content_sha256: str
    file_sha256: str
    manifest: Path
    provenance: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "format": self.format, "problems": self.problems,
                "content_sha256": self.content_sha256, "file_sha256": self.file_sha256,
                "manifest": str(self.manifest), "provenance": self.provenance}


def write(path: str | Path, problems: Sequence[Problem], fmt: str | None = None, *,
          provenance: dict[str, Any] | None = None) -> Conversion:
    """Write ``problems`` in ``fmt`` (default: from the name) and its manifest; both atomically."""
    path = Path(path)
    fmt = fmt or output_format(path)
    if fmt not in OUTPUT_FORMATS:
        raise ValueError(f"unknown output format {fmt!r}; expected one of {', '.join(OUTPUT_FORMATS)}")
    ids = [p.id for p in problems]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise DataError(None, f"duplicate problem id {dup!r}: a converted file must have unique ids", field="id")
    if fmt == "ours":
        write_problems(path, problems)
    elif fmt == "ours-parquet":
        write_parquet(path, problems)
    else:
        write_lcb(path, problems)
    conv = Conversion(path=path, format=fmt, problems=len(problems), content_sha256=problems_digest(problems),
                      file_sha256=file_digest(path), manifest=manifest_path(path), provenance=dict(provenance or {}))
    with atomic_write(conv.manifest, "wb") as f:
        f.write(json.dumps({
            "format": MANIFEST_FORMAT, "file": path.name, "output_format": fmt, "problems": conv.problems,
            "content_sha256": conv.content_sha256, "file_sha256": conv.file_sha256, "provenance": conv.provenance,
        }, indent=1, sort_keys=True).encode() + b"\n")
    return conv


def check_manifest(path: str | Path, problems: Sequence[Problem] | None = None) -> dict[str, Any] | None:
    """Verify ``path`` against ``<path>.manifest.json`` (None if there is none): the file's bytes, and, if the
    loaded ``problems`` are given, their content digest. A mismatch raises DataError."""
    mpath = manifest_path(path)
    if not mpath.exists():
        return None
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise DataError(str(mpath), f"unreadable manifest: {e}") from e
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise DataError(str(mpath), f"not a {MANIFEST_FORMAT} manifest")
    actual = file_digest(path)
    if actual != manifest.get("file_sha256"):
        raise DataError(str(path), f"file_sha256 {actual} does not match the manifest's "
                                   f"{manifest.get('file_sha256')}: the file changed since it was converted")
    if problems is not None:
        if len(problems) != manifest.get("problems"):
            raise DataError(str(path), f"{len(problems)} problems, the manifest says {manifest.get('problems')}")
        digest = problems_digest(problems)
        if digest != manifest.get("content_sha256"):
            raise DataError(str(path), f"content_sha256 {digest} does not match the manifest's "
                                       f"{manifest.get('content_sha256')}")
    return manifest


# ---------------------------------------------------------------------------------------------------------------
# our Parquet


def _schema() -> Any:
    import pyarrow as pa

    test = pa.struct([("kind", pa.string()), ("input", pa.large_string()), ("output", pa.large_string()),
                      ("fn_name", pa.string()), ("public", pa.bool_())])
    return pa.schema([
        ("id", pa.string()), ("title", pa.string()), ("statement", pa.large_string()), ("platform", pa.string()),
        ("difficulty", pa.string()), ("contest_date", pa.string()), ("starter_code", pa.large_string()),
        ("time_limit", pa.float64()), ("memory_limit", pa.int64()), ("source", pa.string()),
        ("checker", pa.string()), ("metadata", pa.large_string()), ("tests", pa.list_(test)),
    ])


def write_parquet(path: str | Path, problems: Sequence[Problem]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _schema()
    with atomic_write(path, "wb", compress=False) as f, pq.ParquetWriter(f, schema, compression="zstd") as writer:
        for start in range(0, len(problems), 512):
            rows = []
            for p in problems[start:start + 512]:
                d = p.to_dict()
                d["metadata"] = json.dumps(d["metadata"], sort_keys=True, ensure_ascii=False)
                d["tests"] = [{"kind": t.kind, "input": t.input, "output": t.output, "fn_name": t.fn_name,
                               "public": t.public} for t in p.tests]
                rows.append(d)
            writer.write_table(pa.Table.from_pylist(rows, schema=schema))


def read_parquet(path: str | Path) -> list[Problem]:
    """Problems written by :func:`write_parquet` (type-checked like our JSONL)."""
    out = []
    for rec in iter_rows(path):
        data = dict(rec.data)
        meta = data.get("metadata")
        if isinstance(meta, str):
            try:
                data["metadata"] = json.loads(meta) if meta else {}
            except json.JSONDecodeError as e:
                raise rec.error(f"invalid JSON: {e.msg}", "metadata") from e
        tests = data.get("tests")
        if isinstance(tests, list):
            data["tests"] = [{k: v for k, v in t.items() if v is not None} if isinstance(t, dict) else t
                             for t in tests]
        out.append(problem_from_record(Record(rec.path, rec.line, data)))
    return out


# ---------------------------------------------------------------------------------------------------------------
# LiveCodeBench's schema


def lcb_record(problem: Problem) -> dict[str, Any]:
    """A problem in ``code_generation_lite``'s schema (plain JSON test lists)."""
    public, private = [], []
    for i, t in enumerate(problem.tests):
        if t.kind not in ("stdin", "functional"):
            raise DataError(None, f"problem {problem.id}: test {i} is a {t.kind} test, which LiveCodeBench's schema "
                                  f"cannot hold", field="tests")
        (public if t.public else private).append({"input": t.input, "output": t.output, "testtype": t.kind})
    metadata = {k: v for k, v in problem.metadata.items() if k == "func_name"}
    if problem.fn_name:
        metadata["func_name"] = problem.fn_name
    return {
        "question_title": problem.title, "question_content": problem.statement, "platform": problem.platform,
        "question_id": problem.id, "contest_id": str(problem.metadata.get("contest_id", "")),
        "contest_date": problem.contest_date, "starter_code": problem.starter_code,
        "difficulty": problem.difficulty, "public_test_cases": json.dumps(public),
        "private_test_cases": json.dumps(private), "metadata": json.dumps(metadata),
    }


def write_lcb(path: str | Path, problems: Sequence[Problem]) -> None:
    records = [lcb_record(p) for p in problems]  # all checked before anything is written
    with atomic_write(path, "wb") as f:  # *.gz compressed
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False).encode("utf-8") + b"\n")
