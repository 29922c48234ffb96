# SPDX-License-Identifier: GPL-2.0-or-later
"""QEMU Machine Protocol client: synchronous, every call bounded by a deadline (style.md section 9).

One reader thread splits the monitor's output into command replies (routed by id) and
asynchronous events (queued with timestamps for EventListener consumers). The protocol is the
one QEMU documents in docs/interop/qmp-spec.rst: a greeting, `qmp_capabilities`, then commands
with an optional `id` echoed verbatim in the reply, and events at any time. Every message QEMU
sends is one JSON object terminated by CRLF.
"""

from __future__ import annotations

import collections
import itertools
import json
import logging
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Callable, Iterable, Mapping

from .errors import ConnectError, DeadlineError, HarnessError, ProtocolError
from .models import Reply

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 10.0
# QEMU creates the socket file at start-up; until then connect() polls for it at this period.
CONNECT_POLL_S = 0.01
# The reader thread's socket timeout; also the longest a send may make no progress.
IO_STALL_S = 5.0
# One message is far below this; a peer that sends more without a newline is broken.
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
READ_CHUNK = 65536

JsonObject = dict[str, Any]
EventPredicate = Callable[["Event"], bool]


def _want(cond: bool, what: str, msg: Any) -> None:
    if not cond:
        raise ProtocolError(f"malformed QMP message ({what}): {msg!r}")


# ---------------------------------------------------------------------------------------------
# Validated models of the replies the tests use (qemu/qemu python/qemu/qmp/models.py pattern).

@dataclass(frozen=True)
class QemuVersion:
    major: int
    minor: int
    micro: int
    package: str

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.micro}"


@dataclass(frozen=True)
class Greeting:
    version: QemuVersion
    capabilities: tuple[str, ...]

    @classmethod
    def from_wire(cls, msg: Any) -> Greeting:
        _want(isinstance(msg, dict) and isinstance(msg.get("QMP"), dict), "greeting", msg)
        body = msg["QMP"]
        ver = body.get("version")
        _want(isinstance(ver, dict) and isinstance(ver.get("qemu"), dict), "greeting version", msg)
        q = ver["qemu"]
        _want(all(isinstance(q.get(k), int) for k in ("major", "minor", "micro")),
              "greeting version", msg)
        caps = body.get("capabilities")
        _want(isinstance(caps, list) and all(isinstance(c, str) for c in caps), "greeting capabilities", msg)
        return cls(QemuVersion(q["major"], q["minor"], q["micro"], str(ver.get("package", ""))), tuple(caps))


@dataclass(frozen=True)
class Event:
    """An asynchronous QMP event.

    timestamp is QEMU's own clock (seconds since the epoch, float; -1.0 when QEMU sent none);
    received is the host's time.monotonic() when the reader thread got it.
    """

    name: str
    data: Mapping[str, Any]
    timestamp: float
    received: float

    @classmethod
    def from_wire(cls, msg: JsonObject, received: float) -> Event:
        _want(isinstance(msg.get("event"), str), "event name", msg)
        data = msg.get("data", {})
        _want(isinstance(data, dict), "event data", msg)
        ts = msg.get("timestamp")
        stamp = -1.0
        if (isinstance(ts, dict) and isinstance(ts.get("seconds"), int)
                and isinstance(ts.get("microseconds"), int)):
            stamp = ts["seconds"] + ts["microseconds"] / 1e6
        return cls(msg["event"], data, stamp, received)


@dataclass(frozen=True)
class StatusInfo:
    status: str
    running: bool

    @classmethod
    def from_wire(cls, ret: Any) -> StatusInfo:
        _want(isinstance(ret, dict) and isinstance(ret.get("status"), str)
              and isinstance(ret.get("running"), bool), "query-status", ret)
        return cls(ret["status"], ret["running"])


@dataclass(frozen=True)
class ChardevInfo:
    label: str
    filename: str
    frontend_open: bool

    @classmethod
    def from_wire(cls, ret: Any) -> ChardevInfo:
        _want(isinstance(ret, dict) and isinstance(ret.get("label"), str)
              and isinstance(ret.get("filename"), str) and isinstance(ret.get("frontend-open"), bool),
              "query-chardev entry", ret)
        return cls(ret["label"], ret["filename"], ret["frontend-open"])


