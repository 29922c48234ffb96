# SPDX-License-Identifier: GPL-2.0-or-later
"""Unit tests of harness/qga.py against an in-process fake agent (no Wine)."""

from __future__ import annotations

import os
from typing import Iterator

import pytest

from harness.errors import ConnectError, DeadlineError, ExecuteError, ProtocolError
from harness.protocol import Message, encode_request
from harness.qga import FdTransport, QGAClient, Traffic

from .fake_agent import STRAY, FakeAgent


@pytest.fixture
def agent() -> Iterator[FakeAgent]:
    fake = FakeAgent()
    yield fake
    fake.close()


@pytest.fixture
def qga(agent: FakeAgent) -> Iterator[QGAClient]:
    with QGAClient(FdTransport(agent.host.detach()), timeout=5) as client:
        yield client


def test_execute_returns_value_and_echoes_libvirt_sized_id(qga: QGAClient, agent: FakeAgent) -> None:
    assert qga.execute("guest-ping") == {}
    assert agent.requests[-1]["id"] > 10**12


def test_error_reply_raises_execute_error_with_context(qga: QGAClient) -> None:
    with pytest.raises(ExecuteError) as info:
        qga.execute("guest-nope", {"a": 1})
    assert info.value.error_class == "CommandNotFound"
    assert info.value.desc == "The command guest-nope has not been found"
    assert info.value.sent["arguments"] == {"a": 1}
    assert info.value.received["id"] == info.value.sent["id"]


def test_sync_discards_stray_error_and_junk(qga: QGAClient) -> None:
    qga.send_bytes(b'{"execute": "guest-ping"}{"execute": "guest-ping", "id": 1}')
    qga.sync()
    assert not qga.drain()
    qga.ping()


def test_stale_reply_after_timeout_is_discarded(qga: QGAClient) -> None:
    with pytest.raises(DeadlineError):
        qga.execute("fake-delayed", {"delay": 0.3}, timeout=0.05)
    qga.ping()
    assert any(isinstance(e, Message) and e.value.get("return") == "late" for e in qga.discarded)


def test_no_reply_confirmed_by_sync(qga: QGAClient) -> None:
    qga.execute_no_reply("fake-silent")
    with pytest.raises(ProtocolError):
        qga.execute_no_reply("guest-ping")
    with pytest.raises(ExecuteError):
        qga.execute_no_reply("guest-nope")
    qga.execute_no_reply("fake-silent", confirm=False)
    qga.ping()


def test_execute_raw_returns_messages_in_order(qga: QGAClient) -> None:
    replies = qga.execute_raw(b"\xff" + encode_request("guest-sync", {"id": 5}, id="x"), replies=2)
    assert replies == [STRAY, {"return": 5, "id": "x"}]


def test_sending_while_replies_pile_up_does_not_deadlock(qga: QGAClient) -> None:
    count = 20000
    data = b"".join(encode_request("guest-ping", id=i) for i in range(count))
    replies = qga.execute_raw(data, replies=count, timeout=60)
    assert [r["id"] for r in replies] == list(range(count))


def test_guest_info_model(qga: QGAClient) -> None:
    info = qga.info()
    assert info.version == "0.0-fake"
    assert info.enabled("guest-ping") and not info.enabled("guest-nope")
    silent = info.command("fake-silent")
    assert silent is not None and not silent.success_response


def test_bad_reply_shape_is_protocol_error(qga: QGAClient) -> None:
    with pytest.raises(ProtocolError):
        qga.execute("fake-bad-shape")


def test_receive_deadline(qga: QGAClient) -> None:
    with pytest.raises(DeadlineError):
        qga.receive(timeout=0.05)


def test_observer_sees_delimiter(agent: FakeAgent) -> None:
    seen: list[Traffic] = []
    with QGAClient(FdTransport(agent.host.detach()), timeout=5, observer=seen.append) as qga:
        qga.sync()
    assert seen[0].direction == ">>>" and seen[0].data.startswith(b"\xff")
    assert [t.direction for t in seen[1:]] == ["xxx", "<<<"]
    assert seen[-1].data.startswith(b"\xff{")


def test_peer_gone_is_connect_error(agent: FakeAgent) -> None:
    client = QGAClient(FdTransport(agent.host.detach()), timeout=5)
    agent.close()
    with pytest.raises(ConnectError):
        client.ping()
    client.close()
    client.close()


def test_pty_transport_hangup_is_connect_error() -> None:
    master, slave = os.openpty()
    client = QGAClient(FdTransport(master), timeout=5)
    os.close(slave)
    with pytest.raises(ConnectError):
        client.ping()
    client.close()
