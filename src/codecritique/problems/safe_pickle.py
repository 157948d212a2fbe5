"""Decode LiveCodeBench private test cases without ever running arbitrary pickle.

``private_test_cases`` in ``livecodebench/code_generation_lite`` is either a JSON string, or
``base64(zlib(pickle(json_string)))``. The official loader calls ``pickle.loads`` on the downloaded bytes, which can
execute any code. Here the pickle is first scanned opcode by opcode and refused unless every opcode builds plain data
(str, bytes, int, float, bool, None, list, tuple, dict); it is then loaded by an unpickler whose ``find_class`` refuses
every global, so no callable can ever be reached. The unpickled value must be a string, which is parsed as JSON.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import pickle
import pickletools
import zlib
from typing import Any

from codecritique.errors import DataError

MAX_DECODED_BYTES = 1 << 30  # a zlib bomb stops here

# Opcodes that only push plain data or manage the stack/memo. Everything else (GLOBAL, STACK_GLOBAL, REDUCE, BUILD,
# INST, OBJ, NEWOBJ*, EXT*, PERSID, BINPERSID, sets, out-of-band buffers) is refused before loading.
_DATA_OPCODES = frozenset(
    {
        "PROTO", "FRAME", "STOP", "MARK", "POP", "POP_MARK", "DUP",
        "MEMOIZE", "PUT", "BINPUT", "LONG_BINPUT", "GET", "BINGET", "LONG_BINGET",
        "NONE", "NEWTRUE", "NEWFALSE",
        "INT", "BININT", "BININT1", "BININT2", "LONG", "LONG1", "LONG4", "FLOAT", "BINFLOAT",
        "STRING", "BINSTRING", "SHORT_BINSTRING", "UNICODE", "BINUNICODE", "SHORT_BINUNICODE", "BINUNICODE8",
        "BINBYTES", "SHORT_BINBYTES", "BINBYTES8",
        "EMPTY_LIST", "APPEND", "APPENDS", "LIST",
        "EMPTY_TUPLE", "TUPLE", "TUPLE1", "TUPLE2", "TUPLE3",
        "EMPTY_DICT", "DICT", "SETITEM", "SETITEMS",
    }
)  # fmt: skip


class _DataOnlyUnpickler(pickle.Unpickler):
    """An unpickler that refuses every global, so it can only rebuild plain data."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"refused global {module}.{name}")


def restricted_loads(data: bytes) -> Any:
    """Unpickle ``data`` if it holds only plain data; raise ``pickle.UnpicklingError`` otherwise.

    Nothing in ``data`` is executed: the opcodes are checked against a whitelist before loading, and the unpickler
    cannot resolve any global.
    """
    try:
        for opcode, _arg, _pos in pickletools.genops(data):
            if opcode.name not in _DATA_OPCODES:
                raise pickle.UnpicklingError(f"refused opcode {opcode.name}: only plain data may be unpickled")
    except ValueError as e:  # a truncated or garbled opcode stream
        raise pickle.UnpicklingError(f"malformed pickle: {e}") from e
    return _DataOnlyUnpickler(io.BytesIO(data)).load()


def decode_private_tests(
    payload: str, *, path: str | None = None, line: int | None = None, field: str = "private_test_cases"
) -> Any:
    """The JSON value encoded in ``payload`` (normally a list of ``{input, output, testtype}`` objects).

    ``payload`` is tried as JSON first, then as ``base64(zlib(pickle(str)))`` where the string is JSON. Any failure
    raises DataError naming ``path``, ``line`` and ``field``.
    """
    try:
        return json.loads(payload)
    except json.JSONDecodeError:
        pass

    def fail(message: str) -> DataError:
        return DataError(path, f"undecodable private tests: {message}", line=line, field=field)

    try:
        compressed = base64.b64decode(payload.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as e:
        raise fail(f"neither JSON nor base64 ({e})") from e
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(compressed, MAX_DECODED_BYTES)
    except zlib.error as e:
        raise fail(f"base64 but not zlib data ({e})") from e
    if inflater.unconsumed_tail:
        raise fail(f"decompressed data exceeds {MAX_DECODED_BYTES} bytes")
    if not inflater.eof:
        raise fail("truncated zlib data")
    try:
        text = restricted_loads(raw)
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, IndexError, KeyError) as e:
        raise fail(f"pickle refused or malformed ({e})") from e
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as e:
            raise fail("pickled bytes are not UTF-8") from e
    if not isinstance(text, str):
        raise fail(f"pickle holds a {type(text).__name__}, expected a JSON string")
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise fail(f"unpickled string is not JSON ({e.msg})") from e
