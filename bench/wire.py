# SPDX-License-Identifier: GPL-2.0-or-later
"""Timed raw exchanges on a peer's pty master.

The harness's QGAClient (JSON framing, id matching) is what tests want; a benchmark wants the
least host-side work between "request written" and "reply complete", the same for every peer.
Both agents end each reply with "\\n" and never put one inside it (JSON escapes it), and the
floors answer lines with lines, so a reply is complete when its newline arrives. The transport
is the harness's FdTransport on a duplicate of the pty master (non-blocking).
"""

from __future__ import annotations

import json
import os
import select
import time
from dataclasses import dataclass
from typing import Any, Callable, Final

from harness.errors import DeadlineError, ProtocolError
from harness.qga import FdTransport
from harness.wine import ComPort

READ_CHUNK: Final = 1 << 20
PROBE_INTERVAL_S: Final = 0.002     # how often start-up probes are repeated until one is answered


@dataclass(frozen=True)
class Exchange:
    """One timed exchange: nanoseconds from the first byte written to the last reply's newline,
    bytes received, and (if kept) the bytes themselves."""

    ns: int
    received: int
    data: bytes

    @property
    def ms(self) -> float:
        return self.ns / 1e6

    def last_reply(self) -> Any:
        """The last newline-terminated reply, decoded as JSON."""
        lines = self.data.rstrip(b"\n").rsplit(b"\n", 1)
        try:
            return json.loads(lines[-1].lstrip(b"\xff"))
        except ValueError as exc:
            raise ProtocolError(f"not a JSON reply: {lines[-1][:200]!r}") from exc


class Channel:
    """The host end of a peer's pty; close() is idempotent."""

    def __init__(self, port: ComPort, name: str) -> None:
        self.name = name
        self._transport = FdTransport(os.dup(port.master), name=name)
        self._fd = self._transport.fileno()
        self._poll = select.poll()
        self._poll.register(self._fd, select.POLLIN)

    def close(self) -> None:
        self._transport.close()

    def discard(self) -> int:
        """Drop whatever has arrived; return how many bytes."""
        dropped = 0
        while data := self._transport.recv_some(READ_CHUNK):
            dropped += len(data)
        return dropped

    def exchange(self, request: bytes, replies: int = 1, *, timeout: float, keep: bool = True,
                 stall: float | None = None) -> Exchange:
        """Write request (reading meanwhile, so a peer blocked on its writes never deadlocks us)
        and read until `replies` newlines have arrived. keep=False counts bytes only. DeadlineError
        after timeout, or after `stall` seconds without a byte received once all is sent."""
        deadline = time.monotonic() + timeout
        stall_deadline = deadline
        chunks: list[bytes] = []
        received = lines = 0
        start = time.perf_counter_ns()
        view = memoryview(request)
        view = view[self._transport.send_some(view):]
        mask = -1
        while lines < replies or view:
            want = select.POLLIN | (select.POLLOUT if view else 0)
            if want != mask:
                self._poll.modify(self._fd, want)
                mask = want
            now = time.monotonic()
            if stall is not None and not view:
                stall_deadline = min(stall_deadline, now + stall)
            left = min(deadline, stall_deadline) - now
            if left <= 0:
                sent = len(request) - len(view)
                why = f"{stall} s without a reply byte" if now < deadline else f"{timeout} s"
                raise DeadlineError(f"{self.name}: {lines} of {replies} replies ({received} bytes) and "
                                    f"{sent} of {len(request)} bytes sent, then {why}")
            for _, revents in self._poll.poll(max(1, int(left * 1000))):
                if view and revents & select.POLLOUT:
                    view = view[self._transport.send_some(view):]
                if revents & (select.POLLIN | select.POLLHUP | select.POLLERR):
                    data = self._transport.recv_some(READ_CHUNK)
                    received += len(data)
                    lines += data.count(b"\n")
                    stall_deadline = deadline
                    if keep:
                        chunks.append(data)
        ns = time.perf_counter_ns() - start
        return Exchange(ns=ns, received=received, data=b"".join(chunks))

    def first_answer(self, probe: bytes, *, timeout: float, started_ns: int | None = None) -> int:
        """Repeat probe every PROBE_INTERVAL_S until anything comes back (a process starting
        may flush what arrived before it opened the port); return ns since started_ns (default
        now) when the first byte arrived. Later answers to the extra probes stay queued."""
        start = time.perf_counter_ns() if started_ns is None else started_ns
        deadline = time.monotonic() + timeout
        self._poll.modify(self._fd, select.POLLIN)
        while time.monotonic() < deadline:
            self._transport.send_some(memoryview(probe))
            if self._poll.poll(int(PROBE_INTERVAL_S * 1000)):
                return time.perf_counter_ns() - start
        raise DeadlineError(f"{self.name}: no answer to {probe[:60]!r} within {timeout} s")

    def settle(self, marker: bytes, is_marker: Callable[[bytes], bool], *, timeout: float) -> None:
        """Send marker and drop every reply up to and including the one is_marker() accepts,
        so the stream is clean after start-up probes."""
        deadline = time.monotonic() + timeout
        self.exchange(marker, 0, timeout=timeout)
        pending = b""
        while time.monotonic() < deadline:
            pending += self.exchange(b"", 1, timeout=max(0.001, deadline - time.monotonic())).data
            *complete, pending = pending.split(b"\n")
            if any(is_marker(line) for line in complete):
                return
        raise DeadlineError(f"{self.name}: the settle marker was not answered within {timeout} s")
