# SPDX-License-Identifier: GPL-2.0-or-later
"""QGA client: requests with ids and deadlines over a byte transport (style.md section 9).

Synchronous by design: every call blocks with an explicit deadline (the default one, or the
call's `timeout`). Framing is protocol.Splitter; this file only moves bytes and matches replies.
While sending, the client keeps reading, so a large or pipelined request never deadlocks against
an agent that blocks writing replies nobody reads.

Resynchronisation follows qga-reference.md section 8: send 0xFF (resets the agent's parser,
which answers with one parse error) and guest-sync-delimited with a fresh id, drop everything
up to the 0xFF the agent puts before that reply, then drop replies until the one carrying the id.
"""

from __future__ import annotations

import errno
import itertools
import logging
import math
import os
import random
import select
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Final, Iterator, Mapping, Protocol

from .errors import ConnectError, DeadlineError, ProtocolError
from .models import GuestInfo, Reply, fsfreeze_state, integer
from .protocol import DELIMITER_BYTE, Event, Message, Splitter, encode, json_equal, make_request

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S: Final = 10.0
READ_CHUNK: Final = 1 << 16
READS_PER_WAKEUP: Final = 64       # then give the write side a turn
LOG_BYTES: Final = 300             # wire traffic logged at DEBUG is cut to this many bytes
KEEP_DISCARDED: Final = 32         # recent unmatched replies and dropped bytes, for error messages


class Transport(Protocol):
    """A non-blocking byte stream the client polls: a pty master, a socket, a pipe.

    send_some() and recv_some() never block: they move what they can now. Both raise
    ConnectError when the peer is gone (EOF, EIO, reset). fileno() is what the client polls.
    """

    def fileno(self) -> int: ...

    def send_some(self, data: memoryview) -> int:
        """Write a prefix of data; return its length (0 if the transport is full)."""
        ...

    def recv_some(self, limit: int) -> bytes:
        """Return up to limit bytes received, b"" if none are waiting."""
        ...

    def close(self) -> None:
        """Release the transport; idempotent."""
        ...


class FdTransport:
    """Transport over a file descriptor: a pty master, or a connected socket's fd.

    The fd is switched to non-blocking mode; it is closed by close() when `owns` is true.
    """

    def __init__(self, fd: int, *, owns: bool = True, name: str = "") -> None:
        self._fd = fd
        self._owns = owns
        self.name = name or f"fd {fd}"
        os.set_blocking(fd, False)

    def fileno(self) -> int:
        if self._fd < 0:
            raise ConnectError(f"{self.name}: transport is closed")
        return self._fd

    def send_some(self, data: memoryview) -> int:
        try:
            return os.write(self.fileno(), data)
        except BlockingIOError:
            return 0
        except OSError as exc:
            raise ConnectError(f"{self.name}: write failed: {exc}") from exc

    def recv_some(self, limit: int) -> bytes:
        try:
            data = os.read(self.fileno(), limit)
        except BlockingIOError:
            return b""
        except OSError as exc:
            # A pty master reads EIO once no process holds the slave open.
            what = "peer hung up" if exc.errno == errno.EIO else f"read failed: {exc}"
            raise ConnectError(f"{self.name}: {what}") from exc
        if not data:
            raise ConnectError(f"{self.name}: end of file (peer closed the connection)")
        return data

    def close(self) -> None:
        if self._fd >= 0 and self._owns:
            os.close(self._fd)
        self._fd = -1


@dataclass(frozen=True)
class Traffic:
    """What an observer sees: direction ">>>" (sent), "<<<" (a message) or "xxx" (dropped),
    the bytes (a received message delimited by 0xFF includes it), and a note for dropped bytes."""

    direction: str
    data: bytes
    note: str = ""


Observer = Callable[[Traffic], None]


def _cut(data: bytes) -> str:
    text = repr(data[:LOG_BYTES])
    return text + f"... ({len(data)} bytes)" if len(data) > LOG_BYTES else text


def libvirt_sized_ids() -> Iterator[int]:
    """Ids as libvirt makes them (milliseconds since the epoch, ~1.7e12), counting up."""
    return itertools.count(int(time.time() * 1000))


