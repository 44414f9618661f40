"""The hash chains' content text: orjson's where it is byte for byte the standard library's.

A hash written by one doudi must be the hash another works out again (``audit verify``, an
older or newer release, a platform without orjson), so the quick encoder may only be used
where it gives the very text `json.dumps(values, ensure_ascii=False, separators=(",", ":"))`
gives; everything else goes through the standard library as before.
"""

from __future__ import annotations

import hashlib
import json
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import integrity
from engine.integrity import GENESIS, chained_digest

PREVIOUS = "a3" * 32


def by_the_standard_library(values: tuple, previous: str) -> str:
    """The chains' hash as every doudi before orjson wrote it."""
    content = json.dumps(values, ensure_ascii=False, separators=(",", ":"),
                         default=integrity._blob)
    return hashlib.sha256(f"{previous}|{content}".encode()).hexdigest()


@pytest.fixture
def without_orjson(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(integrity, "_compact_json", None)


def test_orjson_is_what_the_chains_use_here() -> None:
    # The install steps bring it; were it missing, every test below would compare the
    # standard library with itself.
    assert integrity._compact_json is not None


def test_an_event_row_hashes_as_before() -> None:
    row = {"case_id": "shanxi-2026-000001", "seq": 3, "event": "submit_to_county",
           "on": "2026-03-04", "recorded_at": "2026-03-04T08:12:13.123456+00:00",
           "actor": "张三", "payload": '{"amount": 900}', "reason": None,
           "from_state": "investigated", "to_state": "county_review", "derived": "{}",
           "idempotency_key": "import:shanxi-2026-000001:" + "0f" * 16, "corrects": None}
    values = tuple(row[c] for c in integrity.HASHED)
    # Worked out by hand from the text the chain covers:
    text = ('["shanxi-2026-000001",3,"submit_to_county","2026-03-04",'
            '"2026-03-04T08:12:13.123456+00:00","张三","{\\"amount\\": 900}",null,'
            '"investigated","county_review","{}","import:shanxi-2026-000001:'
            + "0f" * 16 + '",null]')
    expected = hashlib.sha256(f"{GENESIS}|{text}".encode()).hexdigest()
    assert integrity.event_hash(row, GENESIS) == expected
    assert by_the_standard_library(values, GENESIS) == expected


def test_every_character_is_written_as_the_standard_library_writes_it() -> None:
    # Every code point but the surrogates, in chunks, beside the characters JSON escapes.
    for start in range(0, sys.maxunicode + 1, 0x4000):
        text = "".join(chr(c) for c in range(start, min(start + 0x4000, sys.maxunicode + 1))
                       if not 0xD800 <= c <= 0xDFFF)
        values = (text, '"\\\b\f\n\r\t\x00\x1f\x7f\u2028\u2029', 1)
        assert chained_digest(values, PREVIOUS) == by_the_standard_library(values, PREVIOUS)


@pytest.mark.parametrize("value", [
    0, -1, 2**63 - 1, -(2**63), 2**64 - 1,  # orjson's range
    2**64, -(2**63) - 1, 10**40,  # beyond it: the standard library's
    True, False, None, b"\x00\xffblob", "",
    1.5, 1e16, 1e-05, 123456789012345678.0, float("nan"), float("inf"),  # floats: 1e-05, NaN
])
def test_each_kind_of_value_hashes_as_before(value: object) -> None:
    values = ("case", value, None)
    assert chained_digest(values, PREVIOUS) == by_the_standard_library(values, PREVIOUS)


def test_a_float_is_written_by_the_standard_library() -> None:
    # orjson writes 1e-05 as 0.00001 and NaN as null: the same number, or none, not the same
    # text. (A float is in no row doudi writes but a sanction's amount.)
    import orjson

    assert orjson.dumps([1e-05, float("nan")]) == b"[0.00001,null]"
    assert chained_digest(("amount", 1e-05, float("nan")), PREVIOUS) == hashlib.sha256(
        f'{PREVIOUS}|["amount",1e-05,NaN]'.encode()).hexdigest()


def test_a_lone_surrogate_fails_as_it_did(without_orjson: None) -> None:
    with pytest.raises(UnicodeEncodeError):
        chained_digest(("\udc80",), PREVIOUS)


def test_a_lone_surrogate_fails_as_it_did_with_orjson() -> None:
    with pytest.raises(UnicodeEncodeError):
        chained_digest(("\udc80",), PREVIOUS)


def test_a_value_json_cannot_write_is_refused_as_before() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        chained_digest((object(),), PREVIOUS)


def test_a_previous_hash_that_is_no_text_is_hashed_as_before() -> None:
    # (a damaged row's prev_hash, read back by verify)
    assert chained_digest(("x",), None) == by_the_standard_library(("x",), None)  # type: ignore[arg-type]
    assert chained_digest(("x",), 7) == by_the_standard_library(("x",), 7)  # type: ignore[arg-type]


scalars = st.one_of(st.text(), st.integers(), st.none(), st.booleans(), st.binary(),
                    st.floats(allow_nan=True, allow_infinity=True))


@given(st.lists(scalars, max_size=14).map(tuple), st.text(min_size=0, max_size=70))
def test_any_row_hashes_as_the_standard_library_hashes_it(values: tuple, previous: str) -> None:
    try:
        expected = by_the_standard_library(values, previous)
    except UnicodeEncodeError:
        with pytest.raises(UnicodeEncodeError):
            chained_digest(values, previous)
        return
    assert chained_digest(values, previous) == expected


@given(st.lists(scalars, max_size=14).map(tuple))
def test_without_orjson_the_hash_is_the_same(values: tuple) -> None:
    try:
        with_it = chained_digest(values, PREVIOUS)
    except UnicodeEncodeError:
        return
    saved = integrity._compact_json
    integrity._compact_json = None
    try:
        assert chained_digest(values, PREVIOUS) == with_it
    finally:
        integrity._compact_json = saved
