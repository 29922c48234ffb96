# SPDX-License-Identifier: GPL-2.0-or-later
"""Soak under Wine: many mixed requests (guest-info, the inventory commands, file open/read/
close, exec and its status) against one agent, its resident memory and Windows handle count
sampled as it goes.  Growth beyond noise fails: after a warm-up (caches, heap high-water marks,
Wine's lazily loaded DLLs) the memory and handles of the last samples must match those of the
first.  `make check` sends CHECK_REQUESTS; `make soak` sends QGA_SOAK_REQUESTS (100,000).
Figures go to build/reliability/soak.json (docs/reliability.md).
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import statistics
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from harness.protocol import Message, Splitter, encode_request
from harness.qga import QGAClient
from harness.wine import AgentProcess, WineSession

CHECK_REQUESTS = 5_000
ROUNDS_PER_CYCLE = 10              # rounds whose requests go out in one write
EXEC_EVERY = 4                     # cycles; a process start costs tens of ms under Wine
INVENTORY = ["guest-info", "guest-ping", "guest-get-osinfo", "guest-get-host-name", "guest-get-timezone",
             "guest-get-users", "guest-get-vcpus", "guest-get-time", "guest-network-get-interfaces",
             "guest-get-fsinfo", "guest-get-disks", "guest-get-devices", "guest-get-load"]
FILE_SIZE = 10_000
READ_COUNT = 4096
WARM_UP_FRACTION = 0.2             # of the requests; memory grows to a plateau meanwhile
SAMPLES = 20                       # memory samples after the warm-up (and handle counts)
# Noise: the Windows heap and Wine's allocator move in pages, by a few hundred KiB either way.
# 1 MiB over 100,000 requests bounds a leak to ~10 bytes per request.
RSS_NOISE_KIB = 1024
HANDLE_NOISE = 2
CYCLE_TIMEOUT_S = 120.0
EXIT_TIMEOUT_S = 60.0


def wanted_requests() -> int:
    return int(os.environ.get("QGA_SOAK_REQUESTS", CHECK_REQUESTS))


@pytest.fixture(scope="module")
def soak_agent(wine: WineSession, agent_exe: Path) -> Iterator[AgentProcess]:
    """The agent as qga-soak.exe (handle-count finds it alone), with a state directory of its own."""
    directory = wine.scratch / "soak"
    directory.mkdir(exist_ok=True)
    exe = directory / "qga-soak.exe"
    shutil.copyfile(agent_exe, exe)
    with AgentProcess(wine, exe, ["-t", wine.windows_path(directory / "state")], env={"QGA_CONF": ""},
                      timeout=CYCLE_TIMEOUT_S) as agent:
        yield agent


class Soak:
    """Sends cycles of requests, checks every reply, counts them, and keeps pids to reap."""

    def __init__(self, client: QGAClient, data_path: str, child: str, data: bytes) -> None:
        self.client = client
        self.data_path = data_path
        self.child = child
        self.data = data
        self.requests = 0
        self.cycles = 0
        self.pending_pids: list[int] = []
        self.execs = 0
        self.load_error: str | None = None

    def exchange(self, requests: list[bytes]) -> list[Any]:
        replies = self.client.execute_raw(b"".join(requests), replies=len(requests), timeout=CYCLE_TIMEOUT_S)
        self.requests += len(requests)
        return replies

    def cycle(self) -> None:
        self.cycles += 1
        first: list[bytes] = []
        for _ in range(ROUNDS_PER_CYCLE):
            first += [encode_request(name, id=name) for name in INVENTORY]
            first.append(encode_request("guest-file-open", {"path": self.data_path, "mode": "r"}, id="open"))
        if self.cycles % EXEC_EVERY == 0:
            first.append(encode_request("guest-exec", {"path": self.child, "arg": ["exit", "0"]}, id="exec"))
        handles = []
        for reply in self.exchange(first):
            name = reply.get("id")
            if name == "guest-get-load" and "error" in reply:
                # Wine has no processor-time counter: the same clear error every time.
                self.load_error = self.load_error or reply["error"]["desc"]
                assert reply["error"]["desc"] == self.load_error, reply
                continue
            assert "return" in reply, reply
            if name == "open":
                handles.append(reply["return"])
            elif name == "exec":
                self.pending_pids.append(reply["return"]["pid"])
                self.execs += 1
        second: list[bytes] = []
        for handle in handles:
            second += [encode_request("guest-file-read", {"handle": handle, "count": READ_COUNT}, id=handle),
                       encode_request("guest-file-seek", {"handle": handle, "offset": 0, "whence": "set"}),
                       encode_request("guest-file-read", {"handle": handle, "count": READ_COUNT}, id=handle),
                       encode_request("guest-file-close", {"handle": handle})]
        for pid in self.pending_pids:
            second.append(encode_request("guest-exec-status", {"pid": pid}, id=pid))
        exited = set()
        for reply in self.exchange(second):
            assert "return" in reply, reply
            result = reply["return"]
            if isinstance(result, dict) and "buf-b64" in result:
                assert base64.b64decode(result["buf-b64"]) == self.data[:READ_COUNT], reply
            if isinstance(result, dict) and result.get("exited"):
                assert result.get("exitcode") == 0, reply
                exited.add(reply["id"])
        self.pending_pids = [p for p in self.pending_pids if p not in exited]

    def reap(self) -> None:
        """Every child started has exited and been collected (its handle released)."""
        deadline = time.monotonic() + EXIT_TIMEOUT_S
        while self.pending_pids:
            assert time.monotonic() < deadline, f"children still running: {self.pending_pids}"
            for pid in list(self.pending_pids):
                status = self.client.execute("guest-exec-status", {"pid": pid})
                self.requests += 1
                if status["exited"]:
                    self.pending_pids.remove(pid)


def test_soak(wine: WineSession, soak_agent: AgentProcess, build_dir: Path) -> None:
    tool = build_dir / "tests" / "wine" / "handle-count.exe"
    child = build_dir / "tests" / "qga-test-child.exe"
    assert child.is_file(), f"{child} is missing: `make check-wine` builds it"
    data = bytes(range(256)) * (FILE_SIZE // 256)
    data_file = wine.scratch / "soak" / "data.bin"
    data_file.write_bytes(data)
    client = soak_agent.client
    info = {c.name for c in client.info().supported_commands}
    missing = [n for n in INVENTORY + ["guest-file-open", "guest-exec"] if n not in info]
    assert not missing, f"the soak needs {missing}"
    soak = Soak(client, wine.windows_path(data_file), wine.windows_path(child), data)

    wanted = wanted_requests()
    warm_up = int(wanted * WARM_UP_FRACTION)
    step = max(1, (wanted - warm_up) // SAMPLES)
    rss: list[int] = []
    handles: list[int] = []
    next_sample = warm_up
    started = time.monotonic()
    while soak.requests < wanted:
        soak.cycle()
        if soak.requests >= next_sample:
            rss.append(soak_agent.rss_kib())
            handles.append(soak_agent.handle_count(tool))
            next_sample += step
    soak.reap()
    client.ping()
    rss.append(soak_agent.rss_kib())
    handles.append(soak_agent.handle_count(tool))
    elapsed = time.monotonic() - started

    # Medians of the first and last quarter of the samples: one allocator hiccup is not a trend.
    quarter = max(1, len(rss) // 4)
    rss_start, rss_end = statistics.median(rss[:quarter]), statistics.median(rss[-quarter:])
    out = build_dir / "reliability"
    out.mkdir(exist_ok=True)
    (out / "soak.json").write_text(json.dumps({
        "requests": soak.requests, "cycles": soak.cycles, "processes_started": soak.execs,
        "seconds": round(elapsed, 1), "requests_per_second": round(soak.requests / elapsed),
        "warm_up_requests": warm_up, "rss_kib_samples": rss, "handle_samples": handles,
        "rss_growth_kib": rss_end - rss_start, "handle_growth": handles[-1] - handles[0],
    }, indent=1) + "\n")
    assert soak_agent.returncode is None
    assert rss_end - rss_start <= RSS_NOISE_KIB, f"resident KiB after warm-up {rss}"
    assert handles[-1] - handles[0] <= HANDLE_NOISE, f"handles after warm-up {handles}"


SLOW_READ_BYTES_PER_S = 50_000     # a host that reads, slowly: 1 MiB takes 21 s
SLOW_FILE_BYTES = 800_000          # base64: a reply of ~1.07 MB
SLOW_TIMEOUT_S = 120.0


def test_slow_reader_keeps_its_connection(wine: WineSession, soak_agent: AgentProcess) -> None:
    """A host that reads slowly is not a host that never reads: the write stall bound
    (CHANNEL_WRITE_STALL_MS) applies to each piece of a reply, not to the whole of it, so a
    megabyte reply at 50 KB/s arrives whole.  ~25 s, so `make soak` runs it, not `make check`."""
    if wanted_requests() <= CHECK_REQUESTS:
        pytest.skip("slow tier (~25 s): `make soak` runs it")
    data = os.urandom(SLOW_FILE_BYTES)
    path = wine.scratch / "soak" / "slow.bin"
    path.write_bytes(data)
    client = soak_agent.client
    client.sync()
    log_start = len(soak_agent.log_text())
    handle = client.execute("guest-file-open", {"path": wine.windows_path(path)})
    request = encode_request("guest-file-read", {"handle": handle, "count": SLOW_FILE_BYTES}, id="slow")
    client.send_bytes(request)
    fd = soak_agent.port.master
    splitter = Splitter()
    started = time.monotonic()
    received = 0
    reply: dict[str, Any] | None = None
    while reply is None:
        assert time.monotonic() - started < SLOW_TIMEOUT_S, f"{received} bytes in {SLOW_TIMEOUT_S} s"
        # Stay at SLOW_READ_BYTES_PER_S on average: read only what the budget allows so far.
        budget = int((time.monotonic() - started) * SLOW_READ_BYTES_PER_S) - received
        if budget < 4096:
            time.sleep(4096 / SLOW_READ_BYTES_PER_S)
            continue
        try:
            chunk = os.read(fd, min(budget, 4096))
        except BlockingIOError:
            time.sleep(0.01)
            continue
        received += len(chunk)
        for event in splitter.feed(chunk):
            value = event.value if isinstance(event, Message) else None
            if isinstance(value, dict) and value.get("id") == "slow":
                reply = value
    assert base64.b64decode(reply["return"]["buf-b64"]) == data
    assert time.monotonic() - started > SLOW_FILE_BYTES * 4 / 3 / SLOW_READ_BYTES_PER_S / 2
    assert not re.search("unable to write", soak_agent.log_text()[log_start:])
    soak_agent.disconnect()
    soak_agent.client.sync()
    soak_agent.client.execute("guest-file-close", {"handle": handle})