class QGAClient:
    """A connected QGA client; a context manager whose close() is idempotent.

    timeout is the default deadline of each call in seconds; every method also takes its own.
    """

    def __init__(self, transport: Transport, *, timeout: float = DEFAULT_TIMEOUT_S,
                 observer: Observer | None = None, ids: Iterator[int] | None = None) -> None:
        self.timeout = timeout
        self.observer = observer
        self._transport = transport
        self._splitter = Splitter()
        self._inbox: deque[Message] = deque()
        self._ids = ids if ids is not None else libvirt_sized_ids()
        self._poll = select.poll()
        self._registered = False
        self._closed = False
        self.discarded: deque[Event] = deque(maxlen=KEEP_DISCARDED)
        # Set to a bytearray to record every byte received, exactly as it arrived.
        self.capture: bytearray | None = None

    def __enter__(self) -> QGAClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._transport.close()

    # -- low level: bytes and messages in arrival order -------------------------------------

    def next_id(self) -> int:
        return next(self._ids)

    def deadline(self, timeout: float | None = None) -> float:
        """The monotonic time `timeout` seconds (default: self.timeout) from now."""
        return time.monotonic() + (self.timeout if timeout is None else timeout)

    def send_bytes(self, data: bytes, *, timeout: float | None = None, deadline: float | None = None) -> None:
        """Write all of `data`, reading (and queueing) replies meanwhile."""
        if deadline is None:
            deadline = self.deadline(timeout)
        log.debug(">>> %s", _cut(data))
        if self.observer is not None:
            self.observer(Traffic(">>>", data))
        view = memoryview(data)
        while view:
            if time.monotonic() >= deadline:
                raise DeadlineError(f"sent {len(data) - len(view)} of {len(data)} bytes before the deadline "
                                    "(the agent is not reading)")
            view = view[self._wait_io(deadline, view):]

    def receive(self, *, timeout: float | None = None, deadline: float | None = None) -> Message:
        """The next message, whatever it is (an error reply without id, a stale reply...)."""
        if deadline is None:
            deadline = self.deadline(timeout)
        while not self._inbox:
            if time.monotonic() >= deadline:
                raise DeadlineError(f"no message within the deadline{self._dropped_note()}")
            self._wait_io(deadline, None)
        return self._inbox.popleft()

    def drain(self) -> list[Message]:
        """Return (and forget) the messages that arrived so far, without waiting."""
        self._wait_io(time.monotonic(), None, block=False)
        messages = list(self._inbox)
        self._inbox.clear()
        return messages

    def execute_raw(self, data: bytes, *, replies: int = 1, timeout: float | None = None) -> list[Any]:
        """Send arbitrary bytes and return the values of the next `replies` messages."""
        deadline = self.deadline(timeout)
        self.send_bytes(data, deadline=deadline)
        return [self.receive(deadline=deadline).value for _ in range(replies)]

    # -- requests matched by id -------------------------------------------------------------

    def request(self, execute: str, arguments: Mapping[str, Any] | None = None, *,
                timeout: float | None = None) -> Reply:
        """Send one request with a fresh id; return its reply (success or error), validated.

        Older replies still in the stream (e.g. to a call that timed out) are dropped.
        """
        deadline = self.deadline(timeout)
        request_id = self.next_id()
        request = make_request(execute, arguments, request_id)
        self.send_bytes(encode(request), deadline=deadline)
        message = self._wait_for(lambda m: _has_id(m, request_id), deadline, f"reply to {execute}")
        return Reply.from_json(message.value)

    def execute(self, name: str, arguments: Mapping[str, Any] | None = None, *,
                timeout: float | None = None) -> Any:
        """Run a command; return its "return" value or raise ExecuteError."""
        deadline = self.deadline(timeout)
        request_id = self.next_id()
        request = make_request(name, arguments, request_id)
        self.send_bytes(encode(request), deadline=deadline)
        message = self._wait_for(lambda m: _has_id(m, request_id), deadline, f"reply to {name}")
        return Reply.from_json(message.value).unwrap(sent=request)

    def execute_no_reply(self, name: str, arguments: Mapping[str, Any] | None = None, *,
                         confirm: bool = True, timeout: float | None = None) -> None:
        """Run a command that answers nothing on success (guest-shutdown and the like).

        With confirm, a guest-sync follows it: requests are answered in order, so the sync's
        reply arriving first proves the command sent nothing (an error reply raises
        ExecuteError). Without confirm, only the request is sent (the agent may be gone).
        """
        deadline = self.deadline(timeout)
        request_id = self.next_id()
        request = make_request(name, arguments, request_id)
        self.send_bytes(encode(request), deadline=deadline)
        if not confirm:
            return
        sync_id = self.next_id()
        self.send_bytes(encode(make_request("guest-sync", {"id": sync_id}, sync_id)), deadline=deadline)
        message = self._wait_for(lambda m: _has_id(m, request_id) or _has_id(m, sync_id), deadline,
                                 f"guest-sync after {name}")
        if _has_id(message, request_id):
            reply = Reply.from_json(message.value)
            reply.unwrap(sent=request)
            raise ProtocolError(f"{name} should not reply on success, got {message.raw!r:.300}")

    def sync(self, *, timeout: float | None = None) -> int:
        """Resynchronise a stream in any state (0xFF + guest-sync-delimited); return the id used."""
        deadline = self.deadline(timeout)
        sync_id = random.randrange(1, 1 << 31)
        for event in self._splitter.hunt_delimiter():
            self._dropped(event)
        while self._inbox:
            self._dropped(self._inbox.popleft())
        request = DELIMITER_BYTE + encode(make_request("guest-sync-delimited", {"id": sync_id}))
        self.send_bytes(request, deadline=deadline)
        self._wait_for(lambda m: m.delimited and _returns(m, sync_id), deadline, "guest-sync-delimited reply")
        return sync_id

    # -- explicit commands (add the ones your tests use; no __getattr__ magic) --------------

    def ping(self, *, timeout: float | None = None) -> None:
        ret = self.execute("guest-ping", timeout=timeout)
        if ret != {}:
            raise ProtocolError(f"guest-ping: expected {{}}, got {ret!r:.200}")

    def guest_sync(self, value: int, *, timeout: float | None = None) -> int:
        """guest-sync (not delimited): returns `value` echoed by the agent."""
        ret = integer(self.execute("guest-sync", {"id": value}, timeout=timeout), "guest-sync")
        if ret != value:
            raise ProtocolError(f"guest-sync: sent {value}, got {ret}")
        return ret

    def info(self, *, timeout: float | None = None) -> GuestInfo:
        return GuestInfo.from_json(self.execute("guest-info", timeout=timeout))

    def fsfreeze_status(self, *, timeout: float | None = None) -> str:
        return fsfreeze_state(self.execute("guest-fsfreeze-status", timeout=timeout))

    def fsfreeze_freeze(self, *, timeout: float | None = None) -> int:
        """Freeze all volumes; returns how many were frozen."""
        return integer(self.execute("guest-fsfreeze-freeze", timeout=timeout), "guest-fsfreeze-freeze")

    def fsfreeze_freeze_list(self, mountpoints: list[str] | None = None, *,
                             timeout: float | None = None) -> int:
        args = None if mountpoints is None else {"mountpoints": mountpoints}
        return integer(self.execute("guest-fsfreeze-freeze-list", args, timeout=timeout),
                       "guest-fsfreeze-freeze-list")

    def fsfreeze_thaw(self, *, timeout: float | None = None) -> int:
        """Thaw; returns how many volumes were thawed."""
        return integer(self.execute("guest-fsfreeze-thaw", timeout=timeout), "guest-fsfreeze-thaw")

    # -- internals --------------------------------------------------------------------------

    def _wait_for(self, match: Callable[[Message], bool], deadline: float, what: str) -> Message:
        while True:
            while self._inbox:
                message = self._inbox.popleft()
                if match(message):
                    return message
                self._dropped(message)
            if time.monotonic() >= deadline:
                raise DeadlineError(f"no {what} within the deadline{self._dropped_note()}")
            self._wait_io(deadline, None)

    def _wait_io(self, deadline: float, out: memoryview | None, *, block: bool = True) -> int:
        """Wait (until deadline) for the transport, then read what arrived and write what fits
        of `out`; return the number of bytes written."""
        fd = self._transport.fileno()
        mask = select.POLLIN | (select.POLLOUT if out is not None else 0)
        if self._registered:
            self._poll.modify(fd, mask)
        else:
            self._poll.register(fd, mask)
            self._registered = True
        wait_ms = max(0, math.ceil((deadline - time.monotonic()) * 1000)) if block else 0
        written = 0
        for _, revents in self._poll.poll(wait_ms):
            if revents & (select.POLLIN | select.POLLHUP | select.POLLERR | select.POLLNVAL):
                self._read_available()
            if out is not None and revents & (select.POLLOUT | select.POLLERR):
                written = self._transport.send_some(out)
        return written

    def _read_available(self) -> None:
        for _ in range(READS_PER_WAKEUP):
            data = self._transport.recv_some(READ_CHUNK)
            if not data:
                return
            if self.capture is not None:
                self.capture += data
            for event in self._splitter.feed(data):
                if isinstance(event, Message):
                    log.debug("<<< %s%s", "0xFF " if event.delimited else "", _cut(event.raw))
                    if self.observer is not None:
                        mark = DELIMITER_BYTE if event.delimited else b""
                        self.observer(Traffic("<<<", mark + event.raw))
                    self._inbox.append(event)
                else:
                    self._dropped(event)

    def _dropped(self, event: Event) -> None:
        data = event.raw if isinstance(event, Message) else event.data
        note = "not the reply awaited" if isinstance(event, Message) else event.reason
        log.debug("xxx %s: %s", note, _cut(data))
        if self.observer is not None:
            self.observer(Traffic("xxx", data, note))
        self.discarded.append(event)

    def _dropped_note(self) -> str:
        if not self.discarded:
            return ""
        recent = "; ".join(_cut(e.raw if isinstance(e, Message) else e.data)
                           for e in list(self.discarded)[-4:])
        return f" (recently dropped: {recent})"


def _has_id(message: Message, request_id: Any) -> bool:
    value = message.value
    return isinstance(value, dict) and "id" in value and json_equal(value["id"], request_id)


def _returns(message: Message, value: Any) -> bool:
    reply = message.value
    return isinstance(reply, dict) and "return" in reply and json_equal(reply["return"], value)
