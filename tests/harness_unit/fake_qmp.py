# SPDX-License-Identifier: GPL-2.0-or-later
"""A scripted QMP server on a unix socket, for the error paths a real QEMU will not produce."""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path
from typing import Any, Callable

GREETING = (b'{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}, "package": "fake"},'
            b' "capabilities": ["oob"]}}\r\n')

CLOSE = object()
"""A handler returns this (alone or last in its list) to drop the connection."""

Handler = Callable[[dict[str, Any]], list[Any]]


def reply(msg: dict[str, Any], ret: Any = None) -> bytes:
    """A success reply to `msg`, echoing its id."""
    out: dict[str, Any] = {"return": {} if ret is None else ret}
    if "id" in msg:
        out["id"] = msg["id"]
    return json.dumps(out).encode() + b"\r\n"


def error(msg: dict[str, Any], cls: str, desc: str) -> bytes:
    out: dict[str, Any] = {"error": {"class": cls, "desc": desc}}
    if "id" in msg:
        out["id"] = msg["id"]
    return json.dumps(out).encode() + b"\r\n"


def event(name: str, data: dict[str, Any] | None = None, seconds: int = 1700000000) -> bytes:
    out: dict[str, Any] = {"event": name, "timestamp": {"seconds": seconds, "microseconds": 250000}}
    if data is not None:
        out["data"] = data
    return json.dumps(out).encode() + b"\r\n"


def default_handler(msg: dict[str, Any]) -> list[Any]:
    return [reply(msg)]


class FakeQMPServer:
    """Accepts one connection, sends `greeting`, then answers each request line with handler(msg).

    handler returns a list of bytes to send and/or CLOSE. received lists every parsed request.
    """

    def __init__(self, path: Path, handler: Handler = default_handler, greeting: bytes = GREETING) -> None:
        self.path = path
        self.handler = handler
        self.greeting = greeting
        self.received: list[dict[str, Any]] = []
        self._srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._srv.bind(str(path))
        self._srv.listen(1)
        self._srv.settimeout(10)
        self._conn: socket.socket | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            conn, _ = self._srv.accept()
        except OSError:
            return
        self._conn = conn
        conn.settimeout(10)
        try:
            if self.greeting:
                conn.sendall(self.greeting)
            buf = b""
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    msg = json.loads(line)
                    self.received.append(msg)
                    for item in self.handler(msg):
                        if item is CLOSE:
                            conn.shutdown(socket.SHUT_RDWR)
                            return
                        conn.sendall(item)
        except OSError:
            return
        finally:
            conn.close()

    def send(self, data: bytes) -> None:
        """Send unsolicited bytes (an event) on the accepted connection."""
        assert self._conn is not None
        self._conn.sendall(data)

    def close(self) -> None:
        self._srv.close()
        if self._conn is not None:
            try:
                self._conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._thread.join(5)
