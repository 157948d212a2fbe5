import base64
import json
import os
import pickle
import zlib

import pytest

from codecritique.errors import DataError
from codecritique.problems.safe_pickle import decode_private_tests, restricted_loads

TESTS = [{"input": "1 2\n", "output": "3\n", "testtype": "stdin"}]


def encode(obj, protocol=pickle.DEFAULT_PROTOCOL) -> str:
    return base64.b64encode(zlib.compress(pickle.dumps(obj, protocol=protocol))).decode()


class _Boom:
    """Pickles into a call of os.system: loading it with pickle.loads would run the command."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_plain_json_is_read_as_is():
    assert decode_private_tests(json.dumps(TESTS)) == TESTS


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_benign_encoded_payload_decodes_with_every_protocol(protocol):
    assert decode_private_tests(encode(json.dumps(TESTS), protocol)) == TESTS


def test_pickled_bytes_are_accepted_as_utf8():
    assert decode_private_tests(encode(json.dumps(TESTS).encode())) == TESTS


def test_malicious_pickle_is_refused_and_not_executed(tmp_path):
    marker = tmp_path / "pwned"
    payload = encode(_Boom(marker))
    with pytest.raises(DataError) as e:
        decode_private_tests(payload, path="lcb.jsonl", line=7)
    assert not marker.exists()
    assert e.value.path == "lcb.jsonl" and e.value.line == 7 and e.value.field == "private_test_cases"
    assert "refused" in str(e.value)


def test_hand_written_global_opcode_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    # protocol 0: GLOBAL 'os system', then REDUCE with a one-string tuple
    raw = b"cos\nsystem\n(V" + f"touch {marker}".encode() + b"\ntR."
    with pytest.raises(pickle.UnpicklingError):
        restricted_loads(raw)
    assert not marker.exists()


def test_restricted_unpickler_refuses_globals_even_past_the_opcode_scan():
    # builtins.eval via STACK_GLOBAL: refused by the scan; the unpickler's find_class is the second wall
    with pytest.raises(pickle.UnpicklingError, match="STACK_GLOBAL"):
        restricted_loads(pickle.dumps(eval))


def test_plain_containers_are_allowed():
    value = {"a": [1, 2.5, None, True], "b": (b"x", "y")}
    assert restricted_loads(pickle.dumps(value)) == value


@pytest.mark.parametrize(
    "payload, message",
    [
        ("not json, not base64!", "neither JSON nor base64"),
        (base64.b64encode(b"not zlib").decode(), "not zlib"),
        (encode(["a", "list"]), "expected a JSON string"),
        (encode("{not json"), "not JSON"),
        (base64.b64encode(zlib.compress(b"garbage")).decode(), "pickle"),
    ],
)
def test_undecodable_payloads_raise_data_error(payload, message):
    with pytest.raises(DataError, match=message) as e:
        decode_private_tests(payload, path="x.jsonl", line=2)
    assert e.value.line == 2 and e.value.field == "private_test_cases"


def test_truncated_zlib_is_refused():
    data = zlib.compress(pickle.dumps(json.dumps(TESTS)))[:-6]
    with pytest.raises(DataError, match="truncated"):
        decode_private_tests(base64.b64encode(data).decode())
