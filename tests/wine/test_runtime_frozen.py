# SPDX-License-Identifier: GPL-2.0-or-later
"""The runtime while the file systems are frozen: nothing reaches the disk (the log file does
not grow; lines wait in memory) and everything logged meanwhile is written, in order, after thaw.
Uses the real qga-vss.dll with the fake VSS coordinator (harness/fake_vss.py), as test_freeze.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from harness.fake_vss import FakeVss
from harness.wine import AgentProcess, WineSession

FREEZE_TIMEOUT_S = 60.0


@pytest.fixture(scope="module")
def fake(wine: WineSession, repo: Path, build_dir: Path) -> FakeVss:
    if not (build_dir / "qga-vss.dll").is_file():
        pytest.fail(f"{build_dir / 'qga-vss.dll'} is missing: build it with `make`", pytrace=False)
    fake = FakeVss(wine, build_dir, name="runtime-frozen")
    fake.install()
    return fake


@pytest.fixture
def agent(wine: WineSession, agent_exe: Path, fake: FakeVss) -> Iterator[tuple[AgentProcess, Path]]:
    statedir = wine.scratch / "runtime-frozen-state"
    statedir.mkdir(exist_ok=True)
    log = wine.scratch / "runtime-frozen.log"
    args = ["-v", "-t", wine.windows_path(statedir), "-l", wine.windows_path(log)]
    process = AgentProcess(wine, agent_exe, args, env={**fake.env, "QGA_CONF": ""})
    process.start()
    yield process, log
    try:
        if process.returncode is None and process.client.fsfreeze_status() != "thawed":
            process.client.fsfreeze_thaw(timeout=FREEZE_TIMEOUT_S)
    finally:
        process.close()


def test_nothing_is_written_while_frozen_and_all_of_it_after_thaw(agent: tuple[AgentProcess, Path]) -> None:
    process, log = agent
    qga = process.client
    before = log.read_bytes()
    assert qga.fsfreeze_freeze(timeout=FREEZE_TIMEOUT_S) >= 1
    frozen_size = log.stat().st_size
    for _ in range(20):
        qga.ping()
    assert qga.fsfreeze_status() == "frozen"
    assert log.stat().st_size == frozen_size, "the log file grew while frozen"
    assert qga.fsfreeze_thaw(timeout=FREEZE_TIMEOUT_S) >= 1
    qga.ping()
    text = log.read_bytes().decode()
    tail = text[frozen_size:]
    # Everything said while frozen is there after thaw, in order: the 20 pings, then the status.
    assert tail.count("debug: received request: guest-ping") >= 20, tail
    status_at = tail.index("received request: guest-fsfreeze-status")
    assert status_at < tail.index("received request: guest-fsfreeze-thaw")
    assert tail.index("received request: guest-ping") < status_at
    assert text.startswith(before.decode())
