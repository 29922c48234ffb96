# SPDX-License-Identifier: GPL-2.0-or-later
"""Sans-I/O QGA framing: encode requests, split received bytes into JSON messages.

Nothing here reads or writes a file descriptor, so the same code serves the synchronous
client in qga.py, an asyncio front end, and unit tests that feed bytes by hand.

The wire (qga-reference.md section 8): the agent writes one JSON object per reply, followed
by "\\n", ASCII only (everything else is escaped). A 0xFF byte is never part of JSON: the
agent sends one before the reply to guest-sync-delimited, and a client that sees it drops
whatever partial message it holds and starts afresh. We do not rely on the newlines: values
are delimited the way qemu's json-streamer does it, by counting brackets outside strings, so
pipelined and arbitrarily split input works.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from typing import Any, Final, Mapping

DELIMITER: Final = 0xFF
DELIMITER_BYTE: Final = b"\xff"

# Largest message the splitter buffers before giving up on it and resynchronising. The agent
# caps a reply near 64 MiB (guest-file-read of 48 MiB, base64-encoded, plus the envelope).
MAX_MESSAGE_BYTES: Final = 96 << 20

# Extra recursion allowed while decoding deeply nested messages (see decode()).
DECODE_EXTRA_DEPTH: Final = 4096

_WHITESPACE: Final = b" \t\r\n"
_OUTSIDE_STRING = re.compile(rb'[{}\[\]"\xff]')
_INSIDE_STRING = re.compile(rb'["\\\xff]')
_VALUE_START = re.compile(rb"[{\[\xff]")


class _NoId:
    """Type of NO_ID: a request without an "id" member (None would mean JSON null)."""

    _instance: _NoId | None = None

    def __new__(cls) -> _NoId:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_ID"

    def __bool__(self) -> bool:
        return False


NO_ID: Final = _NoId()


def encode(value: Any) -> bytes:
    """Encode one JSON value the way a careful client does: ASCII only, no NaN, "\\n"-terminated."""
    return json.dumps(value, ensure_ascii=True, allow_nan=False).encode("ascii") + b"\n"


def make_request(execute: str, arguments: Mapping[str, Any] | None = None, id: Any = NO_ID) -> dict[str, Any]:
    """Build a request object; `id` may be any JSON value (None is JSON null), NO_ID omits it."""
    request: dict[str, Any] = {"execute": execute}
    if arguments is not None:
        request["arguments"] = dict(arguments)
    if id is not NO_ID:
        request["id"] = id
    return request


def encode_request(execute: str, arguments: Mapping[str, Any] | None = None, id: Any = NO_ID) -> bytes:
    """make_request() followed by encode()."""
    return encode(make_request(execute, arguments, id))


def json_equal(a: Any, b: Any) -> bool:
    """Compare two JSON values strictly: 1, 1.0 and true differ (Python's == says they are equal)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")


def decode(raw: bytes) -> Any:
    """Decode one complete JSON text; raises ValueError (incl. UnicodeDecodeError) if it is not valid.

    Python's json recurses once per nesting level and stops near 1000; the agent accepts 1024
    (qga-reference.md section 8), so deeper values are decoded with a raised recursion limit.
    """
    text = raw.decode("utf-8")
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        pass
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(limit + DECODE_EXTRA_DEPTH)
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError as exc:
        raise ValueError(f"nested deeper than {DECODE_EXTRA_DEPTH} levels") from exc
    finally:
        sys.setrecursionlimit(limit)


@dataclass(frozen=True)
class Message:
    """One complete JSON value received.

    raw is its exact bytes (without surrounding whitespace); delimited tells whether a 0xFF
    arrived after the previous message and before this one (the guest-sync-delimited mark).
    """

    value: Any
    raw: bytes
    delimited: bool


@dataclass(frozen=True)
class Discarded:
    """Bytes the splitter dropped, and why: junk between values, a partial value cut short by
    0xFF, invalid JSON, an oversize value, or bytes skipped while hunting for a delimiter."""

    data: bytes
    reason: str


Event = Message | Discarded


class Splitter:
    """Incremental splitter: feed() bytes in any chunks, get back complete messages in order.

    Call hunt_delimiter() before sending guest-sync-delimited: everything up to and including
    the next 0xFF is then dropped (reported as Discarded) and framing restarts clean after it.
    """

    def __init__(self, max_message: int = MAX_MESSAGE_BYTES) -> None:
        self._max_message = max_message
        self._buf = bytearray()
        self._pos = 0           # next byte to scan in _buf; a value, if open, starts at 0
        self._depth = 0         # bracket depth of the open value; 0 between values
        self._in_string = False
        self._delimited = False  # a 0xFF arrived since the last message
        self._hunting = False

    @property
    def buffered(self) -> int:
        """Bytes held: the part of a message received so far."""
        return len(self._buf)

    @property
    def hunting(self) -> bool:
        """True while bytes are being dropped until the next 0xFF."""
        return self._hunting

    def reset(self) -> list[Event]:
        """Drop any partial message (returned as a Discarded event, if there was one)."""
        events: list[Event] = []
        if self._buf:
            events.append(Discarded(bytes(self._buf), "reset by the client"))
        self._restart(0)
        self._delimited = False
        return events

    def hunt_delimiter(self) -> list[Event]:
        """Drop everything, buffered or still to come, up to and including the next 0xFF."""
        events = self.reset()
        self._hunting = True
        return events

    def feed(self, data: bytes) -> list[Event]:
        """Add received bytes; return the events they complete, in order."""
        self._buf += data
        events: list[Event] = []
        while self._step(events):
            pass
        return events

    def _restart(self, consumed: int) -> None:
        """Forget the first `consumed` bytes and any open value."""
        del self._buf[:consumed]
        self._pos = 0
        self._depth = 0
        self._in_string = False

    def _delimiter_at(self, index: int, events: list[Event], reason: str) -> None:
        if index:
            events.append(Discarded(bytes(self._buf[:index]), reason))
        self._restart(index + 1)
        self._delimited = True
        self._hunting = False

    def _step(self, events: list[Event]) -> bool:
        """Make progress on the buffer; False when more input is needed."""
        buf = self._buf
        if self._hunting:
            index = buf.find(DELIMITER)
            if index < 0:
                if buf:
                    events.append(Discarded(bytes(buf), "skipped while waiting for 0xFF"))
                self._restart(len(buf))
                return False
            self._delimiter_at(index, events, "skipped while waiting for 0xFF")
            return True

        if self._depth == 0:
            return self._step_between_values(events)

        if len(buf) > self._max_message:
            events.append(Discarded(bytes(buf), f"message longer than {self._max_message} bytes"))
            self._restart(len(buf))
            self._hunting = True
            return False

        pattern = _INSIDE_STRING if self._in_string else _OUTSIDE_STRING
        match = pattern.search(buf, self._pos)
        if match is None:
            self._pos = len(buf)
            return False
        index = match.start()
        char = buf[index]
        if char == DELIMITER:
            self._delimiter_at(index, events, "partial message cut short by 0xFF")
        elif self._in_string:
            if char == ord('"'):
                self._in_string = False
                self._pos = index + 1
            elif index + 1 >= len(buf):     # a backslash: its escaped byte has not arrived yet
                self._pos = index
                return False
            elif buf[index + 1] == DELIMITER:
                self._delimiter_at(index + 1, events, "partial message cut short by 0xFF")
            else:
                self._pos = index + 2
        elif char == ord('"'):
            self._in_string = True
            self._pos = index + 1
        elif char in b"{[":
            self._depth += 1
            self._pos = index + 1
        else:
            self._depth -= 1
            self._pos = index + 1
            if self._depth == 0:
                self._complete(index + 1, events)
        return True

    def _step_between_values(self, events: list[Event]) -> bool:
        buf = self._buf
        start = 0
        while start < len(buf) and buf[start] in _WHITESPACE:
            start += 1
        if start == len(buf):
            self._restart(start)
            return False
        if buf[start] == DELIMITER:
            self._restart(start)
            self._delimiter_at(0, events, "")
            return True
        if buf[start] in b"{[":
            self._restart(start)
            self._depth = 1
            self._pos = 1
            return True
        # Junk between values (a bare scalar, a stray closing bracket, noise): drop it up to
        # the next byte that can start a value or is a delimiter.
        match = _VALUE_START.search(buf, start)
        end = len(buf) if match is None else match.start()
        more = end < len(buf)
        events.append(Discarded(bytes(buf[start:end]), "not a JSON object or array"))
        self._restart(end)
        return more

    def _complete(self, end: int, events: list[Event]) -> None:
        raw = bytes(self._buf[:end])
        delimited = self._delimited
        self._restart(end)
        self._delimited = False
        try:
            value = decode(raw)
        except ValueError as exc:
            events.append(Discarded(raw, f"invalid JSON: {exc}"))
            return
        events.append(Message(value, raw, delimited))
