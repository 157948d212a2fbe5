"""Raw input records with their position in the file: the loaders' name for :mod:`codecritique.io`'s readers.

Every problem loader reads through these, so that a malformed record always raises
:class:`~codecritique.errors.DataError` naming the file, the 1-based line where the record starts and the field.
"""

from codecritique.io import Record, iter_json_array, iter_jsonl, open_text, read_text

__all__ = ["Record", "iter_json_array", "iter_jsonl", "open_text", "read_text"]
