# SPDX-License-Identifier: GPL-2.0-or-later
"""A small in-process stand-in for qemu-ga's protocol layer, to test the client without Wine.

It follows qga-reference.md section 8 where the client can tell: one parse error per 0xFF,
0xFF before the guest-sync-delimited reply, ids echoed, CommandNotFound for unknown commands,
no reply for fake-silent. fake-delayed answers late, to make stale replies.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

from harness.protocol import Message, Splitter, encode

STRAY = {"error": {"class": "GenericError", "desc": "JSON parse error, stray '\ufffd'"}}


class FakeAgent:
    """Serves one end of a socketpair in a thread until the other end closes."""

    def __init__(self) -> None:
        self.host, self._sock = socket.socketpair()
        self.requests: list[Any] = []
        self._splitter = Splitter()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Hang up (the client sees EOF) and stop the thread; idempotent."""
        if self._sock.fileno() < 0:
            return
        self._sock.shutdown(socket.SHUT_RDWR)
        self._thread.join(5)
        self._sock.close()

    def _serve(self) -> None:
        while True:
            try:
                data = self._sock.recv(65536)
            except OSError:
                return
            if not data:
                return
            segments = data.split(b"\xff")
            for i, segment in enumerate(segments):
                for event in self._splitter.feed(segment):
                    if isinstance(event, Message):
                        self._handle(event.value)
                if i + 1 < len(segments):
                    self._splitter.reset()
                    self._send(encode(STRAY))

    def _send(self, data: bytes) -> None:
        try:
            self._sock.sendall(data)
        except OSError:
            pass

    def _handle(self, request: Any) -> None:
        self.requests.append(request)
        name = request.get("execute")
        args = request.get("arguments", {})
        reply: dict[str, Any]
        prefix = b""
        if name in ("guest-sync", "guest-sync-delimited"):
            reply = {"return": args["id"]}
            prefix = b"\xff" if name == "guest-sync-delimited" else b""
        elif name == "guest-ping":
            reply = {"return": {}}
        elif name == "guest-info":
            reply = {"return": {"version": "0.0-fake", "supported_commands": [
                {"name": "guest-ping", "enabled": True, "success-response": True},
                {"name": "fake-silent", "enabled": True, "success-response": False}]}}
        elif name == "fake-silent":
            return
        elif name == "fake-delayed":
            time.sleep(args["delay"])
            reply = {"return": "late"}
        elif name == "fake-bad-shape":
            reply = {"return": 1, "error": {"class": "GenericError", "desc": "both"}}
        else:
            reply = {"error": {"class": "CommandNotFound", "desc": f"The command {name} has not been found"}}
        if "id" in request:
            reply["id"] = request["id"]
        self._send(prefix + encode(reply))
