# SPDX-License-Identifier: GPL-2.0-or-later
"""Unit tests of harness/protocol.py, the sans-I/O framing (no Wine, no agent)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from harness.protocol import (NO_ID, Discarded, Event, Message, Splitter, decode, encode, encode_request,
                              json_equal, make_request)

REPLIES = [
    {"return": {}, "id": 1},
    {"return": "a \"quoted\" {brace} [bracket] \\ back\\slash", "id": "x"},
    {"error": {"class": "GenericError", "desc": "JSON parse error, stray '\ufffd'"}},
    {"return": [1, [2, [3, {"a": []}]]], "id": [None, True, 1.5]},
]
STREAM = b"".join(encode(r) for r in REPLIES)


def messages(events: list[Event]) -> list[Any]:
    return [e.value for e in events if isinstance(e, Message)]


def test_encode_is_ascii_with_newline() -> None:
    data = encode_request("guest-ping", {"s": "\u00e9\U0001f600"}, id=7)
    assert data.endswith(b"\n")
    assert data.isascii()
    assert decode(data) == {"execute": "guest-ping", "arguments": {"s": "\u00e9\U0001f600"}, "id": 7}


def test_make_request_id_null_differs_from_no_id() -> None:
    assert make_request("guest-ping") == {"execute": "guest-ping"}
    assert make_request("guest-ping", id=None) == {"execute": "guest-ping", "id": None}
    assert make_request("guest-ping", id=NO_ID) == {"execute": "guest-ping"}
    assert not NO_ID


def test_json_equal_is_strict_about_types() -> None:
    assert json_equal(1, 1)
    assert not json_equal(1, 1.0)
    assert not json_equal(1, True)
    assert not json_equal(0, False)
    assert json_equal({"a": 1, "b": 2}, {"b": 2, "a": 1})


def test_whole_stream_in_one_feed() -> None:
    assert messages(Splitter().feed(STREAM)) == REPLIES


@pytest.mark.parametrize("split", range(1, len(STREAM)))
def test_split_at_every_position(split: int) -> None:
    splitter = Splitter()
    events = splitter.feed(STREAM[:split]) + splitter.feed(STREAM[split:])
    assert messages(events) == REPLIES
    assert not [e for e in events if isinstance(e, Discarded)]
    assert splitter.buffered == 0


def test_byte_by_byte() -> None:
    splitter = Splitter()
    events: list[Event] = []
    for i in range(len(STREAM)):
        events += splitter.feed(STREAM[i:i + 1])
    assert messages(events) == REPLIES


def test_pipelined_without_newlines() -> None:
    data = b"".join(json.dumps({"return": i, "id": i}).encode() for i in range(200))
    assert [m["id"] for m in messages(Splitter().feed(data))] == list(range(200))


def test_raw_bytes_and_delimited_flag() -> None:
    events = Splitter().feed(b'  {"return": 1}\n\xff{"return": 2}\n{"return": 3}')
    assert [(e.raw, e.delimited) for e in events if isinstance(e, Message)] == [
        (b'{"return": 1}', False), (b'{"return": 2}', True), (b'{"return": 3}', False)]


def test_delimiter_drops_partial_message() -> None:
    events = Splitter().feed(b'{"return": "abc\xff{"return": 2}')
    assert isinstance(events[0], Discarded) and events[0].data == b'{"return": "abc'
    assert isinstance(events[1], Message) and events[1].value == {"return": 2} and events[1].delimited


def test_delimiter_after_backslash_in_string() -> None:
    splitter = Splitter()
    events = splitter.feed(b'{"return": "a\\') + splitter.feed(b'\xff{"return": 5}')
    assert messages(events) == [{"return": 5}]


def test_escaped_quote_split_across_feeds() -> None:
    splitter = Splitter()
    events = splitter.feed(b'{"return": "a\\') + splitter.feed(b'"}"}')
    assert messages(events) == [{"return": 'a"}'}]


def test_junk_between_values_is_reported_and_skipped() -> None:
    events = Splitter().feed(b'garbage 123 ]} {"return": 1}')
    assert isinstance(events[0], Discarded) and events[0].data == b"garbage 123 ]} "
    assert messages(events) == [{"return": 1}]


def test_invalid_json_is_discarded_and_next_message_survives() -> None:
    events = Splitter().feed(b'{"return": nope}{"return": 2}')
    assert isinstance(events[0], Discarded) and events[0].reason.startswith("invalid JSON")
    assert messages(events) == [{"return": 2}]


def test_invalid_utf8_is_discarded() -> None:
    events = Splitter().feed(b'{"return": "\xc3\x28"}')
    assert isinstance(events[0], Discarded)


def test_nan_is_rejected() -> None:
    assert not messages(Splitter().feed(b'{"return": NaN}'))


def test_hunt_drops_until_delimiter() -> None:
    splitter = Splitter()
    assert messages(splitter.feed(b'{"return": 1}{"ret')) == [{"return": 1}]
    dropped = splitter.hunt_delimiter()
    assert [d.data for d in dropped if isinstance(d, Discarded)] == [b'{"ret']
    assert splitter.hunting
    events = splitter.feed(b'urn": 2}\n{"error": {"class": "GenericError", "desc": "x"}}\n')
    assert not messages(events) and splitter.hunting
    events = splitter.feed(b'\xff{"return": 3}\n')
    assert messages(events) == [{"return": 3}] and not splitter.hunting
    last = events[-1]
    assert isinstance(last, Message) and last.delimited


def test_oversize_message_is_dropped_then_resynchronised() -> None:
    splitter = Splitter(max_message=1000)
    events = splitter.feed(b'{"return": "' + b"a" * 2000)
    assert isinstance(events[0], Discarded) and "longer" in events[0].reason
    assert splitter.buffered == 0 and splitter.hunting
    assert messages(splitter.feed(b'aaa"}\xff{"return": 1}')) == [{"return": 1}]


def test_large_message_in_chunks() -> None:
    payload = "x" * (8 << 20)
    data = encode({"return": payload})
    splitter = Splitter()
    events: list[Event] = []
    for i in range(0, len(data), 65536):
        events += splitter.feed(data[i:i + 65536])
    assert messages(events) == [{"return": payload}]


def test_nesting_deeper_than_python_default_recursion_limit() -> None:
    depth = 1100
    events = Splitter().feed(b'{"return": {}, "id": ' + b"[" * depth + b"]" * depth + b"}")
    value = messages(events)[0]["id"]
    for _ in range(depth - 1):
        value = value[0]
    assert value == []


def test_absurd_nesting_is_discarded_not_a_crash() -> None:
    depth = 20000
    events = Splitter().feed(b"[" * depth + b"]" * depth)
    assert isinstance(events[0], Discarded) and "nested deeper" in events[0].reason
