# SPDX-License-Identifier: GPL-2.0-or-later
"""harness/chardev.py against a unix-socket server standing in for QEMU's `-chardev socket`."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

from harness.chardev import ChardevTransport, connect_qga
from harness.errors import ConnectError


class FakeChardev:
    """Listens like QEMU's chardev server (one client at a time) and answers guest-sync-delimited."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.connections = 0
        self.hang_up_next = False
        self._srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._srv.bind(str(path))
        self._srv.listen(1)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._srv.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                buf = b""
                while True:
                    try:
                        data = conn.recv(65536)
                    except OSError:
                        break
                    if not data or self.hang_up_next:     # hang up instead of answering
                        self.hang_up_next = False
                        break
                    buf += data
                    while b"\n" in buf:
                        line, buf = buf.split(b"\n", 1)
                        request = json.loads(line.lstrip(b"\xff"))
                        if request["execute"] == "guest-sync-delimited":
                            conn.sendall(b"\xff" + json.dumps({"return": request["arguments"]["id"]}).encode()
                                         + b"\n")

    def close(self) -> None:
        try:
            self._srv.shutdown(socket.SHUT_RDWR)    # wakes the accept() (close alone does not)
        except OSError:
            pass
        self._srv.close()
        self._thread.join(5)


@pytest.fixture
def chardev(tmp_path: Path) -> Iterator[FakeChardev]:
    fake = FakeChardev(tmp_path / "qga.sock")
    yield fake
    fake.close()


def test_sync_disconnect_reconnect(chardev: FakeChardev) -> None:
    for round_ in range(1, 4):
        with connect_qga(chardev.path, timeout=5, client_timeout=5) as qga:
            qga.sync()
        deadline = time.monotonic() + 5
        while chardev.connections < round_ and time.monotonic() < deadline:
            time.sleep(0.01)
        assert chardev.connections == round_


def test_waits_for_the_socket_to_appear(tmp_path: Path) -> None:
    path = tmp_path / "late.sock"

    def create_later() -> None:
        time.sleep(0.2)
        FakeChardev(path)
    threading.Thread(target=create_later, daemon=True).start()
    with connect_qga(path, timeout=5, client_timeout=5) as qga:
        qga.sync()


def test_gives_up_when_qemu_is_gone(tmp_path: Path) -> None:
    start = time.monotonic()
    with pytest.raises(ConnectError, match="exited"):
        ChardevTransport.connect(tmp_path / "none.sock", timeout=30, alive=lambda: False)
    assert time.monotonic() - start < 2


def test_server_hang_up_is_connect_error(chardev: FakeChardev) -> None:
    with connect_qga(chardev.path, timeout=5, client_timeout=5) as qga:
        qga.sync()
        chardev.hang_up_next = True
        with pytest.raises(ConnectError):
            qga.sync(timeout=5)
