# SPDX-License-Identifier: GPL-2.0-or-later
"""The QGA wire protocol of the real qemu-ga.exe under Wine, over a pty COM port.

Expected texts and behaviour: shared/reference/qga-reference.md section 8 (qemu-ga's lexer,
streamer, parser and dispatcher) and users-and-clients.md section 2 (what libvirt and Proxmox
send). Every test starts on a resynchronised stream (the qga fixture) and the next test's sync
proves the agent survived the previous one.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path
from typing import Any

import pytest

from harness.errors import ExecuteError
from harness.models import Reply
from harness.protocol import NO_ID, Message, encode, encode_request, json_equal
from harness.qga import QGAClient

from qga_reference import NO_SUCCESS_RESPONSE, WINDOWS_COMMANDS

INT64_MAX = (1 << 63) - 1
INT64_MIN = -(1 << 63)
UINT64_MAX = (1 << 64) - 1
MAX_TOKEN_SIZE = 64 << 20
MAX_TOKEN_COUNT = 2 << 20
MAX_NESTING = 1 << 10
BIG_TIMEOUT_S = 120.0       # a 64 MiB request through a pty into Wine, on a loaded machine


def error(desc: str, error_class: str = "GenericError", id: Any = NO_ID) -> dict[str, Any]:
    reply: dict[str, Any] = {"error": {"class": error_class, "desc": desc}}
    if id is not NO_ID:
        reply["id"] = id
    return reply


STRAY_FF = error("JSON parse error, stray '\ufffd'")


def until(qga: QGAClient, done: Any, timeout: float | None = None) -> tuple[list[Message], Message]:
    """Receive messages until done(message); return those before it and it."""
    deadline = qga.deadline(timeout)
    before: list[Message] = []
    while True:
        message = qga.receive(deadline=deadline)
        if done(message):
            return before, message
        before.append(message)


def has_id(value: Any) -> Any:
    return lambda m: isinstance(m.value, dict) and "id" in m.value and json_equal(m.value["id"], value)


# -- guest-sync-delimited and 0xFF ---------------------------------------------------------

def test_sync_delimited_after_stray_0xff(qga: QGAClient) -> None:
    qga.capture = bytearray()
    qga.send_bytes(b"\xff")
    assert qga.receive().value == STRAY_FF
    qga.capture = bytearray()
    qga.send_bytes(encode_request("guest-sync-delimited", {"id": 4242}))
    delimited = qga.receive()
    assert delimited.delimited and delimited.value == {"return": 4242}
    qga.send_bytes(encode_request("guest-sync", {"id": 4243}))
    plain = qga.receive()
    assert plain.value == {"return": 4243}
    # 0xFF right before the delimited reply only; one reply per "\n"-terminated line.
    assert bytes(qga.capture) == b"\xff" + delimited.raw + b"\n" + plain.raw + b"\n"


def test_0xff_inside_a_partial_request_resets_the_parser(qga: QGAClient) -> None:
    partial = b'{"execute": "guest-sync", "arguments": {"id": 1'
    qga.send_bytes(partial + b"\xff" + encode_request("guest-ping", id="after"))
    before, reply = until(qga, has_id("after"))
    assert reply.value == {"return": {}, "id": "after"}
    assert len(before) == 1, [m.value for m in before]
    assert before[0].value["error"]["class"] == "GenericError"
    assert before[0].value["error"]["desc"].startswith("JSON parse error, stray ")
    assert "id" not in before[0].value


def test_0xfe_is_stray_too(qga: QGAClient) -> None:
    assert qga.execute_raw(b"\xfe") == [STRAY_FF]


def test_0xff_inside_a_string_resets_the_parser(qga: QGAClient) -> None:
    qga.send_bytes(b'{"execute": "guest-pi\xff' + encode_request("guest-ping", id=7))
    before, reply = until(qga, has_id(7))
    assert reply.value == {"return": {}, "id": 7}
    assert [m.value["error"]["desc"][:25] for m in before] == ["JSON parse error, stray '"]


def test_proxmox_sync_delimited_and_command_in_one_write(qga: QGAClient) -> None:
    """Proxmox writes sync-delimited and the command together, no leading 0xFF, and expects
    0xFF and then exactly two JSON lines (users-and-clients.md section 2)."""
    sync_id = int(f"{os.getpid()}0{17}")
    qga.capture = bytearray()
    qga.send_bytes(encode_request("guest-sync-delimited", {"id": sync_id})
                   + encode_request("guest-ping"))
    first, second = qga.receive(), qga.receive()
    assert first.delimited and first.value == {"return": sync_id}
    assert not second.delimited and second.value == {"return": {}}
    assert bytes(qga.capture) == b"\xff" + first.raw + b"\n" + second.raw + b"\n"


def test_libvirt_guest_sync_then_command(qga: QGAClient) -> None:
    """libvirt: guest-sync with id = time in ms (~1.7e12), then the command."""
    sync_id = int(time.time() * 1000)
    assert sync_id > 1_600_000_000_000
    assert qga.execute_raw(encode_request("guest-sync", {"id": sync_id})) == [{"return": sync_id}]
    assert qga.guest_sync(sync_id + 1) == sync_id + 1
    qga.ping()


@pytest.mark.parametrize("value", [0, -1, 1_700_000_000_000, INT64_MAX, INT64_MIN])
def test_guest_sync_returns_int64_exactly(qga: QGAClient, value: int) -> None:
    assert qga.guest_sync(value) == value


@pytest.mark.parametrize("value", [INT64_MAX + 1, UINT64_MAX, 1 << 64, -(1 << 63) - 1])
def test_guest_sync_rejects_ids_outside_int64(qga: QGAClient, value: int) -> None:
    with pytest.raises(ExecuteError) as info:
        qga.execute("guest-sync", {"id": value})
    assert (info.value.error_class, info.value.desc) == (
        "GenericError", "Invalid parameter type for 'id', expected: integer")


# -- ids of every JSON type, echoed verbatim ------------------------------------------------

IDS: list[tuple[str, Any, Any]] = [
    # (name, id sent, id expected back)
    ("zero", 0, 0),
    ("negative", -1, -1),
    ("libvirt", 1_712_345_678_901, 1_712_345_678_901),
    ("int64-max", INT64_MAX, INT64_MAX),
    ("int64-min", INT64_MIN, INT64_MIN),
    ("uint64-max", UINT64_MAX, UINT64_MAX),
    ("beyond-uint64-is-double", 1 << 64, float(1 << 64)),
    ("double", 1.5, 1.5),
    ("double-0.1", 0.1, 0.1),
    ("double-huge", 1e300, 1e300),
    ("double-tiny", 5e-324, 5e-324),
    ("string", "abc", "abc"),
    ("empty-string", "", ""),
    ("escapes", "tab\t \"q\" \\ /\n\x01\x1f", "tab\t \"q\" \\ /\n\x01\x1f"),
    ("non-ascii", "\u00e9\u2028\uffff", "\u00e9\u2028\uffff"),
    ("astral", "\U0001F600", "\U0001F600"),
    ("null", None, None),
    ("true", True, True),
    ("false", False, False),
    ("empty-array", [], []),
    ("array", [1, "two", [3.5, None], {"k": False}], [1, "two", [3.5, None], {"k": False}]),
    ("empty-object", {}, {}),
    ("object", {"a": {"b": [1, 2]}, "": 0}, {"a": {"b": [1, 2]}, "": 0}),
]


@pytest.mark.parametrize("sent,expected", [(s, e) for _, s, e in IDS], ids=[n for n, _, _ in IDS])
def test_id_echoed_on_success_and_error(qga: QGAClient, sent: Any, expected: Any) -> None:
    qga.send_bytes(encode_request("guest-ping", id=sent) + encode_request("guest-nope", id=sent))
    ok, failed = qga.receive(), qga.receive()
    assert ok.raw.isascii() and failed.raw.isascii()
    assert set(ok.value) == {"return", "id"} and ok.value["return"] == {}
    assert json_equal(ok.value["id"], expected), ok.raw
    assert set(failed.value) == {"error", "id"} and failed.value["error"]["class"] == "CommandNotFound"
    assert json_equal(failed.value["id"], expected), failed.raw


def test_reply_escapes_non_ascii_and_control_characters(qga: QGAClient) -> None:
    qga.send_bytes(encode_request("guest-ping", id="\u00e9\x01\U0001F600"))
    raw = qga.receive().raw
    assert raw.isascii()
    assert b"\\u00e9" in raw.lower() and b"\\u0001" in raw and b"\\ud83d\\ude00" in raw.lower()


# -- guest-info -----------------------------------------------------------------------------

def test_guest_info_contents(qga: QGAClient, repo: Path) -> None:
    info = qga.info()
    assert info.version == (repo / "VERSION").read_text().strip()
    names = info.names
    assert len(names) == len(set(names)), "duplicate command names"
    # Every command of qemu-ga's Windows build, and nothing else but our own under the QAPI
    # downstream prefix (issue 12); all enabled (no lists, thawed).
    standard = {name for name in names if not name.startswith("__org.qga-win_")}
    assert standard == WINDOWS_COMMANDS, (standard ^ WINDOWS_COMMANDS)
    assert all(name.startswith("guest-") for name in standard)
    assert all(entry.enabled for entry in info.supported_commands)
    no_reply = {c.name for c in info.supported_commands if not c.success_response}
    assert no_reply == NO_SUCCESS_RESPONSE


def test_every_listed_command_is_registered_and_validates_arguments(qga: QGAClient) -> None:
    """An unexpected argument is refused before any handler runs, so this is safe even for
    guest-shutdown; a listed command is never 'not found'."""
    for entry in qga.info().supported_commands:
        reply = qga.request(entry.name, {"__qga_win_bogus": 1})
        assert reply.error is not None, f"{entry.name} accepted a bogus argument"
        desc = reply.error.desc
        if not entry.enabled:
            assert reply.error.error_class == "CommandNotFound" and "has been disabled" in desc, desc
        else:
            assert reply.error.error_class == "GenericError", (entry.name, desc)
            assert desc == "Parameter '__qga_win_bogus' is unexpected" or (
                desc.startswith("Parameter '") and desc.endswith("' is missing")), (entry.name, desc)


# -- every error class and text -------------------------------------------------------------

ERRORS: list[tuple[str, bytes, dict[str, Any]]] = [
    # request shape (qmp_dispatch)
    ("array", b"[]", error("QMP input must be a JSON object")),
    ("string", b'"guest-ping"', error("QMP input must be a JSON object")),
    ("number", b"123\n", error("QMP input must be a JSON object")),
    ("null", b"null\n", error("QMP input must be a JSON object")),
    ("no-execute", b'{"id": 1}', error("QMP input lacks member 'execute'", id=1)),
    ("execute-not-string", b'{"execute": 1, "id": 2}',
     error("QMP input member 'execute' must be a string", id=2)),
    ("arguments-array", b'{"execute": "guest-ping", "arguments": [], "id": 3}',
     error("QMP input member 'arguments' must be an object", id=3)),
    ("arguments-null", b'{"execute": "guest-ping", "arguments": null, "id": 3}',
     error("QMP input member 'arguments' must be an object", id=3)),
    ("unexpected-member", b'{"execute": "guest-ping", "foo": 1, "id": 4}',
     error("QMP input member 'foo' is unexpected", id=4)),
    ("exec-oob", b'{"exec-oob": "guest-ping", "id": 5}',
     error("QMP input member 'exec-oob' is unexpected", id=5)),
    # command lookup
    ("unknown-command", b'{"execute": "guest-nope", "id": 6}',
     error("The command guest-nope has not been found", "CommandNotFound", id=6)),
    ("empty-command", b'{"execute": "", "id": 7}',
     error("The command  has not been found", "CommandNotFound", id=7)),
    # arguments, validated from the table
    ("unexpected-parameter", b'{"execute": "guest-ping", "arguments": {"foo": 42}, "id": 8}',
     error("Parameter 'foo' is unexpected", id=8)),
    ("missing-parameter", b'{"execute": "guest-sync", "arguments": {}, "id": 9}',
     error("Parameter 'id' is missing", id=9)),
    ("missing-arguments", b'{"execute": "guest-sync", "id": 10}', error("Parameter 'id' is missing", id=10)),
    ("extra-parameter", b'{"execute": "guest-sync", "arguments": {"id": 1, "x": 2}, "id": 11}',
     error("Parameter 'x' is unexpected", id=11)),
    ("type-string", b'{"execute": "guest-sync", "arguments": {"id": "1"}, "id": 12}',
     error("Invalid parameter type for 'id', expected: integer", id=12)),
    ("type-double", b'{"execute": "guest-sync", "arguments": {"id": 1.5}, "id": 13}',
     error("Invalid parameter type for 'id', expected: integer", id=13)),
    ("type-bool", b'{"execute": "guest-sync-delimited", "arguments": {"id": true}, "id": 14}',
     error("Invalid parameter type for 'id', expected: integer", id=14)),
    ("type-null", b'{"execute": "guest-sync", "arguments": {"id": null}, "id": 15}',
     error("Invalid parameter type for 'id', expected: integer", id=15)),
    ("type-object", b'{"execute": "guest-sync", "arguments": {"id": {}}, "id": 16}',
     error("Invalid parameter type for 'id', expected: integer", id=16)),
    # parser and lexer (no id: the request never became an object)
    ("missing-colon", b'{"execute" "guest-ping"}', error("JSON parse error, missing : in object pair")),
    ("duplicate-key", b'{"execute": "guest-ping", "execute": "guest-ping"}',
     error("JSON parse error, duplicate key")),
    ("key-not-string", b'{1: 2}', error("JSON parse error, key is not a string in object")),
    ("invalid-keyword", b'{"execute": tru}', error("JSON parse error, invalid keyword 'tru'")),
    ("expecting-value", b'{"execute": }', error("JSON parse error, expecting value")),
    ("invalid-utf8", b'{"execute": "\xc3\x28"}', error("JSON parse error, invalid UTF-8 sequence in string")),
    ("stray-char", b"@\n", error("JSON parse error, stray '@'")),
]


@pytest.mark.parametrize("data,expected", [(d, e) for _, d, e in ERRORS], ids=[n for n, _, _ in ERRORS])
def test_error_reply(qga: QGAClient, data: bytes, expected: dict[str, Any]) -> None:
    reply = qga.execute_raw(data)[0]
    assert reply == expected and json_equal(reply, expected)
    Reply.from_json(reply)      # no other members


def test_optional_argument_type_errors(qga: QGAClient) -> None:
    """Type names of the other argument kinds, through commands that have them."""
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("guest-fsfreeze-freeze-list", {"mountpoints": "C:\\"},
         "Invalid parameter type for 'mountpoints', expected: array"),
        ("guest-file-open", {"path": 1}, "Invalid parameter type for 'path', expected: string"),
        ("guest-file-seek", {"handle": 1, "offset": 0, "whence": "bogus"},
         "Parameter 'whence' does not accept value 'bogus'"),
        ("guest-ssh-add-authorized-keys", {"username": "u", "keys": ["k"], "reset": 1},
         "Invalid parameter type for 'reset', expected: boolean"),
        ("guest-exec", {"path": "cmd.exe", "arg": [1]},
         "Invalid parameter type for 'arg[0]', expected: string"),
    ]
    for name, args, desc in cases:
        with pytest.raises(ExecuteError) as exc:
            qga.execute(name, args)
        assert (exc.value.error_class, exc.value.desc) == ("GenericError", desc)


# -- streams: pipelining, garbage, limits ---------------------------------------------------

def test_200_pipelined_requests_answered_in_order(qga: QGAClient) -> None:
    requests = [encode_request("guest-sync", {"id": i}, id=i) if i % 2 else encode_request("guest-ping", id=i)
                for i in range(200)]
    qga.capture = bytearray()
    replies = qga.execute_raw(b"".join(requests), replies=200)
    assert [r["id"] for r in replies] == list(range(200))
    assert all(r["return"] == (r["id"] if r["id"] % 2 else {}) for r in replies)
    assert qga.capture.count(b"\n") == 200


@pytest.mark.parametrize("seed", [1, 2])
def test_garbage_then_resync(qga: QGAClient, seed: int) -> None:
    rng = random.Random(seed)
    garbage = bytes(rng.randrange(256) for _ in range(16384))
    qga.send_bytes(garbage)
    qga.sync()
    qga.ping()


@pytest.mark.parametrize("junk", [
    b'{"execute": "guest-ping", "arguments": {"x": "unterminated',
    b"[[[[{{{{" * 64,
    b'{"execute": "guest-ping"' + b"\\" * 3,
    b"\x00\x01\x02 \x7f\x80\xc0\xfe\r\n\t",
], ids=["open-string", "open-brackets", "backslashes", "control-and-invalid-bytes"])
def test_partial_input_then_resync(qga: QGAClient, junk: bytes) -> None:
    qga.send_bytes(junk)
    qga.sync()
    qga.ping()


def nested_id_request(depth: int) -> bytes:
    """guest-ping whose id is `depth` nested arrays: total nesting depth + 1 (the object)."""
    return b'{"execute": "guest-ping", "id": ' + b"[" * depth + b"]" * depth + b"}"


def array_depth(value: Any) -> int:
    depth = 0
    while isinstance(value, list):
        depth += 1
        value = value[0] if value else None
    return depth


def test_nesting_at_the_limit_is_accepted(qga: QGAClient) -> None:
    reply = qga.execute_raw(nested_id_request(MAX_NESTING - 1))[0]
    assert reply["return"] == {} and array_depth(reply["id"]) == MAX_NESTING - 1


def test_nesting_over_the_limit(qga: QGAClient) -> None:
    # Stop right where the limit trips: whatever follows would be parsed afresh.
    data = b'{"execute": "guest-ping", "id": ' + b"[" * MAX_NESTING
    assert qga.execute_raw(data)[0] == error("JSON nesting depth limit exceeded")
    qga.sync()
    qga.ping()


def test_token_count_at_the_limit_is_accepted(qga: QGAClient) -> None:
    # Tokens: { "execute" : "guest-ping" , "id" : } = 8, plus [ ] and k elements with k-1
    # commas; one element is [] (2 tokens) so the total is 2k + 10.
    k = (MAX_TOKEN_COUNT - 10) // 2
    assert 2 * k + 10 == MAX_TOKEN_COUNT
    data = b'{"execute": "guest-ping", "id": [[]' + b",1" * (k - 1) + b"]}"
    reply = qga.execute_raw(data, timeout=BIG_TIMEOUT_S)[0]
    assert reply["return"] == {} and len(reply["id"]) == k


def test_token_count_over_the_limit(qga: QGAClient) -> None:
    # [ then "1," pairs: the token after number MAX_TOKEN_COUNT trips the limit; send no more.
    data = b"[" + b"1," * (MAX_TOKEN_COUNT // 2)
    assert qga.execute_raw(data, timeout=BIG_TIMEOUT_S)[0] == error("JSON token count limit exceeded")
    qga.sync()
    qga.ping()


def test_token_size_over_the_limit(qga: QGAClient) -> None:
    """One string token longer than 64 MiB (sent once: it takes seconds through the pty)."""
    data = (b'{"execute": "guest-ping", "arguments": {"x": "' + b"a" * (MAX_TOKEN_SIZE + 16) + b'"}}')
    first = qga.execute_raw(data, timeout=BIG_TIMEOUT_S)[0]
    assert first == error("JSON token size limit exceeded")
    qga.sync(timeout=BIG_TIMEOUT_S)
    qga.ping()


def test_agent_still_answers_after_all_of_the_above(qga: QGAClient) -> None:
    assert qga.execute_raw(encode({"execute": "guest-sync", "arguments": {"id": 99}, "id": "end"})) == [
        {"return": 99, "id": "end"}]
