# SPDX-License-Identifier: GPL-2.0-or-later
"""Channel faults under Wine: the host disconnects mid-request, mid-reply and while the guest is
frozen; bursts right after a reconnect; a host that never reads.  After each fault the agent
answers the next guest-sync, holds no more handles than before, and a freeze always ends thawed.

The host's side is a pty (harness/wine.py ComPort): hanging it up makes the agent's pending I/O
fail with ERROR_BROKEN_PIPE, as a virtio-serial port does when the host's chardev goes away.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path
from typing import Iterator

import pytest

from harness.errors import ExecuteError
from harness.fake_vss import FakeVss
from harness.protocol import encode_request
from harness.wine import AgentProcess, WineSession

RECONNECT_TIMEOUT_S = 20.0         # the agent reopens the port with backoff (serve.h)
WRITE_STALL_S = 15.0               # CHANNEL_WRITE_STALL_MS in win/agent/platform/channel.h
STALL_SLACK_S = 10.0
FREEZE_TIMEOUT_S = 60.0
HANDLE_GROWTH_LIMIT = 2
BURST = 2000
FAULTS_SURVIVED: list[str] = []


@pytest.fixture(scope="module")
def handle_tool(build_dir: Path) -> Path:
    return build_dir / "tests" / "wine" / "handle-count.exe"


def start(wine: WineSession, agent_exe: Path, name: str, args: list[str] | None = None,
          env: dict[str, str] | None = None) -> AgentProcess:
    """An agent under an exe name of its own (handle-count finds it alone), -v for the log."""
    directory = wine.scratch / name
    directory.mkdir(exist_ok=True)
    exe = directory / f"{name}.exe"
    shutil.copyfile(agent_exe, exe)
    agent = AgentProcess(wine, exe, ["-v", "-t", wine.windows_path(directory / "state"), *(args or [])],
                         env={"QGA_CONF": "", **(env or {})})
    agent.start()
    return agent


@pytest.fixture(scope="module")
def faulty(wine: WineSession, agent_exe: Path) -> Iterator[AgentProcess]:
    agent = start(wine, agent_exe, "qga-faults")
    yield agent
    agent.close()


def resync(agent: AgentProcess, what: str) -> None:
    """After a fault: the agent answers on the (new) connection."""
    agent.client.sync(timeout=RECONNECT_TIMEOUT_S)
    agent.client.ping()
    assert agent.returncode is None, agent.log_text()[-3000:]
    FAULTS_SURVIVED.append(what)


def test_disconnect_mid_request_at_every_byte(faulty: AgentProcess, handle_tool: Path) -> None:
    """The partial request of the old connection is dropped, wherever it was cut."""
    request = encode_request("guest-sync", {"id": 1}, id="old")
    before = faulty.handle_count(handle_tool)
    for cut in range(1, len(request)):
        # A complete sync in the same write: once it is answered, the agent has read the partial
        # request behind it too (one write, one read), so the cut really is inside its parser.
        assert faulty.client.execute_raw(encode_request("guest-sync", {"id": cut}) + request[:cut]) == \
            [{"return": cut}]
        faulty.host_reconnect()
        client = faulty.client
        client.send_bytes(encode_request("guest-sync", {"id": 1000 + cut}))
        assert client.receive(timeout=RECONNECT_TIMEOUT_S).value == {"return": 1000 + cut}, cut
        FAULTS_SURVIVED.append(f"disconnect mid-request at byte {cut}")
    assert faulty.handle_count(handle_tool) - before <= HANDLE_GROWTH_LIMIT


@pytest.mark.parametrize("read_bytes", [0, 1, 4096, 100_000, 1_000_000])
def test_disconnect_mid_reply(faulty: AgentProcess, handle_tool: Path, read_bytes: int) -> None:
    """Replies of several MiB are being written when the host goes away after reading some."""
    faulty.client.sync()
    before = faulty.handle_count(handle_tool)
    fd = faulty.port.master
    requests = b"".join(encode_request("guest-info", id=i) for i in range(1000))   # ~4 MiB of replies
    faulty.client.send_bytes(requests)
    got = 0
    deadline = time.monotonic() + 30
    while got < read_bytes and time.monotonic() < deadline:
        try:
            got += len(os.read(fd, min(65536, read_bytes - got)))
        except BlockingIOError:
            time.sleep(0.001)
    assert got >= read_bytes
    faulty.host_reconnect()
    resync(faulty, f"disconnect mid-reply after {read_bytes} bytes")
    assert faulty.handle_count(handle_tool) - before <= HANDLE_GROWTH_LIMIT


def test_burst_after_reconnect(faulty: AgentProcess) -> None:
    """The first thing on a new connection is a burst: every request answered, in order."""
    for _ in range(3):
        faulty.host_reconnect()
        client = faulty.client
        data = b"".join(encode_request("guest-sync", {"id": i}, id=i) for i in range(BURST))
        replies = client.execute_raw(data, replies=BURST, timeout=120)
        assert [r.get("return") for r in replies] == list(range(BURST))
        FAULTS_SURVIVED.append(f"burst of {BURST} requests after a reconnect")


def test_host_that_never_reads(faulty: AgentProcess, handle_tool: Path) -> None:
    """The agent must not block forever writing replies nobody reads: after CHANNEL_WRITE_STALL_MS
    without progress it drops them, resets the channel and serves again."""
    faulty.client.sync()
    before = faulty.handle_count(handle_tool)
    log_start = len(faulty.log_text())
    fd = faulty.port.master
    requests = b"".join(encode_request("guest-info", id=i) for i in range(3000))
    sent = 0
    started = time.monotonic()
    # Write without ever reading: the agent stalls writing replies, then stops reading too.
    while sent < len(requests) and time.monotonic() - started < 5:
        try:
            sent += os.write(fd, requests[sent:sent + 4096])
        except BlockingIOError:
            time.sleep(0.01)
    deadline = time.monotonic() + WRITE_STALL_S + STALL_SLACK_S
    while "unable to write to channel" not in faulty.log_text()[log_start:]:
        assert time.monotonic() < deadline, \
            "the agent is still blocked writing:\n" + faulty.log_text()[-2000:]
        time.sleep(0.1)
    stalled = time.monotonic() - started
    assert re.search(r"warning: unable to write to channel \S+ \(operation timed out\); reopening it",
                     faulty.log_text()[log_start:])
    # The host reads again (a new client drains what is queued) and the agent answers.
    faulty.disconnect()
    resync(faulty, f"host that never reads (reset after {stalled:.0f} s)")
    assert faulty.handle_count(handle_tool) - before <= HANDLE_GROWTH_LIMIT


# -- while frozen ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fake(wine: WineSession, repo: Path, build_dir: Path) -> FakeVss:
    if not (build_dir / "qga-vss.dll").is_file():
        pytest.fail(f"{build_dir / 'qga-vss.dll'} is missing: build it with `make`", pytrace=False)
    fake = FakeVss(wine, build_dir, name="faults")
    fake.install()
    return fake


@pytest.fixture
def freezable(wine: WineSession, agent_exe: Path, fake: FakeVss) -> Iterator[AgentProcess]:
    fake.scenario("")
    state = wine.scratch / "qga-faults-frozen"
    state.mkdir(exist_ok=True)
    # The real exe: it loads qga-vss.dll from its own directory.
    agent = AgentProcess(wine, agent_exe, ["-v", "-t", wine.windows_path(state)], env=fake.env)
    agent.start()
    yield agent
    try:
        client = agent.client
        client.sync(timeout=RECONNECT_TIMEOUT_S)
        if client.fsfreeze_status() != "thawed":
            client.fsfreeze_thaw(timeout=FREEZE_TIMEOUT_S)
    finally:
        agent.close()


def thaw_after_reconnect(agent: AgentProcess) -> int:
    """On the new connection the guest is still frozen; the host's thaw ends it."""
    agent.client.sync(timeout=RECONNECT_TIMEOUT_S)
    assert agent.client.fsfreeze_status() == "frozen"
    with pytest.raises(ExecuteError) as info:
        agent.client.execute("guest-get-osinfo")
    assert info.value.error_class == "CommandNotFound"           # frozen: not on the allow-list
    thawed = agent.client.fsfreeze_thaw(timeout=FREEZE_TIMEOUT_S)
    assert agent.client.fsfreeze_status() == "thawed"
    return thawed