@dataclass(frozen=True)
class ImageInfo:
    filename: str
    format: str
    backing_filename: str | None
    backing_image: ImageInfo | None

    @classmethod
    def from_wire(cls, ret: Any) -> ImageInfo:
        _want(isinstance(ret, dict) and isinstance(ret.get("filename"), str)
              and isinstance(ret.get("format"), str), "image info", ret)
        backing = ret.get("backing-image")
        bfile = ret.get("backing-filename")
        _want(bfile is None or isinstance(bfile, str), "backing-filename", ret)
        return cls(ret["filename"], ret["format"], bfile,
                   cls.from_wire(backing) if backing is not None else None)

    def chain(self) -> list[ImageInfo]:
        """This image then each backing image down to the base."""
        out: list[ImageInfo] = []
        node: ImageInfo | None = self
        while node is not None:
            out.append(node)
            node = node.backing_image
        return out


@dataclass(frozen=True)
class BlockInfo:
    """One entry of query-block. node_name/image are None when no medium is inserted."""

    device: str
    qdev: str | None
    node_name: str | None
    image: ImageInfo | None

    @classmethod
    def from_wire(cls, ret: Any) -> BlockInfo:
        _want(isinstance(ret, dict) and isinstance(ret.get("device"), str), "query-block entry", ret)
        inserted = ret.get("inserted")
        if inserted is None:
            return cls(ret["device"], ret.get("qdev"), None, None)
        _want(isinstance(inserted, dict) and isinstance(inserted.get("node-name"), str), "inserted", ret)
        return cls(ret["device"], ret.get("qdev"), inserted["node-name"],
                   ImageInfo.from_wire(inserted.get("image")))


def snapshot_sync_action(node_name: str, snapshot_file: str | Path, snapshot_node_name: str | None = None,
                         fmt: str = "qcow2") -> JsonObject:
    """A `blockdev-snapshot-sync` action for transaction()."""
    data: JsonObject = {"node-name": node_name, "snapshot-file": str(snapshot_file), "format": fmt}
    if snapshot_node_name is not None:
        data["snapshot-node-name"] = snapshot_node_name
    return {"type": "blockdev-snapshot-sync", "data": data}


# ---------------------------------------------------------------------------------------------
# Events.

