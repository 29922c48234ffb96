# SPDX-License-Identifier: GPL-2.0-or-later
"""harness/qmp.py against a real QEMU (-machine none) and against a scripted fake server."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from harness.errors import ConnectError, DeadlineError, ExecuteError, ProtocolError
from harness.qmp import EventListener, QMPClient, snapshot_sync_action

from .fake_qmp import CLOSE, FakeQMPServer, error, event, reply

QEMU = shutil.which("qemu-system-x86_64")
QEMU_IMG = shutil.which("qemu-img")
needs_qemu = pytest.mark.skipif(QEMU is None or QEMU_IMG is None,
                                reason="qemu-system-x86_64/qemu-img missing: run toolchain/setup")


# ---------------------------------------------------------------------------------------------
# Real QEMU.

class Qemu:
    def __init__(self, proc: subprocess.Popen[bytes], sock: Path, tmp: Path) -> None:
        self.proc = proc
        self.sock = sock
        self.tmp = tmp

    def alive(self) -> bool:
        return self.proc.poll() is None


@pytest.fixture
def qemu(tmp_path: Path) -> Iterator[Qemu]:
    assert QEMU is not None and QEMU_IMG is not None
    disk = tmp_path / "base.qcow2"
    subprocess.run([QEMU_IMG, "create", "-q", "-f", "qcow2", str(disk), "16M"], check=True, timeout=30)
    sock = tmp_path / "qmp.sock"
    proc = subprocess.Popen([QEMU, "-machine", "none", "-nodefaults", "-no-user-config", "-display", "none",
                             "-qmp", f"unix:{sock},server=on,wait=off",
                             "-blockdev", f"driver=file,filename={disk},node-name=base-file",
                             "-blockdev", "driver=qcow2,file=base-file,node-name=data0",
                             "-drive", f"if=none,id=legacy0,format=qcow2,file={disk},readonly=on,"
                                       "file.locking=off"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=open(tmp_path / "qemu.log", "wb"))
    try:
        yield Qemu(proc, sock, tmp_path)
    finally:
        proc.kill()
        proc.wait(10)


@needs_qemu
def test_greeting_and_status(qemu: Qemu) -> None:
    with QMPClient.connect_unix(qemu.sock, timeout=10, alive=qemu.alive) as qmp:
        assert qmp.greeting is not None
        assert qmp.greeting.version.major >= 7
        assert "oob" in qmp.greeting.capabilities
        status = qmp.query_status()
        assert status.running and status.status == "running"
        assert qmp.connected


@needs_qemu
def test_error_reply_carries_class_and_desc(qemu: Qemu) -> None:
    with QMPClient.connect_unix(qemu.sock, timeout=10) as qmp:
        with pytest.raises(ExecuteError) as info:
            qmp.execute("no-such-command")
        assert info.value.error_class == "CommandNotFound"
        assert info.value.desc == "The command no-such-command has not been found"
        assert info.value.sent["execute"] == "no-such-command"
        assert info.value.received["id"] == info.value.sent["id"]
        with pytest.raises(ExecuteError) as info:
            qmp.execute("query-status", {"bogus": 1})
        assert info.value.error_class == "GenericError"
        assert "bogus" in info.value.desc
        assert qmp.query_status().running          # still serving after errors


@needs_qemu
def test_events_are_timestamped_and_consumed_once(qemu: Qemu) -> None:
    with QMPClient.connect_unix(qemu.sock, timeout=10) as qmp:
        other = qmp.listen(["RESUME"])
        before = time.time()
        qmp.stop()
        qmp.cont()
        stop = qmp.wait_event("STOP", timeout=5)
        assert before - 5 < stop.timestamp < time.time() + 5
        assert stop.received <= time.monotonic()
        resume = qmp.wait_event("RESUME", timeout=5, where=lambda e: e.timestamp >= stop.timestamp)
        assert resume.timestamp >= stop.timestamp
        with pytest.raises(DeadlineError):
            qmp.wait_event("STOP", timeout=0.2)      # consumed above
        assert other.wait("RESUME", timeout=5).timestamp == resume.timestamp   # own queue
        assert len(other) == 0                        # STOP was filtered out by names
        qmp.remove_listener(other)


@needs_qemu
def test_wait_event_predicate_leaves_others_queued(qemu: Qemu) -> None:
    with QMPClient.connect_unix(qemu.sock, timeout=10) as qmp:
        qmp.stop()
        qmp.cont()
        qmp.stop()
        qmp.wait_event("STOP", timeout=5)
        second = qmp.wait_event("STOP", timeout=5)
        first_resume = qmp.wait_event(None, timeout=5)
        assert first_resume.name == "RESUME"
        assert first_resume.timestamp <= second.timestamp
        assert qmp.events.drain() == []


@needs_qemu
def test_snapshot_and_backing_chain(qemu: Qemu) -> None:
    with QMPClient.connect_unix(qemu.sock, timeout=10) as qmp:
        legacy = qmp.block("legacy0")
        assert legacy.image is not None and legacy.image.backing_image is None
        assert legacy.node_name is not None
        over1 = qemu.tmp / "over1.qcow2"
        qmp.blockdev_snapshot_sync(legacy.node_name, over1, snapshot_node_name="over1", fmt="qcow2")
        over2 = qemu.tmp / "over2.qcow2"
        qmp.transaction([snapshot_sync_action("over1", over2, "over2")])
        assert qmp.block("legacy0").node_name == "over2"
        image = qmp.block("over2").image
        assert image is not None
        assert [i.filename for i in image.chain()] == [str(over2), str(over1), str(qemu.tmp / "base.qcow2")]
        assert image.backing_filename == str(over1)
        assert over1.exists() and over2.exists()
        with pytest.raises(ExecuteError) as info:
            qmp.blockdev_snapshot_sync("no-such-node", qemu.tmp / "x.qcow2")
        assert info.value.error_class in ("GenericError", "DeviceNotFound")


@needs_qemu
def test_quit_gives_shutdown_event_then_connection_loss(qemu: Qemu) -> None:
    with QMPClient.connect_unix(qemu.sock, timeout=10) as qmp:
        qmp.quit()
        ev = qmp.wait_event("SHUTDOWN", timeout=10)
        assert ev.data["reason"] == "host-qmp-quit"
        assert qemu.proc.wait(10) == 0
        with pytest.raises(ConnectError):
            qmp.wait_event("SHUTDOWN", timeout=10)    # nothing queued and nothing can come
        with pytest.raises(ConnectError):
            qmp.query_status()
        assert not qmp.connected and qmp.lost is not None


@needs_qemu
def test_connect_gives_up_when_process_died(tmp_path: Path) -> None:
    assert QEMU is not None
    proc = subprocess.Popen([QEMU, "-machine", "none", "-bogus-option"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    proc.wait(10)
    start = time.monotonic()
    with pytest.raises(ConnectError, match="exited"):
        QMPClient.connect_unix(tmp_path / "never.sock", timeout=30, alive=lambda: proc.poll() is None)
    assert time.monotonic() - start < 5


# ---------------------------------------------------------------------------------------------
# Scripted fake server.

@pytest.fixture
def sock_path(tmp_path: Path) -> Path:
    return tmp_path / "fake.sock"


def serve(path: Path, handler: Any = None, greeting: bytes | None = None) -> FakeQMPServer:
    kwargs: dict[str, Any] = {}
    if handler is not None:
        kwargs["handler"] = handler
    if greeting is not None:
        kwargs["greeting"] = greeting
    return FakeQMPServer(path, **kwargs)


def test_fake_connect_timeout_when_nothing_listens(sock_path: Path) -> None:
    start = time.monotonic()
    with pytest.raises(ConnectError, match="not accepting"):
        QMPClient.connect_unix(sock_path, timeout=0.3)
    assert time.monotonic() - start < 3


BAD_GREETINGS = [b'{"QMP": {}}\r\n', b'[1, 2]\r\n', b'not json\r\n',
                 b'{"QMP": {"version": {"qemu": {"major": 7}}, "capabilities": []}}\r\n']


@pytest.mark.parametrize("greeting", BAD_GREETINGS)
def test_fake_bad_greeting_is_protocol_error(sock_path: Path, greeting: bytes) -> None:
    srv = serve(sock_path, greeting=greeting)
    try:
        with pytest.raises(ProtocolError):
            QMPClient.connect_unix(sock_path, timeout=5)
    finally:
        srv.close()


def test_fake_no_greeting_is_deadline(sock_path: Path) -> None:
    srv = serve(sock_path, greeting=b"")
    try:
        with pytest.raises(DeadlineError):
            QMPClient.connect_unix(sock_path, timeout=0.3)
    finally:
        srv.close()


def test_fake_capabilities_refused(sock_path: Path) -> None:
    srv = serve(sock_path, lambda m: [error(m, "CommandNotFound", "Capabilities negotiation is complete")])
    try:
        with pytest.raises(ExecuteError) as info:
            QMPClient.connect_unix(sock_path, timeout=5)
        assert info.value.error_class == "CommandNotFound"
    finally:
        srv.close()


def test_fake_error_reply(sock_path: Path) -> None:
    def handler(m: dict[str, Any]) -> list[Any]:
        if m["execute"] == "boom":
            return [error(m, "DeviceNotFound", "Device 'x' not found")]
        return [reply(m)]
    srv = serve(sock_path, handler)
    try:
        with QMPClient.connect_unix(sock_path, timeout=5) as qmp:
            with pytest.raises(ExecuteError) as info:
                qmp.execute("boom", {"device": "x"})
            err = info.value
            assert (err.error_class, err.desc) == ("DeviceNotFound", "Device 'x' not found")
            assert err.sent == {"execute": "boom", "id": err.sent["id"], "arguments": {"device": "x"}}
            assert str(err) == "DeviceNotFound: Device 'x' not found"
            assert qmp.execute("fine") == {}
    finally:
        srv.close()


def test_fake_malformed_error_reply(sock_path: Path) -> None:
    def handler(m: dict[str, Any]) -> list[Any]:
        if m["execute"] == "boom":
            return [b'{"error": {"class": 5}, "id": "%s"}\r\n' % m["id"].encode()]
        return [reply(m)]
    srv = serve(sock_path, handler)
    try:
        with QMPClient.connect_unix(sock_path, timeout=5) as qmp:
            with pytest.raises(ProtocolError):
                qmp.execute("boom")
    finally:
        srv.close()


def test_fake_timeout_then_late_reply_is_dropped(sock_path: Path) -> None:
    held: list[dict[str, Any]] = []

    def handler(m: dict[str, Any]) -> list[Any]:
        if m["execute"] == "slow":
            held.append(m)
            return []
        out = [reply(x, "late") for x in held] + [reply(m, "fresh")]
        held.clear()
        return out
    srv = serve(sock_path, handler)
    try:
        with QMPClient.connect_unix(sock_path, timeout=5) as qmp:
            start = time.monotonic()
            with pytest.raises(DeadlineError):
                qmp.execute("slow", timeout=0.2)
            assert time.monotonic() - start < 2
            assert qmp.execute("next") == "fresh"     # the late reply did not leak into this one
            assert qmp.connected
    finally:
        srv.close()


def test_fake_connection_lost_mid_command(sock_path: Path) -> None:
    def handler(m: dict[str, Any]) -> list[Any]:
        return [reply(m)] if m["execute"] == "qmp_capabilities" else [CLOSE]
    srv = serve(sock_path, handler)
    try:
        with QMPClient.connect_unix(sock_path, timeout=5) as qmp:
            with pytest.raises(ConnectError):
                qmp.execute("query-status", timeout=5)
            assert isinstance(qmp.lost, ConnectError) and not qmp.connected
            start = time.monotonic()
            with pytest.raises(ConnectError):
                qmp.execute("query-status", timeout=5)
            assert time.monotonic() - start < 1       # fails fast once lost
    finally:
        srv.close()


def test_fake_queued_event_survives_connection_loss(sock_path: Path) -> None:
    def handler(m: dict[str, Any]) -> list[Any]:
        if m["execute"] == "quit":
            return [event("SHUTDOWN", {"guest": False, "reason": "host-qmp-quit"}), CLOSE]
        return [reply(m)]
    srv = serve(sock_path, handler)
    try:
        with QMPClient.connect_unix(sock_path, timeout=5) as qmp:
            late = qmp.listen()
            qmp.quit(timeout=5)                        # reset before reply: not an error
            ev = qmp.wait_event("SHUTDOWN", timeout=5)
            assert ev.timestamp == 1700000000.25 and ev.data["guest"] is False
            assert late.wait("SHUTDOWN", timeout=5).name == "SHUTDOWN"
            with pytest.raises(ConnectError):
                late.wait(None, timeout=5)
            after = qmp.listen()
            with pytest.raises(ConnectError):
                after.wait(None, timeout=5)
    finally:
        srv.close()


def test_fake_invalid_json_is_protocol_error(sock_path: Path) -> None:
    def handler(m: dict[str, Any]) -> list[Any]:
        return [reply(m)] if m["execute"] == "qmp_capabilities" else [b"{nope\r\n"]
    srv = serve(sock_path, handler)
    try:
        with QMPClient.connect_unix(sock_path, timeout=5) as qmp:
            with pytest.raises(ProtocolError):
                qmp.execute("query-status")
            assert isinstance(qmp.lost, ProtocolError)
    finally:
        srv.close()


def test_fake_unroutable_reply_is_protocol_error(sock_path: Path) -> None:
    def handler(m: dict[str, Any]) -> list[Any]:
        if m["execute"] == "qmp_capabilities":
            return [reply(m)]
        return [b'{"return": {}, "id": "someone-else"}\r\n']
    srv = serve(sock_path, handler)
    try:
        with QMPClient.connect_unix(sock_path, timeout=5) as qmp:
            with pytest.raises(ProtocolError, match="no pending"):
                qmp.execute("query-status")
    finally:
        srv.close()


def test_fake_event_without_timestamp_and_data(sock_path: Path) -> None:
    def handler(m: dict[str, Any]) -> list[Any]:
        return [b'{"event": "POWERDOWN"}\r\n', reply(m)]
    srv = serve(sock_path, handler)
    try:
        with QMPClient.connect_unix(sock_path, timeout=5) as qmp:
            ev = qmp.wait_event("POWERDOWN", timeout=5)
            assert ev.timestamp == -1.0 and dict(ev.data) == {}
    finally:
        srv.close()


def test_listener_standalone() -> None:
    listener = EventListener(["A"])
    assert listener.accepts("A") and not listener.accepts("B")
    with pytest.raises(DeadlineError):
        listener.wait("A", timeout=0.05)
    assert listener.get_nowait() is None
