# SPDX-License-Identifier: GPL-2.0-or-later
"""The one exception hierarchy of the harness (style.md section 9).

Callers catch these meanings, never a bare OSError from deep inside. The shape follows
qemu/qemu python/qemu/qmp/error.py and ExecuteError in qmp_client.py.
"""

from __future__ import annotations

from typing import Any


class HarnessError(Exception):
    """Base of every error the harness raises on purpose."""


class ConnectError(HarnessError):
    """Could not connect, or the connection was lost (EOF, reset) while in use."""


class ProtocolError(HarnessError):
    """The peer sent something malformed or unroutable (bad JSON, a reply of the wrong shape)."""


class DeadlineError(HarnessError, TimeoutError):
    """A bounded wait (reply, event, readiness, process exit) ran out of time."""


class ExecuteError(HarnessError):
    """The peer answered a command with an error reply.

    error_class and desc are the reply's "class" and "desc"; sent is the request that was
    sent (bytes or a JSON value) and received the whole reply, for the test's failure message.
    """

    def __init__(self, error_class: str, desc: str, sent: Any = None, received: Any = None) -> None:
        super().__init__(f"{error_class}: {desc}")
        self.error_class = error_class
        self.desc = desc
        self.sent = sent
        self.received = received