class EventListener:
    """A queue of events for one consumer; wait() consumes each event once.

    names restricts which events are queued (None: all). A listener is registered with
    QMPClient.listen() and stops receiving at QMPClient.remove_listener() or close().
    """

    def __init__(self, names: Iterable[str] | None = None) -> None:
        self.names = frozenset(names) if names is not None else None
        self._queue: collections.deque[Event] = collections.deque()
        self._cond = threading.Condition()
        self._closed: HarnessError | None = None

    def accepts(self, name: str) -> bool:
        return self.names is None or name in self.names

    def put(self, event: Event) -> None:
        with self._cond:
            self._queue.append(event)
            self._cond.notify_all()

    def close(self, reason: HarnessError) -> None:
        """No more events will come; waiters that find nothing queued get `reason`."""
        with self._cond:
            if self._closed is None:
                self._closed = reason
            self._cond.notify_all()

    def _take(self, name: str | None, where: EventPredicate | None) -> Event | None:
        for i, ev in enumerate(self._queue):
            if (name is None or ev.name == name) and (where is None or where(ev)):
                del self._queue[i]
                return ev
        return None

    def wait(self, name: str | None, timeout: float, where: EventPredicate | None = None) -> Event:
        """The oldest queued event called `name` (any name if None) for which where(event) holds.

        Events already queued count, so an event that arrived before the call is not missed.
        Non-matching events stay queued. Raises DeadlineError after `timeout` seconds, or the
        connection's error once the connection is gone and no queued event matches.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                ev = self._take(name, where)
                if ev is not None:
                    return ev
                if self._closed is not None:
                    raise ConnectError(f"no {name or 'event'} event queued and {self._closed}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise DeadlineError(f"no {name or 'event'} event within {timeout:.1f} s")
                self._cond.wait(left)

    def get_nowait(self, name: str | None = None, where: EventPredicate | None = None) -> Event | None:
        with self._cond:
            return self._take(name, where)

    def drain(self) -> list[Event]:
        """All queued events, oldest first; the queue is emptied."""
        with self._cond:
            out = list(self._queue)
            self._queue.clear()
            return out

    def __len__(self) -> int:
        with self._cond:
            return len(self._queue)


# ---------------------------------------------------------------------------------------------
# The client.

class QMPClient:
    """A synchronous QMP client over a unix socket.

    Usage:
        with QMPClient.connect_unix(path, timeout=10) as qmp:
            qmp.query_status()
            qmp.wait_event("SHUTDOWN", timeout=5)

    All events go to the default listener `events` (wait_event() reads it); listen() adds
    more listeners, each with its own queue. Thread-safe: commands may be issued from any
    thread; each waits for its own reply.
    """

    def __init__(self) -> None:
        self._sock: socket.socket | None = None
        self._reader: threading.Thread | None = None
        self._send_lock = threading.Lock()
        self._cond = threading.Condition()
        self._replies: dict[str, JsonObject] = {}
        self._pending: set[str] = set()
        self._abandoned: set[str] = set()
        self._ids = itertools.count(1)
        self._lost: HarnessError | None = None
        self._closing = False
        self._listeners: list[EventListener] = []
        self.events = EventListener()
        self._listeners.append(self.events)
        self.greeting: Greeting | None = None
        self.path: str | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    @classmethod
    def connect_unix(cls, path: str | Path, timeout: float = DEFAULT_TIMEOUT_S,
                     alive: Callable[[], bool] | None = None, negotiate: bool = True) -> QMPClient:
        """Connect, read the greeting and (if negotiate) send qmp_capabilities."""
        client = cls()
        try:
            client.connect(path, timeout, alive=alive, negotiate=negotiate)
        except BaseException:
            client.close()
            raise
        return client

    def connect(self, path: str | Path, timeout: float = DEFAULT_TIMEOUT_S,
                alive: Callable[[], bool] | None = None, negotiate: bool = True) -> Greeting:
        """Connect to `path`, retrying until the socket accepts or the deadline passes.

        alive() is polled while retrying: when it returns False (the QEMU process died) the
        wait ends at once with ConnectError instead of running out the deadline.
        """
        if self._sock is not None:
            raise HarnessError("QMPClient.connect() called twice")
        self.path = str(path)
        deadline = time.monotonic() + timeout
        sock = connect_unix_socket(self.path, deadline, alive, "QMP")
        self._sock = sock
        try:
            self.greeting = Greeting.from_wire(_read_one(sock, deadline))
        except HarnessError:            # DeadlineError is also a TimeoutError, an OSError
            raise
        except (OSError, ValueError) as exc:
            raise ConnectError(f"QMP greeting from {self.path}: {exc}") from exc
        log.debug("<<< %s greeting: QEMU %s %s", self.path, self.greeting.version, self.greeting.capabilities)
        sock.settimeout(IO_STALL_S)
        self._reader = threading.Thread(target=self._read_loop, name=f"qmp-reader {self.path}", daemon=True)
        self._reader.start()
        if negotiate:
            self.execute("qmp_capabilities", timeout=max(0.1, deadline - time.monotonic()))
        return self.greeting

    def close(self) -> None:
        """Close the connection; idempotent. Waiters get ConnectError."""
        self._closing = True
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        self._set_lost(ConnectError("QMP connection closed by the harness"))
        reader = self._reader
        if reader is not None and reader is not threading.current_thread():
            reader.join(IO_STALL_S)

    def __enter__(self) -> QMPClient:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @property
    def connected(self) -> bool:
        return self._sock is not None and self._lost is None

    @property
    def lost(self) -> HarnessError | None:
        """Why the connection ended (None while it is up)."""
        return self._lost

    # -- events -------------------------------------------------------------------------------

    def listen(self, names: Iterable[str] | None = None) -> EventListener:
        """A new listener that receives every later event (of `names`, or all)."""
        listener = EventListener(names)
        with self._cond:
            if self._lost is not None:
                listener.close(self._lost)
            self._listeners.append(listener)
        return listener

    def remove_listener(self, listener: EventListener) -> None:
        with self._cond:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def wait_event(self, name: str | None, timeout: float, where: EventPredicate | None = None) -> Event:
        """Consume the oldest matching event from the default listener (see EventListener.wait)."""
        return self.events.wait(name, timeout, where)

    # -- commands ------------------------------------------------------------------------------

    def execute(self, name: str, arguments: Mapping[str, Any] | None = None,
                timeout: float = DEFAULT_TIMEOUT_S) -> Any:
        """Run one command and return its "return" value.

        Raises ExecuteError (with error_class and desc) on an error reply, DeadlineError when no
        reply comes within `timeout` seconds (a late reply is then dropped), ConnectError when the
        connection is or gets lost.
        """
        msg_id = f"h{next(self._ids)}"
        msg: JsonObject = {"execute": name, "id": msg_id}
        if arguments is not None:
            msg["arguments"] = dict(arguments)
        data = json.dumps(msg, separators=(",", ":")).encode() + b"\n"
        deadline = time.monotonic() + timeout
        with self._cond:
            if self._lost is not None or self._sock is None:
                raise self._lost_error(f"cannot send {name}")
            self._pending.add(msg_id)
        try:
            log.debug(">>> %s", data[:-1].decode())
            with self._send_lock:
                sock = self._sock
                if sock is None:
                    raise ConnectError(f"cannot send {name}: connection closed")
                try:
                    sock.sendall(data)
                except OSError as exc:
                    err = ConnectError(f"QMP send of {name} failed: {exc}")
                    self._set_lost(err)
                    raise err from exc
            with self._cond:
                while msg_id not in self._replies:
                    if self._lost is not None:
                        raise self._lost_error(f"no reply to {name}")
                    left = deadline - time.monotonic()
                    if left <= 0:
                        self._abandoned.add(msg_id)
                        raise DeadlineError(f"no reply to {name} within {timeout:.1f} s")
                    self._cond.wait(left)
                reply = self._replies.pop(msg_id)
        finally:
            with self._cond:
                self._pending.discard(msg_id)
        # QMP replies have QGA's shape: the one reply model checks both (harness/models.py).
        return Reply.from_json(reply).unwrap(sent=msg)

    # Explicit methods for the commands the tests use (no __getattr__ dispatch, style.md 9).

    def query_status(self, timeout: float = DEFAULT_TIMEOUT_S) -> StatusInfo:
        return StatusInfo.from_wire(self.execute("query-status", timeout=timeout))

    def query_chardev(self, timeout: float = DEFAULT_TIMEOUT_S) -> list[ChardevInfo]:
        ret = self.execute("query-chardev", timeout=timeout)
        _want(isinstance(ret, list), "query-chardev", ret)
        return [ChardevInfo.from_wire(x) for x in ret]

    def chardev(self, label: str, timeout: float = DEFAULT_TIMEOUT_S) -> ChardevInfo:
        for info in self.query_chardev(timeout):
            if info.label == label:
                return info
        raise ProtocolError(f"query-chardev has no chardev {label!r}")

    def query_block(self, timeout: float = DEFAULT_TIMEOUT_S) -> list[BlockInfo]:
        ret = self.execute("query-block", timeout=timeout)
        _want(isinstance(ret, list), "query-block", ret)
        return [BlockInfo.from_wire(x) for x in ret]

    def block(self, node_name: str, timeout: float = DEFAULT_TIMEOUT_S) -> BlockInfo:
        """The query-block entry whose device or top node is `node_name`."""
        for info in self.query_block(timeout):
            if node_name in (info.device, info.node_name):
                return info
        raise ProtocolError(f"query-block has no device or node {node_name!r}")

    def blockdev_snapshot_sync(self, node_name: str, snapshot_file: str | Path,
                               snapshot_node_name: str | None = None, fmt: str = "qcow2",
                               timeout: float = DEFAULT_TIMEOUT_S) -> None:
        """Create `snapshot_file` (backed by the current image) and make it the active layer."""
        self.execute("blockdev-snapshot-sync",
                     snapshot_sync_action(node_name, snapshot_file, snapshot_node_name, fmt)["data"],
                     timeout=timeout)

    def transaction(self, actions: list[JsonObject], timeout: float = DEFAULT_TIMEOUT_S) -> None:
        """Run `actions` atomically (see snapshot_sync_action())."""
        self.execute("transaction", {"actions": actions}, timeout=timeout)

    def human_monitor_command(self, command_line: str, timeout: float = DEFAULT_TIMEOUT_S) -> str:
        ret = self.execute("human-monitor-command", {"command-line": command_line}, timeout=timeout)
        _want(isinstance(ret, str), "human-monitor-command", ret)
        return str(ret)

    def stop(self, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        self.execute("stop", timeout=timeout)

    def cont(self, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        self.execute("cont", timeout=timeout)

    def system_powerdown(self, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        """Press the ACPI power button; the guest decides what happens (POWERDOWN event)."""
        self.execute("system_powerdown", timeout=timeout)

    def quit(self, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        """Make QEMU exit. QEMU may reset the socket before its reply arrives: that counts as done."""
        try:
            self.execute("quit", timeout=timeout)
        except ConnectError:
            pass

    # -- reader thread -------------------------------------------------------------------------

    def _lost_error(self, context: str) -> HarnessError:
        """An error of the same kind as the one that ended the connection (ConnectError if none)."""
        if self._lost is None:
            return ConnectError(f"{context}: not connected")
        return type(self._lost)(f"{context}: {self._lost}")

    def _set_lost(self, reason: HarnessError) -> None:
        with self._cond:
            if self._lost is None:
                self._lost = reason
            listeners = list(self._listeners)
            self._cond.notify_all()
        for listener in listeners:
            listener.close(self._lost)

    def _read_loop(self) -> None:
        sock = self._sock
        assert sock is not None
        buf = b""
        reason: HarnessError = ConnectError("QMP connection lost: EOF")
        try:
            while True:
                try:
                    chunk = sock.recv(READ_CHUNK)
                except socket.timeout:
                    if self._closing:
                        break
                    continue
                if not chunk:
                    break
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    if line.strip():
                        self._dispatch(line)
                if len(buf) > MAX_MESSAGE_BYTES:
                    raise ProtocolError(f"QMP message over {MAX_MESSAGE_BYTES} bytes without a newline")
        except HarnessError as exc:
            reason = exc
            log.error("QMP %s: %s", self.path, exc)
        except OSError as exc:
            reason = ConnectError(f"QMP connection lost: {exc}")
        if self._closing:
            reason = ConnectError("QMP connection closed by the harness")
        log.debug("QMP %s reader ends: %s", self.path, reason)
        self._set_lost(reason)
        if not self._closing:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _dispatch(self, line: bytes) -> None:
        received = time.monotonic()
        log.debug("<<< %s", line.decode(errors="replace").rstrip())
        try:
            msg = json.loads(line)
        except ValueError as exc:
            raise ProtocolError(f"QMP sent invalid JSON ({exc}): {line[:200]!r}") from exc
        if not isinstance(msg, dict):
            raise ProtocolError(f"QMP sent a non-object: {msg!r}")
        if "event" in msg:
            event = Event.from_wire(msg, received)
            with self._cond:
                listeners = [x for x in self._listeners if x.accepts(event.name)]
            for listener in listeners:
                listener.put(event)
            return
        if "return" not in msg and "error" not in msg:
            raise ProtocolError(f"QMP message is neither reply nor event: {msg!r}")
        msg_id = msg.get("id")
        with self._cond:
            if isinstance(msg_id, str) and msg_id in self._pending:
                self._replies[msg_id] = msg
                self._cond.notify_all()
                return
            if isinstance(msg_id, str) and msg_id in self._abandoned:
                self._abandoned.discard(msg_id)
                log.warning("QMP late reply dropped (its caller timed out): %r", msg)
                return
        raise ProtocolError(f"QMP reply matches no pending command: {msg!r}")


# ---------------------------------------------------------------------------------------------
# Socket helper, shared with the chardev transport (harness/chardev.py).

def connect_unix_socket(path: str, deadline: float, alive: Callable[[], bool] | None,
                        what: str) -> socket.socket:
    """Connect a SOCK_STREAM unix socket, retrying while the server is not there yet."""
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            sock.connect(path)
            return sock
        except (FileNotFoundError, ConnectionRefusedError) as exc:
            sock.close()
            if alive is not None and not alive():
                raise ConnectError(f"{what} {path}: the server process exited before accepting") from exc
            if time.monotonic() >= deadline:
                raise ConnectError(f"{what} {path}: not accepting connections ({exc})") from exc
            time.sleep(CONNECT_POLL_S)
        except OSError as exc:
            sock.close()
            raise ConnectError(f"{what} {path}: {exc}") from exc


def _read_one(sock: socket.socket, deadline: float) -> Any:
    """Read exactly one newline-terminated JSON message (the greeting) before the reader starts."""
    buf = b""
    while b"\n" not in buf:
        left = deadline - time.monotonic()
        if left <= 0:
            raise DeadlineError("no QMP greeting before the deadline")
        sock.settimeout(left)
        try:
            chunk = sock.recv(READ_CHUNK)
        except socket.timeout as exc:
            raise DeadlineError("no QMP greeting before the deadline") from exc
        if not chunk:
            raise ConnectError("connection closed before the QMP greeting")
        buf += chunk
        if len(buf) > MAX_MESSAGE_BYTES:
            raise ProtocolError("QMP greeting too long")
    line, rest = buf.split(b"\n", 1)
    if rest.strip():
        # QEMU sends nothing before qmp_capabilities; anything here is a broken peer.
        raise ProtocolError(f"unexpected data after the QMP greeting: {rest[:200]!r}")
    try:
        return json.loads(line)
    except ValueError as exc:
        raise ProtocolError(f"QMP greeting is not JSON: {line[:200]!r}") from exc