def test_disconnect_while_frozen(freezable: AgentProcess, fake: FakeVss) -> None:
    mark = fake.mark()
    frozen = freezable.client.fsfreeze_freeze(timeout=FREEZE_TIMEOUT_S)
    freezable.host_reconnect()
    assert thaw_after_reconnect(freezable) == frozen
    fake.wait_call("requester:BackupComplete", since=mark)
    FAULTS_SURVIVED.append("disconnect while frozen")


def test_disconnect_during_freeze_and_thaw(freezable: AgentProcess, fake: FakeVss) -> None:
    """The host goes away before the freeze's reply (and again before the thaw's): the reply
    is lost, the state is not."""
    mark = fake.mark()
    freezable.client.send_bytes(encode_request("guest-fsfreeze-freeze", id="lost"))
    fake.wait_call("provider:PreCommitSnapshots", since=mark, timeout=FREEZE_TIMEOUT_S)
    freezable.host_reconnect()
    freezable.client.sync(timeout=FREEZE_TIMEOUT_S)
    assert freezable.client.fsfreeze_status() == "frozen"
    mark = fake.mark()
    freezable.client.send_bytes(encode_request("guest-fsfreeze-thaw", id="lost too"))
    # Hang up once the agent is thawing (bytes it has not read yet would go with the old pty).
    fake.wait_call("provider:CommitSnapshots", since=mark, timeout=FREEZE_TIMEOUT_S)
    freezable.host_reconnect()
    fake.wait_call("requester:BackupComplete", since=mark, timeout=FREEZE_TIMEOUT_S)
    freezable.client.sync(timeout=RECONNECT_TIMEOUT_S)
    assert freezable.client.fsfreeze_status() == "thawed"
    FAULTS_SURVIVED.append("disconnect during freeze and during thaw")


def test_report_faults(build_dir: Path) -> None:
    """Figures for docs/reliability.md (runs last in this module)."""
    out = build_dir / "reliability"
    out.mkdir(exist_ok=True)
    kinds = sorted(set(re.sub(r"\d+", "N", f) for f in FAULTS_SURVIVED))
    figures = {"faults_survived": len(FAULTS_SURVIVED), "kinds": kinds}
    (out / "faults.json").write_text(json.dumps(figures, indent=1) + "\n")
    assert FAULTS_SURVIVED
