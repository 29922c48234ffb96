# SPDX-License-Identifier: GPL-2.0-or-later
"""The host end of a QEMU `-chardev socket,server=on` that backs the agent's virtio-serial port.

QEMU listens on a unix socket and takes one client at a time; bytes the harness sends before the
guest opens the port wait in the socket (reference/vm-notes.md). Closing the connection is a
host disconnect: the guest's read() on the port returns 0 (a Windows agent sees a 0-byte read or
ERROR_BROKEN_PIPE), and connecting again is a reconnect. The transport plugs into QGAClient.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from .errors import DeadlineError
from .qga import DEFAULT_TIMEOUT_S, FdTransport, Observer, QGAClient
from .qmp import connect_unix_socket


class ChardevTransport(FdTransport):
    """A connected unix-socket client of a QEMU chardev, as a QGAClient transport."""

    def __init__(self, fd: int, path: str) -> None:
        super().__init__(fd, owns=True, name=f"chardev {path}")
        self.path = path

    @classmethod
    def connect(cls, path: str | Path, timeout: float = DEFAULT_TIMEOUT_S,
                alive: Callable[[], bool] | None = None) -> ChardevTransport:
        """Connect to the chardev socket, retrying until QEMU has created it or the deadline passes.

        alive() is polled while retrying; when it turns False (QEMU died) the wait ends at once.
        Raises ConnectError.
        """
        deadline = time.monotonic() + timeout
        sock = connect_unix_socket(str(path), deadline, alive, "chardev")
        return cls(sock.detach(), str(path))


def connect_qga(path: str | Path, *, timeout: float = DEFAULT_TIMEOUT_S,
                client_timeout: float = DEFAULT_TIMEOUT_S, alive: Callable[[], bool] | None = None,
                observer: Observer | None = None) -> QGAClient:
    """A QGAClient on a chardev socket (connected, not yet synchronised)."""
    if timeout <= 0:
        raise DeadlineError(f"no time left to connect to {path}")
    transport = ChardevTransport.connect(path, timeout, alive)
    return QGAClient(transport, timeout=client_timeout, observer=observer)
